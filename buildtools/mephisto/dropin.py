"""A drop-in for Mephisto's `build_custom_bundle`: change one import line in run_task.py,

    from mephisto.tools.scripts import build_custom_bundle      # before
    from buildtools.mephisto import build_custom_bundle         # after

and the same call returns the same path, built by the buildtools pipeline: npm install only when
its inputs changed (then post_install_script), the build only when a source changed, one lock
per webapp, the same stage lines as `doit build`. Each (webapp, build command) pair keeps its
own state under <custom_src_dir>/.buildtools/mephisto/, so Mephisto's two calls on one webapp
(`build:review`, then `dev`) never make each other stale.

Errors are buildtools.errors.UserError (an Exception, as Mephisto's own are) whose message is
the line the command line would print after "error:".
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from buildtools.config.model import Config
from buildtools.core.events import NullReporter, Reporter
from buildtools.core.freshness import StampStore
from buildtools.core.run import BuildRun, Request, tell
from buildtools.errors import CommandFailed, UserError
from buildtools.filenames import STATE_DIR_NAME
from buildtools.mephisto.install import adopt_install, remember_install
from buildtools.util import atomic

__all__ = ["build_custom_bundle", "mephisto_config", "pair_state_dir"]

WHO = "build_custom_bundle"
# The webapp settings a buildtools.toml of the task folder may give the drop-in; the others
# come from the call, as in Mephisto
_CALL_DECIDES = ("source", "build_command", "output", "post_install_script", "force_rebuild",
                 "template", "extra_build_commands", "page")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def build_custom_bundle(
    custom_src_dir: str | os.PathLike[str],
    force_rebuild: bool | None = None,
    post_install_script: str | None = None,
    webapp_name: str = "webapp",
    build_command: str = "dev",
    *,
    quiet: bool = False,
) -> str:
    """Build `<custom_src_dir>/<webapp_name>` with `npm run <build_command>` when something
    that goes into it changed; return `<custom_src_dir>/<webapp_name>/build/bundle.js`, the
    path Mephisto returns. quiet=True prints nothing but errors."""
    from buildtools.util.lock import project_lock

    returned = os.path.join(custom_src_dir, webapp_name, "build", "bundle.js")
    task_dir = Path(os.path.expanduser(os.fspath(custom_src_dir))).resolve()
    config = mephisto_config(task_dir, webapp_name, build_command, post_install_script or "")
    reporter = _reporter(quiet)
    force = bool(force_rebuild) or config.webapp.force_rebuild
    try:
        with project_lock(config.state_dir.parent, reporter.info):  # one lock per webapp
            if not os.path.exists(returned):
                # Mephisto rebuilds when bundle.js is missing, whatever else says: without its
                # stamp the build runs (clear() would report a failed run; none failed)
                StampStore(config.state_dir).path("build").unlink(missing_ok=True)
            run = BuildRun(Request(config=config, force=force), lambda: reporter)
            answered = run.check()
            if answered is not None and answered.from_record:
                tell(answered, reporter)
            if answered is None:
                started_ns = time.time_ns()
                if not force:
                    adopt_install(run.session, config)
                try:
                    with _last_good_output(config.webapp.source / "build", config.state_dir):
                        run.execute()
                finally:
                    remember_install(config, started_ns)
    except CommandFailed as exc:
        if quiet and exc.tail:  # the output was not shown as it came: show its end now
            sys.stderr.write("\n".join(exc.tail) + "\n")
        raise
    return returned


@contextlib.contextmanager
def _last_good_output(output: Path, state: Path) -> Iterator[None]:
    """Keep a copy of the build folder while a build runs. When the build fails or is
    interrupted, put it back as it was (the build stage does too; this also covers a failure
    after it). When it succeeds, bring back the files it did not write: the build's output
    folder is made afresh, and the other build commands of this webapp (build:review's
    bundle.review.js beside dev's bundle.js) write into the same one."""
    if not output.is_dir():
        yield
        return
    kept = state / "output-before-build"
    shutil.rmtree(kept, ignore_errors=True)
    shutil.copytree(output, kept, symlinks=True)
    try:
        yield
    except BaseException:
        staging = atomic.staging_dir(output)
        shutil.copytree(kept, staging, symlinks=True, dirs_exist_ok=True)
        atomic.replace_dir(staging, output)
        raise
    else:
        for path in sorted(kept.rglob("*")):
            target = output / path.relative_to(kept)
            if (path.is_file() or path.is_symlink()) and not os.path.lexists(target):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(path, target)
    finally:
        shutil.rmtree(kept, ignore_errors=True)


def pair_state_dir(task_dir: Path, webapp_name: str, build_command: str) -> Path:
    """The state folder of one (webapp, build command) pair; its parent holds the webapp's
    lock. A command with characters unsafe in a file name gets a digest of its own, so that
    `build:review` and `build_review` never share a folder."""
    name = _UNSAFE.sub("_", build_command)
    if name != build_command:
        import xxhash

        name = f"{name}-{xxhash.xxh3_64_hexdigest(build_command.encode())[:8]}"
    return task_dir / STATE_DIR_NAME / "mephisto" / _UNSAFE.sub("_", webapp_name) / name


def mephisto_config(
    task_dir: Path,
    webapp_name: str,
    build_command: str,
    post_install_script: str,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """The configuration of one drop-in call: the webapp, command and script of the call, the
    other settings of a buildtools.toml (or [tool.buildtools]) in the task folder if any."""
    from buildtools.config.load import build_config

    environ = os.environ if environ is None else environ
    webapp_dir = task_dir / webapp_name
    if not (webapp_dir / "package.json").is_file():
        raise UserError(
            f"{WHO}: {webapp_dir} has no package.json; custom_src_dir and webapp_name must "
            "name the folder of your webapp"
        )
    _check_script(webapp_dir, build_command)
    script = _script_in_webapp(webapp_dir, post_install_script)
    user, source, path = _user_tables(task_dir)
    webapp = {
        key: value for key, value in dict(user.get("webapp") or {}).items()
        if key not in _CALL_DECIDES
    }
    webapp.update(source=str(webapp_dir), build_command=build_command, output="build",
                  post_install_script=script)
    task = {
        key: value for key, value in dict(user.get("task") or {}).items()
        if key not in ("post_install_script", "force_rebuild")
    }
    task.setdefault("task_name", webapp_name)
    state = pair_state_dir(task_dir, webapp_name, build_command)
    raw: dict[str, Any] = {
        **user,
        "webapp": webapp,
        "task": task,
        # The build cache would put back a whole build/ folder, which the other build
        # commands of this webapp write into too: not for shared output folders
        "cache": {**dict(user.get("cache") or {}), "enabled": False},
        "deploy": {**dict(user.get("deploy") or {}), "out": str(state / "dist")},
    }
    config = build_config(raw, path=path, root=task_dir, source=source, env=environ)
    return dataclasses.replace(config, state_override=state)


def _user_tables(task_dir: Path) -> tuple[dict[str, Any], str, Path]:
    """(tables, the name errors use, the config path) of the task folder's own buildtools
    configuration; none is needed. The path is where buildtools.toml would be when there is
    none: the no-op record then notices one appearing."""
    from buildtools.config.load import _read_toml
    from buildtools.filenames import CONFIG_FILE

    toml = task_dir / CONFIG_FILE
    if toml.is_file():
        return _read_toml(toml), CONFIG_FILE, toml
    pyproject = task_dir / "pyproject.toml"
    if pyproject.is_file():
        tool = _read_toml(pyproject).get("tool")
        tables = tool.get("buildtools") if isinstance(tool, dict) else None
        if isinstance(tables, dict):
            return tables, "pyproject.toml [tool.buildtools]", pyproject
    return {}, WHO, toml


def _check_script(webapp_dir: Path, build_command: str) -> None:
    from buildtools.node.packagemanager import read_package_json

    scripts = read_package_json(webapp_dir).get("scripts") or {}
    if not isinstance(scripts, dict) or build_command not in scripts:
        defined = ", ".join(sorted(scripts)) if isinstance(scripts, dict) and scripts else "none"
        raise UserError(
            f"{WHO}: build_command: {webapp_dir.name}/package.json defines no script "
            f"'{build_command}'; it defines: {defined}"
        )


def _script_in_webapp(webapp_dir: Path, script: str) -> str:
    """post_install_script as Mephisto runs it (`bash <script>` in the webapp folder), as a
    path relative to the webapp."""
    if not script:
        return ""
    path = Path(os.path.normpath(webapp_dir / os.path.expanduser(script)))
    if not path.is_relative_to(webapp_dir):
        raise UserError(
            f"{WHO}: post_install_script '{script}' lies outside {webapp_dir}; put it in the "
            "webapp folder (it runs there, after each npm install)"
        )
    if not path.is_file():
        raise UserError(
            f"{WHO}: post_install_script '{script}' not found in {webapp_dir}; it runs with "
            "bash in the webapp folder after each npm install"
        )
    return path.relative_to(webapp_dir).as_posix()


def _reporter(quiet: bool) -> Reporter:
    if quiet:
        return _ErrorsOnly()
    from buildtools.ui.terminal import Reporter as TerminalReporter

    return TerminalReporter()


class _ErrorsOnly(NullReporter):
    """quiet=True: warnings still reach stderr; nothing else is said."""

    def warn(self, text: str) -> None:
        sys.stderr.write(f"warning: {text}\n")
        sys.stderr.flush()
