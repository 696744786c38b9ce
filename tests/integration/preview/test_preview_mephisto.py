"""A Mephisto static_react_task, unchanged, previews in a plain browser: `buildtools preview
--data FILE` builds it (its Hydra YAML, webpack), the unit's text renders in headless Chromium,
and a click on a rating is one line of the submissions file and one line on the terminal."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from support.devtools import Page
from support.preview import Preview

pytestmark = [pytest.mark.needs("npm"), pytest.mark.browser]


def test_a_unit_of_the_data_file_renders_and_a_rating_is_one_submission(
        react_task: Path, run_preview: Callable[..., Preview], page: Page) -> None:
    (react_task / "units.csv").write_text(
        'text\n"The cat sat on the mat, quietly."\nMat the on sat cat the.\n')
    record = react_task / "answers.jsonl"
    preview = run_preview(react_task, "--data", "units.csv", "--submissions", str(record))

    page.goto(preview.url)  # no worker, no assignment: the task's cover page
    assert page.wait_for("document.querySelector('#cover h1')?.textContent") == (
        "Is this sentence good or bad?")

    page.goto(preview.url + "?worker_id=alice&assignment_id=a1")
    assert page.wait_for("document.querySelector('#sentence')?.textContent") == (
        "The cat sat on the mat, quietly.")
    page.click("#bad")
    page.wait_for("!!document.querySelector('#sent')")
    line = preview.wait_for_line(r"^submitted task")
    assert line == 'submitted task (unit 1, worker alice, agent 1): {"rating": "bad"}'
    [answer] = [json.loads(text) for text in record.read_text().splitlines()]
    assert answer["data"] == {"rating": "bad"}
    assert (answer["unit"], answer["worker_name"], answer["assignment_id"]) == (0, "alice", "a1")

    page.goto(preview.url + "?worker_id=bob&assignment_id=a2")  # the next unit
    assert page.wait_for("document.querySelector('#sentence')?.textContent") == (
        "Mat the on sat cat the.")


def test_a_live_task_is_refused_in_one_line(
        react_task: Path, buildtools_in: Callable[..., CompletedProcess[str]]) -> None:
    config = react_task / "hydra_configs" / "conf" / "example.yaml"
    config.write_text(config.read_text().replace("static_react_task", "parlai_chat"))
    result = buildtools_in(react_task, "preview", "--port", "0")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: example.yaml: the parlai_chat blueprint is a live or remote-procedure task; "
        "preview serves static tasks only (static_task, static_react_task): launch it with "
        "Mephisto")
