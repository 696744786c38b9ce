"""The `buildtools` command in-process (click's CliRunner): a project made by `buildtools new`,
and a pipeline status where chosen stages are stale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from buildtools.core.pipeline import BuildResult, Session, StageStatus
from buildtools.ui.app import create_app


def invoke(*args: str, cwd: Path | None = None, monkeypatch: pytest.MonkeyPatch | None = None,
           input: str | None = None) -> Result:
    if cwd is not None:
        assert monkeypatch is not None
        monkeypatch.chdir(cwd)
    return CliRunner().invoke(create_app(), list(args), input=input, prog_name="buildtools")


def fake_status(monkeypatch: pytest.MonkeyPatch, root: Path, stale: dict[str, str]) -> None:
    """Replace the sessions' status with one where the named stages are stale."""
    def status(session: Session, **kwargs: Any) -> BuildResult:
        stages = [
            StageStatus(name, name not in stale, stale.get(name, ""), detail, f"key-{name}")
            for name, detail in [("node", "system Node 20.1.0, npm 10.0.0"), ("install", "npm"),
                                 ("build", "7 source files"), ("bundle", "dist/bundle")]
        ]
        return BuildResult(bundle_dir=root / "dist" / "bundle", bundle_key="key-bundle",
                           toolchain=None, stages=stages)  # type: ignore[arg-type]

    monkeypatch.setattr(Session, "status", status)
