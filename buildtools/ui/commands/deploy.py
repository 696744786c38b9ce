"""`buildtools deploy`: build if stale, then package each architect's artifact."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from buildtools.deploy.run import deploy
from buildtools.ui.common import config_here
from buildtools.ui.terminal import Reporter
from buildtools.util.paths import shown


class DeployReporter(Reporter):
    """The terminal reporter, where the build's closing line ("build is up to date ...") is one
    line among the others: `deploy -q` prints one final line, deploy's own."""

    def final(self, text: str) -> None:
        self.info(text)

    def conclude(self, text: str) -> None:
        super().final(text)


def run_deploy(
    architects: Sequence[str], force: bool = False, quiet: bool = False, verbose: bool = False
) -> dict[str, Path]:
    started = time.monotonic()
    config = config_here()
    reporter = DeployReporter(quiet=quiet, verbose=verbose)
    folders = deploy(config, list(architects) or None, force=force, reporter=reporter)
    listed = ", ".join(f"{name}: {shown(folder, config.root)}" for name, folder in folders.items())
    reporter.conclude(f"deployed in {time.monotonic() - started:.1f} s: {listed}")
    return folders
