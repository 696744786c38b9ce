"""One way through a build or a check, for every front end: the `buildtools` CLI (its fast path
and click's `build` and `check`), doit's `build` task (its up-to-date check, then its action) and
the Mephisto drop-in. A front end says what it was asked in a Request, and renders what comes
back; the order of the steps lives here only:

1. the no-op record (core.record): when it proves every stage up to date, the answer is data (an
   Outcome holding the stage lines, for the front end to tell) and nothing else is loaded: not
   the configuration, not the pipeline, not the reporter; when it does not, the recall points
   (core.recall) of the builds before: when one holds, every stage is up to date or, for a
   build, its output and bundle come back from the cache, still without the pipeline;
2. for a build that asks it (the CLI's fast path), the early npm start (core.early), before
   anything heavy is imported, so that npm's start overlaps the check;
3. one Session (core.pipeline) over the configuration: its check, then its build, reporting
   stage by stage to the reporter as they go.

Importing this module costs next to nothing (os, time, core.record): the CLI answers a no-op
through it. The configuration, the pipeline, core.early and the reporter load on first use.
"""

from __future__ import annotations

import os
import time

from buildtools.core import record

TYPE_CHECKING = False  # typing costs more to import than a no-op answer: types only for mypy
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from buildtools.config.model import Config
    from buildtools.core.events import HearsUpToDate, Reporter
    from buildtools.core.pipeline import BuildResult, Session
    from buildtools.util.process import Runner


class Request:
    """What a front end asks: a build (or its check) of the project found from `cwd`, or of
    `config` when the front end made its own (the drop-in).

    force: run every stage, whatever the record and the keys say; show_keys: a build that finds
    nothing to do shows each stage's key (a status pass, since the record keeps no keys);
    early_start: start the build's npm run during the check (core.early); term_interrupts:
    SIGTERM interrupts the build as Ctrl-C does (the CLI's fast path, outside handler.guarded);
    runner: what starts npm and node (None: the real one; the unit tests give a fake)."""

    __slots__ = ("config", "cwd", "early_start", "environ", "force", "runner", "show_keys",
                 "term_interrupts")

    def __init__(self, *, cwd: str | None = None, environ: Mapping[str, str] | None = None,
                 config: Config | None = None, force: bool = False, show_keys: bool = False,
                 early_start: bool = False, term_interrupts: bool = False,
                 runner: Runner | None = None) -> None:
        self.cwd = os.getcwd() if cwd is None else cwd
        self.environ = os.environ if environ is None else environ
        self.config = config
        self.force = force
        self.show_keys = show_keys
        self.early_start = early_start
        self.term_interrupts = term_interrupts
        self.runner = runner

    @property
    def asks_record(self) -> bool:
        return not self.force and not self.show_keys


class Outcome:
    """What a run did. fresh: every stage was up to date and nothing ran. from_record: the no-op
    record or a recall point said so, or a recall point put the build back (`restored`: the
    (stage, line) of what came back), and nothing was reported: `lines` (each stage's (name,
    detail)), `seconds` and `bundle` are for the front end to tell (`tell`). Otherwise the
    session reported as it went, and `result` is what it found or built."""

    __slots__ = ("bundle", "fresh", "from_record", "lines", "restored", "result", "seconds")

    def __init__(self, *, fresh: bool, from_record: bool = False,
                 lines: list[tuple[str, str]] | None = None, seconds: float = 0.0,
                 bundle: str = "", result: BuildResult | None = None,
                 restored: list[tuple[str, str]] | None = None) -> None:
        self.fresh = fresh
        self.from_record = from_record
        self.lines = lines or []
        self.restored = restored or []
        self.seconds = seconds
        self.bundle = bundle
        self.result = result


def tell(outcome: Outcome, reporter: HearsUpToDate) -> None:
    """Report the answer of the record or a recall point as a session reports its own: each
    stage up to date, then that every stage is, or what came back from the cache."""
    for stage, detail in outcome.lines:
        reporter.up_to_date(stage, detail)
    if not outcome.restored:
        reporter.all_up_to_date(outcome.seconds, outcome.bundle)
        return
    for stage, line in outcome.restored:
        reporter.stage_note(stage, line)
    reporter.final(f"built bundle (restored from cache) in {outcome.seconds:.1f} s: "
                   f"{outcome.bundle}")


