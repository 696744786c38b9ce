"""Upload mode: copy extra_source_dir into the bundle root, refusing what must not be served."""

from __future__ import annotations

import fnmatch
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from buildtools.errors import UserError

SECRET_NAMES = ("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".htpasswd", ".npmrc", ".pypirc")
SECRET_PATTERNS = (".env", ".env.*", "*.pem", "*.key", "*.p12", "*.pfx")
SECRET_FOLDERS = (".git", ".ssh", ".aws")


def looks_secret(relative: str) -> bool:
    parts = relative.split("/")
    if any(part in SECRET_FOLDERS for part in parts[:-1]):
        return True
    name = parts[-1]
    return name in SECRET_NAMES or any(fnmatch.fnmatch(name, p) for p in SECRET_PATTERNS)


def _allowed(relative: str, allow: Iterable[str]) -> bool:
    return any(
        relative == pattern.strip("/")
        or fnmatch.fnmatch(relative, pattern)
        or relative.startswith(pattern.rstrip("/") + "/")
        for pattern in allow
    )


def collect_assets(folder: Path, allow: Iterable[str] = ()) -> dict[str, Path]:
    """relative path -> file to copy, after the checks; raises UserError naming the path."""
    allow = tuple(allow)
    root = folder.resolve()
    label = folder.name + "/"
    found: dict[str, Path] = {}
    for current, dirnames, filenames in os.walk(folder, followlinks=False):
        base = Path(current)
        for name in sorted(dirnames):
            path = base / name
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink():
                dirnames.remove(name)
                target = path.resolve()
                if not _inside(target, root) and not _allowed(relative, allow):
                    raise _outside_error(label, relative, path)
                for inner in sorted(target.rglob("*")):
                    if inner.is_file():
                        inner_relative = f"{relative}/{inner.relative_to(target).as_posix()}"
                        _check_secret(label, inner_relative, allow)
                        found[inner_relative] = inner
            elif name in SECRET_FOLDERS and not _allowed(relative, allow):
                raise _secret_error(label, relative + "/")
        for name in sorted(filenames):
            path = base / name
            relative = path.relative_to(folder).as_posix()
            _check_secret(label, relative, allow)
            if path.is_symlink():
                target = path.resolve()
                if not _inside(target, root) and not _allowed(relative, allow):
                    raise _outside_error(label, relative, path)
                if not target.is_file():
                    raise UserError(
                        f"extra_source_dir: '{label}{relative}' is a broken symlink; "
                        "fix or remove it"
                    )
                found[relative] = target
            elif path.is_file():
                found[relative] = path
    return found


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
    if looks_secret(relative) and not _allowed(relative, allow):
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
