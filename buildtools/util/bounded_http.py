"""HTTP requests bounded in time and size, for servers that may be slow, lying or hostile.

`timeout` bounds the WHOLE exchange (connect, headers, body), not each socket read: a server
that sends one byte every few seconds is cut at the deadline, as one that never answers. A
watchdog thread shuts the socket down at the deadline, which wakes a read blocked in another
thread (the read then sees the end of the stream, and we say it was the deadline).
A body is streamed to the caller in chunks and never read beyond `max_bytes`, nor beyond the
Content-Length the server declared.
"""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress

CHUNK = 1 << 16


class TransferError(Exception):
    """The request did not complete: why, in a few words."""


def _connection(
    url: str, timeout: float
) -> tuple[http.client.HTTPConnection, str, dict[str, str]]:
    """A connection for `url`, the request target to send on it and the headers it needs,
    through the proxy that the environment names (http_proxy, https_proxy, no_proxy), as
    urllib would."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransferError(f"not an http(s) URL: {url}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and urllib.request.proxy_bypass(parts.hostname):
        proxy = None
    if not proxy:
        return _plain(parts.scheme, parts.hostname, parts.port, timeout), path, {}
    via = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    if not via.hostname:
        raise TransferError(f"not a proxy URL: {proxy}")
    auth: dict[str, str] = {}
    if via.username:
        pair = f"{urllib.parse.unquote(via.username)}:{urllib.parse.unquote(via.password or '')}"
        auth["Proxy-Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    if parts.scheme == "http":  # the proxy is asked for the whole URL
        connection = _plain(via.scheme, via.hostname, via.port, timeout)
        return connection, urllib.parse.urlunsplit(parts._replace(fragment="")), auth
    tunnel = http.client.HTTPSConnection(via.hostname, via.port or 80, timeout=timeout,
                                         context=ssl.create_default_context())
    tunnel.set_tunnel(parts.hostname, parts.port or 443, headers=auth)
    return tunnel, path, {}


def _plain(scheme: str, host: str, port: int | None, timeout: float
           ) -> http.client.HTTPConnection:
    if scheme == "https":
        return http.client.HTTPSConnection(host, port, timeout=timeout,
                                           context=ssl.create_default_context())
    return http.client.HTTPConnection(host, port, timeout=timeout)


@contextmanager
def _deadline(connection: http.client.HTTPConnection, seconds: float) -> Iterator[list[bool]]:
    """Shut the connection's socket down after `seconds`; yields [expired]."""
    expired = [False]

    def expire() -> None:
        expired[0] = True
        sock = connection.sock
        if sock is not None:
            with suppress(OSError):
                sock.settimeout(0.001)  # the next read fails fast, even if bytes still come
                sock.shutdown(socket.SHUT_RDWR)  # and the read blocked now wakes

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield expired
    finally:
        timer.cancel()
        connection.close()


def request(
    method: str,
    url: str,
    *,
    timeout: float,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    max_bytes: int = 0,
    on_chunk: Callable[[bytes], None] | None = None,
    any_status: bool = False,
) -> tuple[int, dict[str, str]]:
    """Send the request; pass the answer's body (of a 2xx answer, at most `max_bytes`) to
    `on_chunk`. Returns (status, headers with lower-case names). Raises TransferError when the
    server cannot be reached, answers an error other than 404 (any status, with `any_status`),
    is slower than `timeout` in all, or sends more than allowed."""
    connection, target, extra = _connection(url, timeout)
    with _deadline(connection, timeout) as expired:
        try:
            connection.request(method, target, body=body, headers={**(headers or {}), **extra})
            response = connection.getresponse()
            found = {name.lower(): value for name, value in response.getheaders()}
            if response.status == 404 or (any_status and response.status >= 300):
                return response.status, found
            if not 200 <= response.status < 300:
                raise TransferError(f"HTTP {response.status} {response.reason}")
            if on_chunk is not None:
                _read_body(response, found.get("content-length"), max_bytes, on_chunk,
                           expired)
        except (TransferError, OSError, http.client.HTTPException, ValueError) as exc:
            if expired[0]:  # what the shutdown caused: a reset, a short body, ...
                raise TransferError(f"no whole answer within {timeout:g} s") from None
            if isinstance(exc, TransferError):
                raise
            raise TransferError(str(exc) or type(exc).__name__) from None
        if expired[0]:
            raise TransferError(f"no whole answer within {timeout:g} s")
        return response.status, found


def _read_body(
    response: http.client.HTTPResponse,
    declared: str | None,
    max_bytes: int,
    on_chunk: Callable[[bytes], None],
    expired: list[bool],
) -> None:
    limit = max_bytes
    if declared is not None:
        length = int(declared)  # ValueError: a lying header, said as such by the caller
        if length > max_bytes:
            raise TransferError(f"the answer is {length} bytes, more than the {max_bytes} "
                                "allowed")
        limit = length
    received = 0
    while not expired[0]:  # (Linux still delivers what arrives after a shutdown: look)
        chunk = response.read1(min(CHUNK, limit - received + 1))  # what one read brings
        if not chunk:
            break
        received += len(chunk)
        if received > limit:
            raise TransferError(f"the answer is more than the {limit} bytes allowed")
        on_chunk(chunk)
    if declared is not None and received < limit:
        raise TransferError(f"the answer ended after {received} of {limit} bytes")
