"""The page of a bundle that has none: Mephisto's webapps build bundle.js only, and its router
serves them inside its own index.html. An artifact of such a bundle gets an index.html of ours:
`<div id="app">`, the crowd provider's wrap_crowd_source.js when one is known ([deploy]
crowd_wrapper, or the provider of an installed Mephisto), then the bundle's script. An
index.html in the bundle (from the build or extra_source_dir) is always kept instead; when it
loads wrap_crowd_source.js, as Mephisto's do, the known one is served beside it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from buildtools.config.model import Config
from buildtools.deploy.architects.context import PackageContext, render
from buildtools.errors import UserError
from buildtools.util.hashing import digest

INDEX = "index.html"
CROWD_WRAPPER = "wrap_crowd_source.js"
MEPHISTO_SCRIPT = "bundle.js"
_LOADS_WRAPPER = re.compile(r"""<script[^>]*\ssrc\s*=\s*["']?(?:\./|/)?wrap_crowd_source\.js\b""",
                            re.IGNORECASE)


def shell_files(ctx: PackageContext, bundle: list[str]) -> dict[str, str | Path]:
    """What the artifact adds to the bundle's files: name -> text, or the file to copy."""
    if INDEX in bundle:
        return _wrapper_for_own_page(ctx, bundle)
    added: dict[str, str | Path] = {}
    wrapper = ctx.config.deploy.crowd_wrapper
    if wrapper is not None and CROWD_WRAPPER not in bundle:
        added[CROWD_WRAPPER] = wrapper
    added[INDEX] = render(
        "common/index.html.j2",
        title=ctx.task_title,
        crowd_wrapper=wrapper is not None or CROWD_WRAPPER in bundle,
        script=_script(ctx, bundle),
    )
    return added


def _wrapper_for_own_page(ctx: PackageContext, bundle: list[str]) -> dict[str, str | Path]:
    """The bundle's own index.html (Mephisto's extra_source_dir index.html of static_react_task,
    form_composer, video_annotator...) loads wrap_crowd_source.js, which Mephisto's router
    serves beside it: the artifact serves the known one."""
    wrapper = ctx.config.deploy.crowd_wrapper
    if wrapper is None or CROWD_WRAPPER in bundle or not loads_crowd_wrapper(ctx.bundle_dir):
        return {}
    return {CROWD_WRAPPER: wrapper}


def loads_crowd_wrapper(bundle_dir: Path) -> bool:
    """Whether the bundle's index.html has a <script> that loads wrap_crowd_source.js."""
    try:
        page = (bundle_dir / INDEX).read_text("utf-8", errors="replace")
    except OSError:
        return False
    return _LOADS_WRAPPER.search(page) is not None


def write_shell(ctx: PackageContext, bundle: list[str], public: Path) -> None:
    if (INDEX in bundle and CROWD_WRAPPER not in bundle and ctx.config.deploy.crowd_wrapper is None
            and loads_crowd_wrapper(ctx.bundle_dir)):
        ctx.reporter.warn(
            f"the bundle's {INDEX} loads {CROWD_WRAPPER}, which neither the bundle nor [deploy] "
            "crowd_wrapper provides: the page stops with 'getWorkerName is not defined' unless "
            "a crowdsourcing router serves it; set [deploy] crowd_wrapper to your provider's "
            "(or install Mephisto)"
        )
    for name, content in shell_files(ctx, bundle).items():
        if isinstance(content, Path):
            shutil.copyfile(content, public / name)
            (public / name).chmod(0o644)
        else:
            (public / name).write_text(content, encoding="utf-8")
            (public / name).chmod(0o644)


def shell_key(config: Config) -> str | None:
    """What of the shell is not in the bundle or the templates: the crowd wrapper's content."""
    wrapper = config.deploy.crowd_wrapper
    if wrapper is None:
        return None
    try:
        return digest(wrapper.name, wrapper.read_bytes().hex())
    except OSError as exc:
        raise UserError(f"[deploy] crowd_wrapper: cannot read {wrapper}: {exc.strerror}") from None


def _script(ctx: PackageContext, bundle: list[str]) -> str:
    """bundle.js, as Mephisto names it; else the only script at the bundle's top."""
    if MEPHISTO_SCRIPT in bundle:
        return MEPHISTO_SCRIPT
    scripts = [name for name in bundle
               if "/" not in name and name.endswith(".js") and name != CROWD_WRAPPER]
    if len(scripts) == 1:
        return scripts[0]
    found = f"its scripts: {', '.join(scripts)}" if scripts else "no script at its top"
    raise UserError(
        f"the bundle {ctx.bundle_dir} has no index.html and no bundle.js ({found}); put an "
        "index.html in extra_source_dir, or build bundle.js"
    )
