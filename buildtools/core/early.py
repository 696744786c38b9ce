"""An early start for the build's `npm run`: npm's own start overlaps buildtools' check.

After a source edit, `buildtools build` spends its first tenth of a second importing, loading
the config and hashing before it knows that the build must run; npm then spends two tenths
starting. So the build stage remembers how it started npm (argv, folder, the variables it set
or removed: never the environment) in <state>/launch.marshal. When the no-op record cannot
answer and a source file of the webapp changed since its last scan (fingerprint.statcache), the
CLI's `build` starts that command at once (start), with npm's `script-shell` set to a gate that
holds the script until it reads "run" on its stdin, and stops it at the end (stop). It is held
here: the one other caller is the build stage (adopt, remember, forget), which adopts it only
when what it would start now is exactly that (argv, folder, every variable), nothing ran before
the build in this run, and package.json and each .npmrc npm reads are as they were at its start
(npm read them then); it moves the old output aside, then opens the gate. Anything else ("up to
date", a restore from the cache, an error, another command) stops it before the script: the
gate runs nothing it was not told to, and it reads EOF when buildtools is gone. The gate hands
the script to `sh` (npm's default shell) with the environment a plain `npm run` gives it.

No early start (the build starts as before) when the platform is not POSIX, npm is older than
7 or is not npm-cli.js, the script has pre- or post-scripts, HOME is unset, the user chose a
script-shell (in a variable or in any .npmrc npm reads) or moved npm's config files with a
variable, the state folder is mounted noexec, the stat cache cannot tell an edit (none yet, or
over PROBE_LIMIT files), or the state folder is unknown until the config is loaded (a YAML's).
"""

from __future__ import annotations

import marshal
import os

from buildtools.core.record import signature_of
from buildtools.fingerprint.statcache import file as statcache_file
from buildtools.fingerprint.statcache.probe import content_changed
from buildtools.util.spawn import SpawnedProcess

TYPE_CHECKING = False  # the CLI imports this before anything else: no typing at run time
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

LAUNCH_NAME = "launch.marshal"
GATE_NAME = "npm-gate.sh"
GATE_VARIABLE = "npm_config_script_shell"
FORMAT = 1
MIN_NPM_MAJOR = 7  # script-shell, and scripts that inherit npm's stdin
# npm's own Node makes no TLS connection for `npm run`, and parsing the extra CA file costs it
# 35-55 ms of CPU while the check runs: it gets the file name in CARRIED, the script gets it back
CA_VARIABLE, CARRIED = "NODE_EXTRA_CA_CERTS", "buildtools_node_extra_ca_certs"
GATE_SCRIPT = f"""#!/bin/sh
# buildtools: holds `npm run` until buildtools has decided that the build runs
# (buildtools/core/early.py). EOF or anything but "run" stops it before the script.
IFS= read -r verdict || verdict=
unset npm_config_script_shell
[ "$verdict" = run ] || exit 75
if [ -n "${{{CARRIED}+set}}" ]; then
  {CA_VARIABLE}=${CARRIED}; export {CA_VARIABLE}; unset {CARRIED}
fi
exec sh "$@"
"""
# variables (any case) that choose npm's shell or move the config files it reads
_CONFIG_VARIABLES = frozenset({GATE_VARIABLE, "npm_config_userconfig", "npm_config_globalconfig",
                               "npm_config_prefix", "prefix", CARRIED})
_MISSING = (-1, -1, -1, -1)
SOURCE_TREE = "webapp"  # the tree the build stage scans: the launch's folder
PROBE_LIMIT = 5000  # more source files: the probe would cost what the check costs


