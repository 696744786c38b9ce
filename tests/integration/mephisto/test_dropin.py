"""buildtools.mephisto.build_custom_bundle on a Mephisto-style task (real npm, real webpack):
the same calls and return values as Mephisto's, with the buildtools pipeline behind them."""

from __future__ import annotations

import pytest

from buildtools.errors import UserError
from buildtools.mephisto import build_custom_bundle
from support.mephisto import MephistoTask, signature

# the task is installed once per session (webpack, Babel, React); the tests of this folder run
# on one xdist worker (tests/conftest.py)
pytestmark = pytest.mark.needs("npm")


def test_the_first_launch_builds_both_bundles_and_returns_mephistos_path(
    launched: tuple[MephistoTask, str],
) -> None:
    task, out = launched
    expected = f"{task.root}/webapp/build/bundle.js"  # what Mephisto returns, for either call
    assert f"build:review -> {expected}\n" in out, out
    assert f"dev -> {expected}\n" in out, out
    assert "build          runs because it has not run here before" in out
    # one npm install: dev's install has build:review's key, and node_modules is as it left it
    assert out.count("install        done") == 1, out
    assert "install        up to date" in out.split("build:review ->")[1], out
    assert b"rate this sentence" in task.bundle_js.read_bytes()  # the aliased package
    assert task.review_js.is_file()


def test_a_second_launch_with_nothing_changed_runs_no_npm(
    task: MephistoTask
) -> None:
    before = [signature(path) for path in (task.bundle_js, task.review_js,
                                           task.webapp / "node_modules" / ".package-lock.json")]
    out = task.run_task("--review").stdout
    assert "runs because" not in out, out
    assert out.count("build is up to date") == 2, out
    assert f"dev -> {task.root}/webapp/build/bundle.js" in out
    after = [signature(path) for path in (task.bundle_js, task.review_js,
                                          task.webapp / "node_modules" / ".package-lock.json")]
    assert after == before


def test_each_build_command_keeps_its_own_key(task: MephistoTask) -> None:
    rating = task.webapp / "src" / "components" / "rating.jsx"
    rating.write_text(rating.read_text().replace(">Good<", ">Fine<"))
    out = task.run_task("--review").stdout
    assert out.count("build          runs because files changed: src/components/rating.jsx") == 2
    assert "install        up to date" in out
    assert b">Fine<" not in task.bundle_js.read_bytes()  # JSX is compiled: look for the text
    assert b'"Fine"' in task.bundle_js.read_bytes()
    assert b'"Fine"' in task.review_js.read_bytes()
    # Mephisto's order again: the dev build of the last call left build:review up to date
    out = task.run_task("--review").stdout
    assert "runs because" not in out, out


def test_a_failed_build_keeps_the_last_bundle_and_raises_one_line(
    task: MephistoTask, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(task.root)
    monkeypatch.setenv("BUILDTOOLS_CACHE_DIR", str(task.cache))
    good = task.bundle_js.read_bytes()
    app = task.webapp / "src" / "app.jsx"
    source = app.read_text()
    app.write_text(source + "\nexport const unfinished_line_42 = ;\n")
    with pytest.raises(UserError) as info:
        build_custom_bundle(str(task.root), quiet=True)
    assert str(info.value) == "npm run dev failed (exit code 1): npm run dev"
    assert isinstance(info.value, Exception)
    assert task.bundle_js.read_bytes() == good  # webpack wrote a broken one; it was put back
    assert task.review_js.is_file()

    app.write_text(source)
    assert build_custom_bundle(str(task.root), quiet=True) == f"{task.root}/webapp/build/bundle.js"
    assert task.bundle_js.read_bytes() == good  # the same sources again


def test_force_rebuild_and_post_install_script_behave_as_in_mephisto(
    task: MephistoTask, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(task.root)
    monkeypatch.setenv("BUILDTOOLS_CACHE_DIR", str(task.cache))
    (task.root / "counts").mkdir()
    # Mephisto runs it with bash in the webapp folder, after npm install
    (task.webapp / "link_packages.sh").write_text(
        "test -d node_modules/react && printf x >> ../counts/post_install\n")

    def launch(**options: object) -> str:
        build_custom_bundle(str(task.root), post_install_script="link_packages.sh", **options)
        return capsys.readouterr().out

    out = launch(force_rebuild=False)  # a new script: the install runs, then the script
    assert "post_install   done" in out, out
    assert (task.root / "counts" / "post_install").read_text() == "x"
    out = launch(force_rebuild=False)
    assert "runs because" not in out, out
    assert (task.root / "counts" / "post_install").read_text() == "x"
    out = launch(force_rebuild=True)  # as Mephisto: npm install, the script, the build
    for stage in ("install", "build"):
        assert f"{stage:<14} runs because a rebuild was forced" in out, out
    assert (task.root / "counts" / "post_install").read_text() == "xx"


def test_bad_calls_are_one_clear_line(task: MephistoTask) -> None:
    with pytest.raises(UserError, match=r"^build_custom_bundle: build_command: webapp/package"
                       r"\.json defines no script 'build'; it defines: build:presigned_urls, "
                       r"build:review, dev, dev:watch$"):
        build_custom_bundle(str(task.root), build_command="build")
    with pytest.raises(UserError, match=r"has no package\.json; custom_src_dir and webapp_name"):
        build_custom_bundle(str(task.root), webapp_name="assets")
    with pytest.raises(UserError, match=r"post_install_script 'nope\.sh' not found in "):
        build_custom_bundle(str(task.root), post_install_script="nope.sh")


def test_an_edit_to_the_aliased_package_rebuilds(task: MephistoTask) -> None:
    shared = task.root / "packages" / "task-shared" / "index.js"
    shared.write_text(shared.read_text().replace("rate this sentence", "judge this sentence"))
    out = task.run_task().stdout
    assert "build          runs because files changed: ../packages/task-shared/index.js" in out, out
    assert "install        up to date" in out, out
    assert b"judge this sentence" in task.bundle_js.read_bytes()
