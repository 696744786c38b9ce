"""The real `buildtools assets` command and its line in `buildtools doctor`."""

from __future__ import annotations

import json
import os
import re

import pytest

from support.projects import Tiny


@pytest.mark.integration
def test_buildtools_assets_prints_the_trade_off(tiny: Tiny) -> None:
    data = json.loads(tiny.run("assets", "--json").stdout)
    assert data["files"] == 1 and data["total_bytes"] == len("an asset\n")
    assert data["largest"] == [["note.txt", 9]]
    assert data["access"] == "unlisted" and data["recommendation"]
    text = tiny.run("assets").stdout
    assert text.splitlines()[0].endswith("assets: 1 file(s), 0.0 KB")
    assert 'access = "unlisted"' in text and "recommendation: " in text
    doctor = tiny.run("doctor", code=None).stdout
    assert 'assets  ' in doctor and '1 file(s), 0.0 KB, uploaded, access = "unlisted"' in doctor


@pytest.mark.integration
def test_a_bad_assets_table_is_one_error_line(tiny: Tiny) -> None:
    toml = tiny.root / "buildtools.toml"
    toml.write_text(toml.read_text() + '\n[assets]\naccess = "secret"\n')
    result = tiny.run("assets", code=1)
    assert result.stderr.strip() == (
        "error: buildtools.toml: [assets] access must be one of public, unlisted, signed, "
        "got 'secret'")


@pytest.mark.integration
def test_assets_judges_the_slug_limit_as_deploy_heroku_will_measure(tiny: Tiny) -> None:
    """The artifact packaged before a big asset came is small; `buildtools assets` says what
    `deploy heroku` will then find: over the limit."""
    toml = tiny.root / "buildtools.toml"
    toml.write_text(toml.read_text() + '\n[deploy]\narchitects = ["heroku"]\n'
                    "[deploy.heroku]\nmax_slug_mb = 1\n")
    tiny.run("deploy", "heroku")
    (tiny.root / "assets" / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    heroku = json.loads(tiny.run("assets", "--json").stdout)["architects"][0]
    packaged = sum(path.stat().st_size for path in (tiny.root / "dist" / "heroku").rglob("*")
                   if path.is_file() and ".git" not in path.parts)
    assert packaged < 1024 * 1024  # dist/heroku, packaged before the big asset came
    assert heroku["within_limit"] is False
    line = tiny.run("deploy", "heroku", code=1).stderr.strip()
    measured = re.search(r"the artifact is ([\d.]+) MB, over", line)
    assert measured is not None, line
    assert f"{heroku['estimated_bytes'] / 1024 / 1024:.1f}" == measured.group(1)