class EarlyBuild:
    """An `npm run` started and held at the gate."""

    def __init__(self, process: SpawnedProcess, argv: list[str], cwd: str,
                 env: dict[str, str], watched: list[str], signatures: list[tuple[int, ...]]
                 ) -> None:
        self.process = process
        self.argv, self.cwd, self.env = argv, cwd, env
        self.watched, self.signatures = watched, signatures
        self.adopted = False

    def adopt(self, argv: Sequence[str], cwd: str, env: Mapping[str, str]
              ) -> SpawnedProcess | None:
        """The process, told to run, when it is exactly the one the caller would start now;
        else None (and it is stopped)."""
        if (list(argv) == self.argv and cwd == self.cwd and dict(env) == self.env
                and _signatures(self.watched) == self.signatures
                and self.process.poll() is None):
            try:
                assert self.process.stdin is not None
                self.process.stdin.write("run\n")
                self.process.stdin.close()
            except OSError:  # the gate is gone: npm failed before it
                self.stop()
                return None
            self.adopted = True
            return self.process
        self.stop()
        return None

    def stop(self) -> None:
        """Stop it if nobody adopted it (again: nothing)."""
        if self.adopted or self.process.returncode is not None:
            return
        from buildtools.util.process import kill_group

        for stream in (self.process.stdin, self.process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        kill_group(self.process)


# The npm run this process started and holds (one build per process), until adopt or stop
_held: list[EarlyBuild] = []


def start(state_dir: str, environ: Mapping[str, str]) -> bool:
    """Start the remembered build held at the gate, when everything allows it."""
    stop()
    _held.extend(filter(None, [_started(state_dir, environ)]))
    return bool(_held)


def adopt(argv: Sequence[str], cwd: str, env: Mapping[str, str]) -> SpawnedProcess | None:
    """The held npm run, told to run its script, when it is exactly the command the build
    stage would start now (see the module doc); else None, and it is stopped."""
    return _held.pop().adopt(argv, cwd, env) if _held else None


def stop() -> None:
    """Stop the held npm run unless the build adopted it (nothing when none is held)."""
    while _held:
        _held.pop().stop()


def _started(state_dir: str, environ: Mapping[str, str]) -> EarlyBuild | None:
    launch = _load(os.path.join(state_dir, LAUNCH_NAME))
    if launch is None or not usable_environment(environ) or os.name != "posix":
        return None
    _format, argv, cwd, overrides, removed, watched, npmrc = launch
    cache = os.path.join(state_dir, statcache_file.file_name(SOURCE_TREE))
    if content_changed(cache, cwd, PROBE_LIMIT) is not True or not _config_allows(npmrc):
        return None
    gate = _gate(state_dir)
    if gate is None:
        return None
    env = {name: value for name, value in environ.items() if name not in removed}
    env.update(overrides)
    try:
        signatures = _signatures(watched)
        process = SpawnedProcess(argv, cwd, _npm_env(env, gate))
    except OSError:
        return None
    return EarlyBuild(process, list(argv), cwd, env, list(watched), signatures)


def _npm_env(env: dict[str, str], gate: str) -> dict[str, str]:
    """The environment of the held npm: the gate as its script shell, the extra CA file carried
    past npm's own Node to the script (the gate restores it)."""
    held = {**env, GATE_VARIABLE: gate}
    if CA_VARIABLE in held:
        held[CARRIED] = held.pop(CA_VARIABLE)
    return held


def remember(state_dir: str, argv: Sequence[str], cwd: str, env: Mapping[str, str],
             environ: Mapping[str, str], *, node: str, npm_version: str,
             scripts: Mapping[str, Any], script: str) -> None:
    """Keep how the build's npm was started (argv[0] resolved), for the next run to start it
    early; forget it when that would not be safe (see the module doc)."""
    path = os.path.join(state_dir, LAUNCH_NAME)
    npm_cli = os.path.realpath(argv[0])
    eligible = (os.name == "posix" and os.path.basename(npm_cli) == "npm-cli.js"
                and _major(npm_version) >= MIN_NPM_MAJOR and usable_environment(environ)
                and f"pre{script}" not in scripts and f"post{script}" not in scripts)
    npmrc = npmrc_files(cwd, environ["HOME"], npm_cli, os.path.realpath(node)) if eligible else []
    if not eligible or not _config_allows(npmrc):
        forget(state_dir)
        return
    # npm reads package.json, and those above it (is it in a workspace?), and its config
    watched = [*(os.path.join(folder, "package.json") for folder in _folders_up(cwd)), *npmrc]
    overrides = {name: value for name, value in env.items() if environ.get(name) != value}
    removed = sorted(name for name in environ if name not in env)
    data = marshal.dumps((FORMAT, list(argv), cwd, overrides, removed, watched, npmrc))
    try:
        with open(path, "rb") as handle:
            if handle.read() == data:
                return
    except OSError:
        pass
    from pathlib import Path

    from buildtools.util import atomic

    try:
        atomic.write_bytes(Path(path), data)
    except OSError:  # a hint only: the build goes on
        forget(state_dir)


def usable_environment(environ: Mapping[str, str]) -> bool:
    return "HOME" in environ and not any(name.lower() in _CONFIG_VARIABLES for name in environ)


def npmrc_files(webapp: str, home: str, npm_cli: str, node: str) -> list[str]:
    """Every config file npm may read when started in `webapp`: a .npmrc in the webapp or any
    folder above (its project root may be a workspace root), the user's, the global one (under
    the prefix of the Node that runs it) and npm's own."""
    found = [os.path.join(folder, ".npmrc") for folder in _folders_up(webapp)]
    prefix = os.path.dirname(os.path.dirname(node))
    npm_root = os.path.dirname(os.path.dirname(npm_cli))
    return [*found, os.path.join(home, ".npmrc"), os.path.join(prefix, "etc", "npmrc"),
            os.path.join(npm_root, "npmrc")]


def _folders_up(folder: str) -> list[str]:
    """`folder` and every folder above it."""
    found = [folder]
    while os.path.dirname(found[-1]) != found[-1]:
        found.append(os.path.dirname(found[-1]))
    return found


def _config_allows(npmrc: Sequence[str]) -> bool:
    """False when a config file npm reads picks a shell of its own."""
    for path in npmrc:
        try:
            with open(path, "rb") as handle:
                if b"script-shell" in handle.read():
                    return False
        except FileNotFoundError:
            continue
        except OSError:  # unreadable: npm may read it, buildtools cannot
            return False
    return True


def _gate(state_dir: str) -> str | None:
    """The gate script in the state folder (written when missing), or None when it could not
    run there."""
    path = os.path.join(state_dir, GATE_NAME)
    try:
        if os.statvfs(state_dir).f_flag & getattr(os, "ST_NOEXEC", 0):
            return None
        with open(path) as handle:
            if handle.read() == GATE_SCRIPT and os.access(path, os.X_OK):
                return path
    except FileNotFoundError:
        pass
    except OSError:
        return None
    from pathlib import Path

    from buildtools.util import atomic

    try:
        atomic.write_bytes(Path(path), GATE_SCRIPT.encode(), mode=0o755)
    except OSError:
        return None
    return path


def _signatures(paths: Sequence[str]) -> list[tuple[int, ...]]:
    return [signature_of(path, follow=True) or _MISSING for path in paths]


def _load(path: str) -> tuple[Any, ...] | None:
    try:
        with open(path, "rb") as handle:
            launch = marshal.load(handle)
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if type(launch) is not tuple or len(launch) != 7 or launch[0] != FORMAT:
        return None
    _format, argv, cwd, overrides, removed, watched, npmrc = launch
    if not (argv and all(_texts(value) for value in (argv, removed, watched, npmrc))
            and type(cwd) is str and type(overrides) is dict
            and _texts([*overrides, *overrides.values()])):
        return None  # damaged: no early start
    return launch


def _texts(values: object) -> bool:
    return type(values) is list and all(type(value) is str for value in values)


def _major(version: str) -> int:
    try:
        return int(version.lstrip("v").split(".")[0])
    except ValueError:
        return 0


def forget(state_dir: str) -> None:
    """No early start from this state folder (until a build remembers one again)."""
    try:  # noqa: SIM105 (contextlib is an import this module does without)
        os.unlink(os.path.join(state_dir, LAUNCH_NAME))
    except OSError:
        pass
