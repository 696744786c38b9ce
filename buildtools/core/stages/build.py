"""build: `npm run <build_command>` when the source tree, install or build settings changed."""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xxhash

from buildtools.config.cachedir import npm_cache_env
from buildtools.core import discovered_inputs as discovered
from buildtools.core import early
from buildtools.core.build_output import aside_path, fresh_output
from buildtools.core.context import Context, output_display, tree_explainer
from buildtools.core.freshness import StagePlan
from buildtools.core.outside_inputs import outside_inputs
from buildtools.core.webapp import build_env, output_folder
from buildtools.errors import UserError
from buildtools.fingerprint import webpack_missing
from buildtools.fingerprint.scan import Manifest
from buildtools.fingerprint.trace import Trace
from buildtools.node.packagemanager import (
    PackageManager,
    package_manager_env,
    read_package_json,
    run_script_command,
)
from buildtools.node.toolchain import Toolchain
from buildtools.util.process import find_executable


def plan_build(
    ctx: Context, install_key: str, package: dict[str, Any]
) -> tuple[StagePlan, Manifest, str]:
    config = ctx.config
    output = output_folder(config, package, ctx.reads)
    exclude = [output, aside_path(output)]
    for folder in (config.deploy.out, config.state_dir):
        with contextlib.suppress(ValueError):
            exclude.append(folder.relative_to(config.webapp.source).as_posix())
    manifest = ctx.scan("webapp", config.webapp.source, exclude=exclude)
    # linked packages, alias targets, [webapp] inputs: one tree with the rest
    manifest = outside_inputs(ctx, package, copied=False, output=output).joined(manifest)
    env = build_env(config.webapp.build_env, ctx.reads)
    env_digests = {
        name: xxhash.xxh3_64_hexdigest(value.encode("utf-8", "surrogateescape"))
        for name, value in env.items()
    }
    for name in config.webapp.build_env:
        env_digests.setdefault(name, "unset")
    output_dir = config.webapp.source / output
    stamp = ctx.stamps.read("build")
    plan = StagePlan(
        name="build",
        inputs={
            "install": install_key,
            "tree": manifest.digest,
            "build_command": config.webapp.build_command,
            "output": output,
            "env": env_digests,
            # what the last build read besides the tree, hashed now
            discovered.KEY: discovered.now(ctx, stamp, output),
        },
        stamp=stamp,
        force=ctx.force,
        missing_output="" if ctx.reads.present(output_dir) else output_display(config, output),
        explain={
            "tree": tree_explainer(ctx, "webapp", manifest),
            "env": _env_explainer,
            discovered.KEY: discovered.explain,
        },
    )
    return plan, manifest, output


def with_discovered(plan: StagePlan, found: dict[str, str]) -> StagePlan:
    """The plan of a build that just ran, with what it read: the key its stamp keeps, and that
    the next check computes when none of those files changed."""
    return dataclasses.replace(plan, inputs={**plan.inputs, discovered.KEY: found})


def _env_explainer(old: Any, new: Any) -> str:
    names = sorted(name for name in set(old) | set(new) if old.get(name) != new.get(name))
    return f"build environment changed: {', '.join(names)}"


def extra_build_stage(command: str) -> str:
    """The stage name of an extra build command: `build:review` for `build:review` or
    `review`."""
    return command if command.startswith("build:") else f"build:{command}"


def plan_extra_build(ctx: Context, command: str, build_key: str, output: str) -> StagePlan:
    """A script run after the build, into the same output (Mephisto's review bundle). Its key
    chains on the build's (sources, install, environment), so whenever the build runs, so does
    it: a build that empties the output folder never leaves it "up to date" without its file.
    What it read besides the build's inputs is discovered as the build's is."""
    config = ctx.config
    name = extra_build_stage(command)
    output_dir = config.webapp.source / output
    stamp = ctx.stamps.read(name)
    return StagePlan(
        name=name,
        inputs={"build": build_key, "build_command": command,
                discovered.KEY: discovered.now(ctx, stamp, output)},
        stamp=stamp,
        force=ctx.force,
        missing_output="" if output_dir.is_dir() else output_display(config, output),
        explain={discovered.KEY: discovered.explain},
    )


