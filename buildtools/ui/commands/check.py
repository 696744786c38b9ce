"""`buildtools check`: exit 1 when the bundle is stale; never runs npm (for pre-commit)."""

from __future__ import annotations

import time

from buildtools.core.pipeline import Session
from buildtools.core.record import check_passed
from buildtools.errors import UserError
from buildtools.ui.commands.status import print_stages, status_data
from buildtools.ui.common import PROG, config_here, terminal_reporter


def run_check(quiet: bool = False, record_asked: bool = False) -> bool:
    """True when the bundle is up to date; UserError (exit 1) when the config is invalid or
    any stage is stale. Never runs npm. record_asked: the no-op record has just said no.

    The verdict is the one status pass: its reasons are printed when it finds a stale stage,
    and it leaves the no-op record for next time when it finds none."""
    started = time.monotonic()
    config = config_here()
    reporter = terminal_reporter(quiet)
    session = Session(config)  # its own lines are not printed: check prints the verdict
    if record_asked or not session.answered_by_record():
        data = status_data(config, session)
        if not data["up_to_date"]:
            if not quiet:
                print_stages(reporter, data)
            raise UserError(
                f"the bundle is stale ({', '.join(data['would_run'])} would run); "
                f"run '{PROG} build'"
            )
    missing = config.missing_task_keys()
    if missing:
        reporter.warn(f"{config.display_name}: [task] is missing {', '.join(missing)}")
    reporter.final(check_passed(time.monotonic() - started))
    return True
