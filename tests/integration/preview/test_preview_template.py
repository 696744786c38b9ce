"""The task of `buildtools new` is a real task: previewed with its sample data, the page shows
the unit's sentence, keeps Submit disabled until a rating is chosen, and sends the rating and
the comment, which land in the submissions file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from support.devtools import Page
from support.preview import Preview

pytestmark = [pytest.mark.needs("npm"), pytest.mark.browser]
SUBMIT = "document.querySelector('#submit-button')"


def test_the_template_answers_and_submits_through_preview(
        template_task: Path, run_preview: Callable[..., Preview], page: Page) -> None:
    preview = run_preview(template_task)  # no --data: sample_data.json
    assert "(units: 3, sample_data.json)" in preview.wait_for_line(r"a unit: ")
    sample = json.loads((template_task / "sample_data.json").read_text())

    page.goto(preview.url)  # no worker: the task's preview, with its image at its own size
    assert page.wait_for("document.querySelector('#task-title')?.textContent") == (
        "Rate this sentence")
    assert page.wait_for("document.querySelector('#task-image')?.dataset.loaded") == "true"
    assert page.evaluate("[document.querySelector('#task-image').width,"
                         " document.querySelector('#task-image').naturalWidth]") == [480, 480]
    assert page.evaluate("document.querySelector('#sentence')") is None

    page.goto(preview.url + "?worker_id=carol&assignment_id=7")
    assert page.wait_for("document.querySelector('#sentence')?.textContent") == (
        sample[0]["text"])
    assert page.evaluate(f"{SUBMIT}.disabled") is True
    page.click("input[name=rating][value='4']")
    assert page.wait_for(f"!{SUBMIT}.disabled")
    page.evaluate("document.querySelector('#comment').focus()")
    page.send("Input.insertText", text="Reads well.")
    page.click("#submit-button")
    assert page.wait_for("document.querySelector('#thank-you')?.textContent") == (
        "Thank you! Your answer was sent.")

    line = preview.wait_for_line(r"^submitted task")
    assert line == ('submitted task (unit 1, worker carol, agent 1): '
                    '{"rating": 4, "comment": "Reads well."}')
    record = template_task / ".buildtools" / "preview-submissions.jsonl"
    [answer] = [json.loads(text) for text in record.read_text().splitlines()]
    assert answer["data"] == {"rating": 4, "comment": "Reads well."}
    assert (answer["unit"], answer["worker_name"], answer["assignment_id"]) == (0, "carol", "7")
