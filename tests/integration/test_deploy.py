"""The artifacts with the real things: Node running the heroku app, nginx serving the ec2
configuration, sshd + rsync + install.sh, Chromium loading the pages, and `deploy` over a real
npm build of the template webapp."""

from __future__ import annotations

import gzip
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from buildtools.config.load import load_config
from buildtools.deploy.architects import PUBLIC
from buildtools.deploy.cache_policy import IMMUTABLE
from buildtools.deploy.run import deploy, package
from buildtools.ui.terminal import Reporter
from support.browser import Browser
from support.bundle import FACTS, BundleFacts, make_bundle, make_config
from support.http import free_port, http_get, server_process
from support.nginx import NGINX, loopback, nginx_main_conf
from support.processes import stop_group
from support.projects import Project
from support.sshd import SSHD, local_sshd, remove_upload


def _packaged(root: Path, names: tuple[str, ...], deploy_settings: dict[str, object],
              node_version: str) -> Path:
    config = make_config(root, deploy_settings)
    bundle = make_bundle(root / "dist" / "bundle")
    (bundle / ".hidden").write_text("mine\n")  # a dotfile: never served
    package(
        config,
        names,
        bundle_dir=bundle,
        bundle_key="k",
        node_version=node_version,
        reporter=Reporter(out=io.StringIO()),
        environ={"PATH": os.environ.get("PATH", "")},
        publish=False,
    )
    return root / "dist"


