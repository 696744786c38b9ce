"""The trade-off of hosting task assets, computed for this project (`buildtools assets`).

Uploading costs room on the server (a Heroku slug has a cap) and exposes the files to whoever
has their URL; embedding makes every unit's data about a third bigger than the files. This
module measures both for the project's extra_source_dir and says what its access mode exposes.
It computes; buildtools.ui prints.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from buildtools.assets.embed import sniff_mime
from buildtools.assets.upload import collect_assets
from buildtools.config.model import Config
from buildtools.deploy.architects.estimate import estimated_public
from buildtools.deploy.architects.heroku import estimated_size

MB = 1024 * 1024
LARGEST = 5
EMBED_OK_BYTES = 256 * 1024  # per unit: beyond this, embedding weighs on every saved unit
SLUG_WARN_RATIO = 0.8


@dataclass(frozen=True)
class ArchitectSize:
    architect: str
    assets_bytes: int  # the assets inside this architect's artifact
    # the artifact as deploy would package it now, from the current bundle and
    # extra_source_dir (heroku: as its slug check measures it; the others: the public folder)
    estimated_bytes: int
    limit_bytes: int | None  # heroku: max_slug_mb
    within_limit: bool | None  # of estimated_bytes


@dataclass(frozen=True)
class AssetsReport:
    folder: str | None
    files: int
    total_bytes: int
    largest: list[tuple[str, int]]
    architects: list[ArchitectSize]
    # A unit whose task_data embeds every file (data: URIs): the most a unit can carry; a
    # unit that embeds only its own file carries embed_largest_bytes at most
    embed_bytes_per_unit: int
    embed_growth_bytes: int  # what base64 adds to the files
    access: str
    exposure: str
    offload: bool
    recommendation: str
    notes: list[str] = field(default_factory=list)
    embed_largest_bytes: int = 0  # the largest one file as a data: URI

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def base64_size(size: int) -> int:
    return 4 * ((size + 2) // 3)


def assets_report(config: Config) -> AssetsReport:
    folder = config.webapp.extra_source_dir
    files = collect_assets(folder, config.webapp.extra_source_allow) if folder else {}
    sizes = {relative: path.stat().st_size for relative, path in files.items()}
    total = sum(sizes.values())
    largest = sorted(sizes.items(), key=lambda item: (-item[1], item[0]))[:LARGEST]
    embedded = []
    for relative, path in files.items():
        with path.open("rb") as handle:
            mime = sniff_mime(handle.read(1024), relative)
        embedded.append(len(f"data:{mime};base64,") + base64_size(sizes[relative]))
    offload = config.assets.offload
    public = estimated_public(config).total if config.deploy.architects else 0
    architects = [_architect_size(config, name, 0 if offload else total, public)
                  for name in config.deploy.architects]
    report = AssetsReport(
        folder=str(folder) if folder else None, files=len(files), total_bytes=total,
        largest=largest, architects=architects, embed_bytes_per_unit=sum(embedded),
        embed_growth_bytes=sum(embedded) - total, access=config.assets.access,
        exposure=config.assets.exposure + (
            "; offloaded: served from the bucket" if offload else ""),
        offload=offload, recommendation="", embed_largest_bytes=max(embedded, default=0),
    )
    return replace(report, recommendation=recommend(report))


def _architect_size(config: Config, name: str, assets_bytes: int,
                    public_bytes: int) -> ArchitectSize:
    if name != "heroku":
        return ArchitectSize(name, assets_bytes, public_bytes, None, None)
    estimate = estimated_size(config)
    limit = config.deploy.heroku.max_slug_mb * MB
    return ArchitectSize(name, assets_bytes, estimate, limit, estimate <= limit)


def recommend(report: AssetsReport) -> str:
    """One line: what to do about the assets, the most pressing first."""
    if report.files == 0:
        return "no assets in extra_source_dir: nothing to host"
    for size in report.architects:
        if (size.limit_bytes and not report.offload
                and size.estimated_bytes >= SLUG_WARN_RATIO * size.limit_bytes):
            share = 100 * size.estimated_bytes / size.limit_bytes
            return (f"offload them ([assets] offload = true): the {size.architect} artifact "
                    f"is {share:.0f} % of its limit")
    if report.access == "public":
        return ('set [assets] access = "unlisted" (or "signed" for source data) unless the '
                "files are meant to be found")
    if report.embed_bytes_per_unit <= EMBED_OK_BYTES:
        return (f"keep uploading; embedding would add {report.embed_bytes_per_unit:,} bytes to "
                "each unit, fine if each unit shows its own files (embed_folder)")
    if report.access == "unlisted":
        return ('keep uploading; choose access = "signed" if workers must not browse the files '
                "beyond their unit")
    return "keep uploading, signed: each unit's data holds its own expiring URLs"
