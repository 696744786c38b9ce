"""The URL of an asset that a unit's task data holds: signed for the server we deploy, or the
bucket's when the project offloads its assets (buildtools.deploy.offload). Public as
`buildtools.assets.signed_url`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from buildtools.assets.signing import asset_secret, check_ttl, sign
from buildtools.config.load import find_config, load_config_file
from buildtools.config.model import Config
from buildtools.deploy.offload import offloaded_url
from buildtools.errors import UserError


def signed_url(
    path: str,
    ttl: int = 3600,
    *,
    config: Config | None = None,
    project: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The URL of an extra_source_dir file that a unit's task_data can hold, valid for `ttl`
    seconds: `signed_url("TestImg.png", project=HERE)` -> `/TestImg.png?md5=...&expires=...`.

    The project is named, never guessed from the current folder (Hydra and Mephisto change
    it): `config` (a loaded Config; the fastest when signing many URLs), or `project` (its
    folder, its configuration file, or the task script's `__file__`). The secret comes from
    BUILDTOOLS_ASSET_SECRET, the value the server was given. When the project offloads its
    assets to object storage, the URL is the store's presigned URL instead (or the plain one
    unless signed).
    """
    env = os.environ if environ is None else environ
    check_ttl(ttl)
    if config is None:
        config = project_config(project, env)
    if config.assets.offload:
        return offloaded_url(config, path, ttl, env)
    return sign(path, ttl, asset_secret(env))


def project_config(project: str | os.PathLike[str] | None,
                   environ: Mapping[str, str]) -> Config:
    """The configuration of the named project: a folder (its buildtools.toml, pyproject.toml
    or Mephisto YAML, as `buildtools` finds it from there) or a configuration file."""
    if project is None:
        raise UserError(
            "signed_url: name the project the file belongs to: signed_url(path, "
            "project=<the folder of its buildtools.toml>) or config=<a loaded Config>; the "
            "current folder is not used"
        )
    where = Path(project).expanduser().resolve()
    if where.is_file() and where.suffix not in (".toml", ".yaml", ".yml"):
        where = where.parent  # project=__file__ of the task script
    found = where if where.is_file() else find_config(where, environ)
    return load_config_file(found, environ)
