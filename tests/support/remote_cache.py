"""The remote cache's tests: a project with a remote, its token and signing key, an artifact."""

from __future__ import annotations

import io
from pathlib import Path

from buildtools.config.load import build_config
from buildtools.config.model import Config
from buildtools.core.cache import remote
from buildtools.core.cache.content import write_content
from buildtools.ui.terminal import Reporter

TOKEN = "test-token"
SECRET = "team-signing-key"
TEAM = "team_buildtools"
KEY = "a1" * 16


def config_for(root: Path, url: str, timeout: float = 1.0, max_mb: int = 1024) -> Config:
    """A project in `root` whose cache is in root/cache and has the remote `url`."""
    (root / "webapp").mkdir(parents=True, exist_ok=True)
    raw = {"webapp": {"source": "webapp"},
           "task": {"task_title": "t", "task_description": "d", "task_reward": 0.1,
                    "task_tags": "x"},
           "cache": {"dir": str(root / "cache"), "remote_url": url, "remote_team": TEAM,
                     "remote_timeout_s": timeout, "remote_max_mb": max_mb}}
    return build_config(raw, path=root / "buildtools.toml", root=root, source="buildtools.toml",
                        env={})


ENV = {"BUILDTOOLS_REMOTE_CACHE_TOKEN": TOKEN, "BUILDTOOLS_REMOTE_CACHE_KEY": SECRET}


def warnings() -> tuple[Reporter, io.StringIO]:
    """A reporter, and its stderr."""
    err = io.StringIO()
    return Reporter(out=io.StringIO(), err=err), err


def artifact(tmp_path: Path, key: str, damaged: bool = False) -> bytes:
    """A packed artifact of `key` (bundle/index.html "remote"), or one whose content does not
    match its content list."""
    folder = tmp_path / "artifact"
    (folder / "bundle").mkdir(parents=True)
    (folder / "output").mkdir()
    (folder / "bundle" / "index.html").write_text("remote")
    (folder / "meta.json").write_text(
        f'{{"format": 2, "key": "{key}", "output": "dist", "bytes": 6, "files": 1}}')
    write_content(folder)
    if damaged:  # signed by a holder of the key, but not what its content list says
        (folder / "bundle" / "index.html").write_text("")
    return remote.pack(folder)
