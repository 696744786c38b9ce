"""The `buildtools` command: a thin click layer over the same functions as the doit tasks.

`buildtools build` with nothing to do is the command people run most (by hand, from an editor,
from a pre-commit hook), so `main()` answers it, and `buildtools check`, without importing
click or doit, in two steps:
1. buildtools.build.record: the record that the last full check left; when the stat signatures of
   every input still match, the answer needs no config, no hashing and no typing module;
2. else the config and the pipeline: every stage's key is checked;
and only when something must run (or for any other command) is the click app built. This
module's imports are kept to what those steps need (no typing, pathlib or collections.abc).

Every command runs inside buildtools.handler.guarded, so the exit codes are: 0 success,
1 a user error (one line, no traceback; click's usage errors too), 3 a bug (traceback),
130 interrupted, 141 the output pipe was closed.
"""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False  # typing itself costs more to import than a fresh no-op check
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path
    from typing import Any

    import click

    from buildtools.build.pipeline import BuildResult, Session
    from buildtools.config.load import Config
    from buildtools.ui.terminal import Reporter

PROG = "buildtools"
COMPLETE_ENV = "_BUILDTOOLS_COMPLETE"
QUIET_FLAGS = ("-q", "--quiet")


# ---------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None) -> None:
    """The console script. Exits with 0, 1, 3, 130 or 141."""
    args = list(sys.argv[1:] if argv is None else argv)
    fast = _fast_command(args)
    if fast is not None and _guarded(fast):
        raise SystemExit(0)
    create_app().main(args=args, prog_name=PROG)


def _fast_command(args: list[str]) -> Callable[[], bool] | None:
    """The click-free handler of `args`, when there is one: `build [-q]` and `check [-q]`.

    It returns True when it handled the command; False means "let the full CLI do it".
    """
    if COMPLETE_ENV in os.environ or not args or not set(args[1:]) <= set(QUIET_FLAGS):
        return None
    quiet = len(args) > 1
    if args[0] == "build":
        return lambda: answer_from_record("build", quiet) or _built(quiet)
    if args[0] == "check":
        return lambda: answer_from_record("check", quiet) or run_check(quiet, record_asked=True)
    return None


def answer_from_record(command: str, quiet: bool) -> bool:
    """Answer a no-op `build` or a passing `check` from buildtools.build.record's record; False when
    the record is missing or does not prove every stage up to date."""
    from buildtools.build import record as fresh

    started = time.monotonic()
    if command == "build" and not quiet:
        return fresh.report_if_fresh()
    found = fresh.check()
    if found is None:
        return False
    elapsed = time.monotonic() - started
    line = fresh.final_line(elapsed, found[1]) if command == "build" else _check_passed(elapsed)
    print(line, flush=True)
    return True


def _check_passed(seconds: float) -> str:
    return f"check passed: the bundle is up to date ({seconds:.2f} s)"


def _guarded(function: Callable[[], bool]) -> bool:
    """buildtools.handler.guarded, imported only on failure (it imports traceback)."""
    try:
        return function()
    except SystemExit:
        raise
    except BaseException as exc:
        failure = exc
    from buildtools.handler import guarded

    def again() -> bool:
        raise failure

    return guarded(again)


# ---------------------------------------------------------------- the commands, without click


def _config() -> Config:
    from pathlib import Path

    from buildtools.config.load import load_config

    return load_config(Path.cwd())


def _reporter(quiet: bool = False, verbose: bool = False) -> Reporter:
    from buildtools.ui.terminal import Reporter

    return Reporter(quiet=quiet, verbose=verbose)


def _built(quiet: bool) -> bool:
    """Build what is stale in one session: its check pass is the only scan of each tree."""
    run_build(False, quiet)
    return True


def run_build(force: bool = False, quiet: bool = False, verbose: bool = False) -> BuildResult:
    from buildtools.build.pipeline import build, status

    config = _config()
    reporter = _reporter(quiet, verbose)
    if verbose and not force:
        # The no-op build prints no keys; show them from a status pass when nothing runs.
        started = time.monotonic()
        result = status(config)
        if all(stage.up_to_date for stage in result.stages):
            for stage in result.stages:
                reporter.up_to_date(stage.name, stage.detail)
                reporter.key(stage.name, stage.key)
            reporter.final(
                f"build is up to date ({time.monotonic() - started:.2f} s): {result.bundle_dir}"
            )
            return result
    return build(config, force=force, reporter=reporter)


