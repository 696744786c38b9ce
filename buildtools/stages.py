"""The build stages: render (optional), node, install (+ post_install), build, bundle.

Each stage has a plan (inputs -> key, compared with the stamp of its last success) and a run.
A stage's stamp is cleared before it runs and written only after it succeeded, so a failed or
interrupted run never leaves a stamp that says "up to date".
"""

from __future__ import annotations

import contextlib
import marshal
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xxhash

from buildtools import atomic
from buildtools.config import Config, user_cache_dir
from buildtools.errors import UserError
from buildtools.fingerprint import Manifest, Observed, StatCache, diff, hash_files, scan_tree
from buildtools.ignore import outer_ignore_files
from buildtools.node import Toolchain, resolve_toolchain
from buildtools.packagemanager import (
    PackageManager,
    detect_package_manager,
    install_command,
    package_manager_env,
    run_script_command,
)
from buildtools.plan import StagePlan
from buildtools.process import run
from buildtools.progress import hash_progress
from buildtools.report import Reporter
from buildtools.state import StampStore
from buildtools.webapp import build_env, engines_node, output_folder

INSTALL_FILES = ("package.json", ".npmrc")
DEPENDENCY_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")


@dataclass
class Context:
    """What the stages of one run share."""

    config: Config
    stamps: StampStore
    reporter: Reporter
    environ: Mapping[str, str]
    force: bool
    # When set, the tree scans record what they stat here (see buildtools.fresh)
    observed: list[Observed] | None = None
    # The trees scanned in this run: the check pass and the run after it share them
    scans: dict[str, Manifest] = field(default_factory=dict)

    def stat_cache(self, name: str) -> StatCache:
        return StatCache(self.config.state_dir / f"statcache-{name}.marshal")

    def scan(self, name: str, root: Path, *, exclude: list[str] | None = None,
             use_gitignore: bool = True) -> Manifest:
        """The manifest of a tree, scanned once per run (forget_scans() after anything that
        may write into it). Reusing the check pass's scan is safe: a file edited after it is
        built with a key that does not describe it, so the next run builds again."""
        memo = f"{name}\0{root}\0{sorted(exclude or [])}\0{use_gitignore}"
        found = self.scans.get(memo)
        if found is not None and self.observed is None:
            return found
        cache = self.stat_cache(name)
        manifest = scan_tree(root, exclude=exclude or (), cache=cache,
                             use_gitignore=use_gitignore, observe=self.observed,
                             progress=hash_progress(self.reporter, name),
                             outer_ignores=outer_ignore_files(root) if use_gitignore else ())
        cache.save()
        self.scans[memo] = manifest
        return manifest

    def forget_scans(self) -> None:
        self.scans.clear()

    def manifest_path(self, name: str) -> Path:
        return self.config.state_dir / "manifests" / f"{name}.marshal"

    def saved_manifest(self, name: str) -> dict[str, Any]:
        try:
            data = marshal.loads(self.manifest_path(name).read_bytes())
            return dict(data) if isinstance(data, dict) else {}
        except (OSError, ValueError, EOFError, TypeError):
            return {}


def _tree_explainer(ctx: Context, name: str, current: Manifest) -> Any:
    def explain(old: Any, new: Any) -> str:
        changes = diff(ctx.saved_manifest(name), current.files)
        return f"files {changes.summary()}" if changes else "the sources changed"

    return explain


# ---------------------------------------------------------------- render


def plan_render(ctx: Context) -> StagePlan | None:
    template = ctx.config.webapp.template
    if template is None:
        return None
    manifest = ctx.scan("template", template, use_gitignore=False)
    from buildtools.template import template_context

    context = template_context(ctx.config.task)
    source = ctx.config.webapp.source
    return StagePlan(
        name="render",
        inputs={"template": manifest.digest, "context": context},
        stamp=ctx.stamps.read("render"),
        force=ctx.force,
        missing_output="" if (source / "package.json").is_file() else f"{source}/package.json",
    )


def run_render(ctx: Context, plan: StagePlan) -> str:
    from buildtools.template import render_tree, template_context

    assert ctx.config.webapp.template is not None
    written = render_tree(
        ctx.config.webapp.template, ctx.config.webapp.source, template_context(ctx.config.task)
    )
    return f"{len(written)} files written to {ctx.config.webapp.source}"


# ---------------------------------------------------------------- node


