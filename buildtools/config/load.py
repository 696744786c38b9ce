"""Load and validate the configuration: buildtools.toml, [tool.buildtools] in pyproject.toml,
or a Mephisto-style Hydra YAML. Every error names the file and the key."""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, from PyPI
    import tomli as tomllib

from buildtools.config.assets import STATIC_FIELDS, read_assets, static_settings
from buildtools.config.cachedir import user_cache_dir
from buildtools.config.discovery import find_config, read_config_text
from buildtools.config.model import (
    CacheConfig,
    Config,
    DeployConfig,
    Ec2Settings,
    HerokuSettings,
    LocalSettings,
    WebappConfig,
)
from buildtools.config.schema import REQUIRED, unknown_key_error, validate_table
from buildtools.config.tables import (
    BUILD_SETTINGS_IN_TASK,
    CACHE_FIELDS,
    DEPLOY_FIELDS,
    EC2_FIELDS,
    HEROKU_FIELDS,
    KNOWN_ARCHITECTS,
    LOCAL_FIELDS,
    TASK_FIELDS,
    TOP_LEVEL,
    WEBAPP_FIELDS,
)
from buildtools.envnames import FORCE_ENV
from buildtools.util.reads import Reads, signature

# The names the rest of buildtools imports from here
__all__ = ["KNOWN_ARCHITECTS", "TASK_FIELDS", "CacheConfig", "Config", "build_config",
           "find_config", "load_config", "load_config_file", "read_config_text",
           "user_cache_dir"]
from buildtools.errors import UserError

# ---------------------------------------------------------------- loading


