"""`buildtools check` and `status` on a really built project (the tiny one: real npm and node,
no dependencies): they pass when it is fresh, fail after an edit, and a forced rebuild makes
`build` run but never makes `check` or `status` say stale."""

from __future__ import annotations

import json

import pytest

from support.projects import Tiny

pytestmark = pytest.mark.needs("npm")

STALE = "error: the bundle is stale (build, bundle would run); run 'buildtools build'\n"


def without_record(tiny: Tiny) -> None:
    """The next check asks the stages themselves, not the no-op record."""
    (tiny.root / ".buildtools" / "fresh.marshal").unlink(missing_ok=True)


def test_check_passes_when_built_and_fails_after_an_edit(tiny: Tiny) -> None:
    tiny.run("build")
    without_record(tiny)
    passed = tiny.run("check")
    assert passed.stdout.startswith("check passed: the bundle is up to date ("), passed.stdout
    without_record(tiny)
    quiet = tiny.run("check", "-q")
    assert quiet.stderr == ""

    (tiny.webapp / "src" / "a.txt").write_text("edited")
    stale = tiny.run("check", code=1)
    assert stale.stderr == STALE
    assert "build          would run because files changed: src/a.txt" in stale.stdout
    assert tiny.run("check", "-q", code=1).stdout == ""
    assert tiny.count("build") == 1  # check never builds


@pytest.mark.parametrize("how", ["env", "config"])
def test_a_forced_rebuild_never_makes_check_or_status_stale(tiny: Tiny, how: str) -> None:
    tiny.run("build")
    env: dict[str, str] = {}
    if how == "env":
        env["BUILDTOOLS_FORCE_REBUILD"] = "1"
    else:
        toml = tiny.root / "buildtools.toml"
        toml.write_text(toml.read_text().replace(
            'output = "dist"', 'output = "dist"\nforce_rebuild = true'))
    without_record(tiny)
    assert tiny.run("check", env=env).stdout.startswith("check passed: the bundle is up to date")
    status = json.loads(tiny.run("status", "--json", env=env).stdout)
    assert (status["up_to_date"], status["would_run"]) == (True, [])
    assert tiny.count("build") == 1

    # the setting is live: build obeys it
    built = tiny.run("build", env=env)
    assert "a rebuild was forced" in built.stdout, built.stdout
    assert tiny.count("build") == 2
