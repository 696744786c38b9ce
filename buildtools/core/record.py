"""The no-op record: say "everything is up to date" without loading the configuration.

When a full check finds every stage up to date (a check, or the one that follows a build or a
restore), it writes <state>/fresh.marshal: the trace of what the check read
(buildtools.util.reads: every stage key, scan and the config loader read through one Reads),
that is the stat signature (size, mtime_ns, inode, ctime_ns) of every file and folder whose
content, presence or listing went into a key, the names of the environment variables looked
up (and the prefixes enumerated, or the whole environment) with a digest of their values,
and the (stage, detail) lines of the check. The next run stats those paths again, reading and
hashing nothing: when every signature and those variables are unchanged, no input of any key
can have changed. No list of inputs is kept for the record: a stage that reads something new
through its Reads is covered. Any difference or doubt means "ask the full check", which
writes a new record (buildtools.core.recorder). The record of the
environment before (another shell, another PATH) is kept beside it as fresh-<digest>.marshal,
so that switching back does not rescan either; a run that may change anything removes them
all first. Importing this module costs next to nothing (os, marshal, struct; xxhash when a
record is there).

Why a matching record is proof:
- each signature is taken before the full check reads the thing it describes (Reads.stat
  comes before the read, folders are signed before they are listed), or is the very stat the
  check used (files in the trees); a change during the check leaves a signature that will not
  match; after a build, a new check takes them once the outputs are final;
- a folder's mtime changes when an entry is added, removed or renamed in it;
- a content edit changes mtime and ctime; an edit in the same clock tick as the signature is
  ruled out by writing no record while any signature is younger than the racy window (the
  filesystem's timestamp step: buildtools.core.recorder.racy);
- every module of the buildtools package is part of the record (the code that computes keys);
- a variable outside the recorded set was looked up by no stage key (the environment the
  keys see notes every lookup, and enumerating it records the whole environment);
- no record for what cannot be observed this way: a YAML config (it may include others), a
  Node reached through a version manager's shim (it picks a Node from files anywhere), a
  forced build.
"""

from __future__ import annotations

import marshal
import os
import struct

from buildtools import envnames, filenames

# typing and collections.abc cost more to import than the whole check: types only for mypy.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from buildtools.fingerprint.scan import Signature

    Lines = list[tuple[str, str]]
    EnvRead = tuple[list[str], list[str], bool]

RECORD_NAME = "fresh.marshal"
_OTHER_PREFIX = "fresh-"  # + the start of the environment's digest: another shell's record
FORMAT = 6
# (format, identity, the variables read (names, prefixes, whether all), environment digest,
# paths (joined by NUL) and their
# packed signatures, the same for the paths whose links are followed, trees, bundle, lines)
_FIELDS = 11
MISSING = (-1, -1, -1, -1)  # the signature of a path that does not exist


def signature_of(path: str, follow: bool = False) -> Signature | None:
    try:
        info = os.stat(path, follow_symlinks=follow)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


def env_digest(environ: Mapping[str, str], read: EnvRead) -> str:
    """A digest of the variables that the full check read, and of no other: a variable that
    no stage key read (a shell's, an editor's) changes nothing. `read`: (the names looked up,
    the prefixes enumerated, whether the whole environment was)."""
    import xxhash

    names, prefixes, whole = frozenset(read[0]), tuple(read[1]), read[2]
    hasher = xxhash.xxh3_128()
    for name in sorted(environ):
        if whole or name in names or name.startswith(prefixes):
            hasher.update(f"{name}={environ[name]}\0".encode("utf-8", "surrogateescape"))
    return hasher.hexdigest()


def package_dir() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def discovery_paths(cwd: str, environ: Mapping[str, str], config_path: str
                    ) -> tuple[list[str], list[str]]:
    """What decides that a command in `cwd` finds the config `config_path`, as
    config.discovery.find_config looks: (the files whose presence or content would make it
    find another config or stop earlier, the folders whose Mephisto YAML files would). Every
    folder searched below the config's counts; at the config's own folder, the files that
    come first."""
    if environ.get(envnames.CONFIG_ENV):
        return [os.path.realpath(os.path.join(cwd, environ[envnames.CONFIG_ENV]))], []
    files: list[str] = []
    listings: list[str] = []
    for folder in filenames.config_search_folders(cwd):
        candidates = [os.path.join(folder, filenames.CONFIG_FILE),
                      os.path.join(folder, filenames.PYPROJECT_FILE)]
        files += candidates
        if config_path in map(os.path.realpath, candidates):  # found here (maybe a symlink)
            break
        files.append(os.path.join(folder, ".git"))  # would stop the search here
        listings += [os.path.join(folder, name) if name else folder
                     for name in filenames.MEPHISTO_CONF_FOLDERS]
    return files, listings


def state_dir_for(cwd: str, environ: Mapping[str, str]) -> str | None:
    """The state folder of the config that find_config would find from `cwd`, unloaded; None
    when none is, or for a Mephisto YAML whose text does not prove its task folder (imported
    only where a folder has no TOML config; the early start uses a YAML's, no record does)."""
    if environ.get(envnames.CONFIG_ENV):
        path = os.path.realpath(os.path.join(cwd, environ[envnames.CONFIG_ENV]))
        if not os.path.isfile(path):
            return None
        if not path.endswith((".yaml", ".yml")):
            return os.path.join(os.path.dirname(path), filenames.STATE_DIR_NAME)
        from buildtools.config.mephisto_conf import yaml_state_dir

        return yaml_state_dir(path)
    for folder in filenames.config_search_folders(cwd):
        found = os.path.join(folder, filenames.CONFIG_FILE)
        if not os.path.isfile(found):
            found = os.path.join(folder, filenames.PYPROJECT_FILE)
            if not _declares_table(found):
                from buildtools.config.mephisto_conf import mephisto_yamls, yaml_state_dir

                yamls = mephisto_yamls(folder)
                if not yamls:
                    continue
                return yaml_state_dir(yamls[0]) if len(yamls) == 1 else None
        return os.path.join(os.path.dirname(os.path.realpath(found)), filenames.STATE_DIR_NAME)
    return None


