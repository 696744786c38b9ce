"""A Mephisto YAML that Hydra would refuse, or that costs more than a config should, is one
line: a defaults entry naming no file, an interpolation that refers back to itself, an alias
bomb, nesting without end."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from buildtools.config.load import load_config_file
from buildtools.config.yaml_safe import MAX_DEPTH, MAX_VALUES
from support.config_files import config_file_error, mephisto_task_copy


@pytest.fixture
def conf_dir(tmp_path: Path) -> Path:
    return mephisto_task_copy(tmp_path / "task") / "hydra_configs" / "conf"


def with_task(extra: str = "", task_title: str = "Rate") -> str:
    return f"""\
defaults:
  - /mephisto/architect: local
mephisto:
  blueprint:
    task_source: ${{task_dir}}/webapp/build/bundle.js
  task:
    task_title: "{task_title}"
{extra}"""


def test_a_defaults_entry_naming_a_missing_file_is_one_line(conf_dir: Path) -> None:
    path = conf_dir / "example.yaml"
    path.write_text("defaults:\n  - basse\n  - _self_\n" + with_task().split("\n", 2)[2])
    assert config_file_error(path) == (
        f"example.yaml: defaults: 'basse' names {conf_dir / 'basse.yaml'}, which does not "
        "exist; create it, correct the name, or remove the entry")
    path.write_text("defaults:\n  - optional basse\n" + with_task().split("\n", 2)[2])
    assert load_config_file(path, {}).task["task_title"] == "Rate"  # Hydra's `optional`


def test_defaults_that_include_each_other_are_one_line(conf_dir: Path) -> None:
    (conf_dir / "a.yaml").write_text("defaults:\n  - b\n")
    (conf_dir / "b.yaml").write_text("defaults:\n  - a\n")
    path = conf_dir / "example.yaml"
    path.write_text("defaults:\n  - a\n" + with_task().split("\n", 2)[2])
    assert "do the defaults lists include each other in a circle?" in config_file_error(path)


def test_a_recursive_interpolation_is_one_line_not_shipped(conf_dir: Path) -> None:
    path = conf_dir / "example.yaml"
    path.write_text(with_task(task_title="${mephisto.task.task_description}") +
                    '    task_description: "${mephisto.task.task_title}"\n')
    assert config_file_error(path) == (
        "example.yaml: the interpolation ${mephisto.task.task_description} refers back to "
        "itself (mephisto.task.task_description -> mephisto.task.task_title -> "
        "mephisto.task.task_description); give one of these keys a plain value")
    path.write_text(with_task(task_title="${mephisto.task.task_title}"))
    assert "refers back to itself (mephisto.task.task_title -> mephisto.task.task_title)" \
        in config_file_error(path)


def test_a_long_but_finite_interpolation_chain_is_expanded(conf_dir: Path) -> None:
    chain = "".join(f"  k{n}: ${{chain.k{n + 1}}}\n" for n in range(10)) + "  k10: end\n"
    path = conf_dir / "example.yaml"
    path.write_text(with_task(task_title="${chain.k0}") + "chain:\n" + chain)
    assert load_config_file(path, {}).task["task_title"] == "end"


def write_bomb(conf_dir: Path, first: str, level: Callable[[int], str]) -> Path:
    """example.yaml whose `bomb:` holds `first` and eight levels (level(1) .. level(8)), each
    nine aliases of the one before."""
    levels = [first, *(level(n) for n in range(1, 9))]
    path = conf_dir / "example.yaml"
    path.write_text(with_task("\n".join(["bomb:", *("  " + line for line in levels)]) + "\n"))
    return path


def test_an_alias_bomb_is_refused_fast(conf_dir: Path) -> None:
    path = write_bomb(conf_dir, "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
                      lambda n: f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    started = time.monotonic()
    said = config_file_error(path)
    assert time.monotonic() - started < 5  # not the minutes (and gigabytes) it took
    assert said.startswith("example.yaml: line ")
    assert said.endswith(f"stands for more than {MAX_VALUES} values once its aliases (*name) "
                         "are expanded; a config file does not need that many: expand fewer "
                         "aliases")


def test_merge_key_bombs_and_recursive_aliases_are_refused(conf_dir: Path) -> None:
    path = write_bomb(conf_dir, "m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9}",
                      lambda n: f"m{n}: &m{n} {{<<: [" + ", ".join([f"*m{n - 1}"] * 9) + "]}")
    assert f"stands for more than {MAX_VALUES} values" in config_file_error(path)
    path.write_text(with_task("loop: &loop [1, *loop]\n"))
    assert config_file_error(path) == (
        "example.yaml: line 8: an alias refers to the collection it is inside; YAML configs "
        "cannot be recursive")


def test_nesting_is_bounded(conf_dir: Path) -> None:
    path = conf_dir / "example.yaml"
    path.write_text(with_task("deep: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"))
    assert f"nested more than {MAX_DEPTH} levels deep" in config_file_error(path)
    path.write_text(with_task("deep: " + "[" * 5000 + "]" * 5000 + "\n"))
    assert "nested" in config_file_error(path)
