"""Benchmark projects: the template task project and synthetic webapps of N source files.

Every project is a git repository whose folder both buildtools and turbo can build:

    <root>/buildtools.toml, dodo.py, assets/, .gitignore
    <root>/webapp/package.json (with packageManager), package-lock.json, turbo.json, ...

Run as a script to make one: `python benchmarks/projects.py synthetic /tmp/w100k 100000`.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TASK = {
    "task_name": "bench-task",
    "task_title": "Is this a good image?",
    "task_description": "Look at the image below and tell us whether it is clear.",
    "task_reward": 0.05,
    "task_tags": "bench",
}
GITIGNORE = "node_modules/\n/dist/\n.buildtools/\n.doit.db*\n.turbo/\nwebapp/dist/\n"
TURBO_JSON = {"$schema": "https://turbo.build/schema.json",
              "tasks": {"build": {"outputs": ["dist/**"]}}}
# The synthetic build: write dist/index.html (the no-op path is what is measured).
BUILD_JS = """\
const fs = require("fs");
fs.mkdirSync("dist", { recursive: true });
fs.writeFileSync("dist/index.html", "<!doctype html><title>synthetic</title>\\n");
"""


def npm_version() -> str:
    return subprocess.run(["npm", "--version"], capture_output=True, text=True,
                          check=True).stdout.strip()


def _git_init(root: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@localhost",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@localhost"}
    for argv in (["git", "init", "-q"], ["git", "add", "-A"],
                 ["git", "commit", "-q", "-m", "bench project"]):
        subprocess.run(argv, cwd=root, env=env, check=True)


def _finish(root: Path, webapp: Path) -> None:
    package = json.loads((webapp / "package.json").read_text())
    package["packageManager"] = f"npm@{npm_version()}"
    (webapp / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    (webapp / "turbo.json").write_text(json.dumps(TURBO_JSON, indent=2) + "\n")
    (root / ".gitignore").write_text(GITIGNORE)
    (root / "dodo.py").write_text("from buildtools.tasks import *  # noqa: F403\n")
    _git_init(root)


def make_template_project(root: Path) -> Path:
    """The default task project, rendered from webapp_template/ as `buildtools new` would."""
    sys.path.insert(0, str(ROOT))
    from buildtools.core.template import render_tree, template_context, template_root

    if root.exists():
        shutil.rmtree(root)
    render_tree(template_root(), root, template_context(TASK))
    _finish(root, root / "webapp")
    return root


def make_synthetic_project(root: Path, files: int, seed: int = 5) -> Path:
    """A webapp of `files` source files (200 B to 4 KiB each) in folders of 100."""
    if root.exists():
        shutil.rmtree(root)
    webapp = root / "webapp"
    src = webapp / "src"
    rng = random.Random(seed)
    per_folder = 100
    folders = max(1, (files + per_folder - 1) // per_folder)
    fanout = max(1, int(folders ** 0.5))
    made = 0
    for folder in range(folders):
        where = src / f"m{folder // fanout:03d}" / f"c{folder % fanout:03d}"
        where.mkdir(parents=True, exist_ok=True)
        for index in range(min(per_folder, files - made)):
            size = rng.randrange(200, 4096)
            line = f"export const v{folder}_{index} = {index};\n"
            body = (line * (size // len(line) + 1))[:size]
            (where / f"f{index:03d}.js").write_text(body)
            made += 1
    (webapp / "build.js").write_text(BUILD_JS)
    # One local dependency, so that `npm ci` makes a node_modules folder (with no dependency
    # at all it makes none, and buildtools would take install for never done).
    dep = webapp / "tools" / "noop-dep"
    dep.mkdir(parents=True)
    (dep / "package.json").write_text('{"name": "noop-dep", "version": "1.0.0"}\n')
    (webapp / "package.json").write_text(json.dumps({
        "name": "synthetic", "version": "1.0.0", "private": True,
        "scripts": {"build": "node build.js"},
        "dependencies": {"noop-dep": "file:tools/noop-dep"},
    }, indent=2) + "\n")
    subprocess.run(["npm", "install", "--package-lock-only", "--no-audit", "--no-fund",
                    "--loglevel=error"], cwd=webapp, check=True)
    (root / "assets").mkdir()
    (root / "assets" / "note.txt").write_text("synthetic asset\n")
    fields = "\n".join(f"{key} = {json.dumps(value)}" for key, value in TASK.items())
    (root / "buildtools.toml").write_text(
        '[webapp]\nsource = "webapp"\noutput = "dist"\nextra_source_dir = "assets"\n\n'
        f"[task]\n{fields}\n"
    )
    _finish(root, webapp)
    return root


if __name__ == "__main__":
    kind, where = sys.argv[1], Path(sys.argv[2])
    if kind == "template":
        make_template_project(where)
    else:
        make_synthetic_project(where, int(sys.argv[3]))
    print(where)
