"""Read a Mephisto Hydra YAML as Mephisto reads it, into the same tables as buildtools.toml.

- `${task_dir}` is the task folder (the one above hydra_configs/conf/ or conf/), `${a.b}` another
  value of the config, `${oc.env:NAME}` an environment variable; files named in the defaults
  list (`- base`) are read first and overridden by this one, as Hydra composes them;
- mephisto.blueprint.task_source names the bundle: the webapp is the nearest folder above it
  with a package.json, the output the folder it lies in; the build command is Mephisto's `dev`,
  or the one script whose webpack config names that file (mephisto_scripts);
  task_source_review adds the script that builds the review bundle; custom_source_bundle and
  custom_source_dir (ParlAI) work the same way; an .html task_source needs no npm at all;
- the architect (`- /mephisto/architect: local` or mephisto.architect._architect_type) is the
  one `doit deploy` packages; mock packages none; a name Mephisto does not know is an error;
- a `buildtools:` mapping holds buildtools-only settings: webapp keys (node, build_env...)
  directly or in `webapp:`, and the deploy, cache, assets tables. Mephisto composes its config
  in Hydra's struct mode, which refuses a top-level key its TaskConfig does not declare: so the
  mapping may also stand in `buildtools.yaml` beside the YAML (a file Hydra never composes
  unless asked to); the YAML's own mapping, where the script allows one, wins; either wins over
  mephisto.task's force_rebuild and post_install_script;
- a mephisto key that Mephisto does not define is a warning naming the closest valid key.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buildtools.config import mephisto_keys as keys
from buildtools.config.hydra import composed, expanded, load_yaml, task_dir
from buildtools.config.mephisto_scripts import main_command, review_command
from buildtools.config.schema import closest
from buildtools.config.tables import (
    BUILD_SETTINGS_IN_TASK,
    TASK_FIELDS,
    TOP_LEVEL,
    WEBAPP_FIELDS,
)
from buildtools.errors import UserError

SETTINGS_FILE = "buildtools.yaml"  # buildtools-only settings beside a Mephisto YAML


@dataclass(frozen=True)
class MephistoYaml:
    tables: dict[str, Any]
    root: Path  # Mephisto's ${task_dir}
    warnings: tuple[str, ...]
    # what errors call a setting: "task.task_reward" -> "example.yaml: mephisto.task.task_reward"
    names: dict[str, str]


def read_mephisto_yaml(path: Path, environ: Mapping[str, str] | None = None) -> MephistoYaml:
    environ = os.environ if environ is None else environ
    data, groups = composed(path)
    name = path.name
    if not isinstance(data.get("mephisto"), dict):
        raise UserError(f"{name}: no 'mephisto:' section; is this a Mephisto task config?")
    root = task_dir(path, data)
    data = expanded(data, data, root, environ, name=name)
    mephisto = data["mephisto"]
    sections = {key: _section(name, mephisto, key) for key in ("blueprint", "task", "architect",
                                                               "provider")}
    warnings = _unknown_keys(name, mephisto, sections)
    tables = {
        "webapp": _webapp(name, sections["blueprint"], root),
        "task": {key: value for key, value in sections["task"].items() if key in TASK_FIELDS},
    }
    architect = _architect(name, sections["architect"], groups)
    if architect:
        tables["deploy"] = {"architects": list(keys.ARCHITECT_TARGETS[architect])}
    provider = sections["provider"].get("_provider_type") or groups.get("provider")
    wrapper = _installed_crowd_wrapper(provider if isinstance(provider, str) else "mock")
    if wrapper is not None:
        tables.setdefault("deploy", {})["crowd_wrapper"] = str(wrapper)
    names = {f"task.{key}": f"{name}: mephisto.task.{key}" for key in tables["task"]}
    beside = path.parent / SETTINGS_FILE
    if beside.is_file() and beside != path:
        settings = load_yaml(beside).get("buildtools", {})
        _apply_buildtools(beside.name, tables, settings)
        _name_keys("", f"{beside.name}: buildtools", settings, names)
    _apply_buildtools(name, tables, data.get("buildtools"))
    _name_keys("", f"{name}: buildtools", data.get("buildtools"), names)
    return MephistoYaml(tables, root, tuple(warnings), names)


def _architect(name: str, section: dict[str, Any], groups: dict[str, str]) -> str:
    """The architect the YAML names ("" when none); a name Mephisto does not know (a typo such
    as herokuu) is an error, as it is when Mephisto runs the task."""
    given = section.get("_architect_type")
    where = "mephisto.architect._architect_type"
    if not given:
        given, where = groups.get("architect"), "- /mephisto/architect in its defaults list"
    if not isinstance(given, str) or not given or given in keys.ARCHITECT_TARGETS:
        return given if isinstance(given, str) else ""
    hint = closest(given, list(keys.ARCHITECT_TARGETS))
    raise UserError(
        f"{name}: architect '{given}' ({where}) is not one of Mephisto's architects: "
        f"{', '.join(keys.ARCHITECT_TARGETS)}" + (f"; did you mean '{hint}'?" if hint else "")
    )


def _name_keys(table: str, where: str, mapping: Any, names: dict[str, str]) -> None:
    """What the `buildtools:` mapping calls each setting: "webapp.output" is buildtools.output
    or buildtools.webapp.output, "deploy.heroku.max_slug_mb" buildtools.deploy.heroku...."""
    if not isinstance(mapping, dict):
        return
    for key, value in mapping.items():
        inner = f"{table}.{key}" if table else ("webapp." if key in WEBAPP_FIELDS else "") + key
        if isinstance(value, dict):
            _name_keys(inner, f"{where}.{key}", value, names)
        else:
            names[inner] = f"{where}.{key}"


def _section(name: str, mephisto: dict[str, Any], key: str) -> dict[str, Any]:
    value = mephisto.get(key) or {}
    if not isinstance(value, dict):
        raise UserError(f"{name}: mephisto.{key} must be a mapping")
    return value


# ---------------------------------------------------------------- mapping


def _webapp(name: str, blueprint: dict[str, Any], root: Path) -> dict[str, Any]:
    webapp: dict[str, Any] = {"build_command": keys.DEFAULT_BUILD_COMMAND}
    extra = blueprint.get("extra_source_dir")
    if isinstance(extra, str) and extra:
        webapp["extra_source_dir"] = extra
    bundle = _string(blueprint, "custom_source_bundle") or _string(blueprint, "task_source")
    custom_dir = _string(blueprint, "custom_source_dir")
    if bundle.endswith((".html", ".htm")):
        page = _absolute(bundle, root)
        webapp.update(source=str(page.parent), page=str(page))
        return webapp
    if bundle:
        folder, output = _webapp_of(name, "task_source", _absolute(bundle, root), root)
    elif custom_dir:
        folder = _absolute(custom_dir, root)
        if not (folder / "package.json").is_file():
            raise UserError(
                f"{name}: mephisto.blueprint.custom_source_dir: {folder} has no package.json; "
                "Mephisto builds such a folder inside its own ParlAI webapp, buildtools does "
                "not: make it a webapp (package.json, a `dev` script writing build/bundle.js) "
                "or point custom_source_bundle at a bundle"
            )
        output = "build"
    else:
        return webapp
    webapp.update(source=str(folder), output=output)
    if bundle:
        webapp["build_command"] = main_command(name, folder, _absolute(bundle, root))
    review = _string(blueprint, "task_source_review")
    if review:
        target = _absolute(review, root)
        if _webapp_of(name, "task_source_review", target, root)[0] != folder:
            raise UserError(f"{name}: mephisto.blueprint.task_source_review: {target} is not in "
                            f"the webapp of task_source ({folder}); buildtools builds one webapp")
        webapp["extra_build_commands"] = [review_command(name, folder, target)]
    return webapp


def _string(section: dict[str, Any], key: str) -> str:
    value = section.get(key)
    return value if isinstance(value, str) else ""


def _absolute(value: str, root: Path) -> Path:
    path = Path(os.path.expanduser(value))
    return Path(os.path.normpath(path if path.is_absolute() else root / path))


def _webapp_of(name: str, key: str, target: Path, root: Path) -> tuple[Path, str]:
    """webapp/build/bundle.js -> (webapp, "build"): the nearest folder with a package.json."""
    for folder in target.parents:
        if (folder / "package.json").is_file():
            output = target.parent.relative_to(folder).as_posix()
            return folder, "" if output == "." else output
        if folder == root.parent or folder == folder.parent:
            break
    raise UserError(
        f"{name}: mephisto.blueprint.{key}: no package.json found above {target}; point it "
        "into the build folder of a webapp"
    )


def _installed_crowd_wrapper(provider: str) -> Path | None:
    """wrap_crowd_source.js of the provider in an installed Mephisto (found, not imported)."""
    try:
        spec = importlib.util.find_spec("mephisto")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        wrapper = Path(location) / "abstractions" / "providers" / provider / "wrap_crowd_source.js"
        if wrapper.is_file():
            return wrapper
    return None


def _apply_buildtools(name: str, tables: dict[str, Any], mapping: Any) -> None:
    """The `buildtools:` mapping: webapp keys directly or in `webapp:`, and whole tables."""
    if mapping is None:
        return
    if not isinstance(mapping, dict):
        raise UserError(f"{name}: buildtools: must be a mapping of buildtools settings")
    for key, value in mapping.items():
        if key in WEBAPP_FIELDS:
            tables.setdefault("webapp", {})[key] = value
            _drop_task_copy(tables, key)
        elif key in TOP_LEVEL and isinstance(value, dict):
            tables.setdefault(key, {}).update(value)
        elif key in TOP_LEVEL:
            raise UserError(f"{name}: buildtools.{key} must be a mapping")
        else:
            hint = closest(key, [*WEBAPP_FIELDS, *TOP_LEVEL])
            suggestion = f"did you mean '{hint}'?" if hint else (
                f"valid keys: {', '.join([*WEBAPP_FIELDS, *TOP_LEVEL])}")
            raise UserError(f"{name}: buildtools: unknown key '{key}'; {suggestion}")


def _drop_task_copy(tables: dict[str, Any], key: str) -> None:
    """A build setting that the task YAML also has under mephisto.task (force_rebuild: true in
    every form_composer YAML): the `buildtools:` mapping, read after it, wins."""
    if key in BUILD_SETTINGS_IN_TASK:
        tables.get("task", {}).pop(key, None)


def _unknown_keys(name: str, mephisto: dict[str, Any],
                  sections: dict[str, dict[str, Any]]) -> list[str]:
    warnings: list[str] = []
    known_in = {"mephisto": keys.MEPHISTO_SECTIONS, "mephisto.task": keys.TASK_KEYS,
                "mephisto.blueprint": keys.BLUEPRINT_KEYS,
                "mephisto.architect": keys.ARCHITECT_KEYS}
    found = {"mephisto": mephisto, "mephisto.task": sections["task"],
             "mephisto.blueprint": sections["blueprint"],
             "mephisto.architect": sections["architect"]}
    for where, known in known_in.items():
        for key in found[where]:
            if key in known:
                continue
            text = f"{name}: {where}.{key} is neither a Mephisto nor a buildtools setting"
            hint = closest(str(key), sorted(known))
            if key in WEBAPP_FIELDS:
                text += f"; buildtools settings go under `buildtools:` (buildtools.{key})"
            elif hint:
                text += f"; did you mean '{hint}'?"
            warnings.append(text)
    return warnings
