"""Headless Chromium, as root, one fresh profile per page load: the DOM after the scripts ran."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile


def chromium_binary() -> str | None:
    """The headless-capable Chromium on PATH, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """Headless Chromium, as root: a fresh profile per page load."""

    def __init__(self, binary: str) -> None:
        self.binary = binary

    def dump_dom(self, url: str) -> str:
        """The DOM of `url` after its scripts ran."""
        with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
            result = subprocess.run(
                [self.binary, "--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", f"--user-data-dir={profile}",
                 "--virtual-time-budget=5000", "--dump-dom", url],
                capture_output=True, text=True, timeout=90,
            )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    def assert_task_rendered(self, url: str, title: str) -> None:
        """The page's script loaded task_config.json, set the title, and the image loaded."""
        dom = self.dump_dom(url)
        assert f'id="task-title">{title}</h1>' in dom, dom
        images = re.findall(r'<img[^>]*id="task-image"[^>]*>', dom)
        assert images and 'data-loaded="true"' in images[0], dom
