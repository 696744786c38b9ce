"""The stages that only some projects have, with a fake npm: a page (no npm), a template
rendered into the webapp, a post_install_script, extra build commands, and the inputs outside
the webapp (linked packages, copies, [webapp] inputs)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from buildtools.errors import UserError
from buildtools.testing.fake_npm import Writes
from support.fake_project import Project


def test_a_page_is_bundled_without_npm(project: Project) -> None:
    project.write("task.html", "<form>task</form>")
    project.webapp_settings["page"] = "webapp/task.html"

    result = project.build()

    assert project.npm.ran() == ["node --version"]  # the toolchain is found, npm never runs
    assert result.ran == ["page", "bundle"]
    assert project.files(project.bundle).keys() == {"task.html", "index.html", "logo.svg",
                                                    "task_config.json"}
    assert project.files(project.bundle)["index.html"] == "<form>task</form>"
    assert project.build().ran == []

    project.write("task.html", "<form>edited</form>")
    assert project.build().ran == ["page", "bundle"]
    assert ("runs", "page", "task.html changed") in project.events.heard
    assert project.files(project.bundle)["task.html"] == "<form>edited</form>"


def test_a_page_leaves_the_index_html_of_extra_source_dir_in_place(project: Project) -> None:
    project.write("task.html", "<form>task</form>")
    (project.root / "assets" / "index.html").write_text("<p>shell</p>")
    project.webapp_settings["page"] = "webapp/task.html"

    project.build()

    assert project.files(project.bundle)["index.html"] == "<p>shell</p>"


def test_a_template_is_rendered_into_the_webapp_before_the_install(project: Project) -> None:
    template = project.root / "template"
    template.mkdir()
    (template / "title.txt.j2").write_text("{{ task_title }}\n")
    project.webapp_settings["template"] = "template"

    result = project.build()

    assert result.ran == ["render", "install", "build", "bundle"]
    assert (project.webapp / "title.txt").read_text() == "t\n"
    assert project.build().ran == []

    project.task["task_title"] = "new title"
    result = project.build()
    assert result.ran[0] == "render"
    assert (project.webapp / "title.txt").read_text() == "new title\n"


def test_a_post_install_script_runs_after_each_install(project: Project) -> None:
    project.write("post.sh", "cp x y\n")
    project.webapp_settings["post_install_script"] = "post.sh"
    project.npm.post_install = Writes({"src/generated.js": "gen()"})

    result = project.build()

    assert project.npm.ran() == ["node --version", "npm ci", "bash post.sh", "npm run build"]
    assert result.ran == ["install", "post_install", "build", "bundle"]
    assert project.build().ran == []
    assert ("up_to_date", "post_install", "post.sh") in project.events.heard

    project.write("post.sh", "cp x z\n")  # an install input: the install runs, then the script
    assert project.build().ran == ["install", "post_install", "build", "bundle"]


def test_a_missing_post_install_script_is_one_clear_error(project: Project) -> None:
    project.webapp_settings["post_install_script"] = "post.sh"

    with pytest.raises(UserError, match=r"post_install_script: 'post.sh' not found in"):
        project.build()

    assert [command for command in project.npm.ran() if command != "node --version"] == []
    assert "install" not in project.stamps()


def test_extra_build_commands_add_to_the_build_output(project: Project) -> None:
    project.package(scripts={"build": "vite build", "review": "vite build -m review"})
    project.webapp_settings["extra_build_commands"] = ["review"]
    project.npm.scripts["review"] = Writes({"dist/review.html": "<p>review</p>"})

    result = project.build()

    assert project.npm.ran()[-2:] == ["npm run build", "npm run review"]
    assert result.ran == ["install", "build", "build:review", "bundle"]
    assert project.files(project.bundle)["review.html"] == "<p>review</p>"
    assert project.build().ran == []

    project.write("src/main.js", "console.log('edited')\n")  # the build empties dist/
    assert project.build().ran == ["build", "build:review", "bundle"]
    assert "review.html" in project.files(project.bundle)


def test_an_extra_build_that_writes_nothing_is_refused(project: Project) -> None:
    project.package(scripts={"build": "vite build", "build:review": "true"})
    project.webapp_settings["extra_build_commands"] = ["build:review"]
    project.npm.scripts["build:review"] = Writes()

    with pytest.raises(UserError, match="finished but wrote nothing in dist/"):
        project.build()

    assert project.stamps() == {"node", "install", "build"}
    assert not project.bundle.exists()


def test_a_build_output_with_a_task_config_json_is_refused(project: Project) -> None:
    project.npm.scripts["build"] = Writes({"dist/index.html": "i", "dist/task_config.json": "{}"})

    with pytest.raises(UserError, match=r"task_config\.json is written by buildtools"):
        project.build()

    assert not project.bundle.exists()
    assert "bundle" not in project.stamps()
    assert not list(project.bundle.parent.glob("*bundle*"))  # no staging folder left


def _local_library(project: Project) -> Path:
    """mylib/ beside the webapp, a dependency of it as file:../mylib (package.json, lock)."""
    library = project.root / "mylib"
    library.mkdir()
    (library / "package.json").write_text('{"name": "mylib", "main": "index.js"}')
    (library / "index.js").write_text("export const a = 1\n")
    project.package(dependencies={"react": "^19.0.0", "mylib": "file:../mylib"})
    project.lock()
    return library


def test_a_linked_package_s_edit_runs_the_build(project: Project) -> None:
    library = _local_library(project)
    (project.webapp / "node_modules").mkdir()
    os.symlink("../../mylib", project.webapp / "node_modules" / "mylib")
    project.build()

    (library / "index.js").write_text("export const a = 2\n")
    result = project.build()

    assert project.npm.ran() == ["npm run build"]
    assert result.ran == ["build", "bundle"]
    assert ("runs", "build", "files changed: ../mylib/index.js") in project.events.heard


def test_a_copied_package_s_edit_runs_the_install(project: Project) -> None:
    library = _local_library(project)
    copy = project.webapp / "node_modules" / "mylib"
    copy.mkdir(parents=True)
    (copy / "package.json").write_text((library / "package.json").read_text())
    project.build()

    (library / "index.js").write_text("export const a = 2\n")
    result = project.build()

    assert project.npm.ran() == ["npm ci", "npm run build"]
    assert result.ran == ["install", "build", "bundle"]


def test_webapp_inputs_outside_the_webapp_are_build_inputs(project: Project) -> None:
    (project.root / "shared.json").write_text(json.dumps({"a": 1}))
    shared = project.root / "shared"
    shared.mkdir()
    (shared / "words.txt").write_text("one\n")
    project.webapp_settings["inputs"] = ["shared.json", "shared"]
    project.build()

    (project.root / "shared.json").write_text(json.dumps({"a": 2}))
    assert project.build().ran == ["build", "bundle"]
    assert ("runs", "build", "files changed: ../shared.json") in project.events.heard

    (shared / "words.txt").write_text("two\n")
    assert project.build().ran == ["build", "bundle"]
    assert ("runs", "build", "files changed: ../shared/words.txt") in project.events.heard


def test_dropping_extra_source_dir_runs_the_bundle_and_says_why(project: Project) -> None:
    project.build()
    project.webapp_settings["extra_source_dir"] = ""

    assert project.build().ran == ["bundle"]

    assert ("runs", "bundle", "extra_source_dir changed") in project.events.heard
    assert "logo.svg" not in project.files(project.bundle)


def test_an_output_folder_that_cannot_be_made_is_one_clear_error(project: Project) -> None:
    project.build()
    project.write("src/main.js", "console.log('edited')\n")
    (project.root / "dist").rename(project.root / "dist-kept")
    (project.root / "dist").write_text("a file where the output folder goes")

    with pytest.raises(UserError, match=r"^cannot write .*: .*; make it writable"):
        project.build()

    assert project.npm.ran() == ["npm run build"]
    assert "bundle" not in project.stamps()
    assert (project.root / "dist").read_text() == "a file where the output folder goes"
