"""HTTP on 127.0.0.1: a GET that returns errors too, a free port, waiting for a server, serving
from a thread."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from typing import Any

from support.processes import stop_group


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes


def http_get(url: str, headers: dict[str, str] | None = None) -> Response:
    """GET `url`; an HTTP error status is a Response too."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Response(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.headers, error.read())


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, timeout: float = 20.0, proc: Any = None) -> None:
    """Until `url` answers (any HTTP status); fails early when `proc` (a Popen) exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered on {url} within {timeout} s")


@contextlib.contextmanager
def serving(server: socketserver.BaseServer) -> Iterator[socketserver.BaseServer]:
    """`server` answering from a thread until the block ends; then shut down and closed."""
    thread = threading.Thread(target=lambda: server.serve_forever(0.05), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextlib.contextmanager
def server_process(command: list[str], port: int, **popen: Any) -> Iterator[str]:
    """`command`, a server that listens on 127.0.0.1:port, started in its own process group;
    its base URL once it answers; stopped (its group) afterwards."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, **popen)
    try:
        base = f"http://127.0.0.1:{port}/"
        wait_for_http(base, proc=proc)
        yield base
    finally:
        stop_group(proc)