def load_config(start: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    reads = Reads(os.environ if env is None else env)
    start = (start or Path.cwd()).resolve()
    path = find_config(start, reads.environ)
    return _loaded(path, reads)


def load_config_file(path: Path, env: Mapping[str, str] | None = None) -> Config:
    return _loaded(path, Reads(os.environ if env is None else env))


def _loaded(path: Path, reads: Reads) -> Config:
    """The config, with the signature of its file taken before it was read and the names of
    the variables that loading it looked up (for the no-op record)."""
    info = reads.stat(path, follow=True)
    config = _load_file(path, reads.environ)
    return dataclasses.replace(
        config, environ_read=frozenset(reads.names),
        file_signature=None if info is None else signature(info))


def _load_file(path: Path, env: Mapping[str, str]) -> Config:
    source = path.name
    if path.suffix in (".yaml", ".yml"):
        from buildtools.config.mephisto_yaml import read_mephisto_yaml  # YAML configs only

        parsed = read_mephisto_yaml(path, env)
        config = build_config(parsed.tables, path=path.resolve(), root=parsed.root.resolve(),
                              source=source, env=env, names=parsed.names)
        return dataclasses.replace(config, warnings=parsed.warnings)
    raw = _read_toml(path)
    root = path.parent
    if path.name == "pyproject.toml":
        source = "pyproject.toml [tool.buildtools]"
        tool = raw.get("tool", {})
        raw = tool.get("buildtools", {}) if isinstance(tool, dict) else {}
    return build_config(raw, path=path.resolve(), root=root.resolve(), source=source, env=env)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(read_config_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path.name}: not valid TOML: {exc}") from None


# ---------------------------------------------------------------- validation


def build_config(
    raw: Mapping[str, Any], *, path: Path, root: Path, source: str, env: Mapping[str, str],
    names: Mapping[str, str] | None = None,
) -> Config:
    """The Config of the tables `raw`; `names` maps "table.key" to where the setting stands,
    for errors (schema.validate_table)."""
    for key in raw:
        if key not in TOP_LEVEL:
            raise _unknown_top_level(source, key)
    if "webapp" not in raw and "task" not in raw:
        raise UserError(
            f"{source}: no [webapp] and no [task] table; say where the webapp is ([webapp] "
            "source) and what the task is ([task] task_title...): see 'buildtools new'"
        )
    webapp = validate_table(source, "webapp", raw.get("webapp", {}), WEBAPP_FIELDS, names)
    task = validate_table(source, "task", raw.get("task", {}), TASK_FIELDS, names)
    deploy = validate_table(source, "deploy", raw.get("deploy", {}), DEPLOY_FIELDS, names)
    cache = validate_table(source, "cache", raw.get("cache", {}), CACHE_FIELDS, names)

    post_install = _merged(source, "post_install_script", webapp, task, "")
    force = _merged(source, "force_rebuild", webapp, task, False)
    if env.get(FORCE_ENV, "").strip().lower() in ("1", "true", "yes", "on"):
        force = True

    source_dir = _resolve(root, webapp["source"])
    template = _resolve(root, webapp["template"]) if webapp["template"] else None
    if template is not None and not template.is_dir():
        raise UserError(f"{source}: [webapp] template: folder '{webapp['template']}' not found")
    if template is None and not source_dir.is_dir():
        raise UserError(
            f"{source}: [webapp] source: folder '{webapp['source']}' not found "
            f"(looked for {source_dir})"
        )
    extra: Path | None = None
    if webapp["extra_source_dir"]:
        extra = _resolve(root, webapp["extra_source_dir"])
        if not extra.is_dir():
            raise UserError(
                f"{source}: [webapp] extra_source_dir: folder '{webapp['extra_source_dir']}' "
                f"not found (looked for {extra})"
            )
    if post_install:
        script = Path(os.path.normpath(source_dir / post_install))
        if not script.is_relative_to(source_dir):
            raise UserError(
                f"{source}: [webapp] post_install_script: '{post_install}' lies outside the "
                f"webapp folder {webapp['source']}; put the script inside it"
            )
        if template is None and not script.is_file():
            raise UserError(
                f"{source}: [webapp] post_install_script: '{post_install}' not found in "
                f"{webapp['source']}/"
            )

    for table, fields in (
        ("local", LOCAL_FIELDS),
        ("heroku", HEROKU_FIELDS),
        ("ec2", EC2_FIELDS),
        ("static", STATIC_FIELDS),
    ):
        deploy[table] = validate_table(source, f"deploy.{table}", deploy[table], fields, names)
    static = static_settings(deploy["static"])
    assets = read_assets(source, raw.get("assets", {}), static)

    task = {key: value for key, value in task.items() if value is not REQUIRED}
    if not task.get("task_name"):
        task["task_name"] = source_dir.name
    # Build settings may stand in [task] (as in Mephisto's task config), but task_config.json
    # is served to workers: it carries the task settings only
    for build_setting in BUILD_SETTINGS_IN_TASK:
        task.pop(build_setting, None)

    return Config(
        path=path,
        root=root,
        webapp=WebappConfig(
            source=source_dir,
            build_command=webapp["build_command"],
            output=webapp["output"],
            post_install_script=post_install,
            force_rebuild=force,
            extra_source_dir=extra,
            extra_source_allow=tuple(webapp["extra_source_allow"]),
            node=webapp["node"],
            node_mirror=webapp["node_mirror"],
            build_env=tuple(webapp["build_env"]),
            template=template,
            inputs=_inputs(source, root, webapp["inputs"]),
            extra_build_commands=tuple(webapp["extra_build_commands"]),
            page=_existing_file(source, root, "webapp", "page", webapp["page"]),
            output_allow=tuple(webapp["output_allow"]),
        ),
        task=task,
        deploy=DeployConfig(
            architects=tuple(deploy["architects"]),
            out=_resolve(root, deploy["out"]),
            local=LocalSettings(**deploy["local"]),
            heroku=HerokuSettings(**deploy["heroku"]),
            ec2=Ec2Settings(**deploy["ec2"]),
            static=static,
            crowd_wrapper=_existing_file(source, root, "deploy", "crowd_wrapper",
                                         deploy["crowd_wrapper"]),
        ),
        cache=CacheConfig(
            enabled=cache["enabled"],
            dir=_resolve(root, cache["dir"]) if cache["dir"] else user_cache_dir(env) / "cache",
            max_size_mb=cache["max_size_mb"],
            max_age_days=cache["max_age_days"],
            remote_url=cache["remote_url"],
            remote_team=cache["remote_team"],
            remote_token_env=cache["remote_token_env"],
            signature_key_env=cache["signature_key_env"],
            remote_timeout_s=cache["remote_timeout_s"],
            remote_max_mb=cache["remote_max_mb"],
        ),
        assets=assets,
    )


def _inputs(source: str, root: Path, values: list[str]) -> tuple[Path, ...]:
    found = []
    for value in values:
        path = _resolve(root, value)
        if not path.exists():
            raise UserError(
                f"{source}: [webapp] inputs: '{value}' not found (looked for {path}); "
                "name files or folders that exist, relative to this file"
            )
        found.append(path)
    return tuple(found)
def _existing_file(source: str, root: Path, table: str, key: str, value: str) -> Path | None:
    if not value:
        return None
    path = _resolve(root, value)
    if not path.is_file():
        raise UserError(f"{source}: [{table}] {key}: file '{value}' not found (looked for {path})")
    return path


def _unknown_top_level(source: str, key: str) -> UserError:
    error = unknown_key_error(source, "", key, list(TOP_LEVEL))
    return UserError(str(error).replace("[] unknown key", "unknown table"))


def _merged(source: str, key: str, webapp: dict[str, Any], task: dict[str, Any], empty: Any) -> Any:
    """post_install_script and force_rebuild may stand in [webapp] or [task], not differ."""
    in_webapp, in_task = webapp[key], task[key]
    if in_webapp != empty and in_task != empty and in_webapp != in_task:
        raise UserError(
            f"{source}: {key} is {in_webapp!r} in [webapp] but {in_task!r} in [task]; "
            "keep one of them"
        )
    return in_webapp if in_webapp != empty else in_task


def _resolve(root: Path, value: str) -> Path:
    return Path(os.path.normpath(root / os.path.expanduser(value)))
