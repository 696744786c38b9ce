"""A real sshd on 127.0.0.1 that this user logs in to with a key made for the test: the host an
ec2 deploy copies to (rsync over ssh) and runs install.sh on."""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from support.http import free_port
from support.processes import stop_group

SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if os.path.exists("/usr/sbin/sshd") else None)


@dataclass
class SshHost:
    port: int
    ssh_command: str  # what BUILDTOOLS_SSH_COMMAND says: the test's key, no known_hosts

    @property
    def host(self) -> str:
        """[deploy.ec2] host: this user at 127.0.0.1:port."""
        return f"{getpass.getuser()}@127.0.0.1:{self.port}"

    def environ(self) -> dict[str, str]:
        """What a deploy to this host needs: PATH, HOME and the ssh command."""
        return {"PATH": os.environ["PATH"], "HOME": str(Path.home()),
                "BUILDTOOLS_SSH_COMMAND": self.ssh_command}


def _wait_for_port(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            assert proc.stderr is not None
            raise AssertionError(f"sshd exited: {proc.stderr.read().decode()}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("sshd did not listen")


@contextlib.contextmanager
def local_sshd(folder: Path, set_env: str) -> Iterator[SshHost]:
    """sshd (run as root) on 127.0.0.1 and a port the OS chose, its keys and configuration in
    `folder`; `set_env` is its SetEnv line (what install.sh finds in its environment)."""
    assert SSHD is not None
    keys = folder / "keys"
    keys.mkdir(parents=True)
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)],
                       check=True)
    (keys / "authorized_keys").write_text((keys / "client.pub").read_text())
    port = free_port()
    config = folder / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {keys / 'host'}\n"
        f"PidFile {folder / 'sshd.pid'}\nAuthorizedKeysFile {keys / 'authorized_keys'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "StrictModes no\nPermitRootLogin prohibit-password\n"
        f"SetEnv {set_env}\n")
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation folder
    sshd = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        _wait_for_port(port, sshd)
        yield SshHost(port, f"ssh -F /dev/null -i {keys / 'client'} -o IdentitiesOnly=yes "
                            "-o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no "
                            "-o LogLevel=ERROR")
    finally:
        stop_group(sshd)


def remove_upload(task_name: str) -> None:
    """What an ec2 deploy of `task_name` left in this user's ~/.buildtools-deploy (the test's
    host is this machine), and the folder when it is empty."""
    upload = Path.home() / ".buildtools-deploy" / task_name
    shutil.rmtree(upload, ignore_errors=True)
    Path(f"{upload}.asset-secret").unlink(missing_ok=True)
    if upload.parent.is_dir() and not any(upload.parent.iterdir()):
        upload.parent.rmdir()
