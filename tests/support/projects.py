"""Project folders the integration tests build with the real tools: the tiny project (real npm
and node, no dependency to download) and the template's task, both counting their installs
and builds in counts/; the environment the real `buildtools` and `doit` run in."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from buildtools.core.template import render_tree, template_context, template_root


def clean_env(cache: Path | None = None, keep_config: bool = False) -> dict[str, str]:
    """This process's environment without what would change a build (BUILDTOOLS_FORCE_REBUILD,
    BUILDTOOLS_CONFIG unless `keep_config`), NO_COLOR=1, and BUILDTOOLS_CACHE_DIR=`cache` if
    given."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("BUILDTOOLS_FORCE_REBUILD", None)
    if not keep_config:
        env.pop("BUILDTOOLS_CONFIG", None)
    if cache is not None:
        env["BUILDTOOLS_CACHE_DIR"] = str(cache)
    return env


@dataclass
class TaskFolder:
    """A user's task folder: webapp/ and the bundle a build writes to dist/bundle."""

    root: Path

    @property
    def webapp(self) -> Path:
        return self.root / "webapp"

    @property
    def bundle(self) -> Path:
        return self.root / "dist" / "bundle"


BUILDTOOLS = str(Path(sys.executable).parent / "buildtools")
TINY_TOML = """\
[webapp]
source = "webapp"
output = "dist"
extra_source_dir = "assets"

[task]
task_title = "Tiny"
task_description = "A tiny task."
task_reward = 0.1
task_tags = "tiny"
"""
# The build: dist/index.html made of src/*.txt, of the `text` of each dependency, and of the
# files that TINY_READ lists (paths relative to the webapp, comma-separated)
TINY_BUILD = """\
const fs = require('fs');
fs.appendFileSync('../counts/build', 'x');
let body = fs.readdirSync('src').sort().map((n) => fs.readFileSync('src/' + n, 'utf8')).join('');
for (const name of Object.keys(require('./package.json').dependencies || {})) {
  body += require(name).text;
}
for (const path of (process.env.TINY_READ || '').split(',').filter(Boolean)) {
  body += fs.readFileSync(path, 'utf8');
}
fs.mkdirSync('dist', {recursive: true});
fs.writeFileSync('dist/index.html', '<p>' + body + '</p>');
"""


COUNT_INSTALL = "node -e \"require('fs').appendFileSync('../counts/install','x')\""


@dataclass
class Tiny(TaskFolder):
    """The tiny project (make_tiny), or any project folder run with the real `buildtools`."""

    def count(self, what: str) -> int:
        path = self.root / "counts" / what
        return len(path.read_text()) if path.exists() else 0

    def run(self, *args: str, env: dict[str, str] | None = None, code: int | None = 0,
            command: str = BUILDTOOLS, prefix: tuple[str, ...] = ()
            ) -> subprocess.CompletedProcess[str]:
        """`buildtools ARGS` (or `command ARGS`) in the project; asserts the exit code."""
        full_env = clean_env()
        full_env.update(env or {})
        result = subprocess.run([*prefix, command, *args], cwd=self.root, env=full_env,
                                capture_output=True, text=True, timeout=600)
        if code is not None and result.returncode != code:
            raise AssertionError(f"{command} {' '.join(args)} exited {result.returncode}, "
                                 f"not {code}\n{result.stdout}\n{result.stderr}")
        return result

    @staticmethod
    def snapshot(folder: Path) -> dict[str, bytes]:
        """Every file of `folder` with its bytes: what a failed run must leave as it was."""
        return {path.relative_to(folder).as_posix(): path.read_bytes()
                for path in sorted(folder.rglob("*")) if path.is_file()}

    @staticmethod
    def one_error(result: subprocess.CompletedProcess[str]) -> str:
        """The one line of stderr, which must be an error line (no traceback), exit code 1."""
        assert result.returncode == 1, result.stdout + result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        return lines[0]

    def edit_package_json(self, **changes: object) -> None:
        path = self.webapp / "package.json"
        data = json.loads(path.read_text())
        data.update(changes)
        path.write_text(json.dumps(data, indent=2) + "\n")


def make_tiny(root: Path, toml: str = TINY_TOML, lockfile: bool = True) -> Tiny:
    """A project whose webapp has no dependencies: its build is `node build.cjs`; with the
    package-lock.json that npm would write for it, unless `lockfile` is false."""
    (root / "webapp" / "src").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "counts").mkdir()
    (root / "buildtools.toml").write_text(toml)
    (root / "dodo.py").write_text("from buildtools.tasks import *  # noqa: F403\n")
    (root / "assets" / "note.txt").write_text("an asset\n")
    (root / "webapp" / "src" / "a.txt").write_text("hello")
    (root / "webapp" / "build.cjs").write_text(TINY_BUILD)
    (root / "webapp" / "package.json").write_text(json.dumps(
        {"name": "tiny", "version": "1.0.0", "private": True,
         "scripts": {"build": "node build.cjs", "postinstall": COUNT_INSTALL}}, indent=2) + "\n")
    if lockfile:
        (root / "webapp" / "package-lock.json").write_text(json.dumps(
            {"name": "tiny", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
             "packages": {"": {"name": "tiny", "version": "1.0.0"}}}, indent=2) + "\n")
    return Tiny(root)


DOIT = str(Path(sys.executable).parent / "doit")
TASK = {
    "task_name": "test-task",
    "task_title": "Rate the picture",
    "task_description": "Tell us if the picture is clear.",
    "task_reward": 0.25,
    "task_tags": "test,image",
}


@dataclass
class Project(Tiny):
    """A user's task folder from webapp_template; npm lifecycle scripts count installs and
    builds in counts/ (outside the fingerprinted tree)."""

    def doit(self, *args: str, env: dict[str, str] | None = None,
             check: bool = True) -> subprocess.CompletedProcess[str]:
        full_env = clean_env(keep_config=True)
        full_env.update(env or {})
        result = subprocess.run(
            [DOIT, *args], cwd=self.root, env=full_env, capture_output=True, text=True,
            timeout=600,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"doit {' '.join(args)} exited {result.returncode}\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result


def make_project(root: Path, extra_toml: str = "") -> Project:
    render_tree(template_root(), root, template_context(TASK))
    (root / "counts").mkdir()
    project = Project(root)
    data = json.loads((project.webapp / "package.json").read_text())
    data["scripts"]["postinstall"] = COUNT_INSTALL
    data["scripts"]["prebuild"] = (
        "node -e \"require('fs').appendFileSync('../counts/build','x')\""
    )
    (project.webapp / "package.json").write_text(json.dumps(data, indent=2) + "\n")
    if extra_toml:
        with (root / "buildtools.toml").open("a") as handle:
            handle.write(extra_toml)
    return project


def copy_task(source: Path, dest: Path, *leave_out: str) -> Path:
    """A copy of the task folder `source` at `dest`, without the names `leave_out`; its
    webapp/node_modules hard-linked (`cp -al`), not copied: a test must not write into it in
    place (`npm ci` removes it before it installs)."""
    shutil.copytree(source, dest, symlinks=True,
                    ignore=shutil.ignore_patterns("node_modules", *leave_out))
    modules = source / "webapp" / "node_modules"
    if modules.is_dir():
        subprocess.run(["cp", "-al", str(modules), str(dest / "webapp" / "node_modules")],
                       check=True)
    return dest


def npm_ci(webapp: Path, env: dict[str, str]) -> None:
    """`npm ci` in `webapp`, quietly (no audit, no fund); fails the test if npm fails."""
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=webapp, check=True, env=env,
                   capture_output=True, timeout=600)
