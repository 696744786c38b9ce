"""A webapp project whose npm is buildtools.testing.fake_npm (for the unit tests of the core):
the walk, the pipeline and the stages run for real (scans, stamps, output folder, bundle,
cache), and no process starts; a reporter that keeps what it heard."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from buildtools.config.load import build_config
from buildtools.config.model import Config
from buildtools.core.events import NullReporter
from buildtools.core.pipeline import BuildResult, Session
from buildtools.core.policies import StageStatus
from buildtools.testing.fake_npm import FakeNpm, Writes
from support.projects import TaskFolder

BUILT = Writes({"dist/index.html": "<p>built</p>", "dist/app.js": "run()"}, ["> vite build"])


class Events(NullReporter):
    """A reporter that keeps what it heard, one (event, stage or "", text) per call."""

    def __init__(self) -> None:
        self.heard: list[tuple[str, str, str]] = []

    def up_to_date(self, stage: str, detail: str = "") -> None:
        self.heard.append(("up_to_date", stage, detail))

    def runs(self, stage: str, reason: str) -> None:
        self.heard.append(("runs", stage, reason))

    def stage_note(self, stage: str, text: str) -> None:
        self.heard.append(("note", stage, text))

    def done(self, stage: str, seconds: float, detail: str = "") -> None:
        self.heard.append(("done", stage, detail))

    def info(self, text: str) -> None:
        self.heard.append(("info", "", text))

    def output(self, line: str) -> None:
        self.heard.append(("output", "", line))

    def all_up_to_date(self, seconds: float, bundle: str) -> None:
        self.heard.append(("all_up_to_date", "", bundle))

    def final(self, text: str) -> None:
        self.heard.append(("final", "", text))

    def warn(self, text: str) -> None:
        self.heard.append(("warn", "", text))

    def of(self, event: str) -> list[tuple[str, str]]:
        return [(stage, text) for kind, stage, text in self.heard if kind == event]


@dataclass
class Project(TaskFolder):
    """root/webapp (package.json with a `build` script and one dependency, src/main.js),
    root/assets (extra_source_dir); the fake Node first on PATH."""

    npm: FakeNpm
    environ: dict[str, str]
    webapp_settings: dict[str, Any] = field(default_factory=dict)
    cache_settings: dict[str, Any] = field(default_factory=dict)
    task: dict[str, Any] = field(default_factory=lambda: {
        "task_title": "t", "task_description": "d", "task_reward": 0.1, "task_tags": "x"})
    events: Events = field(default_factory=Events)

    def config(self) -> Config:
        raw = {"webapp": {"source": "webapp", "extra_source_dir": "assets", "node": "system",
                          **self.webapp_settings},
               "task": self.task, "cache": {"dir": str(self.root / "cache"), **self.cache_settings}}
        return build_config(raw, path=self.root / "buildtools.toml", root=self.root,
                            source="buildtools.toml", env=self.environ)

    def session(self) -> Session:
        self.events = Events()
        return Session(self.config(), reporter=self.events, environ=self.environ,
                       runner=self.npm)

    def build(self, *, force: bool = False) -> BuildResult:
        self.npm.calls.clear()
        return self.session().run_stale_stages(force=force)

    def status(self) -> dict[str, StageStatus]:
        return {stage.name: stage for stage in self.session().status().stages}

    def write(self, name: str, text: str) -> None:
        path = self.webapp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def package(self, **fields: Any) -> None:
        package = {"name": "task", "scripts": {"build": "vite build"},
                   "dependencies": {"react": "^19.0.0"}, **fields}
        self.write("package.json", json.dumps(package))

    def lock(self) -> None:
        """A package-lock.json in sync with package.json: `npm ci` installs."""
        package = json.loads((self.webapp / "package.json").read_text())
        root = {"dependencies": package.get("dependencies", {})}
        self.write("package-lock.json", json.dumps({"lockfileVersion": 3,
                                                    "packages": {"": root}}))

    def stamps(self) -> set[str]:
        """The stages whose stamp is written (a failed or running stage has none)."""
        folder = self.root / ".buildtools" / "stamps"
        return {path.stem for path in folder.glob("*.json")} if folder.is_dir() else set()

    def files(self, folder: Path) -> dict[str, str]:
        """Relative path -> text of each file under `folder`."""
        return {path.relative_to(folder).as_posix(): path.read_text()
                for path in sorted(folder.rglob("*")) if path.is_file()}
