"""Phrase rules loaded from ``cleaner/data/phrases/*.txt`` (format in that folder's README)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

KINDS = ("line", "prefix", "list")
#: prefix rules judge lines up to this many words
PREFIX_MAX_WORDS = 40
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_LEAD = re.compile(r"^[\s•·|»›>▶►■□●○◆◇★☆*+~#-]+")
_TRAIL = re.compile(r"[\s.:!?»›>▶►|…/→-]+$")


def normalise(line: str) -> str:
    """The form phrase rules are matched against."""
    s = " ".join(line.translate(_QUOTES).lower().split())
    s = _LEAD.sub("", s)
    return s


@dataclass(frozen=True)
class Match:
    kind: str  #: line, prefix or list
    reason: str
    pattern: str
    lang: str


@dataclass(frozen=True)
class Rules:
    """Compiled rules of all languages: one alternation per (kind, reason) for speed."""

    compiled: tuple[tuple[str, str, str, re.Pattern[str]], ...]  # (kind, reason, lang, regex)
    patterns: dict[str, str]  # group name -> the rule's own expression, to say which rule fired

    def match(self, line: str) -> Match | None:
        norm = normalise(line)
        if not norm or len(norm) > 600:
            return None
        stripped = _TRAIL.sub("", norm)
        # a "READ MORE: ..." teaser glued to a long stretch of the story's own text keeps the story
        long_line = norm.count(" ") >= PREFIX_MAX_WORDS
        for kind, reason, lang, rx in self.compiled:
            if kind == "prefix" and long_line:
                continue
            m = rx.match(norm) if kind == "prefix" else rx.fullmatch(stripped)
            if m:
                return Match(kind, reason, self.patterns.get(m.lastgroup or "", ""), lang)
        return None


def _parse(text: str, lang: str) -> list[tuple[str, str, str, str]]:
    rules: list[tuple[str, str, str, str]] = []
    kind = reason = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            kind, _, reason = line[1:-1].partition(" ")
            if kind not in KINDS or not reason:
                raise ValueError(f"phrases/{lang}.txt: bad header {line!r}")
            continue
        if kind is None or reason is None:
            raise ValueError(f"phrases/{lang}.txt: rule before any header: {line!r}")
        re.compile(line)  # fail loudly on a broken rule
        rules.append((kind, reason, lang, line))
    return rules


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    """All phrase files, compiled once per process (immutable)."""
    folder = resources.files("cleaner.data").joinpath("phrases")
    parsed: list[tuple[str, str, str, str]] = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".txt"):
            parsed.extend(_parse(entry.read_text("utf-8"), entry.name[:-4]))
    groups: dict[tuple[str, str, str], list[str]] = {}
    for kind, reason, lang, pattern in parsed:
        groups.setdefault((kind, reason, lang), []).append(pattern)
    order = {"list": 0, "line": 1, "prefix": 2}
    names: dict[str, str] = {}
    compiled = []
    for (kind, reason, lang), pats in sorted(groups.items(), key=lambda kv: (order[kv[0][0]], kv[0])):
        alts = []
        for p in pats:
            name = f"r{len(names)}"
            names[name] = p
            alts.append(f"(?P<{name}>{p})")
        compiled.append((kind, reason, lang, re.compile("|".join(alts))))
    return Rules(tuple(compiled), names)
