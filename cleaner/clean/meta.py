"""Title, author, site name and date lines: metadata that pages put around the story.

They are taken out of the body and into the article's fields, so the body holds only the story.
"""

from __future__ import annotations

import re

_BYLINE = re.compile(
    r"^(?:by|written by|words by|von|par|por|di|de|door|av|af|przez)\s+"
    r"(?P<name>[A-Z\u00c0-\u024f][\w.'’-]+(?:\s+(?:[A-Z\u00c0-\u024f][\w.'’-]+|and|und|et|y|e|&|,)){0,8})"
    r"(?:\s*[,|•·–—-]\s*.{0,80})?$",
)
_NAME_TOKEN = re.compile(r"^[A-Z\u00c0-\u00de\u0100-\u024f][a-z\u00df-\u00ff\u0100-\u024f'’.-]+$|^[A-Z]\.$")
_MONTHS = (
    "jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|jun(e)?|jul(y)?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|"
    "nov(ember)?|dec(ember)?"
)
_DATE = re.compile(
    rf"(\b\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b|"
    rf"\b({_MONTHS})\.?\s+\d{{1,2}}(st|nd|rd|th)?,?\s+\d{{4}}\b|\b\d{{1,2}}(st|nd|rd|th)?\s+({_MONTHS})\.?,?\s+\d{{4}}\b)",
    re.I,
)
_DATELINE = re.compile(
    rf"^((published|updated|posted|last updated|first published|modified)( on| at)?:?\s*)?"
    rf"((mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?.{{0,6}}{_DATE.pattern}.{{0,40}}$",
    re.I,
)


def byline(line: str) -> str | None:
    """The author named by a byline ("By Jane Doe", "Jane Doe | Reuters"), else None."""
    m = _BYLINE.match(line.strip())
    if m:
        return m.group("name").strip(" ,")
    return None


def person_name(line: str) -> bool:
    """Does the whole line look like a person's name (2–4 capitalised words)?"""
    tokens = line.strip().split()
    return 2 <= len(tokens) <= 4 and all(_NAME_TOKEN.match(t) for t in tokens) and not line.isupper()


def dateline(line: str) -> bool:
    """A line that is only a date, perhaps with "Published"/"Updated" and a time."""
    return len(line) <= 80 and bool(_DATELINE.match(line.strip()))


def headline_like(line: str) -> bool:
    """Could this line be a headline (short, unterminated or a question)?"""
    words = line.split()
    return 3 <= len(words) <= 30 and not line.rstrip().endswith((".", ",", ";", ":")) and len(line) <= 250
