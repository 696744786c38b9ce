"""Mephisto's examples as a new user builds and deploys them, unchanged (real npm and webpack,
the page in headless Chromium): the shapes of parlai_chat_task_demo (output folder from
webpack's output.filename), form_composer_demo (a task_source other than bundle.js) and
static_react_task (its own index.html that loads wrap_crowd_source.js)."""

from __future__ import annotations

import subprocess
import tempfile
import threading
from typing import TYPE_CHECKING

import pytest

from buildtools.deploy.architects import PUBLIC
from buildtools.deploy.serve import make_server, url_of

if TYPE_CHECKING:
    from tests.integration.conftest import Browser
    from tests.integration.mephisto.conftest import MephistoTask

pytestmark = pytest.mark.needs("npm")
TASK = """\
  task:
    task_name: example
    task_title: "Rate a sentence"
    task_description: "Rate it."
    task_reward: 0.3
    task_tags: "test"
"""


def _only_yaml(task: MephistoTask, text: str, base: str = "") -> None:
    """The task's hydra_configs/conf/ with this YAML as example.yaml (and base.yaml)."""
    conf = task.root / "hydra_configs" / "conf"
    (conf / "example.yaml").write_text(text)
    if base:
        (conf / "base.yaml").write_text(base)


def test_parlai_chat_demo_builds_into_the_folder_webpack_writes(task: MephistoTask) -> None:
    _only_yaml(task, "#@package _global_\ndefaults:\n  - base\nmephisto:\n" + TASK,
               base="#@package _global_\ndefaults:\n  - /mephisto/blueprint: parlai_chat\n"
                    "  - /mephisto/architect: local\n  - /mephisto/provider: mock\n"
                    "mephisto:\n  blueprint:\n    num_conversations: 1\n")
    out = task.buildtools("build", env={"BUILDTOOLS_CONFIG": "hydra_configs/conf/example.yaml"})
    bundle = task.root / "dist" / "bundle"
    assert (bundle / "bundle.js").is_file(), out
    assert b"rate this sentence" in (bundle / "bundle.js").read_bytes()


def test_form_composer_task_source_is_the_file_built(task: MephistoTask) -> None:
    _only_yaml(task, "#@package _global_\ndefaults:\n  - /mephisto/blueprint: remote_procedure\n"
                     "  - /mephisto/architect: local\n  - /mephisto/provider: mock\nmephisto:\n"
                     "  blueprint:\n"
                     "    task_source: ${task_dir}/webapp/build/bundle.presigned_urls.js\n"
                     "    task_source_review: ${task_dir}/webapp/build/bundle.review.js\n"
                     "    link_task_source: false\n" + TASK)
    out = task.buildtools("build")
    assert "> webpack --config=webpack.config.presigned_urls.js" in out, out
    bundle = task.root / "dist" / "bundle"
    built = (bundle / "bundle.presigned_urls.js").read_bytes()
    assert b"presigned URLs" in built
    assert (bundle / "bundle.review.js").is_file()


@pytest.mark.browser
def test_an_own_index_html_gets_the_crowd_wrapper_and_renders(
    task: MephistoTask, browser: Browser
) -> None:
    """static_react_task: extra_source_dir is webapp/src/static, whose index.html loads
    wrap_crowd_source.js and then bundle.js; [deploy] crowd_wrapper comes from
    buildtools.yaml beside the YAML."""
    text = (task.root / "hydra_configs" / "conf" / "example.yaml").read_text()
    _only_yaml(task, text.replace("extra_source_dir: ${task_dir}/assets",
                                  "extra_source_dir: ${task_dir}/webapp/src/static"))
    out = task.buildtools("deploy", "local")
    public = task.root / "dist" / "local" / PUBLIC
    assert "Rate a sentence (own page)" in (public / "index.html").read_text(), out
    assert (public / "wrap_crowd_source.js").read_bytes() == (
        task.root / "provider" / "wrap_crowd_source.js").read_bytes()

    server = make_server(public, "127.0.0.1", 0)  # what `buildtools serve` runs
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
            loaded = subprocess.run(
                [browser.binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", f"--user-data-dir={profile}", "--enable-logging=stderr",
                 "--v=0", "--virtual-time-budget=5000", "--dump-dom", url_of(server)],
                capture_output=True, text=True, timeout=90)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert "is not defined" not in loaded.stderr, loaded.stderr[-2000:]
    assert '<main id="task"><h1>Hello, worker: rate this sentence</h1>' in loaded.stdout
