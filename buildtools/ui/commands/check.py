"""`buildtools check`: exit 1 when the bundle is stale; never runs npm (for pre-commit)."""

from __future__ import annotations

import os
import re
import shlex
import time
from pathlib import Path

from buildtools.core.run import BuildRun, Request
from buildtools.errors import UserError
from buildtools.ui.commands.status import print_stages, status_data
from buildtools.ui.common import PROG, terminal_reporter


def set_aside_by_pre_commit(root: Path) -> list[str]:
    """The files under `root` whose unstaged edits pre-commit set aside while its hooks run:
    it writes them as a patch named patch<time>-<its pid> in its store and runs each hook as
    its child, from the top of the repository. [] outside a hook."""
    if os.environ.get("PRE_COMMIT") != "1":
        return []
    store = os.environ.get("PRE_COMMIT_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "pre-commit")
    patches = sorted(Path(store).glob(f"patch*-{os.getppid()}"), key=_modified)
    if not patches:
        return []
    try:
        text = patches[-1].read_text("utf-8", errors="replace")
    except OSError:
        return []
    here = Path.cwd().resolve()
    found = []
    for name in re.findall(r"^diff --git a/(.+?) b/", text, flags=re.MULTILINE):
        if (here / name).resolve().is_relative_to(root.resolve()) and name not in found:
            found.append(name)
    return found


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def run_check(quiet: bool = False, run: BuildRun | None = None) -> bool:
    """True when the bundle is up to date; UserError (exit 1) when the config is invalid or
    any stage is stale. Never runs npm. `run`: the CLI's fast path, whose record has just said
    no.

    The verdict is the record's, else the one status pass: its reasons are printed when it
    finds a stale stage, and it leaves the no-op record for next time when it finds none."""
    started = time.monotonic()
    reporter = terminal_reporter(quiet)
    if run is None:
        run = BuildRun(Request(), lambda: reporter)
    config = run.session.config  # its lines are not printed: check prints the verdict
    if run.answer_from_record() is None:
        data = status_data(config, run.session)
        if not data["up_to_date"]:
            if not quiet:
                print_stages(reporter, data)
            stages = ", ".join(data["would_run"])
            aside = set_aside_by_pre_commit(config.root)
            if aside:
                named = " ".join(shlex.quote(name) for name in aside)
                raise UserError(
                    f"the bundle is stale for what this commit holds ({stages} would run): "
                    f"pre-commit set aside your unstaged edits of {named}, which the last "
                    f"build may have included; stage them (git add {named}), or build what "
                    f"you commit: git stash push --keep-index && {PROG} build && git stash pop"
                )
            raise UserError(f"the bundle is stale ({stages} would run); run '{PROG} build'")
    missing = config.missing_task_keys()
    if missing:
        reporter.warn(f"{config.display_name}: [task] is missing {', '.join(missing)}")
    reporter.check_passed(time.monotonic() - started)
    return True
