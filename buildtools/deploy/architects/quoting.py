"""Quoting for the languages the architects write: values from the configuration (a task
title, a server name, a path) stay text in a shell comment, an nginx string or parameter. The
shell's own quoting is shlex.quote; HTML is Jinja's escaping; server.js gets JSON."""

from __future__ import annotations

import re

_NGINX_BARE = re.compile(r"[A-Za-z0-9_.*:-]+")
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def one_line(value: object) -> str:
    """A value for a one-line comment (shell, nginx): line breaks and control characters
    become spaces, so that nothing after them is read as a command or a directive."""
    return _BREAKS.sub(" ", str(value))


def nginx_string(value: object) -> str:
    """A value as one quoted nginx string: backslashes and quotes escaped, line breaks
    removed. (nginx reads $ in a quoted string as a variable: the config refuses it where it
    matters, [deploy.ec2] remote_dir.)"""
    text = one_line(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def nginx_words(value: object) -> str:
    """Space-separated values (server_name) as nginx parameters: each bare when it is plain,
    else quoted, so that `;`, `{` or a quote cannot end the directive."""
    words = one_line(value).split()
    if not words:
        return '""'
    return " ".join(word if _NGINX_BARE.fullmatch(word) else nginx_string(word) for word in words)
