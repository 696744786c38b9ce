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
    environ: Mapping[str, str] | None = None,
) -> str:
    """The URL of an extra_source_dir file that a unit's task_data can hold, valid for `ttl`
    seconds: `signed_url("TestImg.png")` -> `/TestImg.png?md5=...&expires=...`.

    The secret comes from BUILDTOOLS_ASSET_SECRET, the value the server was given. When the
    project (`config`, else the one found in the current folder) offloads its assets to object
    storage, the URL is the store's presigned URL instead (or the plain one unless signed).
    """
    env = os.environ if environ is None else environ
    check_ttl(ttl)
    config = config if config is not None else _project_config(env)
    if config is not None and config.assets.offload:
        return offloaded_url(config, path, ttl, env)
    return sign(path, ttl, asset_secret(env))


def _project_config(environ: Mapping[str, str]) -> Config | None:
    """The configuration of the project in the current folder; None when there is none."""
    try:
        found = find_config(Path.cwd(), environ)
    except UserError:
        return None
    return load_config_file(found, environ)
