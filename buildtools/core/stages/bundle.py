"""bundle: the build output plus extra_source_dir and task_config.json, staged then renamed."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from buildtools.assets.output_check import PUBLIC_FOLDERS, check_links, check_secrets
from buildtools.config.model import Config
from buildtools.config.tables import OUT_NAMES
from buildtools.core.context import Context, display
from buildtools.core.freshness import StagePlan
from buildtools.core.stages.page import page_files
from buildtools.errors import UserError, unreadable, unwritable
from buildtools.fingerprint.manifest import Manifest, diff
from buildtools.util import atomic
from buildtools.util.diskfull import full_disk
from buildtools.util.ignored import make_output_dir


def plan_bundle(ctx: Context, build_key: str) -> tuple[StagePlan, Manifest | None]:
    config = ctx.config
    extra: Manifest | None = None
    if config.webapp.extra_source_dir is not None:
        extra = ctx.scan("extra", config.webapp.extra_source_dir, use_gitignore=False)
    plan = StagePlan(
        name="bundle",
        inputs={
            "build": build_key,
            "extra_source_dir": extra.digest if extra else None,
            "allow": list(config.webapp.extra_source_allow),
            "output_allow": list(config.webapp.output_allow),
            "task_config": config.task,
        },
        stamp=ctx.stamps.read("bundle"),
        force=ctx.force,
        missing_output="" if ctx.reads.present(config.bundle_dir) else display(config,
                                                                            config.bundle_dir),
        explain={"extra_source_dir": _extra_explainer(ctx, extra)},
    )
    return plan, extra


def _extra_explainer(ctx: Context, extra: Manifest | None) -> Any:
    def explain(old: Any, new: Any) -> str:
        if extra is None:
            return "extra_source_dir changed"
        changes = diff(ctx.saved_manifest("extra"), extra.files)
        return f"extra_source_dir {changes.summary()}" if changes else "extra_source_dir changed"

    return explain


def _check_links(config: Config, build_dir: Path) -> None:
    """No symlink out of the project in the build output, nor in the public folder the bundler
    copied into it (following the links)."""
    inside = (config.root, config.webapp.source)
    for name in PUBLIC_FOLDERS:
        public = config.webapp.source / name
        check_links(public, inside, display(config, public))
    check_links(build_dir, inside, display(config, build_dir))


def run_bundle(ctx: Context, output: str) -> str:
    from buildtools.assets.upload import collect_assets, copy_assets

    config = ctx.config
    build_dir = config.webapp.source / output
    assets = (
        collect_assets(config.webapp.extra_source_dir, config.webapp.extra_source_allow)
        if config.webapp.extra_source_dir is not None
        else {}
    )
    try:
        make_output_dir(config.deploy.out, OUT_NAMES)
        staging = atomic.staging_dir(config.bundle_dir)
    except OSError as exc:
        raise unwritable(config.bundle_dir.parent, exc) from None
    try:
        if config.webapp.page is None:
            _check_links(config, build_dir)
            shutil.copytree(build_dir, staging, dirs_exist_ok=True, symlinks=False)
        else:
            for name, path in page_files(ctx, set(assets)).items():
                shutil.copyfile(path, staging / name)
        build_files = {
            path.relative_to(staging).as_posix() for path in staging.rglob("*") if path.is_file()
        }
        public = config.webapp.source / PUBLIC_FOLDERS[0]
        check_secrets(build_files, config.webapp.output_allow, display(config, build_dir),
                      public, display(config, public))
        extra = config.webapp.extra_source_dir
        copy_assets(assets, staging, build_files, display(config, build_dir),
                    f"{extra.name}/" if extra is not None else "")
        if "task_config.json" in build_files or "task_config.json" in assets:
            raise UserError(
                "task_config.json is written by buildtools from [task]; remove the file of that "
                "name from the build output or extra_source_dir"
            )
        atomic.write_json(staging / "task_config.json", config.task)
        atomic.replace_dir(staging, config.bundle_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        full = full_disk(exc)
        if full is not None:
            raise full from None
        where = Path(exc.filename) if exc.filename else config.bundle_dir
        if where.is_relative_to(config.bundle_dir.parent):
            raise unwritable(config.bundle_dir.parent, exc) from None
        raise unreadable(where, exc) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    count = len(build_files) + len(assets) + 1
    return f"{count} files in {display(config, config.bundle_dir)}/"

