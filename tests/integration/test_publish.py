"""Publishing the packaged artifacts with the real programs: ssh and rsync to a host that does
not answer, git pushing to a stand-in Heroku remote, a heroku CLI that fails."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from buildtools.errors import UserError
from support.bundle import FACTS, PackagingProject
from support.http import free_port


@pytest.fixture()
def project(packaging_project: PackagingProject) -> PackagingProject:
    return packaging_project


@pytest.mark.needs("ssh", "rsync")
def test_ec2_host_unreachable(project: PackagingProject) -> None:
    port = free_port()  # nothing listens there
    project.reconfigure({"ec2": {"host": f"deploy@127.0.0.1:{port}"}})
    with pytest.raises(UserError) as info:
        project.package(("ec2",), environ={"PATH": "/usr/bin:/bin", "HOME": str(project.root)})
    assert str(info.value) == (
        "ec2 deploy to deploy@127.0.0.1: step 1/3 'connect (ssh)' failed (exit code 255): "
        f"ssh: connect to host 127.0.0.1 port {port}: Connection refused"
    )
    assert (project.dist / "ec2" / "install.sh").is_file()
    assert project.leftovers() == []
    # not published: the next run tries again
    with pytest.raises(UserError, match="step 1/3 'connect \\(ssh\\)' failed"):
        project.package(("ec2",), environ={"PATH": "/usr/bin:/bin", "HOME": str(project.root)})


@pytest.mark.needs("git")
def test_heroku_push_with_a_stand_in_cli(project: PackagingProject, tmp_path: Path) -> None:
    """A stand-in `heroku` whose git:remote points at a local bare repository: the real git
    commit and push run, and the same artifact is not pushed twice."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "heroku"
    fake.write_text(
        "#!/bin/sh\n"
        '[ "$1" = git:remote ] && [ "$2" = --app ] && [ "$3" = my-task-app ] || exit 2\n'
        f"exec git remote add heroku {remote}\n"
    )
    fake.chmod(0o755)
    (bin_dir / "git").symlink_to(shutil.which("git") or "git")
    project.reconfigure({"heroku": {"app": "my-task-app"}})
    environ = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}
    project.package(("heroku",), environ=environ)
    assert "publish/heroku done" in project.said
    assert "pushed to Heroku app my-task-app" in project.said
    files = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", "main"],
        cwd=remote,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    pushed = {"Procfile", "package.json", "server.js", f"public/{FACTS.hashed_js}"}
    assert pushed <= set(files)
    project.package(("heroku",), environ=environ)
    assert "publish/heroku up to date" in project.said


def test_heroku_push_failure_names_the_step(project: PackagingProject, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "heroku"
    fake.write_text('#!/bin/sh\necho " !    Couldn\'t find that app." >&2\nexit 1\n')
    fake.chmod(0o755)
    project.reconfigure({"heroku": {"app": "no-such-app"}})
    environ = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}
    with pytest.raises(UserError) as info:
        project.package(("heroku",), environ=environ)
    assert str(info.value) == (
        "heroku deploy step 'heroku git:remote' failed (exit code 1): !    Couldn't find that app."
    )
