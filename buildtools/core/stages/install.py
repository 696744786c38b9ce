"""install (+ post_install): npm ci / npm install, then the post_install_script."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from buildtools.config.cachedir import npm_cache_env
from buildtools.core.context import Context
from buildtools.core.freshness import StagePlan
from buildtools.core.outside_inputs import outside_inputs
from buildtools.errors import CommandFailed, UserError
from buildtools.filenames import INSTALL_FILES
from buildtools.fingerprint.files import hash_files
from buildtools.fingerprint.manifest import manifest_digest
from buildtools.node.packagemanager import (
    PackageManager,
    detect_package_manager,
    install_command,
    package_manager_env,
    unfrozen_install_command,
)
from buildtools.node.toolchain import Toolchain

DEPENDENCY_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")


def plan_install(
    ctx: Context, node_key: str, package: dict[str, Any]
) -> tuple[StagePlan, PackageManager]:
    source = ctx.config.webapp.source
    reads = ctx.reads
    manager = detect_package_manager(source, ctx.config.source_setting, reads=reads)
    names = [*INSTALL_FILES, *([manager.lockfile] if manager.lockfile else [])]
    script = ctx.config.webapp.post_install_script
    for name in [*names, *([script] if script else [])]:
        reads.stat(source / name)  # before they are hashed
    inputs: dict[str, Any] = {
        "node": node_key,
        "package_manager": manager.name,
        **hash_files(source, names),
        "post_install_script": {
            "path": script,
            "content": hash_files(source, [script])[script] if script else None,
        },
    }
    copies = outside_inputs(ctx, package, copied=True)
    if copies.files:  # `file:` packages copied into node_modules: only an install copies edits
        inputs["copied_packages"] = manifest_digest(copies.files)
    # npm makes no node_modules for a package without dependencies: nothing is missing then
    needs_modules = any(package.get(section) for section in DEPENDENCY_SECTIONS)
    missing = "node_modules" if needs_modules and not reads.present(source / "node_modules") \
        else ""
    if script and not reads.is_file(source / script):
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
    # why, as a shell comment: it may hold parentheses of its own (the differences it lists)
    ctx.reporter.info(f"    $ {' '.join(argv)}   # {why}")
    env = {**package_manager_env(), **npm_cache_env(ctx.environ),
           **toolchain.env(ctx.environ)}
    unfrozen = unfrozen_install_command(manager)
    watch = _RefusalWatch(ctx.reporter.output)
    try:
        ctx.runner(argv, cwd=source, env=env, what=" ".join(argv), sink=watch)
        watch.flush()
    except CommandFailed:
        if argv == unfrozen or not watch.refused:
            watch.flush()
            raise
        # The check of the lockfile against package.json is shallow; the manager's is not
        ctx.reporter.info(f"    {' '.join(argv)} refused {manager.lockfile} as out of sync with "
                          f"package.json ({watch.refused}); running {' '.join(unfrozen)}")
        argv = unfrozen
        ctx.runner(argv, cwd=source, env=env, what=" ".join(argv), sink=ctx.reporter.output)
    return " ".join(argv)


# What a frozen install says when it refuses a lockfile that is out of sync with package.json
_REFUSALS = (
    "can only install packages when your package.json and package-lock.json",  # npm ci
    "ERR_PNPM_OUTDATED_LOCKFILE",  # pnpm install --frozen-lockfile
    "Your lockfile needs to be updated",  # yarn 1 --frozen-lockfile
    "The lockfile would have been modified by this install",  # yarn 2+ --immutable
)


class _RefusalWatch:
    """Passes a frozen install's output on, and notes whether it refused the lockfile (with
    npm's own detail, e.g. "Missing: fsevents@2.3.3 from lock file"). npm's error lines are
    held back until it is known whether they are a refusal (then the install is retried and
    one line says so) or another failure (then they are passed on)."""

    def __init__(self, sink: Callable[[str], None]) -> None:
        self.sink = sink
        self.refused = ""
        self.held: list[str] = []

    def __call__(self, line: str) -> None:
        detail = line.removeprefix("npm error").strip()
        if any(refusal in line for refusal in _REFUSALS):
            self.refused = self.refused or "the lockfile is out of sync"
        elif self.refused.startswith("the lockfile") and detail.startswith(("Missing:",
                                                                             "Invalid:")):
            self.refused = detail
        if line.startswith("npm error"):
            self.held.append(line)
            return
        self.flush()
        self.sink(line)

    def flush(self) -> None:
        for line in self.held:
            self.sink(line)
        self.held.clear()


def run_post_install(ctx: Context, toolchain: Toolchain) -> str:
    script = ctx.config.webapp.post_install_script
    source = ctx.config.webapp.source
    env = {**npm_cache_env(ctx.environ), **toolchain.env(ctx.environ)}
    ctx.runner(["bash", script], cwd=source, env=env, what=f"post_install_script {script}",
               sink=ctx.reporter.output)
    return f"bash {script}"
