"""The build's output folder is made by the build that just ran, or the build failed.

Before the build runs, its output folder (webapp/dist/, say) is moved aside, so output left by
an earlier build never passes as new. After it, a missing or empty output folder, or one with
no index.html where the last bundle had one, is an error naming the build command. When the
build fails, what it wrote goes and the folder moved aside (if any) comes back; the last
bundle is not touched (the bundle stage never runs).
The moved-aside folder lies next to the output, under a name the source scan leaves out.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from buildtools.errors import UserError, unwritable

ASIDE_SUFFIX = ".buildtools-previous"


def aside_path(output: str) -> str:
    """Where (relative to the webapp) the previous output waits while the build runs."""
    parent, _, name = output.rpartition("/")
    return f"{parent}/.{name}{ASIDE_SUFFIX}" if parent else f".{name}{ASIDE_SUFFIX}"


@contextlib.contextmanager
def fresh_output(webapp: Path, output: str, command: str, *, bundle: Path,
                 extra_index: bool) -> Iterator[None]:
    """Run the build inside: the previous output is moved aside before, checked after, and put
    back when the build fails or its output is not a build (see the module doc).
    `extra_index`: extra_source_dir brings an index.html of its own."""
    folder = webapp / output
    if not folder.resolve().is_relative_to(webapp.resolve()) or folder.resolve() == \
            webapp.resolve():
        # the webapp itself, or a symlink to a folder elsewhere (the config refuses a path
        # that leaves the webapp): never moved
        yield
        return
    aside = webapp / aside_path(output)
    try:
        if os.path.lexists(aside):
            _remove(aside)  # left by a run that was killed
        if os.path.lexists(folder):
            os.replace(folder, aside)
    except OSError as exc:
        raise unwritable(exc.filename or folder.parent, exc) from None
    try:
        yield
        _check(folder, output, command, had_index=(bundle / "index.html").is_file()
               and not extra_index)
    except BaseException:
        _put_back(folder, aside)
        raise
    with contextlib.suppress(OSError):
        _remove(aside)


def _check(folder: Path, output: str, command: str, *, had_index: bool) -> None:
    kept = "the last bundle is kept"
    if not folder.is_dir():
        raise UserError(f"the build command '{command}' finished but wrote no {output}/ folder "
                        f"in {folder.parent}; set [webapp] output to the folder your build "
                        f"writes ({kept})")
    if not any(path.is_file() for path in folder.rglob("*")):
        raise UserError(f"the build command '{command}' finished but wrote no files in "
                        f"{output}/ ({kept})")
    if had_index and not (folder / "index.html").is_file():
        raise UserError(f"the build wrote no index.html in {output}/ (the last bundle has one); "
                        f"{kept}")


def _put_back(folder: Path, aside: Path) -> None:
    """The build failed: what it wrote goes (webpack writes a bundle.js that says "Module
    build failed" and exits 1), the previous output comes back if there was one."""
    with contextlib.suppress(OSError):
        if os.path.lexists(folder):
            _remove(folder)
        if os.path.lexists(aside):
            os.replace(aside, folder)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
