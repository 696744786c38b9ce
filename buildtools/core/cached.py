"""The build cache seen from the pipeline: restore a bundle built before for the same keys,
and keep each new bundle (local cache, then the remote one when configured)."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from buildtools.core import cache_owner
from buildtools.core.freshness import StagePlan
from buildtools.core.stages.context import Context, output_display, save_manifest
from buildtools.fingerprint.scan import Manifest

PRUNED_MARK = "pruned"  # in the cache folder; its mtime: when a build last pruned the cache
PRUNE_EVERY = 600  # seconds


def restore_from_cache(
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
    from buildtools.core import cache

    config = ctx.config
    if not config.cache.enabled:
        return None
    start = time.monotonic()
    entry = cache.lookup(config, bundle.key)
    where = "cache"
    if entry is None and config.cache.remote_url:
        from buildtools.core import remote_cache

        entry = remote_cache.fetch(config, bundle.key, ctx.reporter, ctx.environ)
        where = "remote cache"
    if entry is None or entry.meta.get("output") != output:
        return None
    ctx.stamps.clear("build")
    ctx.stamps.clear("bundle")
    if not cache.restore(entry, config.bundle_dir, config.webapp.source / output,
                         warn=ctx.reporter.warn):
        return None
    cache_owner.note_key(config.state_dir, entry.key)
    save_manifest(ctx, "webapp", manifest)
    if extra is not None:
        save_manifest(ctx, "extra", extra)
    ctx.stamps.write("build", build_plan.key, build_plan.stamp_info(restored=entry.key))
    ctx.stamps.write("bundle", bundle.key, bundle.stamp_info(restored=entry.key))
    if not install.up_to_date:
        ctx.reporter.stage_note(
            "install",
            f"not run now: the build comes from the {where} "
            "(npm installs when a build needs node_modules)",
        )
    restored = output_display(config, output)
    ctx.reporter.stage_note("build", f"restored from {where}: {restored}")
    ctx.reporter.done("bundle", time.monotonic() - start, f"restored from {where}")
    return f"bundle (restored from {where})"


def store_in_cache(ctx: Context, bundle_key: str, build_key: str, output: str) -> None:
    """Keep the bundle just made (and its build output) in the cache; upload it when a remote
    cache is configured. A cache that cannot be written costs a warning, never the build."""
    from buildtools.core import cache

    config = ctx.config
    if not config.cache.enabled:
        return
    try:
        entry = cache.store(config, bundle_key, bundle=config.bundle_dir,
                            output=config.webapp.source / output, output_name=output,
                            build_key=build_key)
        if prune_due(config.cache.dir):
            cache.prune(config)
            with contextlib.suppress(OSError):
                (config.cache.dir / PRUNED_MARK).touch()
    except OSError as exc:
        ctx.reporter.warn(f"could not write the build cache {config.cache.dir}: {exc}")
        return
    if entry is not None:
        cache_owner.note_key(config.state_dir, entry.key)
    if entry is not None and config.cache.remote_url:
        from buildtools.core import remote_cache

        remote_cache.upload(config, entry, ctx.reporter, ctx.environ)


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
