"""Inputs observed, not guessed (real webpack 5 and Babel, through the Mephisto drop-in and
through `buildtools build` and `doit build`): a relative import out of the webapp, a
`new URL(..., import.meta.url)` asset, an alias computed in webpack.config.js and a Babel
config that extends one outside each make an edit of that file reach build/bundle.js, with
the no-op record armed, and so does a file created where webpack's resolver looked; an edit
the build does not read and a touch run nothing; a failed build with no earlier output leaves
nothing of what it wrote.

One copy of the launched task is shared by the module's tests, which run in order."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from buildtools.core import record as fresh
from buildtools.mephisto import pair_state_dir

if TYPE_CHECKING:
    from tests.integration.mephisto.conftest import MephistoTask

pytestmark = pytest.mark.needs("npm")

MAIN_PREFIX = """\
import { LABEL } from "../../shared/label.js";
import { LIB } from "@lib/lib.js";
const DATA = new URL("../../shared/data.txt", import.meta.url);
console.log(LABEL, LIB, DATA, "BABEL_MARKER");
"""
WEBPACK_ALIAS = """\
// computed: no literal path that a reader of this file could follow
module.exports.resolve.alias["@lib"] = path.resolve(__dirname, ["..", "lib"].join("/"));
module.exports.output.assetModuleFilename = "build/[name][ext]";
"""
INPUTS = {
    "shared/label.js": 'export const LABEL = "relimp-v1";\n',
    "shared/data.txt": "urlasset-v1\n",
    "lib/lib.js": 'export const LIB = "alias-v1";\n',
    "shared/babel.base.js": """\
module.exports = { plugins: [() => ({ visitor: { StringLiteral(path) {
  if (path.node.value === "BABEL_MARKER") path.node.value = "babelext-v1";
} } })] };
""",
    "webapp/babel.config.js": 'module.exports = { extends: "../shared/babel.base.js" };\n',
    "shared/README.md": "not read by the build\n",
    "buildtools.toml": """\
[webapp]
source = "webapp"
output = "build"
build_command = "dev"

[task]
task_title = "Rate a sentence"
task_description = "Say whether it is good."
task_reward = 0.05
task_tags = "test"
""",
    "dodo.py": "from buildtools.tasks import *  # noqa: F403\n",
}


def built_text(task: MephistoTask) -> str:
    return "".join(path.read_text(errors="replace")
                   for path in (task.webapp / "build").rglob("*") if path.is_file())


def environ(task: MephistoTask) -> dict[str, str]:
    """The variables the task's commands run with (tests/integration/mephisto/conftest.py)."""
    env = {**os.environ, "NO_COLOR": "1", "CYPRESS_INSTALL_BINARY": "0",
           "BUILDTOOLS_CACHE_DIR": str(task.cache)}
    for name in ("BUILDTOOLS_FORCE_REBUILD", "BUILDTOOLS_CONFIG"):
        env.pop(name, None)
    return env


