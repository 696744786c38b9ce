"""The no-op record: keyed on the variables that stage keys read (no other), and on every module."""

from __future__ import annotations

import os
from pathlib import Path

from buildtools import layout
from buildtools.core import record
from buildtools.core.recorder import Recorder


def test_env_digest_reads_only_the_variables_keys_read() -> None:
    base = {"PATH": "/usr/bin", "HOME": "/root"}
    digest = record.env_digest(base)
    assert record.env_digest({**base, "FOO": "1", "SHLVL": "3", "OLDPWD": "/"}) == digest
    for name in ("VITE_X", "REACT_APP_X", "NODE_ENV", *layout.CHECK_ENV_NAMES):
        assert record.env_digest({**base, name: "other"}) != digest, name
        assert record.env_digest({**base, name: ""}) != digest, name  # set but empty
    assert record.env_digest({**base, "MY_API": "x"}, ["MY_API"]) != digest  # build_env
    assert record.env_digest({**base, "MY_API": "x"}) == digest


def test_every_module_of_the_package_is_in_the_record(tmp_path: Path) -> None:
    for name in ("a.py", "notes.txt", "sub/b.py", "sub/deeper/c.py", "__pycache__/a.pyc"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    recorder = Recorder.__new__(Recorder)
    recorder.paths = {}
    recorder._add_modules(str(tmp_path))
    found = sorted(os.path.relpath(path, tmp_path) for path in recorder.paths)
    # the folders too: a module added or removed moves its folder's mtime
    assert found == [".", "a.py", "sub", "sub/b.py", "sub/deeper", "sub/deeper/c.py"]


def test_a_damaged_record_proves_nothing(tmp_path: Path) -> None:
    import marshal

    (tmp_path / "buildtools.toml").write_text("")
    state = tmp_path / ".buildtools"
    state.mkdir()
    fields = (record.FORMAT, f"{tmp_path}\0{record.package_dir()}", [], "digest", "", b"", "",
              b"", [], "/bundle", [])
    for content in (b"", b"junk", marshal.dumps((5,)), marshal.dumps(tuple(range(11))),
                    marshal.dumps((*fields[:3], 7, *fields[4:])),
                    marshal.dumps((*fields[:2], 3, *fields[3:]))):
        (state / "fresh.marshal").write_bytes(content)
        assert record.check(str(tmp_path), {"PATH": "/usr/bin"}) is None
