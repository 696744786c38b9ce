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
from collections.abc import Iterator

import pytest

from support.dropin_inputs import (
    DODO,
    TASK_TOML,
    armed,
    build,
    built_text,
    edited_reaches_the_bundle,
    write_files,
)
from support.mephisto import MephistoTask

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
    "buildtools.toml": TASK_TOML,
    "dodo.py": DODO,
}


@pytest.fixture(scope="module")
def webpack(launched: tuple[MephistoTask, str], tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[MephistoTask]:
    task = launched[0].copy(tmp_path_factory.mktemp("inputs-webpack") / "task")
    write_files(task, INPUTS)
    main = task.webapp / "src" / "main.js"
    main.write_text(MAIN_PREFIX + main.read_text())
    config = task.webapp / "webpack.config.js"
    config.write_text(config.read_text() + WEBPACK_ALIAS)
    out = task.run_task().stdout
    assert "build          runs" in out, out
    yield task


@pytest.mark.parametrize(("name", "old", "new"), [
    pytest.param("shared/label.js", "relimp-v1", "relimp-v2", id="a_relative_import"),
    pytest.param("shared/data.txt", "urlasset-v1", "urlasset-v2",
                 id="a_new_url_of_import_meta_url"),
    pytest.param("lib/lib.js", "alias-v1", "alias-v2", id="an_alias_computed_in_the_config"),
    pytest.param("shared/babel.base.js", "babelext-v1", "babelext-v2",
                 id="a_babel_config_that_extends_one_outside"),
])
def test_an_input_out_of_the_webapp_reaches_the_bundle(webpack: MephistoTask, name: str,
                                                       old: str, new: str) -> None:
    edited_reaches_the_bundle(webpack, name, old, new, "dropin")


@pytest.mark.parametrize("front", ["buildtools", "doit"])
@pytest.mark.parametrize(("name", "marker"), [("shared/label.js", "relimp"),
                                              ("shared/data.txt", "urlasset"),
                                              ("lib/lib.js", "alias"),
                                              ("shared/babel.base.js", "babelext")])
def test_buildtools_build_and_doit_build(webpack: MephistoTask, front: str, name: str,
                                         marker: str) -> None:
    """Each way again, through the other front ends (their own state: their first build
    runs): the drop-in's test left each marker at -v2; buildtools makes it -v3, doit -v4."""
    build(webpack, front)
    step = 3 if front == "buildtools" else 4
    edited_reaches_the_bundle(webpack, name, f"{marker}-v{step - 1}", f"{marker}-v{step}",
                              front)


def test_an_edit_the_build_does_not_read_and_a_touch_run_nothing(webpack: MephistoTask) -> None:
    build(webpack, "dropin")  # the drop-in's state catches up with the edits
    armed(webpack, "dropin")
    (webpack.root / "shared" / "README.md").write_text("edited, not read by the build\n")
    run_task = webpack.root / "run_task.py"
    run_task.write_text(run_task.read_text() + "# the task's Python, edited\n")
    os.utime(webpack.root / "shared" / "label.js")
    out = build(webpack, "dropin")
    assert "build          up to date" in out and "runs" not in out, out


def test_a_file_created_where_the_resolver_looked(webpack: MephistoTask) -> None:
    """`../../lib2/mod` resolved to lib2/mod/index.js after lib2/mod.js and lib2/mod.jsx were
    tried (webpack's missingDependencies); the build read nothing else in lib2/."""
    (webpack.root / "lib2" / "mod").mkdir(parents=True)
    (webpack.root / "lib2" / "mod" / "index.js").write_text('export const MOD = "modindex";\n')
    main = webpack.webapp / "src" / "main.js"
    main.write_text('import { MOD } from "../../lib2/mod";\nconsole.log(MOD);\n'
                    + main.read_text())
    build(webpack, "dropin")
    assert "modindex" in built_text(webpack)
    armed(webpack, "dropin")
    (webpack.root / "lib2" / "mod.js").write_text('export const MOD = "modfile";\n')
    out = build(webpack, "dropin")
    assert "build          runs because files the last build read changed: ../lib2/, " \
        "../lib2/mod.js" in out, out  # lib2/ is listed too, as the folder above mod/
    text = built_text(webpack)
    assert "modfile" in text and "modindex" not in text


def test_a_browserslist_config_created_above_the_webapp(webpack: MephistoTask) -> None:
    """webpack (its default target) and Babel's preset-env look for a browserslist config from
    the webapp up, through the task folder, where the build read nothing: a .browserslistrc
    created there changes the bundle (ES5 for IE 11), and so does removing it."""
    build(webpack, "dropin")
    before = webpack.bundle_js.read_text()
    armed(webpack, "dropin")
    created = webpack.root / ".browserslistrc"
    created.write_text("ie 11\n")
    try:
        out = build(webpack, "dropin")
        assert "build          runs because files the last build read changed: " \
            "../.browserslistrc" in out, out
        assert webpack.bundle_js.read_text() != before
    finally:
        created.unlink()
    assert "build          runs" in build(webpack, "dropin")
    assert webpack.bundle_js.read_text() == before


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
