"""The build's discovered inputs: what it read outside the tree scan, hashed whatever
.gitignore says and wherever it lies, RACY when it changed after the build started; and the
one notice when reads outside the webapp are not tracked."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from buildtools.config.load import load_config
from buildtools.config.model import Config
from buildtools.core import discovered_inputs as discovered
from buildtools.core.discovered_inputs import ABSENT, RACY, UNTRACED, Traced, recorded
from buildtools.core.freshness import StampStore
from buildtools.fingerprint.manifest import Manifest
from buildtools.fingerprint.trace import Trace
from buildtools.ui.commands.doctor import MISSING, OK, inputs_check

TOML = """\
[webapp]
source = "webapp"
output = "dist"
[task]
task_title = "T"
task_description = "D"
task_reward = 1
task_tags = "x"
"""


def project(tmp_path: Path) -> Config:
    (tmp_path / "webapp" / "src").mkdir(parents=True)
    (tmp_path / "webapp" / "package.json").write_text("{}")
    (tmp_path / "shared").mkdir()
    (tmp_path / "buildtools.toml").write_text(TOML)
    return load_config(tmp_path, {})


def test_what_the_build_read_outside_the_tree_is_kept_with_the_listing_of_its_folder(
        tmp_path: Path) -> None:
    config = project(tmp_path)
    files = {"shared/util.js": "a", "webapp/.env.local": "b", "webapp/src/app.js": "c",
             "webapp/node_modules/react/index.js": "d", "webapp/dist/index.html": "e",
             "shared/later.js": "f"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    time.sleep(0.1)  # beyond the clock's slack: the build starts after these were written
    traced = Traced(config, "dist", None, time.time_ns(), str(tmp_path / "webapp"),
                    discovered._listing_hash(str(tmp_path / "webapp"),
                                             discovered._Skip(config, "dist"), None))
    (tmp_path / "shared" / "later.js").write_text("edited during the build")
    (tmp_path / "shared" / "new.js").write_text("made during the build")
    trace = Trace(files={str(tmp_path / name) for name in files})
    in_tree = Manifest("d", [("src/", "app.js", b"\0" * 32, "0" * 32, "")])
    found = recorded(traced, trace, in_tree)
    assert set(found) == {"../shared/util.js", "../shared/later.js", "../shared/", ".env.local",
                          "./"}
    assert found["../shared/later.js"] == RACY  # may not be what the build read
    assert found["../shared/"] == RACY  # a file came: its folder's mtime moved
    assert found["../shared/util.js"] not in (RACY, ABSENT)
    assert found["./"] not in (RACY, ABSENT)  # dist/ came and went: not a listed name


def test_the_notice_when_reads_outside_the_webapp_are_not_tracked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = project(tmp_path)
    assert discovered.untraced_notice(config) == ""
    assert inputs_check(config).state == OK
    StampStore(config.state_dir).write("build", "k", {UNTRACED: "more than 4000 folders"})
    notice = discovered.untraced_notice(config)
    assert notice.startswith("reads outside the webapp are not tracked (more than 4000 folders)")
    assert "[webapp] inputs" in notice
    monkeypatch.setattr(discovered, "trace_available", lambda: False)
    check = inputs_check(config)
    assert check.state == MISSING and not check.required
    assert "Linux inotify is needed" in check.detail and "[webapp] inputs" in check.detail


def test_the_folders_above_a_folder_read_are_listed_up_to_the_one_holding_the_webapp(
        tmp_path: Path) -> None:
    """`../lib/mod/index.js` read: a `../lib/mod.js` created would be resolved first."""
    config = project(tmp_path)
    (tmp_path / "lib" / "mod").mkdir(parents=True)
    (tmp_path / "lib" / "mod" / "index.js").write_text("x")
    time.sleep(0.1)
    traced = Traced(config, "dist", None, time.time_ns(), str(tmp_path / "webapp"),
                    discovered._listing_hash(str(tmp_path / "webapp"),
                                             discovered._Skip(config, "dist"), None))
    trace = Trace(files={str(tmp_path / "lib" / "mod" / "index.js")})
    found = recorded(traced, trace, Manifest("d", []))
    assert set(found) == {"../lib/mod/index.js", "../lib/mod/", "../lib/"}  # not ../ itself
    assert found["../lib/"] not in (RACY, ABSENT)
