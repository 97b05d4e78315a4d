"""The first line of an extractor's main content: often the headline again, or a byline.

Only used for extracted text (``Hints.extracted``), where no story cut runs: trafilatura keeps a
headline that differs from the page title in small ways (the title has a " | Site" suffix, a
reworded or abbreviated headline), and a dateline that names the author ("5:45 AM 11/19/2019 by
Jane Doe"). Only the first kept line is judged, and only when it is not a paragraph of prose: a
story's own subheadings further down often repeat the headline's words.
"""

from __future__ import annotations

import re
from typing import Protocol

from .phrases import normalise

_WORD = re.compile(r"\w+")
#: what separates a headline from the site name in a page title
_SITE_SEP = re.compile(r"\s+[|–—-]\s+|\s*[|•·»]\s*")


class _Features(Protocol):
    size: int  #: words (CJK: characters / 2)
    prose: bool


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def repeats_title(line: str, title: str | None) -> bool:
    """Is ``line`` the page title again, give or take the site name and a few words?

    >>> repeats_title("NASA adds five companies to lunar program", "NASA adds five companies to lunar program - SpaceNews")
    True
    >>> repeats_title("Sweden drops Assange rape investigation", "Julian Assange: Sweden drops rape investigation")
    True
    >>> repeats_title("The council met on Monday", "Bridge to close for repairs")
    False
    """
    if not title:
        return False
    headline = _SITE_SEP.split(title.strip())[0] or title
    norm = normalise(line).strip(" .")
    if norm in (normalise(title).strip(" ."), normalise(headline).strip(" .")):
        return True
    a, b = _words(line), _words(headline)
    if len(a) < 2 or len(b) < 2 or len(a) > 2 * len(b) + 3:
        return False
    return len(a & b) / min(len(a), len(b)) >= 0.7


def names_author(line: str, author: str | None, words: int) -> bool:
    """A short line that names the article's author (trafilatura's ``author``, ``;``-separated)."""
    if not author or words > 15:
        return False
    low = line.lower()
    return any(len(n.split()) >= 2 and n.lower() in low for n in (p.strip() for p in author.split(";")))


def first_line(
    texts: list[str], feats: list[_Features], keep: list[bool], title: str | None, author: str | None
) -> tuple[int, str] | None:
    """(index, reason) when the first kept line is a repeated headline or a byline, else None."""
    k = next((i for i, kept in enumerate(keep) if kept), None)
    if k is None or (feats[k].prose and feats[k].size >= 8):
        return None
    if repeats_title(texts[k], title):
        return k, "title"
    if names_author(texts[k], author, feats[k].size):
        return k, "author"
    return None
