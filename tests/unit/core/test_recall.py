"""Recall points (buildtools.core.recall) over a project whose npm is fake: going back to
sources built before puts back that build's output, bundle and stamps without the pipeline,
and the full check agrees with the result; anything the point cannot vouch for leaves the
answer to the pipeline, with nothing changed."""

from __future__ import annotations

import fcntl
import marshal
from collections.abc import Iterator
from pathlib import Path

import pytest

from buildtools.core import record
from buildtools.core.recall import keep, points, restore
from buildtools.core.recall.answer import Recalled, recall
from buildtools.core.run import BuildRun, Request
from buildtools.fingerprint import racy as racy_clock
from buildtools.testing.fake_npm import Writes
from support.fake_project import Project


def builds(text: str) -> Writes:
    return Writes({"dist/index.html": f"<p>{text}</p>", "dist/app.js": f"run('{text}')"})


@pytest.fixture
def two_builds(project: Project, no_racy_window: None,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    """Sources A built, then sources B: a recall point for each; B's output in place."""
    monkeypatch.chdir(project.root.parent)
    project.root.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(project.root)
    for text in ("A", "B"):
        project.write("src/main.js", f"say('{text}')\n")
        project.npm.scripts["build"] = builds(text)
        assert "build" in project.build().ran
    yield project


def state(project: Project) -> str:
    return str(project.root / ".buildtools")


def recalled(project: Project, *, may_restore: bool = True) -> Recalled | None:
    return recall(state(project), str(project.root), project.environ, may_restore=may_restore)


def test_back_to_sources_built_before_puts_that_build_back(two_builds: Project) -> None:
    project = two_builds
    assert len(points.newest_first(state(project))) == 2
    stamps_of_b = (project.root / ".buildtools/stamps/build.json").read_bytes()
    project.write("src/main.js", "say('A')\n")
    project.npm.calls.clear()
    found = recalled(project)
    assert found is not None and found.notes == [
        ("build", "restored from cache: webapp/dist/"), ("bundle", "restored from cache")]
    assert [stage for stage, _ in found.lines] == ["node"]
    assert project.npm.ran() == []
    assert project.files(project.bundle)["index.html"] == "<p>A</p>"
    assert project.files(project.webapp / "dist")["app.js"] == "run('A')"
    assert (project.root / ".buildtools/stamps/build.json").read_bytes() != stamps_of_b
    # the full check agrees: every stage is up to date, and nothing runs
    assert all(stage.up_to_date for stage in project.status().values())
    assert project.build().ran == [] and project.npm.ran() == []


def test_the_next_run_answers_without_putting_anything_back(two_builds: Project) -> None:
    project = two_builds
    project.write("src/main.js", "say('A')\n")
    assert recalled(project) is not None
    again = recalled(project)
    assert again is not None and again.notes == [] and again.lines[-1][0] == "bundle"
    checked = record.check(str(project.root), project.environ, state(project))
    assert checked is not None  # and the record written then answers after it


def test_a_file_within_the_racy_window_is_hashed_again_by_the_next_run(
        two_builds: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project = two_builds
    project.write("src/main.js", "say('A')\n")
    monkeypatch.setattr(racy_clock, "FINE_RACY_WINDOW_NS", 60_000_000_000)
    assert recalled(project) is not None
    again = recalled(project)  # main.js and the stamps are hashed again: the same bytes
    assert again is not None and again.notes == []
    # still too recent for a signature to vouch for them: the record does not answer
    assert record.check(str(project.root), project.environ, state(project)) is None
    project.write("src/main.js", "say('C')\n")  # then edited: no point holds
    assert recalled(project) is None


def test_a_stamp_that_holds_another_key_is_put_back(two_builds: Project) -> None:
    project = two_builds
    stamp = project.root / ".buildtools" / "stamps" / "build.json"
    kept = stamp.read_bytes()
    stamp.write_text(stamp.read_text().replace('"key": "', '"key": "0', 1))
    found = recalled(project)  # the sources are B's: B's point, with B's stamp
    assert found is not None and found.notes != []
    assert stamp.read_bytes() == kept
    assert all(stage.up_to_date for stage in project.status().values())


def test_sources_never_built_match_no_point(two_builds: Project) -> None:
    project = two_builds
    project.write("src/main.js", "say('C')\n")
    assert recalled(project) is None
    assert project.files(project.bundle)["index.html"] == "<p>B</p>"


def test_a_new_source_file_matches_no_point(two_builds: Project) -> None:
    project = two_builds
    project.write("src/main.js", "say('A')\n")
    project.write("src/extra.js", "")
    assert recalled(project) is None


def test_another_environment_matches_no_point(two_builds: Project) -> None:
    project = two_builds
    project.write("src/main.js", "say('A')\n")
    project.environ["VITE_GREETING"] = "hi"
    assert recalled(project) is None


def test_a_check_puts_nothing_back_and_finds_the_build_stale(two_builds: Project) -> None:
    project = two_builds
    project.write("src/main.js", "say('A')\n")
    found = recalled(project, may_restore=False)
    assert found is not None and found.pending and found.notes == []
    made: list[str] = []
    run = BuildRun(Request(cwd=str(project.root), environ=project.environ,
                           config=project.config(), runner=project.npm),
                   lambda: made.append("reporter") or project.events)  # type: ignore[func-returns-value]
    assert run.check() is None  # stale, said without a session (doit's up-to-date check)
    assert made == [] and project.files(project.bundle)["index.html"] == "<p>B</p>"
    built = run.execute()  # doit's action: the point is put back
    assert built.restored and project.files(project.bundle)["index.html"] == "<p>A</p>"
    assert ("note", "build", "restored from cache: webapp/dist/") in project.events.heard


def test_an_entry_that_changed_in_the_cache_is_not_put_back(two_builds: Project) -> None:
    project = two_builds
    for path in (project.root / "cache").rglob("output/app.js"):
        if path.read_text() == "run('A')":
            path.write_text("run('tampered')")
    project.write("src/main.js", "say('A')\n")
    assert recalled(project) is None
    assert project.files(project.webapp / "dist")["app.js"] == "run('B')"
    assert project.files(project.bundle)["index.html"] == "<p>B</p>"
    assert not list(project.webapp.glob(".dist.tmp-*"))  # the staging folder is gone
    assert project.stamps() >= {"build", "bundle"}  # and the stamps are as they were


def test_a_restore_cut_short_leaves_its_stages_to_run(
        two_builds: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project = two_builds
    swapped: list[str] = []
    real_swap = restore._swap

    def fails_second(staging: str, final: str) -> None:
        if swapped:
            raise OSError(28, "No space left on device", final)
        swapped.append(final)
        real_swap(staging, final)

    monkeypatch.setattr(restore, "_swap", fails_second)
    project.write("src/main.js", "say('A')\n")
    assert recalled(project) is None
    assert "build" not in project.stamps() and "bundle" not in project.stamps()
    monkeypatch.setattr(restore, "_swap", real_swap)
    assert project.build().ran == ["bundle (restored from cache)"]  # the pipeline's restore
    assert project.files(project.bundle)["index.html"] == "<p>A</p>"
    assert project.npm.ran() == []


def test_a_run_holding_the_lock_leaves_it_to_the_pipeline(two_builds: Project) -> None:
    project = two_builds
    project.write("src/main.js", "say('A')\n")
    with open(project.root / ".buildtools" / "lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert recalled(project) is None
    assert project.files(project.bundle)["index.html"] == "<p>B</p>"


def test_a_damaged_point_proves_nothing(two_builds: Project) -> None:
    project = two_builds
    for path in points.newest_first(state(project)):
        Path(path).write_bytes(marshal.dumps((points.FORMAT, "damaged", {}, {}, [], {}, [],
                                              "", ([], []))))
    project.write("src/main.js", "say('A')\n")
    assert recalled(project) is None


def test_the_oldest_points_are_dropped(project: Project, no_racy_window: None) -> None:
    folder = Path(points.folder(state(project)))
    folder.mkdir(parents=True)
    for index in range(points.KEPT + 3):
        points.save(str(folder / f"{index}.marshal"), (points.FORMAT,))
    points.drop_beyond(state(project))
    assert len(points.newest_first(state(project))) == points.KEPT


def test_no_point_for_a_project_with_more_files_than_it_saves(
        two_builds: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project = two_builds
    monkeypatch.setattr(keep, "MOST_FILES", 2)  # the project has more: its sources, its lockfile
    project.write("src/main.js", "say('C')\n")
    project.npm.scripts["build"] = builds("C")
    assert "build" in project.build().ran
    assert points.newest_first(state(project)) == []  # and those kept before are gone
    project.write("src/main.js", "say('A')\n")
    assert recalled(project) is None
