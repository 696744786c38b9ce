"""Where the no-op `buildtools build` of the template spends its time next to turbo's native
binary: Python's start, the `import re` of the console script that pip before 25.2 writes, and
ours. Both forms of pip's launcher are written into --work, so one run shows both whatever pip
installed the `buildtools` measured.

    python benchmarks/bench_startup.py [--runs 31] [--work /tmp/buildtools-bench] [--bin DIR]

The commands alternate run after run; medians of wall and CPU time (user + system, wait4).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import (  # noqa: E402
    TURBO_VERSION,
    Command,
    alternate,
    bench_env,
    clone,
    machine_line,
    pip_version,
    prepare,
    run,
    turbo_tool,
)

WITHOUT_LAUNCHER = "from buildtools.ui.cli import main; main(['build'])"
# what the console script of each pip does before our main(): pip < 25.2 imports re to strip a
# Windows suffix from argv[0]; pip 25.2 and later use str.removesuffix
OLD_PIP_LAUNCHER = """import re
import sys
from buildtools.ui.cli import main
sys.argv[0] = re.sub(r"[.]exe$", "", sys.argv[0])
main()
"""
NEW_PIP_LAUNCHER = """import sys
from buildtools.ui.cli import main
sys.argv[0] = sys.argv[0].removesuffix(".exe")
main()
"""


def launcher(work: Path, name: str, body: str, python: str) -> str:
    path = work / name
    path.write_text(f"#!{python}\n{body}")
    path.chmod(0o755)
    return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument("--work", type=Path, default=Path("/tmp/buildtools-bench"))
    parser.add_argument("--bin", type=Path, default=Path(sys.executable).parent)
    args = parser.parse_args()
    env = bench_env(args.work)
    root = prepare("template", args.work)
    buildtools, python = str(args.bin / "buildtools"), str(args.bin / "python")
    run([buildtools, "build"], root, env)
    time.sleep(2.2)  # past the racy window: the next full check leaves the no-op record
    run([buildtools, "build"], root, env)
    twin = clone(root, "turbo", env)
    _launcher, native = turbo_tool(args.work)
    commands = {
        "turbo native binary, cache hit": Command([str(native), "run", "build"], twin, env),
        "`python -c pass`": Command([python, "-c", "pass"], root, env),
        "`python -c 'import re'`": Command([python, "-c", "import re"], root, env),
        f"`buildtools build` (as installed, by pip {pip_version(python)})": Command(
            [buildtools, "build"], root, env),
        "`buildtools build`, pip < 25.2's launcher (imports re)": Command(
            [launcher(args.work, "launcher-pip-old", OLD_PIP_LAUNCHER, python), "build"], root,
            env),
        "`buildtools build`, pip >= 25.2's launcher": Command(
            [launcher(args.work, "launcher-pip-new", NEW_PIP_LAUNCHER, python), "build"], root,
            env),
        f'`python -c "{WITHOUT_LAUNCHER}"`': Command([python, "-c", WITHOUT_LAUNCHER], root,
                                                       env),
    }
    alternate(list(commands.values()), args.runs)
    base = next(iter(commands.values()))
    print(machine_line(f", turbo {TURBO_VERSION}"))
    print(f"Command: `python {' '.join(sys.argv)}`\n")
    print("| command | wall | CPU |\n|---|---:|---:|")
    for name, command in commands.items():
        wall, cpu = command.median, statistics.median(command.cpu_times)
        print(f"| {name} | {wall * 1000:.0f} ms ({wall / base.median:.2f}x) "
              f"| {cpu * 1000:.1f} ms ({cpu / base.cpu_median:.2f}x) |")


if __name__ == "__main__":
    main()
