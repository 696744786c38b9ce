"""npm-style semver ranges (package.json engines.node), for release versions only.

Supports what node-semver calls ranges: comparators (>=, <=, >, <, =), x/X/* wildcards,
partial versions ("18", "18.2"), tilde, caret, hyphen ranges ("1.2 - 3"), space-separated
AND and `||`. Prerelease and build tags are accepted and ignored: Node releases have none.
"""

from __future__ import annotations

import re

Version = tuple[int, int, int]
Comparator = tuple[str, Version]
# One AND-set of comparators; a range is an OR of these.
ComparatorSet = tuple[Comparator, ...]

# [webapp] node: a provider, or the exact version to download with nodeenv
NODE_PROVIDERS = ("auto", "system", "wheel")
EXACT_VERSION = re.compile(r"^v?(\d+\.\d+\.\d+)$")
NODE_SETTINGS = '"auto", "system", "wheel" or a Node version like "20.11.1"'


def is_node_setting(value: str) -> bool:
    value = value.strip()
    return value in NODE_PROVIDERS or EXACT_VERSION.match(value) is not None


_NOTHING: ComparatorSet = (("<", (0, 0, 0)),)
_ANY: ComparatorSet = ()

_XR = r"(?:\d+|[xX*])"
_PARTIAL = re.compile(
    rf"^v?(?P<major>{_XR})(?:\.(?P<minor>{_XR})(?:\.(?P<patch>{_XR})"
    r"(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)?)?$"
)
_VERSION = re.compile(r"^\s*v?(\d+)\.(\d+)\.(\d+)")
_OPERATOR_SPACE = re.compile(r"(<=|>=|<|>|=|~>|~|\^)\s+")
_HYPHEN = re.compile(r"^(\S+)\s+-\s+(\S+)$")
_OPERATOR = re.compile(r"^(<=|>=|<|>|=|~>|~|\^)?(.*)$")


class RangeError(ValueError):
    """The text is not an npm semver range."""


def parse_version(text: str) -> Version:
    """'v20.20.2' or '20.20.2' (a prerelease suffix is ignored) -> (20, 20, 2)."""
    match = _VERSION.match(text)
    if match is None:
        raise ValueError(f"not a version: {text!r}")
    return (int(match[1]), int(match[2]), int(match[3]))


def satisfies(version: str | Version, spec: str) -> bool:
    """Whether a release version satisfies the npm range `spec`. Raises RangeError."""
    ver = parse_version(version) if isinstance(version, str) else version
    return any(all(_compare(ver, op, bound) for op, bound in group) for group in parse_range(spec))


def parse_range(spec: str) -> list[ComparatorSet]:
    """The OR-list of AND-sets of primitive comparators that `spec` means."""
    groups: list[ComparatorSet] = []
    for alternative in spec.split("||"):
        text = _OPERATOR_SPACE.sub(r"\1", alternative.strip())
        hyphen = _HYPHEN.match(text)
        if hyphen is not None:
            groups.append(_hyphen(_partial(hyphen[1], spec), _partial(hyphen[2], spec)))
            continue
        comparators: list[Comparator] = []
        for token in text.split():
            comparators.extend(_simple(token, spec))
        groups.append(tuple(comparators))
    return groups


def _partial(text: str, spec: str) -> list[int]:
    """'1.x.3' -> [1]: the numbers before the first wildcard or missing part."""
    match = _PARTIAL.match(text)
    if match is None:
        raise RangeError(f"{spec!r} is not a valid version range")
    parts: list[int] = []
    for name in ("major", "minor", "patch"):
        value = match[name]
        if value is None or not value.isdigit():
            break
        parts.append(int(value))
    return parts


def _floor(parts: list[int]) -> Version:
    padded = [*parts, 0, 0, 0]
    return (padded[0], padded[1], padded[2])


def _bump(parts: list[int]) -> Version:
    """The first version above every version that the partial `parts` matches."""
    if len(parts) == 1:
        return (parts[0] + 1, 0, 0)
    return (parts[0], parts[1] + 1, 0)


def _simple(token: str, spec: str) -> ComparatorSet:
    match = _OPERATOR.match(token)
    assert match is not None  # the pattern matches any string
    op = match[1] or ""
    parts = _partial(match[2], spec)
    if op in ("", "="):
        if not parts:
            return _ANY
        if len(parts) == 3:
            return (("=", _floor(parts)),)
        return ((">=", _floor(parts)), ("<", _bump(parts)))
    if op in ("~", "~>"):
        if not parts:
            return _ANY
        return ((">=", _floor(parts)), ("<", _bump(parts)))
    if op == "^":
        return _caret(parts)
    return _primitive(op, parts)


def _caret(parts: list[int]) -> ComparatorSet:
    if not parts:
        return _ANY
    floor = _floor(parts)
    major, minor, patch = floor
    if major > 0 or len(parts) == 1:
        upper = (major + 1, 0, 0)
    elif minor > 0 or len(parts) == 2:
        upper = (0, minor + 1, 0)
    else:
        upper = (0, 0, patch + 1)
    return ((">=", floor), ("<", upper))


def _primitive(op: str, parts: list[int]) -> ComparatorSet:
    if not parts:
        return _ANY if op in (">=", "<=") else _NOTHING
    if len(parts) == 3:
        return ((op, _floor(parts)),)
    if op == ">":
        return ((">=", _bump(parts)),)
    if op == "<=":
        return (("<", _bump(parts)),)
    return ((op, _floor(parts)),)  # >=1.2 means >=1.2.0, <1.2 means <1.2.0


def _hyphen(low: list[int], high: list[int]) -> ComparatorSet:
    result: list[Comparator] = []
    if low:
        result.append((">=", _floor(low)))
    if len(high) == 3:
        result.append(("<=", _floor(high)))
    elif high:
        result.append(("<", _bump(high)))
    return tuple(result)


def _compare(version: Version, op: str, bound: Version) -> bool:
    if op == ">=":
        return version >= bound
    if op == "<=":
        return version <= bound
    if op == ">":
        return version > bound
    if op == "<":
        return version < bound
    return version == bound
