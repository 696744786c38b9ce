"""Download a Node version with nodeenv into the user's cache, from a mirror when one is set.

The environment is built in a staging folder and renamed into place, so a failed or killed
download never leaves a half-made environment behind.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

from buildtools.errors import CommandFailed, UserError
from buildtools.util import atomic
from buildtools.util.process import Runner, run

STALE_STAGING_SECONDS = 3600.0


def _normalise_mirror(mirror: str) -> str | None:
    mirror = mirror.strip()
    if not mirror:
        return None
    if mirror.startswith(("/", "~")):
        mirror = Path(mirror).expanduser().resolve().as_uri()
    return mirror.rstrip("/")


def create_nodeenv(version: str, mirror: str, env_dir: Path, runner: Runner = run) -> None:
    """Download Node `version` with nodeenv into a staging folder, then rename it into place."""
    _remove_stale_staging(env_dir)
    staging = atomic.staging_dir(env_dir)
    built = staging / "env"  # nodeenv wants a folder that does not exist yet
    url = _normalise_mirror(mirror)
    cmd = [
        sys.executable,
        "-m",
        "nodeenv",
        f"--node={version}",
        "--prebuilt",
        "--config-file=",  # ignore ~/.nodeenvrc, ./setup.cfg and ./tox.ini
        "--clean-src",
        *([f"--mirror={url}"] if url else []),
        str(built),
    ]
    try:
        try:
            # cwd: nodeenv also reads ./.node-version
            runner(cmd, cwd=staging, env=os.environ, what=f"nodeenv (Node {version})")
        except CommandFailed as err:
            raise UserError(
                f"could not download Node {version} with nodeenv ({_nodeenv_error(err.tail)}); "
                "offline: set [webapp] node_mirror to a mirror (file:// or http) "
                'or use node = "system"'
            ) from None
        if not (built / "bin" / "node").is_file():
            raise UserError(f"nodeenv made no bin/node for Node {version} in {built}")
        _fix_activate_scripts(built, env_dir)
        try:
            os.rename(built, env_dir)
        except OSError:
            if not (env_dir / "bin" / "node").is_file():
                atomic.replace_dir(built, env_dir)  # a broken leftover: replace it
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _nodeenv_error(tail: list[str]) -> str:
    """The most telling line of a failed nodeenv run: its first error (it names the URL)."""
    errors = [
        line.split("Error: ", 1)[1].strip()
        for line in tail
        if "Error: " in line and "nodeenv --list" not in line
    ]
    if errors:
        return errors[0]
    return next((line.strip() for line in reversed(tail) if line.strip()), "no output")


def _fix_activate_scripts(staging: Path, final: Path) -> None:
    """nodeenv writes its folder's path into bin/activate*: make them name the final folder."""
    for script in (staging / "bin").glob("activate*"):
        try:
            text = script.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if str(staging) in text:
            script.write_text(text.replace(str(staging), str(final)), "utf-8")


def _remove_stale_staging(env_dir: Path) -> None:
    """Staging folders left by a killed download (older than an hour: not a running one)."""
    parent = env_dir.parent
    if not parent.is_dir():
        return
    now = time.time()
    for leftover in parent.glob(f".{env_dir.name}.*"):
        try:
            if now - leftover.stat().st_mtime > STALE_STAGING_SECONDS:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            continue
