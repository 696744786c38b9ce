"""`buildtools preview --watch`: a save reaches the page that is already open, without a
restart; a touch runs nothing and reloads nothing; a failed build keeps the last good page and
shows its error on the terminal and in the page, until a save fixes it (a reload only when the
fixed bundle differs from the page's)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from support.devtools import Page
from support.preview import Preview

pytestmark = [pytest.mark.needs("npm"), pytest.mark.browser]
LEGEND = "document.querySelector('legend')?.textContent"
BANNER = "document.querySelector('#buildtools-preview-error')?.textContent"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_an_edit_reaches_the_open_page_and_a_failed_build_keeps_it(
        template_task: Path, run_preview: Callable[..., Preview], page: Page) -> None:
    preview = run_preview(template_task, "--watch")
    page.goto(preview.url + "?worker_id=dana&assignment_id=1")
    assert page.wait_for(LEGEND) == "How natural does it sound?"
    page.evaluate("window.notReloaded = true")
    app = template_task / "webapp" / "src" / "App.jsx"

    seen = len(preview.lines)
    os.utime(app)  # a touch: the check runs, the build does not, the page stays
    preview.wait_for_line(r"^build is up to date", start=seen)
    assert page.evaluate("window.notReloaded") is True

    seen = len(preview.lines)
    edit(app, "How natural does it sound?", "Does it sound natural?")
    page.wait_for_value(LEGEND, "Does it sound natural?")
    assert page.evaluate("window.notReloaded") is None  # the page reloaded itself
    assert page.wait_for("document.querySelector('#sentence')?.textContent")  # same unit
    assert preview.wait_for_line(r"^changed: webapp/src/App\.jsx$", start=seen)
    assert preview.wait_for_line(r"^unit 1 of 3 to worker dana again", start=seen)
    page.evaluate("window.notReloaded = true")

    seen = len(preview.lines)
    edit(app, "export default function App() {", "export default function App() {{")
    error = preview.wait_for_line(r"^error: ", start=seen)
    assert "build failed" in error or "npm run build" in error, error
    banner = page.wait_for(BANNER)
    assert banner.startswith("build failed (this is the last good page):\n"), banner
    assert page.evaluate(LEGEND) == "Does it sound natural?"  # the last good page
    assert page.evaluate("window.notReloaded") is True

    # fixed back to the sources of the page it shows: the banner goes, nothing to reload
    edit(app, "export default function App() {{", "export default function App() {")
    assert page.wait_for(f"!{BANNER}")
    assert page.evaluate("window.notReloaded") is True

    edit(app, "export default function App() {", "export default function App() {{")
    page.wait_for(BANNER)
    edit(app, "export default function App() {{", "export default function App() {")
    edit(app, "Does it sound natural?", "Is it natural?")  # fixed and changed: a reload
    assert page.wait_for(f"!{BANNER} && window.notReloaded === undefined")
    page.wait_for_value(LEGEND, "Is it natural?")
