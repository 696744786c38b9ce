"""[assets] offload = true against a real S3-API server (moto_server on 127.0.0.1): the assets go
to the bucket under a content-addressed prefix, stay out of the artifacts (so a too big heroku
slug fits), the page served by the heroku server (node) loads its image from the bucket, and
signed_url gives presigned URLs."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from buildtools.assets import signed_url
from buildtools.config.load import build_config
from buildtools.config.model import Config
from buildtools.deploy.offload import IMMUTABLE
from buildtools.deploy.run import package
from buildtools.errors import UserError
from buildtools.ui.terminal import Reporter
from support.browser import Browser
from support.bundle import APP_JS, FACTS, make_bundle
from support.http import free_port, http_get, wait_for_http
from support.media import png_bytes
from support.processes import stop_group
from support.s3 import S3Server, no_aws_credentials, public_read

BUCKET = "task-assets"
BIG = os.urandom(1_300_000)  # with it the heroku artifact is over 1 MB


def _project(root: Path, s3: S3Server, offload: bool,
             access: str = "unlisted") -> Config:
    (root / "webapp").mkdir(parents=True, exist_ok=True)
    (root / "assets").mkdir(exist_ok=True)
    (root / "assets" / "TestImg.png").write_bytes(png_bytes(40, 30))
    (root / "assets" / "big.bin").write_bytes(BIG)
    raw = {
        "webapp": {"source": "webapp", "extra_source_dir": "assets"},
        "task": {"task_name": "big", "task_title": "Describe the picture",
                 "task_description": "d", "task_reward": 0.1, "task_tags": "t"},
        "deploy": {"heroku": {"max_slug_mb": 1},
                   "static": {"bucket": BUCKET, "endpoint_url": s3.endpoint,
                              "region": "us-east-1"}},
        "assets": {"access": access, "offload": offload},
    }
    config = build_config(raw, path=root / "buildtools.toml", root=root,
                          source="buildtools.toml", env={})
    # the page takes its image from task_config.json's assets_base_url when there is one
    script = APP_JS.replace("image.src = './TestImg.png'",
                            "image.src = (config.assets_base_url || './') + 'TestImg.png'")
    assert script != APP_JS
    make_bundle(root / "dist" / "bundle", extra_files={
        "TestImg.png": png_bytes(40, 30), "big.bin": BIG, FACTS.hashed_js: script.encode()})
    return config


def _deploy(config: Config, s3: S3Server,
            names: tuple[str, ...] = ("heroku",)) -> str:
    out = io.StringIO()
    package(config, names, bundle_dir=config.deploy.out / "bundle", bundle_key="k",
            node_version=FACTS.node_version, reporter=Reporter(out=out, err=io.StringIO()),
            environ=s3.environ)
    return re.sub(r" {2,}", " ", out.getvalue())


@pytest.mark.needs("node")
def test_offload_makes_a_too_big_heroku_app_fit_and_the_page_loads_from_the_bucket(
    tmp_path: Path, s3: S3Server, request: pytest.FixtureRequest
) -> None:
    s3.client().create_bucket(Bucket=BUCKET)
    public_read(s3.client(), BUCKET, "buildtools-assets/")
    with pytest.raises(UserError, match=r"over \[deploy.heroku\] max_slug_mb = 1"):
        _deploy(_project(tmp_path / "without", s3, offload=False), s3)

    config = _project(tmp_path / "with", s3, offload=True)
    said = _deploy(config, s3)
    assert "publish/assets runs because it has not run here before" in said
    assert "2 sent, 0 unchanged, 0 deleted" in said
    app = config.deploy.out / "heroku"
    public = app / "public"
    assert not (public / "TestImg.png").exists() and not (public / "big.bin").exists()
    base = json.loads((public / "task_config.json").read_text())["assets_base_url"]
    assert re.fullmatch(rf"{s3.endpoint}/{BUCKET}/buildtools-assets/[0-9a-f]{{16}}/", base)
    image = http_get(base + "TestImg.png")
    assert image.status == 200 and image.body == png_bytes(40, 30)
    assert image.headers["Content-Type"] == "image/png"
    assert image.headers["Cache-Control"] == IMMUTABLE
    assert http_get(base + "big.bin").body == BIG

    assert "publish/assets up to date" in _deploy(config, s3)
    (config.root / "assets" / "TestImg.png").write_bytes(png_bytes(50, 30))
    (config.deploy.out / "bundle" / "TestImg.png").write_bytes(png_bytes(50, 30))
    _deploy(config, s3)
    new_base = json.loads((public / "task_config.json").read_text())["assets_base_url"]
    assert new_base != base  # a new prefix; the old page's files are still there
    assert http_get(base + "TestImg.png").body == png_bytes(40, 30)
    assert http_get(new_base + "TestImg.png").body == png_bytes(50, 30)

    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1"}
    server = subprocess.Popen(["node", "server.js"], cwd=app, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        page = f"http://127.0.0.1:{port}/"
        wait_for_http(page, proc=server)
        assert http_get(page + "TestImg.png").status == 404  # not in the app any more
        browser: Browser = request.getfixturevalue("browser")  # skips here without chromium
        browser.assert_task_rendered(page, FACTS.title)
    finally:
        stop_group(server)


def test_signed_offloaded_assets_get_presigned_urls(
    tmp_path: Path, s3: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    s3.client().create_bucket(Bucket=BUCKET)  # no public read: only signed requests
    config = _project(tmp_path / "p", s3, offload=True, access="signed")
    _deploy(config, s3, names=("static", "local"))
    assert not (config.deploy.out / "static" / "public" / "TestImg.png").exists()
    url = signed_url("TestImg.png", ttl=300, config=config, environ=s3.environ)
    assert url.startswith(f"{s3.endpoint}/{BUCKET}/buildtools-assets/")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
    fetched = http_get(url)
    assert fetched.status == 200 and fetched.body == png_bytes(40, 30)
    assert http_get(url.split("?")[0]).status == 403  # without the signature
    (config.root / "buildtools.toml").write_text(f"""\
[webapp]
extra_source_dir = "assets"
[task]
task_title = "t"
task_description = "d"
task_reward = 0.1
task_tags = "t"
[deploy.static]
bucket = "{BUCKET}"
endpoint_url = "{s3.endpoint}"
region = "us-east-1"
[assets]
access = "signed"
offload = true
""")
    for name, value in s3.environ.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(config.root.parent)  # the named project counts, not the current folder
    assert signed_url("TestImg.png", ttl=60, project=config.root).startswith(
        url.split("?")[0] + "?")
    with pytest.raises(UserError, match=r"'nope\.png' is not a file of"):
        signed_url("nope.png", config=config, environ=s3.environ)


def test_signing_without_credentials_says_what_to_set(
    tmp_path: Path, s3: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    no_aws_credentials(monkeypatch, tmp_path / "none")
    config = _project(tmp_path / "p", s3, offload=True, access="signed")
    with pytest.raises(UserError) as caught:
        signed_url("TestImg.png", config=config, environ={"PATH": "/usr/bin:/bin"})
    assert str(caught.value) == (
        "signed_url: cannot sign the URL of 'TestImg.png': Unable to locate credentials: set "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (a profile of "
        "~/.aws/credentials)")


def test_signed_without_offload_is_refused_by_the_static_architect(
    tmp_path: Path, s3: S3Server) -> None:
    config = _project(tmp_path / "p", s3, offload=False, access="signed")
    with pytest.raises(UserError) as caught:
        _deploy(config, s3, names=("static",))
    assert str(caught.value).startswith(
        'static: [assets] access = "signed" needs a server that checks tokens')
