"""Headless Chromium driven over its DevTools protocol: a small client on websocket-client
(one tab a Page: evaluate, wait for, click, navigate)."""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from support.processes import stop_group


class DevToolsError(AssertionError):
    pass


class Page:
    """One tab, through the browser's DevTools websocket (flattened session)."""

    def __init__(self, browser: Chromium, session: str, target: str) -> None:
        self.browser = browser
        self.session = session
        self.target = target

    def send(self, method: str, **params: Any) -> Any:
        return self.browser.send(method, params, self.session)

    def evaluate(self, expression: str) -> Any:
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                          awaitPromise=True)
        if "exceptionDetails" in reply:
            raise DevToolsError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20.0) -> Any:
        """The value of `expression` once it is truthy; fails with the page's text."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except DevToolsError:
                value = None  # the page is between two documents
            if value:
                return value
            time.sleep(0.05)
        body = self.evaluate("document.documentElement.outerHTML")
        raise AssertionError(f"not true within {timeout} s: {expression}\n{body}")

    def wait_for_value(self, expression: str, value: Any, timeout: float = 20.0) -> None:
        """Until `expression` equals `value` (compared in the page, as JSON)."""
        self.wait_for(f"JSON.stringify({expression}) === {json.dumps(json.dumps(value))}",
                      timeout)

    def goto(self, url: str) -> None:
        self.send("Page.navigate", url=url)

    def click(self, selector: str) -> None:
        self.wait_for(f"!!document.querySelector({json.dumps(selector)})")
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})


@dataclass
class Chromium:
    process: subprocess.Popen[str]
    socket: Any
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, method: str, params: dict[str, Any], session: str | None = None) -> Any:
        with self._lock:
            number = next(self._ids)
            message: dict[str, Any] = {"id": number, "method": method, "params": params}
            if session is not None:
                message["sessionId"] = session
            self.socket.send(json.dumps(message))
            while True:  # events are dropped: the tests poll the page's state
                reply = json.loads(self.socket.recv())
                if reply.get("id") == number:
                    if "error" in reply:
                        raise DevToolsError(f"{method}: {reply['error']}")
                    return reply.get("result", {})

    def new_page(self, url: str) -> Page:
        target = self.send("Target.createTarget", {"url": url})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        return Page(self, session["sessionId"], target)


@contextlib.contextmanager
def launch_chromium(binary: str, connect: Callable[..., Any]) -> Iterator[Chromium]:
    """Headless Chromium with its DevTools protocol on a port the OS chose, stopped (its process
    group) afterwards; `connect` is websocket-client's create_connection (an optional test
    dependency: the fixture skips where it is missing)."""
    profile = tempfile.mkdtemp(prefix="chromium-cdp-")
    process = subprocess.Popen(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert process.stderr is not None
        address = None
        for line in process.stderr:
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                address = found.group(1)
                break
        assert address, f"chromium did not start (exit code {process.poll()})"
        threading.Thread(target=process.stderr.read, daemon=True).start()
        socket = connect(address, timeout=30, suppress_origin=True)
        yield Chromium(process, socket)
        socket.close()
    finally:
        stop_group(process)
        shutil.rmtree(profile, ignore_errors=True)
