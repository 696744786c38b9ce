"""Stage plans (the verdict and its reason) and the stamps they are checked against."""

from __future__ import annotations

from pathlib import Path

from buildtools.build.freshness import StagePlan, Stamp, StampStore


def test_stage_plan_reasons() -> None:
    inputs = {"install": "k1", "tree": "t1", "env": {"VITE_A": "1"}}
    fresh = StagePlan("build", inputs, None)
    assert not fresh.up_to_date and fresh.reason() == "it has not run here before"
    stamp = Stamp(fresh.key, fresh.stamp_info())
    assert StagePlan("build", dict(inputs), stamp).up_to_date
    assert StagePlan("build", dict(inputs), stamp, force=True).reason() == "a rebuild was forced"
    missing = StagePlan("build", dict(inputs), stamp, missing_output="webapp/dist/")
    assert missing.reason() == "webapp/dist/ is missing"
    changed = StagePlan("build", {**inputs, "install": "k2"}, stamp)
    assert changed.reason() == "the installed packages changed"


def test_stamps_are_atomic_and_clearable(tmp_path: Path) -> None:
    store = StampStore(tmp_path)
    assert store.read("build") is None
    store.write("build", "abc", {"inputs": {"x": 1}})
    assert store.read("build") == Stamp("abc", {"inputs": {"x": 1}})
    assert [p.name for p in (tmp_path / "stamps").iterdir()] == ["build.json"]
    store.path("build").write_text("{not json")
    assert store.read("build") is None  # a damaged stamp means "run again"
    store.clear("build")
    assert not store.path("build").exists()
