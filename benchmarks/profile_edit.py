"""Where a `buildtools build` after a one-file edit spends its own CPU time (npm's excluded).

    cd <project> && python benchmarks/profile_edit.py [--edits 7] [--file webapp/src/App.jsx]

Each edit appends a comment to the file, then runs the CLI's build in this process with a
clock (time.process_time) around each phase; the file is put back at the end.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

PHASES = ("start", "re", "cli", "record", "imports", "before npm", "npm (ours)", "after npm")


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
import buildtools.core.pipeline, buildtools.ui.terminal
t3 = pt()
import buildtools.util.process as process, buildtools.core.stages.build as stage
marks = {}
real = process.run
def timed(*args, **kwargs):
    marks["start"] = pt()
    try:
        return real(*args, **kwargs)
    finally:
        marks["end"] = pt()
process.run = stage.run = timed
with contextlib.redirect_stdout(io.StringIO()):
    run.execute()
t4 = pt()
print(t0, t_re - t0, t1 - t_re, t2 - t1, t3 - t2, marks["start"] - t3,
      marks["end"] - marks["start"], t4 - marks["end"])
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


if __name__ == "__main__":
    main()
