"""The early npm start: what is remembered, when it is refused, and when a started npm is
adopted (no process here: a fake stands for it; the real one: tests/integration/
test_early_build.py)."""

from __future__ import annotations

import io
import marshal
import os
from pathlib import Path
from typing import Any

import pytest

from buildtools.core import early
from buildtools.fingerprint.scan import scan_tree
from buildtools.fingerprint.statcache.cache import StatCache

HOME_VARS = {"HOME": "/home/someone", "PATH": "/usr/bin", "SECRET_TOKEN": "s3cr3t"}


class Npm:
    """An npm install: bin/npm is a link to lib/npm/bin/npm-cli.js, as npm installs it."""

    def __init__(self, root: Path) -> None:
        cli = root / "lib" / "npm" / "bin" / "npm-cli.js"
        cli.parent.mkdir(parents=True)
        cli.write_text("// npm\n")
        (root / "bin").mkdir()
        (root / "bin" / "npm").symlink_to(cli)
        (root / "bin" / "node").write_text("")
        self.npm = str(root / "bin" / "npm")
        self.node = str(root / "bin" / "node")


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, Npm, dict[str, str]]:
    state = tmp_path / "project" / ".buildtools"
    webapp = tmp_path / "project" / "webapp"
    state.mkdir(parents=True)
    webapp.mkdir()
    (webapp / "package.json").write_text('{"scripts": {"build": "vite build"}}')
    home = tmp_path / "home"
    home.mkdir()
    environ = {**HOME_VARS, "HOME": str(home)}
    return state, webapp, Npm(tmp_path / "npm"), environ


def remember(state: Path, webapp: Path, npm: Npm, environ: dict[str, str],
             scripts: dict[str, Any] | None = None, npm_version: str = "11.6.0") -> None:
    env = {**environ, "PATH": f"/toolchain/bin:{environ['PATH']}", "npm_config_cache": "/c"}
    env.pop("SECRET_TOKEN")
    early.remember(str(state), [npm.npm, "run", "build"], str(webapp), env, environ,
                   node=npm.node, npm_version=npm_version,
                   scripts=scripts or {"build": "vite build"}, script="build")


def launch(state: Path) -> tuple[Any, ...] | None:
    path = state / early.LAUNCH_NAME
    return marshal.loads(path.read_bytes()) if path.exists() else None


def test_the_launch_holds_what_the_build_changed_not_the_environment(setup: Any) -> None:
    state, webapp, npm, environ = setup
    remember(state, webapp, npm, environ)
    found = launch(state)
    assert found is not None
    _format, argv, cwd, overrides, removed, watched, npmrc = found
    assert argv == [npm.npm, "run", "build"] and cwd == str(webapp)
    assert overrides == {"PATH": "/toolchain/bin:/usr/bin", "npm_config_cache": "/c"}
    assert removed == ["SECRET_TOKEN"]
    assert b"s3cr3t" not in (state / early.LAUNCH_NAME).read_bytes()
    assert str(webapp / "package.json") in watched
    assert str(webapp.parent / "package.json") in watched  # a workspace root above
    assert str(webapp / ".npmrc") in npmrc and f"{environ['HOME']}/.npmrc" in npmrc
    assert str(Path(npm.npm).resolve().parent.parent / "npmrc") in npmrc  # npm's own


@pytest.mark.parametrize("case", ["prebuild", "postbuild", "npm 6", "not npm-cli.js",
                                  "script-shell in .npmrc", "script-shell variable",
                                  "user config moved", "no HOME"])
