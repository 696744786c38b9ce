"""Where a restore through a recall point spends its time, step by step, in one process (by
hand). Run it in a project where the sources have just gone back to a content built before
(the point must need putting back), with the environment of the builds:

    cd /tmp/bench-final26/project-template && python .../benchmarks/profile_recall.py

It prints what importing the recall modules took, then `recall()` and its steps: loading the
points, checking them, putting back the output and bundle, writing the record and the point
(milliseconds of wall time).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

STEPS = ("matching", "put_back", "_settle")


def main() -> None:
    started = time.perf_counter()
    from buildtools.core.recall import answer, points

    imported = time.perf_counter() - started
    spent: dict[str, float] = {}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            begun = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - begun
        return run

    for name in STEPS:
        setattr(answer, name, timed(name, getattr(answer, name)))
    setattr(points, "load", timed("load", points.load))  # noqa: B010 (what answer calls)
    begun = time.perf_counter()
    found = answer.recall(os.path.abspath(".buildtools"), os.getcwd(), os.environ,
                          may_restore=True)
    took = time.perf_counter() - begun
    what = "no point holds" if found is None else ("restored" if found.notes else "up to date")
    steps = ", ".join(f"{name} {seconds * 1000:.2f}" for name, seconds in spent.items())
    print(f"{what}: import {imported * 1000:.2f} ms, recall {took * 1000:.2f} ms ({steps})")


if __name__ == "__main__":
    main()
