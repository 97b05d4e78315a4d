"""Phrase rules loaded from ``cleaner/data/phrases/*.txt`` (format in that folder's README)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .regex_needs import first_chars, needs
from .remember import make_room

KINDS = ("line", "prefix", "list")
#: prefix rules judge lines up to this many words
PREFIX_MAX_WORDS = 40
_SEEN_MAX = 20_000
#: no rule takes a line longer than this once normalised (a rule is about a line, not a story)
MAX_RULE_CHARS = 600
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_QUOTE_PAIRS = tuple((chr(k), v) for k, v in _QUOTES.items())
_LEAD = re.compile(r"^[\s•·|»›>▶►■□●○◆◇★☆*+~#-]+")
_TRAIL = re.compile(r"[\s.:!?»›>▶►|…/→-]+$")
#: what sets chrome phrases side by side on one line: "Advertisement · Scroll to continue",
#: "Sign in | Subscribe", "Privacy Policy - Terms of Use", and sentences: "Get all your news in one
#: place. 100's of premium titles. One app."
_SEPARATOR = re.compile(r"\s+[|·•–—-]\s+|(?<=[.!?])\s+")
#: the same separators as a normalised line has them (one space around a mark, one after a sentence):
#: found at half the cost of searching with ``_SEPARATOR``
_SEPARATOR_NORMALISED = re.compile(r"[.!?] | [|·•–—-] ")
#: a line of chrome phrases set side by side is short, of a few parts
COMPOUND_MAX_CHARS = 200
COMPOUND_MAX_PARTS = 6
#: a part of such a line is a phrase, not a sentence of a story: fewer words than this
COMPOUND_PART_WORDS = 12


def normalise(line: str) -> str:
    """The form phrase rules are matched against."""
    if not line.isascii():  # every character _QUOTES maps is non-ASCII
        for old, new in _QUOTE_PAIRS:  # str.translate with a dict is slower than these replaces
            if old in line:
                line = line.replace(old, new)
    s = " ".join(line.lower().split())
    if "\u0130" in line:  # Turkish "İ" lower-cases to "i" and a combining dot: "İlgili" -> "ilgili"
        s = s.replace("i\u0307", "i")
    s = _LEAD.sub("", s)
    return s


@dataclass(frozen=True)
class Match:
    kind: str  #: line, prefix or list
    reason: str
    pattern: str
    lang: str


def _trie(words: list[str]) -> str:
    """An expression matching any of ``words``, as a letter tree: the engine compares one letter per
    branch instead of every word at every position of the line. At a position it matches the
    longest of ``words`` that starts there."""
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        alternatives = [re.escape(ch) + emit(node[ch]) for ch in sorted(node) if ch]
        if not alternatives:
            return ""
        if len(alternatives) == 1 and "" not in node:
            return alternatives[0]
        return "(?:" + "|".join(alternatives) + ")" + ("?" if "" in node else "")

    return emit(tree)


@dataclass(frozen=True)
class LineScreen:
    """Could any whole-line rule match a line? Answered without trying every rule on it.

    A rule that starts with a known character (``regex_needs.first_chars``) is tried only on lines
    that start with one of its characters; a rule that can start anywhere (``.{0,250}\\b(getty images|...)``)
    only on lines that hold one of the strings it needs (``regex_needs.needs``), found in one pass
    over the line. The answer is the one-alternation answer: rules are only left out where they
    cannot match (``tests/test_clean_shortcuts.py``).
    """

    #: first character -> alternation of the rules that can start with it
    by_first: dict[str, re.Pattern[str]]
    #: any of the strings the other rules need (one pass, skipping letters no such string starts with)
    needed: re.Pattern[str] | None
    #: ``(?=(...))`` over the same strings: at each position, the longest one found there
    needed_at: re.Pattern[str] | None
    #: found string -> the rules that need it or one of its prefixes
    by_need: dict[str, tuple[re.Pattern[str], ...]]
    #: rules with neither: tried on every line
    always: re.Pattern[str] | None

    @classmethod
    def build(cls, patterns: list[str]) -> LineScreen | None:
        """The screen of ``patterns``; None when a rule refers to its own groups (see ``_any_of``)."""
        if any(re.search(r"\\\d|\(\?P=", p) for p in patterns):
            return None
        starts: dict[str, list[str]] = {}
        needing: list[tuple[frozenset[str], str]] = []
        always: list[str] = []
        for p in patterns:
            chars = first_chars(p)
            if chars is not None:
                for ch in chars:
                    starts.setdefault(ch, []).append(p)
                continue
            need = needs(p)
            if need is None:
                always.append(p)
            else:
                needing.append((need, p))
        words = sorted({w for need, _ in needing for w in need})
        by_need: dict[str, tuple[re.Pattern[str], ...]] = {}
        for found in words:
            rules = [p for need, p in needing if any(found.startswith(w) for w in need)]
            by_need[found] = tuple(re.compile(_uncaptured(p)) for p in rules)
        by_first = {ch: _any_of(ps) for ch, ps in starts.items()}
        everyone = _any_of(always) if always else None
        if any(rx is None for rx in by_first.values()) or (always and everyone is None):
            return None
        return cls(
            by_first,  # type: ignore[arg-type]
            re.compile(_trie(words)) if words else None,
            re.compile(f"(?=({_trie(words)}))") if words else None,
            by_need,
            everyone,
        )

    def possible(self, line: str) -> bool:
        """Does some rule fullmatch ``line``?"""
        rx = self.by_first.get(line[:1])
        if rx is not None and rx.fullmatch(line) is not None:
            return True
        if self.always is not None and self.always.fullmatch(line) is not None:
            return True
        if self.needed is not None and self.needed_at is not None and self.needed.search(line) is not None:
            for found in set(self.needed_at.findall(line)):
                for rule in self.by_need[found]:
                    if rule.fullmatch(line) is not None:
                        return True
        return False


@dataclass(frozen=True)
class Rules:
    """Compiled rules of all languages: one alternation per (kind, reason) for speed."""

    compiled: tuple[tuple[str, str, str, re.Pattern[str]], ...]  # (kind, reason, lang, regex)
    patterns: dict[str, str]  # group name -> the rule's own expression, to say which rule fired
    #: which line/list rules could match a line, and every prefix rule as one expression without
    #: capturing groups: rules out the ~90 % of lines that no rule takes at little cost (None: no such
    #: screen could be made, every group is tried)
    any_line: LineScreen | None = None
    any_prefix: re.Pattern[str] | None = None
    #: answers by normalised line (site chrome recurs across a corpus); when full, only the lines
    #: asked about again (``_reused``) are kept (``remember.make_room``)
    _seen: dict[str, Match | None] = field(default_factory=dict, init=False, compare=False, repr=False)
    _reused: set[str] = field(default_factory=set, init=False, compare=False, repr=False)

    def clear(self) -> None:
        """Forget the remembered answers."""
        self._seen.clear()
        self._reused.clear()

    def match(self, line: str) -> Match | None:
        return self.match_normalised(normalise(line))

    def match_normalised(self, norm: str) -> Match | None:
        """``match`` for a line already put through :func:`normalise`."""
        seen = self._seen
        if norm in seen:
            self._reused.add(norm)
            return seen[norm]
        if len(seen) >= _SEEN_MAX:
            make_room(seen, self._reused, _SEEN_MAX)
        found = seen[norm] = self._match(norm)
        return found

    def _match(self, norm: str) -> Match | None:
        found = self._match_whole(norm)
        if found is None and len(norm) <= COMPOUND_MAX_CHARS and _SEPARATOR_NORMALISED.search(norm):
            found = self._compound(norm)
        return found

    def _compound(self, norm: str) -> Match | None:
        """The first part's match when every part between separators is a whole chrome line on its own
        (``line`` rules only: a list marker's run of headlines is read from lines, not parts); a story
        sentence with a dash has at least one part no rule takes."""
        parts = [p for p in _SEPARATOR.split(norm) if p]
        if not 2 <= len(parts) <= COMPOUND_MAX_PARTS or any(p.count(" ") >= COMPOUND_PART_WORDS for p in parts):
            return None
        first = None
        for part in parts:  # most lines fail on their first part: stop there
            m = self._match_whole(part)
            if m is None or m.kind != "line":
                return None
            first = first or m
        return first

    def _match_whole(self, norm: str) -> Match | None:
        if not norm or len(norm) > MAX_RULE_CHARS:
            return None
        stripped = _TRAIL.sub("", norm)
        # a "READ MORE: ..." teaser glued to a long stretch of the story's own text keeps the story
        long_line = norm.count(" ") >= PREFIX_MAX_WORDS
        if (
            self.any_line is not None
            and self.any_prefix is not None
            and not self.any_line.possible(stripped)
            and (long_line or self.any_prefix.match(norm) is None)
        ):
            return None
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
        rules.append((kind, reason, lang, line))
    return rules


def _uncaptured(pattern: str) -> str:
    """``pattern`` with its capturing groups made non-capturing (same language, no group marks to
    save and restore: an alternation of hundreds of rules with their groups is slower than one by one)."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            head = 2 if pattern.startswith("[^", i) else 1
            if pattern.startswith("]", i + head):  # a "]" right after "[" or "[^" is a literal
                head += 1
            out.append(pattern[i : i + head])
            i += head
            continue
        elif ch == "(" and not pattern.startswith("(?", i):
            out.append("(?:")
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _any_of(patterns: list[str]) -> re.Pattern[str] | None:
    """One expression that matches where any of ``patterns`` does; None when a rule refers to its
    own groups (a back-reference), which the rewrite would break."""
    if any(re.search(r"\\\d|\(\?P=", p) for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{_uncaptured(p)})" for p in patterns) or "(?!)")
    except re.error:
        return None


def _check(parsed: list[tuple[str, str, str, str]]) -> None:
    """Compile every rule on its own, in file order: the first broken one raises its ``re.error``.

    Only run when a group fails to compile: rules are otherwise compiled once, in their groups
    (compiling each alone too cost ~40 ms of every run's start-up).
    """
    for _kind, _reason, _lang, pattern in parsed:
        re.compile(pattern)


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
        try:
            compiled.append((kind, reason, lang, re.compile("|".join(alts))))
        except re.error:
            _check(parsed)  # raises the broken rule's own error
            raise
    line_rules = [p for kind, _, _, p in parsed if kind != "prefix"]
    prefix_rules = [p for kind, _, _, p in parsed if kind == "prefix"]
    return Rules(tuple(compiled), names, LineScreen.build(line_rules), _any_of(prefix_rules))
