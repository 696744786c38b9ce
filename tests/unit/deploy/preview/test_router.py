"""The router's answers, as Mephisto's router gives them to mephisto-task, and the
submissions file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from buildtools.deploy.preview.router import Agent, Router, Submission

UNITS = [{"text": "one"}, {"text": "two"}]


def registration(worker: str, assignment: str) -> dict[str, Any]:
    """What the mock wrap_crowd_source.js posts."""
    return {"provider_data": {"worker_name": worker, "assignment_id": assignment,
                              "agent_registration_id": f"{assignment}-{worker}",
                              "provider_type": "mock"}, "client_timestamp": 1.0}


class Heard:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def agent_assigned(self, agent: Agent, units: int, reconnected: bool) -> None:
        self.lines.append(f"assigned {agent.agent_id} unit {agent.unit} {reconnected}")

    def submitted(self, submission: Submission) -> None:
        self.lines.append(f"submitted {submission.kind} {submission.agent_id}")

    def frontend_error(self, agent_id: str, data: Any) -> None:
        self.lines.append(f"error {agent_id} {data}")


def test_each_assignment_gets_the_next_unit_and_a_reload_gets_its_agent_back() -> None:
    heard = Heard()
    router = Router(UNITS, None, heard, clock=lambda: 5.0)
    first = router.request_agent(registration("alice", "1"))
    assert first["packet_type"] == "agent_details"
    assert first["data"]["agent_id"] == "1"
    assert first["data"]["worker_id"] == "1"
    assert first["data"]["init_task_data"] == {"text": "one"}
    assert router.request_agent(registration("alice", "1"))["data"]["agent_id"] == "1"
    second = router.request_agent(registration("bob", "2"))
    assert (second["data"]["agent_id"], second["data"]["worker_id"]) == ("2", "2")
    assert second["data"]["init_task_data"] == {"text": "two"}
    third = router.request_agent(registration("alice", "3"))  # after the last: the first again
    assert (third["data"]["worker_id"], third["data"]["init_task_data"]) == ("1", {"text": "one"})
    assert heard.lines == ["assigned 1 unit 0 False", "assigned 1 unit 0 True",
                           "assigned 2 unit 1 False", "assigned 3 unit 0 False"]


def test_a_submission_is_one_json_line_with_unit_worker_data_and_time(tmp_path: Path) -> None:
    record = tmp_path / "out" / "submissions.jsonl"
    heard = Heard()
    router = Router(UNITS, record, heard, clock=lambda: 12.5)
    router.request_agent(registration("alice", "1"))
    router.request_agent(registration("bob", "2"))
    answer = router.submit("task", {"USED_AGENT_ID": "2", "final_data": {"rating": 4},
                                    "client_timestamp": 3})
    assert answer == {"status": "Submitted!"}
    metadata = router.submit("metadata", {"USED_AGENT_ID": "2", "metadata": {"tip": "x"}})
    assert metadata == {"status": "Submitted Metadata!"}
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert lines == [
        {"kind": "task", "unit": 1, "worker_id": "2", "worker_name": "bob",
         "assignment_id": "2", "agent_id": "2", "data": {"rating": 4}, "time": 12.5},
        {"kind": "metadata", "unit": 1, "worker_id": "2", "worker_name": "bob",
         "assignment_id": "2", "agent_id": "2", "data": {"tip": "x"}, "time": 12.5},
    ]
    assert heard.lines[-2:] == ["submitted task 2", "submitted metadata 2"]


def test_onboarding_is_answered_with_the_agents_unit_and_errors_are_only_heard(
        tmp_path: Path) -> None:
    heard = Heard()
    record = tmp_path / "s.jsonl"
    router = Router(UNITS, record, heard)
    router.request_agent(registration("alice", "1"))
    answer = router.submit("onboarding", {"provider_data": {
        "USED_AGENT_ID": "1", "onboarding_data": {"passed": True}}})
    assert answer["data"]["init_task_data"] == {"text": "one"}
    assert router.log_error({"USED_AGENT_ID": "1", "error_data": "boom"}) == {
        "status": "Error log sent!"}
    assert heard.lines[-1] == "error 1 boom"
    assert [json.loads(line)["kind"] for line in record.read_text().splitlines()] == [
        "onboarding"]


def test_a_submission_of_an_agent_it_never_handed_out_is_kept_without_a_unit(
        tmp_path: Path) -> None:
    record = tmp_path / "s.jsonl"
    Router(UNITS, record).submit("task", {"USED_AGENT_ID": "77", "final_data": {"a": 1}})
    line = json.loads(record.read_text())
    assert (line["unit"], line["agent_id"], line["data"]) == (None, "77", {"a": 1})
