"""task_config.json is served to workers: it carries the task settings only, and the build
settings (force_rebuild, post_install_script) neither appear in it nor change the bundle key."""

from __future__ import annotations

import json

import pytest

from support.projects import Tiny

pytestmark = pytest.mark.needs("npm")


def test_build_settings_are_not_served_and_do_not_touch_the_bundle_key(tiny: Tiny) -> None:
    (tiny.webapp / "setup.sh").write_text("true\n")
    toml = tiny.root / "buildtools.toml"
    plain = toml.read_text()
    with_settings = plain.replace(
        'output = "dist"', 'output = "dist"\npost_install_script = "setup.sh"')
    toml.write_text(with_settings + "force_rebuild = true\n")  # in [task], as Mephisto has it
    tiny.run("build")
    served = json.loads((tiny.bundle / "task_config.json").read_text())
    assert served["task_title"] == "Tiny"
    assert "force_rebuild" not in served
    assert "post_install_script" not in served

    toml.write_text(with_settings)  # force_rebuild off again: nothing needs to run
    result = tiny.run("build")
    assert "bundle         up to date" in result.stdout, result.stdout
    assert tiny.count("build") == 1
