"""Markdown rendering: plain one-line text takes a shortcut past the parser, and the shortcut
must give exactly what the parser and sanitiser give."""

from __future__ import annotations

import random

import pytest

from app.web.markdown import _PLAIN, _render, render_markdown

ALPHABET = "abcXYZ019 ,.;:?!'()=/-"


def plain_candidates(count: int) -> list[str]:
    rng = random.Random(20261123)
    texts = []
    for _ in range(count):
        texts.append(rng.choice("aZ") + "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30))))
    return texts


def test_the_shortcut_matches_the_parser_on_thousands_of_plain_lines():
    taken = 0
    for text in plain_candidates(5000):
        if _PLAIN.fullmatch(text):
            taken += 1
            assert str(render_markdown(text)) == str(_render(text)), text
    assert taken > 2000


@pytest.mark.parametrize("text", [
    "1. a list", "- a list", "# heading", "a *b*", "a _b_", "a `b`", "a [b](c)", "a <b>", "a & b",
    'a "b"', "a ~~b~~", "a | b", "a\\b", "a\nb", "a  ", " a", "é accent", "<script>alert(1)</script>",
])
def test_anything_that_could_be_markup_goes_through_the_parser(text):
    assert not _PLAIN.fullmatch(text)
    assert str(render_markdown(text)) == str(_render(text))
