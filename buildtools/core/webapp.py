"""Facts about the user's webapp folder: its package.json, build script and output folder."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from buildtools.config.load import Config
from buildtools.envnames import BUILD_ENV_NAMES, BUILD_ENV_PREFIXES
from buildtools.errors import UserError
from buildtools.filenames import WEBPACK_CONFIGS
from buildtools.node.packagemanager import read_package_json
from buildtools.util.reads import Reads

_WEBPACK_OUTPUT = re.compile(
    r"path\s*:\s*path\.(?:join|resolve)\(\s*__dirname\s*,\s*[\"'`]([^\"'`]+)[\"'`]"
)
# output: { path: __dirname, filename: "build/bundle.js" } (either order, one object)
_WEBPACK_DIRNAME_OUTPUT = re.compile(
    r"output\s*:\s*\{(?=[^{}]*\bpath\s*:\s*(?:path\.(?:resolve|join)\(\s*)?__dirname\s*\)?\s*[,}])"
    r"[^{}]*\bfilename\s*:\s*[\"'`](?P<filename>[^\"'`\[]+)[\"'`]"
)


def checked_package_json(config: Config, reads: Reads | None = None) -> dict[str, Any]:
    """package.json, after checking that it defines the configured build script."""
    if reads is not None:
        reads.stat(config.webapp.source / "package.json")  # before it is read
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


def output_folder(config: Config, package: dict[str, Any], reads: Reads | None = None) -> str:
    """The folder (relative to the webapp) that the build writes. `reads`: where the webpack
    configs looked at are noted (buildtools.util.reads)."""
    reads = reads if reads is not None else Reads({})
    if config.webapp.output:
        return config.webapp.output.strip("/")
    script = str((package.get("scripts") or {}).get(config.webapp.build_command, ""))
    if "react-scripts" in script:
        return "build"
    if "next" in script.split():
        return "out"
    if "webpack" in script:
        for name in WEBPACK_CONFIGS:
            text = reads.read_text(config.webapp.source / name)
            found = webpack_output(text) if text is not None else ""
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


def build_env(names: tuple[str, ...], reads: Reads) -> dict[str, str]:
    """The environment variables whose values the bundlers read, by name."""
    found = reads.env_prefixed(BUILD_ENV_PREFIXES)
    for name in (*BUILD_ENV_NAMES, *names):
        value = reads.env(name)
        if value is not None:
            found[name] = value
    return dict(sorted(found.items()))


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
