"""The configuration of one build_custom_bundle call: the call's webapp, command and script; a
buildtools.toml of the task folder for the rest; one state folder per (webapp, command)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from buildtools.errors import UserError
from buildtools.mephisto import mephisto_config, pair_state_dir


@pytest.fixture
def task(tmp_path: Path) -> Path:
    webapp = tmp_path / "webapp"
    webapp.mkdir()
    (webapp / "package.json").write_text(json.dumps(
        {"scripts": {"dev": "webpack", "build:review": "webpack -c review.js"}}))
    (webapp / "link.sh").write_text("true\n")
    return tmp_path


def test_the_call_decides_and_nothing_else_is_needed(task: Path) -> None:
    config = mephisto_config(task, "webapp", "dev", "link.sh", environ={})
    assert config.webapp.source == task / "webapp"
    assert (config.webapp.build_command, config.webapp.output) == ("dev", "build")
    assert config.webapp.post_install_script == "link.sh"
    assert config.state_dir == task / ".buildtools" / "mephisto" / "webapp" / "dev"
    assert config.bundle_dir == config.state_dir / "dist" / "bundle"
    assert config.cache.enabled is False  # a restore would replace the shared build/ folder
    assert config.path == task / "buildtools.toml"  # absent: the record sees one appear
    absolute = mephisto_config(task, "webapp", "dev", str(task / "webapp" / "link.sh"),
                               environ={})
    assert absolute.webapp.post_install_script == "link.sh"


def test_each_command_has_its_own_state(task: Path) -> None:
    review = pair_state_dir(task, "webapp", "build:review")
    assert review.parent == pair_state_dir(task, "webapp", "dev").parent  # one lock per webapp
    assert review.name.startswith("build_review-")
    assert review != pair_state_dir(task, "webapp", "build_review")


def test_a_buildtools_toml_of_the_task_is_honoured(task: Path) -> None:
    (task / "assets").mkdir()
    (task / "buildtools.toml").write_text("""\
[webapp]
source = "elsewhere"
build_command = "build"
node = "system"
build_env = ["API_URL"]
extra_source_dir = "assets"

[task]
task_title = "T"
""")
    config = mephisto_config(task, "webapp", "build:review", "", environ={})
    assert config.webapp.source == task / "webapp"  # the call's, not the file's
    assert config.webapp.build_command == "build:review"
    assert config.webapp.node == "system"
    assert config.webapp.build_env == ("API_URL",)
    assert config.webapp.extra_source_dir == task / "assets"
    assert config.task["task_title"] == "T"
    assert config.path == task / "buildtools.toml"


def test_bad_calls(task: Path) -> None:
    with pytest.raises(UserError) as info:
        mephisto_config(task, "webapp", "dev", "../outside.sh", environ={})
    assert str(info.value) == (
        f"build_custom_bundle: post_install_script '../outside.sh' lies outside "
        f"{task / 'webapp'}; put it in the webapp folder (it runs there, after each npm install)"
    )
    with pytest.raises(UserError, match=r"^build_custom_bundle: build_command: webapp/"
                                        r"package\.json defines no script 'build'; it defines: "
                                        r"build:review, dev$"):
        mephisto_config(task, "webapp", "build", "", environ={})
