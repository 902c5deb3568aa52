"""What a reader sees of a Markdown or HTML text: the guard checks that, not the source.

A newsletter body is Markdown, and a name can be split by markup that disappears on screen
(``[Kari](https://x.org)mova``, ``Kari*mov*a``, ``Kari&#109;ova``, ``Kari&shy;mova``). The
gate therefore renders the source the way subscribers get it and reads back the visible text:
inline markup joins its pieces without a space, block elements and line breaks separate
words, character references are decoded, and link targets are added as text of their own (a
reader sees them on hover and in the plain-text part).
"""

from __future__ import annotations

from html.parser import HTMLParser

from markdown_it import MarkdownIt

__all__ = ["html_visible_text", "markdown_visible_text", "render_markdown_html"]

# The same dialect the newsletter renders (app.newsletter.emails): CommonMark without raw
# HTML, with tables and strikethrough.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable(["table", "strikethrough"])

_BLOCKS = frozenset(
    {
        "address",
        "article",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
        "title",
    }
)
_HIDDEN = frozenset({"script", "style", "head"})


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        if tag in _BLOCKS:
            self.parts.append("\n")
        for name, value in attrs:
            if value and name in ("href", "src", "title", "alt"):
                self.links.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self._hidden:
            self._hidden -= 1
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_visible_text(markup: str) -> str:
    """The text a browser shows for ``markup``, then each link target on a line of its own."""
    parser = _Visible()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts).strip()
    if parser.links:
        text += "\n\n" + "\n".join(parser.links)
    return text


def render_markdown_html(source: str) -> str:
    """Markdown to HTML as the newsletter renders it."""
    rendered: str = _markdown.render(source)
    return rendered


def markdown_visible_text(source: str) -> str:
    """The visible text of ``source`` rendered as Markdown."""
    return html_visible_text(render_markdown_html(source))
