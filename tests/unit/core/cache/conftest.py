"""Fixtures of the cache tests."""

from __future__ import annotations

import http.server
import time
from collections.abc import Iterator

import pytest

from support.http import serving


@pytest.fixture
def fake_server() -> Iterator[tuple[str, dict[str, object]]]:
    """A server whose answer the test sets: {'delay': s, 'body': b, 'tag': str|None}."""
    behaviour: dict[str, object] = {"delay": 0.0, "body": b"", "tag": None}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = behaviour.get("answer")
            if callable(answer):  # the test writes the answer itself
                answer(self)
                return
            time.sleep(float(behaviour["delay"]))  # type: ignore[arg-type]
            body = behaviour["body"]
            assert isinstance(body, bytes)
            self.send_response(200)
            if behaviour["tag"] is not None:
                self.send_header("x-artifact-tag", str(behaviour["tag"]))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with serving(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}", behaviour
