"""What the architects share: the package context, template rendering, the cache policy."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from buildtools.assets.access import ROBOTS_FILE, AccessPolicy, access_policy, robots_txt
from buildtools.assets.output_check import check_secrets
from buildtools.assets.signing import SECRET_ENV
from buildtools.config.load import Config
from buildtools.deploy.architects.context import PackageContext, templates_digest
from buildtools.deploy.architects.shell import shell_files, write_shell
from buildtools.deploy.cache_policy import (
    IMMUTABLE,
    NO_CACHE,
    NO_CACHE_FILES,
    hashed_assets,
)
from buildtools.deploy.offload import strip_offloaded
from buildtools.util.paths import shown as display

PUBLIC = "public"  # every artifact serves the files of <artifact>/public/ and nothing else

# Crowdsourcing sites show tasks in an iframe (MTurk's ExternalQuestion). Browsers that know
# CSP frame-ancestors use it and ignore X-Frame-Options; only very old ones fall back to
# SAMEORIGIN.
FRAME_ANCESTORS = "'self' https://*.mturk.com"
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Content-Security-Policy", f"frame-ancestors {FRAME_ANCESTORS}"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
)

def bundle_files(bundle: Path) -> list[str]:
    """Relative posix paths of the bundle's files, sorted."""
    found = []
    for current, _dirs, files in os.walk(bundle):
        for name in files:
            found.append((Path(current) / name).relative_to(bundle).as_posix())
    return sorted(found)


def copy_bundle(bundle: Path, dest: Path) -> None:
    """Copy the bundle (symlinks followed: the artifact holds plain files only)."""
    shutil.copytree(bundle, dest, symlinks=False)


def access_of(ctx: PackageContext) -> AccessPolicy:
    """The [assets] access policy for the files this artifact serves."""
    served = ctx.extra_names.intersection(bundle_files(ctx.bundle_dir))
    if ctx.offload is not None:
        served -= ctx.offload.names
    return access_policy(ctx.config.assets, served)


def served_files(ctx: PackageContext) -> list[str]:
    """The files the artifact serves: the bundle's, and the index.html shell when it has none."""
    files = bundle_files(ctx.bundle_dir)
    return sorted({*files, *shell_files(ctx, files)})


def copy_public(ctx: PackageContext, dest: Path) -> None:
    """The bundle as the artifact serves it: with a robots.txt that disallows crawling unless
    [assets] access is public. The bundle's files are checked once more against the secret
    rules (a bundle put in place by hand, or by a cache, was never checked by this run)."""
    webapp = ctx.config.webapp
    check_secrets(bundle_files(ctx.bundle_dir), (*webapp.extra_source_allow, *webapp.output_allow),
                  display(ctx.bundle_dir, ctx.config.root))
    copy_bundle(ctx.bundle_dir, dest)
    write_shell(ctx, bundle_files(ctx.bundle_dir), dest)
    if ctx.offload is not None:
        strip_offloaded(dest, ctx.offload)
    policy = access_of(ctx)
    if not policy.unlisted:
        return
    robots = dest / ROBOTS_FILE
    text = robots_txt(policy.access)
    if robots.is_file() and robots.read_text("utf-8", errors="replace") != text:
        ctx.reporter.warn(
            f"the bundle's {ROBOTS_FILE} is replaced by one that disallows crawling "
            f'([assets] access = "{policy.access}"); set access = "public" to keep yours'
        )
    write(robots, text)


def write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def folder_size(folder: Path) -> int:
    total = 0
    for current, _dirs, files in os.walk(folder):
        for name in files:
            total += (Path(current) / name).lstat().st_size
    return total


def base_context(ctx: PackageContext, folder_name: str, files: list[str]) -> dict[str, Any]:
    """What every template gets."""
    hashed = hashed_assets(files, set(ctx.extra_names))
    policy = access_of(ctx)
    return {
        "task_name": ctx.task_name,
        "task_title": ctx.task_title,
        "architect": folder_name,
        "artifact": display(ctx.config.deploy.out / folder_name, ctx.config.root),
        "public": PUBLIC,
        "files": files,
        "hashed": hashed,
        "no_cache_files": [name for name in NO_CACHE_FILES if name in files],
        "immutable": IMMUTABLE,
        "no_cache": NO_CACHE,
        "security_headers": SECURITY_HEADERS,
        "frame_ancestors": FRAME_ANCESTORS,
        "node_major": ctx.node_major,
        "access": policy.access,
        "access_headers": policy.headers(),
        "signed_paths": list(policy.signed_paths),
        "secret_env": SECRET_ENV,
    }


class Architect:
    """One hosting target. Subclasses set name and template_version and write the artifact."""

    name: str = ""
    template_version: str = "1"
    # entries of the artifact folder that are the user's, not ours: each new artifact takes
    # them over from the last one
    kept: tuple[str, ...] = ()

    def settings(self, config: Config) -> dict[str, Any]:
        """The settings that go into the package key."""
        return {}

    def template_key(self) -> str:
        return f"{self.name}-{self.template_version}-{templates_digest(self.name)}"

    def write(self, ctx: PackageContext, folder: Path) -> None:
        """Fill `folder` (an empty staging folder) with the artifact."""
        raise NotImplementedError

    def check(self, ctx: PackageContext, folder: Path) -> str:
        """Check the staged artifact before it is put in place; raise UserError to refuse it.
        Returns a detail for the report."""
        return f"{folder_size(folder) / 1e6:.1f} MB"

    def publish_target(self, config: Config) -> str:
        """Where `deploy` puts the artifact online; "" when it does not (then `hint`)."""
        return ""

    def publish(self, ctx: PackageContext, folder: Path) -> str:
        """Put the artifact online; returns a detail for the report."""
        raise NotImplementedError

    def published_drift(self, ctx: PackageContext, folder: Path) -> str:
        """Why the target no longer holds what the last publish put there ("" when it does, or
        when that cannot be seen cheaply): asked before a publish is called up to date."""
        return ""

    def hint(self, ctx: PackageContext, folder: Path) -> str:
        """One line saying how to put the artifact online by hand."""
        return f"see {display(folder / 'DEPLOY.md', ctx.config.root)}"
