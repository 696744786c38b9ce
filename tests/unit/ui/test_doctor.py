"""`buildtools doctor`'s checks that need no program (the real ones: tests/integration)."""

from __future__ import annotations

from buildtools.ui.commands.doctor import SKIPPED, Check, _package_manager_check, healthy


def test_an_invalid_config_skips_the_package_manager_check_instead_of_failing_it() -> None:
    check = _package_manager_check(None)
    assert (check.state, check.detail, check.hint) == (
        SKIPPED, "needs a valid config (see above)", "")
    # the config's own line is the one failure: doctor names only it
    config = Check("config", "error", "buildtools.toml: [webapp] unknown key 'x'")
    assert not healthy([config, check])
    assert [c.name for c in (config, check) if c.required and not c.ok] == ["config"]
    assert healthy([check])
