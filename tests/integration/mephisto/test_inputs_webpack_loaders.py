"""Inputs observed, not guessed, where webpack's loaders and its config reach out of the webapp
(real webpack 5, ts-loader and TypeScript, css-loader and style-loader, postcss-loader, dotenv),
through the Mephisto drop-in (run_task.py): a tsconfig.json that extends one outside the webapp
(ts-loader compiles with its jsxFactory), a gitignored .env.local that webpack.config.js reads
with dotenv, a CSS `@import` out of the webapp, a postcss.config.js that takes its plugins from
a file outside and a file outside that webpack.config.js requires each make an edit of that
file reach build/bundle.js, with the no-op record armed; so do the CSS `@import` and the PostCSS
config through `buildtools build` and `doit build` (the tsconfig and .env.local are tested there
by tests/integration/test_inputs_webpack_config.py). A touch of each, and an edit of a file the
build does not read, run nothing. With webpack's persistent cache, which opens no file of a
module it takes from the cache, an edit of such a file still reaches the bundle.

One task is installed for the module (no lockfile: the drop-in's npm install makes it); its
tests run in order."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest

from support.dropin_inputs import (
    DODO,
    FRONTS,
    TASK_TOML,
    armed,
    build,
    built_text,
    edited_reaches_the_bundle,
    recorded,
    write_files,
)
from support.mephisto import FIXTURE, MephistoTask

pytestmark = pytest.mark.needs("npm")

WEBPACK_CONFIG = """\
const path = require("path");
const webpack = require("webpack");
// webpack reads no .env: the config does, as most webpack projects do
require("dotenv").config({ path: path.join(__dirname, ".env.local") });
// the settings a monorepo's webapps share, from a file beside them
const shared = require("../shared/webpack.shared.js");

module.exports = {
  entry: "./src/main.tsx",
  output: { path: __dirname, filename: "build/bundle.js" },
  resolve: { extensions: [".ts", ".tsx", ".js"] },
  module: { rules: [
    { test: /\\.tsx?$/, loader: "ts-loader", options: { transpileOnly: true } },
    { test: /\\.css$/, use: ["style-loader",
      { loader: "css-loader", options: { importLoaders: 1 } }, "postcss-loader"] },
  ] },
  plugins: [new webpack.DefinePlugin({
    "process.env.WP_GREETING": JSON.stringify(process.env.WP_GREETING),
    "process.env.WP_SHARED": JSON.stringify(shared.label),
  })],
  devtool: false,
};
"""
PACKAGE = {
    "name": "loaders-task", "version": "1.0.0", "private": True,
    "scripts": {"dev": "webpack --mode development"},
    "devDependencies": {
        "webpack": "^5.90.0", "webpack-cli": "^5.1.4", "ts-loader": "^9.5.0",
        "typescript": "^5.4.0", "dotenv": "^16.4.0", "css-loader": "^7.1.0",
        "style-loader": "^4.0.0", "postcss-loader": "^8.1.0", "postcss": "^8.4.0",
    },
}
FILES = {
    "shared/tsconfig.base.json":
        '{ "compilerOptions": { "jsx": "react", "jsxFactory": "tsjsx_v1", "target": "es2019" } }\n',
    "shared/base.css": '.imported { content: "cssimport-v1"; }\n',
    "shared/postcss.base.js": """\
