"""doit tasks over the same functions as the CLI: `build` is buildtools.core.run's one way, its
check as doit's `uptodate` and its build as the action.

A project's dodo.py needs one line: `from buildtools.tasks import *`. `doit build` checks every
stage's key first (doit's `uptodate`); when all are up to date it prints so and runs nothing.
`doit build -a` (doit's --always-execute) runs the action although the check said up to date,
which is taken as a forced rebuild.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from buildtools.core.run import BuildRun, Request, tell
from buildtools.errors import UserError, unwritable
from buildtools.filenames import STATE_DIR_NAME
from buildtools.handler import guarded
from buildtools.ui.lines import QuickLines
from buildtools.util.ignored import make_ignored_dir

if TYPE_CHECKING:
    from buildtools.core.events import Reporter

__all__ = ["DOIT_CONFIG", "task_build", "task_deploy", "task_serve"]

# doit's own database (.doit.db.bak/.dat/.dir by default, in the folder of dodo.py) goes in
# the state folder, which ignores itself: a Mephisto checkout's `git status` stays clean
DOIT_CONFIG: dict[str, Any] = {"default_tasks": ["build"], "verbosity": 2,
                               "dep_file": os.path.join(STATE_DIR_NAME, "doit.db")}


def prepare_state_folder() -> None:
    """The state folder of the dodo.py folder: doit opens its database there before it asks
    any task, and makes no folder for it. One that cannot be written (read-only, full) is one
    error line and exit 1 here, not doit's traceback when it opens its database."""
    guarded(_writable_state_folder)


def _writable_state_folder() -> None:
    state = Path.cwd() / STATE_DIR_NAME
    try:
        make_ignored_dir(state)
        with tempfile.TemporaryFile(dir=state):
            pass
    except OSError as exc:
        raise unwritable(state, exc) from None


# The run of this doit command: its up-to-date check and its build action share one session
# (and so their scans); "fresh" is what the check found
_this_run: dict[str, Any] = {}


def _stages_up_to_date(task: Any, values: Any) -> bool:
    """doit's up-to-date check of `build`. It runs outside the action, where doit would print a
    traceback for any exception and exit 3: a state folder that cannot be written (read-only,
    full) is the same one line and exit 1 here as in the action."""
    if (task.options or {}).get("always"):
        return False
    return guarded(_check_stages)


def _check_stages() -> bool:
    """The no-op record first, as `buildtools build` asks it (no config, no pipeline import);
    then the session's check. A config error is left to the action, which reports it."""
    run = BuildRun(Request(), _terminal)
    _this_run.update(run=run, fresh=False)
    try:
        answered = run.check()
    except UserError:
        return False
    if answered is not None and answered.from_record:
        tell(answered, QuickLines())
    _this_run["fresh"] = answered is not None
    return answered is not None


def _build_action(always: bool) -> None:
    # Reaching the action although the check found everything up to date means `doit -a build`.
    force = always or bool(_this_run.get("fresh"))
    run = _this_run.get("run") or BuildRun(Request(), _terminal)
    guarded(lambda: run.execute(force))


def _terminal() -> Reporter:
    """The terminal reporter, loaded when a session opens: a no-op answered by the record needs
    none (doit loads dodo.py for every doit command; the module costs 5-17 ms at load 7)."""
    from buildtools.ui.terminal import Reporter as TerminalReporter

    return TerminalReporter()


def _deploy(architects: list[str]) -> None:
    from buildtools.deploy.run import deploy
    from buildtools.ui.common import config_here

    guarded(lambda: deploy(config_here(), architects or None, reporter=_terminal()))


def _serve(port: int) -> None:
    from buildtools.ui.commands.serve import run_serve

    guarded(lambda: run_serve(port or None, None))


def task_build() -> dict[str, Any]:
    """Install, build and bundle the webapp into dist/bundle, running only stale stages."""
    return {
        "actions": [(_build_action,)],
        "uptodate": [_stages_up_to_date],
        "params": [{"name": "always", "short": "a", "long": "always-execute", "type": bool,
                    "default": False, "help": "run every stage (a forced rebuild)"}],
        "verbosity": 2,
    }


def task_deploy() -> dict[str, Any]:
    """Build if stale, then package dist/<architect>/ and .tar.gz per [deploy] architects."""
    return {
        "actions": [(_deploy,)],
        "pos_arg": "architects",
        "uptodate": [False],
        "verbosity": 2,
    }


def task_serve() -> dict[str, Any]:
    """Serve dist/local on [deploy.local] host:port until stopped (Ctrl-C)."""
    return {
        "actions": [(_serve,)],
        "params": [{"name": "port", "short": "p", "type": int, "default": 0,
                    "help": "port (default: [deploy.local] port)"}],
        "uptodate": [False],
        "verbosity": 2,
    }
