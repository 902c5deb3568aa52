"""Fitting a rendered document fragment into a page's outline.

A report's HTML body starts at ``<h1>`` (its title) and repeats the series' strapline. A page
that embeds it under a heading of its own (the public series page, under "Latest summary")
needs the body's headings one level below that heading, and the strapline once.
"""

from __future__ import annotations

import re

from markupsafe import Markup

_HEADING = re.compile(r"<(/?)h([1-6])(\b[^>]*)>")


def embed_under(fragment: Markup, level: int, *, drop_classes: tuple[str, ...] = ()) -> Markup:
    """``fragment`` with its headings moved below ``level`` (h1 becomes h{level+1}; nothing
    goes past h6) and its paragraphs of the given classes left out."""

    def shift(match: re.Match[str]) -> str:
        new = min(6, int(match.group(2)) + level)
        return f"<{match.group(1)}h{new}{match.group(3)}>"

    html = _HEADING.sub(shift, str(fragment))
    for css_class in drop_classes:
        html = re.sub(rf'<p class="{re.escape(css_class)}">.*?</p>\s*', "", html, flags=re.S)
    return Markup(html)  # the fragment was escaped when it was rendered