def _check_cache_policy(base: str, facts: BundleFacts = FACTS) -> None:
    index = http_get(base)
    assert index.status == 200 and b'id="task-title"' in index.body
    assert index.headers["Cache-Control"] == "no-cache"
    assert index.headers["Content-Type"].startswith("text/html")
    assert http_get(base + "index.html").headers["Cache-Control"] == "no-cache"
    config = http_get(base + "task_config.json")
    assert config.status == 200 and config.headers["Cache-Control"] == "no-cache"
    assert config.headers["Content-Type"].startswith("application/json")
    for hashed in (facts.hashed_js, facts.hashed_css):
        response = http_get(base + hashed)
        assert response.status == 200, hashed
        assert response.headers["Cache-Control"] == IMMUTABLE, hashed
    assert http_get(base + facts.hashed_js).headers["Content-Type"].split(";")[0] in (
        "text/javascript",
        "application/javascript",
    )
    image = http_get(base + "TestImg.png")  # an extra_source_dir file: not immutable
    assert image.status == 200 and image.headers["Content-Type"] == "image/png"
    assert image.headers["Cache-Control"] == "no-cache"
    assert index.headers["X-Content-Type-Options"] == "nosniff"
    assert index.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors" in index.headers["Content-Security-Policy"]
    assert index.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert http_get(base + ".hidden").status in (403, 404)
    assert http_get(base + "assets/missing-B9jXQm3a.js").status == 404
    zipped = http_get(base + facts.hashed_js, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert b"task_config.json" in gzip.decompress(zipped.body)


# ---------------------------------------------------------------- heroku


@pytest.fixture(scope="module")
def heroku_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed")
    root = tmp_path_factory.mktemp("heroku")
    dist = _packaged(root / "task", ("heroku",), {}, FACTS.node_version)
    app = root / "copy"
    shutil.copytree(dist / "heroku", app)
    subprocess.run(["npm", "install", "--omit=dev"], cwd=app, check=True, capture_output=True)
    assert not (app / "node_modules").exists() or not any((app / "node_modules").iterdir())
    procfile = (app / "Procfile").read_text().strip()
    assert procfile.startswith("web: ")
    port = free_port()
    command = shlex.split(procfile[len("web: ") :])
    with server_process(command, port, cwd=app,
                 env={**os.environ, "PORT": str(port)}) as base:
        yield base


def test_heroku_app_serves_with_the_cache_policy(heroku_app: str) -> None:
    _check_cache_policy(heroku_app)
    assert http_get(heroku_app + "some/client/route").body.startswith(b"<!doctype html>")
    assert http_get(heroku_app + "%2e%2e/package.json").status == 404
    assert http_get(heroku_app + "..%2fserver.js").status == 404


@pytest.mark.browser
def test_heroku_app_renders_in_chromium(heroku_app: str, browser: Browser) -> None:
    browser.assert_task_rendered(heroku_app, FACTS.title)


# ---------------------------------------------------------------- ec2 / nginx


@pytest.fixture(scope="module")
def nginx_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if NGINX is None:
        pytest.skip("nginx is not installed")
    root = tmp_path_factory.mktemp("ec2")
    dist = _packaged(root / "task", ("ec2",), {"ec2": {"server_name": "_"}}, FACTS.node_version)
    generated = (dist / "ec2" / "nginx" / "task.conf").read_text()
    port = free_port()
    prefix = root / "nginx"
    prefix.mkdir()
    site = prefix / "task.conf"
    site.write_text(loopback(generated, port, dist / "ec2" / PUBLIC))
    main = nginx_main_conf(prefix / "nginx.conf", str(site))
    test = subprocess.run(
        [NGINX, "-t", "-c", str(main), "-p", str(prefix)], capture_output=True, text=True
    )
    assert test.returncode == 0, test.stderr
    assert "test is successful" in test.stderr
    command = [NGINX, "-c", str(main), "-p", str(prefix), "-g", "daemon off;"]
    with server_process(command, port) as base:
        yield base


@pytest.mark.nginx
def test_nginx_serves_with_the_cache_policy(nginx_site: str) -> None:
    _check_cache_policy(nginx_site)
    assert http_get(nginx_site + ".hidden").status == 403
    assert http_get(nginx_site + "assets/.hidden").status == 403
    assert http_get(nginx_site + "assets/").status in (403, 404)  # no listing
    route = http_get(nginx_site + "some/client/route")
    assert route.status == 200 and route.body.startswith(b"<!doctype html>")
    assert route.headers["Cache-Control"] == "no-cache"


@pytest.mark.nginx
@pytest.mark.browser
def test_nginx_page_renders_in_chromium(nginx_site: str, browser: Browser) -> None:
    browser.assert_task_rendered(nginx_site, FACTS.title)


@pytest.mark.nginx
@pytest.mark.skipif(SSHD is None, reason="openssh-server (sshd) is not installed")
@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
@pytest.mark.skipif(os.geteuid() != 0, reason="the sshd test runs sshd as root")
def test_ec2_deploy_over_real_ssh_and_rsync(tmp_path: Path) -> None:
    """deploy copies the artifact to a real sshd on 127.0.0.1 with rsync and runs install.sh,
    which installs the files and the nginx configuration and runs nginx -t."""
    assert NGINX is not None
    sites = tmp_path / "sites"
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    main = nginx_main_conf(prefix / "nginx.conf", f"{sites}/*.conf")
    calls = tmp_path / "nginx-calls.log"
    wrapper = tmp_path / "nginx-wrapper"
    # nginx -t checks the installed configuration for real; reload is only recorded, so that no
    # server binds port 80 on this machine.
    wrapper.write_text(
        f'#!/bin/sh\necho "$*" >> {calls}\n'
        f'if [ "$1" = -t ]; then exec {NGINX} -t -c {main} -p {prefix}; fi\n'
    )
    wrapper.chmod(0o755)
    remote_dir = tmp_path / "www" / "task"
    try:
        with local_sshd(tmp_path / "sshd", f"NGINX_CMD={wrapper} NGINX_SITES_DIR={sites}") as ssh:
            root = tmp_path / "project"
            config = make_config(root, {"ec2": {"host": ssh.host, "remote_dir": str(remote_dir)}})
            bundle = make_bundle(root / "dist" / "bundle")

            def publish() -> str:
                out = io.StringIO()
                package(config, ["ec2"], bundle_dir=bundle, bundle_key="k",
                        node_version=FACTS.node_version, reporter=Reporter(out=out),
                        environ=ssh.environ())
                return re.sub(r" {2,}", " ", out.getvalue())

            said = publish()
            assert "publish/ec2 runs because it has not run here before" in said
            assert f"installed on {ssh.host.split(':')[0]} in {remote_dir}" in said
            for name in ("index.html", FACTS.hashed_js, "TestImg.png", "task_config.json"):
                assert (remote_dir / name).read_bytes() == (bundle / name).read_bytes()
            installed = (sites / "picture-task.conf").read_text()
            assert installed == (root / "dist" / "ec2" / "nginx" / "task.conf").read_text()
            assert calls.read_text().splitlines() == ["-t", "-s reload"]
            # the same artifact again: nothing to copy
            assert "publish/ec2 up to date" in publish()
    finally:
        remove_upload("picture-task")


# ---------------------------------------------------------------- deploy over a real build


@pytest.mark.needs("npm")
@pytest.mark.browser
def test_deploy_real_build_serves_the_react_app_and_is_reproducible(
    project: Project, browser: Browser
) -> None:
    config = load_config(project.root, env={})
    out = io.StringIO()
    folders = deploy(config, force=False, reporter=Reporter(out=out), environ=dict(os.environ))
    assert sorted(folders) == ["ec2", "heroku", "local", "static"]
    dist = project.root / "dist"
    package_json = (dist / "heroku" / "package.json").read_text()
    assert re.search(r'"engines": \{\n    "node": "\d+\.x"\n  \}', package_json), package_json
    first = {name: (dist / f"{name}.tar.gz").read_bytes() for name in folders}

    again = io.StringIO()
    deploy(config, reporter=Reporter(out=again), environ=dict(os.environ))
    said = re.sub(r" {2,}", " ", again.getvalue())
    for name in folders:
        assert f"package/{name} up to date" in said, said

    shutil.rmtree(dist)
    deploy(config, reporter=Reporter(out=io.StringIO()), environ=dict(os.environ))
    assert first == {name: (dist / f"{name}.tar.gz").read_bytes() for name in folders}

    proc = subprocess.Popen(
        [sys.executable, "-m", "buildtools.ui.devserver", str(dist / "local" / PUBLIC),
         "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split(" at ")[1].split(" ")[0]
        browser.assert_task_rendered(url, "Rate the picture")
    finally:
        stop_group(proc)
