"""The build output ships checked, like extra_source_dir: no file that looks like a secret
(buildtools.assets.secrets) and no symlink to a file outside the project.

A bundler copies its public folder (Vite's and webpack's `public/`) into the output and follows
symlinks as it goes, so a link there to ~/.ssh/id_rsa arrives in the output as a plain file:
the links are checked in the public folder as well as in the output itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from buildtools.assets.secrets import looks_secret
from buildtools.assets.upload import path_allowed
from buildtools.errors import UserError

PUBLIC_FOLDERS = ("public",)  # Vite's publicDir, webpack's CopyPlugin/CRA convention
ALLOW_SETTING = "[webapp] output_allow"


def check_links(folder: Path, inside: Iterable[Path], label: str) -> None:
    """Refuse a symlink in `folder` (at any depth) whose target is outside all of `inside`;
    `label` is how the user sees `folder` ("webapp/public")."""
    if not folder.is_dir():
        return
    roots = tuple(root.resolve() for root in inside)
    for current, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in sorted([*dirnames, *filenames]):
            path = Path(current) / name
            if not path.is_symlink():
                continue
            target = path.resolve()
            if any(target == root or root in target.parents for root in roots):
                continue
            relative = path.relative_to(folder).as_posix()
            raise UserError(
                f"{label}/{relative} is a symlink to {os.readlink(path)}, outside the project: "
                "the build would publish that file; copy what the task needs into the project, "
                "or remove the link"
            )


def check_secrets(files: Iterable[str], allow: Iterable[str], label: str,
                  public: Path | None = None, public_label: str = "") -> None:
    """Refuse a file of the build output (`files`: relative posix paths) that looks like a
    secret, unless `allow` lists it. `public`: the folder the bundler copies such files from,
    named in the message when the file is there."""
    allow = tuple(allow)
    for relative in sorted(files):
        if not looks_secret(relative) or path_allowed(relative, allow):
            continue
        source = f"'{label}/{relative}'"
        if public is not None and (public / relative).exists():
            source += f" (copied from {public_label}/{relative})"
        raise UserError(
            f"build output: {source} looks like a secret and would be published; remove it, "
            f"or list it in {ALLOW_SETTING} if it is meant to be public"
        )
