"""Server-sent events to the open preview pages: `reload` when a new bundle is in place,
`build-error` (with the error line) when a build failed, `build-ok` when one succeeded again.
A page that connects while the last build is failed gets its error at once."""

from __future__ import annotations

import queue
import threading

CLOSED = None  # what a subscriber's queue receives when the hub closes


class Hub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[queue.Queue[tuple[str, str] | None]] = []
        self.error: str | None = None
        self.reloads = 0

    def subscribe(self) -> queue.Queue[tuple[str, str] | None]:
        inbox: queue.Queue[tuple[str, str] | None] = queue.Queue()
        with self._lock:
            self._subscribers.append(inbox)
            if self.error is not None:
                inbox.put(("build-error", self.error))
        return inbox

    def unsubscribe(self, inbox: queue.Queue[tuple[str, str] | None]) -> None:
        with self._lock:
            if inbox in self._subscribers:
                self._subscribers.remove(inbox)

    @property
    def listeners(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def reload(self) -> None:
        with self._lock:
            self.error = None
            self.reloads += 1
        self._publish("reload", str(self.reloads))

    def failed(self, message: str) -> None:
        with self._lock:
            self.error = message
        self._publish("build-error", message)

    def recovered(self) -> None:
        """A build succeeded but changed nothing served: only the error banner goes."""
        with self._lock:
            was_failed, self.error = self.error is not None, None
        if was_failed:
            self._publish("build-ok", "")

    def close(self) -> None:
        with self._lock:
            subscribers, self._subscribers = self._subscribers, []
        for inbox in subscribers:
            inbox.put(CLOSED)

    def _publish(self, event: str, data: str) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for inbox in subscribers:
            inbox.put((event, data))


def sse_message(event: str, data: str) -> bytes:
    lines = "".join(f"data: {line}\n" for line in (data.splitlines() or [""]))
    return f"event: {event}\n{lines}\n".encode()
