"""`build`, `check` and `status` over one configuration, through one Session.

A Session is one run: its check pass and the build after it share the scan of each tree. The
no-op record (buildtools.core.record) answers first when it can prove every stage up to date;
otherwise the stages are walked (buildtools.core.walk) under a policy. A build plans the stages
again under the project lock, since another run may have finished in the meantime.

force_rebuild (the config key, BUILDTOOLS_FORCE_REBUILD, --force, doit -a) makes a build run
every stage; it never makes `check` or `status` call a fresh bundle stale.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from collections.abc import Mapping
from typing import Any

from buildtools.config.load import Config
from buildtools.core import record
from buildtools.core.context import Context
from buildtools.core.events import NullReporter, Reporter
from buildtools.core.freshness import StampStore
from buildtools.core.policies import CHECK, EXECUTE, EXPLAIN, BuildResult, StageStatus, Stale
from buildtools.core.recall.keep import keep_point
from buildtools.core.recorder import Recorder
from buildtools.core.walk import walk
from buildtools.fingerprint import racy as racy_clock
from buildtools.util.lock import project_lock
from buildtools.util.process import Runner, run
from buildtools.util.reads import Reads

_LONGEST_WAIT_NS = 50_000_000  # what a build may wait to leave the record

__all__ = ["BuildResult", "Session", "StageStatus", "check_up_to_date", "run_stale_stages",
           "status"]


class Session:
    """One run over one configuration. doit asks the up-to-date check, then runs the build
    action: through one session they share the scan of each tree, and a check that found a
    stale stage is not made again."""

    def __init__(
        self,
        config: Config,
        *,
        reporter: Reporter | None = None,
        environ: Mapping[str, str] | None = None,
        runner: Runner = run,
    ) -> None:
        """`runner` starts npm, node and the post_install_script (buildtools.util.process.Runner):
        the front ends leave the real one; the unit tests give buildtools.testing.fake_npm."""
        environ = dict(os.environ if environ is None else environ)
        reads = Reads(environ)
        self.ctx = Context(
            config=config,
            stamps=StampStore(config.state_dir, reads),
            reporter=reporter or NullReporter(),
            environ=environ,
            force=False,
            runner=runner,
            reads=reads,
        )
        self.known_stale = False
        self.reads = reads  # what the last check read (buildtools.util.reads)
        self._written: tuple[Any, ...] | None = None  # the record the last check wrote

    @property
    def config(self) -> Config:
        return self.ctx.config

    def check_up_to_date(self, *, use_record: bool = True) -> bool:
        """Report and return True when every stage is up to date; runs nothing. use_record=False:
        the caller has just asked the no-op record."""
        started = time.monotonic()
        if use_record and self.answered_by_record(started):
            return True
        try:
            result = self._recorded(self.ctx)
        except Stale:
            self.known_stale = True
            return False
        self._report_fresh(result, started)
        return True

    def status(self, *, force: bool = False) -> BuildResult:
        """Every stage's verdict and reason; runs nothing, prints nothing. Reuses the scans of
        a check made before in this session; leaves the no-op record when all is fresh."""
        ctx = dataclasses.replace(self.ctx, reporter=NullReporter(), force=force)
        if force:
            return walk(ctx, EXPLAIN)
        return self._recorded(ctx, explain=True)

    def run_stale_stages(self, *, force: bool = False) -> BuildResult:
        """Run the stale stages (every stage with `force`), under the project lock; answered
        by the no-op record or a check first when a check of this session found nothing
        stale yet."""
        ctx = self.ctx
        ctx.force = force or self.config.webapp.force_rebuild
        started = time.monotonic()
        if not ctx.force and not self.known_stale:
            try:
                result = self._recorded(ctx)
            except Stale:
                pass
            else:
                self._report_fresh(result, started)
                return result

        def waiting(message: str) -> None:
            ctx.forget_scans()  # the other run may render or install: scan again after it
            ctx.reporter.info(message)

        with project_lock(self.config.state_dir, waiting):
            record.forget(self.config.state_dir)
            result = walk(ctx, EXECUTE)
            if result.ran:
                self._record_after(ctx)
        ctx.reporter.final(built_line(result, time.monotonic() - started))
        return result

    def _record_after(self, ctx: Context) -> None:
        """After a build or a restore (still under the project lock): check again, with
        signatures taken now that the outputs are final, and leave the record if every stage
        is up to date; the next run with no change answers from it. The scans are made anew
        (their stat caches are fresh, so nothing is read again). It starts once what the build
        wrote is older than the racy window of a filesystem with fine times (two clock ticks):
        a record is never written while a signature is that recent."""
        if racy_clock.FINE_RACY_WINDOW_NS > _LONGEST_WAIT_NS:
            return  # a clock too coarse to wait for: the next check writes it
        time.sleep(racy_clock.FINE_RACY_WINDOW_NS / 1e9)
        ctx.forget_scans()
        quiet = dataclasses.replace(ctx, reporter=NullReporter(), force=False)
        with contextlib.suppress(Stale):  # something changed meanwhile: the next run checks
            result = self._recorded(quiet)
            if self._written is not None:
                keep_point(ctx, self._written, result.lines, result.output)

    def answered_by_record(self, started: float | None = None) -> bool:
        """True (and the up-to-date lines reported) when the no-op record proves every stage
        up to date: no config reload, no node, no scan."""
        started = time.monotonic() if started is None else started
        config = self.config
        lines = record.stage_lines(config.state_dir, config.path, self.ctx.environ)
        if lines is None:
            return False
        for name, detail in lines:
            self.ctx.reporter.up_to_date(name, detail)
        self.ctx.reporter.all_up_to_date(time.monotonic() - started, str(config.bundle_dir))
        return True

    def _recorded(self, ctx: Context, *, explain: bool = False) -> BuildResult:
        """A CHECK (or EXPLAIN) walk that leaves the no-op record when every stage is fresh,
        so the next run answers without loading anything."""
        ctx.reads = ctx.stamps.reads = self.reads = Reads(ctx.environ)
        recorder = Recorder(ctx.config, ctx.reads)
        self._written = None
        result = walk(ctx, EXPLAIN if explain else CHECK)
        if result.up_to_date:
            recorder.write(result.lines)
            self._written = recorder.written
        return result

    def _report_fresh(self, result: BuildResult, started: float) -> None:
        for name, detail in result.lines:
            self.ctx.reporter.up_to_date(name, detail)
        self.ctx.reporter.all_up_to_date(time.monotonic() - started, str(result.bundle_dir))


def built_line(result: BuildResult, seconds: float) -> str:
    """The last line of a build. Time the stages' own lines do not show (hashing a large tree,
    storing the cache) is named when it is over a second."""
    other = seconds - result.stage_seconds
    checks = f" ({other:.1f} s of it checking inputs and caching)" if other >= 1.0 else ""
    return (f"built {', '.join(result.ran) or 'nothing'} in {seconds:.1f} s{checks}: "
            f"{result.bundle_dir}")


def status(
    config: Config,
    *,
    environ: Mapping[str, str] | None = None,
    force: bool = False,
    session: Session | None = None,
) -> BuildResult:
    """Plan every stage and say which would run and why; runs nothing, prints nothing.
    A session of the same configuration that has checked already lends its scans."""
    return (session or Session(config, environ=environ)).status(force=force)


def check_up_to_date(
    config: Config, *, reporter: Reporter | None = None, environ: Mapping[str, str] | None = None
) -> bool:
    """Report and return True when every stage is up to date; runs nothing."""
    return Session(config, reporter=reporter, environ=environ).check_up_to_date()


def run_stale_stages(
    config: Config,
    *,
    force: bool = False,
    reporter: Reporter | None = None,
    environ: Mapping[str, str] | None = None,
) -> BuildResult:
    """Run the stale stages of `config`'s project (see Session.run_stale_stages)."""
    return Session(config, reporter=reporter, environ=environ).run_stale_stages(force=force)
