"""The declarative schema every config table is checked with: defaults, unknown keys with a
suggestion, kinds (true is not a number), minimums and custom checks, each one exact line."""

from __future__ import annotations

from typing import Any

import pytest

from buildtools.config.schema import REQUIRED, Field, validate_table
from buildtools.errors import UserError

FIELDS = {
    "build_command": Field(str, "build"),
    "task_reward": Field(float, REQUIRED, minimum=0),
    "port": Field(int, 3000, minimum=1, check=lambda v: "must be <= 65535" if v > 65535 else None),
    "architects": Field((list, tuple), ()),
}


def error(data: dict[str, Any]) -> str:
    with pytest.raises(UserError) as info:
        validate_table("buildtools.toml", "webapp", data, FIELDS)
    return str(info.value)


def test_defaults_fill_what_is_not_given_and_ints_become_floats() -> None:
    values = validate_table("buildtools.toml", "webapp", {"task_reward": 1}, FIELDS)
    assert values == {"build_command": "build", "task_reward": 1.0, "port": 3000,
                      "architects": ()}
    assert isinstance(values["task_reward"], float)


@pytest.mark.parametrize(("data", "message"), [
    ({"build_comand": "x"},
     "buildtools.toml: [webapp] unknown key 'build_comand'; did you mean 'build_command'?"),
    ({"zzz": 1},
     "buildtools.toml: [webapp] unknown key 'zzz'; valid keys: build_command, task_reward, "
     "port, architects"),
    ({"build_command": 3}, "buildtools.toml: [webapp] build_command must be a string, got 3 (int)"),
    ({"task_reward": True},
     "buildtools.toml: [webapp] task_reward must be a number, got True (bool)"),
    ({"task_reward": -0.5}, "buildtools.toml: [webapp] task_reward must be >= 0, got -0.5"),
    ({"port": 70000}, "buildtools.toml: [webapp] port must be <= 65535"),
    ({"architects": "local"},
     "buildtools.toml: [webapp] architects must be a list or tuple, got 'local' (str)"),
])
def test_each_problem_is_one_exact_line(data: dict[str, Any], message: str) -> None:
    assert error(data) == message


def test_a_table_that_is_not_a_table() -> None:
    with pytest.raises(UserError, match=r"^buildtools.toml: \[webapp\] must be a table, got list$"):
        validate_table("buildtools.toml", "webapp", [], FIELDS)  # type: ignore[arg-type]
