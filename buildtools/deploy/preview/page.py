"""The page and the task_config.json a preview serves for a bundle.

The page is the bundle's own index.html, or, for a bundle.js-only bundle (a Mephisto webapp,
whose router brings the page), the same index.html shell that the architects deploy. The mock
wrap_crowd_source.js is put before every other script when the page does not load one, and with
--watch the reload script is added: both only here, never in the bundle."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from buildtools.deploy.architects.context import render
from buildtools.errors import UserError

INDEX = "index.html"
CROWD_WRAPPER = "wrap_crowd_source.js"
MEPHISTO_SCRIPT = "bundle.js"
RELOAD_PATH = "/__preview/reload.js"
EVENTS_PATH = "/__preview/events"
STATIC = Path(__file__).resolve().parent / "static"
_HEAD = re.compile(r"<head[^>]*>", re.IGNORECASE)
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)


def page_html(bundle: Path, title: str, watch: bool) -> str:
    index = bundle / INDEX
    if index.is_file():
        html = index.read_text(encoding="utf-8", errors="replace")
    else:
        html = render("common/index.html.j2", title=title, crowd_wrapper=True,
                      script=_script(bundle))
    if CROWD_WRAPPER not in html:
        html = _after_head(html, f'<script src="{CROWD_WRAPPER}"></script>')
    if watch:
        html = _before_head_end(html, f'<script src="{RELOAD_PATH}"></script>')
    return html


def task_config(bundle: Path, webapp: Path) -> dict[str, Any]:
    """The bundle's task_config.json with what Mephisto's router adds for the page: the
    mephisto-task version the webapp installed (so the page warns of no mismatch), and
    block_mobile off unless the task says otherwise."""
    config: dict[str, Any] = {}
    path = bundle / "task_config.json"
    if path.is_file():
        loaded = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(loaded, Mapping):
            config.update(loaded)
    config.setdefault("block_mobile", False)
    version = installed_version(webapp, "mephisto-task")
    if version:
        config["mephisto_task_version"] = version
    return config


def installed_version(webapp: Path, package: str) -> str | None:
    try:
        manifest = json.loads((webapp / "node_modules" / package / "package.json").read_text())
    except (OSError, ValueError):
        return None
    version = manifest.get("version") if isinstance(manifest, Mapping) else None
    return version if isinstance(version, str) else None


def static_file(name: str) -> bytes:
    return (STATIC / name).read_bytes()


def _script(bundle: Path) -> str:
    if (bundle / MEPHISTO_SCRIPT).is_file():
        return MEPHISTO_SCRIPT
    scripts = sorted(path.name for path in bundle.glob("*.js") if path.name != CROWD_WRAPPER)
    if len(scripts) == 1:
        return scripts[0]
    raise UserError(f"the bundle {bundle} has no index.html and no bundle.js; put an index.html "
                    "in extra_source_dir, or build bundle.js")


def _after_head(html: str, tag: str) -> str:
    found = _HEAD.search(html)
    if found is None:
        return tag + html
    return html[: found.end()] + tag + html[found.end():]


def _before_head_end(html: str, tag: str) -> str:
    found = _HEAD_END.search(html)
    if found is None:
        return html + tag
    return html[: found.start()] + tag + html[found.start():]
