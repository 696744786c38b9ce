"""A hand-made bundle (what a build of the template writes, without npm), the Config of its
project, and a project that packages it for the architects."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buildtools.config.load import build_config
from buildtools.config.model import Config
from buildtools.deploy.run import package
from buildtools.ui.terminal import Reporter
from support.media import png_bytes


@dataclass(frozen=True)
class BundleFacts:
    """What make_bundle writes: the names a test asserts on."""

    title: str = "Describe the picture"
    hashed_js: str = "assets/index-B9jXQm3a.js"
    hashed_css: str = "assets/index-C4xT0aZ1.css"
    node_version: str = "20.20.2"


FACTS = BundleFacts()

APP_JS = """\
const title = document.getElementById('task-title')
fetch('./task_config.json', { cache: 'no-store' })
  .then((response) => response.json())
  .then((config) => {
    title.textContent = config.task_title
    const image = document.getElementById('task-image')
    image.onload = () => image.setAttribute('data-loaded', 'true')
    image.onerror = () => image.setAttribute('data-loaded', 'false')
    image.src = './TestImg.png'
  })
  .catch((error) => { title.textContent = 'error: ' + error })
"""

INDEX_HTML = f"""\
<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <title>task</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="./{FACTS.hashed_css}" />
    <script type="module" src="./{FACTS.hashed_js}"></script>
  </head>
  <body>
    <h1 id="task-title">loading</h1>
    <img id="task-image" alt="task image" />
  </body>
</html>
"""


def make_bundle(
    folder: Path, title: str = FACTS.title, extra_files: dict[str, bytes] | None = None
) -> Path:
    """A bundle as `buildtools build` makes it: index.html, hashed assets, task_config.json and
    the extra_source_dir image at the root. Its script sets #task-title and data-loaded."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(INDEX_HTML)
    (folder / "assets").mkdir(exist_ok=True)
    (folder / FACTS.hashed_js).write_text(APP_JS)
    (folder / FACTS.hashed_css).write_text("h1 { color: #333 }\n")
    (folder / "TestImg.png").write_bytes(png_bytes())
    (folder / "task_config.json").write_text(
        json.dumps({"task_title": title, "task_description": "d"}) + "\n"
    )
    for name, data in (extra_files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def make_config(root: Path, deploy: dict[str, Any] | None = None,
                 title: str = FACTS.title) -> Config:
    """A Config for a project in `root` (webapp/ and assets/ made if missing)."""
    (root / "webapp").mkdir(parents=True, exist_ok=True)
    (root / "assets").mkdir(exist_ok=True)
    (root / "assets" / "TestImg.png").write_bytes(png_bytes())
    raw = {
        "webapp": {"source": "webapp", "extra_source_dir": "assets"},
        "task": {
            "task_name": "picture-task",
            "task_title": title,
            "task_description": "d",
            "task_reward": 0.3,
            "task_tags": "test",
        },
        "deploy": deploy or {},
    }
    return build_config(
        raw, path=root / "buildtools.toml", root=root, source="buildtools.toml", env={}
    )


ARCHITECTS = ("local", "heroku", "ec2", "static")


class PackagingProject:
    """A project with a hand-made bundle in dist/bundle, packaged by `package()` for the
    architects; `said` is what the reporter printed."""

    def __init__(self, root: Path, deploy: dict[str, Any] | None = None) -> None:
        self.root = root
        self.config = make_config(root, deploy)
        self.bundle = make_bundle(root / "dist" / "bundle")
        self.out = io.StringIO()

    def reconfigure(self, deploy: dict[str, Any]) -> None:
        self.config = make_config(self.root, deploy)

    def package(
        self,
        architects: tuple[str, ...] = ARCHITECTS,
        key: str = "bundle-key-1",
        environ: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Path]:
        self.out = io.StringIO()
        return package(
            self.config,
            architects,
            bundle_dir=self.bundle,
            bundle_key=key,
            node_version=FACTS.node_version,
            reporter=Reporter(out=self.out),
            environ={"PATH": "/usr/bin:/bin"} if environ is None else environ,
            **kwargs,
        )

    @property
    def said(self) -> str:
        """What the reporter printed, with the column padding collapsed."""
        return re.sub(r" {2,}", " ", self.out.getvalue())

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    def leftovers(self) -> list[str]:
        return sorted(p.name for p in self.dist.iterdir()
                      if p.name.startswith(".") and p.name != ".gitignore")
