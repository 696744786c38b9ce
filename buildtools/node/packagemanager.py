"""Which package manager a webapp uses, and the commands that install it and run its scripts."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buildtools.errors import UserError
from buildtools.filenames import LOCKFILES
from buildtools.util.reads import Reads

# The sections that npm records for the root package in its lockfile.
NPM_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")
# What pnpm and yarn record per project (peers are not installed from the lockfile).
INSTALL_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")
MAX_LISTED = 3


@dataclass(frozen=True)
class PackageManager:
    name: str  # "npm" | "pnpm" | "yarn"
    lockfile: str | None  # file name inside the webapp folder, None when there is none


def read_package_json(webapp: Path, setting: str = "") -> dict[str, Any]:
    """package.json of `webapp`; `setting` names where the folder comes from, for the error
    when there is none ("buildtools.toml: [webapp] source")."""
    path = webapp / "package.json"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if setting:
            raise UserError(f"{setting}: no package.json in {webapp}; set it to the folder "
                            "that holds the webapp's package.json") from None
        raise UserError(
            f"no package.json in {webapp}: set [webapp] source to the folder holding it"
        ) from None
    except OSError as err:
        raise UserError(f"cannot read {path}: {err.strerror}") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise UserError(f"{path} is not valid UTF-8 (line {line})") from None
    except json.JSONDecodeError as err:
        raise UserError(f"{path} is not valid JSON: {err.msg} (line {err.lineno})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path} must hold a JSON object, not {_json_type(data)}")
    return data


def detect_package_manager(webapp: Path, setting: str = "", *, reads: Reads | None = None
                           ) -> PackageManager:
    """The `packageManager` field of package.json decides; else the lockfile; else npm.
    `reads`: where the files looked at are noted (buildtools.util.reads)."""
    if reads is not None:
        reads.stat(webapp / "package.json")
    package = read_package_json(webapp, setting)
    present = [name for name in LOCKFILES if (webapp / name).is_file()] if reads is None \
        else [name for name in LOCKFILES if reads.is_file(webapp / name)]
    declared = package.get("packageManager")
    if isinstance(declared, str) and declared.strip():
        name = declared.strip().split("@", 1)[0]
        if name not in ("npm", "pnpm", "yarn"):
            raise UserError(
                f"{webapp / 'package.json'}: packageManager {declared!r} is not supported: "
                "use npm, pnpm or yarn"
            )
        own = [lock for lock in present if LOCKFILES[lock] == name]
        return PackageManager(name, own[0] if own else None)
    if not present:
        return PackageManager("npm", None)
    managers = {LOCKFILES[lock] for lock in present}
    if len(managers) > 1:
        raise UserError(
            f"{webapp} has lockfiles of several package managers ({', '.join(present)}): "
            'delete the ones you do not use, or set "packageManager" in package.json'
        )
    return PackageManager(LOCKFILES[present[0]], present[0])


def install_command(webapp: Path, pm: PackageManager) -> tuple[list[str], str]:
    """The install command and why: a frozen install when the lockfile matches package.json."""
    if pm.lockfile is None or not (webapp / pm.lockfile).is_file():
        what = pm.lockfile or {"npm": "package-lock.json", "pnpm": "pnpm-lock.yaml"}.get(
            pm.name, "yarn.lock"
        )
        return _unfrozen(pm), f"no {what}"
    package = read_package_json(webapp)
    lock_path = webapp / pm.lockfile
    if pm.name == "npm":
        differences = _npm_differences(package, lock_path)
        frozen = ["npm", "ci"]
    elif pm.name == "pnpm":
        differences = _pnpm_differences(package, lock_path)
        frozen = ["corepack", "pnpm", "install", "--frozen-lockfile"]
    else:
        differences, berry = _yarn_differences(package, lock_path)
        if berry:
            _check_berry_is_pinned(webapp, package)
        flag = "--immutable" if berry else "--frozen-lockfile"
        frozen = ["corepack", "yarn", "install", flag]
    if differences:
        listed = "; ".join(differences[:MAX_LISTED])
        if len(differences) > MAX_LISTED:
            listed += f"; and {len(differences) - MAX_LISTED} more"
        return _unfrozen(pm), f"{pm.lockfile} is out of sync with package.json ({listed})"
    return frozen, f"{pm.lockfile} is in sync"


def run_script_command(pm: PackageManager, script: str) -> list[str]:
    if pm.name == "npm":
        return ["npm", "run", script]
    return ["corepack", pm.name, "run", script]


def package_manager_env() -> dict[str, str]:
    """Environment defaults for running package managers unattended and reproducibly.

    corepack must not prompt before downloading pnpm/yarn, must not write a packageManager
    field into package.json (that would change the install key), and without that field it
    uses the release pinned in corepack itself rather than asking the registry for the latest
    (reproducible; also the "latest" lookup needs registry signatures that mirrors may lack).
    Meant as defaults: a value the user set in the environment should win.
    """
    return {
        "COREPACK_ENABLE_DOWNLOAD_PROMPT": "0",
        "COREPACK_ENABLE_AUTO_PIN": "0",
        "COREPACK_DEFAULT_TO_LATEST": "0",
        "npm_config_update_notifier": "false",
    }


def unfrozen_install_command(pm: PackageManager) -> list[str]:
    """The install that may update the lockfile (npm install), for when a frozen one refuses
    it."""
    return _unfrozen(pm)


def _unfrozen(pm: PackageManager) -> list[str]:
    if pm.name == "npm":
        return ["npm", "install"]
    if pm.name == "pnpm":
        # pnpm freezes the lockfile by default when CI is set; say it explicitly
        return ["corepack", "pnpm", "install", "--no-frozen-lockfile"]
    return ["corepack", "yarn", "install"]


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a boolean" if isinstance(value, bool) else "a number"


def _section(data: Mapping[str, Any], name: str) -> dict[str, str]:
    value = data.get(name)
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def _describe(name: str, wanted: str | None, locked: str | None, lockfile: str) -> str:
    wanted_text = wanted if wanted is not None else "nothing"
    locked_text = locked if locked is not None else "nothing"
    return f"{name}: {wanted_text} in package.json, {locked_text} in {lockfile}"


def _npm_differences(package: Mapping[str, Any], lock_path: Path) -> list[str]:
    try:
        lock = json.loads(lock_path.read_text("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return [f"{lock_path.name} is not valid JSON"]
    if not isinstance(lock, dict):
        return [f"{lock_path.name} is not a lockfile"]
    packages = lock.get("packages")
    if isinstance(packages, dict) and isinstance(packages.get(""), dict):
        root = packages[""]
        differences: list[str] = []
        for section in NPM_SECTIONS:
            wanted, locked = _section(package, section), _section(root, section)
            for name in sorted(wanted.keys() | locked.keys()):
                if wanted.get(name) != locked.get(name):
                    differences.append(
                        _describe(name, wanted.get(name), locked.get(name), lock_path.name)
                    )
        return differences
    # lockfileVersion 1 holds resolved versions, not ranges: compare names only
    locked_names = set(_section(lock, "dependencies"))
    return [
        _describe(name, wanted, None, lock_path.name)
        for section in INSTALL_SECTIONS
        for name, wanted in sorted(_section(package, section).items())
        if name not in locked_names
    ]


def _pnpm_differences(package: Mapping[str, Any], lock_path: Path) -> list[str]:
    import yaml  # only when an install runs: yaml is slow to import

    text = lock_path.read_text("utf-8", errors="replace")
    # The per-package data after "packages:" can be megabytes; only the head is needed.
    head = re.split(r"(?m)^packages:", text, maxsplit=1)[0]
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        lock = yaml.load(head, Loader=loader)
    except yaml.YAMLError:
        return [f"{lock_path.name} is not valid YAML"]
    if not isinstance(lock, dict):
        return [f"{lock_path.name} is not a lockfile"]
    importers = lock.get("importers")
    project = importers.get(".") if isinstance(importers, dict) else lock
    if not isinstance(project, dict):
        return []  # a layout this check does not know: let pnpm decide
    old_specifiers = _section(project, "specifiers")  # lockfile v5
    differences: list[str] = []
    for section in INSTALL_SECTIONS:
        wanted = _section(package, section)
        raw = project.get(section)
        locked: dict[str, str] = {}
        if isinstance(raw, dict):
            for name, entry in raw.items():
                if isinstance(entry, dict) and "specifier" in entry:
                    locked[str(name)] = str(entry["specifier"])
                elif str(name) in old_specifiers:
                    locked[str(name)] = old_specifiers[str(name)]
        for name in sorted(wanted.keys() | locked.keys()):
            if wanted.get(name) != locked.get(name):
                differences.append(
                    _describe(name, wanted.get(name), locked.get(name), lock_path.name)
                )
    return differences


def _yarn_differences(package: Mapping[str, Any], lock_path: Path) -> tuple[list[str], bool]:
    """Differences, and whether this is a Yarn 2+ ("berry") lockfile."""
    text = lock_path.read_text("utf-8", errors="replace")
    berry = re.search(r"(?m)^__metadata:", text) is not None
    descriptors: set[str] = set()
    for line in text.splitlines():
        if not line or line[0] in " #\t" or not line.endswith(":"):
            continue
        for item in line[:-1].split(","):
            descriptors.add(item.strip().strip('"'))
    differences: list[str] = []
    for section in INSTALL_SECTIONS:
        for name, wanted in sorted(_section(package, section).items()):
            if f"{name}@{wanted}" not in descriptors and f"{name}@npm:{wanted}" not in descriptors:
                differences.append(f"{name}@{wanted} is not in {lock_path.name}")
    return differences, berry


def _check_berry_is_pinned(webapp: Path, package: Mapping[str, Any]) -> None:
    """Without a packageManager field corepack runs Yarn 1, which cannot read this lockfile."""
    if package.get("packageManager"):
        return
    yarnrc = webapp / ".yarnrc.yml"
    if yarnrc.is_file() and re.search(r"(?m)^yarnPath:", yarnrc.read_text("utf-8", "replace")):
        return  # Yarn 1 hands over to the release that yarnPath names
    raise UserError(
        f"{webapp / 'yarn.lock'} is a Yarn 2+ lockfile but package.json has no "
        '"packageManager" field: add one, e.g. "packageManager": "yarn@4.5.3" '
        "(otherwise corepack runs Yarn 1)"
    )
