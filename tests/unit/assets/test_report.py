"""`buildtools assets`: the numbers and the recommendation for a project's assets."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from buildtools.assets.report import assets_report, base64_size
from buildtools.config.load import build_config
from buildtools.config.model import Config
from buildtools.deploy.architects.common import PUBLIC, folder_size
from buildtools.deploy.architects.heroku import estimated_size
from buildtools.ui.commands.assets import doctor_check, report_lines, run_assets
from support.bundle import PackagingProject

PNG = b"\x89PNG\r\n\x1a\n" + bytes(100)


def _config(root: Path, files: dict[str, bytes], **tables: Any) -> Config:
    (root / "webapp").mkdir(parents=True, exist_ok=True)
    (root / "assets").mkdir(exist_ok=True)
    for name, data in files.items():
        (root / "assets" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "assets" / name).write_bytes(data)
    raw = {"webapp": {"source": "webapp", "extra_source_dir": "assets"},
           "task": {"task_title": "t", "task_description": "d", "task_reward": 0.1,
                    "task_tags": "t"}, **tables}
    return build_config(raw, path=root / "buildtools.toml", root=root,
                        source="buildtools.toml", env={})


def test_counts_sizes_largest_and_embedding(tmp_path: Path) -> None:
    files = {"a.png": PNG, "b/c.txt": b"x" * 10, "d.bin": b"y" * 3000}
    report = assets_report(_config(tmp_path, files))
    assert (report.files, report.total_bytes) == (3, len(PNG) + 10 + 3000)
    assert report.largest == [("d.bin", 3000), ("a.png", len(PNG)), ("b/c.txt", 10)]
    expected = sum(len(f"data:{mime};base64,") + base64_size(size) for mime, size in (
        ("image/png", len(PNG)), ("text/plain", 10), ("application/octet-stream", 3000)))
    assert report.embed_bytes_per_unit == expected
    assert report.embed_growth_bytes == expected - report.total_bytes
    assert report.embed_largest_bytes == len("data:application/octet-stream;base64,") + 4000
    assert ("embedding: 4.1 KB per unit if each unit embeds all 3 file(s) (base64 adds 1.1 KB); "
            "a unit that embeds only its own file carries at most 3.9 KB") in report_lines(report)
    assert [item.architect for item in report.architects] == ["local", "heroku", "ec2", "static"]
    heroku = report.architects[1]
    assert heroku.limit_bytes == 500 * 1024 * 1024 and heroku.within_limit is True
    assert report.access == "unlisted" and "robots.txt" in report.exposure
    assert report.recommendation.startswith("keep uploading; embedding would add")


def test_assets_near_the_slug_limit_are_told_to_offload(tmp_path: Path) -> None:
    config = _config(tmp_path, {"big.bin": os.urandom(900 * 1024)},
                     deploy={"heroku": {"max_slug_mb": 1}})
    report = assets_report(config)
    assert report.recommendation == (
        "offload them ([assets] offload = true): the heroku artifact is 89 % of its limit")
    offloaded = assets_report(_config(tmp_path / "o", {"big.bin": b"z" * 1000},
                                      deploy={"heroku": {"max_slug_mb": 1},
                                              "static": {"bucket": "my-assets"}},
                                      assets={"offload": True}))
    assert offloaded.architects[1].assets_bytes == 0 and offloaded.offload


def test_public_assets_are_told_to_be_unlisted(tmp_path: Path) -> None:
    report = assets_report(_config(tmp_path, {"a.png": PNG}, assets={"access": "public"}))
    assert report.recommendation.startswith('set [assets] access = "unlisted"')
    assert "search engines may index" in report.exposure


def test_no_assets(tmp_path: Path) -> None:
    (tmp_path / "webapp").mkdir()
    config = build_config({"webapp": {"source": "webapp"}, "task": {
        "task_title": "t", "task_description": "d", "task_reward": 0.1, "task_tags": "t"}},
        path=tmp_path / "buildtools.toml", root=tmp_path, source="buildtools.toml", env={})
    report = assets_report(config)
    assert report.files == 0 and report.recommendation.startswith("no assets")
    assert report_lines(report)[0] == "assets: no extra_source_dir: 0 file(s), 0.0 KB"


def test_the_command_prints_text_or_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    import json

    config = _config(tmp_path, {"a.png": PNG})
    (tmp_path / "buildtools.toml").write_text(
        '[webapp]\nextra_source_dir = "assets"\n[task]\ntask_title = "t"\n'
        'task_description = "d"\ntask_reward = 0.1\ntask_tags = "t"\n')
    monkeypatch.chdir(tmp_path)
    run_assets(as_json=True)
    data = json.loads(capsys.readouterr().out)
    assert data["files"] == 1 and data["access"] == "unlisted"
    assert data["largest"] == [["a.png", len(PNG)]]
    run_assets()
    out = capsys.readouterr().out
    assert out.startswith(f"assets: {tmp_path / 'assets'}: 1 file(s), 0.1 KB\n")
    assert "recommendation: keep uploading" in out
    check = doctor_check(config)
    assert check.name == "assets" and check.ok and not check.required
    assert check.detail == '1 file(s), 0.1 KB, uploaded, access = "unlisted"'


def _packaged_with_a_big_file(project: PackagingProject, size: int,
                              architect: str) -> PackagingProject:
    """`project` with assets/big.bin of `size` random bytes (in the bundle too), packaged for
    `architect`."""
    (project.root / "assets" / "big.bin").write_bytes(os.urandom(size))
    (project.bundle / "big.bin").write_bytes((project.root / "assets" / "big.bin").read_bytes())
    project.package((architect,))
    return project


def test_the_heroku_estimate_is_what_packaging_measures(
        packaging_project: PackagingProject) -> None:
    project = _packaged_with_a_big_file(packaging_project, 300 * 1024, "heroku")
    assert estimated_size(project.config) == folder_size(project.dist / "heroku")


def test_the_estimate_of_the_other_architects_is_their_public_folder_packaged_now(
        packaging_project: PackagingProject) -> None:
    project = _packaged_with_a_big_file(packaging_project, 200 * 1024, "local")
    local = assets_report(project.config).architects[0]
    assert local.estimated_bytes == folder_size(project.dist / "local" / PUBLIC)


def test_a_new_big_asset_is_over_the_slug_limit_before_it_is_packaged(
        packaging_project: PackagingProject) -> None:
    """The artifact packaged before the asset came is small: the verdict is about the
    artifact `deploy heroku` would make now, from the current bundle and assets."""
    project = packaging_project
    project.reconfigure({"heroku": {"max_slug_mb": 1}})
    project.package(("heroku",))
    (project.root / "assets" / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    assert folder_size(project.dist / "heroku") < 1024 * 1024  # packaged before
    local, heroku = assets_report(project.config).architects[:2]
    assert heroku.estimated_bytes > 3 * 1024 * 1024
    assert local.architect == "local" and local.estimated_bytes > 3 * 1024 * 1024
    assert heroku.within_limit is False
    report = assets_report(project.config)
    assert report.recommendation.startswith("offload them ([assets] offload = true): the heroku "
                                            "artifact is 30")
    assert "heroku: assets 3.0 MB, artifact 3.0 MB if packaged now (OVER the limit of 1.0 MB)" \
        in report_lines(report)
    (project.root / "assets" / "big.bin").unlink()  # an asset removed since the last build
    (project.bundle / "gone.bin").write_bytes(os.urandom(2 * 1024 * 1024))
    (project.root / ".buildtools" / "manifests").mkdir(parents=True)
    import marshal

    (project.root / ".buildtools" / "manifests" / "extra.marshal").write_bytes(
        marshal.dumps({"TestImg.png": (0, ""), "gone.bin": (0, "")}))
    assert assets_report(project.config).architects[1].within_limit is True
