"""[assets] access = "signed" and "unlisted" against the real servers: nginx with the
generated configuration and the secret file that install.sh writes, the heroku server.js under
node, and `buildtools serve`. Valid token 200, expired 410, tampered and missing 403, the page
and the build's own files 200 without a token; robots.txt and X-Robots-Tag everywhere; the
secret in no artifact and no archive."""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest

from buildtools.assets.signing import SECRET_ENV, sign
from buildtools.config.load import build_config
from buildtools.deploy.architects import PUBLIC
from buildtools.deploy.run import package
from buildtools.deploy.serve import make_server, url_of
from buildtools.errors import UserError
from buildtools.ui.terminal import Reporter
from support.bundle import FACTS, make_bundle
from support.http import free_port, http_get, server_process, serving
from support.media import png_bytes
from support.nginx import NGINX, loopback, nginx_main_conf
from support.signed import SECRET, assert_secret_nowhere, package_signed, signed_config
from support.sshd import SSHD, local_sshd, remove_upload

ROBOTS = "noindex, nofollow"


def _check_signed(base: str) -> None:
    image = png_bytes()
    valid = http_get(base + sign("TestImg.png", 300, SECRET).lstrip("/"))
    assert valid.status == 200 and valid.body == image
    assert valid.headers["X-Robots-Tag"] == ROBOTS
    expired = http_get(
        base + sign("TestImg.png", 60, SECRET, now=time.time() - 600).lstrip("/"))
    assert expired.status == 410
    good = sign("TestImg.png", 300, SECRET).lstrip("/")
    token = re.search(r"md5=([^&]+)", good)
    assert token is not None
    flipped = ("B" if token.group(1)[0] == "A" else "A") + token.group(1)[1:]
    tampered = http_get(base + good.replace(token.group(1), flipped))
    other_secret = http_get(
        base + sign("TestImg.png", 300, "another-secret-0123456").lstrip("/"))
    missing = http_get(base + "TestImg.png")
    half = http_get(base + good.split("&")[0])
    for refused in (tampered, other_secret, missing, half):
        assert refused.status == 403
        assert b"TestImg" not in refused.body and image not in refused.body
        assert refused.headers["X-Robots-Tag"] == ROBOTS
    page = http_get(base)
    assert page.status == 200 and b'id="task-title"' in page.body
    assert page.headers["X-Robots-Tag"] == ROBOTS
    assert http_get(base + FACTS.hashed_js).status == 200
    assert http_get(base + "task_config.json").status == 200
    robots = http_get(base + "robots.txt")
    assert robots.status == 200 and b"User-agent: *\nDisallow: /\n" in robots.body


# ---------------------------------------------------------------- nginx


def _install(artifact: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(artifact / "install.sh")], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=60)


@pytest.mark.nginx
@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
@pytest.mark.skipif(os.geteuid() != 0, reason="install.sh installs as root")
def test_nginx_enforces_tokens_with_the_secret_install_sh_writes(tmp_path: Path) -> None:
    assert NGINX is not None
    remote_dir = tmp_path / "www" / "task"
    dist = package_signed(tmp_path / "project", "signed", ("ec2",), remote_dir)
    assert_secret_nowhere(dist)
    artifact = dist / "ec2"
    conf_text = (artifact / "nginx" / "task.conf").read_text()
    assert "secure_link $arg_md5,$arg_expires;" in conf_text
    signed_map = conf_text.split("map $uri")[-1]
    assert '"/TestImg.png" 1;' in signed_map and "/assets/index" not in signed_map

    prefix = tmp_path / "nginx"
    prefix.mkdir()
    sites = tmp_path / "sites"
    checked = nginx_main_conf(prefix / "check.conf", f"{sites}/*.conf")
    wrapper = tmp_path / "nginx-wrapper"
    calls = tmp_path / "calls.log"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n'
                       f'if [ "$1" = -t ]; then exec {NGINX} -t -c {checked} -p {prefix}; fi\n')
    wrapper.chmod(0o755)
    env = {"NGINX_CMD": str(wrapper), "NGINX_SITES_DIR": str(sites), "NGINX_CONF_DIR": str(prefix)}

    refused = _install(artifact, env)  # no secret, no earlier one: nothing changes
    assert refused.returncode == 1
    assert f"needs {SECRET_ENV}" in refused.stderr and not remote_dir.exists()

    done = _install(artifact, {**env, SECRET_ENV: SECRET})
    assert done.returncode == 0, done.stdout + done.stderr
    secret_file = prefix / "buildtools" / "signed-task.asset-secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert secret_file.read_text() == f'secure_link_md5 "$secure_link_expires$uri {SECRET}";\n'
    assert calls.read_text().splitlines() == ["-t", "-s reload"]

    again = _install(artifact, env)  # a re-install without the secret keeps the installed one
    assert again.returncode == 0, again.stderr
    assert SECRET in secret_file.read_text()

    # serve the installed configuration on loopback (same folder, so the include resolves)
    port = free_port()
    site = prefix / "loopback-site.conf"
    site.write_text(loopback((sites / "signed-task.conf").read_text(), port))
    main = nginx_main_conf(prefix / "serve.conf", str(site))
    with server_process([NGINX, "-c", str(main), "-p", str(prefix), "-g", "daemon off;"],
                  port) as base:
        _check_signed(base)