def _declares_table(pyproject: str) -> bool:
    try:
        with open(pyproject, "rb") as handle:
            return filenames.PYPROJECT_TABLE in handle.read()
    except OSError:
        return False


# ---------------------------------------------------------------- the fast check


def check(
    cwd: str | None = None, environ: Mapping[str, str] | None = None,
    state_dir: str | None = None,
) -> tuple[Lines, str] | None:
    """(the (stage, detail) up-to-date lines, the bundle folder) when the record proves every
    stage up to date; None when the full check must decide. `state_dir`: what state_dir_for
    found already (looked up when None)."""
    cwd = os.getcwd() if cwd is None else cwd
    environ = os.environ if environ is None else environ
    state = state_dir_for(cwd, environ) if state_dir is None else state_dir
    record = None if state is None else _verified(state, cwd, environ)
    return None if record is None else (list(record[10]), record[9])


def stage_lines(
    state_dir: os.PathLike[str] | str, config_path: os.PathLike[str] | str,
    environ: Mapping[str, str],
) -> Lines | None:
    """The (stage, detail) up-to-date lines when the record in `state_dir`, written for the
    config file `config_path` from the current folder, proves every stage up to date."""
    record = _verified(os.fspath(state_dir), os.getcwd(), environ)
    if record is None or os.fspath(config_path) not in record[4].split("\0"):
        return None
    return list(record[10])


def _verified(state: str, cwd: str, environ: Mapping[str, str]) -> tuple[Any, ...] | None:
    """The record in `state` for this environment when every signature in it still holds,
    else None: the latest record, or one left for another environment (another shell)."""
    try:
        record = load_record(os.path.join(state, RECORD_NAME))
        if record is None:
            return None
        digest = env_digest(environ, record[2])
        if digest != record[3]:
            record = load_record(os.path.join(state, other_name(digest)))
            if record is None or record[3] != digest:
                return None
        identity, _env, _digest, paths, packed, followed, followed_packed, trees = record[1:9]
        # The writer's buildtools must be this one (another venv may compute keys otherwise).
        if identity != f"{cwd}\0{package_dir()}":
            return None
        if (_signatures(paths, False) != packed
                or _signatures(followed, True) != followed_packed
                or not _trees_unchanged(trees)):
            return None
    except (TypeError, ValueError, AttributeError, IndexError):  # damaged: proves nothing
        return None
    return record


def load_record(path: str) -> tuple[Any, ...] | None:
    return load_tuple(path, _FIELDS, FORMAT)


def load_tuple(path: str, fields: int, version: int) -> tuple[Any, ...] | None:
    """The marshalled tuple of `fields` items, the first `version`, in `path`; else None."""
    try:
        with open(path, "rb") as handle:
            found = marshal.loads(handle.read())  # load(handle) reads piecemeal: 6x slower
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if type(found) is not tuple or len(found) != fields or found[0] != version:
        return None
    return found


def other_name(digest: str) -> str:
    """The file of the record of an environment that is not the latest one's."""
    return f"{_OTHER_PREFIX}{digest[:16]}.marshal"


def _signatures(joined: str, follow: bool) -> bytes:
    """The packed signatures of the paths joined by NUL, MISSING for those that are not."""
    values: list[int] = []
    extend = values.extend
    stat = os.stat
    for path in joined.split("\0") if joined else ():
        try:
            info = stat(path, follow_symlinks=follow)
        except OSError:
            extend(MISSING)
            continue
        extend((info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns))
    return pack_values(values)


def pack_values(values: list[int]) -> bytes:
    return struct.pack(f"{len(values)}q", *values)


def _trees_unchanged(trees: list[tuple[str, Signature, str, bytes]]) -> bool:
    """Each folder's signature, then its entries' (packed as int64s: marshal loads one bytes
    object per folder far faster than four big ints per file)."""
    stat = os.stat
    for folder, folder_sig, joined, packed in trees:
        try:
            info = stat(folder)
            if (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns) != folder_sig:
                return False
            if not joined:
                continue
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return False
        values: list[int] = []
        extend = values.extend
        try:
            for name in joined.split("/"):
                info = stat(name, dir_fd=fd, follow_symlinks=False)
                extend((info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns))
        except OSError:
            return False
        finally:
            os.close(fd)
        if pack_values(values) != packed:
            return False
    return True


def forget(state_dir: os.PathLike[str] | str) -> None:
    """Remove the records, every environment's (before anything that could make them wrong
    runs)."""
    for name in [RECORD_NAME, *other_records(os.fspath(state_dir))]:
        remove(os.path.join(state_dir, name))


def remove(path: str) -> None:
    try:  # noqa: SIM105 (contextlib is an import the fast path does without)
        os.unlink(path)
    except FileNotFoundError:
        pass


def other_records(state: str) -> list[str]:
    """The records left for other environments, oldest first."""
    try:
        with os.scandir(state) as listing:
            found = [(entry.stat().st_mtime_ns, entry.name) for entry in listing
                     if entry.name.startswith(_OTHER_PREFIX) and entry.name.endswith(".marshal")]
    except OSError:
        return []
    return [name for _mtime, name in sorted(found)]
