"""One loop over the stages in order; what happens to a stale stage is the policy's choice.

- CHECK stops at the first stale stage: the cheapest answer to "is everything up to date?";
- EXPLAIN plans every stage and records each verdict with its reason, running nothing;
- EXECUTE runs each stale stage, and first tries to restore the whole build from the cache.

The verdict (up to date, or why it must run) always comes from the stage's StagePlan.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from buildtools.core.cache.reuse import restore_bundle, restore_output, store_in_cache
from buildtools.core.context import Context, display, save_manifest
from buildtools.core.freshness import StagePlan
from buildtools.core.policies import BuildResult, Policy, StageStatus, Stale, report_failure
from buildtools.core.stages.build import (
    drop_early_build,
    plan_build,
    plan_extra_build,
    run_build_script,
)
from buildtools.core.stages.bundle import plan_bundle, run_bundle
from buildtools.core.stages.install import plan_install, run_install, run_post_install
from buildtools.core.stages.node import describe_toolchain, plan_node
from buildtools.core.stages.page import plan_page
from buildtools.core.stages.render import plan_render, run_render
from buildtools.core.webapp import checked_package_json
from buildtools.fingerprint.scan import Manifest
from buildtools.node.packagemanager import PackageManager
from buildtools.node.toolchain import Toolchain


@dataclass
class Walk:
    """What one pass over the stages has learned so far."""

    ctx: Context
    policy: Policy
    package: dict[str, Any] = field(default_factory=dict)
    toolchain: Toolchain | None = None
    manager: PackageManager | None = None
    node_key: str = ""
    install: StagePlan | None = None
    build: tuple[StagePlan, Manifest, str] | None = None
    bundle: tuple[StagePlan, Manifest | None] | None = None
    ran: list[str] = field(default_factory=list)
    stages: list[StageStatus] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)
    finished: bool = False  # the cache restored the build: nothing further to do
    running: tuple[str, float] | None = None  # the stage said to run, and since when
    seconds: float = 0.0  # what the stages that ran took, together

    def settle(self, plan: StagePlan, detail: str = "") -> bool:
        """Record the stage's verdict; True when the stage must run now."""
        fresh = plan.up_to_date
        if not fresh and self.policy.stops_at_stale:
            raise Stale(plan.name)  # before reason(): it may diff 100,000 files
        reason = "" if fresh else plan.reason()
        self.stages.append(StageStatus(plan.name, fresh, reason, detail, plan.key))
        reporter = self.ctx.reporter
        if fresh:
            self.lines.append((plan.name, detail))
            if self.policy.reports:
                reporter.up_to_date(plan.name, detail)
                reporter.key(plan.name, plan.key)
            return False
        if not self.policy.runs_stale:
            return False
        reporter.runs(plan.name, reason)
        self.running = (plan.name, time.monotonic())
        reporter.key(plan.name, plan.key)
        self.ctx.stamps.clear(plan.name)
        return True

    def ran_stage(self, name: str, started: float, detail: str) -> None:
        self.running, took = None, time.monotonic() - started
        self.seconds += took
        self.ctx.reporter.done(name, took, detail)
        self.ran.append(name)


def _render(walk: Walk) -> None:
    ctx = walk.ctx
    plan = plan_render(ctx)
    if plan is not None and walk.settle(plan):
        started = time.monotonic()
        detail = run_render(ctx, plan)
        ctx.forget_scans()
        ctx.stamps.write("render", plan.key, plan.stamp_info())
        walk.ran_stage("render", started, detail)


def _node(walk: Walk) -> None:
    """The toolchain never "runs": a new one is noted, and its stamp written, as it is found."""
    ctx = walk.ctx
    walk.package = {} if ctx.config.webapp.page else checked_package_json(ctx.config, ctx.reads)
    plan, walk.toolchain = plan_node(ctx, walk.package)
    walk.node_key = plan.key
    detail = describe_toolchain(walk.toolchain)
    if plan.up_to_date or not walk.policy.runs_stale:
        walk.settle(plan, detail)
        return
    walk.stages.append(StageStatus("node", False, plan.reason(), detail, plan.key))
    ctx.stamps.write("node", plan.key, plan.stamp_info())
    ctx.reporter.stage_note("node", f"{detail} ({plan.reason()})")


