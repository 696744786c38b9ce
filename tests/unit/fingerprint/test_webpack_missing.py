"""What webpack's resolver reported missing, as the build's discovered inputs keep it (with
real webpack: tests/integration/test_inputs_webpack_config.py)."""

from __future__ import annotations

from pathlib import Path

from buildtools.fingerprint import webpack_missing


def test_the_preload_joins_node_options_and_is_written_once(tmp_path: Path) -> None:
    state = tmp_path / ".buildtools"
    env = webpack_missing.build_env(state, {"NODE_OPTIONS": "--max-old-space-size=512"})
    preload = state / webpack_missing.PRELOAD_NAME
    assert env["NODE_OPTIONS"] == f'--max-old-space-size=512 --require "{preload}"'
    assert env[webpack_missing.FOUND_ENV] == str(state / webpack_missing.FOUND_NAME)
    assert env[webpack_missing.READ_ENV] == str(state / webpack_missing.READ_NAME)
    assert preload.read_text() == webpack_missing.PRELOAD
    written = preload.stat().st_mtime_ns
    assert webpack_missing.build_env(state, {}) == {**env, "NODE_OPTIONS": f'--require "{preload}"'}
    assert preload.stat().st_mtime_ns == written  # the same text: not rewritten


def test_only_paths_outside_the_webapp_and_inside_the_tree_are_kept(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    webapp = top / "webapp"
    state = webapp / ".buildtools"
    state.mkdir(parents=True)
    reported = [f"{top}/lib/mod.js", f"{top}/lib/mod.ts", f"{webapp}/src/util.js",
                f"{top}/lib/package.json", f"{tmp_path}/mod.js", "relative/mod.js",
                f"{top}/lib/mod.js"]
    (state / webpack_missing.FOUND_NAME).write_text("\n".join(reported) + "\n")
    assert webpack_missing.reported_outside(state, webapp, top) == [
        f"{top}/lib/mod.js", f"{top}/lib/mod.ts"]
    assert webpack_missing.reported_inside(state, webapp) == ["src/util.js"]
    webpack_missing.forget(state)
    assert webpack_missing.reported_outside(state, webapp, top) == []


def test_the_files_webpack_read_are_kept_wherever_they_lie_outside_the_webapp(
        tmp_path: Path) -> None:
    top = tmp_path / "repo"
    webapp = top / "webapp"
    state = webapp / ".buildtools"
    state.mkdir(parents=True)
    reported = [f"{top}/shared/base.css", f"{webapp}/src/main.tsx", f"{top}/package.json",
                f"{tmp_path}/elsewhere.js", "relative/mod.js", f"{top}/shared/base.css",
                f"{top}/shared", str(top), str(tmp_path), "/"]  # folders: left out
    (top / "shared").mkdir()
    (state / webpack_missing.READ_NAME).write_text("\n".join(reported) + "\n")
    assert webpack_missing.read_outside(state, webapp) == [
        f"{tmp_path}/elsewhere.js", f"{top}/package.json", f"{top}/shared/base.css"]
    assert webpack_missing.reported_outside(state, webapp, top) == []  # another list
    webpack_missing.forget(state)
    assert webpack_missing.read_outside(state, webapp) == []


def test_reported_paths_are_real_paths(tmp_path: Path) -> None:
    """A file reached through a link (a linked file, a linked folder) counts where it lies."""
    top = tmp_path / "repo"
    (top / "shared").mkdir(parents=True)
    (top / "shared" / "util.js").write_text("x")
    (top / "shared" / "data.js").write_text("x")
    webapp = top / "webapp"
    (webapp / "src").mkdir(parents=True)
    (webapp / "src" / "util.js").symlink_to(top / "shared" / "util.js")
    (webapp / "src" / "shared").symlink_to(top / "shared")
    state = webapp / ".buildtools"
    state.mkdir()
    reported = [f"{webapp}/src/util.js", f"{webapp}/src/shared/data.js",
                f"{webapp}/src/../../shared/data.js", f"{webapp}/src/main.js"]
    (state / webpack_missing.READ_NAME).write_text("\n".join(reported) + "\n")
    assert webpack_missing.read_outside(state, webapp) == [
        f"{top}/shared/data.js", f"{top}/shared/util.js"]
