"""Inputs observed, not guessed (real Vite 8): every way a Vite build reaches a file outside
the webapp, or a gitignored one, makes an edit of that file reach the bundle through
`buildtools build` and `doit build`, also when the no-op record (the fast path) was armed;
an edit of a file the build does not read, and a touch of one it does, run nothing.

One project is installed for the module; its tests run in order on one worker, each editing
one input of the build set up below (a file beside the webapp imported, a CSS @import, a
`new URL(..., import.meta.url)` asset, an alias computed in vite.config.js, a PostCSS config
that takes its plugins from outside, a gitignored .env.local, then an envDir outside)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from buildtools.core import record as fresh
from support.projects import Project, make_project

pytestmark = pytest.mark.needs("npm")

VITE_CONFIG = """\
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'
import { fileURLToPath } from 'node:url'

// computed: no literal path that a reader of this file could follow
const libFolder = ['..', 'lib'].join('/')

export default defineConfig({
  base: './',
  plugins: [react()],
  resolve: { alias: { '@lib': fileURLToPath(new URL(libFolder, import.meta.url)) } },
  build: { outDir: 'dist', emptyOutDir: true, assetsInlineLimit: 0 },
})
"""
APP_PREFIX = """\
import { SHARED } from '../../shared/util.js'
import { GREET } from '@lib/greet.js'
const DATA_URL = new URL('../../shared/data.txt', import.meta.url).href
console.log(SHARED, GREET, DATA_URL, import.meta.env.VITE_GREETING, import.meta.env.VITE_OUTER)
"""
INPUTS = {
    "shared/util.js": "export const SHARED = 'relimp-v1'\n",
    "shared/style.css": ".shared::after { content: 'cssimp-v1' }\n",
    "shared/data.txt": "urlasset-v1\n",
    "shared/postcss.base.cjs": """\
module.exports = { plugins: [{ postcssPlugin: 'marker',
  Once(root) { root.append('.pcss::after { content: "pcss-v1" }') } }] }
""",
    "lib/greet.js": "export const GREET = 'alias-v1'\n",
    "webapp/.env.local": "VITE_GREETING=envlocal-v1\n",
    "webapp/postcss.config.cjs": "module.exports = require('../shared/postcss.base.cjs')\n",
    "webapp/.gitignore": "*.local\n",
    "outer/.env": "VITE_OUTER=envdir-v1\n",
    "shared/README.md": "not read by the build\n",
}


def bundle_text(project: Project) -> str:
    return "".join(path.read_text(errors="replace") for path in project.bundle.rglob("*")
                   if path.is_file())


def recorded(project: Project) -> bool:
    return fresh.check(str(project.root), {**os.environ, **cache_env(project)}) is not None


def cache_env(project: Project) -> dict[str, str]:
    """A build cache of the project's own: a build that another test made is not restored."""
    return {"BUILDTOOLS_CACHE_DIR": str(project.root.parent / "user-cache")}


def build(project: Project, front: str = "buildtools") -> str:
    """`buildtools build` or `doit build` in the project; what it printed."""
    if front == "doit":
        return project.doit("build", env=cache_env(project)).stdout
    return project.run("build", env=cache_env(project)).stdout


@pytest.fixture(scope="module")
def vite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    project = make_project(tmp_path_factory.mktemp("inputs") / "task")
    for name, text in INPUTS.items():
        (project.root / name).parent.mkdir(parents=True, exist_ok=True)
        (project.root / name).write_text(text)
    (project.webapp / "vite.config.js").write_text(VITE_CONFIG)
    app = project.webapp / "src" / "App.jsx"
    app.write_text(APP_PREFIX + app.read_text())
    css = project.webapp / "src" / "App.css"
    css.write_text("@import '../../shared/style.css';\n" + css.read_text())
    build(project)
    assert project.count("build") == 1
    yield project


def armed(project: Project) -> None:
    """Wait out the racy window, then a no-op run leaves the no-op record."""
    time.sleep(2.2)
    result = build(project)
    assert recorded(project), result


def edited_reaches_the_bundle(project: Project, name: str, old: str, new: str,
                              front: str) -> None:
    """Edit `name` (under the project root) from marker `old` to `new`, with the no-op record
    armed; the build through `front` (buildtools or doit) runs and the bundle has `new`."""
    assert old in bundle_text(project)
    armed(project)
    builds = project.count("build")
    path = project.root / name
    path.write_text(path.read_text().replace(old, new))
    result = build(project, front)
    assert project.count("build") == builds + 1, result
    text = bundle_text(project)
    assert new in text and old not in text
    assert "build is up to date" in build(project)


@pytest.mark.parametrize(("name", "old", "new", "front"), [
    pytest.param("shared/util.js", "relimp-v1", "relimp-v2", "buildtools", id="a_relative_import"),
    pytest.param("shared/style.css", "cssimp-v1", "cssimp-v2", "doit", id="a_css_import"),
    pytest.param("shared/data.txt", "urlasset-v1", "urlasset-v2", "buildtools",
                 id="a_new_url_of_import_meta_url"),
    pytest.param("lib/greet.js", "alias-v1", "alias-v2", "doit",
                 id="an_alias_computed_in_the_config"),
    pytest.param("shared/postcss.base.cjs", "pcss-v1", "pcss-v2", "buildtools",
                 id="a_postcss_config_that_takes_its_plugins_from_outside"),
])
def test_an_input_out_of_the_webapp_reaches_the_bundle(vite: Project, name: str, old: str,
                                                       new: str, front: str) -> None:
    edited_reaches_the_bundle(vite, name, old, new, front)