def _plan_build(walk: Walk) -> tuple[StagePlan, Manifest, str]:
    if walk.ctx.config.webapp.page is not None:
        if walk.build is None:
            walk.build = plan_page(walk.ctx)
        return walk.build
    assert walk.install is not None
    if walk.build is None or walk.build[0].inputs["install"] != walk.install.key:
        walk.build = plan_build(walk.ctx, walk.install.key, walk.package)
    return walk.build


def _extra_builds(walk: Walk, build_plan: StagePlan, output: str) -> list[StagePlan]:
    """The extra build commands' plans, each chained on the one before."""
    plans: list[StagePlan] = []
    key = build_plan.key
    for command in walk.ctx.config.webapp.extra_build_commands:
        plans.append(plan_extra_build(walk.ctx, command, key, output))
        key = plans[-1].key
    return plans


def _last_build_key(walk: Walk) -> str:
    """What the bundle is made from: the build, and the extra builds after it."""
    build_plan, _, output = _plan_build(walk)
    extra = _extra_builds(walk, build_plan, output)
    return extra[-1].key if extra else build_plan.key


def _plan_bundle(walk: Walk, build_key: str) -> tuple[StagePlan, Manifest | None]:
    if walk.bundle is None or walk.bundle[0].inputs["build"] != build_key:
        walk.bundle = plan_bundle(walk.ctx, build_key)
    return walk.bundle


def _install(walk: Walk) -> None:
    ctx = walk.ctx
    assert walk.toolchain is not None
    if ctx.config.webapp.page is not None:
        return  # a page: nothing to install
    walk.install, walk.manager = plan_install(ctx, walk.node_key, walk.package)
    if walk.policy.restores and not ctx.force and _restored(walk):
        return
    if not walk.install.up_to_date and not ctx.force and _built_for_these_inputs(walk):
        _install_not_needed(walk)
        return
    script = ctx.config.webapp.post_install_script
    if walk.settle(walk.install, walk.manager.name):
        started = time.monotonic()
        detail = run_install(ctx, walk.toolchain, walk.manager)
        walk.ran_stage("install", started, detail)
        if script:
            ctx.reporter.runs("post_install", "the install ran")
            walk.running = ("post_install", time.monotonic())
            started = time.monotonic()
            detail = run_post_install(ctx, walk.toolchain)
            walk.ran_stage("post_install", started, detail)
        walk.build = walk.bundle = None  # post_install may have written sources: plan again
        ctx.forget_scans()
        # The stamp holds the key of the files as the install left them: npm rewrites the
        # lockfile it found out of sync (or writes one), a post_install_script may edit them
        walk.package = checked_package_json(ctx.config)
        walk.install, walk.manager = plan_install(ctx, walk.node_key, walk.package)
        ctx.stamps.write("install", walk.install.key, walk.install.stamp_info())
    elif script:
        walk.lines.append(("post_install", script))
        if walk.policy.reports:
            ctx.reporter.up_to_date("post_install", script)


def _built_for_these_inputs(walk: Walk) -> bool:
    """True when the build (and extra builds) are up to date: their keys hold the install key, so
    the output was made from this very install. node_modules is then needed by no stage (the
    bundle stage only copies; it may be gone after a restore or `rm -rf`): npm runs if a build
    must."""
    build_plan, _, output = _plan_build(walk)
    if not build_plan.up_to_date:
        return False
    return all(plan.up_to_date for plan in _extra_builds(walk, build_plan, output))


def _install_not_needed(walk: Walk) -> None:
    assert walk.install is not None
    detail = "not needed: the build is up to date for these packages"
    walk.stages.append(StageStatus("install", True, "", detail, walk.install.key))
    walk.lines.append(("install", detail))
    if walk.policy.reports:
        walk.ctx.reporter.up_to_date("install", detail)


