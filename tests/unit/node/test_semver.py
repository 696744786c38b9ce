"""npm's version ranges, as engines.node uses them."""

from __future__ import annotations

import pytest

from buildtools.node.semver import RangeError, check_range, parse_version, satisfies

SATISFIES = [
    # (version, range, expected)
    ("20.20.2", ">=18", True),
    ("17.9.1", ">=18", False),
    ("18.0.0", ">=18", True),
    ("20.20.2", ">=22", False),
    ("24.19.0", ">=22", True),
    ("20.0.0", ">20", False),
    ("20.0.1", ">20.0.0", True),
    ("20.5.0", ">20", False),  # >20 means >=21.0.0
    ("21.0.0", ">20", True),
    ("20.99.0", ">20.5", True),
    ("20.5.9", ">20.5", False),
    ("20.9.9", "<=20", True),
    ("21.0.0", "<=20", False),
    ("20.5.9", "<=20.5", True),
    ("20.6.0", "<=20.5", False),
    ("19.9.9", "<20", True),
    ("20.0.0", "<20", False),
    ("20.4.9", "<20.5", True),
    ("20.5.0", "<20.5", False),
    ("20.11.1", "=20.11.1", True),
    ("20.11.2", "20.11.1", False),
    ("20.11.1", "v20.11.1", True),
    ("20.11.1", "=20", True),
    ("21.0.0", "=20", False),
    # partial versions and wildcards
    ("18.19.0", "18", True),
    ("19.0.0", "18", False),
    ("18.2.5", "18.2", True),
    ("18.3.0", "18.2", False),
    ("18.2.5", "18.x", True),
    ("18.2.5", "18.X.x", True),
    ("18.2.5", "18.*", True),
    ("19.0.0", "18.x", False),
    ("0.0.1", "*", True),
    ("99.0.0", "x", True),
    ("1.2.3", "", True),
    ("18.2.5", "18.2.x", True),
    ("18.3.0", "18.2.x", False),
    ("18.2.5", ">=18.x", True),
    ("1.0.0", "<*", False),
    ("1.0.0", ">*", False),
    ("1.0.0", ">=*", True),
    # tilde
    ("1.2.3", "~1.2.3", True),
    ("1.2.9", "~1.2.3", True),
    ("1.3.0", "~1.2.3", False),
    ("1.2.2", "~1.2.3", False),
    ("1.9.0", "~1", True),
    ("2.0.0", "~1", False),
    ("1.2.0", "~1.2", True),
    ("1.3.0", "~1.2", False),
    ("0.2.5", "~0.2.3", True),
    ("0.3.0", "~0.2.3", False),
    ("1.2.4", "~>1.2.3", True),
    # caret
    ("1.9.9", "^1.2.3", True),
    ("2.0.0", "^1.2.3", False),
    ("1.2.2", "^1.2.3", False),
    ("0.2.9", "^0.2.3", True),
    ("0.3.0", "^0.2.3", False),
    ("0.0.3", "^0.0.3", True),
    ("0.0.4", "^0.0.3", False),
    ("0.9.0", "^0.x", True),
    ("1.0.0", "^0.x", False),
    ("0.0.9", "^0.0", True),
    ("0.1.0", "^0.0", False),
    ("0.0.9", "^0.0.x", True),
    ("0.1.0", "^0.0.x", False),
    ("1.5.0", "^1.2.x", True),
    ("2.0.0", "^1.x", False),
    ("20.1.0", "^20", True),
    ("21.0.0", "^20", False),
    ("20.1.0", "^ 20", True),
    # hyphen ranges
    ("1.2.3", "1.2.3 - 2.3.4", True),
    ("2.3.4", "1.2.3 - 2.3.4", True),
    ("2.3.5", "1.2.3 - 2.3.4", False),
    ("1.2.0", "1.2 - 2.3.4", True),
    ("1.1.9", "1.2 - 2.3.4", False),
    ("2.3.9", "1.2.3 - 2.3", True),
    ("2.4.0", "1.2.3 - 2.3", False),
    ("3.9.9", "1.2 - 3", True),
    ("4.0.0", "1.2 - 3", False),
    ("1.1.0", "1.2 - 3", False),
    # AND, OR
    ("18.5.0", ">=18 <19", True),
    ("19.0.0", ">=18 <19", False),
    ("18.5.0", ">= 18 < 19", True),
    ("20.20.2", "^18.17.0 || >=20.3.0", True),
    ("19.0.0", "^18.17.0 || >=20.3.0", False),
    ("18.17.0", "^18.17.0 || >=20.3.0", True),
    ("16.0.0", "14 || 16 || 18", True),
    ("17.0.0", "14 || 16 || 18", False),
    ("20.0.0", "1.2.3 - 2.3.4 || >=20", True),
    ("22.1.0", ">=18.0.0 <21.0.0 || >=22", True),
    ("21.5.0", ">=18.0.0 <21.0.0 || >=22", False),
    # prerelease and build tags in the range are ignored
    ("20.0.0", ">=20.0.0-rc.1", True),
    ("20.0.0", "^20.0.0+build.5", True),
]


@pytest.mark.parametrize(("version", "spec", "expected"), SATISFIES)
def test_satisfies(version: str, spec: str, expected: bool) -> None:
    assert satisfies(version, spec) is expected


@pytest.mark.parametrize("spec", ["latest", ">=abc", "1.2.3.4", "^^1", ">=18 ||| <3", "node"])
def test_invalid_ranges(spec: str) -> None:
    with pytest.raises(RangeError, match="is not a valid version range"):
        check_range(spec)


def test_parse_version() -> None:
    assert parse_version("v20.20.2") == (20, 20, 2)
    assert parse_version("24.0.0-nightly2024") == (24, 0, 0)
    with pytest.raises(ValueError):
        parse_version("twenty")
