"""The quoting filters of the architects' templates: one-line comments, nginx strings and
parameters."""

from __future__ import annotations

from buildtools.deploy.architects.quoting import nginx_string, nginx_words, one_line


def test_one_line_turns_breaks_and_control_characters_into_spaces() -> None:
    assert one_line("Rate\nnow\r\n\x00x\u2028y") == "Rate now x y"
    assert one_line("plain $(text) `ok`") == "plain $(text) `ok`"


def test_nginx_strings_escape_backslashes_and_quotes() -> None:
    assert nginx_string("/srv/my task") == '"/srv/my task"'
    assert nginx_string('a"b\\c\nd') == '"a\\"b\\\\c d"'


def test_nginx_words_quote_only_what_needs_it() -> None:
    assert nginx_words("_") == "_"
    assert nginx_words("task.example.org *.example.org") == "task.example.org *.example.org"
    assert nginx_words("a.org x; location") == 'a.org "x;" location'
    assert nginx_words("~^www\\.(.+)$") == '"~^www\\\\.(.+)$"'
    assert nginx_words("  ") == '""'
