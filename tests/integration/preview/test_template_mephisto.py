"""The task of `buildtools new`, launched by its own run_task.py with a real Mephisto from PyPI
on Python 3.10 (local architect, mock provider): the page shows the unit's sentence, answers
and submits in headless Chromium, and the answer is in Mephisto's saved data."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from support.devtools import Page
from support.http import free_port
from support.mephisto import RealMephisto
from support.processes import collect_lines, stop_group, stop_marked

pytestmark = [pytest.mark.needs("npm", "python3.10"), pytest.mark.browser]


def test_the_template_answers_and_submits_under_real_mephisto(
        template_task: Path, real_mephisto: RealMephisto, page: Page) -> None:
    port = free_port()
    mark = f"{os.getpid()}-{time.time_ns()}"
    env = {**os.environ, "HOME": str(real_mephisto.home), "NO_COLOR": "1",
           "CYPRESS_INSTALL_BINARY": "0", "PREVIEW_TEST_MEPHISTO": mark}
    env.pop("BUILDTOOLS_CONFIG", None)
    launched = subprocess.Popen(
        [str(real_mephisto.python), "run_task.py", f"mephisto.architect.port={port}"],
        cwd=template_task, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines = collect_lines(launched)
    try:
        deadline = time.monotonic() + 600
        while not any("Mock task launched" in line for line in lines):
            assert launched.poll() is None, "run_task.py exited:\n" + "\n".join(lines[-40:])
            assert time.monotonic() < deadline, "\n".join(lines[-40:])
            time.sleep(0.2)
        assert (template_task / "webapp" / "build" / "bundle.js").is_file()  # the drop-in's
        sample = json.loads((template_task / "sample_data.json").read_text())

        page.goto(f"http://localhost:{port}/?worker_id=erin&assignment_id=1")
        sentence = page.wait_for("document.querySelector('#sentence')?.textContent", 60)
        assert sentence in [unit["text"] for unit in sample]
        assert page.evaluate("document.querySelector('#task-title').textContent") == (
            "Rate this sentence")
        assert page.wait_for("document.querySelector('#task-image')?.dataset.loaded") == "true"
        assert page.evaluate("document.querySelector('#submit-button').disabled") is True
        page.click("input[name=rating][value='2']")
        page.evaluate("document.querySelector('#comment').focus()")
        page.send("Input.insertText", text="Under Mephisto.")
        # Mephisto's mock provider says "submitted" in an alert(), which would hold the page
        page.evaluate("window.alert = (text) => { window.alerted = text }")
        page.click("#submit-button")
        page.wait_for("!!document.querySelector('#thank-you')")
        assert page.wait_for("window.alerted").startswith("The task has been submitted!")

        saved = None
        deadline = time.monotonic() + 60
        while saved is None and time.monotonic() < deadline:
            for path in real_mephisto.data.rglob("agent_data.json"):
                data = json.loads(path.read_text())
                if data.get("outputs"):
                    saved = data
            time.sleep(0.2)
        assert saved is not None, "\n".join(lines[-40:])
        assert saved["inputs"] == {"text": sentence}
        assert saved["outputs"] == {"rating": 2, "comment": "Under Mephisto."}
        assert not any(re.search(r"Traceback", line) for line in lines), "\n".join(lines)
    finally:
        stop_group(launched, grace=30, first=signal.SIGINT)  # Ctrl-C: Mephisto stops its router
        stop_marked("PREVIEW_TEST_MEPHISTO", mark)
