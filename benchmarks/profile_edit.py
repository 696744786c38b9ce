"""Where a `buildtools build` after a one-file edit spends its own CPU time (npm's excluded).

    cd <project> && python benchmarks/profile_edit.py [--edits 7] [--file webapp/src/App.jsx]

Each edit appends a comment to the file, then runs the CLI's build in this process with a
clock (time.process_time) around each phase: the interpreter's start, the launcher's `re`, the
CLI, the no-op record, the early npm start (fork included), the imports of the build, the check
(until the build stage adopts the early npm, or starts npm), buildtools' own CPU while npm
runs, and what follows; the file is put back at the end. Medians in the last row.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

PHASES = ("start", "re", "cli", "record", "early npm", "imports", "check", "npm (ours)",
          "after npm")


def one_build() -> list[float]:
    """CPU milliseconds per phase of one build, in a fresh process (imports are measured)."""
    code = """
import time, io, contextlib, os
pt = time.process_time
t0 = pt()
import re  # what pip's console-script launcher imports first
t_re = pt()
from buildtools.ui import cli
t1 = pt()
from buildtools.core.run import BuildRun, Request
run = BuildRun(Request(early_start=True, term_interrupts=True), cli._terminal(False))
assert run.answer_from_record() is None
t2 = pt()
from buildtools.core import early
early.start(run.state_dir(), os.environ)
t_early = pt()
import buildtools.util.process as process  # patched before the pipeline binds its runner
marks = {}
real_run, real_adopt = process.run, early.adopt
def timed(*args, **kwargs):
    marks.setdefault("start", pt())
    try:
        return real_run(*args, **kwargs)
    finally:
        marks["end"] = pt()
def adopt(*args, **kwargs):
    marks["adopt"] = pt()
    return real_adopt(*args, **kwargs)
process.run, early.adopt = timed, adopt
import buildtools.core.pipeline, buildtools.ui.terminal
t3 = pt()
early.start = lambda *args: False  # started above
with contextlib.redirect_stdout(io.StringIO()):
    run.execute()
t4 = pt()
check_end = marks.get("adopt", marks["start"])
print(t0, t_re - t0, t1 - t_re, t2 - t1, t_early - t2, t3 - t_early, check_end - t3,
      marks["end"] - check_end, t4 - marks["end"])
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return [float(value) * 1000 for value in out.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--file", type=Path, default=Path("webapp/src/App.jsx"))
    args = parser.parse_args()
    original = args.file.read_bytes()
    rows = []
    try:
        for _ in range(args.edits):
            args.file.write_bytes(original + f"\n// edit {time.time_ns()}\n".encode())
            rows.append(one_build())
    finally:
        args.file.write_bytes(original)
    print("| " + " | ".join(PHASES) + " |")
    print("|" + "---:|" * len(PHASES))
    for row in rows:
        print("| " + " | ".join(f"{value:.1f}" for value in row) + " |")
    medians = [statistics.median(column) for column in zip(*rows, strict=True)]
    print("| " + " | ".join(f"**{value:.1f}**" for value in medians) + " |")


if __name__ == "__main__":
    main()
