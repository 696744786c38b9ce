"""The build's output folder: made by the build that just ran, or nothing of it stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildtools.core.build_output import aside_path, fresh_output
from buildtools.errors import CommandFailed


def failing_build(webapp: Path) -> None:
    """What webpack does on a syntax error: writes its bundle, then exits 1."""
    (webapp / "build").mkdir(exist_ok=True)
    (webapp / "build" / "bundle.js").write_text('throw new Error("Module build failed")')
    raise CommandFailed(["webpack"], 1, ["Module build failed"], "npm run dev")


def test_a_failed_build_with_no_earlier_output_leaves_nothing(tmp_path: Path) -> None:
    webapp = tmp_path / "webapp"
    webapp.mkdir()
    with pytest.raises(CommandFailed), fresh_output(webapp, "build", "npm run dev",
                                                    bundle=tmp_path / "bundle",
                                                    extra_index=False):
        failing_build(webapp)
    assert not (webapp / "build").exists()
    assert not (webapp / aside_path("build")).exists()


def test_a_failed_build_puts_the_earlier_output_back(tmp_path: Path) -> None:
    webapp = tmp_path / "webapp"
    (webapp / "build").mkdir(parents=True)
    (webapp / "build" / "bundle.js").write_text("the last good bundle")
    with pytest.raises(CommandFailed), fresh_output(webapp, "build", "npm run dev",
                                                    bundle=tmp_path / "bundle",
                                                    extra_index=False):
        failing_build(webapp)
    assert (webapp / "build" / "bundle.js").read_text() == "the last good bundle"
    assert sorted(path.name for path in webapp.iterdir()) == ["build"]
