"""The real `buildtools` command on a project made by `buildtools new`, with real npm."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from buildtools.ui.commands.new import new_project

pytestmark = pytest.mark.needs("npm")

BUILDTOOLS = str(Path(sys.executable).parent / "buildtools")
DOIT = str(Path(sys.executable).parent / "doit")
TITLE = "Rate the picture"


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build cache per test: with the shared one, a new project's first build could be
    restored from an earlier test's identical build."""
    monkeypatch.setenv("BUILDTOOLS_CACHE_DIR", str(tmp_path / "user-cache"))


def env() -> dict[str, str]:
    full = {**os.environ, "NO_COLOR": "1"}
    for name in ("BUILDTOOLS_FORCE_REBUILD", "BUILDTOOLS_CONFIG"):
        full.pop(name, None)
    return full


def run(cwd: Path, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([BUILDTOOLS, *args], cwd=cwd, env=env(), capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == code, (
        f"buildtools {' '.join(args)} exited {result.returncode}, not {code}\n"
        f"{result.stdout}\n{result.stderr}"
    )
    return result


def lines_of(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """stage name -> its line."""
    found: dict[str, str] = {}
    for line in result.stdout.splitlines():
        if line and not line.startswith(" "):
            found.setdefault(line.split()[0], line)
    return found


def new(tmp_path: Path) -> Path:
    result = run(tmp_path, "new", "task", "--title", TITLE, "--no-input")
    assert "created task/" in result.stdout
    return tmp_path / "task"


def test_new_build_status_edit_status_build_check(tmp_path: Path) -> None:
    root = new(tmp_path)

    # doit build works in the new project with no edit
    first = subprocess.run([DOIT, "build"], cwd=root, env=env(), capture_output=True,
                           text=True, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "install        runs because it has not run here before" in first.stdout
    bundle = root / "dist" / "bundle"
    assert f"<title>{TITLE}</title>" in (bundle / "index.html").read_text()
    assert json.loads((bundle / "task_config.json").read_text())["task_title"] == TITLE

    # buildtools build agrees with doit: nothing to do
    noop = run(root, "build")
    assert noop.stdout.splitlines()[-1].startswith("build is up to date (")
    assert "$ npm" not in noop.stdout

    status = run(root, "status")
    stages = lines_of(status)
    for stage in ("node", "install", "build", "bundle"):
        assert "up to date" in stages[stage], status.stdout
    assert status.stdout.splitlines()[-1] == f"everything is up to date: {bundle}"
    data = json.loads(run(root, "status", "--json").stdout)
    assert data["up_to_date"] is True and data["would_run"] == []
    assert run(root, "check").stdout.startswith("check passed: the bundle is up to date")

    app = root / "webapp" / "src" / "App.jsx"
    app.write_text(app.read_text() + "\n// an edit\n")

    status = run(root, "status")
    stages = lines_of(status)
    assert stages["build"] == "build          would run because files changed: src/App.jsx"
    assert stages["bundle"] == "bundle         would run because the build changed"
    assert "up to date" in stages["install"]
    assert json.loads(run(root, "status", "--json").stdout)["would_run"] == ["build", "bundle"]

    stale = run(root, "check", code=1)
    assert stale.stderr == (
        "error: the bundle is stale (build, bundle would run); run 'buildtools build'\n"
    )
    assert "$ npm" not in stale.stdout and "vite" not in stale.stdout  # check never runs npm

    built = run(root, "build")
    stages = lines_of(built)
    assert stages["build"] == "build          runs because files changed: src/App.jsx"
    assert "up to date" in stages["install"]
    assert re.search(r"^build          done in \d+\.\d s", built.stdout, re.M)
    assert run(root, "check").returncode == 0

    quiet = run(root, "build", "-q")
    assert len(quiet.stdout.splitlines()) == 1
    verbose = run(root, "build", "-v")
    assert re.search(r"^ {15}key [0-9a-f]{32}$", verbose.stdout, re.M)

    # clean removes the outputs; the next build restores them from the build cache
    run(root, "clean")
    assert not bundle.exists() and not (root / "webapp" / "dist").exists()
    run(root, "check", code=1)
    restored = run(root, "build")
    assert "restored from cache" in restored.stdout
    assert "$ npm" not in restored.stdout
    run(root, "check")
    # without the cache, the build runs again, but not the install
    cleared = run(root, "clean", "--cache")
    assert "(build cache, 2 entries)" in cleared.stdout
    run(root, "clean")
    rebuilt = run(root, "build")
    assert "up to date" in lines_of(rebuilt)["install"]
    assert lines_of(rebuilt)["build"] == "build          runs because webapp/dist/ is missing"

    # doit sees the same state
    again = subprocess.run([DOIT, "build"], cwd=root, env=env(), capture_output=True,
                           text=True, timeout=600)
    assert "build is up to date" in again.stdout, again.stdout + again.stderr


def imported_by(root: Path, *args: str) -> tuple[set[str], str]:
    result = subprocess.run([sys.executable, "-X", "importtime", BUILDTOOLS, *args],
                            cwd=root, env=env(), capture_output=True, text=True, check=True)
    modules = {line.split("|")[-1].strip() for line in result.stderr.splitlines()
               if line.startswith("import time:")}
    return modules, result.stdout


def test_noop_build_and_check_import_neither_click_nor_doit(tmp_path: Path) -> None:
    root = new(tmp_path)
    run(root, "build")
    record = root / ".buildtools" / "fresh.marshal"
    if not record.is_file():  # written only once no input is younger than the racy window
        time.sleep(2.1)
        run(root, "build")
    assert record.is_file()

    for args in (["build"], ["build", "-q"], ["check"]):
        modules, out = imported_by(root, *args)
        assert "buildtools.core.record" in modules
        assert not {"click", "doit", "jinja2", "buildtools.core.pipeline", "typing"} & modules, (
            args, sorted(modules))
    assert out.startswith("check passed: the bundle is up to date (")
    modules, out = imported_by(root, "build", "-q")
    assert out.startswith("build is up to date (") and len(out.splitlines()) == 1

    record.unlink()  # without the record: the recall point of the build, without the pipeline
    modules, out = imported_by(root, "build")
    assert "buildtools.core.recall.answer" in modules, sorted(modules)
    assert not {"click", "doit", "jinja2", "buildtools.core.pipeline"} & modules, sorted(modules)
    assert out.splitlines()[-1].startswith("build is up to date (")

    record.unlink()  # without either: the full check, still without click
    shutil.rmtree(root / ".buildtools" / "recall")
    modules, out = imported_by(root, "build")
    assert "buildtools.core.pipeline" in modules
    assert not {"click", "doit", "jinja2"} & modules, sorted(modules)
    assert out.splitlines()[-1].startswith("build is up to date (")
    # how fast that is: benchmarks/bench_noop.py (no timed assertions in tests)


def test_deploy_and_serve_local(tmp_path: Path) -> None:
    root = new(tmp_path)
    deployed = run(root, "deploy", "local")
    assert deployed.stdout.splitlines()[-1].startswith("deployed in ")
    assert "local: dist/local" in deployed.stdout.splitlines()[-1]
    assert (root / "dist" / "local.tar.gz").is_file()
    # -q: only errors and the final line, deploy's (not also the build's "up to date")
    quiet = run(root, "deploy", "-q", "local")
    assert len(quiet.stdout.splitlines()) == 1, quiet.stdout
    assert quiet.stdout.startswith("deployed in ") and "local: dist/local" in quiet.stdout

    proc = subprocess.Popen([BUILDTOOLS, "serve", "--port", "0"], cwd=root, env=env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        seen = []
        for line in proc.stdout:  # the build and deploy lines, then the URL
            seen.append(line)
            if line.startswith("serving "):
                break
        match = re.search(r"at (http://\S+/)", seen[-1])
        assert match, seen
        with urllib.request.urlopen(match.group(1), timeout=10) as response:
            assert f"<title>{TITLE}</title>" in response.read().decode()
        with urllib.request.urlopen(match.group(1) + "task_config.json", timeout=10) as response:
            assert json.loads(response.read())["task_title"] == TITLE
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    assert proc.returncode == 0


def test_main_answers_a_noop_build_without_click_or_doit(tmp_path: Path) -> None:
    made = tmp_path / "task"
    new_project(made, title=TITLE)
    code = (
        "import sys, types, buildtools.core.pipeline as p\n"
        "p.Session.run_stale_stages = lambda self, **k: (\n"
        "    print('FRESH') or types.SimpleNamespace(ran=[]))\n"
        "from buildtools.ui.cli import main\n"
        "try:\n    main(['build', '-q'])\nexcept SystemExit as e:\n    print('exit', e.code)\n"
        "print(sorted(m for m in ('click', 'doit', 'jinja2') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=made, capture_output=True,
                         text=True, check=True).stdout
    assert out == "FRESH\nexit 0\n[]\n"
