"""render: the jinja2 template folder rendered into the webapp folder (optional stage)."""

from __future__ import annotations

from buildtools.core.context import Context
from buildtools.core.freshness import StagePlan


def plan_render(ctx: Context) -> StagePlan | None:
    template = ctx.config.webapp.template
    if template is None:
        return None
    manifest = ctx.scan("template", template, use_gitignore=False)
    from buildtools.core.template import template_context

    context = template_context(ctx.config.task)
    source = ctx.config.webapp.source
    return StagePlan(
        name="render",
        inputs={"template": manifest.digest, "context": context},
        stamp=ctx.stamps.read("render"),
        force=ctx.force,
        missing_output="" if ctx.reads.is_file(source / "package.json")
        else f"{source}/package.json",
    )


def run_render(ctx: Context, plan: StagePlan) -> str:
    from buildtools.core.template import render_tree, template_context

    assert ctx.config.webapp.template is not None
    written = render_tree(
        ctx.config.webapp.template, ctx.config.webapp.source, template_context(ctx.config.task)
    )
    return f"{len(written)} files written to {ctx.config.webapp.source}"