def _restored(walk: Walk) -> bool:
    """A build made before from these very inputs comes back from the cache, and its bundle
    when the task settings are the same: no npm runs."""
    assert walk.install is not None and walk.toolchain is not None
    build_plan, manifest, output = _plan_build(walk)
    if _plan_bundle(walk, _last_build_key(walk))[0].up_to_date or _built_for_these_inputs(walk):
        return False  # nothing to restore, or only the bundle to make
    restored = restore_output(walk.ctx, build_plan, manifest, output)
    if restored is None:
        return False
    drop_early_build()
    walk.build = walk.bundle = None  # plan again: the build stamps are fresh now
    bundle, extra = _plan_bundle(walk, _last_build_key(walk))
    what, walk.finished = restore_bundle(walk.ctx, restored, walk.install, bundle, extra)
    walk.ran.append(what)
    return True


def _build_and_extras(walk: Walk) -> None:
    """The build stage (`npm run <build_command>`, or the page, which needs none), then each
    extra build chained on it: each settled, and run when stale."""
    ctx = walk.ctx
    plan, manifest, output = _plan_build(walk)
    if ctx.config.webapp.page is not None:
        page = ctx.config.webapp.page.name
        if walk.settle(plan, page):  # nothing to run: the page is its own build
            ctx.stamps.write("page", plan.key, plan.stamp_info())
            walk.ran_stage("page", time.monotonic(), f"{page}, no npm")
        return
    assert walk.toolchain is not None and walk.manager is not None
    if walk.settle(plan, f"{len(manifest)} source files"):
        started = time.monotonic()
        built = run_build_script(ctx, walk.toolchain, walk.manager, output, first=not walk.ran)
        save_manifest(ctx, "webapp", manifest)
        plan = built.stamp(ctx, plan, manifest)
        walk.build = (plan, manifest, output)
        walk.ran_stage("build", started, built.detail)
    key = plan.key
    for command in ctx.config.webapp.extra_build_commands:  # each chained on the one before
        extra = plan_extra_build(ctx, command, key, output)
        key = extra.key
        if walk.settle(extra, f"npm run {command}"):
            started = time.monotonic()
            built = run_build_script(ctx, walk.toolchain, walk.manager, output, command)
            key = built.stamp(ctx, extra, manifest).key
            walk.ran_stage(extra.name, started, built.detail)


def _bundle(walk: Walk) -> None:
    ctx = walk.ctx
    build_plan, _, output = _plan_build(walk)
    plan, extra = _plan_bundle(walk, _last_build_key(walk))
    if walk.settle(plan, display(ctx.config, ctx.config.bundle_dir)):
        started = time.monotonic()
        detail = run_bundle(ctx, output)
        if extra is not None:
            save_manifest(ctx, "extra", extra)
        ctx.stamps.write("bundle", plan.key, plan.stamp_info())
        walk.ran_stage("bundle", started, detail)
        if ctx.config.webapp.page is None:  # a page's "output" is the folder it lies in
            store_in_cache(ctx, plan.key, output, build_plan,
                           _extra_builds(walk, build_plan, output))


STEPS: tuple[Callable[[Walk], None], ...] = (_render, _node, _install, _build_and_extras, _bundle)


def walk(ctx: Context, policy: Policy) -> BuildResult:
    """Settle every stage in order under `policy`."""
    state = Walk(ctx, policy)
    try:
        for step in STEPS:
            step(state)
            if state.finished:
                break
    except BaseException as exc:
        report_failure(ctx.reporter, state.running, exc)
        raise
    assert state.toolchain is not None and state.build is not None and state.bundle is not None
    return BuildResult(
        bundle_dir=ctx.config.bundle_dir,
        bundle_key=state.bundle[0].key,
        toolchain=state.toolchain,
        ran=state.ran,
        stages=state.stages,
        lines=state.lines,
        output=state.build[2],
        stage_seconds=state.seconds,
    )
