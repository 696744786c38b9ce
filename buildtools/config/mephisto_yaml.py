"""Read a Mephisto-style Hydra YAML (mephisto.task.*, mephisto.blueprint.*, mephisto.architect.*)
into the same tables as buildtools.toml."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from buildtools.config.tables import TASK_FIELDS
from buildtools.errors import UserError

_INTERPOLATION = re.compile(r"\$\{([^}]+)\}")
_BUILD_DIRS = ("build", "dist", "out")


def read_mephisto_yaml(path: Path) -> tuple[dict[str, Any], Path]:
    """Return (tables, root): root is Mephisto's ${task_dir}, the folder above conf/."""
    import yaml

    from buildtools.config.load import read_config_text

    try:
        data = yaml.safe_load(read_config_text(path)) or {}
    except yaml.YAMLError as exc:
        raise UserError(f"{path.name}: not valid YAML: {exc}".replace("\n", " ")) from None
    if not isinstance(data, dict) or not isinstance(data.get("mephisto"), dict):
        raise UserError(f"{path.name}: no 'mephisto:' section; is this a Mephisto task config?")
    root = path.parent.parent if path.parent.name in ("conf", "hydra_configs") else path.parent
    if path.parent.name == "conf" and path.parent.parent.name == "hydra_configs":
        root = path.parent.parent.parent
    mephisto = data["mephisto"]
    blueprint = _table(path, mephisto, "blueprint")
    task = dict(_table(path, mephisto, "task"))
    architect = _table(path, mephisto, "architect")

    webapp: dict[str, Any] = {}
    task_source = blueprint.get("task_source")
    if isinstance(task_source, str) and task_source:
        source, output = _webapp_from_task_source(_expand(task_source, root), root, path)
        webapp["source"] = source
        if output:
            webapp["output"] = output
    extra = blueprint.get("extra_source_dir")
    if isinstance(extra, str) and extra:
        webapp["extra_source_dir"] = _expand(extra, root)

    task = {key: value for key, value in task.items() if key in TASK_FIELDS}
    tables: dict[str, Any] = {"webapp": webapp, "task": task}
    name = architect.get("_architect_")
    if isinstance(name, str) and name:
        tables["deploy"] = {"architects": [name]}
    return tables, root


def _table(path: Path, mephisto: dict[str, Any], key: str) -> dict[str, Any]:
    value = mephisto.get(key) or {}
    if not isinstance(value, dict):
        raise UserError(f"{path.name}: mephisto.{key} must be a mapping")
    return value


def _expand(value: str, root: Path) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name == "task_dir":
            return str(root)
        return match.group(0)

    return _INTERPOLATION.sub(replace, value)


def _webapp_from_task_source(task_source: str, root: Path, path: Path) -> tuple[str, str]:
    """webapp/build/bundle.js -> ("webapp", "build"): the nearest folder with package.json."""
    target = Path(task_source)
    if not target.is_absolute():
        target = root / target
    for folder in [target.parent, *target.parent.parents]:
        if (folder / "package.json").is_file():
            relative = target.parent.relative_to(folder)
            first = relative.parts[0] if relative.parts else ""
            output = first if first in _BUILD_DIRS else ""
            return str(folder), output
        if folder == root.parent:
            break
    raise UserError(
        f"{path.name}: mephisto.blueprint.task_source: no package.json found above "
        f"{task_source}; point it into the webapp's build folder"
    )