def test_no_launch_when_an_early_start_could_differ_from_npm_run(setup: Any, case: str
                                                                  ) -> None:
    state, webapp, npm, environ = setup
    remember(state, webapp, npm, environ)
    assert launch(state) is not None
    scripts: dict[str, Any] = {"build": "vite build"}
    version = "11.6.0"
    if case in ("prebuild", "postbuild"):
        scripts[case] = "echo"
    elif case == "npm 6":
        version = "6.14.18"
    elif case == "not npm-cli.js":
        Path(npm.npm).unlink()
        Path(npm.npm).write_text("#!/bin/sh\n")
    elif case == "script-shell in .npmrc":
        (webapp / ".npmrc").write_text("script-shell=/bin/bash\n")
    elif case == "script-shell variable":
        environ["NPM_CONFIG_SCRIPT_SHELL"] = "/bin/bash"
    elif case == "user config moved":
        environ["npm_config_userconfig"] = "/elsewhere/npmrc"
    else:
        del environ["HOME"]
        environ["HOME_WAS"] = "gone"
    env = {**environ}
    early.remember(str(state), [npm.npm, "run", "build"], str(webapp), env, environ,
                   node=npm.node, npm_version=version, scripts=scripts, script="build")
    assert launch(state) is None  # and the one before is forgotten


def edited_since_the_last_scan(state: Path, webapp: Path) -> None:
    (webapp / "src").mkdir()
    (webapp / "src" / "App.jsx").write_text("one")
    cache = StatCache(state / "statcache-webapp.marshal")
    scan_tree(webapp, cache=cache)
    cache.save()
    (webapp / "src" / "App.jsx").write_text("two")


def test_npm_starts_only_after_a_source_edit_and_with_npm_own_shell(setup: Any) -> None:
    state, webapp, npm, environ = setup
    remember(state, webapp, npm, environ)
    # no stat cache to tell an edit: nothing starts (the unit tests' conftest turns a fork
    # into a failure, so None means nothing was started)
    assert early.start(str(state), environ) is False
    edited_since_the_last_scan(state, webapp)
    with pytest.raises(AssertionError, match="started a process"):
        early.start(str(state), environ)  # it would start: the fork is refused here
    gate = state / early.GATE_NAME
    assert gate.read_text() == early.GATE_SCRIPT and os.access(gate, os.X_OK)
    (Path(environ["HOME"]) / ".npmrc").write_text("script-shell = /bin/zsh\n")
    assert early.start(str(state), environ) is False
    (Path(environ["HOME"]) / ".npmrc").unlink()
    assert early.start(str(state), {**environ, "npm_config_script_shell": "x"}) is False


def test_no_launch_no_start(setup: Any) -> None:
    state, _webapp, _npm, environ = setup
    assert early.start(str(state), environ) is False
    (state / early.LAUNCH_NAME).write_bytes(b"damaged")
    assert early.start(str(state), environ) is False


class FakeProcess:
    """Stands for the held npm: records what it was told."""

    def __init__(self) -> None:
        self.pid = -1
        self.returncode: int | None = None
        self.stdin = io.StringIO()
        self.stdout = io.StringIO()
        self.told = ""
        original_close = self.stdin.close

        def close() -> None:
            self.told = self.stdin.getvalue()
            original_close()

        self.stdin.close = close  # type: ignore[method-assign]

    def poll(self) -> int | None:
        return self.returncode


def held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[early.EarlyBuild, list[Any]]:
    watched = tmp_path / "package.json"
    watched.write_text("{}")
    stopped: list[Any] = []
    monkeypatch.setattr("buildtools.util.process.kill_group", stopped.append)
    process: Any = FakeProcess()
    build = early.EarlyBuild(process, ["/bin/npm", "run", "build"], "/w", {"A": "1"},
                             [str(watched)], early._signatures([str(watched)]))
    return build, stopped


