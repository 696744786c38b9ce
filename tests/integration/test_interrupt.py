"""SIGTERM during the bundle stage: exit 130 with the one "interrupted" line, the last bundle
intact, no staging folder left, and the next run bundles again (real npm, real node)."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from support.projects import BUILDTOOLS, DOIT, Tiny

pytestmark = pytest.mark.needs("npm")

ASSETS = 3000  # enough files that the bundle stage is still copying when the signal comes


def terminated_in_bundle(tiny: Tiny, command: list[str]) -> tuple[int, str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("BUILDTOOLS_FORCE_REBUILD", None)
    proc = subprocess.Popen(command, cwd=tiny.root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if line.startswith("bundle         runs because"):
            proc.send_signal(signal.SIGTERM)
            break
    else:
        raise AssertionError("the bundle stage never started:\n" + "".join(seen))
    proc.stdout.read()
    stderr = proc.stderr.read()
    return proc.wait(timeout=120), stderr


@pytest.mark.parametrize("tool", ["buildtools", "doit"])
def test_sigterm_during_the_bundle_stage(tiny: Tiny, tool: str) -> None:
    command = [BUILDTOOLS if tool == "buildtools" else DOIT, "build"]
    assets = tiny.root / "assets"
    for index in range(ASSETS):
        (assets / f"file{index:05}.txt").write_text(str(index))
    tiny.run("build")
    before = sorted(path.name for path in tiny.bundle.iterdir())
    (assets / "note.txt").write_text("a new note\n")  # the bundle stage must run again

    code, stderr = terminated_in_bundle(tiny, command)
    assert code == 130, stderr
    assert stderr.strip().splitlines()[-1] == \
        "interrupted; nothing was marked up to date that did not finish"
    assert "Traceback" not in stderr
    assert sorted(path.name for path in tiny.bundle.iterdir()) == before
    assert (tiny.bundle / "note.txt").read_text() in ("an asset\n", "a new note\n")
    # nothing left aside (dist/.gitignore is dist ignoring itself)
    assert sorted(path.name for path in tiny.bundle.parent.iterdir()) == [".gitignore", "bundle"]

    again = tiny.run("build")
    assert "bundle         runs because" in again.stdout
    assert (tiny.bundle / "note.txt").read_text() == "a new note\n"
