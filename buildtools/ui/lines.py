"""How a stage's line reads. It imports nothing: the CLI prints the no-op answer with it before
loading anything else, and the terminal reporter prints the same lines with it."""

from __future__ import annotations

NAME_WIDTH = 14

GREEN = "32"
YELLOW = "33"
RED = "31"
BOLD = "1"
DIM = "2"


def paint(text: str, code: str, enabled: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if enabled else text


def stage_name(stage: str, colour: bool) -> str:
    return paint(f"{stage:<{NAME_WIDTH}}", BOLD, colour)


def up_to_date_line(stage: str, detail: str, colour: bool) -> str:
    suffix = f" ({detail})" if detail else ""
    return f"{stage_name(stage, colour)} {paint('up to date', GREEN, colour)}{suffix}"
