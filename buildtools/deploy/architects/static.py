"""static: the bundle with cache-header files, for S3-like buckets, CDNs and static hosts."""

from __future__ import annotations

from pathlib import Path

from buildtools.config.model import Config
from buildtools.deploy.architects.common import (
    PUBLIC,
    Architect,
    base_context,
    copy_public,
    served_files,
    write,
)
from buildtools.deploy.architects.context import PackageContext, render
from buildtools.deploy.cache_policy import is_hashed
from buildtools.deploy.publish.s3 import bucket_drift, publish_folder, target_of
from buildtools.errors import UserError
from buildtools.util.mime import mime_type
from buildtools.util.paths import shown as display


def long_cache_patterns(files: list[str], hashed: list[str]) -> list[str]:
    """`aws s3 sync --include` patterns that select exactly the hashed files: `assets/*` when
    every file under assets/ is hashed, else the files one by one."""
    chosen = set(hashed)
    patterns: list[str] = []
    folders = sorted({name.split("/")[0] for name in hashed})
    for folder in folders:
        inside = [name for name in files if name.startswith(folder + "/")]
        if all(name in chosen for name in inside):
            patterns.append(f"{folder}/*")
        else:
            patterns.extend(name for name in inside if name in chosen)
    return patterns


class Static(Architect):
    name = "static"
    template_version = "1"

    def write(self, ctx: PackageContext, folder: Path) -> None:
        files = served_files(ctx)
        if "_headers" in files:
            raise UserError(
                "the bundle already has a _headers file; the static architect writes its own, "
                "rename yours"
            )
        if ctx.config.assets.signed and ctx.offload is None:
            raise UserError(
                'static: [assets] access = "signed" needs a server that checks tokens, and a '
                "static host has none; set [assets] offload = true so that the assets are "
                "served from the bucket by presigned URLs, or deploy ec2/heroku for them"
            )
        copy_public(ctx, folder / PUBLIC)
        context = base_context(ctx, self.name, files)
        write(folder / PUBLIC / "_headers", render("static/_headers.j2", **context))
        write(
            folder / "DEPLOY.md",
            render(
                "static/DEPLOY.md.j2",
                long_patterns=long_cache_patterns(files, context["hashed"]),
                **context,
            ),
        )

    def publish_target(self, config: Config) -> str:
        static = config.deploy.static
        if not static.bucket:
            return ""
        where = f" at {static.endpoint_url}" if static.endpoint_url else ""
        return f"{target_of(static)}{where}"

    def hint(self, ctx: PackageContext, folder: Path) -> str:
        return (
            "to publish to an S3-compatible bucket: set [deploy.static] bucket, or follow "
            f"{display(folder / 'DEPLOY.md', ctx.config.root)}"
        )

    def published_drift(self, ctx: PackageContext, folder: Path) -> str:
        static = ctx.config.deploy.static
        return bucket_drift(folder / PUBLIC, static, prefix=static.prefix,
                            state_dir=ctx.config.state_dir, environ=ctx.environ)

    def publish(self, ctx: PackageContext, folder: Path) -> str:
        static = ctx.config.deploy.static
        published = publish_folder(
            folder / PUBLIC,
            static,
            prefix=static.prefix,
            state_dir=ctx.config.state_dir,
            reporter=ctx.reporter,
            environ=ctx.environ,
            mime_type=mime_type,
            is_hashed=is_hashed,
            keep_prefixes=(static.assets_prefix,),
        )
        return f"{target_of(static)}: {published.summary()}"


ARCHITECT = Static()
