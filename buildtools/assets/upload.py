"""Upload mode: copy extra_source_dir into the bundle root, refusing what must not be served."""

from __future__ import annotations

import fnmatch
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from buildtools.assets.secrets import is_secret_folder, looks_secret
from buildtools.errors import UserError

__all__ = ["collect_assets", "copy_assets", "looks_secret"]


def path_allowed(relative: str, allow: Iterable[str]) -> bool:
    """Whether an allow list (paths, folders or globs) names `relative`."""
    return any(
        relative == pattern.strip("/")
        or fnmatch.fnmatch(relative, pattern)
        or relative.startswith(pattern.rstrip("/") + "/")
        for pattern in allow
    )


def collect_assets(folder: Path, allow: Iterable[str] = ()) -> dict[str, Path]:
    """relative path -> file to copy, after the checks; raises UserError naming the path.

    This is the one list of what extra_source_dir brings into the bundle: what is copied, what
    is offloaded and what is signed all come from it. A symlinked folder is walked as if its
    files stood there (so `alias/a.txt` is listed, copied as a real file, and signed); a symlink
    that leaves the folder is refused unless allowed, a loop of symlinks always.
    """
    allow = tuple(allow)
    found: dict[str, Path] = {}
    _collect(folder, "", folder.resolve(), (folder.resolve(),),
             folder.name + "/", allow, found)
    return found


def _collect(
    current: Path, prefix: str, root: Path, walked: tuple[Path, ...], label: str,
    allow: tuple[str, ...], found: dict[str, Path],
) -> None:
    with os.scandir(current) as scanned:
        entries = sorted(scanned, key=lambda entry: entry.name)
    for entry in entries:
        relative = prefix + entry.name
        path = Path(entry.path)
        if entry.is_symlink():
            target = path.resolve()
            if not _inside(target, root) and not path_allowed(relative, allow):
                raise _outside_error(label, relative, path)
            if target.is_dir():
                if target in walked:
                    raise UserError(
                        f"extra_source_dir: '{label}{relative}' is a symlink to a folder that "
                        "contains it (a loop); remove it"
                    )
                _check_folder(label, relative, entry.name, allow)
                _collect(target, relative + "/", root, (*walked, target), label,
                         allow, found)
                continue
            _check_secret(label, relative, allow)
            if not target.is_file():
                raise UserError(
                    f"extra_source_dir: '{label}{relative}' is a broken symlink; fix or remove it"
                )
            found[relative] = target
        elif entry.is_dir():
            _check_folder(label, relative, entry.name, allow)
            _collect(path, relative + "/", root, (*walked, path.resolve()), label,
                     allow, found)
        elif entry.is_file():
            _check_secret(label, relative, allow)
            found[relative] = path


def _check_folder(label: str, relative: str, name: str, allow: tuple[str, ...]) -> None:
    if is_secret_folder(name) and not path_allowed(relative, allow):
        raise _secret_error(label, relative + "/")


def copy_assets(
    assets: dict[str, Path], bundle: Path, build_files: set[str], output_label: str,
    label: str,
) -> None:
    """Copy into the bundle; a name that a build output already has is an error naming both,
    as the user sees them: `label` is extra_source_dir's ("assets/"), `output_label` the
    build output folder's ("webapp/dist")."""
    for relative in sorted(assets):
        if relative in build_files:
            raise UserError(
                f"extra_source_dir: '{label}{relative}' would overwrite the build output "
                f"'{output_label}/{relative}'; rename one of them"
            )
        target = bundle / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(assets[relative], target)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _check_secret(label: str, relative: str, allow: tuple[str, ...]) -> None:
    if looks_secret(relative) and not path_allowed(relative, allow):
        raise _secret_error(label, relative)


def _secret_error(label: str, relative: str) -> UserError:
    return UserError(
        f"extra_source_dir: '{label}{relative}' looks like a secret and would be published; "
        "remove it, or list it in [webapp] extra_source_allow"
    )


def _outside_error(label: str, relative: str, path: Path) -> UserError:
    return UserError(
        f"extra_source_dir: '{label}{relative}' is a symlink to {os.readlink(path)}, outside "
        f"{label}; copy the file in, or list it in [webapp] extra_source_allow"
    )