def plan_node(ctx: Context, package: dict[str, Any]) -> tuple[StagePlan, Toolchain]:
    webapp = ctx.config.webapp
    toolchain = resolve_toolchain(
        webapp.node,
        webapp.node_mirror,
        engines_node(package),
        user_cache_dir(ctx.environ),
        project=webapp.source,
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


# ---------------------------------------------------------------- install


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
    run(argv, cwd=source, env=env, what=" ".join(argv), quiet=ctx.reporter.quiet)
    return " ".join(argv)


def run_post_install(ctx: Context, toolchain: Toolchain) -> str:
    script = ctx.config.webapp.post_install_script
    source = ctx.config.webapp.source
    env = toolchain.env(ctx.environ)
    run(["bash", script], cwd=source, env=env, what=f"post_install_script {script}",
        quiet=ctx.reporter.quiet)
    return f"bash {script}"


# ---------------------------------------------------------------- build


def plan_build(
    ctx: Context, install_key: str, package: dict[str, Any]
) -> tuple[StagePlan, Manifest, str]:
    config = ctx.config
    output = output_folder(config, package)
    exclude = [output]
    for folder in (config.deploy.out, config.state_dir):
        with contextlib.suppress(ValueError):
            exclude.append(folder.relative_to(config.webapp.source).as_posix())
    manifest = ctx.scan("webapp", config.webapp.source, exclude=exclude)
    env = build_env(config.webapp.build_env, dict(ctx.environ))
    env_digests = {
        name: xxhash.xxh3_64_hexdigest(value.encode("utf-8", "surrogateescape"))
        for name, value in env.items()
    }
    for name in config.webapp.build_env:
        env_digests.setdefault(name, "unset")
    output_dir = config.webapp.source / output
    plan = StagePlan(
        name="build",
        inputs={
            "install": install_key,
            "tree": manifest.digest,
            "build_command": config.webapp.build_command,
            "output": output,
            "env": env_digests,
        },
        stamp=ctx.stamps.read("build"),
        force=ctx.force,
        missing_output="" if output_dir.is_dir() else f"{config.webapp.source.name}/{output}/",
        explain={
            "tree": _tree_explainer(ctx, "webapp", manifest),
            "env": _env_explainer,
        },
    )
    return plan, manifest, output


def _env_explainer(old: Any, new: Any) -> str:
    names = sorted(name for name in set(old) | set(new) if old.get(name) != new.get(name))
    return f"build environment changed: {', '.join(names)}"


def run_build(ctx: Context, toolchain: Toolchain, manager: PackageManager, output: str) -> str:
    config = ctx.config
    argv = run_script_command(manager, config.webapp.build_command)
    env = {**package_manager_env(), **toolchain.env(ctx.environ)}
    run(argv, cwd=config.webapp.source, env=env, what=" ".join(argv), quiet=ctx.reporter.quiet)
    output_dir = config.webapp.source / output
    if not output_dir.is_dir():
        raise UserError(
            f"the build command '{' '.join(argv)}' finished but wrote no {output}/ folder in "
            f"{config.webapp.source}; set [webapp] output to the folder your build writes"
        )
    return f"{config.webapp.source.name}/{output}/"


def save_manifest(ctx: Context, name: str, manifest: Manifest) -> None:
    # marshal: 100,000 entries load in a tenth of the time JSON takes (for "why did it run?")
    atomic.write_bytes(ctx.manifest_path(name), marshal.dumps(manifest.files))


# ---------------------------------------------------------------- bundle


def plan_bundle(ctx: Context, build_key: str) -> tuple[StagePlan, Manifest | None]:
    config = ctx.config
    extra: Manifest | None = None
    if config.webapp.extra_source_dir is not None:
        extra = ctx.scan("extra", config.webapp.extra_source_dir, use_gitignore=False)
    plan = StagePlan(
        name="bundle",
        inputs={
            "build": build_key,
            "extra_source_dir": extra.digest if extra else None,
            "allow": list(config.webapp.extra_source_allow),
            "task_config": config.task,
        },
        stamp=ctx.stamps.read("bundle"),
        force=ctx.force,
        missing_output="" if config.bundle_dir.is_dir() else _display(config, config.bundle_dir),
        explain={"extra_source_dir": _extra_explainer(ctx, extra)},
    )
    return plan, extra


def _extra_explainer(ctx: Context, extra: Manifest | None) -> Any:
    def explain(old: Any, new: Any) -> str:
        if extra is None:
            return "extra_source_dir changed"
        changes = diff(ctx.saved_manifest("extra"), extra.files)
        return f"extra_source_dir {changes.summary()}" if changes else "extra_source_dir changed"

    return explain


def run_bundle(ctx: Context, output: str) -> str:
    from buildtools.assets import collect_assets, copy_assets

    config = ctx.config
    build_dir = config.webapp.source / output
    assets = (
        collect_assets(config.webapp.extra_source_dir, config.webapp.extra_source_allow)
        if config.webapp.extra_source_dir is not None
        else {}
    )
    staging = atomic.staging_dir(config.bundle_dir)
    try:
        shutil.copytree(build_dir, staging, dirs_exist_ok=True, symlinks=False)
        build_files = {
            path.relative_to(staging).as_posix() for path in staging.rglob("*") if path.is_file()
        }
        copy_assets(assets, staging, build_files, f"{config.webapp.source.name}/{output}")
        if "task_config.json" in build_files or "task_config.json" in assets:
            raise UserError(
                "task_config.json is written by buildtools from [task]; remove the file of that "
                "name from the build output or extra_source_dir"
            )
        atomic.write_json(staging / "task_config.json", config.task)
        atomic.replace_dir(staging, config.bundle_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    count = len(build_files) + len(assets) + 1
    return f"{count} files in {_display(config, config.bundle_dir)}/"


def _display(config: Config, path: Path) -> str:
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return str(path)


def timed(start: float) -> float:
    return time.monotonic() - start

