"""[assets] access = "signed" and "unlisted" against the real servers: nginx with the
generated configuration and the secret file that install.sh writes, the heroku server.js under
node, and `buildtools serve`. Valid token 200, expired 410, tampered and missing 403, the page
and the build's own files 200 without a token; robots.txt and X-Robots-Tag everywhere; the
secret in no artifact and no archive."""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import re
import shutil
import socket
import stat
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from buildtools.assets.signing import SECRET_ENV, sign
from buildtools.assets.upload import collect_assets, copy_assets
from buildtools.config.load import Config, build_config
from buildtools.deploy.architects import PUBLIC
from buildtools.deploy.run import package
from buildtools.deploy.serve import make_server, url_of
from buildtools.errors import UserError
from buildtools.ui.terminal import Reporter
from support.bundle import FACTS, make_bundle
from support.http import free_port, http_get, wait_for_http
from support.media import png_bytes
from support.processes import stop_group

SECRET = "integration-secret_0123456789"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
ROBOTS = "noindex, nofollow"


def _config(root: Path, access: str, remote_dir: Path | None = None) -> Config:
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


def _package(root: Path, access: str, names: tuple[str, ...],
             remote_dir: Path | None = None) -> Path:
    config = _config(root, access, remote_dir)
    bundle = make_bundle(root / "dist" / "bundle")
    package(config, names, bundle_dir=bundle, bundle_key="k", node_version=FACTS.node_version,
            reporter=Reporter(out=io.StringIO(), err=io.StringIO()),
            environ={"PATH": os.environ.get("PATH", "")}, publish=False)
    return root / "dist"


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


def _assert_secret_nowhere(dist: Path) -> None:
    for path in dist.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.name.endswith(".tar.gz"):
                data = gzip.decompress(data)
            assert SECRET.encode() not in data, path


@contextlib.contextmanager
def _process(command: list[str], port: int, **popen: Any) -> Iterator[str]:
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True, **popen)
    try:
        base = f"http://127.0.0.1:{port}/"
        wait_for_http(base, proc=proc)
        yield base
    finally:
        stop_group(proc)


# ---------------------------------------------------------------- nginx


def _main_conf(path: Path, include: str) -> Path:
    prefix = path.parent
    (prefix / "tmp").mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = " ".join(f"{kind}_temp_path {prefix / 'tmp' / kind};"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    path.write_text(
        f"{user}worker_processes 1;\npid {prefix / (path.stem + '.pid')};\n"
        f"error_log {prefix / 'error.log'};\nevents {{}}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n  {temp}\n"
        f"  include {include};\n}}\n")
    return path


def _loopback(conf: str, port: int, root: Path | None = None) -> str:
    """The server block listening on 127.0.0.1:port instead of port 80 (and serving `root`)."""
    conf, count = re.subn(r"^    listen 80;\n    listen \[::\]:80;\n", "", conf, flags=re.M)
    assert count == 1
    if root is not None:
        conf = re.sub(r'^    root ".*";$', f'    root "{root}";', conf, flags=re.M)
    return conf.replace("server {\n", f"server {{\n    listen 127.0.0.1:{port};\n", 1)


def _install(artifact: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(artifact / "install.sh")], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=60)


@pytest.mark.nginx
@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
@pytest.mark.skipif(os.geteuid() != 0, reason="install.sh installs as root")
def test_nginx_enforces_tokens_with_the_secret_install_sh_writes(tmp_path: Path) -> None:
    assert NGINX is not None
    remote_dir = tmp_path / "www" / "task"
    dist = _package(tmp_path / "project", "signed", ("ec2",), remote_dir)
    _assert_secret_nowhere(dist)
    artifact = dist / "ec2"
    conf_text = (artifact / "nginx" / "task.conf").read_text()
    assert "secure_link $arg_md5,$arg_expires;" in conf_text
    signed_map = conf_text.split("map $uri")[-1]
    assert '"/TestImg.png" 1;' in signed_map and "/assets/index" not in signed_map

    prefix = tmp_path / "nginx"
    prefix.mkdir()
    sites = tmp_path / "sites"
    checked = _main_conf(prefix / "check.conf", f"{sites}/*.conf")
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
    site.write_text(_loopback((sites / "signed-task.conf").read_text(), port))
    main = _main_conf(prefix / "serve.conf", str(site))
    with _process([NGINX, "-c", str(main), "-p", str(prefix), "-g", "daemon off;"],
                  port) as base:
        _check_signed(base)


