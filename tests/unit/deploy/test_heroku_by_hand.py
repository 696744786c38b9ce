"""The heroku artifact as a person deploys it by hand: its DEPLOY.md is well-formed Markdown,
and the .git made in dist/heroku outlives each repackage (never in the archive)."""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

import pytest

from buildtools.config.load import build_config
from buildtools.deploy.run import package
from buildtools.ui.terminal import Reporter
from support.bundle import FACTS, PackagingProject, make_bundle
from support.media import png_bytes


def _fences_are_balanced(markdown: str) -> None:
    """Every ``` fence stands alone on its line (an info string after the opening one), and
    every heading starts a line of its own."""
    fences = [line for line in markdown.splitlines() if "```" in line]
    assert len(fences) % 2 == 0, fences
    for opening, closing in zip(fences[::2], fences[1::2], strict=True):
        assert re.fullmatch(r"```[a-z]*", opening), opening
        assert closing == "```", closing
    headings = [line for line in markdown.splitlines() if re.search(r"#{2,6} [A-Z]", line)]
    assert headings and all(line.startswith("#") for line in headings), headings


@pytest.mark.parametrize("access", ["unlisted", "signed"])
def test_deploy_md_is_well_formed(tmp_path: Path, access: str) -> None:
    root = tmp_path / "task"
    (root / "webapp").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "assets" / "TestImg.png").write_bytes(png_bytes())
    raw = {"webapp": {"source": "webapp", "extra_source_dir": "assets"},
           "task": {"task_name": "t", "task_title": "T", "task_description": "d",
                    "task_reward": 0.1, "task_tags": "t"},
           "assets": {"access": access}}
    config = build_config(raw, path=root / "buildtools.toml", root=root,
                          source="buildtools.toml", env={})
    bundle = make_bundle(root / "dist" / "bundle",
                             extra_files={"TestImg.png": png_bytes()})
    package(config, ("heroku",), bundle_dir=bundle, bundle_key="k",
            node_version=FACTS.node_version, reporter=Reporter(), environ={}, publish=False)
    markdown = (root / "dist" / "heroku" / "DEPLOY.md").read_text()
    _fences_are_balanced(markdown)
    assert "\n## Try it locally\n" in markdown
    assert ("heroku config:set" in markdown) == (access == "signed")
    # the hand deploy repeats without `heroku create` (an app per run) and without --force
    each = markdown.split("Then at each deploy")[1].split("```sh\n")[1].split("```")[0]
    assert "heroku create" not in each and "--force" not in each
    assert "git push heroku HEAD:main" in each


def test_the_git_folder_of_a_hand_deploy_survives_repackaging(
    packaging_project: PackagingProject,
) -> None:
    folder = packaging_project.package(("heroku",))["heroku"]
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text('[remote "heroku"]\n\turl = /srv/app.git\n')
    (packaging_project.bundle / "new.txt").write_text("new\n")
    packaging_project.package(("heroku",), key="bundle-key-2")
    assert "package/heroku runs" in packaging_project.said
    assert (folder / "public" / "new.txt").is_file()
    assert (folder / ".git" / "config").read_text().endswith("url = /srv/app.git\n")
    with tarfile.open(packaging_project.dist / "heroku.tar.gz") as tar:
        assert not [name for name in tar.getnames() if "/.git" in name]
    assert packaging_project.leftovers() == []
