"""The page of a bundle that has none: Mephisto's webapps build bundle.js only, and its router
serves them inside its own index.html. An artifact of such a bundle gets an index.html of ours:
`<div id="app">`, the crowd provider's wrap_crowd_source.js when one is known ([deploy]
crowd_wrapper, or the provider of an installed Mephisto), then the bundle's script. An
index.html in the bundle (from the build or extra_source_dir) is always kept instead."""

from __future__ import annotations

import shutil
from pathlib import Path

from buildtools.config.model import Config
from buildtools.deploy.architects.context import PackageContext, render
from buildtools.errors import UserError
from buildtools.util.hashing import digest

INDEX = "index.html"
CROWD_WRAPPER = "wrap_crowd_source.js"
MEPHISTO_SCRIPT = "bundle.js"


def shell_files(ctx: PackageContext, bundle: list[str]) -> dict[str, str | Path]:
    """What the artifact adds to the bundle's files: name -> text, or the file to copy."""
    if INDEX in bundle:
        return {}
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


def write_shell(ctx: PackageContext, bundle: list[str], public: Path) -> None:
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
