"""The packages a webapp uses from folders of their own, outside node_modules' installed copies:
their edits must reach the bundle, so their files are build inputs (Mephisto issue #787).

Found without running anything, from what npm, pnpm and yarn leave on disk:
- `file:` and `link:` dependencies in package.json;
- symlinks in node_modules (`npm link`, a post_install_script, workspaces, pnpm `link:`), and,
  for a dependency not in the webapp's own node_modules, in the node_modules folders above it
  (a workspace member whose dependencies are hoisted to the workspace root);
- the members of the webapp's own workspaces (package.json `workspaces`);
- the targets of `resolve.alias` in a webpack or Vite config (buildtools.fingerprint.aliases);
- the linked packages of linked packages, in turn.

Only paths outside the webapp folder are returned: the webapp's own scan covers the rest. A
`file:` package that the package manager copied into node_modules (not linked) is returned as
a copy: its edits need a new install, not only a new build.

Every folder listed and every package.json read is recorded in `observe` (as a signature with
no entries) for the no-op record: a new link, or a changed one, spoils the record.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buildtools.fingerprint.aliases import bundler_alias_targets
from buildtools.fingerprint.scan import Observed
from buildtools.util.jsonfile import read_object

DEPENDENCY_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies",
                       "peerDependencies")
LINK_PREFIXES = ("file:", "link:")
_MAX_DEPTH = 8  # linked packages of linked packages of ...


@dataclass(frozen=True)
class LinkedInput:
    path: Path  # real path: a package folder, another folder, or a file
    why: str  # how it was found, e.g. "node_modules/mylib -> ../../mylib"
    copied: bool = False  # installed as a copy: an install input, not a build input
    # Paths inside a package folder that its package.json names as what it serves (main,
    # module, exports, files): hashed even when a .gitignore leaves them out (build/, dist/)
    entry_points: tuple[str, ...] = ()
    tree: bool = True  # False: a package inside the webapp, whose own scan covers the rest
    use_gitignore: bool = True  # False for [webapp] inputs: all of it counts


def find_linked(webapp: Path, package: Mapping[str, Any], *,
                extra: Iterable[Path] = (), observe: list[Observed] | None = None
                ) -> list[LinkedInput]:
    """Every input of the webapp's build that lies outside its folder (see the module doc).
    `extra` are paths the configuration names ([webapp] inputs)."""
    finder = _Finder(webapp.resolve(), observe)
    finder.package(finder.webapp, package, "the webapp", depth=0)
    for config_name, target in bundler_alias_targets(webapp, finder.seen):
        finder.add(target, f"resolve.alias in {config_name}", depth=1)
    for path in extra:
        finder.add(path, "[webapp] inputs", depth=_MAX_DEPTH, explicit=True)
    return list(finder.found.values())


class _Finder:
    def __init__(self, webapp: Path, observe: list[Observed] | None) -> None:
        self.webapp = webapp
        self.observe = observe
        self.found: dict[Path, LinkedInput] = {}
        self.visited: set[Path] = set()

    def seen(self, path: Path) -> None:
        """Record the signature of a folder listed or a file read (when observing); for a path
        that is absent, that of the folder that would hold it (its mtime moves when it comes)."""
        if self.observe is None:
            return
        for candidate in (path, *path.parents):
            try:
                info = os.stat(candidate)
            except OSError:
                continue
            signature = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
            self.observe.append((str(candidate), signature, "", b""))
            return

    def inside_webapp(self, path: Path) -> bool:
        return path == self.webapp or self.webapp in path.parents

    def add(self, path: Path, why: str, *, depth: int, copied: bool = False,
            explicit: bool = False) -> None:
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return  # absent (not installed yet, say): nothing to hash
        if real in self.found or real == self.webapp:
            return
        inside = self.inside_webapp(real)
        if explicit:
            self.found[real] = LinkedInput(real, why, use_gitignore=False)
            return
        if inside and (self.webapp / "node_modules") in real.parents:
            return  # an installed copy: the install key covers it
        package = read_object(real / "package.json") if real.is_dir() else None
        if package is not None:
            self.seen(real / "package.json")
        points = entry_points(package) if package is not None else ()
        if inside and not points:
            return  # the webapp's own scan covers it
        self.found[real] = LinkedInput(real, why, copied, points, tree=not inside)
        if package is not None and depth < _MAX_DEPTH and not copied:
            self.package(real, package, why, depth=depth + 1)

    def package(self, folder: Path, package: Mapping[str, Any], why: str, *,
                depth: int) -> None:
        """The links of one package: its link specs, its node_modules, its workspaces."""
        if folder in self.visited:
            return
        self.visited.add(folder)
        modules = folder / "node_modules"
        linked_names = self.node_modules_links(modules, depth)
        for name, spec in _dependencies(package):
            if not spec.startswith(LINK_PREFIXES):
                continue
            target = Path(os.path.normpath(folder / spec.split(":", 1)[1]))
            installed = modules / name
            copied = spec.startswith("file:") and name not in linked_names and (
                installed.is_dir() or target.is_file())
            self.add(target, f"{spec} in {_shown(folder, self.webapp)}/package.json",
                     depth=depth, copied=copied)
        for member in self.workspace_members(folder, package):
            self.add(member, f"a workspace of {_shown(folder, self.webapp)}", depth=depth)
        if folder == self.webapp:
            missing = [name for name, _spec in _dependencies(package)
                       if not os.path.lexists(modules / name)]
            self.hoisted(missing, depth)

    def node_modules_links(self, modules: Path, depth: int) -> set[str]:
        """Add the symlinks in a node_modules folder that leave it; their package names."""
        names: set[str] = set()
        self.seen(modules)
        inside = os.path.realpath(modules) + os.sep
        for name, is_link in _entries(modules):
            if name.startswith("@"):
                self.seen(modules / name)
                scoped = [(f"{name}/{inner}", inner_link)
                          for inner, inner_link in _entries(modules / name)]
            elif name.startswith("."):
                continue  # .bin, .pnpm, .package-lock.json: the manager's own
            else:
                scoped = [(name, is_link)]
            for package_name, link in scoped:
                if not link:
                    continue
                path = modules / package_name
                if os.path.realpath(path).startswith(inside):
                    continue  # pnpm's store inside node_modules: an installed copy
                names.add(package_name)
                self.add(path, f"{_shown(path, self.webapp)} -> {os.readlink(path)}",
                         depth=depth)
        return names

    def hoisted(self, names: list[str], depth: int) -> None:
        """Dependencies absent from the webapp's node_modules resolve, as in Node, through the
        node_modules folders above it, up to the root of the workspace the webapp is a member
        of (its package.json has "workspaces", or it has a pnpm-workspace.yaml)."""
        root = _workspace_root(self.webapp) if names else None
        if root is None:
            return
        for folder in self.webapp.parents:
            modules = folder / "node_modules"
            self.seen(modules)
            for name in list(names):
                path = modules / name
                if not os.path.lexists(path):
                    continue
                names.remove(name)
                if path.is_symlink() and modules.resolve() not in path.resolve().parents:
                    self.add(path, f"{_shown(path, self.webapp)} -> {os.readlink(path)}",
                             depth=depth)
            if not names or folder == root:
                return

    def workspace_members(self, folder: Path, package: Mapping[str, Any]) -> list[Path]:
        patterns = package.get("workspaces")
        if isinstance(patterns, dict):
            patterns = patterns.get("packages")
        if not isinstance(patterns, list):
            return []
        members = []
        for pattern in patterns:
            if not isinstance(pattern, str) or pattern.startswith("!"):
                continue
            base = folder / pattern.split("*", 1)[0]
            self.seen(base if base.is_dir() else base.parent)
            for match in sorted(glob.glob(str(folder / pattern))):
                if os.path.isfile(os.path.join(match, "package.json")):
                    members.append(Path(match))
        return members


def _workspace_root(webapp: Path) -> Path | None:
    """The nearest folder above the webapp that is a workspace root, within its repository."""
    for folder in webapp.parents:
        package = read_object(folder / "package.json")
        if (package is not None and package.get("workspaces")) or (
                folder / "pnpm-workspace.yaml").is_file():
            return folder
        if (folder / ".git").exists():
            return None
    return None


def entry_points(package: Mapping[str, Any]) -> tuple[str, ...]:
    """The first path segments of what a package.json says the package serves."""
    found: set[str] = set()
    for key in ("main", "module", "browser", "exports", "files"):
        for value in _strings(package.get(key)):
            parts = [part for part in value.replace("\\", "/").split("/") if part not in ("", ".")]
            if parts and parts[0] != ".." and not any(c in parts[0] for c in "*?[{"):
                found.add(parts[0])
    found.discard("node_modules")
    return tuple(sorted(found))


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _dependencies(package: Mapping[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for section in DEPENDENCY_SECTIONS:
        specs = package.get(section)
        if isinstance(specs, dict):
            found.extend((str(name), str(spec)) for name, spec in specs.items()
                         if isinstance(spec, str))
    return found


def _entries(folder: Path) -> list[tuple[str, bool]]:
    """(name, is a symlink) of each entry; the listing says which, without a stat each."""
    try:
        with os.scandir(folder) as iterator:
            return sorted((entry.name, entry.is_symlink()) for entry in iterator)
    except OSError:
        return []



def _shown(path: Path, webapp: Path) -> str:
    return Path(os.path.relpath(path, webapp)).as_posix()
