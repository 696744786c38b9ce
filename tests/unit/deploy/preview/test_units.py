"""Units from a data file, read as Mephisto's static blueprints read data_json, data_jsonl and
data_csv; every bad file is one UserError line that names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildtools.deploy.preview.units import load_units
from buildtools.errors import UserError


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_json_list_a_jsonl_file_and_a_csv_file_give_the_same_units(tmp_path: Path) -> None:
    units = [{"text": "Une phrase, avec virgule."}, {"text": "Two"}]
    json_file = write(tmp_path, "u.json",
                      '[{"text": "Une phrase, avec virgule."}, {"text": "Two"}]')
    jsonl = write(tmp_path, "u.jsonl", '{"text": "Une phrase, avec virgule."}\n\n{"text": "Two"}\n')
    csv_file = write(tmp_path, "u.csv", '\ufefftext\n"Une phrase, avec virgule."\nTwo\n')
    assert load_units(json_file) == units
    assert load_units(jsonl) == units
    assert load_units(csv_file) == units  # the byte-order mark is not part of the header


def test_csv_values_are_strings_and_a_short_row_leaves_its_last_columns_out(
        tmp_path: Path) -> None:
    path = write(tmp_path, "u.csv", "text,score\nfirst,3\nsecond\n")
    assert load_units(path) == [{"text": "first", "score": "3"}, {"text": "second"}]


@pytest.mark.parametrize(("name", "text", "message"), [
    ("u.json", '{"text": "a"}', "u.json: must hold a JSON list of objects, not a object"),
    ("u.json", '[{"text": "a"}, 3]', "u.json: item 1 is a number, not an object"),
    ("u.json", '[{"text": "a"},\n', "u.json: line 2: not valid JSON"),
    ("u.jsonl", '{"a": 1}\n[1]\n', "u.jsonl: line 2 is a list, not an object"),
    ("u.jsonl", '{"a": 1}\n{"a": \n', "u.jsonl: line 2: not valid JSON"),
    ("u.csv", "", "u.csv: no header row"),
    ("u.csv", "text\na,b\n", "u.csv: row 2 has 2 values for 1 columns"),
    ("u.json", "[]", "u.json: holds no unit"),
    ("u.txt", "x", "u.txt: a data file must end in .json"),
])
def test_a_bad_data_file_is_one_line_that_names_it(tmp_path: Path, name: str, text: str,
                                                    message: str) -> None:
    with pytest.raises(UserError) as caught:
        load_units(write(tmp_path, name, text))
    assert message in str(caught.value)
    assert str(tmp_path) in str(caught.value)


def test_a_missing_data_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such data file"):
        load_units(tmp_path / "absent.json")
