"""`deploy`: build what is stale, package each architect's artifact, then put it online.

For each architect a stage `package/<name>` is keyed on the bundle key, the architect's
settings, the Node major version and its templates. When stale (or its folder or archive is
missing) it writes `dist/<name>/` through a staging folder and `dist/<name>.tar.gz` atomically,
so a failure leaves the last good artifact. Then the architect's publish step runs when its
target is set (heroku app, ec2 host), keyed in turn as `publish/<name>`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from buildtools.config.load import Config
from buildtools.config.tables import OUT_NAMES
from buildtools.core.events import NullReporter, Reporter
from buildtools.core.freshness import StagePlan, StampStore
from buildtools.core.pipeline import run_stale_stages
from buildtools.deploy import architects as registry
from buildtools.deploy.architects import Architect, PackageContext
from buildtools.deploy.architects.shell import shell_key
from buildtools.deploy.offload import offload_of, publish_assets
from buildtools.errors import UserError
from buildtools.util import atomic
from buildtools.util.archive import write_archive
from buildtools.util.ignored import make_output_dir
from buildtools.util.lock import project_lock
from buildtools.util.paths import shown as display


def check_ready(config: Config, requested: Sequence[str] | None) -> list[str]:
    """The architects to package, after the checks that need no build."""
    names = registry.resolve(config.deploy.architects if requested is None else requested)
    if not names and config.path.suffix in (".yaml", ".yml"):
        raise UserError(
            f"{config.display_name}: the task's architect (mock) is deployed by Mephisto "
            "itself, there is nothing to package; name one (`doit deploy local`) or set "
            "deploy: architects in buildtools.yaml"
        )
    if not names:
        raise UserError(
            "no architect to deploy; list some in [deploy] architects "
            f"(known: {', '.join(registry.names())})"
        )
    missing = config.missing_task_keys()
    if missing:
        raise UserError(
            f"{config.display_name}: [task] is missing {', '.join(missing)}; deploy writes "
            "them into task_config.json, set them first"
        )
    return names


def deploy(
    config: Config,
    architects: Sequence[str] | None = None,
    *,
    force: bool = False,
    reporter: Reporter | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Path]:
    """Build, package every requested architect, publish; returns name -> artifact folder."""
    names = check_ready(config, architects)
    reporter = reporter or NullReporter()
    environ = dict(os.environ if environ is None else environ)

    result = run_stale_stages(config, force=force, reporter=reporter, environ=environ)
    return package(
        config,
        names,
        bundle_dir=result.bundle_dir,
        bundle_key=result.bundle_key,
        node_version=result.toolchain.node_version,
        force=force,
        reporter=reporter,
        environ=environ,
    )


def package(
    config: Config,
    names: Sequence[str],
    *,
    bundle_dir: Path,
    bundle_key: str,
    node_version: str,
    force: bool = False,
    reporter: Reporter | None = None,
    environ: Mapping[str, str] | None = None,
    publish: bool = True,
) -> dict[str, Path]:
    """Package (and with publish, put online) the named architects from a built bundle."""
    chosen = registry.resolve(names)
    ctx = PackageContext(
        config=config,
        bundle_dir=bundle_dir,
        bundle_key=bundle_key,
        node_version=node_version,
        reporter=reporter or NullReporter(),
        environ=dict(os.environ if environ is None else environ),
        offload=offload_of(config),
    )
    if not bundle_dir.is_dir():
        raise UserError(f"there is no bundle {bundle_dir}; run the build first")
    stamps = StampStore(config.state_dir)
    make_output_dir(config.deploy.out, OUT_NAMES)
    done: dict[str, tuple[Path, str, bool]] = {}
    with project_lock(config.state_dir, ctx.reporter.info):
        for name in chosen:
            done[name] = _package_one(ctx, registry.get(name), stamps, force=force)
    if publish and ctx.offload is not None:
        publish_assets(config, ctx.offload, stamps, reporter=ctx.reporter, environ=ctx.environ,
                       force=force)
    if publish:
        for name, (folder, key, packaged) in done.items():
            _publish_one(ctx, registry.get(name), stamps, folder, key, packaged, force)
    return {name: folder for name, (folder, _key, _packaged) in done.items()}


def artifact_paths(config: Config, name: str) -> tuple[Path, Path]:
    out = config.deploy.out
    return out / name, out / f"{name}.tar.gz"


def _package_one(
    ctx: PackageContext, architect: Architect, stamps: StampStore, *, force: bool
) -> tuple[Path, str, bool]:
    """(artifact folder, package key, whether it was packaged now)"""
    name = architect.name
    folder, archive = artifact_paths(ctx.config, name)
    _remove_leftovers(folder, archive)
    missing = ""
    if not folder.is_dir():
        missing = str(folder)
    elif not archive.is_file():
        missing = str(archive)
    stage = f"package/{name}"
    plan = StagePlan(
        name=stage,
        inputs={
            "bundle": ctx.bundle_key,
            "settings": architect.settings(ctx.config),
            "node_major": ctx.node_major,
            "templates": architect.template_key(),
            "shell": shell_key(ctx.config),
            "assets": {"access": ctx.config.assets.access,
                       "offload": ctx.offload.base_url if ctx.offload else False},
        },
        stamp=stamps.read(stage),
        force=force,
        missing_output=missing,
    )
    if plan.up_to_date:
        ctx.reporter.up_to_date(stage, display(folder, ctx.config.root))
        return folder, plan.key, False
    ctx.reporter.runs(stage, plan.reason())
    stamps.clear(stage)
    started = time.monotonic()
    staging = atomic.staging_dir(folder)
    try:
        architect.write(ctx, staging)
        detail = architect.check(ctx, staging)
        write_archive(staging, archive, name, environ=ctx.environ)
        _carry_over(architect.kept, folder, staging)
        atomic.replace_dir(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    stamps.write(stage, plan.key, plan.stamp_info())
    shown = display(folder, ctx.config.root)
    ctx.reporter.done(stage, time.monotonic() - started, f"{shown} ({detail})")
    return folder, plan.key, True


def _publish_one(
    ctx: PackageContext,
    architect: Architect,
    stamps: StampStore,
    folder: Path,
    package_key: str,
    packaged: bool,
    force: bool,
) -> None:
    target = architect.publish_target(ctx.config)
    if not target:
        if packaged:
            ctx.reporter.info(f"{architect.name}: {architect.hint(ctx, folder)}")
        return
    stage = f"publish/{architect.name}"
    plan = StagePlan(
        name=stage,
        inputs={"package": package_key, "target": target},
        stamp=stamps.read(stage),
        force=force,
    )
    why = plan.reason() if not plan.up_to_date else architect.published_drift(ctx, folder)
    if not why:
        ctx.reporter.up_to_date(stage, f"{target} has this artifact")
        return
    ctx.reporter.runs(stage, why)
    stamps.clear(stage)
    started = time.monotonic()
    detail = architect.publish(ctx, folder)
    stamps.write(stage, plan.key, plan.stamp_info())
    ctx.reporter.done(stage, time.monotonic() - started, detail)


def _carry_over(names: Sequence[str], old: Path, new: Path) -> None:
    """Move the user's own entries (heroku's .git: its remote and history) from the last
    artifact folder into the new one, the last step before the swap; they are in neither the
    key nor the archive."""
    for entry in names:
        if (old / entry).exists() and not (new / entry).exists():
            os.replace(old / entry, new / entry)


def _remove_leftovers(folder: Path, archive: Path) -> None:
    """Staging folders and temporary archives of runs that were killed."""
    parent = folder.parent
    if not parent.is_dir():
        return
    for path in [*parent.glob(f".{folder.name}.tmp-*"), *parent.glob(f".{folder.name}.old-*")]:
        shutil.rmtree(path, ignore_errors=True)
    for path in parent.glob(f".{archive.name}.*.tmp"):
        with contextlib.suppress(OSError):
            path.unlink()
