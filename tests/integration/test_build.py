"""`doit build` on a real task project with real npm: what runs, what is skipped, and why."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support.projects import Project

pytestmark = pytest.mark.needs("npm")
DOIT = str(Path(sys.executable).parent / "doit")


def built_once(project: Project) -> subprocess.CompletedProcess[str]:
    result = project.doit("build")
    assert (project.count("install"), project.count("build")) == (1, 1)
    return result


def test_first_build_then_noop_then_touch(project: Project) -> None:
    first = built_once(project)
    assert "install" in first.stdout and "runs because" in first.stdout
    bundle = project.bundle
    assert (bundle / "index.html").is_file()
    image = (project.root / "assets/TestImg.png").read_bytes()
    assert (bundle / "TestImg.png").read_bytes() == image
    task_config = json.loads((bundle / "task_config.json").read_text())
    assert task_config["task_title"] == "Rate the picture"
    assert task_config["task_reward"] == 0.25
    assert task_config["assignment_duration_in_seconds"] == 1800

    second = project.doit("build")
    assert (project.count("install"), project.count("build")) == (1, 1)
    for stage in ("node", "install", "build", "bundle"):
        assert any(line.startswith(stage) and "up to date" in line
                   for line in second.stdout.splitlines()), second.stdout
    assert "$ npm" not in second.stdout

    app = project.webapp / "src" / "App.jsx"
    stat = app.stat()
    os.utime(app, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    project.doit("build")
    assert (project.count("install"), project.count("build")) == (1, 1)


def test_source_edit_rebuilds_without_install(project: Project) -> None:
    built_once(project)
    app = project.webapp / "src" / "App.jsx"
    app.write_text(app.read_text() + "\n// an edit\n")
    result = project.doit("build")
    assert (project.count("install"), project.count("build")) == (1, 2)
    assert "files changed: src/App.jsx" in result.stdout
    assert any(line.startswith("install") and "up to date" in line
               for line in result.stdout.splitlines())


def test_extra_source_dir_edit_rebundles_only(project: Project) -> None:
    built_once(project)
    (project.root / "assets" / "notes.txt").write_text("hello")
    result = project.doit("build")
    assert (project.count("install"), project.count("build")) == (1, 1)
    assert "extra_source_dir added: notes.txt" in result.stdout
    assert (project.bundle / "notes.txt").read_text() == "hello"


@pytest.mark.parametrize("what", ["package.json", "lockfile", "post_install_script"])
def test_install_inputs_reinstall_and_rerun_script(project: Project, what: str) -> None:
    script = project.webapp / "post_install.sh"
    script.write_text("echo -n s >> ../counts/script\n")
    toml = (project.root / "buildtools.toml").read_text().replace(
        'output = "dist"', 'output = "dist"\npost_install_script = "post_install.sh"')
    (project.root / "buildtools.toml").write_text(toml)
    built_once(project)
    assert project.count("script") == 1
    if what == "package.json":
        project.edit_package_json(description="edited")
    elif what == "lockfile":
        lock = project.webapp / "package-lock.json"
        data = json.loads(lock.read_text())
        data["packages"][""]["license"] = "MIT"
        lock.write_text(json.dumps(data, indent=2) + "\n")
    else:
        script.write_text("echo -n s >> ../counts/script\n# edited\n")
    result = project.doit("build")
    assert (project.count("install"), project.count("script"), project.count("build")) == (2, 2, 2)
    expected = {"package.json": "package.json changed", "lockfile": "package-lock.json changed",
                "post_install_script": "the post_install_script changed"}[what]
    assert expected in result.stdout


@pytest.mark.parametrize("how", ["env", "doit -a", "config"])
def test_force_rebuild_runs_every_stage(project: Project, how: str) -> None:
    built_once(project)
    if how == "env":
        result = project.doit("build", env={"BUILDTOOLS_FORCE_REBUILD": "1"})
    elif how == "doit -a":
        result = project.doit("build", "-a")
    else:
        toml = (project.root / "buildtools.toml").read_text().replace(
            'output = "dist"', 'output = "dist"\nforce_rebuild = true')
        (project.root / "buildtools.toml").write_text(toml)
        result = project.doit("build")
    assert (project.count("install"), project.count("build")) == (2, 2)
    assert result.stdout.count("a rebuild was forced") >= 3


def test_failed_build_keeps_previous_bundle_and_retries(project: Project) -> None:
    built_once(project)
    before = (project.bundle / "index.html").read_text()
    app = project.webapp / "src" / "App.jsx"
    good = app.read_text()
    app.write_text(good + "\nexport const broken = (;\n")
    failed = project.doit("build", check=False)
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    assert "error: npm run build failed (exit code 1)" in failed.stderr
    # the bundler's output, naming the file, is shown once: as it came, not again as a tail
    assert (failed.stdout + failed.stderr).count("App.jsx:") == 1, failed.stdout + failed.stderr
    assert "build          failed after" in failed.stdout
    assert (project.bundle / "index.html").read_text() == before
    again = project.doit("build", check=False)
    assert again.returncode == 1 and project.count("build") == 3  # it tried again
    app.write_text(good)  # the first build's sources again: its output is in the cache
    assert "restored from cache" in project.doit("build").stdout
    assert project.count("build") == 3
    assert (project.bundle / "index.html").read_text() == before


def _refused(project: Project, error: str) -> None:
    """`doit build` fails with the one error line `error: extra_source_dir: <error>`."""
    result = project.doit("build", check=False)
    assert result.returncode == 1
    assert f"error: extra_source_dir: {error}" in result.stderr


def test_bundle_refuses_overwrite_secret_and_escaping_symlink(project: Project) -> None:
    built_once(project)
    assets = project.root / "assets"
    (assets / "index.html").write_text("<p>mine</p>")
    _refused(project, "'assets/index.html' would overwrite the build output "
                      "'webapp/dist/index.html'; rename one of them")
    assert (project.bundle / "TestImg.png").is_file()  # the previous bundle is intact
    (assets / "index.html").unlink()

    (assets / ".env").write_text("TOKEN=1")
    _refused(project, "'assets/.env' looks like a secret and would be published; remove it, "
                      "or list it in [webapp] extra_source_allow")
    (assets / ".env").unlink()

    (assets / "passwd").symlink_to("/etc/passwd")
    _refused(project, "'assets/passwd' is a symlink to /etc/passwd, outside assets/; copy the "
                      "file in, or list it in [webapp] extra_source_allow")
    (assets / "passwd").unlink()
    project.doit("build")
    assert not (project.bundle / "passwd").exists()


def test_bad_build_command_lists_the_defined_scripts(project: Project) -> None:
    toml = (project.root / "buildtools.toml").read_text().replace(
        'build_command = "build"', 'build_command = "bild"')
    (project.root / "buildtools.toml").write_text(toml)
    result = project.doit("build", check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "error: buildtools.toml: [webapp] build_command: package.json defines no script 'bild'; "
        "it defines: build, dev, postinstall, prebuild, preview"
    ) or "package.json defines no script 'bild'; it defines: build" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_package_json(project: Project) -> None:
    (project.webapp / "package.json").write_text('{"name": "x",\n  "scripts": }\n')
    result = project.doit("build", check=False)
    assert result.returncode == 1
    assert "package.json is not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr


def _start(project: Project, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.Popen([DOIT, "build"], cwd=project.root, env=full_env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def _slow_install(project: Project, seconds: int) -> Path:
    script = project.webapp / "slow.sh"
    pid_file = project.root / "counts" / "slow.pid"
    script.write_text(f"echo $$ > {pid_file}\nsleep {seconds}\necho -n s >> ../counts/script\n")
    toml = (project.root / "buildtools.toml").read_text().replace(
        'output = "dist"', 'output = "dist"\npost_install_script = "slow.sh"')
    (project.root / "buildtools.toml").write_text(toml)
    return pid_file


def _wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists() or not path.read_text().strip():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.1)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_kills_npm_group_and_leaves_no_stamp(project: Project, sig: int) -> None:
    pid_file = _slow_install(project, 60)
    proc = _start(project)
    _wait_for(pid_file)
    sleeper = int(pid_file.read_text())
    os.kill(proc.pid, sig)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.kill(sleeper, 0)
    assert not (project.root / ".buildtools" / "stamps" / "install.json").exists()
    assert project.count("script") == 0


def test_second_concurrent_build_waits_for_the_first(project: Project) -> None:
    pid_file = _slow_install(project, 3)
    first = _start(project)
    _wait_for(pid_file)
    second = _start(project)
    _out1, err1 = first.communicate(timeout=300)
    out2, err2 = second.communicate(timeout=300)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert "waiting for another buildtools run" in out2
    assert (project.count("install"), project.count("script"), project.count("build")) == (1, 1, 1)


def test_doit_list_shows_the_tasks(project: Project) -> None:
    listing = project.doit("list").stdout
    assert "build" in listing and "deploy" in listing and "serve" in listing
    assert "dist/bundle" in listing
