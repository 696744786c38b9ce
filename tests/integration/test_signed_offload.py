"""[assets] access = "signed" with offload = true against moto_server, which applies S3's
anonymous-access rules (an unsigned GET is refused unless a bucket policy or ACL grants it): a
deploy checks that the offloaded assets are refused without a signature, and says so in one
line when a public-read policy over the bucket serves them to anyone."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from buildtools.assets import signed_url
from buildtools.config.load import build_config
from buildtools.config.model import Config
from buildtools.deploy.run import package
from buildtools.errors import UserError
from buildtools.ui.terminal import Reporter

if TYPE_CHECKING:
    from tests.conftest import Web
    from tests.integration.conftest import S3Server

BUCKET = "site-and-assets"
SITE = "site/"


def _project(web: Web, root: Path, s3: S3Server) -> Config:
    (root / "webapp").mkdir(parents=True, exist_ok=True)
    (root / "assets").mkdir(exist_ok=True)
    (root / "assets" / "TestImg.png").write_bytes(web.png_bytes(40, 30))
    raw = {
        "webapp": {"source": "webapp", "extra_source_dir": "assets"},
        "task": {"task_name": "signed", "task_title": "Describe the picture",
                 "task_description": "d", "task_reward": 0.1, "task_tags": "t"},
        "deploy": {"static": {"bucket": BUCKET, "endpoint_url": s3.endpoint, "prefix": SITE,
                              "region": "us-east-1"}},
        "assets": {"access": "signed", "offload": True},
    }
    web.make_bundle(root / "dist" / "bundle", extra_files={"TestImg.png": web.png_bytes(40, 30)})
    return build_config(raw, path=root / "buildtools.toml", root=root,
                        source="buildtools.toml", env={})


def _deploy(web: Web, config: Config, s3: S3Server) -> str:
    out = io.StringIO()
    package(config, ["static"], bundle_dir=config.deploy.out / "bundle", bundle_key="k",
            node_version=web.facts.node_version, reporter=Reporter(out=out, err=io.StringIO()),
            environ=s3.environ)
    return out.getvalue()


def _public_read(s3: S3Server, prefix: str) -> None:
    s3.client().put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": f"arn:aws:s3:::{BUCKET}/{prefix}*"}],
    }))


def test_a_public_bucket_serving_signed_assets_is_one_line(
    tmp_path: Path, s3: S3Server, web: Web
) -> None:
    s3.client().create_bucket(Bucket=BUCKET)
    _public_read(s3, "")  # the whole bucket public, as a site bucket often is
    config = _project(web, tmp_path / "p", s3)
    with pytest.raises(UserError) as caught:
        _deploy(web, config, s3)
    said = str(caught.value)
    assert "\n" not in said
    assert said.startswith('[assets] access = "signed", but the bucket serves '
                           f"{s3.endpoint}/{BUCKET}/buildtools-assets/")
    assert said.endswith("TestImg.png without a signature (HTTP 200): anyone can read "
                         f"s3://{BUCKET}/" + said.split(f"s3://{BUCKET}/")[1].split(";")[0]
                         + "; take buildtools-assets/ out of the bucket's public-read policy "
                         "or ACL (the site's own prefix may stay public)")
    # the site was not published: no page points at the exposed assets
    listed = s3.client().list_objects_v2(Bucket=BUCKET, Prefix=SITE).get("Contents", [])
    assert listed == []
    with pytest.raises(UserError, match="without a signature"):  # and not stamped as done
        _deploy(web, config, s3)


def test_a_bucket_public_for_the_site_only_passes_and_serves_signed_urls_only(
    tmp_path: Path, s3: S3Server, web: Web
) -> None:
    s3.client().create_bucket(Bucket=BUCKET)
    _public_read(s3, SITE)
    config = _project(web, tmp_path / "p", s3)
    said = _deploy(web, config, s3)
    assert "publish/assets" in said and "publish/static" in said
    url = signed_url("TestImg.png", ttl=300, config=config, environ=s3.environ)
    assert web.http_get(url).status == 200
    assert web.http_get(url.split("?")[0]).status == 403
    assert web.http_get(f"{s3.endpoint}/{BUCKET}/{SITE}index.html").status == 200
    _public_read(s3, "")  # made public after the assets were published: the next deploy says so
    with pytest.raises(UserError, match="without a signature"):
        _deploy(web, config, s3)
