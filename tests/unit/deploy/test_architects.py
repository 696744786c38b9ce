"""Packaging each architect from a hand-made bundle: artifact contents, keys, determinism, and
the bad inputs (each one exact UserError, no half-written dist/<architect>/)."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

import pytest

from buildtools.config.model import Config
from buildtools.deploy.architects import PUBLIC, names
from buildtools.deploy.architects.heroku import npm_name
from buildtools.deploy.architects.static import long_cache_patterns
from buildtools.deploy.cache_policy import IMMUTABLE, hashed_assets, is_hashed
from buildtools.deploy.run import check_ready, deploy
from buildtools.errors import UserError
from support.bundle import FACTS, PackagingProject

ALL = ("local", "heroku", "ec2", "static")
MB = 1024 * 1024


@pytest.fixture()
def project(packaging_project: PackagingProject) -> PackagingProject:
    return packaging_project


def test_every_artifact_has_its_files(project: PackagingProject) -> None:
    folders = project.package()
    assert folders == {name: project.dist / name for name in ALL}
    for name in ALL:
        folder = folders[name]
        public = folder / PUBLIC
        for served in ("index.html", FACTS.hashed_js, "task_config.json", "TestImg.png"):
            assert (public / served).is_file(), (name, served)
        deploy_md = (folder / "DEPLOY.md").read_text()
        assert "With a crowdsourcing router" in deploy_md
        assert "task_config.json" in deploy_md
        assert (project.dist / f"{name}.tar.gz").is_file()
    assert sorted(p.name for p in (project.dist / "local").iterdir()) == [
        "DEPLOY.md", "access.json", "public"]
    assert "buildtools serve" in (project.dist / "local" / "DEPLOY.md").read_text()
    assert project.leftovers() == []


def test_heroku_app(project: PackagingProject) -> None:
    folder = project.package(("heroku",))["heroku"]
    package_json = json.loads((folder / "package.json").read_text())
    assert package_json == {
        "name": "picture-task",
        "version": "1.0.0",
        "private": True,
        "description": "Describe the picture (static task app, made by buildtools)",
        "engines": {"node": "20.x"},
        "scripts": {"start": "node server.js"},
    }
    assert (folder / "Procfile").read_text() == "web: node server.js\n"
    lock = json.loads((folder / "package-lock.json").read_text())
    assert lock["packages"][""]["engines"] == {"node": "20.x"}
    assert not (folder / "node_modules").exists()
    server = (folder / "server.js").read_text()
    assert "require(" in server and "process.env.PORT" in server
    assert f'"/{FACTS.hashed_js}"' in server and f'"/{FACTS.hashed_css}"' in server
    assert sorted(p.name for p in folder.iterdir()) == [
        "DEPLOY.md",
        "Procfile",
        "package-lock.json",
        "package.json",
        "public",
        "server.js",
    ]
    assert npm_name("My Task: Rate!") == "my-task-rate"


def test_ec2_nginx_conf_and_install_script(project: PackagingProject) -> None:
    project.reconfigure({"ec2": {"server_name": "task.example.org", "remote_dir": "/srv/task"}})
    folder = project.package(("ec2",))["ec2"]
    conf = (folder / "nginx" / "task.conf").read_text()
    assert "server_name task.example.org;" in conf
    assert 'root "/srv/task";' in conf
    assert "try_files $uri $uri/ /index.html;" in conf
    assert "autoindex off;" in conf and "gzip on;" in conf
    assert "location ~ /\\. {\n        deny all;" in conf
    assert f'"/{FACTS.hashed_js}" "{IMMUTABLE}";' in conf
    assert '"/TestImg.png"' not in conf  # from extra_source_dir: never immutable
    assert 'default "no-cache";' in conf
    install = folder / "install.sh"
    assert install.stat().st_mode & 0o111
    text = install.read_text()
    assert "REMOTE_DIR=/srv/task" in text and "$NGINX_CMD -t" in text and "-s reload" in text


def test_static_headers_and_sync_commands(project: PackagingProject) -> None:
    folder = project.package(("static",))["static"]
    headers = (folder / PUBLIC / "_headers").read_text()
    assert f"/{FACTS.hashed_js}\n  Cache-Control: {IMMUTABLE}\n" in headers
    assert "/index.html\n  Cache-Control: no-cache\n" in headers
    assert "/task_config.json\n  Cache-Control: no-cache\n" in headers
    assert "/*\n  X-Content-Type-Options: nosniff\n" in headers
    assert "TestImg.png" not in headers
    deploy_md = (folder / "DEPLOY.md").read_text()
    assert (
        'aws s3 sync . s3://YOUR-BUCKET/TASK-PATH --exclude "*" --include "assets/*" '
        f'--cache-control "{IMMUTABLE}"'
    ) in deploy_md
    assert (
        'aws s3 sync . s3://YOUR-BUCKET/TASK-PATH --exclude "_headers" --exclude "assets/*" '
        '--cache-control "no-cache" --delete'
    ) in deploy_md


def test_hashed_names() -> None:
    assert is_hashed("assets/index-B9jXQm3a.js")
    assert is_hashed("assets/vendor-react-Dk_2a-9Z.js")
    assert is_hashed("static/js/main.3f2a1b9c.js")
    assert not is_hashed("assets/my-background.png")
    assert not is_hashed("index-B9jXQm3a.js")  # not in an assets folder
    assert not is_hashed("assets/logo.png")
    files = ["assets/a-B9jXQm3a.js", "assets/photo-IMG20240101.jpg", "assets/logo.png"]
    hashed = hashed_assets(files, extra={"assets/photo-IMG20240101.jpg"})
    assert hashed == ["assets/a-B9jXQm3a.js"]
    assert long_cache_patterns(files, hashed) == ["assets/a-B9jXQm3a.js"]
    assert long_cache_patterns(files[:1], hashed) == ["assets/*"]


def test_up_to_date_then_repackaged_when_an_input_changes(project: PackagingProject) -> None:
    project.package()
    project.package()
    for name in ALL:
        assert f"package/{name}" in project.said
    lines = project.said.splitlines()
    assert all("up to date" in line for line in lines if line.startswith("package/")), lines

    project.reconfigure({"local": {"port": 4000}})
    project.package()
    text = project.said
    assert "package/local runs because its [deploy] settings changed" in text
    assert "package/heroku up to date" in text
    assert "4000" in (project.dist / "local" / "DEPLOY.md").read_text()

    project.package(key="bundle-key-2")
    assert project.said.count("runs because the bundle changed") == 4

    (project.dist / "static.tar.gz").unlink()
    project.package()
    assert f"package/static runs because {project.dist / 'static.tar.gz'} is missing" in (
        project.said
    )

    project.package(force=True)
    assert project.said.count("runs because a rebuild was forced") == 4


def test_archives_are_byte_identical_after_rm_rf(project: PackagingProject) -> None:
    project.package()
    first = {name: (project.dist / f"{name}.tar.gz").read_bytes() for name in ALL}
    for name in ALL:
        shutil.rmtree(project.dist / name)
        (project.dist / f"{name}.tar.gz").unlink()
    project.package()
    second = {name: (project.dist / f"{name}.tar.gz").read_bytes() for name in ALL}
    assert first == second
    project.package(force=True)
    assert first == {name: (project.dist / f"{name}.tar.gz").read_bytes() for name in ALL}
    with tarfile.open(project.dist / "heroku.tar.gz") as tar:
        names_in = tar.getnames()
    assert names_in[0] == "heroku" and "heroku/public/index.html" in names_in
    assert all(n == "heroku" or n.startswith("heroku/") for n in names_in)


def test_unknown_architect(project: PackagingProject) -> None:
    with pytest.raises(UserError) as info:
        project.package(("local", "vercel"))
    assert str(info.value) == (
        "unknown architect 'vercel'; known architects: local, heroku, ec2, static"
    )
    with pytest.raises(UserError, match="unknown architect 'k8s'; known architects: local"):
        deploy(project.config, ["k8s"])  # refused before anything is built
    assert not (project.dist / "local").exists()
    assert names() == ALL


def test_missing_task_keys(project: PackagingProject) -> None:
    task = {k: v for k, v in project.config.task.items() if k != "task_title"}
    config = Config(
        path=project.config.path,
        root=project.config.root,
        webapp=project.config.webapp,
        task=task,
        deploy=project.config.deploy,
        cache=project.config.cache,
    )
    with pytest.raises(UserError) as info:
        check_ready(config, None)
    assert str(info.value) == (
        f"{config.display_name}: [task] is missing task_title; deploy writes them into "
        "task_config.json, set them first"
    )


def test_heroku_over_the_slug_limit(project: PackagingProject) -> None:
    project.package(("heroku",))
    good = (project.dist / "heroku" / "server.js").read_bytes()
    (project.bundle / "big.bin").write_bytes(b"\0" * (MB + MB // 2))
    project.reconfigure({"heroku": {"max_slug_mb": 1}})
    with pytest.raises(UserError) as info:
        project.package(("heroku",), key="bundle-key-big")
    assert str(info.value).startswith("heroku: the artifact is 1.5 MB, over [deploy.heroku] ")
    assert str(info.value) == (
        "heroku: the artifact is 1.5 MB, over [deploy.heroku] max_slug_mb = 1 (Heroku's slug "
        "limit); make the assets smaller, or serve them from the [deploy.static] bucket with "
        "[assets] offload = true ('buildtools assets' shows their sizes)"
    )
    # the last good artifact is still there, whole, and nothing half-written beside it
    assert (project.dist / "heroku" / "server.js").read_bytes() == good
    assert not (project.dist / "heroku" / PUBLIC / "big.bin").exists()
    assert project.leftovers() == []


def test_heroku_over_the_limit_first_time_writes_nothing(project: PackagingProject) -> None:
    (project.bundle / "big.bin").write_bytes(b"\0" * (2 * MB))
    project.reconfigure({"heroku": {"max_slug_mb": 1}})
    with pytest.raises(UserError, match=r"over \[deploy.heroku\] max_slug_mb = 1"):
        project.package(("heroku",))
    assert not (project.dist / "heroku").exists()
    assert not (project.dist / "heroku.tar.gz").exists()
    assert project.leftovers() == []


def test_heroku_warns_at_80_percent(
    project: PackagingProject, capsys: pytest.CaptureFixture[str]
) -> None:
    (project.bundle / "big.bin").write_bytes(b"\0" * int(0.85 * MB))
    project.reconfigure({"heroku": {"max_slug_mb": 1}})
    project.package(("heroku",))
    err = capsys.readouterr().err
    assert "warning: heroku: the artifact is 0.9 MB, 8" in err
    assert "% of [deploy.heroku] max_slug_mb = 1" in err
    assert (project.dist / "heroku" / "package.json").is_file()


def test_heroku_app_without_the_cli(project: PackagingProject, tmp_path: Path) -> None:
    project.reconfigure({"heroku": {"app": "my-task-app"}})
    empty_path = tmp_path / "bin"
    empty_path.mkdir()
    with pytest.raises(UserError) as info:
        project.package(("heroku",), environ={"PATH": str(empty_path)})
    assert str(info.value) == (
        "[deploy.heroku] app is 'my-task-app' but the heroku CLI was not found on PATH; "
        'install it (https://devcenter.heroku.com/articles/heroku-cli), or set app = "" and '
        "deploy dist/heroku by hand as its DEPLOY.md says"
    )
    # the artifact itself is complete
    assert (project.dist / "heroku" / "Procfile").is_file()
    assert (project.dist / "heroku.tar.gz").is_file()
    assert project.leftovers() == []


def test_heroku_without_app_says_what_to_run(project: PackagingProject) -> None:
    project.package(("heroku",))
    assert "heroku: to deploy on Heroku: set [deploy.heroku] app, or by hand: once, cd " \
        "dist/heroku && git init && heroku create" in project.said


def test_ec2_without_rsync(project: PackagingProject, tmp_path: Path) -> None:
    project.reconfigure({"ec2": {"host": "deploy@example.org"}})
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ssh").symlink_to("/bin/true")
    with pytest.raises(UserError) as info:
        project.package(("ec2",), environ={"PATH": str(bin_dir)})
    assert str(info.value) == (
        "ec2 deploy needs rsync, which was not found on PATH; install it "
        "(e.g. apt-get install rsync), or copy the artifact by hand as its DEPLOY.md says"
    )


def test_a_failing_architect_leaves_no_staging_folder(
    project: PackagingProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from buildtools.deploy.architects import static

    def broken(self: object, ctx: object, folder: Path) -> None:
        (folder / "public").mkdir()
        (folder / "public" / "half.txt").write_text("half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(static.Static, "write", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        project.package(("static",))
    assert not (project.dist / "static").exists()
    assert not (project.dist / "static.tar.gz").exists()
    assert project.leftovers() == []
