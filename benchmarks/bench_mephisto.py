"""The drop-in's no-change call against Mephisto's own check, on the same webapp.

    python benchmarks/bench_mephisto.py [--runs 201] [--keep DIR]

The task is tests/fixtures/mephisto_task (webpack 5, Babel, React, mephisto-task; about 8,000
files in node_modules), copied to a temporary folder and launched once (npm install and both
builds, untimed). Then, in one Python process as in a run_task.py, these are timed in turn:

- buildtools.mephisto.build_custom_bundle(task), nothing changed (the no-op record answers);
- Mephisto's check, replicated here (not imported: Mephisto needs Python 3.10 and a database):
  walk the webapp, skip node_modules/ and build/, compare every file's mtime with bundle.js's,
  return the path when none is newer. As shipped, its skip test resets its flag for each of
  the two folders, so only one of them is skipped, depending on the set's iteration order
  (hash randomisation); "as shipped, node_modules walked" times the order that walks it.

Medians of `--runs` calls each, in alternation, after one warm-up call of each.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "tests" / "fixtures" / "mephisto_task"


def mtime_check(task: Path, skip: tuple[str, ...]) -> str | None:
    """Mephisto's up-to-date test: bundle.js's path when no file of the webapp (outside the
    skipped folders) is newer than it, else None."""
    webapp = task / "webapp"
    bundle = webapp / "build" / "bundle.js"
    try:
        built = os.path.getmtime(bundle)
    except OSError:
        return None
    skipped = [str(webapp / name) for name in skip]
    for folder, _dirs, files in os.walk(webapp):
        if any(name in folder for name in skipped):
            continue
        for name in files:
            if os.path.getmtime(os.path.join(folder, name)) > built:
                return None
    return str(bundle)


def launch(task: Path) -> None:
    """The first launch, untimed: npm install, build:review and dev, as run_task.py does."""
    env = {**os.environ, "CYPRESS_INSTALL_BINARY": "0", "NO_COLOR": "1"}
    subprocess.run([sys.executable, "run_task.py", "--review"], cwd=task, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def timed(calls: dict[str, Callable[[], object]], runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in calls}
    for call in calls.values():
        call()
    for _ in range(runs):
        for name, call in calls.items():
            started = time.perf_counter()
            result = call()
            times[name].append(time.perf_counter() - started)
            assert result, f"{name} said the bundle is stale: nothing should have changed"
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=201)
    parser.add_argument("--keep", type=Path, help="use (and keep) this folder for the task")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-mephisto-"))
    task = base / "task"
    if not (task / "webapp" / "node_modules").is_dir():
        shutil.rmtree(task, ignore_errors=True)
        shutil.copytree(FIXTURE, task, ignore=shutil.ignore_patterns("node_modules", "build"))
        launch(task)
    os.chdir(task)
    from buildtools.mephisto import build_custom_bundle

    files = sum(len(names) for _root, _dirs, names in os.walk(task / "webapp"))
    calls: dict[str, Callable[[], object]] = {
        "buildtools drop-in": lambda: build_custom_bundle(str(task), quiet=True),
        "Mephisto's check (node_modules, build skipped)":
            lambda: mtime_check(task, ("node_modules", "build")),
        "Mephisto's check as shipped, node_modules walked": lambda: mtime_check(task, ("build",)),
    }
    times = timed(calls, args.runs)
    ours = statistics.median(times["buildtools drop-in"])
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"webapp with {files} files (node_modules included); {args.runs} calls each")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<50} {median * 1000:7.2f} ms   ({median / ours:5.1f} x the drop-in)")
    if args.keep is None:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