def _without_force(config: Config) -> Config:
    """`force_rebuild` makes every build run, but it does not make a fresh bundle stale."""
    import dataclasses

    if not config.webapp.force_rebuild:
        return config
    return dataclasses.replace(
        config, webapp=dataclasses.replace(config.webapp, force_rebuild=False)
    )


def status_data(config: Config, session: Session | None = None) -> dict[str, Any]:
    """What `status --json` prints. A session that has checked already lends its scans."""
    from buildtools.build.pipeline import status

    result = status(_without_force(config), session=session)
    stages = [
        {
            "name": stage.name,
            "up_to_date": stage.up_to_date,
            "reason": stage.reason,
            "detail": stage.detail,
            "key": stage.key,
        }
        for stage in result.stages
    ]
    would_run = [stage["name"] for stage in stages if not stage["up_to_date"]]
    return {
        "up_to_date": not would_run,
        "config": str(config.path),
        "bundle_dir": str(result.bundle_dir),
        "bundle_exists": result.bundle_dir.is_dir(),
        "force_rebuild": config.webapp.force_rebuild,
        "would_run": would_run,
        "stages": stages,
    }


def run_status(as_json: bool = False, verbose: bool = False) -> None:
    config = _config()
    data = status_data(config)
    if as_json:
        import json

        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    reporter = _reporter(verbose=verbose)
    _print_stages(reporter, data)
    if data["up_to_date"]:
        reporter.final(f"everything is up to date: {data['bundle_dir']}")
    else:
        names = ", ".join(data["would_run"])
        count = len(data["would_run"])
        reporter.final(
            f"{count} stage{'s' if count != 1 else ''} would run ({names}): "
            f"run '{PROG} build'"
        )
    if data["force_rebuild"]:
        reporter.warn("force_rebuild is set: every build runs every stage")


def _print_stages(reporter: Reporter, data: dict[str, Any]) -> None:
    for stage in data["stages"]:
        if stage["up_to_date"]:
            reporter.up_to_date(stage["name"], stage["detail"])
        else:
            reporter.would_run(stage["name"], stage["reason"])
        reporter.key(stage["name"], stage["key"])


def run_check(quiet: bool = False, record_asked: bool = False) -> bool:
    """True when the bundle is up to date; UserError (exit 1) when the config is invalid or
    any stage is stale. Never runs npm. record_asked: the no-op record has just said no."""
    import io

    from buildtools.build.pipeline import Session
    from buildtools.errors import UserError
    from buildtools.ui.terminal import Reporter

    started = time.monotonic()
    config = _config()
    reporter = _reporter(quiet)
    # force_rebuild makes every build run, but it does not make a fresh bundle stale. The
    # check's lines are not printed; it also leaves buildtools.build.record's record for next time.
    session = Session(_without_force(config), reporter=Reporter(out=io.StringIO(), quiet=True))
    if not session.check_up_to_date(use_record=not record_asked):
        data = status_data(config, session)
        if not data["up_to_date"]:
            if not quiet:
                _print_stages(reporter, data)
            raise UserError(
                f"the bundle is stale ({', '.join(data['would_run'])} would run); "
                f"run '{PROG} build'"
            )
    missing = config.missing_task_keys()
    if missing:
        reporter.warn(f"{config.display_name}: [task] is missing {', '.join(missing)}")
    reporter.final(_check_passed(time.monotonic() - started))
    return True


def run_deploy(
    architects: Sequence[str], force: bool = False, quiet: bool = False, verbose: bool = False
) -> dict[str, Path]:
    from buildtools.deploy.run import deploy

    started = time.monotonic()
    config = _config()
    reporter = _reporter(quiet, verbose)
    folders = deploy(config, list(architects) or None, force=force, reporter=reporter)
    listed = ", ".join(f"{name}: {_shown(folder, config.root)}" for name, folder in folders.items())
    reporter.final(f"deployed in {time.monotonic() - started:.1f} s: {listed}")
    return folders


def run_serve(port: int | None, host: str | None) -> None:
    """Deploy the local artifact (a no-op when it is up to date), then serve it."""
    from buildtools.deploy.architects import PUBLIC
    from buildtools.deploy.run import deploy
    from buildtools.deploy.serve import serve

    config = _config()
    folder = deploy(config, ["local"], reporter=_reporter())["local"]
    public = folder / PUBLIC
    local = config.deploy.local
    serve(public if public.is_dir() else folder, host or local.host,
          local.port if port is None else port)


