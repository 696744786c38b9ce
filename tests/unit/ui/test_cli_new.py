"""`buildtools new`: the template rendered with the title, prompts only on a terminal, a
folder that is not empty refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from buildtools.config.load import load_config
from buildtools.core.template import DEFAULT_TASK
from buildtools.ui.commands.new import run_new
from support.cli import invoke

# ---------------------------------------------------------------- new


def test_new_renders_the_template_with_the_title(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke("new", "my-task", "--title", "Rate the picture", cwd=tmp_path,
                    monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    root = tmp_path / "my-task"
    assert result.output.splitlines()[0] == (
        "created my-task/ (14 files written): task 'my-task', title 'Rate the picture'"
    )
    assert "  cd my-task\n" in result.output
    for name in ("buildtools.toml", "dodo.py", ".gitignore", "assets/TestImg.png",
                 "webapp/package.json", "webapp/package-lock.json", "webapp/index.html",
                 "webapp/src/App.jsx", "sample_data.json", "run_task.py",
                 "hydra_configs/conf/example.yaml"):
        assert (root / name).is_file(), name
    mephisto_yaml = (root / "hydra_configs/conf/example.yaml").read_text()
    assert 'task_title: "Rate the picture"' in mephisto_yaml
    assert "from buildtools.mephisto import build_custom_bundle" in (
        root / "run_task.py").read_text()
    assert not (root / "gitignore").exists()
    assert "<title>Rate the picture</title>" in (root / "webapp/index.html").read_text()
    config = load_config(root)
    assert config.task["task_title"] == "Rate the picture"
    assert config.task["task_name"] == "my-task"
    assert config.missing_task_keys() == []
    assert json.loads((root / "webapp/package.json").read_text())["name"] == "my-task"


def test_new_without_title_uses_the_defaults_and_never_prompts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # CliRunner's stdin is not a terminal: no prompt even without --no-input
    result = invoke("new", "t", cwd=tmp_path, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert "Task title" not in result.output
    config = load_config(tmp_path / "t")
    assert config.task["task_title"] == DEFAULT_TASK["task_title"]
    assert config.task["task_description"] == DEFAULT_TASK["task_description"]


def test_new_asks_for_title_and_description_when_interactive(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[tuple[str, str]] = []

    def ask(question: str, default: str) -> str:
        asked.append((question, default))
        return f"my {question.split()[-1]}"

    run_new(tmp_path / "t", None, None, False, ask)
    assert asked == [("Task title", DEFAULT_TASK["task_title"]),
                     ("Task description", DEFAULT_TASK["task_description"])]
    config = load_config(tmp_path / "t")
    assert (config.task["task_title"], config.task["task_description"]) == (
        "my title", "my description")

    asked.clear()
    run_new(tmp_path / "u", "Given", None, False, ask)
    assert asked == [("Task description", DEFAULT_TASK["task_description"])]


def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "notes.txt").write_text("mine")
    result = invoke("new", "t", cwd=tmp_path, monkeypatch=monkeypatch)
    assert result.exit_code == 1
    assert result.output == (
        "error: t is not empty; choose a new folder, or pass --force to write the template "
        "files into it (files of the same name are overwritten, others are kept)\n"
    )
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == ["notes.txt"]

    result = invoke("new", "t", "--force", "--title", "X", cwd=tmp_path,
                    monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "t" / "notes.txt").read_text() == "mine"
    assert load_config(tmp_path / "t").task["task_title"] == "X"


def test_new_refuses_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "t").write_text("")
    result = invoke("new", "t", cwd=tmp_path, monkeypatch=monkeypatch)
    assert result.exit_code == 1
    assert result.output == "error: t exists and is not a folder; choose another name\n"


def test_new_into_an_empty_folder_and_a_nasty_title(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "t").mkdir()
    title = 'Say "hi" & <b>wave</b> \\ 😀'
    result = invoke("new", "t", "--title", title, "--no-input", cwd=tmp_path,
                    monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert load_config(tmp_path / "t").task["task_title"] == title
