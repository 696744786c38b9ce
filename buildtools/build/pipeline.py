"""`build`: the stages in order, each run only when its key changed.

A first pass plans every stage without the project lock; when all are up to date (the common
case) it reports so and returns. Otherwise the stages are planned again under the lock, since
another run may have finished in the meantime, and run in order.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from buildtools.build.events import NullReporter, Reporter
from buildtools.build.freshness import StagePlan, StampStore
from buildtools.build.record import Recorder
from buildtools.build.record import final_line as fresh_line
from buildtools.build.record import forget as forget_fresh
from buildtools.build.record import stage_lines as fresh_lines
from buildtools.build.stages.build import plan_build, run_build
from buildtools.build.stages.bundle import plan_bundle, run_bundle
from buildtools.build.stages.context import Context, save_manifest
from buildtools.build.stages.install import plan_install, run_install, run_post_install
from buildtools.build.stages.node import describe_toolchain, plan_node
from buildtools.build.stages.render import plan_render, run_render
from buildtools.build.webapp import checked_package_json
from buildtools.config.load import Config
from buildtools.fingerprint.scan import Manifest
from buildtools.node.toolchain import Toolchain
from buildtools.util.lock import project_lock


@dataclass(frozen=True)
class StageStatus:
    name: str
    up_to_date: bool
    reason: str  # why it runs (or would run); "" when up to date
    detail: str
    key: str


@dataclass
class BuildResult:
    bundle_dir: Path
    bundle_key: str
    toolchain: Toolchain
    ran: list[str] = field(default_factory=list)
    stages: list[StageStatus] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)  # (stage, detail) up to date
    output: str = ""  # the build output folder, relative to the webapp

    @property
    def up_to_date(self) -> bool:
        return not self.ran


class _NeedsRun(Exception):
    """The planning pass found a stage to run."""


def status(
    config: Config,
    *,
    environ: Mapping[str, str] | None = None,
    force: bool = False,
    session: Session | None = None,
) -> BuildResult:
    """Plan every stage and say which would run and why; runs nothing, prints nothing.
    A session of the same configuration that has checked already lends its scans."""
    return (session or Session(config, environ=environ)).status(force=force)


class Session:
    """One run over one configuration. doit asks the up-to-date check, then runs the build
    action: through one session they share the scan of each tree, and a check that found a
    stale stage is not made again."""

    def __init__(
        self,
        config: Config,
        *,
        reporter: Reporter | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.ctx = _context(config, False, reporter, environ)
        self.known_stale = False

    def check_up_to_date(self, *, use_record: bool = True) -> bool:
        """Report and return True when every stage is up to date; runs nothing, prints
        nothing else. use_record=False: the caller has just asked the no-op record."""
        ctx = self.ctx
        if ctx.force:
            return False
        started = time.monotonic()
        config = ctx.config
        lines = fresh_lines(config.state_dir, config.path, ctx.environ) if use_record else None
        if lines is not None:  # the no-op record proves it: no node, no package.json, no scan
            for name, detail in lines:
                ctx.reporter.up_to_date(name, detail)
            ctx.reporter.final(fresh_line(time.monotonic() - started, config.bundle_dir))
            return True
        try:
            result = _checked(ctx)
        except _NeedsRun:
            self.known_stale = True
            return False
        _report_fresh(ctx, result, started)
        return True

    def status(self, *, force: bool = False) -> BuildResult:
        """Every stage's verdict and reason; runs nothing, prints nothing. Reuses the scans
        of a check made before in this session."""
        ctx = dataclasses.replace(
            self.ctx,
            reporter=NullReporter(),
            force=force or self.ctx.config.webapp.force_rebuild,
        )
        return _walk(ctx, mode="explain")

    def build(self, *, force: bool = False) -> BuildResult:
        ctx = self.ctx
        ctx.force = ctx.force or force
        started = time.monotonic()
        if not ctx.force and not self.known_stale:
            try:
                result = _checked(ctx)
            except _NeedsRun:
                pass
            else:
                _report_fresh(ctx, result, started)
                return result

        def waiting(message: str) -> None:
            ctx.forget_scans()  # the other run may render or install: scan again after it
            ctx.reporter.info(message)

        with project_lock(ctx.config.state_dir, waiting):
            forget_fresh(ctx.config.state_dir)
            result = _walk(ctx, mode="execute")
        ctx.reporter.final(
            f"built {', '.join(result.ran) or 'nothing'} in {time.monotonic() - started:.1f} s: "
            f"{result.bundle_dir}"
        )
        return result


def check_up_to_date(
    config: Config, *, reporter: Reporter | None = None, environ: Mapping[str, str] | None = None
) -> bool:
    """Report and return True when every stage is up to date; runs nothing, prints nothing else."""
    return Session(config, reporter=reporter, environ=environ).check_up_to_date()


def build(
    config: Config,
    *,
    force: bool = False,
    reporter: Reporter | None = None,
    environ: Mapping[str, str] | None = None,
) -> BuildResult:
    return Session(config, reporter=reporter, environ=environ).build(force=force)


def _checked(ctx: Context) -> BuildResult:
    """The check pass; when it finds every stage up to date, it leaves the no-op record that
    lets the next run answer without loading anything (buildtools.build.record)."""
    recorder = Recorder(ctx.config, ctx.environ)
    if recorder.usable:
        ctx.observed = recorder.observed
    try:
        result = _walk(ctx, mode="check")
    finally:
        ctx.observed = None
    recorder.write(result.lines, result.toolchain, result.output)
    return result


def _context(
    config: Config, force: bool, reporter: Reporter | None, environ: Mapping[str, str] | None
) -> Context:
    return Context(
        config=config,
        stamps=StampStore(config.state_dir),
        reporter=reporter or NullReporter(),
        environ=dict(os.environ if environ is None else environ),
        force=force or config.webapp.force_rebuild,
    )


def _report_fresh(ctx: Context, result: BuildResult, started: float) -> None:
    ctx.reporter.final(fresh_line(time.monotonic() - started, result.bundle_dir))


def _walk(ctx: Context, *, mode: Literal["check", "explain", "execute"]) -> BuildResult:
    """Plan each stage in order. execute: run the stale ones; check: stop at the first stale
    one; explain: record every stage's verdict and run nothing."""
    execute = mode == "execute"
    lines: list[tuple[str, str]] = []
    ran: list[str] = []
    stages: list[StageStatus] = []

    def settle(plan: StagePlan, detail: str = "") -> bool:
        """True when the stage must run now."""
        fresh = plan.up_to_date
        if not fresh and mode == "check":
            raise _NeedsRun(plan.name)  # before reason(): it may diff 100,000 files
        reason = "" if fresh else plan.reason()  # once, for the same reason
        stages.append(StageStatus(plan.name, fresh, reason, detail, plan.key))
        if fresh:
            lines.append((plan.name, detail))
            if execute:
                ctx.reporter.up_to_date(plan.name, detail)
                ctx.reporter.key(plan.name, plan.key)
            return False
        if mode == "explain":
            return False
        ctx.reporter.runs(plan.name, reason)
        ctx.reporter.key(plan.name, plan.key)
        ctx.stamps.clear(plan.name)
        return True

    render = plan_render(ctx)
    if render is not None and settle(render):
        start = time.monotonic()
        detail = run_render(ctx, render)
        ctx.forget_scans()
        ctx.stamps.write("render", render.key, render.stamp_info())
        ctx.reporter.done("render", time.monotonic() - start, detail)
        ran.append("render")

    package = checked_package_json(ctx.config)
    node, toolchain = plan_node(ctx, package)
    stages.append(StageStatus("node", node.up_to_date, "" if node.up_to_date else node.reason(),
                              describe_toolchain(toolchain), node.key))
    if not node.up_to_date and mode != "explain":
        if mode == "check":
            raise _NeedsRun("node")
        ctx.stamps.write("node", node.key, node.stamp_info())
        ctx.reporter.stage_note("node", f"{describe_toolchain(toolchain)} ({node.reason()})")
    else:
        lines.append(("node", describe_toolchain(toolchain)))
        if execute:
            ctx.reporter.up_to_date("node", describe_toolchain(toolchain))

    install, manager = plan_install(ctx, node.key, package)
    script = ctx.config.webapp.post_install_script
    early: tuple[StagePlan, Manifest, str, StagePlan, Manifest | None] | None = None
    if execute:
        # Plan build and bundle before anything runs: a bundle built before for these very
        # inputs is restored from the cache, and then neither npm install nor the build runs.
        build_plan, manifest, output = plan_build(ctx, install.key, package)
        bundle, extra = plan_bundle(ctx, build_plan.key)
        early = (build_plan, manifest, output, bundle, extra)
        if not bundle.up_to_date and not ctx.force:
            restored = _restore_from_cache(ctx, install, build_plan, manifest, output, bundle,
                                           extra)
            if restored is not None:
                return BuildResult(bundle_dir=ctx.config.bundle_dir, bundle_key=bundle.key,
                                   toolchain=toolchain, ran=[restored], stages=stages,
                                   output=output)
    if settle(install, manager.name):
        start = time.monotonic()
        detail = run_install(ctx, toolchain, manager)
        ctx.reporter.done("install", time.monotonic() - start, detail)
        ran.append("install")
        if script:
            ctx.reporter.runs("post_install", "the install ran")
            start = time.monotonic()
            detail = run_post_install(ctx, toolchain)
            ctx.reporter.done("post_install", time.monotonic() - start, detail)
            ran.append("post_install")
        ctx.stamps.write("install", install.key, install.stamp_info())
        early = None  # post_install may have written sources: plan the build again
        ctx.forget_scans()
    elif script:
        lines.append(("post_install", script))
        if execute:
            ctx.reporter.up_to_date("post_install", script)

    if early is None:
        build_plan, manifest, output = plan_build(ctx, install.key, package)
    else:
        build_plan, manifest, output = early[:3]
    if settle(build_plan, f"{len(manifest.files)} source files"):
        start = time.monotonic()
        detail = run_build(ctx, toolchain, manager, output)
        save_manifest(ctx, "webapp", manifest)
        ctx.stamps.write("build", build_plan.key, build_plan.stamp_info())
        ctx.reporter.done("build", time.monotonic() - start, detail)
        ran.append("build")

    if early is None or early[0].key != build_plan.key:
        bundle, extra = plan_bundle(ctx, build_plan.key)
    else:
        bundle, extra = early[3:]
    if settle(bundle, str(ctx.config.bundle_dir)):
        start = time.monotonic()
        detail = run_bundle(ctx, output)
        if extra is not None:
            save_manifest(ctx, "extra", extra)
        ctx.stamps.write("bundle", bundle.key, bundle.stamp_info())
        ctx.reporter.done("bundle", time.monotonic() - start, detail)
        ran.append("bundle")
        _store_in_cache(ctx, bundle.key, build_plan.key, output)

    if mode == "check":
        for name, detail in lines:
            ctx.reporter.up_to_date(name, detail)
    return BuildResult(
        bundle_dir=ctx.config.bundle_dir,
        bundle_key=bundle.key,
        toolchain=toolchain,
        ran=ran,
        stages=stages,
        lines=lines,
        output=output,
    )


