"""Download a Node version with nodeenv into the user's cache, from a mirror when one is set.

The environment is built in a staging folder and renamed into place, so a failed or killed
download never leaves a half-made environment behind. With `node = "auto"` and no usable Node
installed, the version is the newest LTS release that engines.node allows, from the index of
the mirror (or of nodejs.org), unless one already downloaded fits.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

from buildtools.errors import CommandFailed, UserError
from buildtools.node.semver import EXACT_VERSION, newest_satisfying
from buildtools.util import atomic
from buildtools.util.process import Runner, run

STALE_STAGING_SECONDS = 3600.0
NODEENV_SITE = "https://nodejs.org/download/release"  # where nodeenv downloads from by default
INDEX_TIMEOUT_SECONDS = 15.0
OFFLINE_REMEDY = ("offline: set [webapp] node_mirror to a mirror (file:// or http) "
                  'or use node = "system"')


class DownloadError(UserError):
    """nodeenv could not download Node; `reason` says why in a few words."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _normalise_mirror(mirror: str) -> str | None:
    mirror = mirror.strip()
    if not mirror:
        return None
    if mirror.startswith(("/", "~")):
        mirror = Path(mirror).expanduser().resolve().as_uri()
    return mirror.rstrip("/")


def downloaded_versions(nodeenv_dir: Path) -> list[str]:
    """The versions already downloaded into `nodeenv_dir` (<cache>/nodeenv)."""
    try:
        names = os.listdir(nodeenv_dir)
    except OSError:
        return []
    return [name for name in names
            if EXACT_VERSION.match(name) and (nodeenv_dir / name / "bin" / "node").is_file()]


def release_to_download(mirror: str, engines: str | None) -> str | None:
    """The newest LTS release in the index of `mirror` (else nodejs.org) that satisfies
    `engines`, else the newest release that does; None when none does. Raises DownloadError."""
    import urllib.request  # with http.client and email: only when a Node is downloaded

    url = f"{_normalise_mirror(mirror) or NODEENV_SITE}/index.json"
    try:
        with urllib.request.urlopen(url, timeout=INDEX_TIMEOUT_SECONDS) as response:
            index = json.loads(response.read())
    except (OSError, ValueError) as err:  # URLError and HTTPError are OSErrors
        reason = getattr(err, "reason", None) or err
        raise DownloadError(f"cannot read {url}: {reason}", f"cannot read {url}: {reason}"
                            ) from None
    releases = [entry for entry in index if isinstance(entry, dict)] if isinstance(
        index, list) else []
    every = [str(entry.get("version", "")).lstrip("v") for entry in releases]
    lts = [str(entry.get("version", "")).lstrip("v") for entry in releases if entry.get("lts")]
    every = [version for version in every if EXACT_VERSION.match(version)]
    lts = [version for version in lts if EXACT_VERSION.match(version)]
    if not every:
        raise DownloadError(f"{url} lists no Node release", f"{url} lists no Node release")
    return newest_satisfying(lts, engines) or newest_satisfying(every, engines)


def create_nodeenv(version: str, mirror: str, env_dir: Path,
                   remedy: str = OFFLINE_REMEDY, *, runner: Runner = run) -> None:
    """Download Node `version` with nodeenv into a staging folder, then rename it into place.
    Raises DownloadError (its message ends with `remedy`) when nodeenv fails."""
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
            reason = _nodeenv_error(err.tail)
            raise DownloadError(
                f"could not download Node {version} with nodeenv ({reason}); {remedy}", reason
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
