"""What the stages of one run share: the config, the stamps, the reporter, the per-run scans."""

from __future__ import annotations

import marshal
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from buildtools.config.load import Config
from buildtools.core.events import Reporter, hash_progress
from buildtools.core.freshness import StampStore
from buildtools.fingerprint.ignore import (
    OuterIgnoreFile,
    outer_ignore_files,
    outer_ignore_paths,
)
from buildtools.fingerprint.manifest import Manifest, diff
from buildtools.fingerprint.scan import scan_tree
from buildtools.fingerprint.statcache import file as statcache_file
from buildtools.fingerprint.statcache.cache import StatCache
from buildtools.util import atomic
from buildtools.util.paths import shown
from buildtools.util.process import Runner, run
from buildtools.util.reads import Reads


@dataclass
class Context:
    """What the stages of one run share."""

    config: Config
    stamps: StampStore
    reporter: Reporter
    environ: Mapping[str, str]
    force: bool
    # What starts npm, node and the post_install_script: the real one, or a fake in tests
    runner: Runner = run
    # Every stat, file and variable that the stage keys read goes through it: the no-op record
    # is its trace (buildtools.util.reads). A new pass starts a new one (Session gives it).
    reads: Reads = field(default_factory=lambda: Reads({}))
    # The trees scanned in this run, with the Reads that observed them: the check pass and
    # the run after it share them
    scans: dict[str, tuple[Manifest, Reads]] = field(default_factory=dict)
    # The build cache entry whose output and bundle are the ones in place: stored or restored
    # in this run (buildtools.core.cache.reuse), for the recall point (buildtools.core.recall)
    cache_entry: Any = None

    def stat_cache(self, name: str) -> StatCache:
        return StatCache(self.config.state_dir / statcache_file.file_name(name))

    def scan(self, name: str, root: Path, *, exclude: list[str] | None = None,
             use_gitignore: bool = True) -> Manifest:
        """The manifest of a tree, scanned once per run (forget_scans() after anything that
        may write into it). Reusing the check pass's scan is safe: a file edited after it is
        built with a key that does not describe it, so the next run builds again."""
        memo = f"{name}\0{root}\0{sorted(exclude or [])}\0{use_gitignore}"
        found = self.scans.get(memo)
        if found is not None and found[1] is self.reads:
            return found[0]
        cache = self.stat_cache(name)
        outer: list[OuterIgnoreFile] = []
        if use_gitignore:
            for ignore_file in outer_ignore_paths(root):
                self.reads.stat(ignore_file)  # before they are read
            outer = outer_ignore_files(root)
        manifest = scan_tree(root, exclude=exclude or (), cache=cache,
                             use_gitignore=use_gitignore, observe=self.reads.trees,
                             progress=hash_progress(self.reporter, name), outer_ignores=outer)
        cache.save()
        self.scans[memo] = (manifest, self.reads)
        return manifest

    def forget_scans(self) -> None:
        self.scans.clear()

    def manifest_path(self, name: str) -> Path:
        return manifest_path(self.config, name)

    def saved_manifest(self, name: str) -> dict[str, Any]:
        return saved_manifest(self.config, name)


def manifest_path(config: Config, name: str) -> Path:
    """Where the manifest of tree `name` ("webapp", "extra") is kept between runs."""
    return config.state_dir / "manifests" / f"{name}.marshal"


def saved_manifest(config: Config, name: str) -> dict[str, Any]:
    """The manifest of tree `name` as the stage that read it last saved it ({} if none)."""
    try:
        data = marshal.loads(manifest_path(config, name).read_bytes())
        return dict(data) if isinstance(data, dict) else {}
    except (OSError, ValueError, EOFError, TypeError):
        return {}


def tree_explainer(ctx: Context, name: str, current: Manifest) -> Any:
    def explain(old: Any, new: Any) -> str:
        changes = diff(ctx.saved_manifest(name), current.files)
        return f"files {changes.summary()}" if changes else "the sources changed"

    return explain



def save_manifest(ctx: Context, name: str, manifest: Manifest) -> None:
    # marshal: 100,000 entries load in a tenth of the time JSON takes (for "why did it run?")
    atomic.write_bytes(ctx.manifest_path(name), marshal.dumps(manifest.files))



def display(config: Config, path: Path) -> str:
    """`path` as the user reads it: relative to the project root when inside it."""
    return shown(path, config.root)


def output_display(config: Config, output: str) -> str:
    """The webapp's build output folder as stage lines name it: build/default-task/webapp/dist/
    (relative to the project root, as the bundle and the artifacts are)."""
    return f"{display(config, config.webapp.source / output)}/"


def timed(start: float) -> float:
    return time.monotonic() - start

