"""Packaging checks the bundle once more: a bundle that holds a secret (put in place by hand,
or by an older buildtools) makes no artifact for any architect."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from buildtools.config.load import build_config
from buildtools.deploy.run import package
from buildtools.errors import UserError
from buildtools.ui.terminal import Reporter
from support.bundle import FACTS, make_bundle


@pytest.mark.parametrize("architect", ["local", "heroku", "ec2", "static"])
def test_a_bundle_with_a_secret_is_not_packaged(tmp_path: Path, architect: str) -> None:
    (tmp_path / "webapp").mkdir()
    raw = {"webapp": {"source": "webapp"},
           "task": {"task_name": "t", "task_title": "T", "task_description": "d",
                    "task_reward": 0.1, "task_tags": "t"}}
    config = build_config(raw, path=tmp_path / "buildtools.toml", root=tmp_path,
                          source="buildtools.toml", env={})
    bundle = make_bundle(tmp_path / "dist" / "bundle", extra_files={"keys/ID_RSA": b"k"})
    with pytest.raises(UserError) as caught:
        package(config, (architect,), bundle_dir=bundle, bundle_key="k",
                node_version=FACTS.node_version,
                reporter=Reporter(out=io.StringIO(), err=io.StringIO()), environ={},
                publish=False)
    assert str(caught.value) == (
        "build output: 'dist/bundle/keys/ID_RSA' looks like a secret and would be published; "
        "remove it, or list it in [webapp] output_allow if it is meant to be public")
    assert not (tmp_path / "dist" / architect).exists()
