"""The cache never restores what it did not store: a truncated entry is dropped with one
warning and the build runs (real npm, real node)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.projects import Tiny

pytestmark = pytest.mark.needs("npm")


def test_a_truncated_cache_entry_is_dropped_and_the_build_runs(tiny: Tiny, tmp_path: Path) -> None:
    cache_dir = tmp_path / "user-cache"
    env = {"BUILDTOOLS_CACHE_DIR": str(cache_dir)}
    source = tiny.webapp / "src" / "a.txt"
    tiny.run("build", env=env)
    source.write_text("edited")
    tiny.run("build", env=env)
    assert tiny.count("build") == 2
    entries = sorted((cache_dir / "cache" / "entries").glob("*/*"))
    assert len(entries) == 2
    for entry in entries:  # a disk that lost their content, say
        for part in ("bundle", "output"):
            for path in (entry / part).rglob("*.html"):
                path.write_bytes(b"")

    source.write_text("hello")  # back to the sources of the first build
    result = tiny.run("build", env=env)
    assert "restored from cache" not in result.stdout
    assert "is damaged (output/index.html has 0 bytes, 12 were stored); it was dropped and " \
        "the stages run" in result.stderr, result.stderr
    assert result.stderr.count("warning:") == 1
    assert tiny.count("build") == 3
    assert (tiny.bundle / "index.html").read_text() == "<p>hello</p>"
    tiny.run("check", env=env)
