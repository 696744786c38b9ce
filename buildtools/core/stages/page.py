"""page: a task that is one HTML page (Mephisto's static_task blueprint) needs no npm at all;
the bundle is the page, extra_source_dir and task_config.json."""

from __future__ import annotations

from buildtools.core.context import Context
from buildtools.core.freshness import StagePlan
from buildtools.fingerprint.files import hash_files
from buildtools.fingerprint.manifest import Manifest


def plan_page(ctx: Context) -> tuple[StagePlan, Manifest, str]:
    """(the plan, a manifest of the page alone, the output: "" as the page is no build)."""
    page = ctx.config.webapp.page
    assert page is not None
    ctx.reads.stat(page)  # before it is hashed
    content = hash_files(page.parent, [page.name])[page.name]
    plan = StagePlan(
        name="page",
        inputs={"page": [page.name, content]},
        stamp=ctx.stamps.read("page"),
        force=ctx.force,
        missing_output="" if content is not None else str(page),
        explain={"page": lambda old, new: f"{page.name} changed"},
    )
    return plan, Manifest(content or "", []), ""


def page_files(ctx: Context, extra_names: set[str]) -> dict[str, str]:
    """bundle name -> source path of what the page brings: the page under its own name, and
    as index.html unless it is one or extra_source_dir brings one."""
    page = ctx.config.webapp.page
    assert page is not None
    files = {page.name: str(page)}
    if "index.html" not in extra_names:
        files["index.html"] = str(page)
    return files
