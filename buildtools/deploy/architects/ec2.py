"""ec2: the bundle, an nginx server block and an install script; deploy copies it over ssh."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from buildtools.assets.signing import MIN_SECRET_LENGTH, SECRET_ENV, asset_secret
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
from buildtools.errors import CommandFailed, UserError
from buildtools.util.paths import shown as display
from buildtools.util.process import find_executable, kill_group, run

SSH_ENV = "BUILDTOOLS_SSH_COMMAND"
_NGINX_SAFE_PATH = re.compile(r'[^"\\${};\x00-\x1f\x7f]+')
# ServerAlive*: a server that stops answering ends the connection within a minute
SSH_OPTIONS = ("-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
               "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=4")
# A step that still runs after this long (an install.sh waiting on a lock, a password prompt
# that BatchMode missed) is stopped: the deploy fails, it never hangs
STEP_TIMEOUT_S = 300.0


def site_name(task_name: str) -> str:
    """A file and identifier friendly name for the nginx configuration."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", task_name).strip("-") or "task"


def upload_dir(task_name: str) -> str:
    """Where the artifact is copied on the server, relative to the ssh user's home."""
    return f".buildtools-deploy/{site_name(task_name)}"


def secret_include(site: str) -> str:
    """The file with the asset secret, relative to nginx's configuration folder; not named
    *.conf, so that no `include conf.d/*.conf` or `sites-enabled/*` reads it at http level."""
    return f"buildtools/{site}.asset-secret"


def split_host(host: str) -> tuple[str, str]:
    """`user@host:port` -> (`user@host`, `port`); without a port, port is ""."""
    match = re.fullmatch(r"([^:\[\]]+):(\d+)", host)
    return (match.group(1), match.group(2)) if match else (host, "")


class Ec2(Architect):
    name = "ec2"
    template_version = "1"

    def settings(self, config: Config) -> dict[str, Any]:
        ec2 = config.deploy.ec2
        return {"server_name": ec2.server_name, "host": ec2.host, "remote_dir": ec2.remote_dir}

    def write(self, ctx: PackageContext, folder: Path) -> None:
        ec2 = ctx.config.deploy.ec2
        if not ec2.remote_dir.startswith("/") or '"' in ec2.remote_dir:
            raise UserError(
                f"[deploy.ec2] remote_dir must be an absolute path without quotes, "
                f"got {ec2.remote_dir!r}"
            )
        copy_public(ctx, folder / PUBLIC)
        site = site_name(ctx.task_name)
        variable = site.replace("-", "_")
        base = base_context(ctx, self.name, served_files(ctx))
        for path in base["signed_paths"]:
            if not _NGINX_SAFE_PATH.fullmatch(path):
                raise UserError(
                    f"extra_source_dir: '{path.lstrip('/')}' cannot be listed in an nginx "
                    "configuration (quotes, backslashes, $, braces, ; or control characters); "
                    'rename it, or set [assets] access = "unlisted"'
                )
        context = {
            **base,
            "server_name": ec2.server_name,
            "remote_dir": ec2.remote_dir.rstrip("/") or "/",
            "host": ec2.host,
            "site_name": site,
            "cache_var": "buildtools_cache_" + variable,
            "signed_var": "buildtools_signed_" + variable,
            "gate_var": "buildtools_gate_" + variable,
            "secret_include": secret_include(site),
            "min_secret_length": MIN_SECRET_LENGTH,
            "upload_dir": upload_dir(ctx.task_name),
        }
        write(folder / "nginx" / "task.conf", render("ec2/task.conf.j2", **context))
        write(folder / "install.sh", render("ec2/install.sh.j2", **context), mode=0o755)
        write(folder / "DEPLOY.md", render("ec2/DEPLOY.md.j2", **context))

    def publish_target(self, config: Config) -> str:
        ec2 = config.deploy.ec2
        return f"{ec2.host}:{ec2.remote_dir}" if ec2.host else ""

    def hint(self, ctx: PackageContext, folder: Path) -> str:
        return (
            "to deploy on a server with nginx: set [deploy.ec2] host, or follow "
            f"{display(folder / 'DEPLOY.md', ctx.config.root)}"
        )

    def publish(self, ctx: PackageContext, folder: Path) -> str:
        host, port = split_host(ctx.config.deploy.ec2.host)
        path = ctx.environ.get("PATH", os.defpath)
        ssh = shlex.split(ctx.environ.get(SSH_ENV, "") or "ssh")
        if not ssh or shutil.which(ssh[0], path=path) is None:
            raise UserError(
                f"ec2 deploy needs ssh ('{ssh[0] if ssh else ''}' was not found on PATH); "
                f"install OpenSSH or set {SSH_ENV}"
            )
        if shutil.which("rsync", path=path) is None:
            raise UserError(
                "ec2 deploy needs rsync, which was not found on PATH; install it "
                "(e.g. apt-get install rsync), or copy the artifact by hand as its DEPLOY.md says"
            )
        ssh = [*ssh, *SSH_OPTIONS, *(["-p", port] if port else [])]
        remote = upload_dir(ctx.task_name)
        steps: list[tuple[str, list[str]]] = [
            ("connect (ssh)", [*ssh, host, f"mkdir -p {shlex.quote(remote)}"]),
            (
                "copy (rsync)",
                [
                    "rsync",
                    "-rlptz",
                    "--delete",
                    "-e",
                    shlex.join(ssh),
                    f"{folder}/",
                    f"{host}:{remote}/",
                ],
            ),
            ("install (install.sh)", [*ssh, host, f"sh {shlex.quote(remote)}/install.sh"]),
        ]
        with tempfile.TemporaryDirectory(prefix="buildtools-ec2-") as tmp:
            if access_of(ctx).signed_paths:
                steps = _with_secret(steps, ctx, Path(tmp), host, ssh, remote)
            for number, (step, cmd) in enumerate(steps, 1):
                _run_step(ctx, cmd, f"ec2 deploy to {host}: step {number}/{len(steps)} '{step}'")
        return f"installed on {host} in {ctx.config.deploy.ec2.remote_dir}"


