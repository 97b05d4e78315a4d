"""What every match of a regular expression must start with, or must contain, read from its parse tree.

A line without it cannot match, so a matcher can leave the expression out for that line: the phrase
rules (``phrases.py``) are tried only when the line starts with a character they can start with, or,
for rules that can start anywhere (``.{0,250}\\b(getty images|...)``), when the line holds one of the
words they need. Both answers err on the safe side: when unsure they say "anything" (None).
"""

from __future__ import annotations

from typing import Any

try:
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

_IGNORECASE = C.SRE_FLAG_IGNORECASE
_ATOMIC = getattr(C, "ATOMIC_GROUP", None)
_REPEATS = tuple(op for op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)) if op is not None)
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)
#: a character class of more characters than this is no useful need
_CLASS_MAX = 4


class _Any(Exception):
    """Raised inside the walk when an item can start with any character."""


def _class(items: list[tuple[Any, Any]]) -> set[str] | None:
    """The characters of a class made of literals and ranges only (None: negated, \\w, \\d...)."""
    chars: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            chars.add(chr(av))
        elif op is C.RANGE:
            if av[1] - av[0] > 5000:
                return None
            chars.update(map(chr, range(av[0], av[1] + 1)))
        else:
            return None
    return chars


def _flags(av: tuple[Any, ...], ic: bool) -> bool:
    """Is a group (``SUBPATTERN`` arguments) case-insensitive, inside text that is (``ic``) or not?"""
    _group, add, drop, _p = av
    return bool((ic or add & _IGNORECASE) and not drop & _IGNORECASE)


def _first(items: list[tuple[Any, Any]], ic: bool) -> tuple[set[str], bool]:
    """The characters a match of the sequence ``items`` can start with, and whether it can be empty."""
    chars: set[str] = set()
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        if op is C.LITERAL and not ic:
            chars.add(chr(av))
            return chars, False
        if op is C.IN and not ic:
            found = _class(av)
            if found is None:
                raise _Any
            return chars | found, False
        if op is C.SUBPATTERN or (_ATOMIC is not None and op is _ATOMIC):
            sub = av[-1] if op is C.SUBPATTERN else av
            found, empty = _first(sub.data, _flags(av, ic) if op is C.SUBPATTERN else ic)
        elif op is C.BRANCH:
            found, empty = set(), False
            for alternative in av[1]:
                alt, alt_empty = _first(alternative.data, ic)
                found |= alt
                empty = empty or alt_empty
        elif op in _REPEATS:
            low, _high, sub = av
            found, empty = _first(sub.data, ic)
            empty = empty or low == 0
        else:  # any character, a negated literal, a back-reference, a case-insensitive literal...
            raise _Any
        chars |= found
        if not empty:
            return chars, False
    return chars, True


def first_chars(pattern: str) -> frozenset[str] | None:
    """The characters a non-empty match of ``pattern`` can start with; None when it can start with
    any character or match the empty string.

    >>> sorted(first_chars(r"(sign|log) ?in|read more"))
    ['l', 'r', 's']
    >>> first_chars(r".{0,80}all rights reserved") is None
    True
    """
    tree = _parser.parse(pattern)
    try:
        chars, empty = _first(tree.data, bool(tree.state.flags & _IGNORECASE))
    except _Any:
        return None
    return None if empty or not chars else frozenset(chars)


def _weight(s: str) -> int:
    """How rarely ``s`` turns up in text, roughly: its length, punctuation and symbols ("(", "|",
    "©") counting as three letters."""
    return len(s) + 2 * sum(1 for ch in s if not (ch.isalnum() or ch.isspace()))


def _best(candidates: list[set[str]]) -> set[str] | None:
    """The most selective need: the rarest commonest string, then the fewest strings."""
    return max(candidates, key=lambda c: (min(map(_weight, c)), -len(c)), default=None)


def _needs(items: list[tuple[Any, Any]], ic: bool) -> set[str] | None:
    """Strings of which every match of the sequence ``items`` holds one, or None."""
    candidates: list[set[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is C.LITERAL and not ic:
            run.append(chr(av))
            continue
        if run:  # consecutive literals are consecutive in every match
            candidates.append({"".join(run)})
            run = []
        found: set[str] | None = None
        if op is C.SUBPATTERN:
            found = _needs(av[-1].data, _flags(av, ic))
        elif _ATOMIC is not None and op is _ATOMIC:
            found = _needs(av.data, ic)
        elif op is C.BRANCH:
            alternatives = [_needs(a.data, ic) for a in av[1]]
            if all(alternatives):
                found = set().union(*alternatives)  # type: ignore[arg-type]
        elif op in _REPEATS and av[0] >= 1:
            found = _needs(av[2].data, ic)
        elif op is C.IN and not ic:
            chars = _class(av)
            if chars and len(chars) <= _CLASS_MAX:
                found = chars
        if found:
            candidates.append(found)
    if run:
        candidates.append({"".join(run)})
    return _best(candidates)


def needs(pattern: str) -> frozenset[str] | None:
    """Strings of which every match of ``pattern`` holds at least one (the most selective such set
    found), or None when none was found.

    >>> sorted(needs(r".{0,250}\\b(getty images|shutterstock)\\b.{0,40}"))
    ['getty images', 'shutterstock']
    >>> needs(r".{0,300}\\bcredit(s)?\\s*:")
    frozenset({'credit'})
    >>> needs(r"\\w+") is None
    True
    """
    tree = _parser.parse(pattern)
    found = _needs(tree.data, bool(tree.state.flags & _IGNORECASE))
    # a part of a needed string is needed too: without its end spaces it is no less rare, and a
    # search for it cannot start at every space of a line
    found = {w.strip() or w for w in found} if found else None
    return frozenset(found) if found and all(found) else None
