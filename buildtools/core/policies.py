"""What a walk over the stages does with a stale stage (its policy), and what it reports:
each stage's verdict (StageStatus) and the result of the whole walk (BuildResult)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from buildtools.core.events import Reporter
from buildtools.errors import CommandFailed
from buildtools.node.toolchain import Toolchain

__all__ = ["CHECK", "EXECUTE", "EXPLAIN", "BuildResult", "Policy", "StageStatus", "Stale",
           "report_failure"]


class Stale(Exception):
    """CHECK found a stage that must run."""


@dataclass(frozen=True)
class Policy:
    name: str
    runs_stale: bool  # run a stale stage (else only record its verdict)
    stops_at_stale: bool  # raise Stale at the first stale stage, before its reason is computed
    reports: bool  # tell the reporter each stage's line as it is settled
    restores: bool  # try the build cache before running install and build


CHECK = Policy("check", runs_stale=False, stops_at_stale=True, reports=False, restores=False)
EXPLAIN = Policy("explain", runs_stale=False, stops_at_stale=False, reports=False,
                 restores=False)
EXECUTE = Policy("execute", runs_stale=True, stops_at_stale=False, reports=True, restores=True)


@dataclass(frozen=True)
class StageStatus:
    name: str
    up_to_date: bool
    reason: str  # why it runs (or would run); "" when up to date
    detail: str
    key: str


@dataclass
class BuildResult:
    bundle_dir: Path
    bundle_key: str
    toolchain: Toolchain
    ran: list[str] = field(default_factory=list)
    stages: list[StageStatus] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)  # (stage, detail) up to date
    output: str = ""  # the build output folder, relative to the webapp
    stage_seconds: float = 0.0  # what the stages that ran took, together

    @property
    def up_to_date(self) -> bool:
        return not self.ran and all(stage.up_to_date for stage in self.stages)


def report_failure(reporter: Reporter, running: tuple[str, float] | None,
                   exc: BaseException) -> None:
    """The stage said to run (`running`: its name and start) raised. Unless the reporter is
    quiet, the output of the command that failed was shown as it came: the error says it once."""
    if running is not None:
        reporter.failed(running[0], time.monotonic() - running[1])
    if isinstance(exc, CommandFailed) and not reporter.quiet:
        exc.streamed = True