def _with_secret(
    steps: list[tuple[str, list[str]]],
    ctx: PackageContext,
    tmp: Path,
    host: str,
    ssh: list[str],
    remote: str,
) -> list[tuple[str, list[str]]]:
    """The steps that hand the asset secret to install.sh: copied over ssh in a file readable
    by the user only (never in a command line, nor in the artifact), read and removed by the
    install step."""
    secret = asset_secret(ctx.environ)
    local = tmp / "asset-secret"
    local.touch(mode=0o600)
    local.write_text(secret, encoding="utf-8")
    there = shlex.quote(f"{remote}.asset-secret")
    destination = f"{host}:{remote}.asset-secret"
    copy = ["rsync", "--chmod=F600", "-e", shlex.join(ssh), str(local), destination]
    install = (
        f"{SECRET_ENV}=$(cat {there}) && rm -f {there} && export {SECRET_ENV} && "
        f"sh {shlex.quote(remote)}/install.sh"
    )
    return [*steps[:2], ("copy the asset secret (rsync)", copy),
            ("install (install.sh)", [*ssh, host, install])]


def _run_step(ctx: PackageContext, cmd: Sequence[str], label: str) -> None:
    env = dict(ctx.environ)
    proc = subprocess.Popen(
        [find_executable(cmd[0], env.get("PATH")), *cmd[1:]], cwd=ctx.config.root, env=env,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True, text=True, errors="replace", bufsize=1,
    )
    stopped = threading.Event()

    def stop() -> None:
        stopped.set()  # before the kill: the step's failure is then known for what it is
        kill_group(proc)

    timer = threading.Timer(STEP_TIMEOUT_S, stop)
    timer.start()
    try:
        run(cmd, cwd=ctx.config.root, env=env, what=label, sink=ctx.reporter.output,
            started=proc)
    except CommandFailed as exc:
        if stopped.is_set():
            raise UserError(
                f"{label} was stopped after {STEP_TIMEOUT_S:.0f} s without finishing; check "
                "the server (a hung sudo, apt or nginx), then deploy again"
            ) from None
        last = next((line.strip() for line in reversed(exc.tail) if line.strip()), "")
        raise UserError(
            f"{label} failed (exit code {exc.returncode})" + (f": {last}" if last else "")
        ) from None
    finally:
        timer.cancel()


ARCHITECT = Ec2()
