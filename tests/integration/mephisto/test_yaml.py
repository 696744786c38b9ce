"""A Mephisto task's own Hydra YAML, unchanged, builds and deploys with buildtools (real npm,
real webpack; the page is loaded in headless Chromium)."""

from __future__ import annotations

import threading

import pytest

from buildtools.deploy.architects import PUBLIC
from buildtools.deploy.serve import make_server, url_of
from support.browser import Browser
from support.mephisto import MephistoTask

# the task is installed once per session (webpack, Babel, React); the tests of this folder run
# on one xdist worker (tests/conftest.py)
pytestmark = pytest.mark.needs("npm")
CONFIG = "hydra_configs/conf/example.yaml"


def test_the_yaml_builds_the_task_and_its_review_bundle(task: MephistoTask) -> None:
    out = task.buildtools("build", env={"BUILDTOOLS_CONFIG": CONFIG})
    assert "build          runs because it has not run here before" in out, out
    assert "build:review   runs because it has not run here before" in out, out
    bundle = task.root / "dist" / "bundle"
    assert sorted(path.name for path in bundle.iterdir()) == [
        "bundle.js", "bundle.review.js", "notes.txt", "task_config.json"]
    assert b"rate this sentence" in (bundle / "bundle.js").read_bytes()

    out = task.buildtools("build")  # found as the only YAML of hydra_configs/conf/
    assert "runs because" not in out, out

    review = task.webapp / "src" / "review.js"
    review.write_text(review.read_text().replace('"(review)"', '"(second look)"'))
    out = task.buildtools("build")
    assert "install        up to date" in out, out
    assert "build:review   runs because the build changed" in out, out
    assert b"(second look)" in (bundle / "bundle.review.js").read_bytes()
    assert (bundle / "bundle.js").is_file()  # the review build took nothing away


@pytest.mark.browser
def test_a_bundle_js_only_task_deploys_a_page_that_renders(
    task: MephistoTask, browser: Browser,
) -> None:
    out = task.buildtools("deploy", "local")  # the architect the YAML names
    public = task.root / "dist" / "local" / PUBLIC
    page = (public / "index.html").read_text()
    assert '<div id="app"></div>' in page
    assert page.index('src="wrap_crowd_source.js"') < page.index('src="bundle.js"'), page
    assert "<title>Rate a sentence</title>" in page
    assert (public / "wrap_crowd_source.js").read_bytes() == (
        task.root / "provider" / "wrap_crowd_source.js").read_bytes()
    assert "package/local" in out, out
    assert not (task.root / "dist" / "heroku").exists()

    server = make_server(public, "127.0.0.1", 0)  # what `buildtools serve` runs
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        dom = browser.dump_dom(url_of(server))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
    assert '<div id="app"><main id="task"><h1>Hello, worker: rate this sentence</h1>' in dom, dom


def test_an_html_task_source_builds_without_npm(bare_task: MephistoTask) -> None:
    root = bare_task.root
    (root / "server_files" / "extra_refs").mkdir(parents=True)
    (root / "server_files" / "demo_task.html").write_text("<h1>Rate ${text}</h1>\n")
    (root / "server_files" / "extra_refs" / "style.css").write_text("h1 { color: red }\n")
    (root / "conf").mkdir()
    (root / "conf" / "example.yaml").write_text("""\
#@package _global_
defaults:
  - /mephisto/blueprint: static_task
  - /mephisto/architect: local
  - /mephisto/provider: mock
mephisto:
  blueprint:
    data_csv: ${task_dir}/data.csv
    task_source: ${task_dir}/server_files/demo_task.html
    extra_source_dir: ${task_dir}/server_files/extra_refs
  task:
    task_name: html-static-task-example
    task_title: "Rate the sentence"
    task_description: "Rate it."
    task_reward: 0.3
    task_tags: "static,task"
""")
    out = bare_task.buildtools("build")
    assert "page           runs because it has not run here before" in out, out
    assert "install" not in out and "npm ci" not in out and "npm run" not in out, out
    bundle = root / "dist" / "bundle"
    assert sorted(path.name for path in bundle.iterdir()) == [
        "demo_task.html", "index.html", "style.css", "task_config.json"]
    assert (bundle / "index.html").read_text() == "<h1>Rate ${text}</h1>\n"
    assert "runs because" not in bare_task.buildtools("build")
    (root / "server_files" / "demo_task.html").write_text("<h1>Judge ${text}</h1>\n")
    out = bare_task.buildtools("build")
    assert "page           runs because demo_task.html changed" in out, out
    assert (bundle / "demo_task.html").read_text() == "<h1>Judge ${text}</h1>\n"
