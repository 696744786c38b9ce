"""The Mephisto YAML configs of a folder, and the state folder of one, with `os` alone.

Config discovery (buildtools.config.discovery) and the no-op record's and the early start's
lookup of the state folder (buildtools.core.record.state_dir_for, before any config is loaded)
find a Mephisto YAML the same way, here: the *.yaml and *.yml files of <folder>/conf/ and
<folder>/hydra_configs/conf/ with a top-level `mephisto:` line. Importing PyYAML alone costs
more than the whole early start may, so the state folder of a YAML (its task folder's
.buildtools) is told from the text: the task folder Mephisto gives `${task_dir}` (the folder
above conf/ or hydra_configs/conf/), unless the YAML may name another one (any `task_dir` that
is not `${task_dir}`) or composes other files (a defaults entry that names a file); then None,
and the caller does without (the config loader decides, from the composed YAML).
"""

from __future__ import annotations

import os

from buildtools.filenames import MEPHISTO_CONF_FOLDERS, STATE_DIR_NAME

YAML_SUFFIXES = (".yaml", ".yml")
_INTERPOLATED = "${task_dir}"
_SELF = "_self_"


def mephisto_yamls(folder: str) -> list[str]:
    """The Mephisto YAML configs in `folder`'s conf folders (more than one: the caller asks the
    user to choose)."""
    found = []
    for conf in (os.path.join(folder, name) for name in MEPHISTO_CONF_FOLDERS):
        try:
            names = sorted(name for name in os.listdir(conf) if name.endswith(YAML_SUFFIXES))
        except OSError:  # none, not a folder, unreadable: no config there
            continue
        for name in names:
            text = read_text(os.path.join(conf, name))
            if text is not None and any(line.startswith("mephisto:")
                                        for line in text.splitlines()):
                found.append(os.path.join(conf, name))
    return found


def read_text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def default_task_dir(path: str) -> str:
    """The task folder of the YAML `path` when it names none: the folder of its conf/ (or of
    hydra_configs/conf/)."""
    folder = os.path.dirname(path)
    if os.path.basename(folder) == "conf":
        folder = os.path.dirname(folder)
    if os.path.basename(folder) == "hydra_configs":
        folder = os.path.dirname(folder)
    return folder


def yaml_state_dir(path: str) -> str | None:
    """The state folder of the Mephisto YAML `path` when its text proves its task folder (see
    the module doc), else None."""
    text = read_text(path)
    if text is None or text.count("task_dir") != text.count(_INTERPOLATED):
        return None
    if not _composes_no_file(text):
        return None
    return os.path.join(default_task_dir(os.path.realpath(path)), STATE_DIR_NAME)


def _composes_no_file(text: str) -> bool:
    """True when the YAML's defaults list (if any) holds only group choices (`- /mephisto/
    architect: local`) and `_self_`: no file that could be merged under it. In doubt (a flow
    list, a quoted entry, a second `defaults`), False."""
    if text.count("defaults") > 1:
        return False
    in_defaults = False
    for line in text.splitlines():
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        if not line[0].isspace() and not line.startswith("-"):  # a top-level key
            in_defaults = line.startswith("defaults:")
            if in_defaults and entry != "defaults:":
                return False  # defaults: [a, b] or the like
            continue
        if in_defaults:
            choice = entry.removeprefix("-").strip()
            if (not entry.startswith("-") or choice.startswith(("'", '"', "{", "["))
                    or (":" not in choice and choice != _SELF)):
                return False
    return True
