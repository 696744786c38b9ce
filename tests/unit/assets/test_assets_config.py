"""The [assets] table and the storage keys of [deploy.static]."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from buildtools.config.load import Config, build_config
from buildtools.errors import UserError


def _config(tmp_path: Path, **tables: Any) -> Config:
    (tmp_path / "webapp").mkdir(exist_ok=True)
    raw = {
        "webapp": {"source": "webapp"},
        "task": {"task_title": "t", "task_description": "d", "task_reward": 0.1,
                 "task_tags": "x"},
        **tables,
    }
    return build_config(raw, path=tmp_path / "buildtools.toml", root=tmp_path,
                        source="buildtools.toml", env={})


def test_defaults_are_unlisted_without_offload(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert (config.assets.access, config.assets.offload) == ("unlisted", False)
    assert config.assets.unlisted and not config.assets.signed
    assert config.deploy.static.bucket == "" and config.deploy.static.prefix == ""


def test_storage_settings_are_normalised(tmp_path: Path) -> None:
    config = _config(tmp_path, deploy={"static": {
        "bucket": "task-site", "endpoint_url": "http://127.0.0.1:9000/", "prefix": "/tasks/a",
        "region": "eu-west-1"}}, assets={"access": "signed", "offload": True})
    static = config.deploy.static
    assert (static.bucket, static.endpoint_url, static.prefix, static.region) == (
        "task-site", "http://127.0.0.1:9000", "tasks/a/", "eu-west-1")
    assert static.assets_prefix == "buildtools-assets/"
    assert config.assets.signed and config.assets.offload


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ({"assets": {"access": "private"}},
         "buildtools.toml: [assets] access must be one of public, unlisted, signed, got 'private'"),
        ({"assets": {"acess": "signed"}},
         "buildtools.toml: [assets] unknown key 'acess'; did you mean 'access'?"),
        ({"assets": {"offload": True}},
         "buildtools.toml: [assets] offload = true needs a bucket to put the assets in; set "
         "[deploy.static] bucket"),
        ({"deploy": {"static": {"bucket": "Bad_Bucket"}}},
         "buildtools.toml: [deploy.static] bucket must be an S3 bucket name"),
        ({"deploy": {"static": {"endpoint_url": "s3.example.com"}}},
         "buildtools.toml: [deploy.static] endpoint_url must be an http(s) URL"),
        ({"deploy": {"static": {"prefix": "a/../b"}}},
         "buildtools.toml: [deploy.static] prefix must be a key prefix"),
        ({"deploy": {"static": {"bucket": "site", "prefix": "x/", "assets_prefix": "x/assets"}}},
         "buildtools.toml: [deploy.static] assets_prefix 'x/assets/' lies inside prefix 'x/'"),
    ],
)
def test_bad_settings_name_the_key(tmp_path: Path, tables: dict[str, Any], message: str) -> None:
    with pytest.raises(UserError) as caught:
        _config(tmp_path, **tables)
    assert str(caught.value).startswith(message)
