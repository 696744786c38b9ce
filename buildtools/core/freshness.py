"""Freshness: a stage's plan (its inputs, its key, the stamp of its last success) and the one
verdict on it: up to date, or why it must run. Stamps are written atomically after success."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from buildtools.filenames import STAMPS_DIR_NAME
from buildtools.util import atomic
from buildtools.util.hashing import digest
from buildtools.util.ignored import make_ignored_dir
from buildtools.util.reads import Reads

__all__ = ["INPUT_LABELS", "StagePlan", "Stamp", "StampStore", "digest"]

# In a Stamp's info: the stage started and did not finish
FAILED = "last_run_failed"


@dataclass(frozen=True)
class Stamp:
    key: str
    info: dict[str, Any] = field(default_factory=dict)


class StampStore:
    """One JSON file per stage under <state_dir>/stamps/.

    A stage that starts running leaves `<stage>.running` in place of its stamp until it
    succeeds: a run that failed or was interrupted reads back as a stamp that matches no key,
    so the stage runs again and says why."""

    def __init__(self, state_dir: Path, reads: Reads | None = None) -> None:
        make_ignored_dir(state_dir)
        self.state_dir = state_dir
        self.folder = state_dir / STAMPS_DIR_NAME
        # where each stamp read is noted, with its marker (buildtools.util.reads)
        self.reads = reads

    def path(self, stage: str) -> Path:
        return self.folder / f"{stage.replace('/', '_')}.json"

    def running_marker(self, stage: str) -> Path:
        return self.folder / f"{stage.replace('/', '_')}.running"

    def read(self, stage: str) -> Stamp | None:
        if self.reads is not None:
            self.reads.stat(self.path(stage))
            self.reads.stat(self.running_marker(stage))
        try:
            data = json.loads(self.path(stage).read_text("utf-8"))
            return Stamp(key=str(data["key"]), info=dict(data.get("info", {})))
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            if self.running_marker(stage).exists():
                return Stamp(key="", info={FAILED: True})
            return None

    def write(self, stage: str, key: str, info: dict[str, Any] | None = None) -> None:
        atomic.write_json(self.path(stage), {"key": key, "info": info or {}})
        self.running_marker(stage).unlink(missing_ok=True)

    def clear(self, stage: str) -> None:
        """Before the stage runs: no stamp says "up to date" until it succeeds."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.running_marker(stage).touch()
        self.path(stage).unlink(missing_ok=True)

# How an input's name reads in "runs because ..."
INPUT_LABELS = {
    "node": "the Node toolchain changed",
    "install": "the installed packages changed",
    "build": "the build changed",
    "template": "the template changed",
    "context": "the task settings changed",
    "toolchain": "the Node toolchain changed",
    "package_manager": "the package manager changed",
    "post_install_script": "the post_install_script changed",
    "copied_packages": "a package installed as a copy (file:) changed",
    "tree": "the sources changed",
    "build_command": "the build command changed",
    "env": "a build environment variable changed",
    "extra_source_dir": "extra_source_dir changed",
    "task_config": "the [task] settings changed",
    "allow": "extra_source_allow changed",
    "output_allow": "output_allow changed",
    "output": "the build output folder changed",
    # package[architect]
    "bundle": "the bundle changed",
    "settings": "its [deploy] settings changed",
    "node_major": "the Node major version changed",
    "templates": "its templates changed",
    "assets": "the [assets] settings changed",
}


@dataclass
class StagePlan:
    name: str
    inputs: dict[str, Any]
    stamp: Stamp | None
    force: bool = False
    missing_output: str = ""  # non-empty: the output that should exist and does not
    # Gives a precise reason for one input (e.g. which files of the tree changed)
    explain: dict[str, Callable[[Any, Any], str]] = field(default_factory=dict)
    key: str = ""

    def __post_init__(self) -> None:
        self.key = digest(self.name, self.inputs)

    @property
    def up_to_date(self) -> bool:
        return (
            not self.force
            and not self.missing_output
            and self.stamp is not None
            and self.stamp.key == self.key
        )

    def reason(self) -> str:
        if self.force:
            return "a rebuild was forced"
        if self.stamp is None:
            return "it has not run here before"
        if self.stamp.info.get(FAILED):
            return "its last run failed or was interrupted"
        if self.missing_output:
            return f"{self.missing_output} is missing"
        before = self.stamp.info.get("inputs", {})
        reasons = []
        for name, value in self.inputs.items():
            old = before.get(name)
            if old == value:
                continue
            if name in self.explain and old is not None:
                reasons.append(self.explain[name](old, value))
            else:
                reasons.append(INPUT_LABELS.get(name, f"{name} changed"))
        return "; ".join(reasons) or "its inputs changed"

    def stamp_info(self, **extra: Any) -> dict[str, Any]:
        return {"inputs": self.inputs, **extra}