def run_new(
    directory: Path,
    title: str | None,
    description: str | None,
    force: bool,
    ask: Callable[[str, str], str] | None = None,
) -> None:
    """Render the template into `directory`; `ask(question, default)` prompts, when given."""
    from pathlib import Path

    from buildtools.build.template import DEFAULT_TASK
    from buildtools.ui.commands.new import check_destination, new_project

    check_destination(directory, force)
    if ask is not None:
        if title is None:
            title = ask("Task title", str(DEFAULT_TASK["task_title"]))
        if description is None:
            description = ask("Task description", str(DEFAULT_TASK["task_description"]))
    made = new_project(directory, title=title, description=description, force=force)
    shown = _shown(made.root.resolve(), Path.cwd())
    print(f"created {shown}/ ({len(made.written)} files written): "
          f"task {made.task['task_name']!r}, title {made.task['task_title']!r}")
    print("next:")
    print(f"  cd {_shell_quote(shown)}")
    print(f"  {PROG} build        # or: doit build")
    print(f"  {PROG} deploy       # or: doit deploy")


def run_clean(everything: bool, cache_only: bool) -> None:
    from buildtools.ui.commands.clean import clean

    config = _config()
    reporter = _reporter()
    result = clean(config, everything=everything, cache_only=cache_only)
    for what, path in result.removed:
        reporter.info(f"removed {_shown(path, config.root)} ({what})")
    for path, why in result.skipped:
        reporter.warn(f"kept {path}: {why}")
    reporter.final("clean: nothing to remove" if not result.removed else
                   f"clean: removed {len(result.removed)} item"
                   f"{'s' if len(result.removed) != 1 else ''}")


def run_doctor() -> None:
    from pathlib import Path

    from buildtools.errors import UserError
    from buildtools.ui.commands.doctor import healthy, run_checks
    from buildtools.ui.terminal import GREEN, RED, YELLOW, paint, wants_colour

    checks = run_checks(Path.cwd())
    colour = wants_colour(sys.stdout)
    width = max(len(check.name) for check in checks)
    for check in checks:
        code = GREEN if check.ok else (RED if check.required else YELLOW)
        state = paint(f"{check.state:<7}", code, colour)
        print(f"{check.name:<{width}}  {state} {check.detail}")
        if check.hint:
            print(f"{'':<{width}}  {'':<7} hint: {check.hint}")
    failed = [check.name for check in checks if check.required and not check.ok]
    if not healthy(checks):
        raise UserError(f"doctor: not ready to build: {', '.join(failed)}")
    print("doctor: ready to build")