@pytest.mark.nginx
@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
def test_nginx_unlisted_and_public(tmp_path: Path) -> None:
    assert NGINX is not None
    for access in ("unlisted", "public"):
        dist = _package(tmp_path / access, access, ("ec2",))
        conf = (dist / "ec2" / "nginx" / "task.conf").read_text()
        assert "secure_link" not in conf
        assert ('add_header X-Robots-Tag "noindex, nofollow" always;' in conf) == (
            access == "unlisted")
        assert (dist / "ec2" / PUBLIC / "robots.txt").is_file() == (access == "unlisted")
        prefix = tmp_path / f"nginx-{access}"
        prefix.mkdir()
        port = free_port()
        site = prefix / "site.conf"
        site.write_text(_loopback(conf, port, dist / "ec2" / PUBLIC))
        main = _main_conf(prefix / "nginx.conf", str(site))
        with _process([NGINX, "-c", str(main), "-p", str(prefix), "-g", "daemon off;"],
                      port) as base:
            image = http_get(base + "TestImg.png")  # no token needed
            assert image.status == 200 and image.body == png_bytes()
            assert image.headers.get("X-Robots-Tag") == (ROBOTS if access == "unlisted" else None)


# ---------------------------------------------------------------- heroku server.js


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_heroku_server_enforces_tokens(tmp_path: Path) -> None:
    dist = _package(tmp_path / "project", "signed", ("heroku",))
    _assert_secret_nowhere(dist)
    app = dist / "heroku"
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1"}
    env.pop(SECRET_ENV, None)
    without = subprocess.run(["node", "server.js"], cwd=app, env=env, capture_output=True,
                             text=True, timeout=30)
    assert without.returncode == 1 and f"{SECRET_ENV} must be set" in without.stderr
    with _process(["node", "server.js"], port, cwd=app,
                  env={**env, SECRET_ENV: SECRET}) as base:
        _check_signed(base)


# ---------------------------------------------------------------- buildtools serve


def test_buildtools_serve_enforces_tokens(tmp_path: Path) -> None:
    dist = _package(tmp_path / "project", "signed", ("local",))
    _assert_secret_nowhere(dist)
    with pytest.raises(UserError, match=f"need the secret in {SECRET_ENV}"):
        make_server(dist / "local" / PUBLIC, "127.0.0.1", 0, environ={})
    server = make_server(dist / "local" / PUBLIC, "127.0.0.1", 0, environ={SECRET_ENV: SECRET})
    thread = threading.Thread(target=lambda: server.serve_forever(0.05), daemon=True)
    thread.start()
    try:
        _check_signed(url_of(server))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# ---------------------------------------------------------------- a symlinked folder


def _symlinked_artifacts(root: Path, names: tuple[str, ...]) -> Path:
    """assets/sub/{a.txt,index.html} and assets/alias -> sub, access signed, bundled as the
    bundle stage copies extra_source_dir (collect_assets, copy_assets), then packaged."""
    config = _config(root, "signed")
    (root / "assets" / "sub").mkdir(exist_ok=True)
    (root / "assets" / "sub" / "a.txt").write_text("private\n")
    (root / "assets" / "sub" / "index.html").write_text("private\n")
    (root / "assets" / "alias").symlink_to("sub")
    bundle = make_bundle(root / "dist" / "bundle")
    (bundle / "TestImg.png").unlink()
    assets = collect_assets(root / "assets")
    assert {"TestImg.png", "alias/a.txt", "sub/a.txt"} <= set(assets)
    copy_assets(assets, bundle, set(), "webapp/dist", "assets/")
    package(config, names, bundle_dir=bundle, bundle_key="k", node_version=FACTS.node_version,
            reporter=Reporter(out=io.StringIO(), err=io.StringIO()),
            environ={"PATH": os.environ.get("PATH", "")}, publish=False)
    return root / "dist"


def _check_both_signed(base: str) -> None:
    for path in ("sub/a.txt", "alias/a.txt", "sub//a.txt", "alias/./a.txt", "ALIAS/a.txt",
                 "sub/", "alias/", "alias", "sub/index.html"):  # a folder's index.html too
        refused = http_get(base + path)
        assert refused.status in (301, 403, 404) and b"private" not in refused.body, path
    for path in ("sub/a.txt", "alias/a.txt", "alias/index.html"):
        signed = http_get(base + sign(path, 300, SECRET).lstrip("/"))
        assert signed.status == 200 and signed.body == b"private\n", path


@contextlib.contextmanager
def _nginx_serving(tmp_path: Path, artifact: Path) -> Iterator[str]:
    assert NGINX is not None
    prefix = tmp_path / "nginx"
    (prefix / "buildtools").mkdir(parents=True)
    (prefix / "buildtools" / "signed-task.asset-secret").write_text(
        f'secure_link_md5 "$secure_link_expires$uri {SECRET}";\n')  # as install.sh writes it
    port = free_port()
    site = prefix / "site.conf"
    site.write_text(_loopback((artifact / "nginx" / "task.conf").read_text(), port,
                              artifact / PUBLIC))
    main = _main_conf(prefix / "nginx.conf", str(site))
    with _process([NGINX, "-c", str(main), "-p", str(prefix), "-g", "daemon off;"],
                  port) as base:
        yield base


