"""The author's box after a story: "About the author / Jane Doe / Jane Doe is a staff writer who covers ...".

Sites put it under the last paragraph, and it reads like the story's prose, so the block model keeps
it; human-written article bodies never include it. A bio is recognised by what follows the person's
name (``data/bios.txt``: "is a staff writer", "ist Redakteurin", "est journaliste"), and only among
the last kept lines: a story that ends by describing a reporter it quotes is rare, one whose middle
does is not. When the page named no author, the bio names one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from .meta import NAME_PARTICLES, person_name
from .phrases import normalise

#: lines at the very end that may follow the bio and go with it ("Staff Writer", "Twitter"): short,
#: not sentences
_TRAILING_MAX = 2
_TRAILING_WORDS = 8
#: capitalised words that start a sentence, not a name
_NOT_NAMES = frozenset("the this that he she it they we i his her their our its there here".split())
_ABOUT = re.compile(
    r"(about|more about|über|à propos de|sobre|sull'|su) ?(the|den|die|l'|el|la|o|a)? ?"
    r"(author|authors|writer|autor|autorin|auteur|autrice|autore|autora|firma)?",
)
#: a role line says more than its role ("Redactora de Sociedad especializada en ...")
_ROLE_MIN_WORDS = 5


@lru_cache(maxsize=1)
def _rules() -> re.Pattern[str]:
    text = resources.files("cleaner.data").joinpath("bios.txt").read_text("utf-8")
    rules = [x.strip() for x in text.splitlines() if x.strip() and not x.lstrip().startswith("#")]
    return re.compile(r"(?P<name>(?:\S+ ){1,4}?)(?:" + "|".join(f"(?:{r})" for r in rules) + ")")


@lru_cache(maxsize=1)
def _roles() -> re.Pattern[str]:
    text = resources.files("cleaner.data").joinpath("bio_roles.txt").read_text("utf-8")
    rules = [x.strip() for x in text.splitlines() if x.strip() and not x.lstrip().startswith("#")]
    return re.compile("(?:" + "|".join(f"(?:{r})" for r in rules) + r")\b")


def _role_under_name(texts: list[str], kept: list[int], i: int) -> str | None:
    """The name on the kept line before ``kept[i]`` when ``kept[i]`` starts with the person's role
    ("María López" / "Redactora de Sociedad especializada en movilidad y seguridad vial.")."""
    line = texts[kept[i]]
    if i == 0 or len(line.split()) < _ROLE_MIN_WORDS:
        return None
    if _roles().match(normalise(line)) is None:
        return None
    name = texts[kept[i - 1]].strip()
    return name if person_name(name) else None


def subject(line: str) -> str | None:
    """The person a bio line is about, when the line is a bio; else None.

    >>> subject("Louise Matsakis is a Staff Writer at WIRED covering Amazon, security, and online platforms.")
    'Louise Matsakis'
    >>> subject("Anna Müller ist Redakteurin im Ressort Politik."), subject("The mayor is a former reporter.")
    ('Anna Müller', None)
    """
    m = _rules().match(normalise(line))
    if not m:
        return None
    n = len(m.group("name").split())
    words = line.split()
    while words and not any(c.isalnum() for c in words[0]):  # a bullet the normalised form dropped
        words = words[1:]
    name = [w.rstrip(",") for w in words[:n]]
    if (
        len(name) < n
        or name[0].lower() in _NOT_NAMES
        or not all(w[:1].isupper() or w.lower() in NAME_PARTICLES for w in name)
    ):
        return None
    return " ".join(name)


def _describes(line: str, author: str | None) -> str | None:
    """The known author, when ``line`` starts by saying who they are ("Rebecca Lindqvist is a retired
    urban planner who lives in Lakeshore."): under the story, that is a guest writer's bio."""
    for name in re.split(r"\s*;\s*|\s+and\s+", author or ""):
        name = name.strip()
        if len(name.split()) >= 2 and re.match(re.escape(name) + r",? (is|was|has been|ist|est|es|è|é) ", line):
            return name
    return None


def _same_person(name: str, author: str | None) -> bool:
    """Could ``name`` be the author ("Julius" of "Julius Young"; authors joined by ``;`` or "and")?"""
    if not author:
        return True
    words = {w.lower().strip(".,") for w in re.split(r"[\s;,]+", author) if len(w) > 2}
    return any(w.lower().strip(".,") in words for w in name.split())


def _header(line: str, name: str) -> bool:
    """A line that heads the bio: the name alone, "About the author", "About Jane Doe"."""
    s = normalise(line).strip(" .:")
    low = name.lower()
    if s == low or s == "@" + low.replace(" ", ""):
        return True
    if s.endswith(low):
        s = s[: -len(low)].strip()
    return bool(s) and _ABOUT.fullmatch(s) is not None and len(s.split()) <= 4


def tail(texts: list[str], keep: list[bool], author: str | None) -> tuple[list[int], str | None]:
    """The kept lines at the story's end that are its author's bio, and the person they name.

    Walking back from the last kept line: up to ``_TRAILING_MAX`` short lines that are not sentences,
    then one or more bio lines (about the author, when one is known), then the lines that head them.
    Nothing is found unless a bio line is.
    """
    kept = [k for k, on in enumerate(keep) if on]
    found: list[int] = []
    i = len(kept) - 1
    trailing: list[int] = []
    while i >= 0 and len(trailing) < _TRAILING_MAX and _short(texts[kept[i]]) and subject(texts[kept[i]]) is None:
        trailing.append(kept[i])
        i -= 1
    name = None
    while i >= 0:
        who = subject(texts[kept[i]]) or _describes(texts[kept[i]], author) or _role_under_name(texts, kept, i)
        if who is None or not _same_person(who, author) or (name and not _same_person(who, name)):
            break
        name = name or who
        found.append(kept[i])
        i -= 1
    if not name:
        return [], None
    while i >= 0 and _header(texts[kept[i]], name):
        found.append(kept[i])
        i -= 1
    return sorted(found + trailing), name


def _short(line: str) -> bool:
    s = line.strip()
    return len(s.split()) <= _TRAILING_WORDS and not s.endswith((".", "!", "?", '"', "\u201d"))
