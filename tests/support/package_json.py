"""package.json and lockfiles for the package manager tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from buildtools.node.packagemanager import PackageManager

NPM = PackageManager("npm", "package-lock.json")
PNPM = PackageManager("pnpm", "pnpm-lock.yaml")
YARN = PackageManager("yarn", "yarn.lock")


def write_package(webapp: Path, **fields: Any) -> None:
    """webapp/package.json: name app, version 1.0.0, and `fields`."""
    webapp.mkdir(parents=True, exist_ok=True)
    (webapp / "package.json").write_text(json.dumps({"name": "app", "version": "1.0.0", **fields}))


def npm_lock(webapp: Path, **root: Any) -> None:
    """webapp/package-lock.json (lockfile v3) whose root package holds `root`."""
    lock = {
        "name": "app",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {"": {"name": "app", "version": "1.0.0", **root}},
    }
    (webapp / "package-lock.json").write_text(json.dumps(lock, indent=2))
