"""`buildtools status`: each stage's verdict and, when stale, why; runs nothing."""

from __future__ import annotations

import json
import sys
from typing import Any

from buildtools.config.load import Config
from buildtools.core import pipeline
from buildtools.core.discovered_inputs import untraced_notice
from buildtools.core.events import Reporter
from buildtools.core.pipeline import Session
from buildtools.ui.common import PROG, config_here, terminal_reporter


def status_data(config: Config, session: Session | None = None) -> dict[str, Any]:
    """What `status --json` prints. A session that has checked already lends its scans."""
    result = pipeline.status(config, session=session)
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
        "untraced": untraced_notice(config),
    }


def run_status(as_json: bool = False, verbose: bool = False) -> None:
    config = config_here()
    data = status_data(config)
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    reporter = terminal_reporter(verbose=verbose)
    print_stages(reporter, data)
    if data["up_to_date"]:
        reporter.final(f"everything is up to date: {data['bundle_dir']}")
    else:
        names = ", ".join(data["would_run"])
        count = len(data["would_run"])
        reporter.final(
            f"{count} stage{'s' if count != 1 else ''} would run ({names}): "
            f"run '{PROG} build'"
        )
    if data["untraced"]:
        reporter.warn(data["untraced"])
    if data["force_rebuild"]:
        reporter.warn("force_rebuild is set: every build runs every stage")


def print_stages(reporter: Reporter, data: dict[str, Any]) -> None:
    for stage in data["stages"]:
        if stage["up_to_date"]:
            reporter.up_to_date(stage["name"], stage["detail"])
        else:
            reporter.would_run(stage["name"], stage["reason"])
        reporter.key(stage["name"], stage["key"])
