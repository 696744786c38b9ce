"""No-op and rebuild benchmarks, side by side with Turborepo, in one run (by hand, not in CI).

    python benchmarks/bench_noop.py [--projects template,10000,100000] [--runs 9]
                                    [--work /tmp/buildtools-bench] [--out results.md]

For each project (made by benchmarks/projects.py in --work, reused by later runs) it measures,
alternating the tools run after run:
- `doit build` and `buildtools build` with nothing changed (our no-op);
- `turbo run build` with a cache hit, through npm's `turbo` launcher (what users type) and the
  native binary alone (turbo from npm in --work/turbo, TURBO_TELEMETRY_DISABLED=1, .turbo in
  .gitignore);
- the hardware's floor, in one warm Python process: stat of every input file; reading every
  input file once;
- after a one-line source edit: our rebuild against `npm ci && npm run build`.
Reports medians, the ratio to turbo and peak RSS (from wait4, so it includes child processes).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import (  # noqa: E402
    TURBO_VERSION,
    bench_env,
    clone,
    machine_line,
    prepare,
    run,
    turbo_tool,
)

BIN = Path(sys.executable).parent


def input_files(webapp: Path) -> list[str]:
    skip = {"node_modules", "dist", ".turbo", ".git"}
    found: list[str] = []
    for dirpath, dirs, names in os.walk(webapp):
        dirs[:] = [name for name in dirs if name not in skip]
        found.extend(os.path.join(dirpath, name) for name in names)
    return found


def floors(webapp: Path) -> tuple[float, float]:
    files = input_files(webapp)
    started = time.perf_counter()
    for path in files:
        os.lstat(path)
    stat_s = time.perf_counter() - started
    started = time.perf_counter()
    for path in files:
        with open(path, "rb") as handle:
            handle.read()
    return stat_s, time.perf_counter() - started


def bench(kind: str, work: Path, runs: int, env: dict[str, str]) -> dict[str, object]:
    root = prepare(kind, work)
    webapp = root / "webapp"
    turbo_webapp = clone(root, "turbo", env)
    launcher, native = turbo_tool(work)
    doit = [str(BIN / "doit"), "build"]
    ours_cli = [str(BIN / "buildtools"), "build"]
    has_cli = (BIN / "buildtools").exists() and subprocess.run(
        [*ours_cli[:1], "build", "--help"], capture_output=True, env=env).returncode == 0
    # Warm everything: a build, turbo's cache, the stat caches, then the no-op record (which
    # is written once every input is older than the racy window).
    run(doit, root, env)
    run([str(native), "run", "build"], turbo_webapp, env)
    time.sleep(2.2)
    run(doit, root, env)
    commands = {"doit build": doit, "turbo (npm launcher)": [str(launcher), "run", "build"],
                "turbo (native binary)": [str(native), "run", "build"]}
    if has_cli:
        commands["buildtools build"] = ours_cli
    times: dict[str, list[float]] = {name: [] for name in commands}
    memory: dict[str, int] = dict.fromkeys(commands, 0)
    for _ in range(runs):
        for name, argv in commands.items():
            wall, rss = run(argv, turbo_webapp if "turbo" in name else root, env)
            times[name].append(wall)
            memory[name] = max(memory[name], rss)
    stat_s, read_s = floors(webapp)
    result: dict[str, object] = {
        "project": kind, "files": len(input_files(webapp)),
        "noop": {name: (statistics.median(values), memory[name])
                 for name, values in times.items()},
        "floor": (stat_s, read_s),
    }
    # One source edit: our rebuild against a plain npm ci && npm run build.
    edited = next(p for p in sorted((webapp / "src").rglob("*"))
                  if p.suffix in (".js", ".jsx", ".ts", ".tsx"))
    original = edited.read_bytes()
    ours: list[float] = []
    plain: list[float] = []
    restored: list[float] = []
    edits = max(3, runs // 3)
    try:
        twin = turbo_webapp / edited.relative_to(webapp)  # the same edit in the clone
        # Edits never built before (so no cache entry can answer for them)
        texts = [original + f"\n// edit {time.time_ns()} {index}\n".encode()
                 for index in range(edits)]
        for text in texts:
            edited.write_bytes(text)
            twin.write_bytes(text)
            ours.append(run(doit, root, env)[0])
            plain.append(run(["bash", "-c", "npm ci --no-audit --no-fund --loglevel=error "
                                            "&& npm run build"], turbo_webapp, env)[0])
        # Going back to sources built before (as a git checkout would): restored from the
        # local cache, without npm.
        for text in texts:
            edited.write_bytes(text)
            restored.append(run(doit, root, env)[0])
    finally:
        edited.write_bytes(original)
        (turbo_webapp / edited.relative_to(webapp)).write_bytes(original)
        run(doit, root, env)
    result["edit"] = (statistics.median(ours), statistics.median(plain),
                      statistics.median(restored))
    return result


def report(results: list[dict[str, object]], command: str) -> str:
    lines = [
        machine_line(f", turbo {TURBO_VERSION}"),
        f"Command: `{command}`", "",
        "| project | files | command | median | vs turbo (launcher) | vs turbo (native) "
        "| peak RSS |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for result in results:
        noop = result["noop"]
        assert isinstance(noop, dict)
        launcher = noop["turbo (npm launcher)"][0]
        native = noop["turbo (native binary)"][0]
        for name, (median, rss) in noop.items():
            lines.append(f"| {result['project']} | {result['files']:,} | {name} | "
                         f"{median * 1000:.0f} ms | {median / launcher:.2f} | "
                         f"{median / native:.2f} | {rss / 1024:.0f} MB |")
        stat_s, read_s = result["floor"]  # type: ignore[misc]
        lines.append(f"| {result['project']} | {result['files']:,} | floor: stat every file "
                     f"| {stat_s * 1000:.0f} ms | | | |")
        lines.append(f"| {result['project']} | {result['files']:,} | floor: read every file "
                     f"| {read_s * 1000:.0f} ms | | | |")
        ours, plain, restored = result["edit"]  # type: ignore[misc]
        lines.append(f"| {result['project']} | {result['files']:,} | after one edit: doit build "
                     f"| {ours * 1000:.0f} ms | | | |")
        lines.append(f"| {result['project']} | {result['files']:,} | after one edit: npm ci && "
                     f"npm run build | {plain * 1000:.0f} ms | | | |")
        lines.append(f"| {result['project']} | {result['files']:,} | back to sources built "
                     f"before: doit build (restored from cache) | {restored * 1000:.0f} ms "
                     "| | | |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", default="template,10000,100000")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--work", type=Path, default=Path("/tmp/buildtools-bench"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    env = bench_env(args.work)
    shutil.rmtree(args.work / "user-cache" / "cache", ignore_errors=True)
    results = [bench(kind, args.work, args.runs, env) for kind in args.projects.split(",")]
    text = report(results, " ".join(["python", *sys.argv]))
    print(text)
    if args.out:
        args.out.write_text(text)
    shutil.rmtree(args.work / "user-cache" / "cache", ignore_errors=True)


if __name__ == "__main__":
    main()
