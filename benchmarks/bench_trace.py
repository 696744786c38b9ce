"""What tracing a build costs (buildtools.fingerprint.trace, issue 17), by hand:

    python benchmarks/bench_trace.py [--runs 21] [--work /tmp/buildtools-bench] [--out FILE]

`npm run build` of the template project (Vite), alternately bare and under the trace that the
build stage uses: inotify watches on every folder of the project, the reading thread, and
after the build the hashing of what it read (buildtools.core.discovered_inputs.recorded, here
against an empty tree manifest: every file the build opened is hashed, an upper bound). Both
timed in this one process: median wall time, and CPU time (this process's, which holds the
trace, plus its children's). The machine's load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from common import bench_env, machine_line, prepare  # noqa: E402

from buildtools.config.load import load_config  # noqa: E402
from buildtools.core import discovered_inputs as discovered  # noqa: E402
from buildtools.fingerprint.manifest import Manifest  # noqa: E402


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def build(webapp: Path, env: dict[str, str]) -> None:
    subprocess.run(["npm", "run", "build"], cwd=webapp, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--work", type=Path, default=Path("/tmp/buildtools-bench"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    env = bench_env(args.work)
    root = prepare("template", args.work)
    subprocess.run([str(Path(sys.executable).parent / "buildtools"), "build"], cwd=root,
                   env=env, check=True, stdout=subprocess.DEVNULL)
    config = load_config(root, env)
    webapp = config.webapp.source
    times: dict[str, list[float]] = {"bare": [], "traced": []}
    cpus: dict[str, list[float]] = {"bare": [], "traced": []}
    opened = 0
    for _ in range(args.runs + 1):  # the first round warms both
        for side in ("bare", "traced"):
            started, used = time.perf_counter(), cpu()
            if side == "bare":
                build(webapp, env)
            else:
                traced = discovered.start_trace(config, "dist")
                build(webapp, env)
                trace = traced.stop()
                assert trace is not None and trace.complete
                opened = len(discovered.recorded(traced, trace, Manifest("", [])))
            times[side].append(time.perf_counter() - started)
            cpus[side].append(cpu() - used)
    bare, ours = (statistics.median(times[s][1:]) for s in ("bare", "traced"))
    bare_cpu, ours_cpu = (statistics.median(cpus[s][1:]) for s in ("bare", "traced"))
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    text = (f"{machine_line()}\nCommand: python benchmarks/bench_trace.py --runs {args.runs}; "
            f"load average {load}\n\n| `npm run build`, template | wall | CPU |\n|---|---:|---:|\n"
            f"| bare | {bare * 1000:.0f} ms | {bare_cpu * 1000:.0f} ms |\n"
            f"| traced ({opened} paths kept) | {ours * 1000:.0f} ms ({ours / bare:.2f}x) | "
            f"{ours_cpu * 1000:.0f} ms ({ours_cpu / bare_cpu:.2f}x) |\n")
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
