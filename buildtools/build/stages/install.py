"""install (+ post_install): npm ci / npm install, then the post_install_script."""

from __future__ import annotations

from typing import Any

from buildtools.build.freshness import StagePlan
from buildtools.build.stages.context import Context
from buildtools.errors import UserError
from buildtools.fingerprint.scan import hash_files
from buildtools.layout import INSTALL_FILES
from buildtools.node.packagemanager import (
    PackageManager,
    detect_package_manager,
    install_command,
    package_manager_env,
)
from buildtools.node.toolchain import Toolchain
from buildtools.util.process import run

DEPENDENCY_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")


def plan_install(
    ctx: Context, node_key: str, package: dict[str, Any]
) -> tuple[StagePlan, PackageManager]:
    source = ctx.config.webapp.source
    manager = detect_package_manager(source)
    names = [*INSTALL_FILES, *([manager.lockfile] if manager.lockfile else [])]
    script = ctx.config.webapp.post_install_script
    inputs: dict[str, Any] = {
        "node": node_key,
        "package_manager": manager.name,
        **hash_files(source, names),
        "post_install_script": {
            "path": script,
            "content": hash_files(source, [script])[script] if script else None,
        },
    }
    # npm makes no node_modules for a package without dependencies: nothing is missing then
    needs_modules = any(package.get(section) for section in DEPENDENCY_SECTIONS)
    missing = "node_modules" if needs_modules and not (source / "node_modules").is_dir() else ""
    if script and not (source / script).is_file():
        raise UserError(
            f"{ctx.config.display_name}: [webapp] post_install_script: '{script}' not found in "
            f"{source}"
        )
    plan = StagePlan(
        name="install",
        inputs=inputs,
        stamp=ctx.stamps.read("install"),
        force=ctx.force,
        missing_output=missing,
    )
    return plan, manager


def run_install(ctx: Context, toolchain: Toolchain, manager: PackageManager) -> str:
    source = ctx.config.webapp.source
    argv, why = install_command(source, manager)
    ctx.reporter.info(f"    $ {' '.join(argv)}   ({why})")
    env = {**package_manager_env(), **toolchain.env(ctx.environ)}
    run(argv, cwd=source, env=env, what=" ".join(argv), sink=ctx.reporter.output)
    return " ".join(argv)


def run_post_install(ctx: Context, toolchain: Toolchain) -> str:
    script = ctx.config.webapp.post_install_script
    source = ctx.config.webapp.source
    env = toolchain.env(ctx.environ)
    run(["bash", script], cwd=source, env=env, what=f"post_install_script {script}",
        sink=ctx.reporter.output)
    return f"bash {script}"

