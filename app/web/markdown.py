"""User Markdown to safe HTML: markdown-it-py renders (raw HTML off), nh3 sanitises what is left,
and every link gets `rel="noopener noreferrer nofollow"`."""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"])

_TAGS = {"p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a",
         "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td"}
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}


# One line of words and harmless punctuation, starting with a letter and ending without a space,
# is a plain paragraph in CommonMark: no character here can open markup, an entity or a block.
# Most chat messages are like this; they skip the parser (tests compare both ways).
_PLAIN = re.compile(r"[A-Za-z](?:[A-Za-z0-9 ,.;:?!'()=/-]*[A-Za-z0-9,.;:?!'()=/-])?")


def render_markdown(text: str) -> Markup:
    """Safe HTML for `text`; scripts, event handlers and `javascript:` links never survive."""
    if not text:
        return Markup("")
    if _PLAIN.fullmatch(text):
        return Markup(f"<p>{text}</p>\n")  # noqa: S704 - nothing in it can be markup
    return _render(text)


# Lists render the same descriptions over and over; rendering is pure, so remember the last few.
@lru_cache(maxsize=4096)
def _render(text: str) -> Markup:
    html = _md.render(text)
    clean = nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                      link_rel="noopener noreferrer nofollow")
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above
