"""Which tasks a preview can stand in for: static ones (Mephisto's static_task and
static_react_task blueprints, or a buildtools project). Live tasks (parlai_chat and other
websocket blueprints) and remote-procedure tasks need Mephisto's backend at run time."""

from __future__ import annotations

from pathlib import Path

from buildtools.config.model import Config

STATIC_BLUEPRINTS = frozenset({"static_task", "static_react_task"})


def blueprint_of(path: Path) -> str | None:
    """The blueprint a Mephisto Hydra YAML names in its defaults (`- /mephisto/blueprint: X`)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return None
    defaults = data.get("defaults") if isinstance(data, dict) else None
    for entry in defaults if isinstance(defaults, list) else ():
        if isinstance(entry, dict):
            for key, value in entry.items():
                if str(key).lstrip("/").removeprefix("mephisto/") == "blueprint":
                    return str(value)
    return None


def out_of_scope(config: Config) -> str | None:
    """The line that says why this task cannot be previewed, or None when it can."""
    if config.path.suffix not in (".yaml", ".yml"):
        return None
    blueprint = blueprint_of(config.path)
    if blueprint is None or blueprint in STATIC_BLUEPRINTS:
        return None
    return (f"{config.path.name}: the {blueprint} blueprint is a live or remote-procedure task; "
            "preview serves static tasks only (static_task, static_react_task): launch it "
            "with Mephisto")
