"""Mephisto's examples as a new user builds and deploys them, unchanged (real npm and webpack,
the page in headless Chromium): the shapes of parlai_chat_task_demo (output folder from
webpack's output.filename), form_composer_demo (a task_source other than bundle.js) and
static_react_task (its own index.html that loads wrap_crowd_source.js)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from buildtools.deploy.architects import PUBLIC
from buildtools.deploy.serve import make_server, url_of
from support.browser import Browser
from support.config_files import MEPHISTO_TASK_YAML
from support.mephisto import MephistoTask

pytestmark = pytest.mark.needs("npm")
REPO = Path(__file__).resolve().parents[3]
TASK = MEPHISTO_TASK_YAML


def test_the_readme_command_builds_a_task_folder_without_dodo_py(task: MephistoTask) -> None:
    """README's command for a Mephisto task, typed as written in the task folder (which, as
    Mephisto's own, has no dodo.py)."""
    readme = " ".join((REPO / "README.md").read_text().split())
    command = re.search(r"`(BUILDTOOLS_CONFIG=hydra_configs/conf/example\.yaml [^`]+)`", readme)
    assert command, "README names no command for a Mephisto task's YAML"
    assert not (task.root / "dodo.py").exists()
    env = {key: value for key, value in os.environ.items()
           if key not in ("BUILDTOOLS_CONFIG", "BUILDTOOLS_FORCE_REBUILD")}
    env.update(BUILDTOOLS_CACHE_DIR=str(task.root.parent / "own-cache"),
               CYPRESS_INSTALL_BINARY="0",
               PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""))
    done = subprocess.run(["bash", "-c", command.group(1)], cwd=task.root, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (task.root / "dist" / "bundle" / "bundle.js").is_file()


def _own_cache(task: MephistoTask) -> dict[str, str]:
    """A build cache of the test's own: the session's is shared by the other tests' copies of
    the task, which must not find these builds there (nor these tests theirs)."""
    return {"BUILDTOOLS_CACHE_DIR": str(task.root.parent / "own-cache")}


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
    out = task.buildtools("build", env={"BUILDTOOLS_CONFIG": "hydra_configs/conf/example.yaml",
                                        **_own_cache(task)})
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
    out = task.buildtools("build", env=_own_cache(task))
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
    out = task.buildtools("deploy", "local", env=_own_cache(task))
    public = task.root / "dist" / "local" / PUBLIC
    assert "Rate a sentence (own page)" in (public / "index.html").read_text(), out
    assert (public / "wrap_crowd_source.js").read_bytes() == (
        task.root / "provider" / "wrap_crowd_source.js").read_bytes()

    loaded = _load(browser, public)
    assert "is not defined" not in loaded.stderr, loaded.stderr[-2000:]
    assert '<main id="task"><h1>Hello, worker: rate this sentence</h1>' in loaded.stdout

    # without a known crowd wrapper: a warning that names the key, and the very failure the
    # page check above looks for
    (task.root / "hydra_configs" / "conf" / "buildtools.yaml").write_text("buildtools: {}\n")
    out = task.buildtools("deploy", "local", env=_own_cache(task))
    assert ("warning: the bundle's index.html loads wrap_crowd_source.js, which neither the "
            "bundle nor [deploy] crowd_wrapper provides") in out, out
    assert not (public / "wrap_crowd_source.js").exists()
    failed = _load(browser, public)
    assert "getWorkerName is not defined" in failed.stderr, failed.stderr[-2000:]


def _load(browser: Browser, public: Path) -> subprocess.CompletedProcess[str]:
    """The page served as `buildtools serve` serves it, in headless Chromium with its console
    on stderr; stdout is the DOM after its scripts ran."""
    server = make_server(public, "127.0.0.1", 0)
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
    return loaded
