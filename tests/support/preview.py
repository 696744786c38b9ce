"""`buildtools preview` run as a user runs it: started in a folder, its output lines collected
as they come, its URL once it says where it serves."""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from support.mephisto import task_env
from support.processes import collect_lines
from support.projects import BUILDTOOLS


def preview_env(cache: Path) -> dict[str, str]:
    """The task's environment (support.mephisto.task_env), its Python output unbuffered."""
    return {**task_env(cache), "PYTHONUNBUFFERED": "1"}


@dataclass
class Preview:
    process: subprocess.Popen[str]
    url: str
    lines: list[str]

    def wait_for_line(self, pattern: str, timeout: float = 60.0, start: int = 0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[start:]:
                if re.search(pattern, line):
                    return line
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"no line matching {pattern!r}:\n" + "\n".join(self.lines))


def start_preview(folder: Path, cache: Path, *args: str,
                  env: dict[str, str] | None = None) -> Preview:
    """`buildtools preview --port 0 ARGS` in `folder` (its own process group), once it says
    where it serves; its output lines (stdout and stderr) are collected as they come."""
    process = subprocess.Popen(
        [BUILDTOOLS, "preview", "--port", "0", *args], cwd=folder,
        env={**preview_env(cache), **(env or {})},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    preview = Preview(process, "", collect_lines(process))
    found = preview.wait_for_line(r"^preview of .* at http://127\.0\.0\.1:\d+/", 300)
    address = re.search(r"http://127\.0\.0\.1:\d+/", found)
    assert address is not None, found
    preview.url = address.group(0)
    return preview
