""".gitignore matching: ours (buildtools.fingerprint.ignore) against pathspec, in one run (by hand).

    python benchmarks/bench_ignore.py [--files 10000,100000] [--runs 7] [--work /tmp/bench-ignore]

For each tree size and each rule set it times, in this process and alternating the matchers run
after run, the two scans a build does:
- cold hash: scan_tree with an empty stat cache (every file listed, matched, read and hashed);
- no-op check: scan_tree with the stat cache of the last scan (every file listed, matched and
  stat'ed; nothing read). The no-op record (buildtools.core.record) matches nothing at all:
  it re-stats what the last full check saw, so a matcher cannot change its time.
pathspec is used through its public API: one GitIgnoreSpec per .gitignore, and each name
decided by `check_file` (a folder as "name/"), in the place of our compiled expressions.
The trees are synthetic webapps of source files in folders of 100, with a top .gitignore of
the usual rules (with or without one `!` rule, which sends ours down its rule-by-rule path)
and a .gitignore in every second folder; about 3 % of the files are ignored.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

import pathspec

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from buildtools.fingerprint import scan  # noqa: E402
from buildtools.fingerprint.ignore import IgnoreFile  # noqa: E402
from buildtools.fingerprint.statcache.cache import StatCache  # noqa: E402

TOP_RULES = [
    "node_modules/", "/dist/", "/build/", "coverage/", "*.log", "npm-debug.log*", ".env",
    ".env.local", "*.map", ".DS_Store", ".cache/", "tmp/", "*.tsbuildinfo", ".vscode/*",
    "**/__snapshots__/", "*.swp", "*~", "/out/", "storybook-static/", ".parcel-cache/",
]
NEGATION = ["!.vscode/settings.json"]
FOLDER_RULES = "*.snap\n/generated/\n"


class PathspecIgnoreFile:
    """The rules of one .gitignore as a pathspec.GitIgnoreSpec, asked name by name."""

    path_to_tree = ""
    has_negation = True  # scan.kept then asks _decide for every name

    def __init__(self, spec: pathspec.GitIgnoreSpec) -> None:
        self.spec = spec

    @classmethod
    def parse(cls, content: bytes) -> PathspecIgnoreFile | None:
        text = content.decode("utf-8", errors="surrogateescape")
        spec = pathspec.GitIgnoreSpec.from_lines(text.splitlines())
        if not any(pattern.include is not None for pattern in spec.patterns):
            return None
        return cls(spec)

    def any_match(self, is_dir: bool) -> None:
        return None

    def _decide(self, relative: str, is_dir: bool) -> bool | None:
        include: bool | None = self.spec.check_file(
            f"{relative}/" if is_dir else relative).include
        return include


def make_tree(root: Path, files: int, negation: bool) -> Path:
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(7)
    src = root / "src"
    per_folder = 100
    folders = max(1, (files + per_folder - 1) // per_folder)
    fanout = max(1, int(folders ** 0.5))
    made = 0
    for folder in range(folders):
        where = src / f"m{folder // fanout:03d}" / f"c{folder % fanout:03d}"
        where.mkdir(parents=True, exist_ok=True)
        if folder % 2 == 0:
            (where / ".gitignore").write_text(FOLDER_RULES)
        for index in range(min(per_folder, files - made)):
            kind = rng.random()
            name = (f"f{index:03d}.js.map" if kind < 0.01 else f"f{index:03d}.log"
                    if kind < 0.02 else f"f{index:03d}.snap" if kind < 0.03
                    else f"f{index:03d}.js")
            (where / name).write_text(f"export const v{index} = {index};\n" * rng.randrange(5, 60))
            made += 1
    (root / ".gitignore").write_text("\n".join(TOP_RULES + (NEGATION if negation else [])) + "\n")
    return root


def scan_with(matcher: type, root: Path, cache: StatCache) -> float:
    scan.IgnoreFile = matcher  # type: ignore[misc]
    started = time.perf_counter()
    scan.scan_tree(root, cache=cache)
    return time.perf_counter() - started


def bench(root: Path, runs: int) -> dict[str, dict[str, float]]:
    matchers: dict[str, type] = {"ours": IgnoreFile, "pathspec": PathspecIgnoreFile}
    kept = {}
    for name, matcher in matchers.items():  # the same files kept, or the figures mean nothing
        scan.IgnoreFile = matcher  # type: ignore[misc]
        kept[name] = scan.scan_tree(root).count
    assert len(set(kept.values())) == 1, kept
    times: dict[str, dict[str, list[float]]] = {
        name: {"cold": [], "noop": []} for name in matchers}
    for run in range(runs):
        order = list(matchers.items())
        if run % 2:
            order.reverse()
        for name, matcher in order:
            cache = StatCache(None)
            times[name]["cold"].append(scan_with(matcher, root, cache))
            times[name]["noop"].append(scan_with(matcher, root, cache))
    scan.IgnoreFile = IgnoreFile  # type: ignore[misc]
    return {name: {kind: statistics.median(values) for kind, values in kinds.items()}
            for name, kinds in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", default="10000,100000")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-ignore"))
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}; pathspec {pathspec.__version__}")
    print("| files | top .gitignore | scan | ours (ms) | pathspec (ms) | pathspec / ours |")
    print("|---:|---|---|---:|---:|---:|")
    for files in (int(text) for text in args.files.split(",")):
        for negation in (False, True):
            root = make_tree(args.work / f"t{files}-{int(negation)}", files, negation)
            result = bench(root, args.runs)
            rules = f"{len(TOP_RULES) + negation} rules" + (", one `!`" if negation else "")
            for kind, label in (("cold", "cold hash"), ("noop", "no-op check")):
                ours, peer = result["ours"][kind] * 1000, result["pathspec"][kind] * 1000
                print(f"| {files:,} | {rules} | {label} | {ours:.0f} | {peer:.0f} "
                      f"| {peer / ours:.2f} |", flush=True)
            shutil.rmtree(root)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
