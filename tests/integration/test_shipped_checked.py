"""The build output ships checked (real npm, real Vite): a file of webapp/public/ that looks
like a secret, or a symlink there to a file outside the project (Vite copies what it points
to), is one line and exit 1; the last bundle is kept and holds neither. [webapp] output_allow
publishes a file that only looks like a secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.projects import Project

pytestmark = pytest.mark.needs("npm")


def _refused(project: Project) -> str:
    result = project.doit("build", check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def _bundle(project: Project) -> set[str]:
    return {path.relative_to(project.bundle).as_posix()
            for path in project.bundle.rglob("*") if path.is_file()}


def test_secrets_in_public_are_refused_unless_allowed(project: Project) -> None:
    project.doit("build")
    good = _bundle(project)
    public = project.webapp / "public"
    public.mkdir()
    for name in (".env", "id_rsa", "server.pem", ".npmrc", "KEY.PEM", ".git-credentials"):
        (public / name).write_text("SECRET=1\n")
        assert _refused(project) == (
            f"error: build output: 'webapp/dist/{name}' (copied from webapp/public/{name}) "
            "looks like a secret and would be published; remove it, or list it in [webapp] "
            "output_allow if it is meant to be public")
        assert _bundle(project) == good
        (public / name).unlink()
    (public / "server.pem").write_text("a public certificate\n")
    text = (project.root / "buildtools.toml").read_text()
    (project.root / "buildtools.toml").write_text(
        text.replace("[webapp]\n", '[webapp]\noutput_allow = ["server.pem"]\n', 1))
    project.doit("build")
    assert (project.bundle / "server.pem").read_text() == "a public certificate\n"


def test_a_symlink_in_public_to_a_file_outside_the_project_is_refused(
        project: Project, tmp_path: Path) -> None:
    project.doit("build")
    good = _bundle(project)
    outside = tmp_path / "outside" / "notes.txt"
    outside.parent.mkdir()
    outside.write_text("private notes\n")
    public = project.webapp / "public"
    public.mkdir()
    (public / "notes.txt").symlink_to(outside)
    assert _refused(project) == (
        f"error: webapp/public/notes.txt is a symlink to {outside}, outside the project: the "
        "build would publish that file; copy what the task needs into the project, or remove "
        "the link")
    # what Vite did: a plain copy of the file outside, which only the link in public/ shows
    copied = project.webapp / "dist" / "notes.txt"
    assert not copied.is_symlink() and copied.read_text() == "private notes\n"
    assert _bundle(project) == good
    (public / "notes.txt").unlink()
    (public / "notes.txt").symlink_to(project.root / "assets" / "TestImg.png")  # inside: fine
    project.doit("build")
    assert (project.bundle / "notes.txt").read_bytes() == (
        project.root / "assets" / "TestImg.png").read_bytes()
