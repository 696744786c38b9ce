"""`buildtools build`: run the stale stages (the same as `doit build`)."""

from __future__ import annotations

import time

from buildtools.core import pipeline
from buildtools.core.pipeline import BuildResult
from buildtools.ui.common import config_here, terminal_reporter


def run_build(force: bool = False, quiet: bool = False, verbose: bool = False) -> BuildResult:
    config = config_here()
    reporter = terminal_reporter(quiet, verbose)
    if verbose and not force:
        # The no-op build prints no keys; show them from a status pass when nothing runs.
        started = time.monotonic()
        result = pipeline.status(config)
        if all(stage.up_to_date for stage in result.stages):
            for stage in result.stages:
                reporter.up_to_date(stage.name, stage.detail)
                reporter.key(stage.name, stage.key)
            reporter.final(
                f"build is up to date ({time.monotonic() - started:.2f} s): {result.bundle_dir}"
            )
            return result
    return pipeline.run_stale_stages(config, force=force, reporter=reporter)
