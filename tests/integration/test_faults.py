"""Bad input and faults of the machine: one `error:` line naming the file and what to do,
exit 1, no traceback, the last bundle intact, and the next run correct (real npm, real node).

Permissions are tested as an ordinary user would meet them: when the tests run as root, the
command runs without the capabilities that let root read and write anything (setpriv)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from support.projects import BUILDTOOLS, DOIT, Tiny, make_tiny

pytestmark = pytest.mark.needs("npm")


def plain_env() -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1"}
    for name in ("BUILDTOOLS_FORCE_REBUILD", "BUILDTOOLS_CONFIG"):
        env.pop(name, None)
    return env


def as_a_user() -> tuple[str, ...]:
    """A command prefix that takes root's power to ignore file permissions away."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: file permissions cannot be tested")
    return ("setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner",
            "--inh-caps=-all")


@pytest.mark.parametrize("command", ["buildtools", "doit"])
def test_a_config_that_is_not_utf8(tiny: Tiny, command: str) -> None:
    tiny.run("build")
    bundle = tiny.snapshot(tiny.bundle)
    toml = tiny.root / "buildtools.toml"
    good = toml.read_bytes()
    toml.write_bytes(good + b"\n# \xff\xfe garbage \x00\x89PNG\n")
    result = tiny.run("build", code=None,
                      command=BUILDTOOLS if command == "buildtools" else DOIT)
    line = tiny.one_error(result)
    assert line.startswith("error: buildtools.toml: not UTF-8 text (an undecodable byte on ")
    assert line.endswith("); save it as UTF-8")
    assert tiny.snapshot(tiny.bundle) == bundle
    toml.write_bytes(good)
    assert "build is up to date" in tiny.run("build").stdout


@pytest.mark.parametrize("text", ["", "[deploy]\nout = 'dist'\n"], ids=["empty", "no-tables"])
def test_a_config_without_webapp_and_task(tiny: Tiny, text: str) -> None:
    tiny.run("build")
    bundle = tiny.snapshot(tiny.bundle)
    (tiny.root / "buildtools.toml").write_text(text)
    assert tiny.one_error(tiny.run("build", code=None)).startswith(
        "error: buildtools.toml: no [webapp] and no [task] table; ")
    assert tiny.snapshot(tiny.bundle) == bundle


def test_a_read_only_dist_folder(tiny: Tiny) -> None:
    prefix = as_a_user()
    tiny.run("build")
    bundle = tiny.snapshot(tiny.bundle)
    (tiny.root / "assets" / "note.txt").write_text("edited\n")
    dist = tiny.root / "dist"
    dist.chmod(0o555)
    try:
        line = tiny.one_error(tiny.run("build", code=None, prefix=prefix))
    finally:
        dist.chmod(0o755)
    assert line == (f"error: cannot write {dist}: Permission denied; make it writable and run "
                    "again (what was built before is kept)")
    assert tiny.snapshot(tiny.bundle) == bundle
    tiny.run("build")
    assert (tiny.bundle / "note.txt").read_text() == "edited\n"


def test_a_restore_that_cannot_swap_leaves_no_staging_folder(
        tiny: Tiny, immutable: Callable[..., None]) -> None:
    """The cache restore copies, then swaps: when the swap fails, its staging folders go too
    (one beside the build output would be hashed as a source, and change every key)."""
    tiny.run("build")
    source = tiny.webapp / "src" / "a.txt"
    original = source.read_bytes()
    source.write_bytes(original + b"//b\n")
    tiny.run("build", "-q")
    source.write_bytes(original)  # the first build's keys: the cache has its bundle
    bundle = tiny.snapshot(tiny.bundle)
    builds = tiny.count("build")
    immutable(tiny.bundle)
    line = tiny.one_error(tiny.run("build", code=None))
    assert line.startswith(f"error: {tiny.bundle}: Operation not permitted; ")
    assert not [path for path in tiny.root.rglob(".*") if ".tmp-" in path.name]
    assert tiny.snapshot(tiny.bundle) == bundle
    immutable(tiny.bundle, on=False)
    # the keys are intact: the build output came back before the bundle's swap failed, so
    # only the bundle is made now, from it
    again = tiny.run("build").stdout
    assert "build          up to date" in again and "built bundle in" in again, again
    assert tiny.count("build") == builds
    assert (tiny.bundle / "index.html").read_text() == "<p>hello</p>"


def test_a_staging_folder_left_by_a_killed_run_is_no_source(tiny: Tiny) -> None:
    tiny.run("build")
    (tiny.webapp / ".dist.tmp-k2j4x9q1").mkdir()  # what SIGKILL amid a swap leaves
    (tiny.webapp / ".dist.tmp-k2j4x9q1" / "index.html").write_text("half")
    assert "build is up to date" in tiny.run("build").stdout


