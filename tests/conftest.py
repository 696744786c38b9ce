"""Shared fixtures: a real task project rendered from webapp_template, with install and build
counters (npm lifecycle scripts append to files outside the fingerprinted tree)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from buildtools.build.template import render_tree, template_context, template_root

DOIT = str(Path(sys.executable).parent / "doit")
TASK = {
    "task_name": "test-task",
    "task_title": "Rate the picture",
    "task_description": "Tell us if the picture is clear.",
    "task_reward": 0.25,
    "task_tags": "test,image",
}


def needs(binary: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(shutil.which(binary) is None, reason=f"{binary} is not installed")


@dataclass
class Project:
    root: Path

    @property
    def webapp(self) -> Path:
        return self.root / "webapp"

    @property
    def bundle(self) -> Path:
        return self.root / "dist" / "bundle"

    def count(self, what: str) -> int:
        path = self.root / "counts" / what
        return len(path.read_text()) if path.exists() else 0

    def doit(self, *args: str, env: dict[str, str] | None = None,
             check: bool = True) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "NO_COLOR": "1"}
        full_env.pop("BUILDTOOLS_FORCE_REBUILD", None)
        full_env.update(env or {})
        result = subprocess.run(
            [DOIT, *args], cwd=self.root, env=full_env, capture_output=True, text=True,
            timeout=600,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"doit {' '.join(args)} exited {result.returncode}\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def edit_package_json(self, **changes: object) -> None:
        path = self.webapp / "package.json"
        data = json.loads(path.read_text())
        data.update(changes)
        path.write_text(json.dumps(data, indent=2) + "\n")


def make_project(root: Path, extra_toml: str = "") -> Project:
    """A user's task folder: webapp/ from the template, assets/, buildtools.toml, dodo.py."""
    template = template_root()
    render_tree(template, root, template_context(TASK))
    (root / "counts").mkdir()
    project = Project(root)
    data = json.loads((project.webapp / "package.json").read_text())
    data["scripts"]["postinstall"] = (
        "node -e \"require('fs').appendFileSync('../counts/install','x')\""
    )
    data["scripts"]["prebuild"] = (
        "node -e \"require('fs').appendFileSync('../counts/build','x')\""
    )
    (project.webapp / "package.json").write_text(json.dumps(data, indent=2) + "\n")
    if extra_toml:
        with (root / "buildtools.toml").open("a") as handle:
            handle.write(extra_toml)
    return project


@pytest.fixture(autouse=True)
def isolated_user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own user cache (the build cache and the Node version cache): a project
    built by an earlier test must not be restored from the cache where a test counts installs
    and builds."""
    monkeypatch.setenv("BUILDTOOLS_CACHE_DIR", str(tmp_path / "user-cache"))


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    yield make_project(tmp_path / "task")
