"""One line of `buildtools doctor`: what was checked, its state, and a hint when it is not ok."""

from __future__ import annotations

from dataclasses import dataclass

OK = "ok"
MISSING = "missing"
ERROR = "error"
SKIPPED = "skipped"  # a check that needs what an earlier check found wrong


@dataclass(frozen=True)
class Check:
    name: str
    state: str  # OK | MISSING | ERROR | SKIPPED
    detail: str
    hint: str = ""
    required: bool = True

    @property
    def ok(self) -> bool:
        return self.state == OK
