"""local: the bundle, served on this machine by `buildtools serve`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from buildtools.assets.access import POLICY_FILE
from buildtools.config.load import Config
from buildtools.deploy.architects.common import (
    PUBLIC,
    Architect,
    access_of,
    base_context,
    copy_public,
    served_files,
    write,
)
from buildtools.deploy.architects.context import PackageContext, render
from buildtools.util.paths import shown as display


class Local(Architect):
    name = "local"
    template_version = "1"

    def settings(self, config: Config) -> dict[str, Any]:
        local = config.deploy.local
        return {"host": local.host, "port": local.port}

    def write(self, ctx: PackageContext, folder: Path) -> None:
        copy_public(ctx, folder / PUBLIC)
        write(folder / POLICY_FILE, access_of(ctx).to_json())
        local = ctx.config.deploy.local
        context = base_context(ctx, self.name, served_files(ctx))
        write(
            folder / "DEPLOY.md",
            render("local/DEPLOY.md.j2", host=local.host, port=local.port, **context),
        )

    def hint(self, ctx: PackageContext, folder: Path) -> str:
        local = ctx.config.deploy.local
        return (
            f"serve it with `buildtools serve` (http://{local.host}:{local.port}/); "
            f"see {display(folder / 'DEPLOY.md', ctx.config.root)}"
        )


ARCHITECT = Local()
