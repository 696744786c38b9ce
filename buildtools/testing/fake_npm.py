"""A fake npm: a Runner (buildtools.util.process.Runner) that plays npm, node and the
post_install_script without starting a process, and a Node installation for the toolchain to
find, whose programs only this runner "runs".

    fake = FakeNpm(scripts={"build": Writes({"dist/index.html": "<p>hi</p>"})})
    bin_dir = fake.install_node(tmp_path / "node")        # put it first on PATH
    Session(config, runner=fake).run_stale_stages()
    assert fake.ran() == ["npm ci", "npm run build"]

What a command does is a Play: Writes (files, then exit 0), Fails (an exit code and its
output), Hangs (never ends: stopped as a timeout stops it), Interrupted (Ctrl-C). Files are
written relative to the command's folder before the outcome, as a real build that fails half
way leaves what it wrote.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

from buildtools.errors import CommandFailed, Interrupted
from buildtools.util.process import TAIL_LINES, Running


@dataclass(frozen=True)
class Writes:
    """Writes `files` (path relative to the command's folder -> text), prints `lines`, exits 0."""

    files: Mapping[str, str] = field(default_factory=dict)
    lines: Sequence[str] = ()


@dataclass(frozen=True)
class Fails:
    """Writes `files`, prints `lines`, exits with `code`."""

    code: int = 1
    lines: Sequence[str] = ("npm error code ELIFECYCLE", "npm error command failed")
    files: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hangs:
    """Writes `files`, prints `lines`, then never exits until a timeout stops it: the SIGTERM
    that a timeout (doit's, CI's, timeout(1)) sends raises Interrupted inside buildtools
    (buildtools.util.process.sigterm_interrupts), which the fake raises in its place."""

    files: Mapping[str, str] = field(default_factory=dict)
    lines: Sequence[str] = ("> webpack --watch",)


@dataclass(frozen=True)
class CtrlC:
    """Writes `files`, prints `lines`, then the user presses Ctrl-C (KeyboardInterrupt)."""

    files: Mapping[str, str] = field(default_factory=dict)
    lines: Sequence[str] = ()


Play = Union[Writes, Fails, Hangs, CtrlC]  # noqa: UP007 (a run-time alias on Python 3.10)


@dataclass(frozen=True)
class Call:
    """One command the runner was asked to run."""

    argv: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str]
    what: str
    adopted: bool  # it came already started (buildtools.core.early)

    @property
    def shown(self) -> str:
        """The command as a user types it: `npm ci`, `node --version`, `bash post.sh`."""
        program = Path(self.argv[0]).name
        program = {"npm-cli.js": "npm", "npx-cli.js": "npx"}.get(program, program)
        return " ".join((program, *self.argv[1:]))


INSTALLED = Writes({"node_modules/.package-lock.json": "{}\n"}, ["added 1 package in 1s"])


class FakeNpm:
    """Plays `npm ci` / `npm install` (`install`), `npm run <script>` (`scripts`), `bash
    <post_install_script>` (`post_install`), `node --version` and `npm --version`; `commands`
    (by Call.shown: "npm ci") comes before all of them. A script not in `scripts` fails as
    npm's "Missing script" does. Change the plays between runs to make the next run behave
    otherwise; `calls` keeps every command asked for."""

    def __init__(self, *, scripts: Mapping[str, Play] | None = None, install: Play = INSTALLED,
                 post_install: Play | None = None, node_version: str = "20.11.1",
                 npm_version: str = "10.2.4", commands: Mapping[str, Play] | None = None
                 ) -> None:
        self.commands: dict[str, Play] = dict(commands or {})
        self.scripts: dict[str, Play] = dict(scripts or {})
        self.install = install
        self.post_install = post_install or Writes()
        self.node_version = node_version
        self.npm_version = npm_version
        self.calls: list[Call] = []

    def ran(self) -> list[str]:
        """Each command asked for so far, as a user types it (see Call.shown)."""
        return [call.shown for call in self.calls]

    def install_node(self, prefix: Path) -> Path:
        """A Node installation at `prefix` as the toolchain finds one (bin/node, and npm at
        lib/node_modules/npm, its version in its package.json), whose files run nothing.
        Returns its bin folder, to put first on PATH."""
        bin_dir = prefix / "bin"
        npm_dir = prefix / "lib" / "node_modules" / "npm"
        (npm_dir / "bin").mkdir(parents=True)
        bin_dir.mkdir(parents=True, exist_ok=True)
        (npm_dir / "package.json").write_text(
            f'{{"name": "npm", "version": "{self.npm_version}"}}\n')
        for path in (bin_dir / "node", npm_dir / "bin" / "npm-cli.js"):
            path.write_text("#!/bin/false\n# buildtools.testing.fake_npm: never run\n")
            path.chmod(0o755)
        (bin_dir / "npm").symlink_to(os.path.join("..", "lib", "node_modules", "npm", "bin",
                                                  "npm-cli.js"))
        return bin_dir

    def __call__(
        self,
        cmd: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        what: str,
        sink: Callable[[str], None] | None = None,
        started: Running | None = None,
        meanwhile: Callable[[], None] | None = None,
    ) -> list[str]:
        call = Call(tuple(cmd), Path(cwd), dict(env), what, started is not None)
        self.calls.append(call)
        if meanwhile is not None:
            meanwhile()
        return _play(self._play_for(call), call, sink)

    def _play_for(self, call: Call) -> Play:
        if call.shown in self.commands:
            return self.commands[call.shown]
        program, args = call.shown.split(" ")[0], list(call.argv[1:])
        if args == ["--version"] and program in ("node", "npm"):
            return Writes(lines=[f"v{self.node_version}" if program == "node"
                                 else self.npm_version])
        if program == "npm" and args[:1] in (["ci"], ["install"]):
            return self.install
        if program == "npm" and args[:1] == ["run"] and len(args) == 2:
            return self.scripts.get(args[1]) or Fails(
                1, [f'npm error Missing script: "{args[1]}"'])
        if program == "bash":
            return self.post_install
        raise AssertionError(f"buildtools.testing.fake_npm plays no {call.shown!r}")


def _play(play: Play, call: Call, sink: Callable[[str], None] | None) -> list[str]:
    for name, text in play.files.items():
        path = call.cwd / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    lines = list(play.lines)
    for line in lines:
        if sink is not None:
            sink(line)
    if isinstance(play, Fails):
        raise CommandFailed(call.argv, play.code, lines[-TAIL_LINES:], call.what)
    if isinstance(play, Hangs):
        raise Interrupted()
    if isinstance(play, CtrlC):
        raise KeyboardInterrupt()
    return lines
