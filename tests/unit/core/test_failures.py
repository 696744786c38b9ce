"""An npm that fails, hangs until a timeout stops it, or is interrupted (buildtools.testing
.fake_npm): the last good output and bundle are kept, the stage leaves no stamp, and the next
build runs it again and says why."""

from __future__ import annotations

import pytest

from buildtools.errors import CommandFailed, Interrupted, UserError
from buildtools.testing.fake_npm import CtrlC, Fails, Hangs, Play, Writes
from support.fake_project import Project

HALF_WRITTEN = {"dist/index.html": "<p>half</p>", "dist/chunk.js": "half()"}
GOOD_OUTPUT = {"index.html": "<p>built</p>", "app.js": "run()"}


@pytest.mark.parametrize(("play", "raised"), [
    (Fails(2, ["npm error Build failed"], HALF_WRITTEN), CommandFailed),
    (Hangs(HALF_WRITTEN), Interrupted),
    (CtrlC(HALF_WRITTEN), KeyboardInterrupt),
    (Writes({}), UserError),  # finished, wrote no output folder
    (Writes({"dist/index.html": "<p>new</p>"}), None),
], ids=["fails", "hangs", "interrupted", "no-output", "output"])
def test_a_build_that_does_not_finish_keeps_the_last_output_and_leaves_no_stamp(
        project: Project, play: Play, raised: type[BaseException] | None) -> None:
    project.build()
    bundle = project.files(project.bundle)
    project.write("src/main.js", "console.log('edited')\n")
    project.npm.scripts["build"] = play
    if raised is None:  # the control: a build that wrote files replaces the output
        project.build()
        assert project.files(project.webapp / "dist") == {"index.html": "<p>new</p>"}
        return

    with pytest.raises(raised):
        project.build()

    assert project.npm.ran() == ["npm run build"]
    assert project.files(project.webapp / "dist") == GOOD_OUTPUT
    assert project.files(project.bundle) == bundle
    assert project.stamps() == {"node", "install", "bundle"}
    assert not list(project.webapp.glob(".dist*"))  # nothing left aside
    assert project.status()["build"].reason == "its last run failed or was interrupted"

    project.npm.scripts["build"] = Writes({"dist/index.html": "<p>again</p>"})
    result = project.build()
    assert result.ran == ["build", "bundle"]
    assert project.files(project.bundle)["index.html"] == "<p>again</p>"


def test_a_failed_build_says_npm_s_last_lines(project: Project) -> None:
    project.npm.scripts["build"] = Fails(2, ["src/main.js: Unexpected token", "npm error x"])

    with pytest.raises(CommandFailed) as failed:
        project.build()

    assert failed.value.returncode == 2
    assert failed.value.tail == ["src/main.js: Unexpected token", "npm error x"]
    assert str(failed.value) == "npm run build failed (exit code 2): npm run build"
    assert project.events.of("output")[-2:] == [("", "src/main.js: Unexpected token"),
                                                ("", "npm error x")]
    assert not project.bundle.exists()
    assert project.stamps() == {"node", "install"}


def test_a_build_without_the_index_html_the_last_bundle_had_is_refused(
        project: Project) -> None:
    project.build()
    project.write("src/main.js", "console.log('edited')\n")
    project.npm.scripts["build"] = Writes({"dist/app.js": "other()"})

    with pytest.raises(UserError, match=r"wrote no index\.html in dist/"):
        project.build()

    assert project.files(project.webapp / "dist") == GOOD_OUTPUT
    assert "build" not in project.stamps()


@pytest.mark.parametrize("play", [Fails(1, ["npm error network"]), Hangs(), CtrlC()],
                         ids=["fails", "hangs", "interrupted"])
def test_an_install_that_does_not_finish_leaves_no_stamp_and_builds_nothing(
        project: Project, play: Play) -> None:
    project.npm.install = play

    with pytest.raises((CommandFailed, Interrupted, KeyboardInterrupt)):
        project.build()

    assert project.npm.ran() == ["node --version", "npm ci"]
    assert project.stamps() == {"node"}
    assert not project.bundle.exists()
    assert project.status()["install"].reason == "its last run failed or was interrupted"


def test_a_lockfile_npm_ci_refuses_is_installed_with_npm_install(project: Project) -> None:
    refusal = ["npm error `npm ci` can only install packages when your package.json and "
               "package-lock.json or npm-shrinkwrap.json are in sync.",
               "npm error Missing: fsevents@2.3.3 from lock file"]
    project.npm.commands["npm ci"] = Fails(1, refusal)

    result = project.build()

    assert project.npm.ran() == ["node --version", "npm ci", "npm install", "npm run build"]
    assert result.ran == ["install", "build", "bundle"]
    assert ("info", "", "    npm ci refused package-lock.json as out of sync with package.json "
            "(Missing: fsevents@2.3.3 from lock file); running npm install"
            ) in project.events.heard
    assert ("output", "", refusal[0]) not in project.events.heard  # held back, then dropped


def test_an_install_failure_that_is_no_refusal_is_not_retried(project: Project) -> None:
    project.npm.commands["npm ci"] = Fails(1, ["npm error code E404"])

    with pytest.raises(CommandFailed):
        project.build()

    assert project.npm.ran() == ["node --version", "npm ci"]
    assert ("output", "", "npm error code E404") in project.events.heard  # passed on


def test_a_failed_post_install_script_leaves_no_install_stamp(project: Project) -> None:
    project.write("post.sh", "echo hi\n")
    project.webapp_settings["post_install_script"] = "post.sh"
    project.npm.post_install = Fails(3, ["post.sh: line 1: oops"])

    with pytest.raises(CommandFailed, match=r"post_install_script post\.sh failed"):
        project.build()

    assert project.npm.ran() == ["node --version", "npm ci", "bash post.sh"]
    assert project.stamps() == {"node"}
