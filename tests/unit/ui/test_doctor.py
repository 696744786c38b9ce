"""`buildtools doctor`'s checks that need no program (the real ones: tests/integration)."""

from __future__ import annotations

from pathlib import Path

from buildtools.ui.commands.doctor import (
    MISSING,
    OK,
    SKIPPED,
    Check,
    _package_manager_check,
    healthy,
    launcher_check,
)


def test_an_invalid_config_skips_the_package_manager_check_instead_of_failing_it() -> None:
    check = _package_manager_check(None)
    assert (check.state, check.detail, check.hint) == (
        SKIPPED, "needs a valid config (see above)", "")
    # the config's own line is the one failure: doctor names only it
    config = Check("config", "error", "buildtools.toml: [webapp] unknown key 'x'")
    assert not healthy([config, check])
    assert [c.name for c in (config, check) if c.required and not c.ok] == ["config"]
    assert healthy([check])


def test_the_launcher_check_names_the_launcher_that_imports_re(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.write_text("#!/venv/bin/python\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n"
                   "from buildtools.ui.cli import main\n")
    new = tmp_path / "new"
    new.write_text("#!/venv/bin/python\nimport sys\nfrom buildtools.ui.cli import main\n")
    slow, fast = launcher_check(old), launcher_check(new)
    assert (slow.state, slow.detail) == (OK, f"{old} (imports re: 6-8 ms more on every call)")
    assert "python -m pip install -U pip" in slow.hint
    assert (fast.state, fast.detail, fast.hint) == (OK, str(new), "")
    missing = launcher_check(None)
    assert missing.state == MISSING and "python -m buildtools" in missing.hint
    assert healthy([slow, missing])  # never what stops a build
