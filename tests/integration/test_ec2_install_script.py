"""ec2's install.sh with a real nginx -t, and the ssh steps that cannot hang.

install.sh re-runs itself with `sudo -n` when not root; here `id` and `sudo` on PATH play a
non-root user and a sudo that keeps the environment, so that the re-run path is the one taken
(the tests run as root). nginx checks the installed configuration for real; its reload is only
recorded, so that no server binds port 80."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from buildtools.deploy.architects import ec2
from buildtools.errors import UserError
from support.bundle import PackagingProject

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def _script(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text("#!/bin/sh\n" + text)
    (folder / name).chmod(0o755)


@pytest.mark.nginx
@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
def test_install_sh_through_sudo_gives_nginx_no_variable_it_reads(
    packaging_project: PackagingProject, tmp_path: Path
) -> None:
    remote_dir = tmp_path / "www" / "task"
    packaging_project.reconfigure({"ec2": {"server_name": "_", "remote_dir": str(remote_dir)}})
    folder = packaging_project.package(("ec2",))["ec2"]
    prefix = tmp_path / "nginx"
    sites = tmp_path / "sites"
    prefix.mkdir()
    main = prefix / "nginx.conf"
    main.write_text(f"pid {prefix}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
                    f"http {{\n    access_log off;\n    include {sites}/*.conf;\n}}\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.log"
    _script(bin_dir, "id", 'if [ "$1" = -u ] && [ -z "${IN_SUDO:-}" ]; then echo 1000; '
                           'else exec /usr/bin/id "$@"; fi\n')
    _script(bin_dir, "sudo", 'while [ "${1#-}" != "$1" ]; do shift; done\n'
                             'IN_SUDO=1 exec "$@"\n')
    _script(bin_dir, "systemctl", "exit 1\n")
    _script(bin_dir, "nginx", f'echo "$* NGINX=${{NGINX-unset}}" >> {calls}\n'
                              f'if [ "$1" = -t ]; then exec {NGINX} -t -c {main} -p {prefix}; fi\n')
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "NGINX_SITES_DIR": str(sites),
           "HOME": str(tmp_path)}
    result = subprocess.run(["sh", str(folder / "install.sh")], env=env, capture_output=True,
                            text=True, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "invalid socket number" not in output and "inherited sockets" not in output
    assert "test is successful" in output
    assert calls.read_text().splitlines() == ["-t NGINX=unset", "-s reload NGINX=unset"]
    assert (remote_dir / "index.html").is_file()
    assert (sites / "picture-task.conf").is_file()


def test_a_hung_ssh_step_is_stopped(packaging_project: PackagingProject, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """An install.sh that never ends (here an ssh that sleeps on the install step) fails the
    deploy after STEP_TIMEOUT_S, naming the step; ssh gets the keep-alive options."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    seen = tmp_path / "ssh.log"
    _script(bin_dir, "ssh", f'echo "$*" >> {seen}\n'
                            'case "$*" in *install.sh*) exec sleep 60 ;; esac\n')
    _script(bin_dir, "rsync", "exit 0\n")
    monkeypatch.setattr(ec2, "STEP_TIMEOUT_S", 2.0)
    packaging_project.reconfigure({"ec2": {"host": "deploy@127.0.0.1"}})
    started = time.monotonic()
    with pytest.raises(UserError) as info:
        packaging_project.package(("ec2",), environ={"PATH": f"{bin_dir}:/usr/bin:/bin",
                                                     "BUILDTOOLS_SSH_COMMAND": "ssh"})
    assert time.monotonic() - started < 30
    assert str(info.value) == (
        "ec2 deploy to deploy@127.0.0.1: step 3/3 'install (install.sh)' was stopped after 2 s "
        "without finishing; check the server (a hung sudo, apt or nginx), then deploy again")
    assert "-o ServerAliveInterval=15 -o ServerAliveCountMax=4" in seen.read_text()
