"""Where the time of a one-file edit goes, `buildtools build` against a bare `npm run <script>`,
phase by phase, from `strace -f --seccomp-bpf -ttt -e trace=execve,exit_group` (by hand).

    cd <project> && python benchmarks/trace_edit.py [--runs 15] [--file webapp/src/App.jsx]
                                                     [--script build] [--unset NAME ...]

Each round appends a comment to the file and runs ours, then again and runs the bare npm
(same Node first on PATH, same environment), each under strace; the file is put back at the
end. With --unset, the variables named are removed from both sides' environment. Phases, medians
of the rounds, milliseconds:
- to npm's node: the command's start until the Node that runs npm is exec'd (ours: Python's
  start, the fork, `/usr/bin/env node` of npm's shebang);
- npm to gate: that exec until npm execs the shell of the script (ours: the gate, which holds
  it until the check says the build runs): npm's own start;
- held at gate: ours only, the gate until it execs the script's shell: how long npm waited for
  buildtools' check (0 when the check was done first);
- script: the script's shell until it exits (the bundler's own Node);
- npm's exit: until npm's Node exits;
- tail: until the command exits (ours: the bundle stage, the cache, the stamps).
strace slows every exec a little on both sides alike; compare the columns, not the totals with
bench_limits.py's.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINE = re.compile(r'^(\d+) +(\d+\.\d+) (execve|exit_group)\((?:"([^"]*)", \[([^\]]*)\])?')
PHASES = ("to npm's node", "npm to gate", "held at gate", "script", "npm's exit", "tail",
          "total")
GATE_NAME = "npm-gate.sh"  # buildtools.core.early's gate: npm execs it where it runs the script


def phases(trace: str) -> list[float]:
    """The phases of one traced run, in milliseconds."""
    execs: list[tuple[int, float, str, str]] = []
    exits: dict[int, float] = {}
    for line in trace.splitlines():
        match = LINE.match(line)
        if match is None or (match.group(3) == "execve" and line.rstrip().endswith(")")):
            continue  # a failed exec (ENOENT on PATH) is printed with its error after ")"
        pid, when = int(match.group(1)), float(match.group(2))
        if match.group(3) == "exit_group":
            exits[pid] = when
        elif "= 0" in line:
            execs.append((pid, when, match.group(4) or "", match.group(5) or ""))
    start = execs[0][1]
    root = execs[0][0]
    # the npm that ran the script (an early npm that was not adopted is killed: no exit_group)
    npm_pid, npm_node = [(pid, when) for pid, when, path, args in execs
                         if path.endswith("/node") and "npm" in args and pid in exits][-1]
    script_pid, script = next((pid, when) for pid, when, _path, args in execs
                              if args.startswith('"sh", "-c"'))
    end = exits[root]
    # npm execs the gate when it is ready to run the script; the gate execs the script's shell
    # when buildtools tells it to (bare npm: no gate, the shell at once)
    gate = next((when for pid, when, path, _args in execs
                 if pid == script_pid and path.endswith(GATE_NAME)), script)
    values = [npm_node - start, gate - npm_node, script - gate, exits[script_pid] - script,
              exits[npm_pid] - exits[script_pid], end - exits[npm_pid], end - start]
    return [value * 1000 for value in values]


def traced(argv: list[str], cwd: Path, env: dict[str, str]) -> list[float]:
    with tempfile.NamedTemporaryFile("r", suffix=".trace") as out:
        subprocess.run(["strace", "-f", "--seccomp-bpf", "-qq", "-ttt", "-s", "512",
                        "-e", "trace=execve,exit_group", "-e", "signal=none", "-o", out.name,
                        *argv], cwd=cwd, env=env,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return phases(out.read())


def node_first(env: dict[str, str], buildtools: str) -> dict[str, str]:
    """PATH with the folder of the Node that buildtools picks first (as bench_limits.py)."""
    python = str(Path(buildtools).parent / "python")
    code = "from buildtools.node.discovery import find_system_node as f\nprint(f().where)"
    where = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env,
                           check=True).stdout.strip()
    folder = str(Path(where.split(" -> ")[0]).parent)
    return {**env, "PATH": os.pathsep.join([folder, env.get("PATH", "")])}


def table(rows: dict[str, list[list[float]]]) -> str:
    lines = ["| command | " + " | ".join(PHASES) + " |", "|---|" + "---:|" * len(PHASES)]
    for name, runs in rows.items():
        medians = [statistics.median(run[index] for run in runs) for index in range(len(PHASES))]
        lines.append(f"| {name} | " + " | ".join(f"{value:.0f}" for value in medians) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--file", type=Path, default=Path("webapp/src/App.jsx"))
    parser.add_argument("--script", default="build")
    parser.add_argument("--webapp", type=Path, default=Path("webapp"))
    parser.add_argument("--unset", nargs="*", default=[])
    parser.add_argument("--buildtools", default=str(Path(sys.executable).parent / "buildtools"))
    args = parser.parse_args()
    env = {name: value for name, value in os.environ.items() if name not in args.unset}
    env["NO_COLOR"] = "1"
    bare_env = node_first(env, args.buildtools)
    original = args.file.read_bytes()
    rows: dict[str, list[list[float]]] = {"buildtools build": [], f"npm run {args.script}": []}
    try:
        for index in range(args.runs + 1):
            args.file.write_bytes(original + f"\n// edit {time.time_ns()}\n".encode())
            ours = traced([args.buildtools, "build"], Path.cwd(), env)
            args.file.write_bytes(original + f"\n// edit {time.time_ns()}\n".encode())
            bare = traced(["npm", "run", args.script], args.webapp, bare_env)
            if index:  # the first round warms both
                rows["buildtools build"].append(ours)
                rows[f"npm run {args.script}"].append(bare)
    finally:
        args.file.write_bytes(original)
        subprocess.run([args.buildtools, "build"], env=env, stdout=subprocess.DEVNULL)
    print(f"{args.runs} rounds; unset: {', '.join(args.unset) or 'nothing'}; "
          f"{os.getloadavg()[0]:.1f} load")
    print(table(rows))


if __name__ == "__main__":
    main()