module.exports = { plugins: [{ postcssPlugin: "marker", Declaration(decl) {
  if (decl.value === '"POSTCSS_MARKER"') decl.value = '"postcss-v1"';
} }] };
""",
    "shared/webpack.shared.js": 'module.exports = { label: "wpshared-v1" };\n',
    "shared/README.md": "not read by the build\n",
    "webapp/tsconfig.json": '{ "extends": "../shared/tsconfig.base.json", "include": ["src"] }\n',
    "webapp/.env.local": "WP_GREETING=envlocal-v1\n",
    "webapp/.gitignore": "*.local\nnode_modules\nbuild\n",
    "webapp/postcss.config.js": 'module.exports = require("../shared/postcss.base.js");\n',
    "webapp/webpack.config.js": WEBPACK_CONFIG,
    "webapp/package.json": json.dumps(PACKAGE, indent=2) + "\n",
    "webapp/src/style.css":
        '@import "../../shared/base.css";\n.marked { content: "POSTCSS_MARKER"; }\n',
    "webapp/src/main.tsx":
        'import "./style.css";\n'
        "console.log(<div />, process.env.WP_GREETING, process.env.WP_SHARED);\n",
    "run_task.py": (FIXTURE / "run_task.py").read_text(),
    "buildtools.toml": TASK_TOML,
    "dodo.py": DODO,
}
READ_OUTSIDE = ("shared/tsconfig.base.json", "webapp/.env.local", "shared/base.css",
                "shared/postcss.base.js", "shared/webpack.shared.js")


@pytest.fixture(scope="module")
def loaders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MephistoTask]:
    base = tmp_path_factory.mktemp("inputs-webpack-loaders")
    task = MephistoTask(base / "task", base / "user-cache")
    write_files(task, FILES)
    out = task.run_task().stdout
    assert "install        runs" in out and "build          runs" in out, out
    text = built_text(task)
    for marker in ("tsjsx_v1", "envlocal-v1", "cssimport-v1", "postcss-v1", "wpshared-v1"):
        assert marker in text, marker
    assert "POSTCSS_MARKER" not in text
    yield task


@pytest.mark.parametrize(("name", "old", "new"), [
    pytest.param("shared/tsconfig.base.json", "tsjsx_v1", "tsjsx_v2",
                 id="a_tsconfig_that_extends_one_outside"),
    pytest.param("webapp/.env.local", "envlocal-v1", "envlocal-v2",
                 id="a_gitignored_env_file_read_by_the_config"),
    pytest.param("shared/base.css", "cssimport-v1", "cssimport-v2",
                 id="a_css_import_out_of_the_webapp"),
    pytest.param("shared/postcss.base.js", "postcss-v1", "postcss-v2",
                 id="a_postcss_config_that_takes_one_outside"),
    pytest.param("shared/webpack.shared.js", "wpshared-v1", "wpshared-v2",
                 id="a_file_the_webpack_config_requires_from_outside"),
])
def test_an_input_of_a_loader_or_the_config_reaches_the_bundle(
        loaders: MephistoTask, name: str, old: str, new: str) -> None:
    edited_reaches_the_bundle(loaders, name, old, new, "dropin")


@pytest.mark.parametrize(("front", "name", "old", "new"), [
    ("buildtools", "shared/base.css", "cssimport-v2", "cssimport-v3"),
    ("buildtools", "shared/postcss.base.js", "postcss-v2", "postcss-v3"),
    ("doit", "shared/base.css", "cssimport-v3", "cssimport-v4"),
    ("doit", "shared/postcss.base.js", "postcss-v3", "postcss-v4"),
])
def test_buildtools_build_and_doit_build(loaders: MephistoTask, front: str, name: str,
                                         old: str, new: str) -> None:
    build(loaders, front)  # their own state: the first build runs
    edited_reaches_the_bundle(loaders, name, old, new, front)


def test_a_touch_and_an_edit_the_build_does_not_read_run_nothing(
        loaders: MephistoTask) -> None:
    build(loaders, "dropin")  # the drop-in's state catches up with the other fronts' edits
    armed(loaders, "dropin")
    # webpack's fileDependencies name every folder up from the webapp, to /: none is an input
    (loaders.root.parent / "beside-the-task.txt").write_text("not read by the build\n")
    assert recorded(loaders, "dropin")
    (loaders.root / "shared" / "README.md").write_text("edited, not read by the build\n")
    for name in READ_OUTSIDE:
        os.utime(loaders.root / name)
    out = build(loaders, "dropin")
    assert "build          up to date" in out and "runs" not in out, out


def test_a_gitignored_env_file_created_where_webpack_s_dotenv_looked(
        loaders: MephistoTask) -> None:
    """webpack's own `dotenv` option, its files in env/: it reads env/.env and looks for
    env/.env.local, which `*.local` gitignores, so the scan does not see it come, and no file
    the build read lies beside it; webpack's missingDependencies name it."""
    config = loaders.webapp / "webpack.config.js"
    config.write_text(config.read_text().replace(
        "  devtool: false,", '  devtool: false,\n  dotenv: { dir: path.join(__dirname, "env") },'))
    write_files(loaders, {"webapp/env/.env": "WEBPACK_NATIVE=native-v1\n"})
    main = loaders.webapp / "src" / "main.tsx"
    main.write_text(main.read_text() + "console.log(import.meta.env.WEBPACK_NATIVE);\n")
    build(loaders, "dropin")
    assert "native-v1" in built_text(loaders)
    armed(loaders, "dropin")
    write_files(loaders, {"webapp/env/.env.local": "WEBPACK_NATIVE=native-v2\n"})
    out = build(loaders, "dropin")
    assert "build          runs because files the last build read changed: env/.env.local" \
        in out, out
    text = built_text(loaders)
    assert "native-v2" in text and "native-v1" not in text


def test_a_config_created_above_the_webapp_where_a_loader_looked(loaders: MephistoTask) -> None:
    """postcss-loader looks for a config from the folder of each CSS file up: for
    shared/base.css in shared/, then in the task folder, where the build read nothing (so its
    listing is not kept). A postcss.config.js created there changes how base.css is built."""
    build(loaders, "dropin")
    assert "rootcss" not in built_text(loaders)
    armed(loaders, "dropin")
    created = loaders.root / "postcss.config.js"
    created.write_text("""module.exports = { plugins: [{ postcssPlugin: "root", Declaration(d) {
  if (d.value.includes("cssimport")) d.value = '"rootcss"';
} }] };
""")
    try:
        out = build(loaders, "dropin")
        assert "build          runs because files the last build read changed: " \
            "../postcss.config.js" in out, out
        assert "rootcss" in built_text(loaders)
    finally:
        created.unlink()
    build(loaders, "dropin")
    assert "rootcss" not in built_text(loaders)


@pytest.mark.parametrize("front", FRONTS)
def test_a_file_webpack_s_persistent_cache_does_not_reopen(loaders: MephistoTask,
                                                          front: str) -> None:
    """With `cache: { type: "filesystem" }`, a build after an edit of main.tsx reads only
    main.tsx and takes the other modules from webpack's cache, checking their files' mtimes:
    it opens no file of shared/, yet an edit of shared/base.css must run the next build."""
    config = loaders.webapp / "webpack.config.js"
    if "filesystem" not in config.read_text():
        config.write_text(config.read_text().replace(
            "  devtool: false,", '  devtool: false,\n  cache: { type: "filesystem" },'))
    (loaders.root / "shared" / "base.css").write_text(
        f'.imported {{ content: "cached-{front}-v1"; }}\n')
    build(loaders, front)  # webpack fills its cache
    assert f"cached-{front}-v1" in built_text(loaders)
    main = loaders.webapp / "src" / "main.tsx"
    main.write_text(main.read_text() + f"// {front}\n")
    assert "build          runs because files changed: src/main.tsx" in build(loaders, front)
    edited_reaches_the_bundle(loaders, "shared/base.css", f"cached-{front}-v1",
                              f"cached-{front}-v2", front)
