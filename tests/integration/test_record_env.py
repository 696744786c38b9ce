"""The no-op record is keyed on the environment variables that the check looked up, and on no
other (its trace, buildtools.util.reads): a variable that it did not look up changes no stage
key, one that a key reads is never answered from the record."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from buildtools import envnames
from buildtools.config.load import load_config
from buildtools.core import record
from buildtools.core.pipeline import Session, status
from support.projects import make_project

# Names that a build tool, a shell or CI may set, beside those of the environment of the run
PROBES = ("FOO", "CI", "TERM", "LANG", "LC_ALL", "NO_COLOR", "NODE_OPTIONS", "NODE_PATH",
          "npm_config_cache", "npm_config_registry", "VITE", "REACT_APP", "EDITOR", "TZ",
          "BUILDTOOLS_REMOTE_CACHE_TOKEN", "COREPACK_HOME")


def verdicts(root: Path) -> list[tuple[str, bool, str, str]]:
    config = load_config(root)
    result = status(config, environ=dict(os.environ))
    return [(stage.name, stage.up_to_date, stage.detail, stage.key) for stage in result.stages]


def traced(root: Path) -> Callable[[str], bool]:
    """Whether the check of the project at `root` looks a variable up, by its trace."""
    config = load_config(root)
    session = Session(config, environ=dict(os.environ))
    session.status()
    reads = session.reads
    assert not reads.whole_environ
    names = {*reads.names, *config.environ_read}
    prefixes = tuple(reads.prefixes)
    return lambda name: name in names or name.startswith(prefixes)


@pytest.mark.needs("node")
def test_no_variable_outside_the_record_key_changes_a_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "task")
    monkeypatch.chdir(project.root)
    read_by_a_key = traced(project.root)
    for name in ("PATH", "NODE_ENV", "VITE_X", envnames.CACHE_DIR_ENV,
                 envnames.CONFIG_ENV, envnames.FORCE_ENV):  # looked up: never answered for
        assert read_by_a_key(name), name
    for name in [name for name in os.environ if read_by_a_key(name)]:
        if name not in ("PATH", "HOME", envnames.CACHE_DIR_ENV):
            monkeypatch.delenv(name)
    before = verdicts(project.root)
    names = sorted({*os.environ, *PROBES} - {name for name in os.environ if read_by_a_key(name)})
    assert len(names) > len(PROBES) // 2
    for name in names:
        if read_by_a_key(name):
            continue
        with monkeypatch.context() as patch:
            patch.setenv(name, os.environ.get(name, "") + "-changed")
            assert verdicts(project.root) == before, f"{name} changes a stage key"
        with monkeypatch.context() as patch:
            patch.delenv(name, raising=False)
            assert verdicts(project.root) == before, f"unsetting {name} changes a stage key"


@pytest.mark.needs("node")
def test_variables_that_keys_read_are_in_the_record_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "task", extra_toml="")
    monkeypatch.chdir(project.root)
    monkeypatch.delenv("VITE_X", raising=False)
    build_key = dict((name, key) for name, _fresh, _detail, key in verdicts(project.root))["build"]
    for name in ("VITE_X", "REACT_APP_X", "NODE_ENV"):
        with monkeypatch.context() as patch:
            patch.setenv(name, "1")
            changed = dict((stage, key) for stage, _f, _d, key in verdicts(project.root))
            assert changed["build"] != build_key, name


@pytest.mark.needs("npm")
def test_record_answers_an_unrelated_variable_not_a_read_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    project = make_project(tmp_path / "task")
    read_by_a_key = traced(project.root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # as many users have it
    env = {**os.environ, "NO_COLOR": "1", "BUILDTOOLS_CACHE_DIR": str(tmp_path / "cache")}
    for name in [name for name in env if read_by_a_key(name) and name not in ("PATH", "HOME")]:
        if name != envnames.CACHE_DIR_ENV:
            del env[name]
            # doit runs with this process's environment: without the variable too (the
            # user's XDG_CACHE_HOME, say, which a key reads, would make another record)
            monkeypatch.delenv(name, raising=False)
    # PATH: the folder of node and npm only (a shared PATH folder that another program
    # changes within the racy window would keep the record from being written)
    node = shutil.which("node")
    assert node is not None
    env["PATH"] = os.pathsep.join([os.path.dirname(node), "/bin"])
    extra = {envnames.CACHE_DIR_ENV: env[envnames.CACHE_DIR_ENV], "PATH": env["PATH"]}
    project.doit("build", env=extra)
    time.sleep(2.2)  # past the racy window: the next full check leaves the record
    project.doit("build", env=extra)
    root = str(project.root)
    assert record.check(root, env) is not None
    assert record.check(root, {**env, "FOO": "1", "SHLVL": "9"}) is not None

    # Another folder first on PATH, with a node in it: the record does not answer for it
    other = tmp_path / "other-node"
    other.mkdir()
    for tool in ("node", "npm"):
        found = shutil.which(tool)
        assert found is not None
        (other / tool).symlink_to(os.path.realpath(found))
    assert record.check(root, {**env, "PATH": f"{other}{os.pathsep}{env['PATH']}"}) is None

    # Another shell: another PATH, which finds the same Node. Its full check leaves a record
    # of its own, and the first shell's record still answers: switching does not rescan
    shell = tmp_path / "shell-bin"
    shell.mkdir()
    time.sleep(2.2)
    second = {**env, "PATH": f"{shell}{os.pathsep}{env['PATH']}"}
    assert record.check(root, second) is None
    project.doit("build", env={**extra, "PATH": second["PATH"]})
    assert record.check(root, second) is not None
    assert record.check(root, env) is not None

    # A bundler variable: the build runs again, and no shell's record answers after it
    assert record.check(root, {**env, "VITE_X": "1"}) is None
    result = project.doit("build", env={**extra, "VITE_X": "1"})
    assert "build          runs because build environment changed: VITE_X" in result.stdout
    assert project.count("build") == 2
    assert record.check(root, env) is None and record.check(root, second) is None
