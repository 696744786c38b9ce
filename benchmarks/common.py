"""What the benchmark scripts share: running a command (wall time and peak RSS), the projects,
their clones for the other tools, turbo from npm, and the machine line of a report."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from projects import make_synthetic_project, make_template_project  # noqa: E402

TURBO_VERSION = "2.11.11"


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB of the process and its children); fails loudly."""
    wall, peak, _cpu, _output = run_measured(argv, cwd, env)
    return wall, peak


def run_measured(argv: list[str], cwd: Path, env: dict[str, str]
                 ) -> tuple[float, int, float, bytes]:
    """(wall seconds, peak RSS in KiB, CPU seconds (user + system) of the process and its
    children, what it printed); fails loudly."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    assert process.stdout is not None
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed in {cwd}:\n{output.decode()[-2000:]}")
    return wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime, output


@dataclass
class Command:
    """One side of a comparison: what runs, where, and what is made ready (untimed) first."""

    argv: list[str]
    cwd: Path
    env: dict[str, str]
    before: Callable[[int], None] | None = None  # told the run's number
    watch: bytes = b""  # counted in `seen`: the measured runs whose output holds it
    seen: int = 0
    times: list[float] = field(default_factory=list)
    cpu_times: list[float] = field(default_factory=list)
    peak_kib: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_times)


def alternate(commands: list[Command], runs: int) -> None:
    """Each command once to warm it, then `runs` rounds of all of them in turn."""
    for command in commands:
        if command.before is not None:
            command.before(-1)
        run(command.argv, command.cwd, command.env)
    for index in range(runs):
        for command in commands:
            if command.before is not None:
                command.before(index)
            wall, peak, cpu, output = run_measured(command.argv, command.cwd, command.env)
            command.seen += bool(command.watch) and command.watch in output
            command.times.append(wall)
            command.cpu_times.append(cpu)
            command.peak_kib = max(command.peak_kib, peak)


def turbo_tool(work: Path) -> tuple[Path, Path]:
    """(npm's turbo launcher, the native binary), installed in a scratch folder."""
    folder = work / "turbo"
    launcher = folder / "node_modules" / ".bin" / "turbo"
    if not launcher.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(folder), f"turbo@{TURBO_VERSION}",
                        "--no-audit", "--no-fund", "--loglevel=error"], check=True)
    native = next((folder / "node_modules" / "@turbo").glob("*/bin/turbo"))
    return launcher, native


def prepare(kind: str, work: Path) -> Path:
    """The project `kind` ("template" or a number of files) in `work`, made once."""
    root = work / f"project-{kind}"
    if not (root / ".git").is_dir():
        if kind == "template":
            make_template_project(root)
        else:
            make_synthetic_project(root, int(kind))
    return root


def clone(root: Path, suffix: str, env: dict[str, str]) -> Path:
    """The webapp of a clone of the project, installed: for another tool to work in (turbo
    writes .turbo/ and restores dist/, a bare npm build writes dist/: buildtools would see)."""
    copy = root.with_name(f"{root.name}-{suffix}")
    if not (copy / ".git").is_dir():
        subprocess.run(["git", "clone", "-q", str(root), str(copy)], check=True)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=copy / "webapp", env=env, check=True)
    return copy / "webapp"


def bench_env(work: Path) -> dict[str, str]:
    """The environment of every measured command: no colour, no telemetry, a user cache of
    its own, and bytecode caches as users have them."""
    env = {**os.environ, "TURBO_TELEMETRY_DISABLED": "1", "NO_COLOR": "1",
           "BUILDTOOLS_CACHE_DIR": str(work / "user-cache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def machine_line(extra: str = "") -> str:
    return (f"Machine: {platform.machine()}, {os.cpu_count()} cores, {_cpu_name()}, "
            f"Linux {platform.release()}, Python {platform.python_version()}, "
            f"Node {run_output(['node', '--version'])}, npm {run_output(['npm', '--version'])}"
            f"{extra}.")


def pip_version(python: str) -> str:
    """The version of the pip of `python`: the one that wrote its console scripts."""
    found = run_output([python, "-m", "pip", "--version"])
    return found.split()[1] if found.startswith("pip ") else "?"


def run_output(argv: list[str]) -> str:
    """What the command printed, stripped; "?" when it cannot start."""
    try:
        return subprocess.run(argv, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"
