"""A stage that started and did not finish reads back as a stamp that matches no key."""

from __future__ import annotations

from pathlib import Path

from buildtools.core.freshness import StagePlan, StampStore


def test_cleared_stage_reads_as_failed_until_written(tmp_path: Path) -> None:
    stamps = StampStore(tmp_path / ".buildtools")
    assert stamps.read("build") is None
    plan = StagePlan(name="build", inputs={"tree": "a"}, stamp=None)
    assert plan.reason() == "it has not run here before"

    stamps.clear("build")
    failed = StagePlan(name="build", inputs={"tree": "a"}, stamp=stamps.read("build"))
    assert not failed.up_to_date
    assert failed.reason() == "its last run failed or was interrupted"

    stamps.write("build", plan.key, plan.stamp_info())
    done = StagePlan(name="build", inputs={"tree": "a"}, stamp=stamps.read("build"))
    assert done.up_to_date
    assert not stamps.running_marker("build").exists()