def test_the_same_command_is_adopted_and_told_to_run(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    build, stopped = held(tmp_path, monkeypatch)
    assert build.adopt(["/bin/npm", "run", "build"], "/w", {"A": "1"}) is build.process
    assert build.process.told == "run\n"  # type: ignore[attr-defined]
    build.stop()  # adopted: the build stage owns it now
    assert stopped == []


@pytest.mark.parametrize("change", ["argv", "cwd", "env", "package.json", "exited"])
def test_anything_else_is_stopped_before_its_script(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     change: str) -> None:
    build, stopped = held(tmp_path, monkeypatch)
    argv, cwd, env = ["/bin/npm", "run", "build"], "/w", {"A": "1"}
    if change == "argv":
        argv = ["/bin/npm", "run", "build:prod"]
    elif change == "cwd":
        cwd = "/other"
    elif change == "env":
        env = {"A": "2"}
    elif change == "package.json":
        (tmp_path / "package.json").write_text('{"scripts": {}}')
    else:
        build.process.returncode = 1
    assert build.adopt(argv, cwd, env) is None
    assert build.process.told == ""  # type: ignore[attr-defined]  # never "run"
    assert stopped == ([build.process] if change != "exited" else [])


def test_a_damaged_launch_starts_nothing(setup: Any) -> None:
    state, webapp, npm, environ = setup
    remember(state, webapp, npm, environ)
    edited_since_the_last_scan(state, webapp)
    found = launch(state)
    assert found is not None
    for damaged in ((*found[:1], "npm run build", *found[2:]),  # argv not a list
                    (*found[:3], {"PATH": 1}, *found[4:]),  # a value not text
                    (*found[:1], [], *found[2:])):  # no argv
        (state / early.LAUNCH_NAME).write_bytes(marshal.dumps(damaged))
        assert early.start(str(state), environ) is False  # and no fork


def test_the_held_npm_is_adopted_once_and_stopped_otherwise(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    """The process is held in the module: the build stage adopts it (once) or the CLI's stop
    ends it; nothing is handed through the pipeline."""
    build, stopped = held(tmp_path, monkeypatch)
    monkeypatch.setattr(early, "_started", lambda state, environ: build)
    assert early.start("/state", {}) is True
    assert early.adopt(["/bin/npm", "run", "build"], "/w", {"A": "1"}) is build.process
    assert early.adopt(["/bin/npm", "run", "build"], "/w", {"A": "1"}) is None  # once
    early.stop()
    assert stopped == []  # adopted: the build stage owns it
    other, stopped = held(tmp_path, monkeypatch)
    monkeypatch.setattr(early, "_started", lambda state, environ: other)
    assert early.start("/state", {}) is True
    early.stop()
    assert stopped == [other.process] and other.process.told == ""  # type: ignore[attr-defined]
    assert early.adopt(["/bin/npm", "run", "build"], "/w", {"A": "1"}) is None


def test_npm_own_node_starts_without_the_extra_ca_file_and_the_script_gets_it(
        setup: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """npm's Node parses NODE_EXTRA_CA_CERTS at its start (35-55 ms of CPU, while the check
    runs) for no connection of its own: the held npm gets the name in another variable, and
    the gate puts it back for the script (issue 21)."""
    state, webapp, npm, environ = setup
    environ["NODE_EXTRA_CA_CERTS"] = "/etc/proxy-ca.pem"
    remember(state, webapp, npm, environ)
    edited_since_the_last_scan(state, webapp)
    started: list[dict[str, str]] = []

    class Spawned:
        def __init__(self, argv: list[str], cwd: str, env: dict[str, str]) -> None:
            started.append(env)

    monkeypatch.setattr(early, "SpawnedProcess", Spawned)
    assert early.start(str(state), environ) is True
    (held,) = early._held
    early._held.clear()
    (env,) = started
    assert "NODE_EXTRA_CA_CERTS" not in env
    assert env[early.CARRIED] == "/etc/proxy-ca.pem"
    assert "NODE_EXTRA_CA_CERTS=$" + early.CARRIED in early.GATE_SCRIPT
    # the environment the build stage compares at adoption is the user's, variable included
    assert held.env["NODE_EXTRA_CA_CERTS"] == "/etc/proxy-ca.pem"
