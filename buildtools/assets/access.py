"""The [assets] access mode (buildtools.config.assets.AccessMode) as every architect applies
it: the robots.txt and header of an unlisted mode, the paths a signed mode guards.

The policy travels with the local artifact as a small JSON file beside public/, so that
`buildtools serve` applies what was packaged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buildtools.config.assets import ACCESS_MODES, AccessMode, AssetsConfig
from buildtools.errors import UserError

ROBOTS_HEADER = ("X-Robots-Tag", "noindex, nofollow")
ROBOTS_FILE = "robots.txt"
POLICY_FILE = "access.json"  # beside public/ in the local artifact; never served


def robots_txt(mode: str) -> str:
    return (
        f"# Made by buildtools: [assets] access = \"{mode}\". This task is not for search "
        "engines.\nUser-agent: *\nDisallow: /\n"
    )


@dataclass(frozen=True)
class AccessPolicy(AccessMode):
    """The mode an artifact was packaged with, and what it guards."""

    signed_paths: tuple[str, ...] = ()  # URI paths ("/TestImg.png") that need a token

    def headers(self) -> tuple[tuple[str, str], ...]:
        """The headers every response gets because of the mode."""
        return (ROBOTS_HEADER,) if self.unlisted else ()

    def to_json(self) -> str:
        return json.dumps(
            {"access": self.access, "signed_paths": list(self.signed_paths)}, indent=2
        ) + "\n"

    @classmethod
    def from_json(cls, text: str) -> AccessPolicy:
        data: Any = json.loads(text)
        mode = data.get("access") if isinstance(data, dict) else None
        paths = data.get("signed_paths") if isinstance(data, dict) else None
        if mode not in ACCESS_MODES or not isinstance(paths, list):
            raise ValueError("not an access policy")
        return cls(access=mode, signed_paths=tuple(str(path) for path in paths))


def access_policy(assets: AssetsConfig, served_extra: Iterable[str]) -> AccessPolicy:
    """The policy for an artifact that serves the extra_source_dir files `served_extra`
    (relative posix paths)."""
    signed = tuple(sorted("/" + name for name in served_extra)) if assets.signed else ()
    return AccessPolicy(access=assets.access, signed_paths=signed)


def read_policy(artifact: Path) -> AccessPolicy | None:
    """The policy stored beside `artifact/public`, or None when there is none."""
    path = artifact / POLICY_FILE
    try:
        return AccessPolicy.from_json(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise UserError(
            f"{path}: not a valid access policy ({exc}); run `doit deploy` again"
        ) from None