@dataclass
class Built:
    """What a build run says: its stage line's detail, and what it read (None: not traced)."""

    detail: str
    trace: Trace | None
    traced: discovered.Traced

    def inputs(self, manifest: Manifest) -> dict[str, str]:
        """The discovered inputs to keep with its stamp."""
        if self.trace is None:
            return {}
        return discovered.recorded(self.traced, self.trace, manifest)

    def stamp(self, ctx: Context, plan: StagePlan, manifest: Manifest) -> StagePlan:
        """Write the stamp of the build that ran with `plan`: its key then holds what the build
        read (the key the next check computes when none of it changed); that plan."""
        ran = with_discovered(plan, self.inputs(manifest))
        untraced = self.untraced
        ctx.stamps.write(ran.name, ran.key,
                         ran.stamp_info(**({discovered.UNTRACED: untraced} if untraced else {})))
        return ran

    @property
    def untraced(self) -> str:
        """Why reads outside the webapp were not all seen ("" when they were)."""
        if self.trace is None:
            return "this system cannot trace a build (Linux inotify is needed)"
        return self.trace.why_incomplete


def drop_early_build() -> None:
    """The build will not run (its output came back from the cache): stop the npm run started
    early now, not when the session ends, so that its start stops sharing the CPUs."""
    early.stop()


def run_build_script(ctx: Context, toolchain: Toolchain, manager: PackageManager,
                     output: str, command: str | None = None, *, first: bool = True) -> Built:
    """`npm run <build_command>` into a fresh output folder; with `command`, an extra build that
    adds its files to the output the build just made (nothing is moved aside: that would take
    the build's own files away), and must write or rewrite at least one of them.
    The npm run started while the stages were checked (buildtools.core.early) is adopted when
    it is exactly this one and `first` (nothing ran before the build in this run)."""
    config = ctx.config
    script = command or config.webapp.build_command
    argv = run_script_command(manager, script)
    env = webpack_missing.build_env(config.state_dir, {
        **package_manager_env(), **npm_cache_env(ctx.environ), **toolchain.env(ctx.environ)})
    what = " ".join(argv)
    folder = config.webapp.source / output
    if command is not None:
        before = _files_state(folder)
        traced = discovered.start_trace(config, output)
        try:
            ctx.runner(argv, cwd=config.webapp.source, env=env, what=what,
                       sink=ctx.reporter.output)
        finally:
            trace = traced.stop()
        if _files_state(folder) == before:
            raise UserError(f"the build command '{what}' finished but wrote nothing in "
                            f"{output}/; the last bundle is kept")
        return Built(output_display(config, output), trace, traced)
    extra = config.webapp.extra_source_dir
    resolved = [find_executable(argv[0], env.get("PATH")), *argv[1:]]
    cwd = str(config.webapp.source)
    with fresh_output(config.webapp.source, output, what, bundle=config.bundle_dir,
                      extra_index=extra is not None and (extra / "index.html").is_file()):
        # traced from before the gate of an early npm opens
        traced = discovered.start_trace(config, output)
        try:
            if not first:  # npm read package.json and its config before that ran
                early.stop()
            started = early.adopt(resolved, cwd, env)
            if started is None:
                _remember_launch(ctx, toolchain, manager, script, resolved, env)
            ctx.runner(argv, cwd=config.webapp.source, env=env, what=what,
                       sink=ctx.reporter.output, started=started, meanwhile=_load_what_follows)
        finally:
            trace = traced.stop()
    shown = output_display(config, output)
    return Built(f"{shown} (npm started during the check)" if started is not None else shown,
                 trace, traced)


def _remember_launch(ctx: Context, toolchain: Toolchain, manager: PackageManager, script: str,
                     argv: list[str], env: dict[str, str]) -> None:
    """Keep how npm is started, for the next run to start it early; or forget it."""
    config = ctx.config
    state = str(config.state_dir)
    if manager.name != "npm":
        early.forget(state)
        return
    scripts = read_package_json(config.webapp.source).get("scripts") or {}
    early.remember(state, argv, str(config.webapp.source), env, ctx.environ,
             node=str(toolchain.bin_dir / "node"), npm_version=toolchain.npm_version,
             scripts=scripts if isinstance(scripts, dict) else {}, script=script)


def _load_what_follows() -> None:
    """Import what the bundle stage and the cache use while npm works, not after it."""
    import buildtools.assets.upload
    import buildtools.core.cache.local  # noqa: F401


def _files_state(folder: Path) -> dict[str, tuple[int, int, int]]:
    found = {}
    for path in folder.rglob("*") if folder.is_dir() else ():
        with contextlib.suppress(OSError):
            info = path.lstat()
            found[path.relative_to(folder).as_posix()] = (info.st_size, info.st_mtime_ns,
                                                          info.st_ino)
    return found
