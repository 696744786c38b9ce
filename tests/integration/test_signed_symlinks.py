"""[assets] access = "signed" over a symlinked folder of extra_source_dir: the copy the bundle
makes is signed under both names, on nginx, the heroku server and `buildtools serve`; no path
spelling reaches a file without a token."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from buildtools.assets.signing import SECRET_ENV, sign
from buildtools.assets.upload import collect_assets, copy_assets
from buildtools.deploy.architects import PUBLIC
from buildtools.deploy.run import package
from buildtools.deploy.serve import make_server, url_of
from buildtools.ui.terminal import Reporter
from support.bundle import FACTS, make_bundle
from support.http import free_port, http_get, server_process, serving
from support.nginx import NGINX, loopback, nginx_main_conf
from support.signed import SECRET, signed_config


def _symlinked_artifacts(root: Path, names: tuple[str, ...]) -> Path:
    """assets/sub/{a.txt,index.html} and assets/alias -> sub, access signed, bundled as the
    bundle stage copies extra_source_dir (collect_assets, copy_assets), then packaged."""
    config = signed_config(root, "signed")
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
    site.write_text(loopback((artifact / "nginx" / "task.conf").read_text(), port,
                              artifact / PUBLIC))
    main = nginx_main_conf(prefix / "nginx.conf", str(site))
    with server_process([NGINX, "-c", str(main), "-p", str(prefix), "-g", "daemon off;"],
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
    with server_process(["node", "server.js"], port, cwd=dist / "heroku", env=env) as base:
        _check_both_signed(base)


def test_a_symlinked_folder_is_signed_on_buildtools_serve(tmp_path: Path) -> None:
    dist = _symlinked_artifacts(tmp_path / "project", ("local",))
    with serving(make_server(dist / "local" / PUBLIC, "127.0.0.1", 0,
                             environ={SECRET_ENV: SECRET})) as server:
        _check_both_signed(url_of(server))


