"""Inputs observed, not guessed (real webpack 5, ts-loader and TypeScript, dotenv), through
`buildtools build` and `doit build`, with the no-op record armed: a tsconfig.json that extends
one outside the webapp (ts-loader compiles with its jsxFactory), a gitignored .env.local that
webpack.config.js reads with dotenv (webpack itself reads no .env), and a file created where
webpack's resolver looked and found nothing (its missingDependencies: `../../lib/mod` resolved
to lib/mod/index.js, then lib/mod.js created beside that folder) each reach the bundle; a
touch of a file the build reads runs nothing.

One project is installed for the module (from the template, its Vite app replaced by a webpack
one); its tests run in order on one worker."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from buildtools.core import record as fresh

if TYPE_CHECKING:
    from tests.integration.conftest import Project

    MakeProject = Callable[..., Project]

pytestmark = pytest.mark.needs("npm")

WEBPACK_CONFIG = """\
const path = require("path");
const webpack = require("webpack");
// webpack reads no .env: the config does, as most webpack projects do
require("dotenv").config({ path: path.join(__dirname, ".env.local") });

module.exports = {
  entry: "./src/main.tsx",
  output: { path: path.join(__dirname, "dist"), filename: "bundle.js" },
  resolve: { extensions: [".ts", ".tsx", ".js"] },
  module: { rules: [{ test: /\\.tsx?$/, loader: "ts-loader", options: { transpileOnly: true } }] },
  plugins: [new webpack.DefinePlugin({
    "process.env.WP_GREETING": JSON.stringify(process.env.WP_GREETING),
  })],
  devtool: false,
};
"""
MAIN = """\
import { MOD } from "../../lib/mod";
console.log(<div />, MOD, process.env.WP_GREETING);
"""
FILES = {
    "shared/tsconfig.base.json":
        '{ "compilerOptions": { "jsx": "react", "jsxFactory": "tsjsx_v1", "target": "es2019" } }\n',
    "shared/README.md": "not read by the build\n",
    "lib/mod/index.js": 'export const MOD = "modindex";\n',
    "webapp/tsconfig.json": '{ "extends": "../shared/tsconfig.base.json", "include": ["src"] }\n',
    "webapp/.env.local": "WP_GREETING=envlocal-v1\n",
    "webapp/.gitignore": "*.local\nnode_modules\ndist\n",
    "webapp/webpack.config.js": WEBPACK_CONFIG,
    "webapp/src/main.tsx": MAIN,
}
DEV_DEPENDENCIES = {"webpack": "^5.90.0", "webpack-cli": "^5.1.4", "ts-loader": "^9.5.0",
                    "typescript": "^5.4.0", "dotenv": "^16.4.0"}


def cache_env(project: Project) -> dict[str, str]:
    """A build cache of the project's own: a build that another test made is not restored."""
    return {"BUILDTOOLS_CACHE_DIR": str(project.root.parent / "user-cache"),
            "CYPRESS_INSTALL_BINARY": "0"}


def build(project: Project, front: str = "buildtools") -> str:
    if front == "doit":
        return project.doit("build", env=cache_env(project)).stdout
    return project.run("build", env=cache_env(project)).stdout


def bundle_text(project: Project) -> str:
    return (project.webapp / "dist" / "bundle.js").read_text()


def armed(project: Project) -> None:
    """Wait out the racy window, then a no-op run leaves the no-op record."""
    time.sleep(2.2)
    result = build(project)
    assert fresh.check(str(project.root), {**os.environ, **cache_env(project)}) is not None, \
        result


@pytest.fixture(scope="module")
def webpack(tmp_path_factory: pytest.TempPathFactory, make_project_once: MakeProject
            ) -> Iterator[Project]:
    project = make_project_once(tmp_path_factory.mktemp("inputs-webpack-config") / "task")
    for name in ("src", "index.html", "vite.config.js", "package-lock.json"):
        path = project.webapp / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    package = json.loads((project.webapp / "package.json").read_text())
    package.pop("type", None)
    package["scripts"]["build"] = "webpack --mode development"
    package["dependencies"] = {}
    package["devDependencies"] = DEV_DEPENDENCIES
    (project.webapp / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    for name, text in FILES.items():
        (project.root / name).parent.mkdir(parents=True, exist_ok=True)
        (project.root / name).write_text(text)
    build(project)
    assert project.count("build") == 1
    text = bundle_text(project)
    assert "tsjsx_v1" in text and "envlocal-v1" in text and "modindex" in text
    yield project


@pytest.mark.parametrize(("name", "old", "new", "front"), [
    ("shared/tsconfig.base.json", "tsjsx_v1", "tsjsx_v2", "buildtools"),  # extended tsconfig
    ("shared/tsconfig.base.json", "tsjsx_v2", "tsjsx_v3", "doit"),
    ("webapp/.env.local", "envlocal-v1", "envlocal-v2", "buildtools"),  # read by dotenv
    ("webapp/.env.local", "envlocal-v2", "envlocal-v3", "doit"),
])
def test_an_edit_of_a_file_the_config_or_a_loader_reads_reaches_the_bundle(
        webpack: Project, name: str, old: str, new: str, front: str) -> None:
    armed(webpack)
    counted = webpack.count("build")
    assert old in bundle_text(webpack)
    path = webpack.root / name
    path.write_text(path.read_text().replace(old, new))
    output = build(webpack, front)
    text = bundle_text(webpack)
    assert (webpack.count("build"), new in text, old in text) == (counted + 1, True, False), \
        output
    assert "build is up to date" in build(webpack)


def test_a_touch_and_an_edit_the_build_does_not_read_run_nothing(webpack: Project) -> None:
    armed(webpack)
    builds = webpack.count("build")
    (webpack.root / "shared" / "README.md").write_text("edited, still not read by the build\n")
    for name in ("shared/tsconfig.base.json", "webapp/.env.local", "lib/mod/index.js"):
        os.utime(webpack.root / name)
    assert "build is up to date" in build(webpack)
    build(webpack, "doit")
    assert webpack.count("build") == builds


@pytest.mark.parametrize("front", ["buildtools", "doit"])
def test_a_file_created_where_the_resolver_looked(webpack: Project, front: str) -> None:
    """lib/ holds only the folder mod/ that the build read from: no folder listing of lib/ was
    taken, and resolving `../../lib/mod` tried lib/mod.ts, lib/mod.tsx, lib/mod.js before
    lib/mod/index.js (webpack's missingDependencies)."""
    created = webpack.root / "lib" / "mod.js"
    created.unlink(missing_ok=True)
    build(webpack, front)
    assert "modindex" in bundle_text(webpack)
    armed(webpack)
    builds = webpack.count("build")
    created.write_text(f'export const MOD = "modfile-{front}";\n')
    result = build(webpack, front)
    assert webpack.count("build") == builds + 1, result
    text = bundle_text(webpack)
    assert f"modfile-{front}" in text and "modindex" not in text
    assert "build is up to date" in build(webpack)
