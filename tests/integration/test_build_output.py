"""A build must produce its output: old output never passes as new, and a build that wrote
nothing (or no index.html where the last bundle had one) is an error that keeps the last
bundle and the last output (real npm, real Vite)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.projects import Project, Tiny

pytestmark = pytest.mark.needs("npm")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def failed(project: Project) -> str:
    result = project.doit("build", check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def test_vite_writing_elsewhere_or_without_index_html_keeps_the_last_bundle(
        project: Project) -> None:
    project.doit("build")
    bundle, output = snapshot(project.bundle), snapshot(project.webapp / "dist")
    config = project.webapp / "vite.config.js"
    good = config.read_text()

    config.write_text(good.replace("outDir: 'dist'", "outDir: 'elsewhere'"))  # exits 0
    for _ in range(2):  # and the next run is not "up to date" either
        assert ("error: the build command 'npm run build' finished but wrote no dist/ folder in "
                f"{project.webapp}; set [webapp] output to the folder your build writes (the "
                "last bundle is kept)") in failed(project)
        assert snapshot(project.bundle) == bundle
        assert snapshot(project.webapp / "dist") == output
    assert project.count("build") == 3

    assert "rollupOptions: {" in good
    config.write_text(good.replace("rollupOptions: {", "rollupOptions: { input: 'src/main.jsx',"))
    assert ("error: the build wrote no index.html in dist/ (the last bundle has one); the last "
            "bundle is kept") in failed(project)
    assert snapshot(project.bundle) == bundle
    assert snapshot(project.webapp / "dist") == output

    config.write_text(good)
    project.doit("build")
    assert (project.bundle / "index.html").is_file()
    assert not list(project.webapp.glob(".dist*"))  # nothing left aside


def test_a_build_that_exits_0_and_writes_nothing_is_not_up_to_date(tiny: Tiny) -> None:
    tiny.run("build")
    before = (tiny.bundle / "index.html").read_text()
    script = tiny.webapp / "build.cjs"
    good = script.read_text()
    script.write_text("require('fs').mkdirSync('dist', {recursive: true});\n")  # an edit
    for _ in range(2):
        result = tiny.run("build", code=1)
        assert result.stderr.strip().splitlines()[-1] == (
            "error: the build command 'npm run build' finished but wrote no files in dist/ "
            "(the last bundle is kept)")
        assert (tiny.bundle / "index.html").read_text() == before
        assert (tiny.webapp / "dist" / "index.html").read_text() == before
    tiny.run("check", code=1)
    script.write_text(good)
    tiny.run("build")
    tiny.run("check")


def test_stage_lines_name_the_build_output_from_the_project_root(tiny: Tiny) -> None:
    """A webapp that is not <root>/webapp (the repository's own default build renders one
    into build/default-task/webapp): its output is named from the project root, as the
    bundle and the artifacts are."""
    nested = tiny.root / "build" / "t"
    nested.mkdir(parents=True)
    tiny.webapp.rename(nested / "webapp")
    (nested / "counts").mkdir()  # where the tiny build counts its runs: ../counts
    toml = tiny.root / "buildtools.toml"
    toml.write_text(toml.read_text().replace('source = "webapp"', 'source = "build/t/webapp"'))
    webapp = nested / "webapp"

    def lines(result: str, stage: str) -> list[str]:
        return [text for text in result.splitlines() if text.startswith(f"{stage} ")]

    first = tiny.run("build").stdout
    assert lines(first, "build")[-1].endswith(": build/t/webapp/dist/"), first
    assert "bundle         up to date (dist/bundle)" in tiny.run("build").stdout  # as dist/local
    source = webapp / "src" / "a.txt"
    original = source.read_bytes()
    source.write_bytes(original + b"!")
    tiny.run("build")
    source.write_bytes(original)  # the first build's keys: restored from the cache
    restored = tiny.run("build").stdout
    assert "build          restored from cache: build/t/webapp/dist/" in restored, restored
    (tiny.root / "assets" / "note.txt").write_text("edited\n")  # the build stays up to date
    for path in sorted((webapp / "dist").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (webapp / "dist").rmdir()
    status = tiny.run("status", code=None).stdout
    assert "build          would run because build/t/webapp/dist/ is missing" in status, status
    # the cache keeps outputs by build key: the output comes back, the bundle is made from it
    missing = tiny.run("build").stdout
    assert lines(missing, "build")[0] == "build          restored from cache: build/t/webapp/dist/"
