"""Mephisto for the drop-in tests: a real Mephisto 1.1.1 from PyPI in a Python 3.10 virtualenv,
and a Mephisto-style task folder (tests/fixtures/mephisto_task) run as its users run it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from support.projects import BUILDTOOLS, TaskFolder, clean_env, copy_task

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "mephisto_task"

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

MEPHISTO = "mephisto==1.1.1"
# Mephisto 1.1.1's own requirements less detoxify (which brings torch, for a feature a static
# task does not use) and its parlai extra; click and jinja2 at the versions its flask 1 takes
MEPHISTO_DEPENDENCIES = (
    "boto3>=1.17,<2", "click>=7,<8", "click_default_group>=1.2,<2", "flask>=1.1,<2",
    "gevent-websocket>=0.10.1,<0.11", "hydra-core>=1.2,<2", "markupsafe==2.0.1",
    "prometheus-client>=0.13.1,<0.14", "requests>=2.22,<3", "rich>=12.5.1,<13",
    "rich-click>=1.5.1,<2", "sh>=1.12,<2", "tabulate>=0.8.7,<0.9", "tornado>=6,<7",
    "tqdm>=4.50.2,<5", "websockets>=10.1,<11", "werkzeug>=1.0.1,<2", "xmltodict>=0.12,<0.13",
    "itsdangerous<2.1", "jinja2>=3,<3.1")
REPOSITORY = Path(__file__).resolve().parents[2]
# buildtools' own requirements that Mephisto pins older (its flask 1 takes click 7, jinja2 3.0);
# the drop-in runs with Mephisto's
PINNED_BY_MEPHISTO = frozenset({"click", "jinja2"})


def dropin_dependencies() -> list[str]:
    """What buildtools.mephisto needs at run time beside Mephisto's packages: pyproject.toml's
    dependencies less PINNED_BY_MEPHISTO."""
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]
    return [requirement for requirement in project["dependencies"]
            if re.split(r"[<>=!~;\[ ]", requirement)[0].lower() not in PINNED_BY_MEPHISTO]
# The wheel names a job_logging config that it does not ship; the user's profile folder
# (~/.mephisto/hydra_configs) is on its Hydra search path
JOB_LOGGING = """\
version: 1
formatters:
  simple:
    format: "[%(asctime)s][%(name)s][%(levelname)s] - %(message)s"
handlers:
  console:
    class: logging.StreamHandler
    formatter: simple
    stream: ext://sys.stdout
root:
  level: INFO
  handlers: [console]
disable_existing_loggers: false
"""


@dataclass
class RealMephisto:
    python: Path  # the Python 3.10 of a virtualenv with Mephisto and buildtools
    home: Path  # HOME for Mephisto: its config names the data folder
    data: Path


def install_real_mephisto(base: Path) -> RealMephisto | str:
    """Mephisto from PyPI in a Python 3.10 virtualenv under `base` (as Mephisto requires), with
    this buildtools installed beside it; or why it cannot be (no python3.10)."""
    python310 = shutil.which("python3.10")
    if python310 is None:
        return "python3.10 is not installed (Mephisto runs on Python 3.10 only)"
    env = {**os.environ, "PYENV_VERSION": "3.10.13", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    venv = base / "venv"
    made = subprocess.run([python310, "-m", "venv", str(venv)], env=env, capture_output=True,
                          text=True)
    if made.returncode != 0:
        return f"python3.10 cannot make a virtualenv: {made.stderr.strip()[-200:]}"
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    for args in (["--no-deps", MEPHISTO], [*MEPHISTO_DEPENDENCIES, *dropin_dependencies()],
                 ["--no-deps", str(REPOSITORY)]):
        subprocess.run([*pip, *args], env=env, check=True, capture_output=True, timeout=900)
    home = base / "home"
    (home / ".mephisto" / "hydra_configs" / "hydra" / "job_logging").mkdir(parents=True)
    (home / ".mephisto" / "hydra_configs" / "hydra" / "job_logging" /
     "mephisto_default.yaml").write_text(JOB_LOGGING)
    data = base / "data"
    data.mkdir()
    (home / ".mephisto" / "config.yml").write_text(f"core:\n  main_data_directory: {data}\n")
    return RealMephisto(venv / "bin" / "python", home, data)


# ---------------------------------------------------------------- the Mephisto-style task


def task_env(cache: Path) -> dict[str, str]:
    """clean_env with the user cache `cache`, and no Cypress binary download (Mephisto's
    examples install cypress)."""
    return {**clean_env(cache), "CYPRESS_INSTALL_BINARY": "0"}


@dataclass
class MephistoTask(TaskFolder):
    """A Mephisto-style task folder: run_task.py, webapp/ building to webapp/build."""

    cache: Path

    @property
    def bundle_js(self) -> Path:
        return self.webapp / "build" / "bundle.js"

    @property
    def review_js(self) -> Path:
        return self.webapp / "build" / "bundle.review.js"

    def run_task(self, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        """`python run_task.py ARGS` in the task folder, as a Mephisto user launches a task."""
        result = subprocess.run([sys.executable, "run_task.py", *args], cwd=self.root,
                                env=task_env(self.cache), capture_output=True, text=True,
                                timeout=900)
        if result.returncode != code:
            raise AssertionError(f"run_task.py {' '.join(args)} exited {result.returncode}, "
                                 f"not {code}\n{result.stdout}\n{result.stderr}")
        return result

    def buildtools(self, *args: str, env: dict[str, str] | None = None, code: int = 0) -> str:
        """`buildtools ARGS` in the task folder; its output (stdout, then stderr)."""
        result = subprocess.run([BUILDTOOLS, *args], cwd=self.root, capture_output=True,
                                text=True, timeout=900,
                                env={**task_env(self.cache), **(env or {})})
        if result.returncode != code:
            raise AssertionError(f"buildtools {' '.join(args)} exited {result.returncode}, "
                                 f"not {code}\n{result.stdout}\n{result.stderr}")
        return result.stdout + result.stderr

    def copy(self, dest: Path) -> MephistoTask:
        return MephistoTask(copy_task(self.root, dest), self.cache)


def fresh_task(dest: Path, cache: Path) -> MephistoTask:
    """A copy of the fixture task (no node_modules, no build/)."""
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("node_modules", "build",
                                                                  ".buildtools"))
    return MephistoTask(dest, cache)


def signature(path: Path) -> tuple[int, int]:
    """(inode, mtime): changes when a file is rewritten or replaced."""
    info = path.stat()
    return info.st_ino, info.st_mtime_ns
