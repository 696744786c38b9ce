"""The build's `npm run` started while the stages are checked (buildtools.core.early), with
real npm and node: it runs the script only when the build must run, exactly as `npm run`
would, and is never left behind."""

from __future__ import annotations

import json
import os
from pathlib import Path

from support.projects import DOIT, Tiny

EARLY = "(npm started during the check)"
# the build also writes the environment its script got, and the shell that ran it
ENV_BUILD = """\
const fs = require('fs');
fs.appendFileSync('../counts/build', 'x');
const body = fs.readdirSync('src').sort().map((n) => fs.readFileSync('src/' + n, 'utf8'));
fs.mkdirSync('dist', {recursive: true});
fs.writeFileSync('dist/index.html', '<p>' + body.join('') + '</p>');
fs.writeFileSync('../counts/env.json', JSON.stringify(process.env));
"""


def edit(tiny: Tiny, text: str) -> None:
    (tiny.webapp / "src" / "a.txt").write_text(text)


def gate_processes(tiny: Tiny) -> list[str]:
    """Processes whose command line names this project's gate script."""
    gate = str(tiny.root / ".buildtools" / "npm-gate.sh")
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if gate in cmdline:
            found.append(cmdline)
    return found


def test_an_edit_builds_through_the_npm_started_early(tiny: Tiny) -> None:
    first = tiny.run("build")
    assert EARLY not in first.stdout  # nothing remembered yet
    assert (tiny.root / ".buildtools" / "launch.marshal").is_file()
    edit(tiny, "edited")
    second = tiny.run("build")
    assert EARLY in second.stdout
    assert (tiny.bundle / "index.html").read_text() == "<p>edited</p>"
    assert tiny.count("build") == 2
    assert tiny.run("build").stdout.count("up to date") >= 1
    assert tiny.count("build") == 2
    assert gate_processes(tiny) == []


def test_the_script_gets_the_environment_of_a_plain_npm_run(tiny: Tiny) -> None:
    """NODE_EXTRA_CA_CERTS too: npm's own Node is started without it, the gate gives it back."""
    (tiny.webapp / "build.cjs").write_text(ENV_BUILD)
    ca = {"NODE_EXTRA_CA_CERTS": str(tiny.root / "proxy-ca.pem")}
    (tiny.root / "proxy-ca.pem").write_text("")
    tiny.run("build", env=ca)
    edit(tiny, "early")
    assert EARLY in tiny.run("build", env=ca).stdout
    with_gate = json.loads((tiny.root / "counts" / "env.json").read_text())
    (tiny.root / ".buildtools" / "launch.marshal").unlink()
    edit(tiny, "plain")
    assert EARLY not in tiny.run("build", env=ca).stdout
    plain = json.loads((tiny.root / "counts" / "env.json").read_text())
    assert "npm_config_script_shell" not in with_gate
    assert with_gate["NODE_EXTRA_CA_CERTS"] == ca["NODE_EXTRA_CA_CERTS"]
    assert with_gate == plain


def test_a_bundle_restored_from_the_cache_stops_the_early_npm_unrun(tiny: Tiny) -> None:
    tiny.run("build")
    edit(tiny, "edited")
    tiny.run("build")
    edit(tiny, "hello")  # back to the first sources: their bundle is in the cache
    result = tiny.run("build")
    assert "restored from" in result.stdout and EARLY not in result.stdout
    assert tiny.count("build") == 2  # the early npm never ran its script
    assert (tiny.bundle / "index.html").read_text() == "<p>hello</p>"
    assert gate_processes(tiny) == []


def test_an_install_before_the_build_stops_the_early_npm(tiny: Tiny) -> None:
    tiny.run("build")
    edit(tiny, "edited")
    tiny.edit_package_json(description="changed")  # the install runs first
    tiny.root.joinpath("webapp", "package-lock.json").unlink()
    result = tiny.run("build")
    assert "install        done" in result.stdout and EARLY not in result.stdout
    assert tiny.count("build") == 2 and tiny.count("install") == 2
    assert (tiny.bundle / "index.html").read_text() == "<p>edited</p>"
    assert gate_processes(tiny) == []


def test_another_build_command_is_not_taken_from_the_early_npm(tiny: Tiny) -> None:
    tiny.edit_package_json(scripts={
        "build": "node build.cjs",
        "build2": "node -e \"require('fs').appendFileSync('../counts/second','x')\" && "
                  "node build.cjs",
    })
    tiny.run("build")
    config = tiny.root / "buildtools.toml"
    config.write_text(config.read_text().replace('output = "dist"',
                                                 'output = "dist"\nbuild_command = "build2"'))
    result = tiny.run("build")
    assert EARLY not in result.stdout
    assert tiny.count("second") == 1
    assert tiny.count("build") == 2  # build2's own run of build.cjs, not `npm run build`
    assert gate_processes(tiny) == []


