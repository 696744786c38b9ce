"""npm's version ranges (package.json engines.node) and the [webapp] node setting.

The range grammar is node-semver's, through the `node-semver` package (a port of npm's own
library): comparators, x/X/* wildcards, partial versions, tilde, caret, hyphen ranges, AND and
`||`, prerelease tags with npm's rules. It replaced a hand-written subset that took prerelease
bounds for release ones ("1 - 2.4.3-pre" held 2.4.3) and accepted leading zeros; the figures and
the table of npm's own cases: docs/BENCHMARKS.md, tests/unit/node/test_semver_npm.py.
nodesemver is imported on first use: the no-op build never compares versions.
"""

from __future__ import annotations

import re

# [webapp] node: a provider, or the exact version to download with nodeenv
NODE_PROVIDERS = ("auto", "system", "wheel")
EXACT_VERSION = re.compile(r"^v?(\d+\.\d+\.\d+)$")
NODE_SETTINGS = '"auto", "system", "wheel" or a Node version like "20.11.1"'
_VERSION = re.compile(r"^\s*v?(\d+)\.(\d+)\.(\d+)")


def is_node_setting(value: str) -> bool:
    value = value.strip()
    return value in NODE_PROVIDERS or EXACT_VERSION.match(value) is not None


class RangeError(ValueError):
    """The text is not an npm semver range."""


def parse_version(text: str) -> tuple[int, int, int]:
    """'v20.20.2' or '20.20.2' (a prerelease suffix is ignored) -> (20, 20, 2)."""
    match = _VERSION.match(text)
    if match is None:
        raise ValueError(f"not a version: {text!r}")
    return (int(match[1]), int(match[2]), int(match[3]))


def check_range(spec: str) -> None:
    """Raises RangeError when `spec` is not an npm range."""
    import nodesemver

    try:
        nodesemver.Range(spec, False)
    except (ValueError, TypeError):
        raise RangeError(f"{spec!r} is not a valid version range") from None


def satisfies(version: str, spec: str) -> bool:
    """Whether `version` satisfies the npm range `spec`, as npm decides. Raises RangeError."""
    import nodesemver

    check_range(spec)
    return bool(nodesemver.satisfies(version, spec, loose=False))


def newest_satisfying(versions: list[str], spec: str | None) -> str | None:
    """The newest of `versions` that satisfies `spec` (any, when None). Raises RangeError."""
    import nodesemver

    if spec is None:
        spec = "*"
    check_range(spec)
    found = nodesemver.max_satisfying(versions, spec, loose=False)
    return None if found is None else str(found)
