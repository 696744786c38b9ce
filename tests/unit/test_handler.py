"""The top-level error handler: a user error is one line and exit 1, an interrupt 130, a bug a
traceback and 3. (A closed output pipe: tests/integration/test_handler.py.)"""

from __future__ import annotations

import pytest

from buildtools.errors import UserError
from buildtools.handler import guarded


def test_handler_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    def user_error() -> None:
        raise UserError("buildtools.toml: something to fix")

    def interrupted() -> None:
        raise KeyboardInterrupt

    def bug() -> None:
        raise ZeroDivisionError("boom")

    for function, code in ((user_error, 1), (interrupted, 130), (bug, 3)):
        with pytest.raises(SystemExit) as info:
            guarded(function)
        assert info.value.code == code
    err = capsys.readouterr().err
    assert "error: buildtools.toml: something to fix\n" in err
    assert "ZeroDivisionError: boom" in err and "please report it" in err
    assert guarded(lambda: 5) == 5
