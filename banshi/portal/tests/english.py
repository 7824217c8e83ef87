"""Checks for the English rendering of applicant pages: the main content's text and any Chinese
left in it (labels that missed the catalogue show up here; data values such as names are allowed
by the caller)."""

from __future__ import annotations

import html as html_lib
import re

# CJK ideographs and the full-width punctuation Chinese labels carry with them.
_CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


def main_text(response) -> str:
    """The visible text of the page's <main>, tags and SVG stripped, whitespace collapsed."""
    page = response.content.decode()
    match = re.search(r"<main\b.*?</main>", page, flags=re.S)
    assert match, "the page has no <main>"
    body = re.sub(r"<(svg|style|script)\b.*?</\1>", " ", match.group(0), flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html_lib.unescape(body)).strip()


def chinese_left(response, *data: str) -> list[str]:
    """The runs of Chinese in the main content once the given data values are taken out."""
    text = main_text(response)
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return _CHINESE.findall(text)
