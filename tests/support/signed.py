"""[assets] access = "signed" for the tests of the servers: a project whose assets are signed
with a known secret, packaged for the architects, and the check that the secret is in none of
their files."""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

from buildtools.config.load import Config, build_config
from buildtools.deploy.run import package
from buildtools.ui.terminal import Reporter
from support.bundle import FACTS, make_bundle
from support.media import png_bytes

SECRET = "integration-secret_0123456789"


def signed_config(root: Path, access: str, remote_dir: Path | None = None) -> Config:
    """The Config of a task in `root` (webapp/, assets/TestImg.png) whose assets are served
    with `access` (signed, unlisted, public)."""
    (root / "webapp").mkdir(parents=True, exist_ok=True)
    (root / "assets").mkdir(exist_ok=True)
    (root / "assets" / "TestImg.png").write_bytes(png_bytes())
    raw = {
        "webapp": {"source": "webapp", "extra_source_dir": "assets"},
        "task": {"task_name": "signed-task", "task_title": "Signed", "task_description": "d",
                 "task_reward": 0.1, "task_tags": "t"},
        "deploy": {"ec2": {"remote_dir": str(remote_dir or "/var/www/task")}},
        "assets": {"access": access},
    }
    return build_config(raw, path=root / "buildtools.toml", root=root,
                        source="buildtools.toml", env={})


def package_signed(root: Path, access: str, names: tuple[str, ...],
                   remote_dir: Path | None = None) -> Path:
    """The project of signed_config with a hand-made bundle, packaged for `names`; its dist/."""
    config = signed_config(root, access, remote_dir)
    bundle = make_bundle(root / "dist" / "bundle")
    package(config, names, bundle_dir=bundle, bundle_key="k", node_version=FACTS.node_version,
            reporter=Reporter(out=io.StringIO(), err=io.StringIO()),
            environ={"PATH": os.environ.get("PATH", "")}, publish=False)
    return root / "dist"


def assert_secret_nowhere(dist: Path) -> None:
    """SECRET is in no file under `dist`, archives (.tar.gz) included."""
    for path in dist.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.name.endswith(".tar.gz"):
                data = gzip.decompress(data)
            assert SECRET.encode() not in data, path
