"""Signs of life and a failure said once, as a user sees them: `buildtools build` under a real
pseudo-terminal (a counter while a silent stage runs) and through a pipe (nothing extra), with
real npm and node on the tiny project."""

from __future__ import annotations

import os
import pty
import select
import time

import pytest

from support.projects import BUILDTOOLS, DOIT, Tiny

pytestmark = pytest.mark.needs("npm")

SLOW_SCRIPT = "echo post-install starts\nsleep 2.5\necho post-install ends\n"
FAILING_BUILD = "console.error('MARKER-7f3a: the build broke'); process.exit(3);\n"


def on_a_terminal(tiny: Tiny, *args: str, env: dict[str, str]) -> tuple[int, str]:
    """`buildtools ARGS` with stdout and stderr on a pseudo-terminal: (exit code, screen)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: exec at once, nothing else
        os.chdir(tiny.root)
        os.execve(env["BUILDTOOLS"], [env["BUILDTOOLS"], *args], env)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 5)
        if not ready:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode(errors="replace")


@pytest.fixture
def terminal_env() -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "BUILDTOOLS": BUILDTOOLS}
    env.pop("BUILDTOOLS_FORCE_REBUILD", None)
    env.pop("BUILDTOOLS_CONFIG", None)
    return env


def with_slow_post_install(tiny: Tiny) -> None:
    (tiny.webapp / "post.sh").write_text(SLOW_SCRIPT)
    toml = tiny.root / "buildtools.toml"
    toml.write_text(toml.read_text().replace(
        'extra_source_dir = "assets"', 'extra_source_dir = "assets"\n'
        'post_install_script = "post.sh"'))


def test_a_silent_stage_shows_its_seconds_on_a_terminal_and_nothing_in_a_pipe(
        tiny: Tiny, terminal_env: dict[str, str]) -> None:
    with_slow_post_install(tiny)
    code, screen = on_a_terminal(tiny, "build", env=terminal_env)
    assert code == 0, screen
    # the counter of the silent post_install, drawn on the last line and erased after
    assert "\rpost_install   running, 1 s\033[K" in screen, screen
    assert "\rpost_install   running, 2 s\033[K" in screen, screen
    after = screen.split("post-install ends")[0].rsplit("running, 2 s", 1)[1]
    assert after.startswith("\033[K\r\033[K"), repr(after)  # erased before the next line
    assert "post_install   done in" in screen

    # the same build through a pipe (a CI log), and under -q on a terminal: no counter
    (tiny.webapp / "post.sh").write_text(SLOW_SCRIPT + "# changed\n")
    piped = tiny.run("build")
    assert "post-install ends" in piped.stdout
    assert "running," not in piped.stdout + piped.stderr
    (tiny.webapp / "post.sh").write_text(SLOW_SCRIPT + "# changed again\n")
    code, screen = on_a_terminal(tiny, "build", "-q", env=terminal_env)
    assert code == 0, screen
    assert "running," not in screen and "post-install" not in screen


def test_a_failed_build_shows_its_output_once_and_says_which_stage_failed(
        tiny: Tiny, terminal_env: dict[str, str]) -> None:
    tiny.run("build")
    (tiny.webapp / "build.cjs").write_text(FAILING_BUILD)

    result = tiny.run("build", code=1)
    screen = result.stdout + result.stderr
    assert screen.count("MARKER-7f3a") == 1, screen  # streamed; not repeated as "last lines"
    assert "--- last" not in screen
    assert "build          failed after" in result.stdout
    assert result.stderr.strip().splitlines()[-1] == (
        "error: npm run build failed (exit code 3): npm run build")

    doit = tiny.run("build", command=DOIT, code=1)
    assert (doit.stdout + doit.stderr).count("MARKER-7f3a") == 1, doit.stdout + doit.stderr

    # -q shows nothing as it comes: then the error brings the output's last lines, once
    quiet = tiny.run("build", "-q", code=1)
    assert (quiet.stdout + quiet.stderr).count("MARKER-7f3a") == 1
    assert "--- last" in quiet.stderr
    assert "failed after" not in quiet.stdout

    code, screen = on_a_terminal(tiny, "build", env=terminal_env)
    assert code == 1
    assert screen.count("MARKER-7f3a") == 1, screen