def test_a_gitignored_env_file(vite: Project) -> None:
    result = vite.run("status", env=cache_env(vite))
    assert ".env.local" not in result.stdout
    edited_reaches_the_bundle(vite, "webapp/.env.local", "envlocal-v1", "envlocal-v2", "doit")


def test_an_edit_the_build_does_not_read_and_a_touch_run_nothing(vite: Project) -> None:
    armed(vite)
    builds = vite.count("build")
    readme = vite.root / "shared" / "README.md"
    readme.write_text("edited, still not read by the build\n")
    (vite.root / "dodo.py").write_text((vite.root / "dodo.py").read_text() + "# edited\n")
    os.utime(vite.root / "shared" / "util.js")
    os.utime(vite.webapp / ".env.local")
    assert "build is up to date" in build(vite)
    build(vite, "doit")
    assert vite.count("build") == builds


def test_an_env_dir_outside_the_webapp(vite: Project) -> None:
    config = vite.webapp / "vite.config.js"
    config.write_text(config.read_text().replace("base: './',", "base: './', envDir: '../outer',"))
    build(vite)
    edited_reaches_the_bundle(vite, "outer/.env", "envdir-v1", "envdir-v2", "doit")


def test_an_outside_file_back_and_forth_comes_back_from_the_cache(vite: Project) -> None:
    """Each content of a file the build read outside the webapp keeps its own cache entry:
    going back to one restores its build, and no Vite runs."""
    util = vite.root / "shared" / "util.js"
    builds = vite.count("build")
    for marker in ("relimp-a", "relimp-b"):
        util.write_text(f"export const SHARED = '{marker}'\n")
        build(vite)
    assert vite.count("build") == builds + 2
    for marker, other in (("relimp-a", "relimp-b"), ("relimp-b", "relimp-a")):
        util.write_text(f"export const SHARED = '{marker}'\n")
        result = build(vite)
        assert "restored from cache" in result, result
        text = bundle_text(vite)
        assert marker in text and other not in text
    assert vite.count("build") == builds + 2
    assert "build is up to date" in build(vite)


def test_a_tsconfig_that_extends_one_outside(vite: Project) -> None:
    """Vite 8 (oxc) takes useDefineForClassFields from tsconfig.json, here from the one it
    extends beside the webapp: `this.field = 1` in a constructor, or a class field."""
    base = vite.root / "shared" / "tsconfig.base.json"
    base.write_text('{ "compilerOptions": { "useDefineForClassFields": false } }\n')
    (vite.webapp / "tsconfig.json").write_text(
        '{ "extends": "../shared/tsconfig.base.json", "include": ["src"] }\n')
    (vite.webapp / "src" / "marker.ts").write_text(
        "export class Marker { tsfieldmarker = 1 }\n")
    app = vite.webapp / "src" / "App.jsx"
    app.write_text("import { Marker } from './marker.ts'\nconsole.log(new Marker())\n"
                   + app.read_text())
    build(vite)
    assert "this.tsfieldmarker" in bundle_text(vite)
    armed(vite)
    builds = vite.count("build")
    base.write_text('{ "compilerOptions": { "useDefineForClassFields": true } }\n')
    result = build(vite)
    assert vite.count("build") == builds + 1, result
    text = bundle_text(vite)
    assert "tsfieldmarker" in text and "this.tsfieldmarker" not in text
    os.utime(base)
    assert "build is up to date" in build(vite)
    assert vite.count("build") == builds + 1


@pytest.mark.parametrize("front", ["buildtools", "doit"])
def test_a_file_created_where_the_resolver_looked(vite: Project, front: str) -> None:
    """`../../mods/mod` resolves to mods/mod/index.js after Rolldown looked for mods/mod.js
    (a stat: no open for inotify, and Vite reports no missing paths): mods/, the folder above
    the one read, is listed too."""
    created = vite.root / "mods" / "mod.js"
    created.unlink(missing_ok=True)
    (vite.root / "mods" / "mod").mkdir(parents=True, exist_ok=True)
    (vite.root / "mods" / "mod" / "index.js").write_text("export const MOD = 'modindex'\n")
    app = vite.webapp / "src" / "App.jsx"
    if "../../mods/mod" not in app.read_text():
        app.write_text("import { MOD } from '../../mods/mod'\nconsole.log(MOD)\n"
                       + app.read_text())
    build(vite, front)
    assert "modindex" in bundle_text(vite)
    armed(vite)
    builds = vite.count("build")
    created.write_text(f"export const MOD = 'modfile-{front}'\n")
    result = build(vite, front)
    assert vite.count("build") == builds + 1, result
    text = bundle_text(vite)
    assert f"modfile-{front}" in text and "modindex" not in text
    created.unlink()
    build(vite, front)
    assert "modindex" in bundle_text(vite)