@pytest.mark.nginx
@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
def test_nginx_unlisted_and_public(tmp_path: Path) -> None:
    assert NGINX is not None
    for access in ("unlisted", "public"):
        dist = package_signed(tmp_path / access, access, ("ec2",))
        conf = (dist / "ec2" / "nginx" / "task.conf").read_text()
        assert "secure_link" not in conf
        assert ('add_header X-Robots-Tag "noindex, nofollow" always;' in conf) == (
            access == "unlisted")
        assert (dist / "ec2" / PUBLIC / "robots.txt").is_file() == (access == "unlisted")
        prefix = tmp_path / f"nginx-{access}"
        prefix.mkdir()
        port = free_port()
        site = prefix / "site.conf"
        site.write_text(loopback(conf, port, dist / "ec2" / PUBLIC))
        main = nginx_main_conf(prefix / "nginx.conf", str(site))
        with server_process([NGINX, "-c", str(main), "-p", str(prefix), "-g", "daemon off;"],
                      port) as base:
            image = http_get(base + "TestImg.png")  # no token needed
            assert image.status == 200 and image.body == png_bytes()
            assert image.headers.get("X-Robots-Tag") == (ROBOTS if access == "unlisted" else None)


# ---------------------------------------------------------------- heroku server.js


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_heroku_server_enforces_tokens(tmp_path: Path) -> None:
    dist = package_signed(tmp_path / "project", "signed", ("heroku",))
    assert_secret_nowhere(dist)
    app = dist / "heroku"
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1"}
    env.pop(SECRET_ENV, None)
    without = subprocess.run(["node", "server.js"], cwd=app, env=env, capture_output=True,
                             text=True, timeout=30)
    assert without.returncode == 1 and f"{SECRET_ENV} must be set" in without.stderr
    with server_process(["node", "server.js"], port, cwd=app,
                  env={**env, SECRET_ENV: SECRET}) as base:
        _check_signed(base)


# ---------------------------------------------------------------- buildtools serve


def test_buildtools_serve_enforces_tokens(tmp_path: Path) -> None:
    dist = package_signed(tmp_path / "project", "signed", ("local",))
    assert_secret_nowhere(dist)
    with pytest.raises(UserError, match=f"need the secret in {SECRET_ENV}"):
        make_server(dist / "local" / PUBLIC, "127.0.0.1", 0, environ={})
    with serving(make_server(dist / "local" / PUBLIC, "127.0.0.1", 0,
                             environ={SECRET_ENV: SECRET})) as server:
        _check_signed(url_of(server))


# ---------------------------------------------------------------- ec2 deploy over ssh



@pytest.mark.nginx
@pytest.mark.skipif(NGINX is None or SSHD is None, reason="nginx and sshd are needed")
@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
@pytest.mark.skipif(os.geteuid() != 0, reason="sshd runs as root")
def test_ec2_deploy_hands_the_secret_to_install_sh_over_ssh(tmp_path: Path) -> None:
    """`deploy` copies the secret in a user-only file (never on a command line, never in the
    artifact); install.sh turns it into nginx's include file and removes the copy."""
    assert NGINX is not None
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    sites = tmp_path / "sites"
    checked = nginx_main_conf(prefix / "check.conf", f"{sites}/*.conf")
    wrapper = tmp_path / "nginx-wrapper"
    wrapper.write_text(f'#!/bin/sh\nif [ "$1" = -t ]; then exec {NGINX} -t -c {checked} '
                       f"-p {prefix}; fi\n")
    wrapper.chmod(0o755)
    upload = Path.home() / ".buildtools-deploy" / "signed-task"
    set_env = f"NGINX_CMD={wrapper} NGINX_SITES_DIR={sites} NGINX_CONF_DIR={prefix}"
    try:
        with local_sshd(tmp_path / "sshd", set_env) as ssh:
            root = tmp_path / "project"
            remote_dir = tmp_path / "www" / "task"
            signed_config(root, "signed", remote_dir)  # makes webapp/ and assets/
            config = build_config(
                {"webapp": {"source": "webapp", "extra_source_dir": "assets"},
                 "task": {"task_name": "signed-task", "task_title": "Signed",
                          "task_description": "d", "task_reward": 0.1, "task_tags": "t"},
                 "deploy": {"ec2": {"remote_dir": str(remote_dir), "host": ssh.host}},
                 "assets": {"access": "signed"}},
                path=root / "buildtools.toml", root=root, source="buildtools.toml", env={})
            bundle = make_bundle(root / "dist" / "bundle")
            environ = ssh.environ()
            reporter = Reporter(out=io.StringIO(), err=io.StringIO())

            def deploy(env: dict[str, str]) -> None:
                package(config, ["ec2"], bundle_dir=bundle, bundle_key="k", force=True,
                        node_version=FACTS.node_version, reporter=reporter, environ=env)

            with pytest.raises(UserError, match=f"need the secret in {SECRET_ENV}"):
                deploy(environ)
            deploy({**environ, SECRET_ENV: SECRET})
            secret_file = prefix / "buildtools" / "signed-task.asset-secret"
            assert SECRET in secret_file.read_text()
            assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
            assert not Path(f"{upload}.asset-secret").exists()  # the copy was removed
            assert (remote_dir / "TestImg.png").read_bytes() == png_bytes()
            assert_secret_nowhere(root / "dist")
            assert_secret_nowhere(upload)
    finally:
        remove_upload("signed-task")
