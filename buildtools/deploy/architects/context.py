"""What every architect is given (PackageContext) and how it renders its templates."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from buildtools.assets.upload import collect_assets
from buildtools.config.load import Config
from buildtools.core.events import Reporter
from buildtools.deploy.architects.quoting import nginx_string, nginx_words, one_line
from buildtools.deploy.offload import Offload
from buildtools.util.hashing import digest

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class PackageContext:
    """What an architect needs to make its artifact."""

    config: Config
    bundle_dir: Path
    bundle_key: str
    node_version: str  # of the toolchain the bundle was built with, e.g. "20.20.2"
    reporter: Reporter
    environ: Mapping[str, str]
    offload: Offload | None = None  # [assets] offload: the assets are in the bucket

    @property
    def node_major(self) -> str:
        return self.node_version.lstrip("v").split(".")[0]

    @property
    def task_name(self) -> str:
        return str(self.config.task.get("task_name") or "task")

    @property
    def task_title(self) -> str:
        return str(self.config.task.get("task_title") or self.task_name)

    @cached_property
    def extra_names(self) -> frozenset[str]:
        """extra_files(config), walked once per packaging run."""
        return frozenset(extra_files(self.config))


def render(template: str, **context: Any) -> str:
    text: str = _environment().get_template(template).render(**context)
    return text


@cache
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["tojson"] = lambda value: json.dumps(value, sort_keys=True)
    env.filters["shquote"] = shlex.quote
    env.filters["nginx_string"] = nginx_string
    env.filters["nginx_words"] = nginx_words
    env.filters["one_line"] = one_line
    return env


def templates_digest(folder: str) -> str:
    """A digest of the template files of one architect (and the shared ones)."""
    parts: list[tuple[str, bytes]] = []
    for base in (TEMPLATES / "common", TEMPLATES / folder):
        for path in sorted(base.rglob("*")):
            if path.is_file():
                parts.append((path.relative_to(TEMPLATES).as_posix(), path.read_bytes()))
    return digest([(name, data.hex()) for name, data in parts])


def extra_files(config: Config) -> set[str]:
    """The relative paths that came into the bundle from extra_source_dir: the list the bundle
    stage copied (collect_assets), so that what is signed is what was copied, files under a
    symlinked folder included."""
    extra = config.webapp.extra_source_dir
    if extra is None or not extra.is_dir():
        return set()
    return set(collect_assets(extra, config.webapp.extra_source_allow))
