"""Where a restore's CPU goes, phase by phase, in one process (run by hand, in a project whose
sources are back to a version built before, so that the build comes from the cache):

    cd <project> && python <buildtools>/benchmarks/profile_restore.py

Prints the CPU time (time.process_time) of: the no-op record's check, importing the pipeline
(what `buildtools build` imports), loading the config, each walk of Session.run_stale_stages
(the check that finds the build stale, the walk that restores) and the check after it that
writes the record. Run it several times and keep the best: see docs/BENCHMARKS.md.
"""

from __future__ import annotations

import time

started = time.process_time()
from buildtools.core import record  # noqa: E402

record.check()
checked = time.process_time()
from buildtools.config.load import load_config  # noqa: E402
from buildtools.core import pipeline  # noqa: E402

imported = time.process_time()
config = load_config()
loaded = time.process_time()

walks: list[float] = []
after: list[float] = []
real_walk = pipeline.walk
real_after = pipeline.Session._record_after


def timed_walk(ctx, policy):  # type: ignore[no-untyped-def]
    begun = time.process_time()
    try:
        return real_walk(ctx, policy)
    finally:
        walks.append(time.process_time() - begun)


def timed_after(self, ctx):  # type: ignore[no-untyped-def]
    begun = time.process_time()
    real_after(self, ctx)
    after.append(time.process_time() - begun)


pipeline.walk = timed_walk  # type: ignore[assignment]
pipeline.Session._record_after = timed_after  # type: ignore[method-assign]
result = pipeline.Session(config).run_stale_stages()
built = time.process_time()
print(f"ran: {', '.join(result.ran) or 'nothing'}")
print(f"record check {1000 * (checked - started):.1f} ms CPU; imports "
      f"{1000 * (imported - checked):.1f}; config {1000 * (loaded - imported):.1f}; "
      f"Session.run_stale_stages {1000 * (built - loaded):.1f}: walks "
      f"{', '.join(f'{1000 * w:.1f}' for w in walks)} (the last inside the record's check), "
      f"record after {1000 * sum(after):.1f}")
