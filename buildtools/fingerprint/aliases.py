"""The folders and files that a webpack or Vite config aliases (`resolve.alias`), read from the
config's text where they are written as literal paths:

    "mephisto-core": path.resolve(__dirname, "../../../packages/mephisto-core"),
    { find: "@lib", replacement: fileURLToPath(new URL("../lib", import.meta.url)) },

Only what stands inside an `alias` block counts (an output path is not an input). A path built
from variables cannot be read this way; `[webapp] inputs` names such inputs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from buildtools.filenames import BUNDLER_CONFIGS

_ALIAS = re.compile(r"\balias\s*[:=]\s*")
_STRING = r"""(?:"[^"\\$]*"|'[^'\\$]*'|`[^`\\$]*`)"""
# path.resolve(__dirname, "a", "b") / join(...) / resolve("./a"): literal strings only
_PATH_CALL = re.compile(
    r"\b(?:path\s*\.\s*)?(?:resolve|join)\s*\(\s*"
    r"(?P<base>__dirname\s*,\s*|process\s*\.\s*cwd\s*\(\s*\)\s*,\s*)?"
    rf"(?P<parts>{_STRING}(?:\s*,\s*{_STRING})*)\s*,?\s*\)"
)
_URL = re.compile(
    rf"\bnew\s+URL\s*\(\s*(?P<part>{_STRING})\s*,\s*import\s*\.\s*meta\s*\.\s*url\s*\)"
)
_PART = re.compile(_STRING)
_OPENERS = {"{": "}", "[": "]"}


def alias_blocks(text: str) -> list[str]:
    """The text of each `alias: {...}` / `alias: [...]` / `alias = {...}` block."""
    blocks = []
    for match in _ALIAS.finditer(text):
        start = match.end()
        if start >= len(text) or text[start] not in _OPENERS:
            continue
        end = _closing(text, start)
        if end is not None:
            blocks.append(text[start:end + 1])
    return blocks


def _closing(text: str, start: int) -> int | None:
    """The index of the bracket closing the one at `start` (brackets in strings and comments
    skipped: "// Mephisto's packages" opens no string)."""
    depth = 0
    quote = ""
    index = start
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif text.startswith("//", index):
            index = text.find("\n", index)
            if index < 0:
                return None
        elif text.startswith("/*", index):
            index = text.find("*/", index + 2) + 1
            if index <= 0:
                return None
        elif char in "\"'`":
            quote = char
        elif char in "{[(":
            depth += 1
        elif char in "}])":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None


def alias_targets(config_file: Path) -> list[Path]:
    """The paths the aliases of one bundler config point to (normalised, maybe absent)."""
    try:
        text = config_file.read_text("utf-8", errors="replace")
    except OSError:
        return []
    folder = config_file.parent
    found: list[Path] = []
    for block in alias_blocks(text):
        for call in _PATH_CALL.finditer(block):
            parts = [part[1:-1] for part in _PART.findall(call.group("parts"))]
            found.append(_normal(folder, *parts))
        for url in _URL.finditer(block):
            found.append(_normal(folder, url.group("part")[1:-1]))
    return found


def _normal(folder: Path, *parts: str) -> Path:
    # The config's folder is the webapp: __dirname, import.meta.url and npm's cwd all are
    return Path(os.path.normpath(os.path.join(folder, *parts)))


def bundler_alias_targets(webapp: Path, seen: Callable[[Path], None] | None = None
                          ) -> list[tuple[str, Path]]:
    """(config file name, target) for every alias target of the webapp's bundler configs.
    `seen` is told each config file looked at, before it is read."""
    found: list[tuple[str, Path]] = []
    for name in BUNDLER_CONFIGS:
        config_file = webapp / name
        if seen is not None:
            seen(config_file)
        if config_file.is_file():
            found.extend((name, target) for target in alias_targets(config_file))
    return found
