"""A write that failed because a disk is full, said as the folder that is full.

The OSError of a full disk often names the wrong file or none: shutil.copyfile's (sendfile)
names the SOURCE first and the destination second, a write() on an open file names nothing,
and shutil.copytree gathers its errors into a shutil.Error whose entries are strings. The
folder named is the one written to, above any staging folder buildtools made inside it.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from pathlib import Path

from buildtools.errors import UserError
from buildtools.util.swapfolders import is_swap_folder

NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})
_NO_SPACE_TEXT = re.compile(rf"\[Errno ({errno.ENOSPC}|{errno.EDQUOT})\]")


def full_disk(exc: OSError) -> UserError | None:
    """The one line for `exc` when a disk (or quota) is full; None for any other error."""
    if isinstance(exc, shutil.Error):
        entries = exc.args[0] if exc.args and isinstance(exc.args[0], list) else []
        for entry in entries:
            if isinstance(entry, tuple) and len(entry) == 3 and _NO_SPACE_TEXT.search(
                    str(entry[2])):
                return _said(str(entry[1]))
        return None
    if exc.errno not in NO_SPACE:
        return None
    target = exc.filename2 if exc.filename2 is not None else exc.filename
    return _said(None if target is None else os.fsdecode(target))


def _said(target: str | None) -> UserError:
    if target is None:
        return UserError("a disk is full (No space left on device); free some space and run "
                         "again (what was built before is kept)")
    folder = Path(target)
    if not folder.is_dir():
        folder = folder.parent
    swapped = [above for above in (folder, *folder.parents) if is_swap_folder(above.name)]
    if swapped:  # the staging folder is buildtools' own: name the folder it was made in
        folder = swapped[-1].parent
    return UserError(f"{folder}: no space left on its disk (No space left on device); free "
                     "some space there and run again (what was built before is kept)")


def copy_failure(exc: shutil.Error) -> UserError:
    """A shutil.copytree that failed for another reason: its first failure, in one line."""
    entries = exc.args[0] if exc.args and isinstance(exc.args[0], list) else []
    for entry in entries:
        if isinstance(entry, tuple) and len(entry) == 3:
            source, target, why = entry
            return UserError(f"cannot copy {source} to {target}: {why}; check that buildtools "
                             "may read the one and write the other")
    return UserError(f"a copy failed: {exc}")