def _shown(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix() or "."
    except ValueError:
        return str(path)


def _shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


# ---------------------------------------------------------------- the click app


def create_app() -> click.Group:
    """The click command group (built on demand: importing click costs ~35 ms)."""
    from pathlib import Path

    import click

    from buildtools import __version__
    from buildtools.config.load import KNOWN_ARCHITECTS
    from buildtools.errors import EXIT_INTERRUPTED, EXIT_USER_ERROR
    from buildtools.handler import guarded

    settings: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

    class Group(click.Group):
        """Usage errors exit 1 (a user error) and Ctrl-C at a prompt exits 130."""

        def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
            with _exit_codes():
                return super().make_context(*args, **kwargs)

        def invoke(self, ctx: click.Context) -> Any:
            with _exit_codes():
                return super().invoke(ctx)

    import contextlib
    from collections.abc import Iterator

    @contextlib.contextmanager
    def _exit_codes() -> Iterator[None]:
        try:
            yield
        except click.UsageError as exc:
            exc.show()
            raise SystemExit(EXIT_USER_ERROR) from None
        except click.Abort:
            sys.stderr.write("\ninterrupted\n")
            raise SystemExit(EXIT_INTERRUPTED) from None

    def example(*lines: str) -> str:
        return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)

    quiet_option = click.option("-q", "--quiet", is_flag=True,
                                help="Show only errors and the final line.")
    verbose_option = click.option("-v", "--verbose", is_flag=True,
                                  help="Also show each stage's key.")

    @click.group(cls=Group, context_settings=settings, invoke_without_command=True,
                 epilog=example("buildtools new my-task --title 'Rate the pictures'",
                                "cd my-task && buildtools build",
                                "buildtools status"))
    @click.version_option(__version__, "-V", "--version", prog_name=PROG,
                          message="%(prog)s %(version)s")
    @click.pass_context
    def app(ctx: click.Context) -> None:
        """Build, check and package the JavaScript webapp of a Python project (a Mephisto task
        frontend, for instance). Configured by buildtools.toml, [tool.buildtools] in
        pyproject.toml, or a Mephisto YAML; the same as `doit build` and `doit deploy`."""
        if ctx.invoked_subcommand is None:
            click.echo(ctx.get_help())

    @app.command(epilog=example("buildtools new my-task",
                                "buildtools new my-task --title 'Rate the pictures' --no-input",
                                "buildtools new . --force"))
    @click.argument("directory", type=click.Path(path_type=Path))
    @click.option("--title", help="The task title (task_title), shown on the page.")
    @click.option("--description", help="The task description (task_description).")
    @click.option("--no-input", is_flag=True, help="Never prompt; use the defaults.")
    @click.option("--force", is_flag=True, help="Write into a folder that is not empty.")
    def new(directory: Path, title: str | None, description: str | None, no_input: bool,
            force: bool) -> None:
        """Create a task project in DIRECTORY from the webapp template: webapp/, assets/,
        buildtools.toml and dodo.py, ready for `buildtools build` with no edit."""
        interactive = not no_input and sys.stdin.isatty()

        def ask(question: str, default: str) -> str:
            return str(click.prompt(question, default=default))

        guarded(lambda: run_new(directory, title, description, force,
                                ask if interactive else None))

    @app.command(epilog=example("buildtools build", "buildtools build -q",
                                "buildtools build --force -v"))
    @click.option("--force", is_flag=True, help="Run every stage, whatever their keys say.")
    @quiet_option
    @verbose_option
    def build(force: bool, quiet: bool, verbose: bool) -> None:
        """Install, build and bundle the webapp into dist/bundle, running only the stages whose
        inputs changed (the same as `doit build`)."""
        guarded(lambda: run_build(force, quiet, verbose))

    @app.command(epilog=example("buildtools deploy", "buildtools deploy local static",
                                "buildtools deploy heroku --force"))
    @click.argument("architects", nargs=-1,
                    type=click.Choice(KNOWN_ARCHITECTS), metavar="[ARCHITECT]...")
    @click.option("--force", is_flag=True, help="Rebuild and repackage everything.")
    @quiet_option
    @verbose_option
    def deploy(architects: tuple[str, ...], force: bool, quiet: bool, verbose: bool) -> None:
        """Build if stale, then package dist/<architect>/ and dist/<architect>.tar.gz for each
        ARCHITECT (default: [deploy] architects); one of local, heroku, ec2, static."""
        guarded(lambda: run_deploy(architects, force, quiet, verbose))

    @app.command(epilog=example("buildtools serve", "buildtools serve --port 8080"))
    @click.option("-p", "--port", type=click.IntRange(0, 65535),
                  help="Port (default: [deploy.local] port).")
    @click.option("--host", help="Address (default: [deploy.local] host).")
    def serve(port: int | None, host: str | None) -> None:
        """Deploy the local artifact if stale, then serve dist/local on this machine until
        Ctrl-C."""
        guarded(lambda: run_serve(port, host))

    @app.command(epilog=example("buildtools status", "buildtools status --json | jq .would_run"))
    @click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
    @verbose_option
    def status(as_json: bool, verbose: bool) -> None:
        """Say for each stage whether it is up to date, or what changed and so what would run
        (files added/changed/removed, lockfile, Node version, env vars by name). Runs
        nothing."""
        guarded(lambda: run_status(as_json, verbose))

    @app.command(epilog=example("buildtools check", "buildtools check || buildtools build"))
    @quiet_option
    def check(quiet: bool) -> None:
        """Exit 1 when the config is invalid or the bundle is stale. Never runs npm; fast
        enough for a pre-commit hook."""
        guarded(lambda: run_check(quiet))

    @app.command(epilog=example("buildtools clean", "buildtools clean --all",
                                "buildtools clean --cache"))
    @click.option("--all", "everything", is_flag=True,
                  help="Also node_modules, the .buildtools state and the build cache.")
    @click.option("--cache", "cache_only", is_flag=True, help="Only the build cache.")
    def clean(everything: bool, cache_only: bool) -> None:
        """Remove the build outputs (dist/ and the webapp's build folder); the next build reruns
        the build but not the install."""
        guarded(lambda: run_clean(everything, cache_only))

    @app.command(epilog=example("buildtools doctor"))
    def doctor() -> None:
        """Check this machine and project: Node and npm (and which provider), the package
        manager, nginx, chromium, the config. Exit 1 when something needed is missing."""
        guarded(run_doctor)

    return app


if __name__ == "__main__":
    main()
