"""Settings that reach a shell script, an nginx configuration or an ssh command line are
refused at load, in one line, when no quoting can carry them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from buildtools.config.load import build_config
from buildtools.errors import UserError

TASK = {"task_title": "T", "task_description": "d", "task_reward": 0.1, "task_tags": "t"}


def _load(tmp_path: Path, **tables: Any) -> None:
    (tmp_path / "webapp").mkdir(exist_ok=True)
    task = {**TASK, **tables.pop("task_extra", {})}
    raw = {"webapp": {"source": "webapp"}, "task": task, **tables}
    build_config(raw, path=tmp_path / "buildtools.toml", root=tmp_path,
                 source="buildtools.toml", env={})


@pytest.mark.parametrize(("tables", "message"), [
    ({"task_extra": {"task_title": "Rate\nnow"}},
     "[task] task_title must be one line without control characters (it is written into "
     "scripts and server configurations), got 'Rate\\nnow'"),
    ({"task_extra": {"task_name": "t\u2028x"}}, "[task] task_name must be one line"),
    ({"deploy": {"ec2": {"host": "-oProxyCommand=touch /tmp/x"}}},
     "[deploy.ec2] host must be [user@]host[:port] (no spaces, quotes or leading -), got "
     "'-oProxyCommand=touch /tmp/x'"),
    ({"deploy": {"ec2": {"host": "me@host;reboot"}}}, "[deploy.ec2] host must be"),
    ({"deploy": {"ec2": {"remote_dir": "/var/www/$host"}}},
     "[deploy.ec2] remote_dir must be an absolute path without quotes, backslashes, $ or "
     "control characters (nginx reads it as its root), got '/var/www/$host'"),
    ({"deploy": {"ec2": {"remote_dir": "www/task"}}}, "[deploy.ec2] remote_dir must be"),
    ({"deploy": {"ec2": {"server_name": "a.org\nlocation"}}},
     "[deploy.ec2] server_name must be one line"),
    ({"deploy": {"heroku": {"app": "--help"}}},
     "[deploy.heroku] app must be a Heroku app name (3-30 lowercase letters, digits and "
     "dashes, starting with a letter), got '--help'"),
    ({"deploy": {"local": {"host": "0.0.0.0; rm -rf ~"}}},
     "[deploy.local] host must be a host name or IP address to listen on"),
])
def test_refused_at_load(tmp_path: Path, tables: dict[str, Any], message: str) -> None:
    with pytest.raises(UserError) as caught:
        _load(tmp_path, **tables)
    assert str(caught.value).startswith(f"buildtools.toml: {message}")
    assert "\n" not in str(caught.value)


def test_ordinary_values_load(tmp_path: Path) -> None:
    _load(tmp_path, task_extra={"task_title": "Rate $5 \"now\" (it's quick)",
                                "task_name": "rate-pictures"},
          deploy={"ec2": {"host": "ubuntu@ec2-1-2-3-4.compute.amazonaws.com:2222",
                          "server_name": "task.example.org ~^www\\.(.+)$",
                          "remote_dir": "/srv/my task"},
                  "heroku": {"app": "my-task-app"}, "local": {"host": "[::1]"}})
