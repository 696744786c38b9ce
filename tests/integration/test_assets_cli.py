"""The real `buildtools assets` command and its line in `buildtools doctor`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.integration.conftest import Tiny



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
