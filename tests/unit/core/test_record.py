"""The no-op record is the trace of what the check read (buildtools.util.reads): the variables
looked up and no other, every path signed, every module of the package."""

from __future__ import annotations

import marshal
import os
from pathlib import Path

import pytest

from buildtools.core import record, walk
from buildtools.core.recorder import Recorder
from buildtools.fingerprint import racy as racy_clock
from buildtools.fingerprint.racy import racy
from buildtools.util.reads import Reads
from support.fake_project import Project


def test_env_digest_covers_the_variables_read_and_no_other() -> None:
    base = {"PATH": "/usr/bin", "HOME": "/root", "VITE_A": "1"}
    read = (["PATH", "NODE_ENV"], ["VITE_"], False)
    digest = record.env_digest(base, read)
    assert record.env_digest({**base, "FOO": "1", "SHLVL": "3"}, read) == digest
    assert record.env_digest({**base, "HOME": "/other"}, read) == digest  # not looked up
    for changed in ({"PATH": "/bin"}, {"PATH": ""}, {"NODE_ENV": "x"}, {"VITE_B": "2"},
                    {"VITE_A": "2"}):
        assert record.env_digest({**base, **changed}, read) != digest, changed
    assert record.env_digest({**base, "FOO": "1"}, ([], [], True)) != \
        record.env_digest(base, ([], [], True))  # the whole environment was enumerated


def test_the_environment_notes_each_lookup_and_each_enumeration() -> None:
    reads = Reads({"PATH": "/bin", "VITE_X": "1", "OTHER": "2"})
    assert reads.env("PATH") == "/bin"
    assert reads.environ.get("UNSET") is None
    assert "HOME" not in reads.environ
    assert reads.env_prefixed(("VITE_",)) == {"VITE_X": "1"}
    assert (reads.names, reads.prefixes, reads.whole_environ) == (
        {"PATH", "UNSET", "HOME"}, {"VITE_"}, False)
    dict(reads.environ)
    assert reads.whole_environ


def test_every_module_of_the_package_is_in_the_record(tmp_path: Path) -> None:
    for name in ("a.py", "notes.txt", "sub/b.py", "sub/deeper/c.py", "__pycache__/a.pyc"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    found = Recorder.__new__(Recorder)
    found.reads = Reads({})
    found._add_modules(str(tmp_path))
    # the folders too: a module added or removed moves its folder's mtime
    assert sorted(os.path.relpath(path, tmp_path) for path in found.reads.paths) == [
        ".", "a.py", "sub", "sub/b.py", "sub/deeper", "sub/deeper/c.py"]


def test_a_signature_is_racy_within_the_clock_step_of_its_filesystem() -> None:
    started = 10_000_000_000_000
    fine, second = racy_clock.FINE_RACY_WINDOW_NS, 1_000_000_000
    assert racy(started - fine // 2 + 1, started - 5 * second + 1, started)
    assert not racy(started - fine - 1, started - fine - 1, started)
    # whole seconds: a filesystem that keeps no finer times; the 2 s window applies
    assert racy(started - second, started - 5 * second + 1, started)
    assert not racy(started - 3 * second, started - 3 * second, started)
    assert racy(started - 3 * second, started, started)  # ctime counts as well


def test_a_damaged_record_proves_nothing(tmp_path: Path) -> None:
    (tmp_path / "buildtools.toml").write_text("")
    state = tmp_path / ".buildtools"
    state.mkdir()
    fields = (record.FORMAT, f"{tmp_path}\0{record.package_dir()}", ([], [], False), "digest",
              "", b"", "", b"", [], "/bundle", [])
    for content in (b"", b"junk", marshal.dumps((5,)), marshal.dumps(tuple(range(11))),
                    marshal.dumps((*fields[:3], 7, *fields[4:])),
                    marshal.dumps((*fields[:2], 3, *fields[3:])),
                    marshal.dumps((*fields[:2], [], *fields[3:]))):
        (state / "fresh.marshal").write_bytes(content)
        assert record.check(str(tmp_path), {"PATH": "/usr/bin"}) is None


def test_an_input_a_stage_starts_reading_is_in_the_record_with_no_other_edit(
        project: Project, monkeypatch: pytest.MonkeyPatch, no_racy_window: None) -> None:
    """A new kind of input: a stage that reads a file no stage read before, a variable and the
    variables of a prefix, all through the check's Reads. The record follows."""
    settings = project.root / "outside" / "settings.txt"
    settings.parent.mkdir()
    settings.write_text("a")

    def reads_new_inputs(state: walk.Walk) -> None:
        reads = state.ctx.reads
        reads.read_text(settings)
        reads.env("MY_NEW_SETTING")
        reads.env_prefixed(("MYAPP_",))

    monkeypatch.setattr(walk, "STEPS", (*walk.STEPS, reads_new_inputs))
    project.build()
    assert project.session().answered_by_record() is True
    settings.write_text("b")
    assert project.session().answered_by_record() is False
    assert project.session().check_up_to_date() is True  # the stages' keys do not hold it
    assert project.session().answered_by_record() is True
    for name, value in (("MY_NEW_SETTING", "1"), ("MYAPP_MODE", "x")):
        project.environ[name] = value
        assert project.session().answered_by_record() is False, name
        assert project.session().check_up_to_date() is True
        assert project.session().answered_by_record() is True
    project.environ["UNRELATED"] = "1"
    assert project.session().answered_by_record() is True
