"""The static architect publishes to a real S3-API server (moto's standalone server, started on
127.0.0.1 on a port the OS picks): headers from _headers, only changed objects sent, removed
files deleted but hashed files of earlier deploys kept, index.html and task_config.json last,
a failure midway leaves the previous site serving."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from buildtools.config.load import build_config
from buildtools.config.model import Config
from buildtools.deploy.cache_policy import IMMUTABLE
from buildtools.deploy.run import package
from buildtools.errors import UserError
from buildtools.ui.terminal import Reporter
from support.bundle import FACTS, make_bundle
from support.http import http_get
from support.s3 import S3Server, no_aws_credentials, public_read

BUCKET = "task-site"
PREFIX = "tasks/picture/"


def _config(root: Path, s3: S3Server, **static: str) -> Config:
    (root / "webapp").mkdir(parents=True, exist_ok=True)
    (root / "assets").mkdir(exist_ok=True)
    (root / "assets" / "TestImg.png").write_bytes(b"\x89PNG\r\n\x1a\nimage-1")
    raw = {
        "webapp": {"source": "webapp", "extra_source_dir": "assets"},
        "task": {"task_name": "picture", "task_title": "Picture", "task_description": "d",
                 "task_reward": 0.1, "task_tags": "t"},
        "deploy": {"static": {"bucket": BUCKET, "endpoint_url": s3.endpoint,
                              "prefix": PREFIX, "region": "us-east-1", **static}},
    }
    return build_config(raw, path=root / "buildtools.toml", root=root,
                        source="buildtools.toml", env={})


class Deployer:
    """Packages and publishes the static artifact of one project; counts the uploads."""

    def __init__(self, root: Path, s3: S3Server) -> None:
        self.root = root
        self.s3 = s3
        self.config = _config(root, s3)
        self.bundle = make_bundle(root / "dist" / "bundle",
                                      extra_files={"TestImg.png": b"\x89PNG\r\n\x1a\nimage-1",
                                                   "notes.txt": b"notes\n"})
        self.puts: list[str] = []
        self.deletes: list[str] = []

    def deploy(self, force: bool = False) -> str:
        out = io.StringIO()
        package(self.config, ["static"], bundle_dir=self.bundle, bundle_key=self._key(),
                node_version=FACTS.node_version, force=force,
                reporter=Reporter(out=out, err=io.StringIO()), environ=self.s3.environ)
        return re.sub(r" {2,}", " ", out.getvalue())

    def _key(self) -> str:
        from buildtools.util.hashing import digest

        files = sorted(p.relative_to(self.bundle).as_posix() for p in self.bundle.rglob("*"))
        return digest(files, [(self.bundle / f).read_bytes().hex() for f in files
                              if (self.bundle / f).is_file()])


@pytest.fixture
def deployer(tmp_path: Path, s3: S3Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployer]:
    client = s3.client()
    client.create_bucket(Bucket=BUCKET)
    public_read(client, BUCKET, PREFIX)
    made = Deployer(tmp_path / "project", s3)

    import buildtools.deploy.publish.s3 as publisher

    real = publisher.make_client

    def counting(static: Any, environ: Any) -> Any:
        found = real(static, environ)
        events = found.meta.events
        events.register("before-parameter-build.s3.PutObject",
                        lambda params, **_: made.puts.append(params["Key"]))
        events.register("before-parameter-build.s3.DeleteObject",
                        lambda params, **_: made.deletes.append(params["Key"]))
        return found

    monkeypatch.setattr(publisher, "make_client", counting)
    yield made


def _url(s3: S3Server, name: str) -> str:
    return f"{s3.endpoint}/{BUCKET}/{PREFIX}{name}"


def test_publish_sends_each_file_with_its_headers_and_the_pages_last(
    deployer: Deployer, s3: S3Server) -> None:
    said = deployer.deploy()
    assert "publish/static runs because" in said
    assert f"s3://{BUCKET}/{PREFIX}: 7 sent, 0 unchanged, 0 deleted" in said
    keys = [key[len(PREFIX):] for key in deployer.puts]
    assert keys[-2:] == ["index.html", "task_config.json"]
    assert sorted(keys) == sorted([FACTS.hashed_css, FACTS.hashed_js, "TestImg.png",
                                   "index.html", "notes.txt", "robots.txt", "task_config.json"])
    index = http_get(_url(s3, "index.html"))
    assert index.status == 200 and index.body == (deployer.bundle / "index.html").read_bytes()
    assert index.headers["Content-Type"] == "text/html; charset=utf-8"
    assert index.headers["Cache-Control"] == "no-cache"
    script = http_get(_url(s3, FACTS.hashed_js))
    assert script.headers["Cache-Control"] == IMMUTABLE
    assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"
    image = http_get(_url(s3, "TestImg.png"))
    assert image.headers["Content-Type"] == "image/png"
    assert image.headers["Cache-Control"] == "no-cache"
    robots = http_get(_url(s3, "robots.txt"))
    assert robots.status == 200 and b"Disallow: /" in robots.body
    assert http_get(_url(s3, "_headers")).status in (403, 404)


def test_a_redeploy_without_change_sends_nothing(deployer: Deployer) -> None:
    deployer.deploy()
    deployer.puts.clear()
    assert "publish/static up to date" in deployer.deploy()
    said = deployer.deploy(force=True)  # publish runs again: it compares with the bucket
    assert "0 sent, 7 unchanged, 0 deleted" in said
    assert deployer.puts == [] and deployer.deletes == []


def test_an_edit_sends_only_what_changed_and_keeps_old_hashed_files(
    deployer: Deployer, s3: S3Server) -> None:
    deployer.deploy()
    deployer.puts.clear()
    bundle = deployer.bundle
    (bundle / "TestImg.png").write_bytes(b"\x89PNG\r\n\x1a\nimage-2")
    (bundle / "notes.txt").unlink()
    new_js = "assets/index-Zq81Lm0p.js"
    (bundle / FACTS.hashed_js).rename(bundle / new_js)
    index = (bundle / "index.html").read_text().replace(FACTS.hashed_js, new_js)
    (bundle / "index.html").write_text(index)
    said = deployer.deploy()
    assert "3 sent, 3 unchanged, 1 deleted, 1 hashed file(s) of earlier deploys kept" in said
    assert [key[len(PREFIX):] for key in deployer.puts] == ["TestImg.png", new_js, "index.html"]
    assert deployer.deletes == [PREFIX + "notes.txt"]
    assert http_get(_url(s3, "notes.txt")).status in (403, 404)
    # an open old page still loads it
    assert http_get(_url(s3, FACTS.hashed_js)).status == 200
    assert http_get(_url(s3, "TestImg.png")).body.endswith(b"image-2")


def test_headers_changed_elsewhere_are_put_right(deployer: Deployer, s3: S3Server) -> None:
    client = s3.client()  # the same bytes, sent by hand without the cache policy
    body = (deployer.bundle / FACTS.hashed_js).read_bytes()
    client.put_object(Bucket=BUCKET, Key=PREFIX + FACTS.hashed_js, Body=body,
                      ContentType="application/octet-stream")
    client.put_object(Bucket=BUCKET, Key=PREFIX + FACTS.hashed_css,
                      Body=(deployer.bundle / FACTS.hashed_css).read_bytes(),
                      ContentType="text/css; charset=utf-8", CacheControl=IMMUTABLE)
    said = deployer.deploy()
    assert "6 sent, 1 unchanged" in said
    assert PREFIX + FACTS.hashed_js in deployer.puts
    assert PREFIX + FACTS.hashed_css not in deployer.puts
    assert http_get(_url(s3, FACTS.hashed_js)).headers["Cache-Control"] == IMMUTABLE


def test_a_failure_midway_leaves_the_previous_site(
    deployer: Deployer, s3: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    deployer.deploy()
    old_index = http_get(_url(s3, "index.html")).body
    (deployer.bundle / "TestImg.png").write_bytes(b"\x89PNG\r\n\x1a\nimage-3")
    (deployer.bundle / "index.html").write_text("<!doctype html><p>new</p>\n")

    import buildtools.deploy.publish.s3 as publisher

    counting = publisher.make_client

    def failing(static: Any, environ: Any) -> Any:
        found = counting(static, environ)

        def refuse(params: dict[str, Any], **_: Any) -> None:
            if params["Key"].endswith("index.html"):
                raise EndpointConnectionError(endpoint_url=s3.endpoint)

        found.meta.events.register("before-parameter-build.s3.PutObject", refuse)
        return found

    monkeypatch.setattr(publisher, "make_client", failing)
    with pytest.raises(UserError) as caught:
        deployer.deploy()
    assert str(caught.value).startswith(
        f"publish to s3://{BUCKET}/{PREFIX} failed: Could not connect to the endpoint URL")
    assert http_get(_url(s3, "index.html")).body == old_index
    assert http_get(_url(s3, "TestImg.png")).body.endswith(b"image-3")
    monkeypatch.setattr(publisher, "make_client", counting)
    deployer.puts.clear()
    assert "1 sent, 6 unchanged" in deployer.deploy()  # the image went; only the page is left
    assert deployer.puts == [PREFIX + "index.html"]


def test_a_missing_bucket_is_one_clear_error(tmp_path: Path, s3: S3Server) -> None:
    config = _config(tmp_path / "p", s3, bucket="no-such-bucket")
    bundle = make_bundle(tmp_path / "p" / "dist" / "bundle")
    with pytest.raises(UserError) as caught:
        package(config, ["static"], bundle_dir=bundle, bundle_key="k",
                node_version=FACTS.node_version, reporter=Reporter(out=io.StringIO()),
                environ=s3.environ)
    assert str(caught.value).startswith(
        f"publish to s3://no-such-bucket/{PREFIX} failed: NoSuchBucket")


def test_no_credentials_is_one_line_saying_what_to_set(
        tmp_path: Path, s3: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    no_aws_credentials(monkeypatch, tmp_path / "none")
    config = _config(tmp_path / "p", s3)
    bundle = make_bundle(tmp_path / "p" / "dist" / "bundle")
    with pytest.raises(UserError) as caught:
        package(config, ["static"], bundle_dir=bundle, bundle_key="k",
                node_version=FACTS.node_version, reporter=Reporter(out=io.StringIO()),
                environ={"PATH": "/usr/bin:/bin"})
    assert str(caught.value) == (
        f"publish to s3://{BUCKET}/{PREFIX} failed: Unable to locate credentials: set "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (a profile of "
        "~/.aws/credentials)")


def test_publish_at_the_bucket_root_leaves_foreign_objects_alone(
        tmp_path: Path, s3: S3Server) -> None:
    client = s3.client()
    client.create_bucket(Bucket=BUCKET)
    client.put_object(Bucket=BUCKET, Key="other-team/report.txt", Body=b"theirs")
    config = _config(tmp_path / "p", s3, prefix="")
    bundle = make_bundle(tmp_path / "p" / "dist" / "bundle",
                             extra_files={"notes.txt": b"notes\n"})

    def deploy(key: str) -> str:
        out = io.StringIO()
        package(config, ["static"], bundle_dir=bundle, bundle_key=key,
                node_version=FACTS.node_version, reporter=Reporter(out=out),
                environ=s3.environ)
        return re.sub(r" {2,}", " ", out.getvalue())

    said = deploy("k1")
    assert "1 object(s) not published by this project left alone" in said
    (bundle / "notes.txt").unlink()
    said = deploy("k2")
    assert "1 deleted, 1 object(s) not published by this project left alone" in said
    keys = {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert "other-team/report.txt" in keys and "notes.txt" not in keys
    theirs = client.get_object(Bucket=BUCKET, Key="other-team/report.txt")["Body"].read()
    assert theirs == b"theirs"


def test_an_object_deleted_by_hand_is_seen_and_sent_again(deployer: Deployer, s3: S3Server) -> None:
    deployer.deploy()
    s3.client().delete_object(Bucket=BUCKET, Key=PREFIX + "notes.txt")
    deployer.puts.clear()
    said = deployer.deploy()
    assert "publish/static up to date" not in said
    assert (f"publish/static runs because the bucket lacks 1 object(s) it was sent: "
            f"{PREFIX}notes.txt") in said
    assert deployer.puts == [PREFIX + "notes.txt"]
    assert http_get(_url(s3, "notes.txt")).body == b"notes\n"
    assert "publish/static up to date" in deployer.deploy()
