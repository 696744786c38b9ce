"""Which folders outside the webapp its build reads: linked packages, workspaces, bundler
aliases and [webapp] inputs, found from what is on disk (no npm run here)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from buildtools.fingerprint.aliases import alias_blocks, alias_targets
from buildtools.fingerprint.linked import LinkedInput, entry_points, find_linked
from buildtools.fingerprint.scan import Observed


def package(folder: Path, **fields: Any) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"name": folder.name, "version": "1.0.0", **fields}
    (folder / "package.json").write_text(json.dumps(data))
    return data


def link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(os.path.relpath(target, path.parent), path)


def found(webapp: Path, data: dict[str, Any], **kwargs: Any) -> dict[Path, LinkedInput]:
    return {item.path: item for item in find_linked(webapp, data, **kwargs)}


def test_a_file_dependency_that_npm_linked(tmp_path: Path) -> None:
    lib = tmp_path / "mylib"
    package(lib, main="build/index.js")
    webapp = tmp_path / "task" / "webapp"
    data = package(webapp, dependencies={"mylib": "file:../../mylib"})
    link(webapp / "node_modules" / "mylib", lib)
    item = found(webapp, data)[lib]
    assert not item.copied and item.tree and item.use_gitignore
    assert item.entry_points == ("build",)
    assert item.why == "node_modules/mylib -> ../../../mylib"


def test_a_file_dependency_installed_as_a_copy_is_an_install_input(tmp_path: Path) -> None:
    lib = tmp_path / "mylib"
    package(lib)
    tarball = tmp_path / "other-1.0.0.tgz"
    tarball.write_bytes(b"not really a tarball")
    webapp = tmp_path / "webapp"
    data = package(webapp, dependencies={"mylib": "file:../mylib",
                                         "other": "file:../other-1.0.0.tgz"})
    package(webapp / "node_modules" / "mylib")  # copied in (install-links, yarn 1)
    items = found(webapp, data)
    assert items[lib].copied and items[tarball].copied
    assert items[lib].why == "file:../mylib in ./package.json"


def test_a_link_dependency_not_installed_yet_is_a_build_input(tmp_path: Path) -> None:
    lib = tmp_path / "mylib"
    package(lib)
    webapp = tmp_path / "webapp"
    data = package(webapp, dependencies={"mylib": "link:../mylib"})
    assert not found(webapp, data)[lib].copied


def test_symlinks_that_npm_link_or_a_script_made(tmp_path: Path) -> None:
    linked, scoped, store = tmp_path / "linked", tmp_path / "scoped", tmp_path / "webapp"
    package(linked)
    package(scoped)
    webapp = tmp_path / "webapp"
    data = package(webapp)
    modules = webapp / "node_modules"
    link(modules / "linked", linked)
    link(modules / "@team" / "scoped", scoped)
    package(modules / ".pnpm" / "react@19" / "node_modules" / "react")
    link(modules / "react", modules / ".pnpm" / "react@19" / "node_modules" / "react")
    link(modules / ".bin" / "vite", tmp_path / "scoped")
    assert sorted(found(webapp, data)) == sorted([linked, scoped])
    assert store.is_dir()


def test_workspace_members_and_dependencies_hoisted_to_the_workspace_root(
        tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    package(root, workspaces=["packages/*", "examples/*/webapp"])
    core = root / "packages" / "core"
    package(core, main="dist/core.js")
    webapp = root / "examples" / "task" / "webapp"
    data = package(webapp, dependencies={"core": "^1.0.0"})
    link(root / "node_modules" / "core", core)
    assert found(webapp, data)[core].why == "../../../node_modules/core -> ../packages/core"
    (root / "package.json").write_text("{}")  # no longer a workspace: nothing hoisted is read
    assert found(webapp, data) == {}


def test_own_workspaces_inside_the_webapp_count_for_their_entry_points_only(
        tmp_path: Path) -> None:
    webapp = tmp_path / "webapp"
    data = package(webapp, workspaces=["packages/*", "../shared"])
    package(webapp / "packages" / "ui", main="dist/ui.js")
    package(webapp / "packages" / "plain")
    package(tmp_path / "shared")
    items = found(webapp, data)
    assert items[webapp / "packages" / "ui"].entry_points == ("dist",)
    assert not items[webapp / "packages" / "ui"].tree
    assert webapp / "packages" / "plain" not in items
    assert items[tmp_path / "shared"].tree


def test_linked_packages_of_linked_packages_and_cycles(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    package(first, dependencies={"second": "file:../second"})
    package(second, dependencies={"first": "file:../first"})
    webapp = tmp_path / "webapp"
    data = package(webapp, dependencies={"first": "file:../first"})
    assert sorted(found(webapp, data)) == [first, second]


MEPHISTO_WEBPACK = """
var path = require("path");
module.exports = {
  entry: "./src/main.js",
  output: { path: path.resolve(__dirname, "../../server/static"), filename: "bundle.js" },
  resolve: {
    alias: {
      react: path.resolve("./node_modules/react"),
      "mephisto-task": path.resolve(__dirname, "../../packages/mephisto-task"),
      "shared": path.join(__dirname, "..", "..", "shared", "index.js"),
    },
    fallback: { net: false },
  },
};
"""
VITE = """
import { fileURLToPath, URL } from 'node:url'
export default defineConfig({
  build: { outDir: fileURLToPath(new URL('../out', import.meta.url)) },
  resolve: {
    alias: [
      { find: '@lib', replacement: fileURLToPath(new URL('../lib/src', import.meta.url)) },
      { find: '@', replacement: fileURLToPath(new URL('./src', import.meta.url)) },
    ],
  },
})
"""


def test_webpack_and_vite_aliases_but_not_their_outputs(tmp_path: Path) -> None:
    webapp = tmp_path / "a" / "b" / "webapp"
    (webapp).mkdir(parents=True)
    (webapp / "webpack.config.js").write_text(MEPHISTO_WEBPACK)
    assert alias_targets(webapp / "webpack.config.js") == [
        webapp / "node_modules" / "react", tmp_path / "a" / "packages" / "mephisto-task",
        tmp_path / "a" / "shared" / "index.js"]
    (webapp / "vite.config.js").write_text(VITE)
    assert alias_targets(webapp / "vite.config.js") == [
        tmp_path / "a" / "b" / "lib" / "src", webapp / "src"]
    package(tmp_path / "a" / "packages" / "mephisto-task", main="build/bundle.js")
    (tmp_path / "a" / "shared").mkdir()
    (tmp_path / "a" / "shared" / "index.js").write_text("export const x = 1")
    items = found(webapp, package(webapp))
    assert sorted(items) == [tmp_path / "a" / "packages" / "mephisto-task",
                             tmp_path / "a" / "shared" / "index.js"]
    assert items[tmp_path / "a" / "shared" / "index.js"].why == \
        "resolve.alias in webpack.config.js"


def test_alias_blocks_skip_brackets_in_strings() -> None:
    text = "resolve: { alias: { 'a}': path.resolve(__dirname, '../x]') }, other: 1 }"
    assert alias_blocks(text) == ["{ 'a}': path.resolve(__dirname, '../x]') }"]


def test_alias_blocks_skip_comments() -> None:
    text = ("alias: {\n  // Mephisto's own package, from source\n"
            "  a: path.resolve(__dirname, '../a'), /* it's } here */ b: 'b',\n}, x: '")
    assert alias_blocks(text) == [text[len("alias: "):text.rindex("}") + 1]]


def test_configured_inputs_count_whole_even_inside_the_webapp(tmp_path: Path) -> None:
    webapp = tmp_path / "webapp"
    data = package(webapp)
    (webapp / "generated").mkdir()
    (tmp_path / "schema.json").write_text("{}")
    items = found(webapp, data, extra=[webapp / "generated", tmp_path / "schema.json",
                                       tmp_path / "absent"])
    assert sorted(items) == [tmp_path / "schema.json", webapp / "generated"]
    assert not items[webapp / "generated"].use_gitignore


def test_entry_points() -> None:
    assert entry_points({"main": "./build/bundle.js", "module": "esm/index.mjs",
                         "exports": {".": {"import": "./dist/x.mjs"}, "./*": "./*"},
                         "files": ["lib", "../escape", "node_modules"],
                         "browser": {"./a.js": "./web/a.js", "fs": False}}) == (
        "build", "dist", "esm", "lib", "web")


def test_what_was_listed_is_observed(tmp_path: Path) -> None:
    lib = tmp_path / "mylib"
    package(lib)
    webapp = tmp_path / "webapp"
    data = package(webapp)
    link(webapp / "node_modules" / "@team" / "mylib", lib)
    observed: list[Observed] = []
    find_linked(webapp, data, observe=observed)
    paths = {item[0] for item in observed}
    assert {str(webapp / "node_modules"), str(webapp / "node_modules" / "@team"),
            str(lib / "package.json")} <= paths
    assert all(item[2] == "" for item in observed)
