"""The click app of the `buildtools` command: options, help texts, examples and exit codes.
Imported on demand (click and the commands cost ~35 ms and more): `buildtools build` and `check`
answer from the no-op record without it (buildtools.ui.cli)."""

from __future__ import annotations

import contextlib
import difflib
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from buildtools import __version__
from buildtools.config.load import KNOWN_ARCHITECTS
from buildtools.errors import EXIT_INTERRUPTED, EXIT_USER_ERROR
from buildtools.handler import guarded
from buildtools.ui.commands import assets as assets_command
from buildtools.ui.commands import build as build_command
from buildtools.ui.commands import check as check_command
from buildtools.ui.commands import clean as clean_command
from buildtools.ui.commands import deploy as deploy_command
from buildtools.ui.commands import doctor as doctor_command
from buildtools.ui.commands import new as new_command
from buildtools.ui.commands import preview as preview_command
from buildtools.ui.commands import serve as serve_command
from buildtools.ui.commands import status as status_command
from buildtools.ui.common import PROG


def usage_error_line(exc: click.UsageError) -> str:
    """A click usage error as the one line every other user error is: what is wrong, and where
    the command's help is (click's own form takes four lines and says `Error:`)."""
    message = " ".join(line.strip() for line in exc.format_message().splitlines()
                       if line.strip()).rstrip(".")
    command = exc.ctx.command_path if exc.ctx is not None else PROG
    return f"{command}: {message} (see '{command} --help')"