def test_a_script_shell_of_the_user_is_kept(tiny: Tiny) -> None:
    (tiny.webapp / ".npmrc").write_text("script-shell=/bin/bash\n")
    tiny.edit_package_json(scripts={
        "build": "echo \"$BASH_VERSION\" > ../counts/shell && node build.cjs"})
    tiny.run("build")
    assert not (tiny.root / ".buildtools" / "launch.marshal").exists()
    edit(tiny, "edited")
    result = tiny.run("build")
    assert EARLY not in result.stdout
    assert (tiny.root / "counts" / "shell").read_text().strip()  # bash ran it


def test_a_prebuild_script_runs_as_npm_runs_it(tiny: Tiny) -> None:
    tiny.edit_package_json(scripts={
        "prebuild": "node -e \"require('fs').appendFileSync('../counts/pre','x')\"",
        "build": "node build.cjs"})
    tiny.run("build")
    edit(tiny, "edited")
    assert EARLY not in tiny.run("build").stdout
    assert tiny.count("pre") == 2 and tiny.count("build") == 2


def test_a_config_error_stops_the_early_npm(tiny: Tiny) -> None:
    tiny.run("build")
    edit(tiny, "edited")
    config = tiny.root / "buildtools.toml"
    config.write_text(config.read_text() + "\n[webapp]\nsource = 'again'\n")
    result = tiny.run("build", code=1)
    assert "buildtools.toml" in result.stderr and "Traceback" not in result.stderr
    assert tiny.count("build") == 1
    assert gate_processes(tiny) == []
    assert (tiny.bundle / "index.html").read_text() == "<p>hello</p>"  # the last bundle kept


def test_doit_build_starts_npm_after_its_check(tiny: Tiny) -> None:
    """Only the `buildtools build` command starts npm early (buildtools.core.early has two
    callers: the CLI and the build stage); `doit build` builds as before."""
    tiny.run("build", command=DOIT)
    edit(tiny, "edited by doit")
    result = tiny.run("build", command=DOIT)
    assert EARLY not in result.stdout
    assert (tiny.bundle / "index.html").read_text() == "<p>edited by doit</p>"
    assert tiny.count("build") == 2
    edit(tiny, "hello")  # back to a bundle the cache holds: restored
    assert "restored from" in tiny.run("build", command=DOIT).stdout
    assert tiny.count("build") == 2
    assert gate_processes(tiny) == []


MEPHISTO_YAML = """\
defaults:
  - /mephisto/blueprint: static_react_task
  - /mephisto/architect: local
  - _self_
mephisto:
  blueprint:
    task_source: ${task_dir}/webapp/build/bundle.js
  task:
    task_title: Tiny
    task_description: A tiny task.
    task_reward: 0.1
    task_tags: tiny
"""
BUNDLE_BUILD = """\
const fs = require('fs');
fs.appendFileSync('../counts/build', 'x');
const body = fs.readdirSync('src').sort().map((n) => fs.readFileSync('src/' + n, 'utf8'));
fs.mkdirSync('build', {recursive: true});
fs.writeFileSync('build/bundle.js', 'var text = ' + JSON.stringify(body.join('')) + ';\\n');
"""


def test_a_mephisto_yaml_project_builds_through_the_npm_started_early(tiny: Tiny) -> None:
    """The state folder of a Mephisto YAML config is found without loading it (its task
    folder's .buildtools, as the loaded config says), so its edit gets the early start too."""
    (tiny.root / "buildtools.toml").unlink()
    conf = tiny.root / "hydra_configs" / "conf"
    conf.mkdir(parents=True)
    (conf / "task.yaml").write_text(MEPHISTO_YAML)
    (tiny.webapp / "build.cjs").write_text(BUNDLE_BUILD)
    tiny.edit_package_json(scripts={"dev": "node build.cjs"})
    tiny.run("build")
    assert (tiny.root / ".buildtools" / "launch.marshal").is_file()
    edit(tiny, "edited")
    assert EARLY in tiny.run("build").stdout
    assert (tiny.webapp / "build" / "bundle.js").read_text() == 'var text = "edited";\n'
    assert tiny.count("build") == 2
    # a YAML that names its task folder (here the same one): told only by loading it, so no
    # early start; the build runs as before
    (conf / "task.yaml").write_text(f"{MEPHISTO_YAML}task_dir: {tiny.root}\n")
    edit(tiny, "again")
    assert EARLY not in tiny.run("build").stdout
    assert (tiny.webapp / "build" / "bundle.js").read_text() == 'var text = "again";\n'
    assert gate_processes(tiny) == []
