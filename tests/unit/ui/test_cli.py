"""The `buildtools` CLI: help, version, usage, errors and exit codes (fast: click's CliRunner,
no npm). check and status on a really built project: tests/integration/test_check.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from support.cli import invoke

COMMANDS = ["new", "build", "deploy", "serve", "status", "check", "clean", "doctor"]


# ---------------------------------------------------------------- help, version, usage


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_shows_an_example(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0, result.output
    assert "Examples:" in result.output
    assert f"buildtools {command}" in result.output.split("Examples:")[1]


def test_top_level_help_lists_every_command() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert f"  {command} " in result.output


def test_no_command_prints_help_and_succeeds() -> None:
    result = invoke()
    assert result.exit_code == 0
    assert "Usage: buildtools" in result.output


def test_version() -> None:
    result = invoke("--version")
    assert (result.exit_code, result.output) == (0, "buildtools 0.1.0\n")


def test_unknown_command_is_one_error_line() -> None:
    result = invoke("bulid")
    assert result.exit_code == 1
    assert result.output == ("error: buildtools: No such command 'bulid'. Did you mean "
                             "'build'? (see 'buildtools --help')\n")


def test_unknown_architect_is_one_error_line_naming_the_closest() -> None:
    result = invoke("deploy", "herok")
    assert result.exit_code == 1
    assert result.output == (
        "error: buildtools deploy: unknown architect 'herok'; known architects: local, heroku, "
        "ec2, static; did you mean 'heroku'? (see 'buildtools deploy --help')\n"
    )


def test_unknown_architect_far_from_any_names_them_all() -> None:
    result = invoke("deploy", "local", "zzz")
    assert result.exit_code == 1
    assert result.output == (
        "error: buildtools deploy: unknown architect 'zzz'; known architects: local, heroku, "
        "ec2, static (see 'buildtools deploy --help')\n"
    )


@pytest.mark.parametrize(("args", "message"), [
    (["serve", "--port", "70000"],
     "buildtools serve: Invalid value for '-p' / '--port': 70000 is not in the range "
     "0<=x<=65535 (see 'buildtools serve --help')"),
    (["build", "--frce"],
     "buildtools build: No such option '--frce'. Did you mean '--force'? "
     "(see 'buildtools build --help')"),
    (["new"], "buildtools new: Missing argument 'DIRECTORY' (see 'buildtools new --help')"),
])
def test_usage_errors_are_one_error_line(args: list[str], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 1
    assert result.output == f"error: {message}\n"


# ---------------------------------------------------------------- errors and exit codes


def test_no_config_is_one_line_and_exit_1(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BUILDTOOLS_CONFIG", raising=False)
    for command in ("build", "status", "check", "deploy", "clean"):
        result = invoke(command, cwd=tmp_path, monkeypatch=monkeypatch)
        assert result.exit_code == 1, (command, result.output)
        assert result.output.startswith(f"error: no buildtools.toml in {tmp_path}")
        assert result.output.count("\n") == 1
        assert "Traceback" not in result.output


def test_invalid_config_fails_check_with_the_key(made: Path) -> None:
    toml = made / "buildtools.toml"
    toml.write_text(toml.read_text().replace("[deploy]", "[deploy]\narchitect = []"))
    result = invoke("check")
    assert result.exit_code == 1
    assert result.output == (
        "error: buildtools.toml: [deploy] unknown key 'architect'; did you mean 'architects'?\n"
    )


def test_a_bug_exits_3_with_traceback(made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("buildtools.ui.commands.status.run_status", broken)
    result = invoke("status")
    assert result.exit_code == 3
    assert "Traceback" in result.output
    assert "RuntimeError: boom" in result.output
    assert result.output.endswith("please report it with the traceback above\n")


def test_interrupt_exits_130(made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("buildtools.ui.commands.build.build_here", interrupted)
    result = invoke("build")
    assert result.exit_code == 130
    assert result.output.startswith("interrupted")