class BuildRun:
    """One build or check of one project. `reporter` makes the reporter when a session opens:
    a no-op answered by the record makes none."""

    def __init__(self, request: Request, reporter: Callable[[], Reporter]) -> None:
        self.request = request
        self._make_reporter = reporter
        self._reporter: Reporter | None = None
        self._session: Session | None = None
        self._state_dir: str | None = None
        self._record_asked = False
        self._recall_asked = False
        self._restore_pending = False  # a recall point holds that a build would put back

    @property
    def reporter(self) -> Reporter:
        if self._reporter is None:
            self._reporter = self._make_reporter()
        return self._reporter

    def state_dir(self) -> str | None:
        """The project's state folder, found once: the config's, else the one of the config that
        would be found from the request's folder (core.record.state_dir_for reads no config)."""
        if self._state_dir is None:
            config = self.request.config
            self._state_dir = (str(config.state_dir) if config is not None else
                               record.state_dir_for(self.request.cwd, self.request.environ))
        return self._state_dir

    def answer_from_record(self) -> Outcome | None:
        """The no-op record's answer when it proves every stage up to date (asked once per run;
        nothing reported: see Outcome); None when the session must decide."""
        if self._record_asked:
            return None
        self._record_asked = True
        started = time.monotonic()
        config = self.request.config
        if config is not None:
            lines = record.stage_lines(config.state_dir, config.path, self.request.environ)
            bundle = str(config.bundle_dir)
        else:
            state = self.state_dir()
            found = None if state is None else record.check(
                self.request.cwd, self.request.environ, state)
            lines, bundle = (None, "") if found is None else found
        if lines is None:
            return None
        return Outcome(fresh=True, from_record=True, lines=lines, bundle=bundle,
                       seconds=time.monotonic() - started)

    def answer_from_recall(self, *, may_restore: bool) -> Outcome | None:
        """The answer of a recall point that holds (core.recall; nothing reported: see Outcome):
        every stage up to date, or with `may_restore`, the build output and bundle put back
        from the cache. Asked once per run with `may_restore`; None when the session must
        decide."""
        state = self.state_dir()
        if self._recall_asked or not self.request.asks_record or state is None:
            return None
        from buildtools.core.recall.answer import recall

        found = recall(state, self.request.cwd, self.request.environ, may_restore=may_restore)
        self._recall_asked = may_restore
        if found is None or found.pending:
            self._restore_pending = found is not None
            return None
        self._recall_asked = True
        return Outcome(fresh=not found.notes, from_record=True, lines=found.lines,
                       restored=found.notes, bundle=found.bundle, seconds=found.seconds)

    @property
    def session(self) -> Session:
        """The one session of this run, over the configuration found from the request's folder
        (its warnings reported) or given by the front end."""
        if self._session is None:
            from buildtools.core.pipeline import Session
            from buildtools.util.process import run as run_process

            config = self.request.config
            if config is None:
                config = find_config(self.request.cwd, self.reporter)
            self._session = Session(config, reporter=self.reporter, environ=self.request.environ,
                                    runner=self.request.runner or run_process)
        return self._session

    def check(self) -> Outcome | None:
        """Every stage up to date, from the record (not reported: the front end tells it) or from
        the session's check (reported as it goes); None when the build must run. A forced
        build (force_rebuild) is never up to date."""
        if self.request.force:
            return None
        answered = self.answer_from_record() if self.request.asks_record else None
        if answered is None:
            answered = self.answer_from_recall(may_restore=False)
        if answered is not None:
            return answered
        if self._restore_pending:
            return None  # stale: the build puts a recall point back, without the pipeline
        session = self.session
        if session.config.webapp.force_rebuild or not session.check_up_to_date(use_record=False):
            return None
        return Outcome(fresh=True)

    def execute(self, force: bool | None = None) -> Outcome:
        """Build what is stale (everything when forced); a check made before in this run is not
        made again. `force`: None for the request's."""
        force = self.request.force if force is None else force
        recalled = None if force else self.answer_from_recall(may_restore=True)
        if recalled is not None:
            tell(recalled, self.reporter)
            return Outcome(fresh=recalled.fresh, lines=recalled.lines,
                           restored=recalled.restored, seconds=recalled.seconds,
                           bundle=recalled.bundle)
        state = self.state_dir()
        if self.request.early_start and state is not None:
            from buildtools.core import early

            early.start(state, self.request.environ)
            try:
                return self._guarded_build(force)
            finally:
                early.stop()  # when the build stage did not adopt it
        return self._guarded_build(force)

    def carry_out(self) -> Outcome:
        """The whole run of a build command: the record's answer, else the build."""
        answered = self.answer_from_record() if self.request.asks_record else None
        return answered or self.execute()

    def _guarded_build(self, force: bool) -> Outcome:
        if not self.request.term_interrupts:
            return self._stale_stages(force)
        from buildtools.util.process import sigterm_interrupts

        with sigterm_interrupts():
            return self._stale_stages(force)

    def _stale_stages(self, force: bool) -> Outcome:
        session = self.session
        started = time.monotonic()
        if self.request.show_keys and not force:
            result = session.status()
            if result.up_to_date:
                reporter = self.reporter
                for stage in result.stages:
                    reporter.up_to_date(stage.name, stage.detail)
                    reporter.key(stage.name, stage.key)
                reporter.all_up_to_date(time.monotonic() - started, str(result.bundle_dir))
                return Outcome(fresh=True, result=result)
        result = session.run_stale_stages(force=force)
        return Outcome(fresh=not result.ran, result=result)


# The warnings said already (keys of a Mephisto YAML that nothing reads): once per process
_warned: set[str] = set()


def find_config(cwd: str, reporter: Reporter) -> Config:
    """The configuration found from `cwd` (config.load: BUILDTOOLS_CONFIG, buildtools.toml,
    [tool.buildtools], a Mephisto YAML), its warnings reported once per process: every command
    of every front end finds it this way."""
    from pathlib import Path

    from buildtools.config.load import load_config

    config = load_config(Path(cwd))
    for text in config.warnings:
        if text not in _warned:
            _warned.add(text)
            reporter.warn(text)
    return config
