"""HTML read as a browser would: the text of its <title> elements."""

from __future__ import annotations

from html.parser import HTMLParser

# a title that breaks what does not escape it: quotes, tags, an ampersand, a closing </title>
NASTY_TITLE = 'Label the "cat" <b>pictures</b> & it\'s </title><script>x</script> 😀'


class _TitleParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.titles: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
            self.titles.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.titles[-1] += data


def html_titles(text: str) -> list[str]:
    """The text of each <title> of `text`, as an HTML parser reads it."""
    parser = _TitleParser()
    parser.feed(text)
    parser.close()
    return parser.titles
