"""doit tasks over the same functions as the CLI.

A project's dodo.py needs one line: `from buildtools.tasks import *`. `doit build` checks every
stage's key first (doit's `uptodate`); when all are up to date it prints so and runs nothing.
`doit build -a` (doit's --always-execute) runs the action although the check said up to date,
which is taken as a forced rebuild.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from buildtools.errors import unwritable
from buildtools.filenames import STATE_DIR_NAME
from buildtools.util.ignored import make_ignored_dir

__all__ = ["DOIT_CONFIG", "task_build", "task_deploy", "task_serve"]

# doit's own database (.doit.db.bak/.dat/.dir by default, in the folder of dodo.py) goes in
# the state folder, which ignores itself: a Mephisto checkout's `git status` stays clean
DOIT_CONFIG: dict[str, Any] = {"default_tasks": ["build"], "verbosity": 2,
                               "dep_file": os.path.join(STATE_DIR_NAME, "doit.db")}


def prepare_state_folder() -> None:
    """The state folder of the dodo.py folder: doit opens its database there before it asks
    any task, and makes no folder for it. One that cannot be written (read-only, full) is one
    error line and exit 1 here, not doit's traceback when it opens its database."""
    from buildtools.handler import guarded

    guarded(_writable_state_folder)


def _writable_state_folder() -> None:
    state = Path.cwd() / STATE_DIR_NAME
    try:
        make_ignored_dir(state)
        with tempfile.TemporaryFile(dir=state):
            pass
    except OSError as exc:
        raise unwritable(state, exc) from None

# The session of this doit run: its up-to-date check and its build action share their scans
_session: dict[str, Any] = {}


def _config() -> Any:
    from buildtools.ui.common import config_here

    return config_here()


def _stages_up_to_date(task: Any, values: Any) -> bool:
    """doit's up-to-date check of `build`. It runs outside the action, where doit would print a
    traceback for any exception and exit 3: a state folder that cannot be written (read-only,
    full) is the same one line and exit 1 here as in the action."""
    from buildtools.handler import guarded

    if (task.options or {}).get("always"):
        return False
    return guarded(_check_stages)


def _check_stages() -> bool:
    import os

    from buildtools.core.record import state_dir_for
    from buildtools.ui.cli import answer_from_record

    # The no-op record first, as `buildtools build` asks it: no config, no pipeline import
    state = state_dir_for(os.getcwd(), os.environ)
    if answer_from_record("build", quiet=False, state_dir=state):
        _session["fresh"] = True
        return True
    from buildtools.core.pipeline import Session
    from buildtools.errors import UserError
    from buildtools.ui.terminal import Reporter

    try:
        session = Session(_config(), reporter=Reporter())
        # force_rebuild: the action runs (and rebuilds) whatever the keys say
        fresh = not session.config.webapp.force_rebuild and session.check_up_to_date(
            use_record=False)
    except UserError:
        fresh = False  # the action reports the error properly
        session = None
    _session.update(build=session, fresh=fresh)
    return fresh


def _build(always: bool) -> None:
    from buildtools.core.pipeline import Session
    from buildtools.handler import guarded
    from buildtools.ui.terminal import Reporter

    # Reaching the action although the check found everything up to date means `doit -a build`.
    force = always or bool(_session.get("fresh"))

    def run() -> None:
        session = _session.get("build") or Session(_config(), reporter=Reporter())
        session.run_stale_stages(force=force)

    guarded(run)


def _deploy(architects: list[str]) -> None:
    from buildtools.deploy.run import deploy
    from buildtools.handler import guarded
    from buildtools.ui.terminal import Reporter

    guarded(lambda: deploy(_config(), architects or None, reporter=Reporter()))


def _serve(port: int) -> None:
    from buildtools.handler import guarded
    from buildtools.ui.commands.serve import run_serve

    guarded(lambda: run_serve(port or None, None))


def task_build() -> dict[str, Any]:
    """Install, build and bundle the webapp into dist/bundle, running only stale stages."""
    return {
        "actions": [(_build,)],
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
