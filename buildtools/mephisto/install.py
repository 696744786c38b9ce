"""One npm install for the build commands of one webapp.

Each (webapp, build command) pair keeps its own stamps, so Mephisto's two calls on one webapp
(`build:review`, then `dev`) never make each other stale; alone, that would cost a second npm
install on the first launch. So the webapp's state folder remembers the install that ran last
in it: its key, its stamp, and the signature of node_modules/.package-lock.json that npm wrote.
A pair whose install is stale with that very key, while node_modules is untouched since, takes
that stamp instead of installing again: node_modules holds exactly what its install would make
(same Node, package files, lockfile and post_install_script: they all are the key).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from buildtools.core.freshness import StampStore
from buildtools.util import atomic
from buildtools.util.jsonfile import read_object

if TYPE_CHECKING:
    from buildtools.config.model import Config
    from buildtools.core.pipeline import Session

LAST_INSTALL = "last-install.json"


def adopt_install(session: Session, config: Config) -> bool:
    """Before a build: take the stamp of the webapp's last install when it is this pair's
    install (see the module doc); True when it did."""
    last = read_object(config.state_dir.parent / LAST_INSTALL)
    if last is None or last.get("modules") != _modules_signature(config.webapp.source):
        return False
    install = next((stage for stage in session.status().stages if stage.name == "install"),
                   None)
    if install is None or install.up_to_date or install.key != last.get("key"):
        return False
    stamp = read_object(Path(str(last.get("stamp"))))
    if stamp is None or stamp.get("key") != install.key:
        return False
    StampStore(config.state_dir).write("install", install.key, dict(stamp.get("info") or {}))
    return True


def remember_install(config: Config, started_ns: int) -> None:
    """After a call: when its install ran and succeeded, node_modules holds that install; when
    it ran and failed, node_modules holds nothing anyone can vouch for."""
    stamps = StampStore(config.state_dir)
    path = stamps.path("install")
    last = config.state_dir.parent / LAST_INSTALL
    with contextlib.suppress(OSError):
        if path.stat().st_mtime_ns >= started_ns:
            stamp = read_object(path)
            if stamp is not None:
                atomic.write_json(last, {"key": stamp.get("key"), "stamp": str(path),
                                         "modules": _modules_signature(config.webapp.source)})
                return
    if stamps.running_marker("install").exists():
        last.unlink(missing_ok=True)


def _modules_signature(webapp: Path) -> list[int] | None:
    """npm rewrites node_modules/.package-lock.json on every install."""
    try:
        info = os.stat(webapp / "node_modules" / ".package-lock.json")
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns]

