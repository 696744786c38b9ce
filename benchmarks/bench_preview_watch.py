"""Save-to-reload of `buildtools preview --watch` against the bundler's own watch rebuild.

    python benchmarks/bench_preview_watch.py [--runs 7] [--projects template,webpack]

Projects: `template` (`buildtools new`: Vite 8, React 18, mephisto-task) and `webpack`
(tests/fixtures/static_react_task: webpack 5, Babel). Each is made twice in a temporary folder
(npm ci, untimed): one copy runs `buildtools preview --watch` with headless Chromium showing a
unit (DevTools protocol, websocket-client), the other the bundler's watch (`vite build --watch`,
`webpack --watch`). Then, in alternation, the same edit (a new word in a component) is saved in
each copy and timed:

- ours: from the save to the open page showing the word (rebuilt, reloaded, rendered);
- peer: from the save to the bundle on disk holding the word (no page is reloaded).

Prints the medians, their ratio and the load average (`uptime`) before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "tests" / "fixtures" / "static_react_task"
BUILDTOOLS = str(Path(sys.executable).parent / "buildtools")
ENV = {**os.environ, "NO_COLOR": "1", "CYPRESS_INSTALL_BINARY": "0"}


@dataclass(frozen=True)
class Project:
    name: str
    component: str  # the file edited, relative to the task
    anchor: str  # text in it, replaced by anchor + the word
    peer: list[str]  # the bundler's watch, run in webapp/
    output: str  # the peer's bundle, relative to webapp/
    page: str  # the query that opens a unit


PROJECTS = {
    "template": Project("template", "webapp/src/App.jsx", "How natural does it sound?",
                        ["npx", "vite", "build", "--watch"], "dist/bundle.js",
                        "?worker_id=bench&assignment_id=1"),
    "webpack": Project("webpack", "webapp/src/components/core_components.jsx",
                       '<button id="good" onClick={() => rate("good")}>Good',
                       ["npx", "webpack", "--mode", "development", "--watch"],
                       "build/bundle.js", "?worker_id=bench&assignment_id=1"),
}


class Browser:
    """Headless Chromium and one tab, over the DevTools protocol."""

    def __init__(self) -> None:
        import websocket

        binary = shutil.which("chromium") or shutil.which("google-chrome")
        if binary is None:
            raise SystemExit("chromium is not installed")
        self.profile = tempfile.mkdtemp(prefix="bench-chromium-")
        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             f"--user-data-dir={self.profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            start_new_session=True)
        assert self.process.stderr is not None
        for line in self.process.stderr:
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                break
        threading.Thread(target=self.process.stderr.read, daemon=True).start()
        self.socket = websocket.create_connection(found.group(1), suppress_origin=True)
        self.ids = 0
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]

    def send(self, method: str, params: dict[str, Any], session: str | None = None) -> Any:
        self.ids += 1
        message: dict[str, Any] = {"id": self.ids, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        while True:
            reply = json.loads(self.socket.recv())
            if reply.get("id") == self.ids:
                return reply.get("result", {})

    def has_text(self, word: str) -> bool:
        reply = self.send("Runtime.evaluate", {
            "expression": f"document.body !== null && document.body.innerText.includes("
                          f"{json.dumps(word)})", "returnByValue": True}, self.session)
        return bool(reply.get("result", {}).get("value"))

    def goto(self, url: str) -> None:
        self.send("Page.navigate", {"url": url}, self.session)

    def close(self) -> None:
        self.socket.close()
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)


def prepare(project: Project, base: Path) -> tuple[Path, Path]:
    ours, peer = base / "ours", base / "peer"
    if project.name == "template":
        subprocess.run([BUILDTOOLS, "new", str(ours), "--no-input"], check=True, env=ENV,
                       capture_output=True)
    else:
        shutil.copytree(FIXTURE, ours)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ours / "webapp", check=True,
                   env=ENV, capture_output=True)
    shutil.copytree(ours, peer, symlinks=True, ignore=shutil.ignore_patterns("node_modules"))
    subprocess.run(["cp", "-al", str(ours / "webapp" / "node_modules"),
                    str(peer / "webapp" / "node_modules")], check=True)
    return ours, peer


def until(check: Any, timeout: float = 120.0) -> float:
    started = time.perf_counter()
    while not check():
        if time.perf_counter() - started > timeout:
            raise SystemExit("timed out")
        time.sleep(0.005)
    return time.perf_counter() - started


def save(path: Path, anchor: str, word: str) -> None:
    """Write `anchor WORD` where the file says `anchor` (or `anchor` and an earlier word)."""
    text = path.read_text()
    path.write_text(re.sub(re.escape(anchor) + r"( W\d+)?", f"{anchor} {word}", text, count=1))


def measure(project: Project, runs: int, base: Path) -> tuple[list[float], list[float]]:
    ours_dir, peer_dir = prepare(project, base)
    preview = subprocess.Popen([BUILDTOOLS, "preview", "--watch", "--port", "0"], cwd=ours_dir,
                               env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    peer = subprocess.Popen(project.peer, cwd=peer_dir / "webapp", env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    browser = Browser()
    try:
        assert preview.stdout is not None
        url = ""
        for line in preview.stdout:
            found = re.search(r"^preview of .* at (http://\S+) ", line)
            if found:
                url = found.group(1)
                break
        threading.Thread(target=preview.stdout.read, daemon=True).start()
        output = peer_dir / "webapp" / project.output
        until(output.is_file)
        browser.goto(url + project.page)
        until(lambda: browser.has_text(project.anchor.split(">")[-1]))
        ours_times, peer_times = [], []
        for index in range(-1, runs):  # -1: a warm-up round, not counted
            word = f"W{index + 2}"
            save(ours_dir / project.component, project.anchor, word)
            ours_time = until(lambda word=word: browser.has_text(word))
            save(peer_dir / project.component, project.anchor, word)
            peer_time = until(lambda word=word: holds(output, word))
            if index >= 0:
                ours_times.append(ours_time)
                peer_times.append(peer_time)
            time.sleep(0.5)
        return ours_times, peer_times
    finally:
        browser.close()
        for process in (preview, peer):
            os.killpg(process.pid, signal.SIGINT)
            process.wait(20)


def holds(path: Path, word: str) -> bool:
    """The bundle holds `word` (a watch rebuild empties the folder first: then it does not)."""
    try:
        return word.encode() in path.read_bytes()
    except FileNotFoundError:
        return False


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--projects", default="template,webpack")
    args = parser.parse_args()
    for name in args.projects.split(","):
        project = PROJECTS[name]
        with tempfile.TemporaryDirectory(prefix=f"bench-preview-{name}-") as base:
            before = load()
            ours, peer = measure(project, args.runs, Path(base))
            after = load()
        ratio = statistics.median(ours) / statistics.median(peer)
        print(f"{name}: save to reloaded page {statistics.median(ours) * 1000:.0f} ms "
              f"(min {min(ours) * 1000:.0f}), bundler watch rebuild "
              f"{statistics.median(peer) * 1000:.0f} ms (min {min(peer) * 1000:.0f}): "
              f"{ratio:.2f}x; medians of {args.runs}")
        print(f"    load before: {before}\n    load after:  {after}")


if __name__ == "__main__":
    main()
