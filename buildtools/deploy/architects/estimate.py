"""What an architect's public folder would weigh if it were packaged now (`buildtools assets`,
and heroku's slug check before packaging): the current bundle with the current
extra_source_dir in place of the files the last bundle took from it (less the offloaded
ones), the index.html shell and robots.txt. The build's own files are taken as the last build
made them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from buildtools.assets.access import ROBOTS_FILE, robots_txt
from buildtools.assets.upload import collect_assets
from buildtools.config.load import Config
from buildtools.core.context import saved_manifest
from buildtools.core.events import NullReporter
from buildtools.deploy.architects.common import access_of, bundle_files
from buildtools.deploy.architects.context import PackageContext
from buildtools.deploy.architects.shell import shell_files
from buildtools.deploy.offload import offload_of
from buildtools.errors import UserError


@dataclass(frozen=True)
class PublicEstimate:
    ctx: PackageContext
    sizes: dict[str, int]  # public file -> bytes

    @property
    def total(self) -> int:
        return sum(self.sizes.values())


def estimated_public(config: Config) -> PublicEstimate:
    bundle = config.bundle_dir
    extra = config.webapp.extra_source_dir
    assets = collect_assets(extra, config.webapp.extra_source_allow) if extra else {}
    brought = set(saved_manifest(config, "extra")) | set(assets)
    sizes = {name: (bundle / name).stat().st_size
             for name in (bundle_files(bundle) if bundle.is_dir() else [])
             if name not in brought}
    offload = offload_of(config)
    if offload is None:
        sizes.update((name, path.stat().st_size) for name, path in assets.items())
    ctx = PackageContext(config, bundle, "", "00.0.0", NullReporter(), {}, offload)
    try:
        shell = shell_files(ctx, sorted(sizes))
    except UserError:  # not built yet, or a bundle that packaging refuses: no shell to count
        shell = {}
    for name, content in shell.items():
        sizes[name] = (content.stat().st_size if isinstance(content, Path)
                       else len(content.encode("utf-8")))
    policy = access_of(ctx)
    if policy.unlisted:
        sizes[ROBOTS_FILE] = len(robots_txt(policy.access).encode("utf-8"))
    return PublicEstimate(ctx, sizes)
