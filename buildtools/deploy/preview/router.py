"""The state of a preview's router: which worker holds which agent and unit, and what each
agent submitted. It answers the JSON bodies that mephisto-task posts with the bodies Mephisto's
router answers (an `agent_details` packet for /request_agent; a status for the submissions),
and hands each submission to a listener. It does no I/O but appending to the submissions
file."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from buildtools.errors import unwritable

AGENT_DETAILS = "agent_details"
SUBMIT_TASK = "task"
SUBMIT_ONBOARDING = "onboarding"
SUBMIT_METADATA = "metadata"
# What Mephisto's router answers (the page reads none of it but the status)
ANSWERS = {
    SUBMIT_TASK: {"status": "Submitted!"},
    SUBMIT_METADATA: {"status": "Submitted Metadata!"},
    "log_error": {"status": "Error log sent!"},
}


@dataclass(frozen=True)
class Agent:
    agent_id: str
    worker_id: str
    worker_name: str
    assignment_id: str
    unit: int  # index into the units
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Submission:
    kind: str  # task | onboarding | metadata
    agent: Agent | None  # None: an agent id this preview did not hand out
    agent_id: str
    data: Any
    time: float

    def record(self) -> dict[str, Any]:
        """The JSON line of the submissions file."""
        agent = self.agent
        return {
            "kind": self.kind,
            "unit": agent.unit if agent else None,
            "worker_id": agent.worker_id if agent else None,
            "worker_name": agent.worker_name if agent else None,
            "assignment_id": agent.assignment_id if agent else None,
            "agent_id": self.agent_id,
            "data": self.data,
            "time": round(self.time, 3),
        }


class Listener(Protocol):
    def agent_assigned(self, agent: Agent, units: int, reconnected: bool) -> None: ...
    def submitted(self, submission: Submission) -> None: ...
    def frontend_error(self, agent_id: str, data: Any) -> None: ...


class NullListener:
    def agent_assigned(self, agent: Agent, units: int, reconnected: bool) -> None:
        pass

    def submitted(self, submission: Submission) -> None:
        pass

    def frontend_error(self, agent_id: str, data: Any) -> None:
        pass


@dataclass
class Router:
    """Units are handed out in file order, one per assignment, and again from the first after
    the last; the same assignment and worker (a reload of the page) get their agent back."""

    units: list[dict[str, Any]]
    submissions: Path | None = None
    listener: Listener = field(default_factory=NullListener)
    clock: Callable[[], float] = time.time
    _agents: dict[str, Agent] = field(default_factory=dict)
    _registrations: dict[str, str] = field(default_factory=dict)
    _workers: dict[str, str] = field(default_factory=dict)
    _next_unit: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def request_agent(self, body: Mapping[str, Any]) -> dict[str, Any]:
        provider = body.get("provider_data")
        provider = provider if isinstance(provider, Mapping) else {}
        name = str(provider.get("worker_name") or provider.get("worker_id") or "preview-worker")
        assignment = str(provider.get("assignment_id") or "preview-assignment")
        registration = str(provider.get("agent_registration_id") or f"{assignment}-{name}")
        with self._lock:
            known = self._registrations.get(registration)
            if known is not None:
                agent = self._agents[known]
            else:
                agent = self._new_agent(name, assignment)
                self._registrations[registration] = agent.agent_id
        self.listener.agent_assigned(agent, len(self.units), reconnected=known is not None)
        return self._details(agent)

    def submit(self, kind: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """/submit_task (kind task), /submit_metadata (metadata) and /submit_onboarding
        (onboarding, whose body sits in provider_data as mephisto-task sends it)."""
        if kind == SUBMIT_ONBOARDING:
            provider = body.get("provider_data")
            body = provider if isinstance(provider, Mapping) else {}
            data = body.get("onboarding_data", {})
        elif kind == SUBMIT_METADATA:
            data = body.get("metadata")
        else:
            data = body.get("final_data")
        agent_id = str(body.get("USED_AGENT_ID"))
        with self._lock:
            agent = self._agents.get(agent_id)
        submission = Submission(kind, agent, agent_id, data, self.clock())
        self._append(submission)
        self.listener.submitted(submission)
        if kind == SUBMIT_ONBOARDING:
            # the onboarding passed (a preview has no qualification): the agent's unit follows
            return self._details(agent) if agent else self._blocked("unknown agent")
        return dict(ANSWERS[kind])

    def log_error(self, body: Mapping[str, Any]) -> dict[str, Any]:
        self.listener.frontend_error(str(body.get("USED_AGENT_ID")), body.get("error_data"))
        return dict(ANSWERS["log_error"])

    def _new_agent(self, name: str, assignment: str) -> Agent:
        worker_id = self._workers.setdefault(name, str(len(self._workers) + 1))
        unit = self._next_unit % len(self.units)
        self._next_unit += 1
        agent = Agent(str(len(self._agents) + 1), worker_id, name, assignment, unit,
                      self.units[unit])
        self._agents[agent.agent_id] = agent
        return agent

    def _details(self, agent: Agent) -> dict[str, Any]:
        return {
            "packet_type": AGENT_DETAILS,
            "subject_id": agent.agent_id,
            "data": {"request_id": f"preview-{agent.agent_id}", "worker_id": agent.worker_id,
                     "agent_id": agent.agent_id, "init_task_data": agent.data},
            "router_outgoing_timestamp": self.clock(),
        }

    def _blocked(self, reason: str) -> dict[str, Any]:
        return {"packet_type": AGENT_DETAILS, "subject_id": None,
                "data": {"worker_id": None, "agent_id": None, "failure_reason": reason}}

    def _append(self, submission: Submission) -> None:
        if self.submissions is None:
            return
        line = json.dumps(submission.record(), ensure_ascii=False, default=str) + "\n"
        try:
            self.submissions.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, self.submissions.open("a", encoding="utf-8") as handle:
                handle.write(line)
        except OSError as exc:
            raise unwritable(self.submissions, exc) from None