@pytest.mark.nginx
@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
def test_a_symlinked_folder_is_signed_on_nginx(tmp_path: Path) -> None:
    dist = _symlinked_artifacts(tmp_path / "project", ("ec2",))
    assert not (dist / "ec2" / PUBLIC / "alias").is_symlink()  # a real copy
    with _nginx_serving(tmp_path, dist / "ec2") as base:
        _check_both_signed(base)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_a_symlinked_folder_is_signed_on_the_heroku_server(tmp_path: Path) -> None:
    dist = _symlinked_artifacts(tmp_path / "project", ("heroku",))
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", SECRET_ENV: SECRET}
    with _process(["node", "server.js"], port, cwd=dist / "heroku", env=env) as base:
        _check_both_signed(base)


def test_a_symlinked_folder_is_signed_on_buildtools_serve(tmp_path: Path) -> None:
    dist = _symlinked_artifacts(tmp_path / "project", ("local",))
    server = make_server(dist / "local" / PUBLIC, "127.0.0.1", 0, environ={SECRET_ENV: SECRET})
    thread = threading.Thread(target=lambda: server.serve_forever(0.05), daemon=True)
    thread.start()
    try:
        _check_both_signed(url_of(server))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# ---------------------------------------------------------------- ec2 deploy over ssh

SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if os.path.exists("/usr/sbin/sshd") else None)


@pytest.mark.nginx
@pytest.mark.skipif(NGINX is None or SSHD is None, reason="nginx and sshd are needed")
@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
@pytest.mark.skipif(os.geteuid() != 0, reason="sshd runs as root")
def test_ec2_deploy_hands_the_secret_to_install_sh_over_ssh(tmp_path: Path) -> None:
    """`deploy` copies the secret in a user-only file (never on a command line, never in the
    artifact); install.sh turns it into nginx's include file and removes the copy."""
    import getpass

    assert NGINX is not None and SSHD is not None
    keys = tmp_path / "keys"
    keys.mkdir()
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)],
                       check=True)
    (keys / "authorized_keys").write_text((keys / "client.pub").read_text())
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    sites = tmp_path / "sites"
    checked = _main_conf(prefix / "check.conf", f"{sites}/*.conf")
    wrapper = tmp_path / "nginx-wrapper"
    wrapper.write_text(f'#!/bin/sh\nif [ "$1" = -t ]; then exec {NGINX} -t -c {checked} '
                       f"-p {prefix}; fi\n")
    wrapper.chmod(0o755)
    port = free_port()
    config_file = tmp_path / "sshd_config"
    config_file.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {keys / 'host'}\n"
        f"PidFile {tmp_path / 'sshd.pid'}\nAuthorizedKeysFile {keys / 'authorized_keys'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "StrictModes no\nPermitRootLogin prohibit-password\n"
        f"SetEnv NGINX_CMD={wrapper} NGINX_SITES_DIR={sites} NGINX_CONF_DIR={prefix}\n")
    Path("/run/sshd").mkdir(exist_ok=True)
    sshd = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config_file)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    upload = Path.home() / ".buildtools-deploy" / "signed-task"
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and sshd.poll() is None:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        root = tmp_path / "project"
        remote_dir = tmp_path / "www" / "task"
        _config(root, "signed", remote_dir)  # makes webapp/ and assets/
        config = build_config(
            {"webapp": {"source": "webapp", "extra_source_dir": "assets"},
             "task": {"task_name": "signed-task", "task_title": "Signed",
                      "task_description": "d", "task_reward": 0.1, "task_tags": "t"},
             "deploy": {"ec2": {"remote_dir": str(remote_dir),
                                "host": f"{getpass.getuser()}@127.0.0.1:{port}"}},
             "assets": {"access": "signed"}},
            path=root / "buildtools.toml", root=root, source="buildtools.toml", env={})
        bundle = make_bundle(root / "dist" / "bundle")
        ssh = (f"ssh -F /dev/null -i {keys / 'client'} -o IdentitiesOnly=yes "
               "-o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o LogLevel=ERROR")
        environ = {"PATH": os.environ["PATH"], "HOME": str(Path.home()),
                   "BUILDTOOLS_SSH_COMMAND": ssh}
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
        _assert_secret_nowhere(root / "dist")
        _assert_secret_nowhere(upload)
    finally:
        sshd.terminate()
        sshd.wait(10)
        shutil.rmtree(upload, ignore_errors=True)
        Path(f"{upload}.asset-secret").unlink(missing_ok=True)
        if upload.parent.is_dir() and not any(upload.parent.iterdir()):
            upload.parent.rmdir()