@pytest.mark.parametrize("output", ["../stale", "/tmp/abs"])
def test_an_output_outside_the_webapp_is_refused(tiny: Tiny, output: str) -> None:
    """A folder outside the webapp is never taken for the build's output: a stale one would
    pass as new, and an absolute path would land inside the webapp."""
    tiny.run("build")
    bundle = tiny.snapshot(tiny.bundle)
    (tiny.root / "stale").mkdir()
    (tiny.root / "stale" / "index.html").write_text("<p>stale</p>")
    toml = tiny.root / "buildtools.toml"
    toml.write_text(toml.read_text().replace('output = "dist"', f'output = "{output}"'))
    line = tiny.one_error(tiny.run("build", code=None))
    assert line.startswith("error: buildtools.toml: [webapp] output must be a folder ")
    assert f"got '{output}'" in line
    assert tiny.snapshot(tiny.bundle) == bundle
    assert not (tiny.webapp / "tmp").exists()


def test_an_unreadable_source_file(tiny: Tiny) -> None:
    prefix = as_a_user()
    tiny.run("build")
    bundle = tiny.snapshot(tiny.bundle)
    secret = tiny.webapp / "src" / "b.txt"
    secret.write_text(" and more")
    secret.chmod(0)
    try:
        line = tiny.one_error(tiny.run("build", code=None, prefix=prefix))
    finally:
        secret.chmod(0o644)
    assert line.startswith(f"error: cannot read {secret}: Permission denied")
    assert tiny.snapshot(tiny.bundle) == bundle
    tiny.run("build")
    assert (tiny.bundle / "index.html").read_text() == "<p>hello and more</p>"


def test_doit_usage_errors_exit_with_doit_code(tiny: Tiny, tmp_path: Path) -> None:
    unknown = tiny.run("no-such-task", code=3, command=DOIT)
    assert 'Invalid parameter: "no-such-task"' in unknown.stderr
    no_dodo = subprocess.run([DOIT, "build"], cwd=tmp_path, env=plain_env(),
                             capture_output=True, text=True, timeout=120)
    assert no_dodo.returncode == 3
    assert "Could not find dodo file" in no_dodo.stderr
    for result in (unknown, no_dodo):
        assert "Traceback" not in result.stderr
        assert "bug in buildtools" not in result.stderr
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "an unknown task or no dodo.py exits 3 with doit's `ERROR:`\nline, which is not a " \
        "buildtools bug" in readme


@pytest.mark.parametrize("home", ["read-only", "missing"])
def test_a_home_that_cannot_hold_the_caches(tmp_path: Path, home: str) -> None:
    """The build cache and npm's cache fall back to a private folder in TMPDIR; nothing is
    made where HOME points."""
    prefix = as_a_user()
    tiny = make_tiny(tmp_path / "tiny", lockfile=False)
    tiny.edit_package_json(devDependencies={"is-odd": "3.0.1"})  # npm needs its cache
    readonly = tmp_path / "readonly"
    readonly.mkdir(mode=0o555)
    env = plain_env()
    for name in ("BUILDTOOLS_CACHE_DIR", "XDG_CACHE_HOME", "npm_config_cache",
                 "NPM_CONFIG_CACHE"):
        env.pop(name, None)
    env["TMPDIR"] = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    env["HOME"] = str(readonly if home == "read-only" else readonly / "home")
    try:
        result = subprocess.run([*prefix, BUILDTOOLS, "build"], cwd=tiny.root, env=env,
                                capture_output=True, text=True, timeout=600)
    finally:
        readonly.chmod(0o755)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tiny.bundle / "index.html").read_text() == "<p>hello</p>"
    assert sorted(path.name for path in readonly.iterdir()) == []
    fallback = tmp_path / "tmp" / f"buildtools-{os.getuid()}"
    assert (fallback / ".gitignore").read_text().splitlines()[-1] == "*"
    assert list((fallback / "cache" / "entries").glob("*/*"))  # the build was kept
    assert (fallback / "npm").is_dir()  # npm's cache went there too


@pytest.mark.parametrize("command", ["buildtools", "doit"])
def test_a_read_only_state_folder(tiny: Tiny, command: str) -> None:
    """The stat cache is saved inside doit's up-to-date check: its failure is one line too."""
    prefix = as_a_user()
    tiny.run("build")
    bundle = tiny.snapshot(tiny.bundle)
    (tiny.root / "assets" / "note.txt").write_text("edited\n")
    state = tiny.root / ".buildtools"
    modes = {path: path.stat().st_mode for path in [state, *state.rglob("*")]
             if path.is_dir()}
    for path in modes:
        path.chmod(0o555)
    try:
        result = tiny.run("build", code=None, prefix=prefix,
                          command=BUILDTOOLS if command == "buildtools" else DOIT)
    finally:
        for path, mode in modes.items():
            path.chmod(mode)
    line = tiny.one_error(result)
    assert str(state) in line and "Permission denied" in line, line
    assert tiny.snapshot(tiny.bundle) == bundle
    tiny.run("build")
    assert (tiny.bundle / "note.txt").read_text() == "edited\n"
