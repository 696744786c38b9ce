"""npm ranges: node-semver (the library buildtools uses) against a hand-written module, by hand.

    git show 1e351e4:buildtools/node/semver.py > /tmp/old_semver.py   # the one it replaced
    python benchmarks/bench_semver.py --ours /tmp/old_semver.py [--runs 15]

Measures, alternating the two: the import (python -X importtime, cumulative, in a fresh
process each run), one satisfies() call on the template's engines.node, and how many rows of
the table of npm's own range cases (tests/unit/node/test_semver_npm.py) each gets right.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path
from types import ModuleType

import nodesemver

HERE = Path(__file__).resolve().parent
TABLE = HERE.parent / "tests" / "unit" / "node" / "test_semver_npm.py"
ENGINES = "^20.19.0 || >=22.12.0"  # webapp_template's package.json


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def import_ms(module: str, path: str) -> float:
    """Cumulative import time of `module` in a fresh interpreter, in ms."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                          env={**os.environ, "PYTHONPATH": path}, capture_output=True,
                          text=True, check=True)
    last = [line for line in done.stderr.splitlines() if line.rstrip().endswith(f" {module}")]
    return int(last[-1].split("|")[1]) / 1000


def right_rows(satisfies: object, table: ModuleType) -> tuple[int, int]:
    good = total = 0
    for expected, rows in ((True, table.rows(table.INCLUDED)),
                           (False, table.rows(table.EXCLUDED))):
        for spec, version in rows:
            total += 1
            with contextlib.suppress(ValueError):
                good += satisfies(version, spec) is expected  # type: ignore[operator]
    return good, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    try:
        shutil.copy(args.ours, folder / "handwritten_semver.py")
        ours = load(folder / "handwritten_semver.py", "handwritten_semver")
        times: dict[str, list[float]] = {"node-semver": [], "hand-written": []}
        for run in range(args.runs):
            pairs = [("node-semver", "nodesemver"), ("hand-written", "handwritten_semver")]
            for label, module in pairs if run % 2 else reversed(pairs):
                times[label].append(import_ms(module, str(folder)))
        table = load(TABLE, "npm_table")
        calls = 2000
        per_call = {
            "node-semver": timeit.timeit(
                lambda: nodesemver.satisfies("20.20.2", ENGINES), number=calls) / calls,
            "hand-written": timeit.timeit(
                lambda: ours.satisfies("20.20.2", ENGINES), number=calls) / calls,
        }
        rights = {"node-semver": right_rows(nodesemver.satisfies, table),
                  "hand-written": right_rows(ours.satisfies, table)}
        invalid = {"node-semver": sum(1 for spec in table.INVALID if _rejects(
                       lambda s: nodesemver.Range(s, False), spec)),
                   "hand-written": sum(1 for spec in table.INVALID if _rejects(
                       ours.parse_range, spec))}
    finally:
        shutil.rmtree(folder)
    print(f"load average: {os.getloadavg()[0]:.2f}; node-semver {_version()}")
    print("| | import (ms, median) | satisfies() (µs) | npm rows right | invalid refused |")
    print("|---|---:|---:|---:|---:|")
    for label in times:
        good, total = rights[label]
        print(f"| {label} | {statistics.median(times[label]):.1f} "
              f"| {per_call[label] * 1e6:.1f} | {good}/{total} "
              f"| {invalid[label]}/{len(table.INVALID)} |")


def _rejects(parse: object, spec: str) -> bool:
    try:
        parse(spec)  # type: ignore[operator]
    except ValueError:
        return True
    return False


def _version() -> str:
    from importlib.metadata import version

    return version("node-semver")


if __name__ == "__main__":
    main()
