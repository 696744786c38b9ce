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
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from projects import make_synthetic_project, make_template_project  # noqa: E402

BIN = Path(sys.executable).parent
TURBO_VERSION = "2.11.11"


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB of the process and its children); fails loudly."""
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
    return wall, usage.ru_maxrss


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


def prepare(kind: str, work: Path) -> Path:
    root = work / f"project-{kind}"
    if not (root / ".git").is_dir():
        if kind == "template":
            make_template_project(root)
        else:
            make_synthetic_project(root, int(kind))
    return root


def turbo_clone(root: Path, env: dict[str, str]) -> Path:
    """A clone of the project for turbo: the same files, in a folder of its own (turbo writes
    .turbo/ into the webapp and restores dist/ on a cache hit, which buildtools would see)."""
    clone = root.with_name(root.name + "-turbo")
    if not (clone / ".git").is_dir():
        subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=clone / "webapp", env=env, check=True)
    return clone / "webapp"


def bench(kind: str, work: Path, runs: int, env: dict[str, str]) -> dict[str, object]:
    root = prepare(kind, work)
    webapp = root / "webapp"
    turbo_webapp = turbo_clone(root, env)
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
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{_cpu_name()}, Linux {platform.release()}, Python {platform.python_version()}, "
        f"Node {_version(['node', '--version'])}, npm {_version(['npm', '--version'])}, "
        f"turbo {TURBO_VERSION}.",
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


def _version(argv: list[str]) -> str:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", default="template,10000,100000")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--work", type=Path, default=Path("/tmp/buildtools-bench"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TURBO_TELEMETRY_DISABLED": "1", "NO_COLOR": "1",
           "BUILDTOOLS_CACHE_DIR": str(args.work / "user-cache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure as users run it: with bytecode caches
    shutil.rmtree(args.work / "user-cache" / "cache", ignore_errors=True)
    results = [bench(kind, args.work, args.runs, env) for kind in args.projects.split(",")]
    text = report(results, " ".join(["python", *sys.argv]))
    print(text)
    if args.out:
        args.out.write_text(text)
    shutil.rmtree(args.work / "user-cache" / "cache", ignore_errors=True)


if __name__ == "__main__":
    main()
