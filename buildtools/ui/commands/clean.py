"""`buildtools clean`: remove what the build made.

- default: the outputs: the deploy folder (dist/: the bundle and every architect's artifact)
  and the bundler's output folder in the webapp (webapp/dist/). The next build reruns the
  build and bundle stages (their outputs are missing) but not the install.
- --all: also node_modules, the state folder (.buildtools/: stamps, stat caches, doit's
  database; the .doit.db files older versions left in the project) and this project's entries
  of the build cache (the ones its state folder says it stored or restored: the cache, config
  [cache] dir, is shared by every project of the user; the others are kept, and counted).
- --cache: the whole build cache, every project's (buildtools.core.cache.pruning.clear).

A folder is removed only when it lies inside the project and is neither the project nor the
webapp folder; anything else is skipped with a warning.
"""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from buildtools.config.load import Config
from buildtools.core.cache import pruning
from buildtools.core.cache.ownership import project_keys
from buildtools.core.webapp import checked_package_json, output_folder
from buildtools.errors import UserError
from buildtools.ui.common import config_here, terminal_reporter
from buildtools.util.paths import shown


@dataclass
class CleanResult:
    removed: list[tuple[str, Path]] = field(default_factory=list)  # (what, path)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (path, why)
    others_kept: int = 0  # build cache entries of other projects that --all left


def clean(config: Config, *, everything: bool = False, cache_only: bool = False) -> CleanResult:
    result = CleanResult()
    if not cache_only:
        _remove(result, "deploy output", config.deploy.out, config)
        output = _webapp_output(config)
        if output is not None:
            _remove(result, "build output", output, config)
    if everything:
        _clear_project_entries(result, config)  # before the state folder that names them
        _remove(result, "node_modules", config.webapp.source / "node_modules", config)
        _remove(result, "state", config.state_dir, config)
        for db in sorted(config.root.glob(".doit.db*")):
            _remove(result, "doit database", db, config)
    if cache_only:
        _clear_cache(result, config)
    return result


def _webapp_output(config: Config) -> Path | None:
    """The bundler's output folder (webapp/dist), when package.json can tell it."""
    try:
        package = checked_package_json(config)
        return config.webapp.source / output_folder(config, package)
    except UserError:
        if config.webapp.output:
            return config.webapp.source / config.webapp.output
        return None


def _clear_cache(result: CleanResult, config: Config) -> None:
    """Delete every entry of the build cache (safely for runs that use it meanwhile)."""
    count = pruning.clear(config)
    if count:
        result.removed.append((f"build cache, {count} entr{'y' if count == 1 else 'ies'}",
                               config.cache.dir))


def _clear_project_entries(result: CleanResult, config: Config) -> None:
    removed, result.others_kept = pruning.remove_keys(config, project_keys(config.state_dir))
    if removed:
        result.removed.append((f"build cache, {removed} entr{'y' if removed == 1 else 'ies'} "
                               "of this project", config.cache.dir))


def _remove(result: CleanResult, what: str, path: Path, config: Config) -> None:
    if not (path.exists() or path.is_symlink()):
        return
    why = _unsafe(path, config)
    if why:
        result.skipped.append((path, why))
        return
    try:
        if path.is_symlink() or not path.is_dir():
            path.unlink()
        else:
            _rmtree(path)
    except OSError as exc:
        raise UserError(f"cannot remove {path}: {exc.strerror or exc}") from None
    result.removed.append((what, path))


def _rmtree(path: Path) -> None:
    # Rename first, so that an interrupted removal never leaves a half-deleted output in place.
    doomed = path.with_name(f".{path.name}.removing")
    with contextlib.suppress(OSError):
        shutil.rmtree(doomed)
    try:
        path.rename(doomed)
    except OSError:
        doomed = path
    shutil.rmtree(doomed)


def _unsafe(path: Path, config: Config) -> str:
    """Why `path` must not be removed, or ""."""
    target = path.resolve() if not path.is_symlink() else path.parent.resolve() / path.name
    root = config.root.resolve()
    protected = {root, config.webapp.source.resolve(), Path.home().resolve()}
    if target in protected or target == Path(target.anchor):
        return "it is the project, the webapp, the home folder or the filesystem root"
    if any(target in other.parents for other in protected):
        return "it holds the project or the home folder"
    if root not in target.parents:
        return f"it lies outside the project {root}; remove it yourself if you mean to"
    return ""


def run_clean(everything: bool, cache_only: bool) -> None:
    config = config_here()
    reporter = terminal_reporter()
    result = clean(config, everything=everything, cache_only=cache_only)
    for what, path in result.removed:
        reporter.info(f"removed {shown(path, config.root)} ({what})")
    for path, why in result.skipped:
        reporter.warn(f"kept {path}: {why}")
    if result.others_kept:
        reporter.info(f"kept {result.others_kept} build cache entr"
                      f"{'y' if result.others_kept == 1 else 'ies'} of other projects in "
                      f"{config.cache.dir}; 'buildtools clean --cache' clears the whole cache")
    reporter.final("clean: nothing to remove" if not result.removed else
                   f"clean: removed {len(result.removed)} item"
                   f"{'s' if len(result.removed) != 1 else ''}")
