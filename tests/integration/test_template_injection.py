"""Values from the configuration never run as code in what the architects write: the ec2
install.sh (run with sudo) and nginx's task.conf, run for real (install.sh with every step,
`nginx -t` with real nginx), with a task title made of shell and nginx syntax, a line break
in it, and a server_name that tries to end its directive."""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from buildtools.config.load import Config, build_config
from buildtools.deploy.run import package
from buildtools.errors import UserError
from buildtools.ui.terminal import Reporter
from support.bundle import FACTS, make_bundle

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
pytestmark = [
    pytest.mark.nginx,
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed"),
    pytest.mark.skipif(os.geteuid() != 0, reason="install.sh installs as root"),
]


def _config(root: Path, title: str, server_name: str = "_") -> Config:
    (root / "webapp").mkdir(parents=True, exist_ok=True)
    raw = {
        "webapp": {"source": "webapp"},
        "task": {"task_name": "inject", "task_title": "placeholder", "task_description": "d",
                 "task_reward": 0.1, "task_tags": "t"},
        "deploy": {"ec2": {"remote_dir": str(root / "www" / "task"),
                           "server_name": server_name}},
    }
    config = build_config(raw, path=root / "buildtools.toml", root=root,
                          source="buildtools.toml", env={})
    # the title goes in after load: a line break is refused there, and the templates must
    # hold even for a Config made in code
    return dataclasses.replace(config, task={**config.task, "task_title": title})


def _install(root: Path, config: Config) -> tuple[subprocess.CompletedProcess[str], str]:
    """Package the ec2 artifact and run its install.sh, every step, nginx -t with real nginx
    (a main configuration that includes the installed site)."""
    assert NGINX is not None
    bundle = make_bundle(root / "dist" / "bundle")
    package(config, ("ec2",), bundle_dir=bundle, bundle_key="k",
            node_version=FACTS.node_version,
            reporter=Reporter(out=io.StringIO(), err=io.StringIO()), environ={}, publish=False)
    prefix, sites = root / "nginx", root / "sites"
    (prefix / "tmp").mkdir(parents=True)
    main = prefix / "nginx.conf"
    temp = " ".join(f"{kind}_temp_path {prefix / 'tmp' / kind};"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main.write_text(f"pid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'};\n"
                    f"events {{}}\nhttp {{\n  include /etc/nginx/mime.types;\n  {temp}\n"
                    f"  include {sites}/*.conf;\n}}\n")
    wrapper = root / "nginx-wrapper"
    wrapper.write_text(f'#!/bin/sh\nif [ "$1" = -t ]; then exec {NGINX} -t -c {main} '
                       f"-p {prefix}; fi\n")
    wrapper.chmod(0o755)
    env = {**os.environ, "NGINX_CMD": str(wrapper), "NGINX_SITES_DIR": str(sites),
           "NGINX_CONF_DIR": str(prefix)}
    result = subprocess.run(["sh", str(root / "dist" / "ec2" / "install.sh")], env=env,
                            capture_output=True, text=True, timeout=60)
    return result, (root / "dist" / "ec2" / "nginx" / "task.conf").read_text()


def test_a_title_of_shell_syntax_stays_text(tmp_path: Path) -> None:
    marks = [tmp_path / f"PWNED{number}" for number in range(4)]
    title = (f"Rate $(touch {marks[0]}) now `touch {marks[1]}` \"; touch {marks[2]}; \" "
             f"it's ${{x:-$(touch {marks[3]})}} \\ done \\n 100% \\c")
    result, conf = _install(tmp_path / "p", _config(tmp_path / "p", title))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"install.sh: done: {title} is served from" in result.stdout
    assert conf.startswith(f"# {title}: nginx configuration, made by buildtools")
    assert not [mark for mark in marks if mark.exists()]
    assert (tmp_path / "p" / "www" / "task" / "index.html").is_file()


def test_a_line_break_in_the_title_injects_nothing(tmp_path: Path) -> None:
    mark = tmp_path / "PWNED"
    title = (f"Rate\ntouch {mark}\n}}\nserver {{ listen 127.0.0.1:1; location /pwned "
             "{ return 200 'injected'; } }\n")
    result, conf = _install(tmp_path / "p", _config(tmp_path / "p", title))
    assert result.returncode == 0, result.stdout + result.stderr  # nginx -t passed
    assert "nginx -t failed" not in result.stderr
    assert not mark.exists()
    assert "location /pwned" not in conf.split("\n", 1)[1]  # only in the first line's comment
    assert [line for line in conf.splitlines() if line.startswith("server {")] == ["server {"]
    assert conf.splitlines()[0].startswith("# Rate touch ")


def test_a_trailing_line_break_keeps_nginx_t_passing(tmp_path: Path) -> None:
    result, _conf = _install(tmp_path / "p", _config(tmp_path / "p", "Rate now\n"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_server_name_cannot_end_its_directive(tmp_path: Path) -> None:
    name = 'task.example.org x; location /pwned { return 200 "injected"; } #'
    result, conf = _install(tmp_path / "p", _config(tmp_path / "p", "T", name))
    assert result.returncode == 0, result.stdout + result.stderr
    server_name = next(line for line in conf.splitlines() if "server_name" in line)
    assert server_name == ('    server_name task.example.org "x;" location "/pwned" "{" '
                           'return 200 "\\"injected\\";" "}" "#";')
    assert "\n    location /pwned" not in conf


def test_the_loader_refuses_a_line_break_in_one_line(tmp_path: Path) -> None:
    raw = {"webapp": {"source": "webapp"},
           "task": {"task_title": "Rate\nnow", "task_description": "d", "task_reward": 0.1,
                    "task_tags": "t"}}
    with pytest.raises(UserError) as caught:
        build_config(raw, path=tmp_path / "buildtools.toml", root=tmp_path,
                     source="buildtools.toml", env={})
    assert str(caught.value) == (
        "buildtools.toml: [task] task_title must be one line without control characters (it "
        "is written into scripts and server configurations), got 'Rate\\nnow'")
