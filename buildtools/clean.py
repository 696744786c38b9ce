"""`buildtools clean`: remove what the build made.

- default: the outputs: the deploy folder (dist/: the bundle and every architect's artifact)
  and the bundler's output folder in the webapp (webapp/dist/). The next build reruns the
  build and bundle stages (their outputs are missing) but not the install.
- --all: also node_modules, the state folder (.buildtools/: stamps, stat caches), doit's
  .doit.db files and the build cache (config [cache] dir).
- --cache: only the build cache.

A folder is removed only when it lies inside the project (the cache: anywhere but the project,
the home folder, or a parent of either); anything else is skipped with a warning.
"""

from __future__ import annotations

import contextlib
import importlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from buildtools.config import Config
from buildtools.errors import UserError


@dataclass
class CleanResult:
    removed: list[tuple[str, Path]] = field(default_factory=list)  # (what, path)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (path, why)
    notes: list[str] = field(default_factory=list)


def clean(config: Config, *, everything: bool = False, cache_only: bool = False) -> CleanResult:
    result = CleanResult()
    if not cache_only:
        _remove(result, "deploy output", config.deploy.out, config, inside_project=True)
        output = _webapp_output(config)
        if output is not None:
            _remove(result, "build output", output, config, inside_project=True)
    if everything:
        _remove(result, "node_modules", config.webapp.source / "node_modules", config,
                inside_project=True)
        _remove(result, "state", config.state_dir, config, inside_project=True)
        for db in sorted(config.root.glob(".doit.db*")):
            _remove(result, "doit database", db, config, inside_project=True)
    if everything or cache_only:
        _clear_cache(result, config)
    return result


def _webapp_output(config: Config) -> Path | None:
    """The bundler's output folder (webapp/dist), when package.json can tell it."""
    from buildtools.webapp import checked_package_json, output_folder

    try:
        package = checked_package_json(config)
        return config.webapp.source / output_folder(config, package)
    except UserError:
        if config.webapp.output:
            return config.webapp.source / config.webapp.output
        return None


def _clear_cache(result: CleanResult, config: Config) -> None:
    """Use the cache module's own clear() when it has one; else remove the cache folder."""
    clear = _cache_clear_function()
    if clear is not None:
        clear(config)
        result.removed.append(("build cache", config.cache.dir))
        return
    _remove(result, "build cache", config.cache.dir, config, inside_project=False)


def _cache_clear_function() -> Callable[[Config], object] | None:
    try:
        module = importlib.import_module("buildtools.cache")
    except ModuleNotFoundError:
        return None
    clear = getattr(module, "clear", None)
    return clear if callable(clear) else None


def _remove(result: CleanResult, what: str, path: Path, config: Config, *,
            inside_project: bool) -> None:
    if not (path.exists() or path.is_symlink()):
        return
    why = _unsafe(path, config, inside_project)
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


def _unsafe(path: Path, config: Config, inside_project: bool) -> str:
    """Why `path` must not be removed, or ""."""
    target = path.resolve() if not path.is_symlink() else path.parent.resolve() / path.name
    root = config.root.resolve()
    protected = {root, config.webapp.source.resolve(), Path.home().resolve()}
    if target in protected or target == Path(target.anchor):
        return "it is the project, the webapp, the home folder or the filesystem root"
    if any(target in other.parents for other in protected):
        return "it holds the project or the home folder"
    if inside_project and root not in target.parents:
        return f"it lies outside the project {root}; remove it yourself if you mean to"
    return ""
