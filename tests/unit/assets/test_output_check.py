"""The build output's checks: a file that looks like a secret (named with where it came from)
and a symlink out of the project, each one line naming the file and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildtools.assets.output_check import check_links, check_secrets
from buildtools.errors import UserError


def test_a_secret_in_the_output_is_refused_unless_allowed(tmp_path: Path) -> None:
    public = tmp_path / "public"
    public.mkdir()
    (public / ".npmrc").write_text("//registry/:_authToken=x\n")
    files = {"index.html", "assets/index-B9jXQm3a.js", ".npmrc"}
    with pytest.raises(UserError) as caught:
        check_secrets(files, (), "webapp/dist", public, "webapp/public")
    assert str(caught.value) == (
        "build output: 'webapp/dist/.npmrc' (copied from webapp/public/.npmrc) looks like a "
        "secret and would be published; remove it, or list it in [webapp] output_allow if it "
        "is meant to be public")
    check_secrets(files, [".npmrc"], "webapp/dist", public, "webapp/public")
    with pytest.raises(UserError, match=r"^build output: 'out/keys/Server\.PEM' looks like"):
        check_secrets({"keys/Server.PEM"}, ["*.txt"], "out")
    check_secrets({"index.html", "TestImg.png"}, (), "out")


def test_a_symlink_out_of_the_project_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    public = project / "webapp" / "public"
    public.mkdir(parents=True)
    (project / "logo.png").write_bytes(b"png")
    (public / "logo.png").symlink_to(project / "logo.png")
    (public / "shared").symlink_to(project)
    check_links(public, [project], "webapp/public")
    outside = tmp_path / "id_ed25519"
    outside.write_text("key")
    (public / "deep").mkdir()
    (public / "deep" / "avatar.png").symlink_to(outside)
    with pytest.raises(UserError) as caught:
        check_links(public, [project], "webapp/public")
    assert str(caught.value) == (
        f"webapp/public/deep/avatar.png is a symlink to {outside}, outside the project: the "
        "build would publish that file; copy what the task needs into the project, or remove "
        "the link")
    check_links(tmp_path / "missing", [project], "none")  # no public folder: nothing to check