def build(task: MephistoTask, front: str, doit_command: str) -> str:
    """A build through the drop-in (run_task.py), `buildtools build` or `doit build`."""
    if front == "dropin":
        return task.run_task().stdout
    if front == "buildtools":
        return task.buildtools("build")
    result = subprocess.run([doit_command, "build"], cwd=task.root, env=environ(task),
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def recorded(task: MephistoTask, front: str) -> bool:
    """The no-op record of that front end proves everything up to date."""
    state = pair_state_dir(task.root, "webapp", "dev") if front == "dropin" else None
    return fresh.check(str(task.root), environ(task),
                       state_dir=None if state is None else str(state)) is not None


def armed(task: MephistoTask, front: str, doit_command: str) -> None:
    """Wait out the racy window; a no-op run of `front` then leaves its no-op record."""
    for _ in range(2):  # a loaded machine may make the first no-op run too soon
        time.sleep(2.2)
        out = build(task, front, doit_command)
        if recorded(task, front):
            return
    raise AssertionError(f"no no-op record after two no-op runs:\n{out}")


def edited_reaches_the_bundle(task: MephistoTask, name: str, old: str, new: str, front: str,
                              doit_command: str) -> None:
    assert old in built_text(task)
    armed(task, front, doit_command)
    path = task.root / name
    path.write_text(path.read_text().replace(old, new))
    out = build(task, front, doit_command)
    assert "build          runs because files the last build read changed: " \
        f"{os.path.relpath(path, task.webapp)}" in out, out
    text = built_text(task)
    assert new in text and old not in text
    assert "build          up to date" in build(task, front, doit_command)


@pytest.fixture(scope="module")
def webpack(launched: tuple[MephistoTask, str], tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[MephistoTask]:
    task = launched[0].copy(tmp_path_factory.mktemp("inputs-webpack") / "task")
    for name, text in INPUTS.items():
        (task.root / name).parent.mkdir(parents=True, exist_ok=True)
        (task.root / name).write_text(text)
    main = task.webapp / "src" / "main.js"
    main.write_text(MAIN_PREFIX + main.read_text())
    config = task.webapp / "webpack.config.js"
    config.write_text(config.read_text() + WEBPACK_ALIAS)
    out = task.run_task().stdout
    assert "build          runs" in out, out
    yield task


def test_a_relative_import_out_of_the_webapp(webpack: MephistoTask, doit_command: str) -> None:
    edited_reaches_the_bundle(webpack, "shared/label.js", "relimp-v1", "relimp-v2", "dropin",
                              doit_command)


def test_a_new_url_of_import_meta_url(webpack: MephistoTask, doit_command: str) -> None:
    edited_reaches_the_bundle(webpack, "shared/data.txt", "urlasset-v1", "urlasset-v2",
                              "dropin", doit_command)


def test_an_alias_computed_in_the_config(webpack: MephistoTask, doit_command: str) -> None:
    edited_reaches_the_bundle(webpack, "lib/lib.js", "alias-v1", "alias-v2", "dropin",
                              doit_command)


def test_a_babel_config_that_extends_one_outside(webpack: MephistoTask,
                                                 doit_command: str) -> None:
    edited_reaches_the_bundle(webpack, "shared/babel.base.js", "babelext-v1", "babelext-v2",
                              "dropin", doit_command)


@pytest.mark.parametrize(("front", "old", "new"), [("buildtools", "relimp-v2", "relimp-v3"),
                                                   ("doit", "relimp-v3", "relimp-v4")])
def test_buildtools_build_and_doit_build(webpack: MephistoTask, doit_command: str,
                                         front: str, old: str, new: str) -> None:
    build(webpack, front, doit_command)  # their own state: the first build runs
    edited_reaches_the_bundle(webpack, "shared/label.js", old, new, front, doit_command)


def test_an_edit_the_build_does_not_read_and_a_touch_run_nothing(
        webpack: MephistoTask, doit_command: str) -> None:
    build(webpack, "dropin", doit_command)  # the drop-in's state catches up with the edits
    armed(webpack, "dropin", doit_command)
    (webpack.root / "shared" / "README.md").write_text("edited, not read by the build\n")
    run_task = webpack.root / "run_task.py"
    run_task.write_text(run_task.read_text() + "# the task's Python, edited\n")
    os.utime(webpack.root / "shared" / "label.js")
    out = build(webpack, "dropin", doit_command)
    assert "build          up to date" in out and "runs" not in out, out


def test_a_file_created_where_the_resolver_looked(webpack: MephistoTask,
                                                  doit_command: str) -> None:
    """`../../lib2/mod` resolved to lib2/mod/index.js after lib2/mod.js and lib2/mod.jsx were
    tried (webpack's missingDependencies); the build read nothing else in lib2/."""
    (webpack.root / "lib2" / "mod").mkdir(parents=True)
    (webpack.root / "lib2" / "mod" / "index.js").write_text('export const MOD = "modindex";\n')
    main = webpack.webapp / "src" / "main.js"
    main.write_text('import { MOD } from "../../lib2/mod";\nconsole.log(MOD);\n'
                    + main.read_text())
    build(webpack, "dropin", doit_command)
    assert "modindex" in built_text(webpack)
    armed(webpack, "dropin", doit_command)
    (webpack.root / "lib2" / "mod.js").write_text('export const MOD = "modfile";\n')
    out = build(webpack, "dropin", doit_command)
    assert "build          runs because files the last build read changed: ../lib2/mod.js" \
        in out, out
    text = built_text(webpack)
    assert "modfile" in text and "modindex" not in text


def test_a_failed_build_with_no_earlier_output_leaves_nothing(webpack: MephistoTask) -> None:
    """webpack writes a build/bundle.js saying "Module build failed", and exits 1."""
    import shutil

    shutil.rmtree(webpack.webapp / "build")
    app = webpack.webapp / "src" / "app.jsx"
    app.write_text(app.read_text() + "\nconst x = ;\n")
    out = webpack.run_task(code=1)
    assert "Module build failed" in out.stdout + out.stderr
    assert not (webpack.webapp / "build").exists()
    assert not webpack.bundle_js.exists()