def _restore_from_cache(
    ctx: Context,
    install: StagePlan,
    build_plan: StagePlan,
    manifest: Manifest,
    output: str,
    bundle: StagePlan,
    extra: Manifest | None,
) -> str | None:
    """Restore the bundle and build output kept for `bundle.key` (local cache, else the
    remote one); what ran (for the final line) on success, None when nothing was restored."""
    from buildtools.build import cache

    config = ctx.config
    if not config.cache.enabled:
        return None
    start = time.monotonic()
    entry = cache.lookup(config, bundle.key)
    where = "cache"
    if entry is None and config.cache.remote_url:
        from buildtools.build import remote_cache

        entry = remote_cache.fetch(config, bundle.key, ctx.reporter, ctx.environ)
        where = "remote cache"
    if entry is None or entry.meta.get("output") != output:
        return None
    ctx.stamps.clear("build")
    ctx.stamps.clear("bundle")
    if not cache.restore(entry, config.bundle_dir, config.webapp.source / output):
        return None
    save_manifest(ctx, "webapp", manifest)
    if extra is not None:
        save_manifest(ctx, "extra", extra)
    ctx.stamps.write("build", build_plan.key, build_plan.stamp_info(restored=entry.key))
    ctx.stamps.write("bundle", bundle.key, bundle.stamp_info(restored=entry.key))
    if not install.up_to_date:
        ctx.reporter.stage_note(
            "install",
            f"not run now: the build comes from the {where} "
            "(the next build installs node_modules, and builds nothing)",
        )
    restored = f"{config.webapp.source.name}/{output}/"
    ctx.reporter.stage_note("build", f"restored from {where}: {restored}")
    ctx.reporter.done("bundle", time.monotonic() - start, f"restored from {where}")
    return f"bundle (restored from {where})"


def _store_in_cache(ctx: Context, bundle_key: str, build_key: str, output: str) -> None:
    """Keep the bundle just made (and its build output) in the cache; upload it when a remote
    cache is configured. A cache that cannot be written costs a warning, never the build."""
    from buildtools.build import cache

    config = ctx.config
    if not config.cache.enabled:
        return
    try:
        entry = cache.store(config, bundle_key, bundle=config.bundle_dir,
                            output=config.webapp.source / output, output_name=output,
                            build_key=build_key)
        cache.prune(config)
    except OSError as exc:
        ctx.reporter.warn(f"could not write the build cache {config.cache.dir}: {exc}")
        return
    if entry is not None and config.cache.remote_url:
        from buildtools.build import remote_cache

        remote_cache.upload(config, entry, ctx.reporter, ctx.environ)
