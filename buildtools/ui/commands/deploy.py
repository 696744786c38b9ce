"""`buildtools deploy`: build if stale, then package each architect's artifact."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from buildtools.ui.common import config_here, terminal_reporter
from buildtools.util.paths import shown


def run_deploy(
    architects: Sequence[str], force: bool = False, quiet: bool = False, verbose: bool = False
) -> dict[str, Path]:
    from buildtools.deploy.run import deploy

    started = time.monotonic()
    config = config_here()
    reporter = terminal_reporter(quiet, verbose)
    folders = deploy(config, list(architects) or None, force=force, reporter=reporter)
    listed = ", ".join(f"{name}: {shown(folder, config.root)}" for name, folder in folders.items())
    reporter.final(f"deployed in {time.monotonic() - started:.1f} s: {listed}")
    return folders
