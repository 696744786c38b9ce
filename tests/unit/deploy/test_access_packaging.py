"""What the [assets] access mode changes in the artifacts (no server is started here)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from buildtools.assets.access import AccessPolicy, read_policy
from buildtools.config.load import build_config
from buildtools.deploy.run import package
from buildtools.errors import UserError
from buildtools.ui.terminal import Reporter
from support.bundle import FACTS, make_bundle
from support.media import png_bytes


def _package(root: Path, access: str, names: tuple[str, ...], extra: str = "TestImg.png",
             robots: bytes | None = None) -> tuple[Path, str, str]:
    (root / "webapp").mkdir(parents=True, exist_ok=True)
    (root / "assets").mkdir(exist_ok=True)
    (root / "assets" / extra).write_bytes(png_bytes())
    raw = {
        "webapp": {"source": "webapp", "extra_source_dir": "assets"},
        "task": {"task_name": "t", "task_title": "T", "task_description": "d",
                 "task_reward": 0.1, "task_tags": "t"},
        "assets": {"access": access},
    }
    config = build_config(raw, path=root / "buildtools.toml", root=root,
                          source="buildtools.toml", env={})
    files = {extra: png_bytes(), **({"robots.txt": robots} if robots is not None else {})}
    bundle = make_bundle(root / "dist" / "bundle", extra_files=files)
    out, err = io.StringIO(), io.StringIO()
    package(config, names, bundle_dir=bundle, bundle_key="k", node_version=FACTS.node_version,
            reporter=Reporter(out=out, err=err), environ={}, publish=False)
    return root / "dist", re.sub(r" {2,}", " ", out.getvalue()), err.getvalue()


def test_unlisted_is_the_default_everywhere(tmp_path: Path) -> None:
    dist, _out, _err = _package(tmp_path, "unlisted", ("local", "heroku", "ec2", "static"))
    for name in ("local", "heroku", "ec2", "static"):
        robots = (dist / name / "public" / "robots.txt").read_text()
        assert robots.endswith("User-agent: *\nDisallow: /\n")
    assert "X-Robots-Tag: noindex, nofollow" in (dist / "static/public/_headers").read_text()
    assert '"X-Robots-Tag": "noindex, nofollow"' in (dist / "heroku/server.js").read_text()
    assert read_policy(dist / "local") == AccessPolicy("unlisted", ())


def test_public_has_no_robots_file_nor_header(tmp_path: Path) -> None:
    dist, _out, _err = _package(tmp_path, "public", ("local", "heroku", "static"))
    for name in ("local", "heroku", "static"):
        assert not (dist / name / "public" / "robots.txt").exists()
    assert "X-Robots-Tag" not in (dist / "static/public/_headers").read_text()
    assert "X-Robots-Tag" not in (dist / "heroku/server.js").read_text()


def test_signed_lists_only_the_extra_source_dir_files(tmp_path: Path) -> None:
    dist, _out, _err = _package(tmp_path, "signed", ("local", "heroku"))
    assert read_policy(dist / "local") == AccessPolicy("signed", ("/TestImg.png",))
    assert 'const SIGNED = new Set(["/TestImg.png"])' in (dist / "heroku/server.js").read_text()


def test_a_bundle_robots_txt_is_replaced_with_a_warning(tmp_path: Path) -> None:
    dist, _out, err = _package(tmp_path, "unlisted", ("local",), robots=b"User-agent: *\n")
    assert "Disallow: /" in (dist / "local/public/robots.txt").read_text()
    assert "warning: the bundle's robots.txt is replaced by one that disallows crawling" in err


def test_a_file_name_nginx_cannot_hold_is_refused_when_signed(tmp_path: Path) -> None:
    with pytest.raises(UserError) as caught:
        _package(tmp_path, "signed", ("ec2",), extra='a"b.png')
    assert str(caught.value).startswith(
        "extra_source_dir: 'a\"b.png' cannot be listed in an nginx configuration")


def test_changing_the_access_mode_repackages(tmp_path: Path) -> None:
    _package(tmp_path, "unlisted", ("local",))
    _dist, out, _err = _package(tmp_path, "signed", ("local",))
    assert "package/local runs because the [assets] settings changed" in out
    _dist, out, _err = _package(tmp_path, "signed", ("local",))
    assert "package/local up to date" in out
