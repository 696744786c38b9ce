"""node: the Node toolchain that install and build use; its key is the provider and versions."""

from __future__ import annotations

from typing import Any

from buildtools.config.load import user_cache_dir
from buildtools.core.context import Context
from buildtools.core.freshness import StagePlan
from buildtools.core.webapp import engines_node
from buildtools.node.toolchain import Toolchain, resolve_toolchain


def plan_node(ctx: Context, package: dict[str, Any]) -> tuple[StagePlan, Toolchain]:
    webapp = ctx.config.webapp
    toolchain = resolve_toolchain(
        webapp.node,
        webapp.node_mirror,
        engines_node(package),
        user_cache_dir(ctx.reads.environ),
        project=webapp.source,
        runner=ctx.runner,
        reads=ctx.reads,
    )
    plan = StagePlan(
        name="node",
        inputs={"toolchain": toolchain.key_material()},
        stamp=ctx.stamps.read("node"),
        force=False,
    )
    return plan, toolchain


def describe_toolchain(toolchain: Toolchain) -> str:
    return f"{toolchain.provider} Node {toolchain.node_version}, npm {toolchain.npm_version}"

