"""Unit tests for the small core pieces: webapp facts, asset checks, the process runner, the
error handler, stage plans and stamps."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from buildtools.assets import collect_assets, copy_assets, looks_secret
from buildtools.build.freshness import StagePlan, Stamp, StampStore
from buildtools.build.webapp import build_env, checked_package_json, output_folder
from buildtools.config.load import load_config
from buildtools.errors import CommandFailed, UserError
from buildtools.handler import guarded
from buildtools.util import atomic
from buildtools.util.process import run

TASK = "[task]\ntask_title='T'\ntask_description='D'\ntask_reward=1\ntask_tags='x'\n"


def project_with(tmp_path: Path, package: dict[str, object], toml: str = "") -> Path:
    (tmp_path / "webapp").mkdir()
    (tmp_path / "webapp" / "package.json").write_text(json.dumps(package))
    (tmp_path / "buildtools.toml").write_text(toml + TASK)
    return tmp_path


@pytest.mark.parametrize(
    ("script", "files", "expected"),
    [
        ("vite build", {}, "dist"),
        ("react-scripts build", {}, "build"),
        ("next build && next export", {}, "out"),
        ("webpack --mode production",
         {"webpack.config.js": "output: { path: path.join(__dirname, 'build'), "
                               "filename: 'bundle.js' }"}, "build"),
        ("webpack", {}, "dist"),
    ],
)
def test_output_folder_detection(
    tmp_path: Path, script: str, files: dict[str, str], expected: str
) -> None:
    root = project_with(tmp_path, {"scripts": {"build": script}})
    for name, text in files.items():
        (root / "webapp" / name).write_text(text)
    config = load_config(root, {})
    assert output_folder(config, checked_package_json(config)) == expected


def test_configured_output_wins(tmp_path: Path) -> None:
    root = project_with(tmp_path, {"scripts": {"build": "vite build"}},
                        "[webapp]\noutput = 'public/build/'\n")
    config = load_config(root, {})
    assert output_folder(config, checked_package_json(config)) == "public/build"


def test_build_command_must_be_defined(tmp_path: Path) -> None:
    root = project_with(tmp_path, {"scripts": {"dev": "vite", "build": "vite build"}},
                        "[webapp]\nbuild_command = 'bundle'\n")
    with pytest.raises(UserError) as info:
        checked_package_json(load_config(root, {}))
    assert str(info.value) == (
        "buildtools.toml: [webapp] build_command: package.json defines no script 'bundle'; "
        "it defines: build, dev"
    )


def test_build_env_selects_bundler_variables() -> None:
    environ = {"VITE_API": "1", "REACT_APP_X": "2", "NODE_ENV": "production", "HOME": "/root",
               "MY_FLAG": "3", "PATH": "/bin"}
    assert build_env(("MY_FLAG",), environ) == {
        "MY_FLAG": "3", "NODE_ENV": "production", "REACT_APP_X": "2", "VITE_API": "1"}


@pytest.mark.parametrize(
    ("path", "secret"),
    [(".env", True), (".env.production", True), ("keys/server.pem", True), ("id_rsa", True),
     (".git/config", True), ("img/TestImg.png", False), ("environment.json", False),
     ("docs/key.txt", False)],
)
def test_looks_secret(path: str, secret: bool) -> None:
    assert looks_secret(path) is secret


def test_collect_assets_checks_and_allow_list(tmp_path: Path) -> None:
    assets = tmp_path / "assets"
    (assets / "img").mkdir(parents=True)
    (assets / "img" / "a.png").write_bytes(b"png")
    (assets / "inside").symlink_to("img/a.png")
    (assets / "server.pem").write_text("cert")
    with pytest.raises(UserError, match=r"'assets/server\.pem' looks like a secret"):
        collect_assets(assets)
    found = collect_assets(assets, allow=["*.pem"])
    assert sorted(found) == ["img/a.png", "inside", "server.pem"]
    (assets / ".git").mkdir()
    (assets / ".git" / "HEAD").write_text("ref")
    with pytest.raises(UserError, match=r"'assets/\.git/' looks like a secret"):
        collect_assets(assets, allow=["*.pem"])


def test_copy_assets_refuses_overwriting_a_build_output(tmp_path: Path) -> None:
    source = tmp_path / "a.js"
    source.write_text("x")
    with pytest.raises(UserError) as info:
        copy_assets({"assets/index.js": source}, tmp_path / "bundle", {"assets/index.js"},
                    "webapp/dist")
    assert str(info.value) == (
        f"extra_source_dir file '{source}' would overwrite the build output "
        "'webapp/dist/assets/index.js'; rename one of them"
    )


def test_run_streams_to_its_sink_and_raises_with_tail(tmp_path: Path) -> None:
    heard: list[str] = []
    lines = run(["bash", "-c", "echo one; echo two"], cwd=tmp_path,
                env={"PATH": "/usr/bin:/bin"}, what="echo", sink=heard.append)
    assert lines == ["one", "two"]
    assert heard == ["one", "two"]
    script = "for i in $(seq 1 100); do echo line $i; done; exit 7"
    with pytest.raises(CommandFailed) as info:
        run(["bash", "-c", script], cwd=tmp_path, env={"PATH": "/usr/bin:/bin"},
            what="the loop")
    assert info.value.returncode == 7
    assert info.value.tail[0] == "line 61" and info.value.tail[-1] == "line 100"
    assert str(info.value).startswith("the loop failed (exit code 7): bash -c")


def test_run_missing_executable(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="'no-such-tool' was not found on PATH"):
        run(["no-such-tool"], cwd=tmp_path, env={"PATH": "/nonexistent"}, what="x")


def test_handler_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    def user_error() -> None:
        raise UserError("buildtools.toml: something to fix")

    def interrupted() -> None:
        raise KeyboardInterrupt

    def bug() -> None:
        raise ZeroDivisionError("boom")

    for function, code in ((user_error, 1), (interrupted, 130), (bug, 3)):
        with pytest.raises(SystemExit) as info:
            guarded(function)
        assert info.value.code == code
    err = capsys.readouterr().err
    assert "error: buildtools.toml: something to fix\n" in err
    assert "ZeroDivisionError: boom" in err and "please report it" in err
    assert guarded(lambda: 5) == 5


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


def test_atomic_write_keeps_old_content_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    atomic.write_text(target, "old")
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())

    with pytest.raises(TypeError):
        atomic.write_bytes(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_replace_dir_swaps_whole_folders(tmp_path: Path) -> None:
    final = tmp_path / "bundle"
    final.mkdir()
    (final / "old.txt").write_text("old")
    staging = atomic.staging_dir(final)
    (staging / "new.txt").write_text("new")
    atomic.replace_dir(staging, final)
    assert [p.name for p in final.iterdir()] == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle"]


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask


if sys.platform != "linux":  # pragma: no cover
    pytestmark = pytest.mark.skip("POSIX process groups")


def test_closed_output_pipe_is_not_a_bug(tmp_path: Path) -> None:
    """`buildtools build | head`: the reader closes the pipe; no traceback, exit 141."""
    import subprocess

    script = (
        "from buildtools.handler import guarded\n"
        "def talk():\n"
        "    while True:\n"
        "        print('line ' * 100, flush=True)\n"
        "guarded(talk)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=tmp_path)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=30) == 141
    assert stderr == ""
