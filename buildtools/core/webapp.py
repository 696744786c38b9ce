"""Facts about the user's webapp folder: its package.json, build script and output folder."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from buildtools.config.load import Config
from buildtools.errors import UserError
from buildtools.filenames import WEBPACK_CONFIGS
from buildtools.layout import BUILD_ENV_NAMES, BUILD_ENV_PREFIXES
from buildtools.node.packagemanager import read_package_json

_WEBPACK_OUTPUT = re.compile(
    r"path\s*:\s*path\.(?:join|resolve)\(\s*__dirname\s*,\s*[\"'`]([^\"'`]+)[\"'`]"
)
# output: { path: __dirname, filename: "build/bundle.js" } (either order, one object)
_WEBPACK_DIRNAME_OUTPUT = re.compile(
    r"output\s*:\s*\{(?=[^{}]*\bpath\s*:\s*(?:path\.(?:resolve|join)\(\s*)?__dirname\s*\)?\s*[,}])"
    r"[^{}]*\bfilename\s*:\s*[\"'`](?P<filename>[^\"'`\[]+)[\"'`]"
)


def checked_package_json(config: Config) -> dict[str, Any]:
    """package.json, after checking that it defines the configured build script."""
    package = read_package_json(config.webapp.source, config.source_setting)
    scripts = package.get("scripts") or {}
    command = config.webapp.build_command
    if not isinstance(scripts, dict) or command not in scripts:
        defined = ", ".join(sorted(scripts)) if isinstance(scripts, dict) and scripts else "none"
        raise UserError(
            f"{config.display_name}: [webapp] build_command: package.json defines no script "
            f"'{command}'; it defines: {defined}"
        )
    return package


def output_folder(config: Config, package: dict[str, Any]) -> str:
    """The folder (relative to the webapp) that the build writes."""
    if config.webapp.output:
        return config.webapp.output.strip("/")
    script = str((package.get("scripts") or {}).get(config.webapp.build_command, ""))
    if "react-scripts" in script:
        return "build"
    if "next" in script.split():
        return "out"
    if "webpack" in script:
        for name in WEBPACK_CONFIGS:
            config_file = config.webapp.source / name
            if config_file.is_file():
                found = webpack_output(config_file.read_text("utf-8", errors="replace"))
                if found:
                    return found
        return "dist"
    return "dist"


def webpack_output(text: str) -> str:
    """The folder a webpack config writes, relative to its own folder, as far as its literal
    text says: output.path `path.resolve(__dirname, "build")`, or output.path `__dirname` with
    the folder in output.filename (`"build/bundle.js"`, as Mephisto's examples write it); ""
    when it does not say."""
    match = _WEBPACK_OUTPUT.search(text)
    if match:
        return match.group(1).strip("./") or ""
    dirname = _WEBPACK_DIRNAME_OUTPUT.search(text)
    if dirname is None:
        return ""
    folder = posixpath.dirname(posixpath.normpath(dirname.group("filename")))
    return "" if folder in ("", ".") or folder.startswith("..") else folder


def build_env(names: tuple[str, ...], environ: dict[str, str]) -> dict[str, str]:
    """The environment variables whose values the bundlers read, by name."""
    return {
        name: value
        for name, value in sorted(environ.items())
        if name.startswith(BUILD_ENV_PREFIXES) or name in BUILD_ENV_NAMES or name in names
    }


def engines_node(package: dict[str, Any]) -> str | None:
    engines = package.get("engines")
    if isinstance(engines, dict) and isinstance(engines.get("node"), str):
        return str(engines["node"])
    return None


def relative_to_webapp(config: Config, path: Path) -> str | None:
    try:
        return str(path.relative_to(config.webapp.source))
    except ValueError:
        return None
