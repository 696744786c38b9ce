"""The one line a bad input gives: the text of the UserError a call raises."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from buildtools.errors import UserError


def user_error(call: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """call(*args, **kwargs) must raise UserError: its text."""
    with pytest.raises(UserError) as info:
        call(*args, **kwargs)
    return str(info.value)
