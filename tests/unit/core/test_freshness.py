"""Stage plans (the verdict and its reason) and the stamps they are checked against."""

from __future__ import annotations

from pathlib import Path

from buildtools.core.freshness import StagePlan, Stamp, StampStore


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


def test_the_key_is_the_inputs_and_nothing_else() -> None:
    inputs = {"tree": "t1", "env": {"VITE_A": "1"}}
    plan = StagePlan("build", inputs, None)
    assert plan.key == StagePlan("build", dict(inputs), None, force=True).key
    assert plan.key != StagePlan("bundle", inputs, None).key  # the stage is part of it
    assert plan.key != StagePlan("build", {**inputs, "env": {"VITE_A": "2"}}, None).key
    assert plan.key == StagePlan("build", {"env": {"VITE_A": "1"}, "tree": "t1"}, None).key


def test_a_stamp_of_other_inputs_is_stale_whatever_its_info_says() -> None:
    inputs = {"tree": "t1"}
    lying = Stamp("not-the-key", StagePlan("build", inputs, None).stamp_info())
    plan = StagePlan("build", inputs, lying)
    assert not plan.up_to_date
    assert plan.reason() == "its inputs changed"  # the key differs, no input does


def test_each_changed_input_is_named_with_its_label_or_explained() -> None:
    old = {"tree": "t1", "env": {}, "build_command": "build", "custom": 1}
    stamp = Stamp(StagePlan("build", old, None).key, {"inputs": old})
    new = {"tree": "t2", "env": {"VITE_A": "1"}, "build_command": "build", "custom": 2}
    plan = StagePlan("build", new, stamp)
    assert plan.reason() == (
        "the sources changed; a build environment variable changed; custom changed")
    explained = StagePlan("build", new, stamp,
                          explain={"tree": lambda before, after: f"files changed: {after}"})
    assert explained.reason().startswith("files changed: t2; ")


def test_forced_and_missing_output_outrank_a_matching_stamp() -> None:
    inputs = {"tree": "t1"}
    stamp = Stamp(StagePlan("build", inputs, None).key, {"inputs": inputs})
    assert StagePlan("build", inputs, stamp).up_to_date
    forced = StagePlan("build", inputs, stamp, force=True, missing_output="dist/")
    assert (forced.up_to_date, forced.reason()) == (False, "a rebuild was forced")
    missing = StagePlan("build", inputs, stamp, missing_output="webapp/dist/")
    assert (missing.up_to_date, missing.reason()) == (False, "webapp/dist/ is missing")


def test_a_stage_name_with_a_slash_is_one_stamp_file(tmp_path: Path) -> None:
    store = StampStore(tmp_path / ".buildtools")
    store.write("package/heroku", "k")
    assert store.read("package/heroku") == Stamp("k", {})
    assert [p.name for p in store.folder.iterdir()] == ["package_heroku.json"]
