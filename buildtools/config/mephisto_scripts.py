"""Which package.json script of a Mephisto webapp writes the bundle a Hydra YAML names:
task_source (`dev`, Mephisto's default, or the script whose webpack config names the file)
and task_source_review (the script whose webpack config names it, else `build:review`)."""

from __future__ import annotations

import re
from pathlib import Path

from buildtools.config import mephisto_keys as keys
from buildtools.errors import UserError
from buildtools.filenames import WEBPACK_CONFIGS
from buildtools.node.packagemanager import read_package_json


def review_command(name: str, webapp: Path, target: Path) -> str:
    """The script that writes the review bundle `target`: one whose webpack config names that
    file, else `build:review`."""
    scripts = read_package_json(webapp).get("scripts") or {}
    naming = [script for script, command in scripts.items()
              if _config_names(webapp, str(command), target.name)]
    if len(naming) == 1:
        return str(naming[0])
    if "build:review" in scripts:
        return "build:review"
    raise UserError(
        f"{name}: mephisto.blueprint.task_source_review: no script of {webapp.name}/"
        f"package.json writes {target.name} (looked for build:review); name it under "
        "buildtools: webapp: extra_build_commands"
    )


def main_command(name: str, webapp: Path, target: Path) -> str:
    """The script that writes task_source: Mephisto's `dev` when its webpack config names that
    file (or names none that can be read and the file is Mephisto's bundle.js), else the one
    script whose webpack config names it (form_composer's build/bundle.presigned_urls.js comes
    from build:presigned_urls); never a script that writes another app."""
    scripts = read_package_json(webapp).get("scripts") or {}
    default = keys.DEFAULT_BUILD_COMMAND
    naming = [str(script) for script, command in scripts.items()
              if _config_names(webapp, str(command), target.name)]
    if default in naming:
        return default
    if len(naming) == 1:
        return naming[0]
    if target.name == "bundle.js" and not naming:
        return default
    found = f"several do ({', '.join(naming)})" if naming else "none does"
    raise UserError(
        f"{name}: mephisto.blueprint.task_source: {target.name} must come from a script of "
        f"{webapp.name}/package.json whose webpack config names it, and {found}; name the "
        "script under buildtools: webapp: build_command"
    )


def _config_names(webapp: Path, command: str, file_name: str) -> bool:
    """Whether the webpack config that `command` runs (--config, else webpack.config.*) names
    `file_name` as a whole file name."""
    if "webpack" not in command:
        return False
    match = re.search(r"--config[= ]\s*['\"]?([^\s'\"]+)", command)
    configs = [match.group(1)] if match else list(WEBPACK_CONFIGS)
    named = re.compile(r"[\"'`/]" + re.escape(file_name) + r"[\"'`]")
    for config in configs:
        try:
            if named.search((webapp / config).read_text("utf-8", errors="replace")):
                return True
        except OSError:
            continue
    return False
