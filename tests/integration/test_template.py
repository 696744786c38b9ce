"""The rendered webapp template installs with `npm ci` and builds with `npm run build`, its
lockfile untouched and its title escaped."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from buildtools.core.template import render_tree, template_context, template_root


def _npm(args: list[str], cwd: Path) -> None:
    npm = shutil.which("npm")
    assert npm is not None
    result = subprocess.run(
        [npm, *args], cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, (
        f"npm {' '.join(args)} failed ({result.returncode}):\n{result.stdout[-3000:]}\n"
        f"{result.stderr[-3000:]}"
    )


@pytest.mark.needs("npm")
def test_rendered_template_installs_and_builds_with_npm(tmp_path: Path) -> None:
    title = 'Rate the "best" photo'
    render_tree(
        template_root(),
        tmp_path,
        template_context({"task_name": "Photo Rating Task", "task_title": title}),
    )
    webapp = tmp_path / "webapp"
    package = json.loads((webapp / "package.json").read_text(encoding="utf-8"))
    assert package["name"] == "photo-rating-task"
    lock_before = (webapp / "package-lock.json").read_bytes()

    _npm(["ci", "--no-audit", "--no-fund"], webapp)
    _npm(["run", "build"], webapp)

    index = webapp / "dist" / "index.html"
    assert index.is_file()
    html = index.read_text(encoding="utf-8")
    assert "<title>Rate the &#34;best&#34; photo</title>" in html
    assert html.count("<title>") == 1
    # one classic script with its CSS inside, at a relative URL (base './'), after the crowd
    # provider's script: the bundle.js that Mephisto's static_react_task blueprint serves
    assert html.index('src="wrap_crowd_source.js"') < html.index('src="./bundle.js"')
    assert sorted(path.name for path in (webapp / "dist").iterdir()) == [
        "bundle.js", "index.html"]
    assert (webapp / "dist" / "bundle.js").read_bytes().startswith(b"(function(")

    _npm(["run", "build:mephisto"], webapp)  # what run_task.py's build_custom_bundle runs
    assert (webapp / "build" / "bundle.js").read_bytes() == (
        webapp / "dist" / "bundle.js").read_bytes()
    assert (webapp / "package-lock.json").read_bytes() == lock_before
