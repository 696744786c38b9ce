"""The configuration's tables as a declarative schema: each key with its type, default, checks."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from typing import Any

from buildtools.config.schema import REQUIRED, Field
from buildtools.node.semver import NODE_SETTINGS, is_node_setting

KNOWN_ARCHITECTS = ("local", "heroku", "ec2", "static")
# What buildtools writes in [deploy] out (dist/): the bundle, each artifact and its archive
OUT_NAMES = frozenset({"bundle", *KNOWN_ARCHITECTS, *(f"{n}.tar.gz" for n in KNOWN_ARCHITECTS)})


def _architect_list(value: list[Any]) -> str | None:
    for name in value:
        if name not in KNOWN_ARCHITECTS:
            return f"names an unknown architect {name!r}; known: {', '.join(KNOWN_ARCHITECTS)}"
    return None


def _string_list(value: list[Any]) -> str | None:
    if not all(isinstance(item, str) for item in value):
        return f"must be a list of strings, got {value!r}"
    return None


def _port(value: int) -> str | None:
    return None if 0 <= value <= 65535 else f"must be a port number (0-65535), got {value}"


_WRITE_THERE = ("make the build write into a folder of the webapp (Vite build.outDir, webpack "
                 "output.path) and name that folder here")


def _inside_webapp(value: str) -> str | None:
    """The build's output folder is buildtools' to move aside, check, restore and clean: it
    must lie inside the webapp folder, never elsewhere on the machine."""
    if posixpath.isabs(value):
        return (f"must be a folder relative to the webapp folder, got {value!r} (an absolute "
                f"path); {_WRITE_THERE}, e.g. 'dist'")
    normal = posixpath.normpath(value)
    if normal == ".." or normal.startswith("../"):
        return (f"must be a folder inside the webapp folder, got {value!r} (it leads out of "
                f"it); {_WRITE_THERE}")
    return None


# Values that reach a shell script, an nginx configuration, server.js or HTML are quoted there
# for that language (buildtools.deploy.architects.common); what no quoting can carry (a line
# break in a one-line setting, an nginx variable in a path, an ssh option for a host) is
# refused here, at load, in one line.
def _control_characters(value: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in value)


def _one_line(value: str) -> str | None:
    if _control_characters(value):
        return (f"must be one line without control characters (it is written into scripts "
                f"and server configurations), got {value!r}")
    return None


def _remote_dir(value: str) -> str | None:
    if not value.startswith("/") or _control_characters(value) or any(
            ch in value for ch in '"\\$'):
        return (f"must be an absolute path without quotes, backslashes, $ or control "
                f"characters (nginx reads it as its root), got {value!r}")
    return None


_SSH_HOST = re.compile(r"[A-Za-z0-9_.%~+@:\[\]-]+")
_HEROKU_APP = re.compile(r"[a-z][a-z0-9-]{1,28}[a-z0-9]")
_BIND_HOST = re.compile(r"[A-Za-z0-9_.%:\[\]-]+")


def _ssh_host(value: str) -> str | None:
    if value and (value.startswith("-") or not _SSH_HOST.fullmatch(value)):
        return f"must be [user@]host[:port] (no spaces, quotes or leading -), got {value!r}"
    return None


def _heroku_app(value: str) -> str | None:
    if value and not _HEROKU_APP.fullmatch(value):
        return (f"must be a Heroku app name (3-30 lowercase letters, digits and dashes, "
                f"starting with a letter), got {value!r}")
    return None


def _bind_host(value: str) -> str | None:
    if value.startswith("-") or not _BIND_HOST.fullmatch(value):
        return f"must be a host name or IP address to listen on, got {value!r}"
    return None


def _node(value: str) -> str | None:
    return None if is_node_setting(value) else f"must be {NODE_SETTINGS}, got {value!r}"


WEBAPP_FIELDS: dict[str, Field] = {
    "source": Field(str, "webapp"),
    "build_command": Field(str, "build"),
    "output": Field(str, "", check=_inside_webapp),
    "post_install_script": Field(str, ""),
    "force_rebuild": Field(bool, False),
    "extra_source_dir": Field(str, ""),
    "extra_source_allow": Field(list, [], check=_string_list),
    # Files of the build output that look like secrets but are meant to be published
    "output_allow": Field(list, [], check=_string_list),
    "node": Field(str, "auto", check=_node),
    "node_mirror": Field(str, ""),
    "build_env": Field(list, [], check=_string_list),
    "template": Field(str, ""),
    "inputs": Field(list, [], check=_string_list),
    # Scripts run after build_command, into the same output (Mephisto's task_source_review)
    "extra_build_commands": Field(list, [], check=_string_list),
    # An HTML page that is the task (Mephisto's static_task): no npm at all
    "page": Field(str, ""),
}

TASK_FIELDS: dict[str, Field] = {
    "task_name": Field(str, "", check=_one_line),
    "task_title": Field(str, REQUIRED, check=_one_line),
    "task_description": Field(str, REQUIRED),
    "task_reward": Field(float, REQUIRED, minimum=0),
    "task_tags": Field(str, REQUIRED),
    "task_lifetime_in_seconds": Field(int, 2678400, minimum=0),
    "assignment_duration_in_seconds": Field(int, 1800, minimum=0),
    "no_submission_patience": Field(int, 43200, minimum=0),
    "allowed_concurrent": Field(int, 0, minimum=0),
    "maximum_units_per_worker": Field(int, 0, minimum=0),
    "max_num_concurrent_units": Field(int, 0, minimum=0),
    "submission_timeout": Field(int, 600, minimum=0),
    "post_install_script": Field(str, ""),
    "force_rebuild": Field(bool, False),
    "resume_incomplete_run": Field(bool, False),
}
# Accepted in [task] for Mephisto's sake, but build settings: never in task_config.json
BUILD_SETTINGS_IN_TASK = ("post_install_script", "force_rebuild")
REQUIRED_TASK_KEYS = tuple(key for key, spec in TASK_FIELDS.items() if spec.default is REQUIRED)

DEPLOY_FIELDS: dict[str, Field] = {
    "architects": Field(list, list(KNOWN_ARCHITECTS), check=_architect_list),
    "out": Field(str, "dist"),
    "local": Field(dict, {}),
    "heroku": Field(dict, {}),
    "ec2": Field(dict, {}),
    "static": Field(dict, {}),
    # The crowd provider's wrap_crowd_source.js, loaded by the index.html of a bundle without one
    "crowd_wrapper": Field(str, ""),
}
LOCAL_FIELDS = {"host": Field(str, "127.0.0.1", check=_bind_host),
                "port": Field(int, 3000, check=_port)}
HEROKU_FIELDS = {"app": Field(str, "", check=_heroku_app),
                 "max_slug_mb": Field(int, 500, minimum=1)}
EC2_FIELDS = {
    "server_name": Field(str, "_", check=_one_line),
    "host": Field(str, "", check=_ssh_host),
    "remote_dir": Field(str, "/var/www/task", check=_remote_dir),
}

CACHE_FIELDS: dict[str, Field] = {
    "enabled": Field(bool, True),
    "dir": Field(str, ""),
    "max_size_mb": Field(int, 1024, minimum=0),
    "max_age_days": Field(int, 30, minimum=0),
    "remote_url": Field(str, ""),
    "remote_team": Field(str, ""),
    "remote_token_env": Field(str, "BUILDTOOLS_REMOTE_CACHE_TOKEN"),
    "signature_key_env": Field(str, "BUILDTOOLS_REMOTE_CACHE_KEY"),
    "remote_timeout_s": Field(float, 5.0, minimum=0),
    "remote_max_mb": Field(int, 1024, minimum=1),
}

TOP_LEVEL = ("webapp", "task", "deploy", "cache", "assets")
