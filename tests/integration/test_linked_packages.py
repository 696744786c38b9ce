"""Local package development without force_rebuild (Mephisto issue #787): an edit in a package
the webapp links, in a folder a bundler alias names, or in a configured input reruns the build
(never the install) and names the file; real npm makes the links."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.projects import make_project, make_tiny

pytestmark = pytest.mark.needs("npm")


def library(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(json.dumps(
        {"name": folder.name, "version": "1.0.0", "main": "index.js"}))
    (folder / "index.js").write_text(f"exports.text = {json.dumps(text)};\n")
    return folder / "index.js"


def build_line(result: str) -> str:
    return next(line for line in result.splitlines() if line.startswith("build "))


def test_an_edit_in_a_file_dependency_rebuilds_without_install(tmp_path: Path) -> None:
    tiny = make_tiny(tmp_path / "tiny", lockfile=False)
    source = library(tmp_path / "mylib", " from mylib v1")
    tiny.edit_package_json(dependencies={"mylib": "file:../../mylib"})
    tiny.run("build")
    assert (tiny.webapp / "node_modules" / "mylib").is_symlink()  # npm linked it
    assert (tiny.bundle / "index.html").read_text() == "<p>hello from mylib v1</p>"
    installs, builds = tiny.count("install"), tiny.count("build")

    source.write_text('exports.text = " from mylib v2";\n')
    status = tiny.run("status")
    assert "build          would run because files changed: ../../mylib/index.js" in \
        status.stdout, status.stdout
    result = tiny.run("build")
    assert build_line(result.stdout) == \
        "build          runs because files changed: ../../mylib/index.js"
    assert "install        up to date" in result.stdout
    assert (tiny.count("install"), tiny.count("build")) == (installs, builds + 1)
    assert (tiny.bundle / "index.html").read_text() == "<p>hello from mylib v2</p>"
    again = tiny.run("build")
    assert "build is up to date" in again.stdout
    tiny.run("check")


def test_a_link_made_by_the_post_install_script(tmp_path: Path) -> None:
    tiny = make_tiny(tmp_path / "tiny")
    source = library(tmp_path / "devlib", " linked")
    (tiny.webapp / "link.sh").write_text("mkdir -p node_modules && "
                                         "ln -sfn ../../../devlib node_modules/devlib\n")
    toml = tiny.root / "buildtools.toml"
    toml.write_text(toml.read_text().replace(
        'output = "dist"', 'output = "dist"\npost_install_script = "link.sh"'))
    tiny.run("build", env={"TINY_READ": "node_modules/devlib/index.js"})
    assert "linked" in (tiny.bundle / "index.html").read_text()
    source.write_text('exports.text = " relinked";\n')
    result = tiny.run("build", env={"TINY_READ": "node_modules/devlib/index.js"})
    assert build_line(result.stdout) == \
        "build          runs because files changed: ../../devlib/index.js"
    assert "relinked" in (tiny.bundle / "index.html").read_text()


def test_configured_inputs(tmp_path: Path) -> None:
    tiny = make_tiny(tmp_path / "tiny")
    (tiny.root / "data").mkdir()
    (tiny.root / "data" / "words.txt").write_text(" and words")
    toml = tiny.root / "buildtools.toml"
    toml.write_text(toml.read_text().replace(
        'output = "dist"', 'output = "dist"\ninputs = ["data"]'))
    env = {"TINY_READ": "../data/words.txt"}
    tiny.run("build", env=env)
    (tiny.root / "data" / "words.txt").write_text(" and other words")
    result = tiny.run("build", env=env)
    assert build_line(result.stdout) == \
        "build          runs because files changed: ../data/words.txt"
    assert (tiny.bundle / "index.html").read_text() == "<p>hello and other words</p>"


VITE_CONFIG = """\
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  base: './',
  plugins: [react()],
  resolve: {
    alias: { '@shared': fileURLToPath(new URL('../../shared', import.meta.url)) },
  },
  build: { outDir: 'dist', emptyOutDir: true },
})
"""


def test_a_vite_alias_to_a_folder_outside_the_webapp(tmp_path: Path) -> None:
    project = make_project(tmp_path / "task")
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "greet.js").write_text('export const greeting = "shared greeting v1"\n')
    (project.webapp / "vite.config.js").write_text(VITE_CONFIG)
    app = project.webapp / "src" / "App.jsx"
    app.write_text("import { greeting } from '@shared/greet.js'\nconsole.log(greeting)\n"
                   + app.read_text())
    project.doit("build")
    assert "shared greeting v1" in bundled_js(project.bundle)

    (shared / "greet.js").write_text('export const greeting = "shared greeting v2"\n')
    result = project.doit("build")
    assert build_line(result.stdout) == \
        "build          runs because files changed: ../../shared/greet.js"
    assert (project.count("install"), project.count("build")) == (1, 2)
    assert "shared greeting v2" in bundled_js(project.bundle)


def bundled_js(bundle: Path) -> str:
    return "".join(path.read_text() for path in sorted(bundle.rglob("*.js")))


def test_a_file_folder_that_npm_copies_is_an_install_input(tmp_path: Path) -> None:
    tiny = make_tiny(tmp_path / "tiny", lockfile=False)
    source = library(tmp_path / "copied", " copied v1")
    (tiny.webapp / ".npmrc").write_text("install-links=true\n")  # npm packs file: folders
    tiny.edit_package_json(dependencies={"copied": "file:../../copied"})
    tiny.run("build")
    assert not (tiny.webapp / "node_modules" / "copied").is_symlink()  # a copy
    assert (tiny.bundle / "index.html").read_text() == "<p>hello copied v1</p>"
    source.write_text('exports.text = " copied v2";\n')
    result = tiny.run("build")
    assert "install        runs because a package installed as a copy (file:) changed" in \
        result.stdout, result.stdout
    assert (tiny.bundle / "index.html").read_text() == "<p>hello copied v2</p>"
    assert "build is up to date" in tiny.run("build").stdout
