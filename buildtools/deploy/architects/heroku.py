"""heroku: a dependency-free Node app (package.json, Procfile, server.js) around the bundle."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import tempfile
from pathlib import Path
from typing import Any

from buildtools.assets.signing import MIN_SECRET_LENGTH
from buildtools.config.load import Config
from buildtools.deploy.architects.common import (
    PUBLIC,
    SECURITY_HEADERS,
    Architect,
    base_context,
    copy_public,
    folder_size,
    served_files,
    write,
)
from buildtools.deploy.architects.context import PackageContext, render
from buildtools.deploy.architects.estimate import estimated_public
from buildtools.errors import CommandFailed, UserError
from buildtools.util.mime import MIME_TYPES
from buildtools.util.paths import shown as display
from buildtools.util.process import run

MB = 1024 * 1024
WARN_RATIO = 0.8
HEROKU_CLI_URL = "https://devcenter.heroku.com/articles/heroku-cli"
# Fixed dates make the deploy commit, and so a second push of the same artifact, a no-op.
GIT_DATE = "1980-01-01T00:00:00+0000"
# Each deploy by hand, in the artifact folder that keeps its .git: --allow-empty, so that a
# repackage with the same files still makes the chain reach the push
DEPLOY_COMMANDS = (
    "git add -A && git commit -q --allow-empty -m deploy && git push heroku HEAD:main"
)


def npm_name(task_name: str) -> str:
    """A valid npm package name made from the task name."""
    name = re.sub(r"[^a-z0-9._-]+", "-", task_name.lower()).strip("-._")
    return name[:214] or "task"


def package_json(ctx: PackageContext) -> dict[str, Any]:
    return {
        "name": npm_name(ctx.task_name),
        "version": "1.0.0",
        "private": True,
        "description": f"{ctx.task_title} (static task app, made by buildtools)",
        "engines": {"node": f"{ctx.node_major}.x"},
        "scripts": {"start": "node server.js"},
    }


def package_lock(package: dict[str, Any]) -> dict[str, Any]:
    """The lockfile npm would write for a package without dependencies."""
    root = {key: package[key] for key in ("name", "version", "engines")}
    return {
        "name": package["name"],
        "version": package["version"],
        "lockfileVersion": 3,
        "requires": True,
        "packages": {"": root},
    }


def _json(value: Any) -> str:
    return json.dumps(value, indent=2) + "\n"


class Heroku(Architect):
    name = "heroku"
    template_version = "1"
    kept = (".git",)  # a deploy by hand: the repository and its heroku remote outlive repackages

    def settings(self, config: Config) -> dict[str, Any]:
        heroku = config.deploy.heroku
        return {"app": heroku.app, "max_slug_mb": heroku.max_slug_mb}

    def write(self, ctx: PackageContext, folder: Path) -> None:
        copy_public(ctx, folder / PUBLIC)
        for name, text in app_files(ctx, served_files(ctx)).items():
            write(folder / name, text)

    def check(self, ctx: PackageContext, folder: Path) -> str:
        """The artifact's size (uncompressed: an upper bound of the compressed slug's)."""
        limit = ctx.config.deploy.heroku.max_slug_mb
        size = folder_size(folder)
        shown = f"{size / MB:.1f} MB"
        if size > limit * MB:
            raise UserError(
                f"heroku: the artifact is {shown}, over [deploy.heroku] max_slug_mb = {limit} "
                "(Heroku's slug limit); make the assets smaller, or serve them from the "
                "[deploy.static] bucket with [assets] offload = true ('buildtools assets' "
                "shows their sizes)"
            )
        if size >= WARN_RATIO * limit * MB:
            ctx.reporter.warn(
                f"heroku: the artifact is {shown}, {100 * size / (limit * MB):.0f} % of "
                f"[deploy.heroku] max_slug_mb = {limit}"
            )
        return f"{shown} of {limit} MB"

    def publish_target(self, config: Config) -> str:
        app = config.deploy.heroku.app
        return f"app {app}" if app else ""

    def hint(self, ctx: PackageContext, folder: Path) -> str:
        where = shlex.quote(display(folder, ctx.config.root))
        return (
            f"to deploy on Heroku: set [deploy.heroku] app, or by hand: once, cd {where} && "
            "git init && heroku create (or heroku git:remote --app <app-name>); then at each "
            f"deploy, cd {where} && {DEPLOY_COMMANDS} (repackaging keeps its .git)"
        )

    def publish(self, ctx: PackageContext, folder: Path) -> str:
        app = ctx.config.deploy.heroku.app
        path = ctx.environ.get("PATH", os.defpath)
        heroku = shutil.which("heroku", path=path)
        if heroku is None:
            raise UserError(
                f"[deploy.heroku] app is '{app}' but the heroku CLI was not found on PATH; "
                f'install it ({HEROKU_CLI_URL}), or set app = "" and deploy '
                f"{display(folder, ctx.config.root)} by hand as its DEPLOY.md says"
            )
        if shutil.which("git", path=path) is None:
            raise UserError("heroku deploy needs git, which was not found on PATH; install it")

        env = {
            **ctx.environ,
            "GIT_AUTHOR_NAME": "buildtools",
            "GIT_AUTHOR_EMAIL": "buildtools@localhost",
            "GIT_COMMITTER_NAME": "buildtools",
            "GIT_COMMITTER_EMAIL": "buildtools@localhost",
            "GIT_AUTHOR_DATE": GIT_DATE,
            "GIT_COMMITTER_DATE": GIT_DATE,
        }
        with tempfile.TemporaryDirectory(prefix="buildtools-heroku-") as tmp:
            repo = Path(tmp) / "app"
            # without the .git of deploys by hand: this one pushes a commit of its own
            shutil.copytree(folder, repo, ignore=lambda where, _names: (
                [".git"] if Path(where) == folder else []))
            steps = [
                ("git init", ["git", "init", "-q", "-b", "main"]),
                ("git add", ["git", "add", "-A"]),
                ("git commit", ["git", "commit", "-q", "-m", f"deploy {ctx.task_name}"]),
                ("heroku git:remote", [heroku, "git:remote", "--app", app]),
                ("git push", ["git", "push", "--force", "heroku", "HEAD:main"]),
            ]
            for step, cmd in steps:
                try:
                    run(cmd, cwd=repo, env=env, what=f"heroku deploy ({step})",
                        sink=ctx.reporter.output)
                except CommandFailed as exc:
                    last = exc.tail[-1].strip() if exc.tail else ""
                    raise UserError(
                        f"heroku deploy step '{step}' failed (exit code {exc.returncode})"
                        + (f": {last}" if last else "")
                    ) from None
        return f"pushed to Heroku app {app}"


def app_files(ctx: PackageContext, files: list[str]) -> dict[str, str]:
    """The artifact's own files beside public/ (which serves `files`): name -> text."""
    context = base_context(ctx, Heroku.name, files)
    package = package_json(ctx)
    heroku = ctx.config.deploy.heroku
    server = render(
        "heroku/server.js.j2",
        mime_types=MIME_TYPES,
        immutable_paths=["/" + name for name in context["hashed"]],
        security_headers_map=dict(SECURITY_HEADERS + context["access_headers"]),
        min_secret_length=MIN_SECRET_LENGTH,
        **context,
    )
    return {
        "package.json": _json(package),
        "package-lock.json": _json(package_lock(package)),
        "Procfile": "web: node server.js\n",
        "server.js": server,
        "DEPLOY.md": render("heroku/DEPLOY.md.j2", app=heroku.app,
                            max_slug_mb=heroku.max_slug_mb, deploy_commands=DEPLOY_COMMANDS,
                            **context),
    }


def estimated_size(config: Config) -> int:
    """The size Heroku.check would measure if the artifact were packaged now: the public
    folder as it would be (deploy.architects.estimate) and the app's own files."""
    public = estimated_public(config)
    own = app_files(public.ctx, sorted(public.sizes))
    return public.total + sum(len(text.encode("utf-8")) for text in own.values())


ARCHITECT = Heroku()