def architect_choice(known: Sequence[str]) -> click.Choice[str]:
    """click.Choice (so architect names still complete) whose error names the closest
    architect, in the words of `doit deploy`."""

    class ArchitectChoice(click.Choice):  # type: ignore[type-arg]
        def convert(self, value: Any, param: click.Parameter | None,
                    ctx: click.Context | None) -> Any:
            try:
                return super().convert(value, param, ctx)
            except click.BadParameter:
                close = difflib.get_close_matches(str(value), known, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                raise click.UsageError(
                    f"unknown architect '{value}'; known architects: {', '.join(known)}{hint}",
                    ctx) from None

    return ArchitectChoice(known)


@contextlib.contextmanager
def _exit_codes() -> Iterator[None]:
    try:
        yield
    except click.UsageError as exc:
        sys.stderr.write(f"error: {usage_error_line(exc)}\n")
        raise SystemExit(EXIT_USER_ERROR) from None
    except click.Abort:
        sys.stderr.write("\ninterrupted\n")
        raise SystemExit(EXIT_INTERRUPTED) from None


def create_app() -> click.Group:
    """The click command group. Each command calls its module's function at run time (a test
    may replace it)."""
    settings: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

    class Group(click.Group):
        """Usage errors exit 1 (a user error) and Ctrl-C at a prompt exits 130."""

        def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
            with _exit_codes():
                return super().make_context(*args, **kwargs)

        def invoke(self, ctx: click.Context) -> Any:
            with _exit_codes():
                return super().invoke(ctx)

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

        guarded(lambda: new_command.run_new(directory, title, description, force,
                                ask if interactive else None))

    @app.command("build", epilog=example("buildtools build", "buildtools build -q",
                                         "buildtools build --force -v"))
    @click.option("--force", is_flag=True, help="Run every stage, whatever their keys say.")
    @quiet_option
    @verbose_option
    def build_stale(force: bool, quiet: bool, verbose: bool) -> None:
        """Install, build and bundle the webapp into dist/bundle, running only the stages whose
        inputs changed (the same as `doit build`)."""
        guarded(lambda: build_command.build_here(force, quiet, verbose))

    @app.command(epilog=example("buildtools deploy", "buildtools deploy local static",
                                "buildtools deploy heroku --force"))
    @click.argument("architects", nargs=-1,
                    type=architect_choice(KNOWN_ARCHITECTS), metavar="[ARCHITECT]...")
    @click.option("--force", is_flag=True, help="Rebuild and repackage everything.")
    @quiet_option
    @verbose_option
    def deploy(architects: tuple[str, ...], force: bool, quiet: bool, verbose: bool) -> None:
        """Build if stale, then package dist/<architect>/ and dist/<architect>.tar.gz for each
        ARCHITECT (default: [deploy] architects); one of local, heroku, ec2, static."""
        guarded(lambda: deploy_command.run_deploy(architects, force, quiet, verbose))

    @app.command(epilog=example("buildtools serve", "buildtools serve --port 8080"))
    @click.option("-p", "--port", type=click.IntRange(0, 65535),
                  help="Port (default: [deploy.local] port).")
    @click.option("--host", help="Address (default: [deploy.local] host).")
    def serve(port: int | None, host: str | None) -> None:
        """Deploy the local artifact if stale, then serve dist/local on this machine until
        Ctrl-C."""
        guarded(lambda: serve_command.run_serve(port, host))

    @app.command(epilog=example("buildtools preview --data units.jsonl",
                                "buildtools preview --watch",
                                "buildtools preview --port 0 --submissions answers.jsonl"))
    @click.option("--data", type=click.Path(path_type=Path, dir_okay=False),
                  help="Task data: a JSON list, JSON Lines or CSV file, one unit each "
                       "(default: sample_data.json beside the configuration).")
    @click.option("--submissions", type=click.Path(path_type=Path, dir_okay=False),
                  help="Append each submission here as a JSON line (default: "
                       ".buildtools/preview-submissions.jsonl).")
    @click.option("-p", "--port", type=click.IntRange(0, 65535), default=3000, show_default=True,
                  help="Port on 127.0.0.1 (0: any free port).")
    @click.option("--watch", is_flag=True,
                  help="Rebuild on a save and reload the open pages.")
    def preview(data: Path | None, submissions: Path | None, port: int, watch: bool) -> None:
        """Build the task, then serve it as Mephisto's router serves a static task: the page,
        task_config.json, a unit of --data for each worker and assignment in the URL
        (?worker_id=...&assignment_id=...), and each submission to a file, until Ctrl-C."""
        guarded(lambda: preview_command.run_preview(data, submissions, port, watch))

    @app.command(epilog=example("buildtools status", "buildtools status --json | jq .would_run"))
    @click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
    @verbose_option
    def status(as_json: bool, verbose: bool) -> None:
        """Say for each stage whether it is up to date, or what changed and so what would run
        (files added/changed/removed, lockfile, Node version, env vars by name). Runs
        nothing."""
        guarded(lambda: status_command.run_status(as_json, verbose))

    @app.command(epilog=example("buildtools check", "buildtools check || buildtools build"))
    @quiet_option
    def check(quiet: bool) -> None:
        """Exit 1 when the config is invalid or the bundle is stale. Never runs npm; fast
        enough for a pre-commit hook."""
        guarded(lambda: check_command.run_check(quiet))

    @app.command(epilog=example("buildtools clean", "buildtools clean --all",
                                "buildtools clean --cache"))
    @click.option("--all", "everything", is_flag=True,
                  help="Also node_modules, the .buildtools state and this project's "
                  "entries of the build cache.")
    @click.option("--cache", "cache_only", is_flag=True,
                  help="Only the build cache: all of it, every project's.")
    def clean(everything: bool, cache_only: bool) -> None:
        """Remove the build outputs (dist/ and the webapp's build folder); the next build reruns
        the build but not the install."""
        guarded(lambda: clean_command.run_clean(everything, cache_only))

    @app.command(epilog=example("buildtools assets", "buildtools assets --json"))
    @click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
    def assets(as_json: bool) -> None:
        """The task assets (extra_source_dir): count, size, largest files, size per architect
        against its limit, what embedding would add per unit, what the [assets] access mode
        exposes, and a recommendation."""
        guarded(lambda: assets_command.run_assets(as_json))

    @app.command(epilog=example("buildtools doctor"))
    def doctor() -> None:
        """Check this machine and project: Node and npm (and which provider), the package
        manager, nginx, chromium, the config. Exit 1 when something needed is missing."""
        guarded(doctor_command.run_doctor)

    return app
