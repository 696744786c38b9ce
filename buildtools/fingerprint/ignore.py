"""gitignore rules, compiled to regular expressions.

Each .gitignore applies to the folder holding it; later rules win; a rule ending in '/' matches
folders only; a rule with a '/' before its end is anchored to its folder, else it matches a name
at any depth. Rules are combined into one expression per folder when none negates, which keeps
the walk of a 100,000-file tree fast.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Rule:
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool


def _translate_glob(pattern: str) -> str:
    """Translate one gitignore glob (without anchoring) into a regex body."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "*":
            if pattern.startswith("**", i):
                at_segment_start = i == 0 or pattern[i - 1] == "/"
                after = pattern[i + 2 : i + 3]
                if at_segment_start and after == "/":
                    out.append("(?:.*/)?")
                    i += 3
                    continue
                if at_segment_start and after == "":
                    out.append(".*")
                    i += 2
                    continue
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "^") else i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end]
                if body[:1] in ("!", "^"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        elif char == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def parse_rule(line: str) -> Rule | None:
    line = line.rstrip("\n").rstrip("\r")
    if not line or line.startswith("#"):
        return None
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        stripped += " "
    line = stripped
    negate = line.startswith("!")
    if negate or line.startswith("\\!") or line.startswith("\\#"):
        line = line[1:]
    dir_only = line.endswith("/")
    line = line.rstrip("/")
    if not line:
        return None
    anchored = "/" in line
    line = line.lstrip("/")
    body = _translate_glob(line)
    prefix = "" if anchored else "(?:.*/)?"
    return Rule(re.compile(f"{prefix}{body}(?:/.*)?\\Z", re.DOTALL), negate, dir_only)


class IgnoreFile:
    """The rules of one .gitignore, matched against paths relative to its folder."""

    # What goes before a path relative to the scanned tree to make it relative to this file's
    # folder (see OuterIgnoreFile)
    path_to_tree = ""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self.has_negation = any(rule.negate for rule in rules)
        self._any_file: re.Pattern[str] | None = None
        self._any_dir: re.Pattern[str] | None = None
        if not self.has_negation:
            files = [rule.regex.pattern for rule in rules if not rule.dir_only]
            both = [rule.regex.pattern for rule in rules]
            self._any_file = re.compile("|".join(f"(?:{p})" for p in files)) if files else None
            self._any_dir = re.compile("|".join(f"(?:{p})" for p in both)) if both else None

    @classmethod
    def read(cls, path: Path) -> IgnoreFile | None:
        try:
            return cls.parse(path.read_bytes())
        except OSError:
            return None

    @classmethod
    def parse(cls, content: bytes) -> IgnoreFile | None:
        """The rules of a .gitignore's content; None when it has none."""
        text = content.decode("utf-8", errors="surrogateescape")
        rules = [rule for rule in map(parse_rule, text.splitlines()) if rule is not None]
        return cls(rules) if rules else None

    def any_match(self, is_dir: bool) -> re.Pattern[str] | None:
        """One expression that matches what some rule ignores, when no rule re-includes
        (None then): a match means ignored, no match means no opinion."""
        return self._any_dir if is_dir else self._any_file

    def decide(self, relative: str, is_dir: bool) -> bool | None:
        """True: ignored; False: re-included by a '!' rule; None: no rule matched."""
        return self._decide(relative, is_dir)

    def _decide(self, relative: str, is_dir: bool) -> bool | None:
        if not self.has_negation:
            pattern = self._any_dir if is_dir else self._any_file
            return True if pattern is not None and pattern.match(relative) else None
        verdict: bool | None = None
        for rule in self.rules:
            if rule.dir_only and not is_dir:
                continue
            if rule.regex.match(relative):
                verdict = not rule.negate
        return verdict


class OuterIgnoreFile(IgnoreFile):
    """A .gitignore of a folder above the scanned tree: its rules see paths from its folder."""

    def __init__(self, rules: list[Rule], path_to_tree: str) -> None:
        super().__init__(rules)
        self.path_to_tree = path_to_tree  # e.g. "webapp/" for the repository's top .gitignore

    def decide(self, relative: str, is_dir: bool) -> bool | None:
        return self._decide(self.path_to_tree + relative, is_dir)


def kept(ignores: Sequence[tuple[str, IgnoreFile]], folder: str, names: list[str],
         is_dir: bool) -> list[str]:
    """The names of one folder that the .gitignore files in `ignores` do not ignore.

    `folder` is the folder's path relative to the scanned tree ("" or ending in "/");
    `ignores` holds (the path of the folder each file applies from, its rules), outermost
    first. The deepest file with an opinion decides, as in git. The names are decided folder
    by folder and file by file, without a call per name where no rule re-includes."""
    undecided = names
    included: list[str] = []
    for base, rules in reversed(ignores):
        if not undecided:
            break
        prefix = rules.path_to_tree + folder[len(base):]
        pattern = rules.any_match(is_dir)
        if not rules.has_negation:
            if pattern is not None:
                match = pattern.match
                undecided = [name for name in undecided if match(prefix + name) is None]
            continue
        still: list[str] = []
        for name in undecided:
            verdict = rules._decide(prefix + name, is_dir)
            if verdict is None:
                still.append(name)
            elif not verdict:
                included.append(name)
        undecided = still
    return included + undecided if included else undecided


def outer_ignore_paths(tree: Path) -> list[Path]:
    """The .gitignore paths (present or not) that git applies to `tree` from the folders above
    it: from the top of its git repository down to its parent. None outside a repository."""
    folders: list[Path] = []
    for folder in tree.parents:
        folders.append(folder)
        if (folder / ".git").exists():
            return [folder / ".gitignore" for folder in reversed(folders)]
    return []


def outer_ignore_files(tree: Path) -> list[OuterIgnoreFile]:
    """The rules of the .gitignore files above `tree`, outermost first.

    A rule that ignores the tree itself or a folder above it is left out: the configuration
    points at this tree (a webapp rendered into a git-ignored build/ folder, say), so it is
    fingerprinted whatever git thinks of the folder as a whole.
    """
    found = []
    for path in outer_ignore_paths(tree):
        read = IgnoreFile.read(path)
        if read is None:
            continue
        relative = tree.relative_to(path.parent).as_posix()
        parts = relative.split("/")
        above = ["/".join(parts[: depth + 1]) for depth in range(len(parts))]
        rules = [
            rule
            for rule in read.rules
            if rule.negate or not any(rule.regex.match(folder) for folder in above)
        ]
        if rules:
            found.append(OuterIgnoreFile(rules, f"{relative}/"))
    return found
