"""The build cache seen from the walk: restore a build output made before from the same
inputs, with its bundle when the task settings are the same too; keep each new one (local
cache, then the remote one when configured).

An entry's key has two parts (buildtools.core.cache.local.variant_key): the build's inputs
less the files it read besides the tree (buildtools.core.discovered_inputs.static_key, with
the extra build commands), then the hashes of those files. Its meta.json holds those files with
their hashes when it was made, for the build and each extra build: an entry is restored only
when every one of them holds the same bytes now. So a project that never built (a new clone,
after a clean) finds the entry of its sources, an edit of a file the build read outside the
tree is never answered with an output made before it, and going back to an earlier content of
that file restores the build made from it. The remote cache, which cannot list, keeps one
entry per inputs key: the last one uploaded.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

from buildtools.core import discovered_inputs as discovered
from buildtools.core.cache import ownership
from buildtools.core.context import Context, output_display, save_manifest
from buildtools.core.freshness import StagePlan, digest
from buildtools.core.stages.build import plan_extra_build, with_discovered
from buildtools.fingerprint.scan import Manifest

PRUNED_MARK = "pruned"  # in the cache folder; its mtime: when a build last pruned the cache
PRUNE_EVERY = 600  # seconds


def inputs_key(ctx: Context, build_plan: StagePlan) -> str:
    """The first part of the keys of the entries this build may restore."""
    return digest("cache", discovered.static_key(build_plan),
                  list(ctx.config.webapp.extra_build_commands))


def restore_output(ctx: Context, build_plan: StagePlan, manifest: Manifest,
                   output: str) -> tuple[Any, str] | None:
    """Put back the build output of an entry made from these inputs (local cache, else the
    remote one) and write the build stamps, as if the build and the extra builds had just
    run; (the entry, where it came from), or None when nothing was restored."""
    from buildtools.core.cache import local

    config = ctx.config
    if not config.cache.enabled:
        return None
    key = inputs_key(ctx, build_plan)
    found = _unchanged_variant(ctx, local.variants(config, key), output)
    where = "cache"
    if found is None and config.cache.remote_url:
        from buildtools.core.cache import remote

        fetched = remote.fetch(config, key, ctx.reporter, ctx.environ)
        found = _unchanged_variant(ctx, [fetched] if fetched is not None else [], output)
        where = "remote cache"
    if found is None:
        return None
    entry, read = found
    ctx.stamps.clear("build")
    if not local.restore(entry, None, config.webapp.source / output, warn=ctx.reporter.warn):
        return None
    ownership.note_key(config.state_dir, entry.key)
    save_manifest(ctx, "webapp", manifest)
    plan = with_discovered(build_plan, read.get("build") or {})
    ctx.stamps.write("build", plan.key, plan.stamp_info(restored=entry.key))
    key = plan.key
    for command in config.webapp.extra_build_commands:  # their output came back too
        extra = plan_extra_build(ctx, command, key, output)
        extra = with_discovered(extra, read.get(extra.name) or {})
        ctx.stamps.write(extra.name, extra.key, extra.stamp_info(restored=entry.key))
        key = extra.key
    ctx.reporter.stage_note("build", f"restored from {where}: {output_display(config, output)}")
    return entry, where


def _unchanged_variant(ctx: Context, candidates: list[Any], output: str
                       ) -> tuple[Any, dict[str, Any]] | None:
    """The first entry made for `output` whose files read besides the tree all hold the bytes
    they held then, with what it read; None when there is none."""
    for entry in candidates:
        read = entry.meta.get(discovered.KEY)
        if entry.meta.get("output") == output and isinstance(read, dict) and all(
                discovered.unchanged(ctx, found, output) for found in read.values()):
            return entry, read
    return None


def restore_bundle(ctx: Context, restored: tuple[Any, str], install: StagePlan,
                   bundle: StagePlan, extra: Manifest | None) -> tuple[str, bool]:
    """After restore_output: the entry's bundle too when it was made for `bundle.key` (the
    same task settings and extra_source_dir); (what ran, for the final line; True when the
    bundle came back too)."""
    from buildtools.core.cache import local

    entry, where = restored
    start = time.monotonic()
    if not install.up_to_date:
        ctx.reporter.stage_note(
            "install",
            f"not run now: the build comes from the {where} "
            "(npm installs when a build needs node_modules)",
        )
    output_only = f"build (restored from {where})", False
    if entry.meta.get("bundle_key") != bundle.key:
        return output_only
    ctx.stamps.clear("bundle")
    if not local.restore(entry, ctx.config.bundle_dir, None, warn=ctx.reporter.warn):
        return output_only
    if extra is not None:
        save_manifest(ctx, "extra", extra)
    ctx.stamps.write("bundle", bundle.key, bundle.stamp_info(restored=entry.key))
    ctx.cache_entry = entry
    ctx.reporter.done("bundle", time.monotonic() - start, f"restored from {where}")
    return f"bundle (restored from {where})", True


def store_in_cache(ctx: Context, bundle_key: str, output: str, build_plan: StagePlan,
                   extras: list[StagePlan]) -> None:
    """Keep the build output just made and its bundle in the cache, with what the build
    (`build_plan`) and the extra builds read; upload it when a remote cache is configured. A
    cache that cannot be written costs a warning, never the build."""
    from buildtools.core.cache import local, pruning

    config = ctx.config
    if not config.cache.enabled:
        return
    read = {plan.name: plan.inputs.get(discovered.KEY) or {} for plan in [build_plan, *extras]}
    try:
        key = local.variant_key(inputs_key(ctx, build_plan), digest(read))
        entry = local.store(config, key, bundle=config.bundle_dir,
                            output=config.webapp.source / output, output_name=output,
                            build_key=build_plan.key,
                            extra_meta={"bundle_key": bundle_key, discovered.KEY: read})
        if prune_due(config.cache.dir):
            pruning.prune(config)
            with contextlib.suppress(OSError):
                (config.cache.dir / PRUNED_MARK).touch()
    except OSError as exc:
        ctx.reporter.warn(f"could not write the build cache {config.cache.dir}: {exc}")
        return
    if entry is not None:
        ownership.note_key(config.state_dir, entry.key)
        if entry.meta.get("bundle_key") == bundle_key:  # else the entry holds another bundle
            ctx.cache_entry = entry
    if entry is not None and config.cache.remote_url:
        from buildtools.core.cache import remote

        remote.upload(config, entry, ctx.reporter, ctx.environ)


def prune_due(cache_dir: Path, *, now: float | None = None) -> bool:
    """True when a build last pruned the cache PRUNE_EVERY seconds ago or more (or never): a
    prune reads every entry's metadata (45 ms with 150 entries), which a build after each edit
    should not pay each time. The cache may then hold those minutes of builds beyond
    max_size_mb."""
    now = time.time() if now is None else now
    try:
        return now - (cache_dir / PRUNED_MARK).stat().st_mtime >= PRUNE_EVERY
    except OSError:
        return True
