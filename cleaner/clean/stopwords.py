"""Stopword lists (justext's, 100 languages) and a cheap stopword-based language guess.

The cleaner runs before language detection, yet stopword density is one of its best signals for
prose, so it guesses the language from stopword hits over the whole input first.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections import Counter
from functools import cache, lru_cache
from importlib import resources
from itertools import chain

import numpy as np

from .remember import make_room

_WORD = re.compile(r"\w+", re.U)
_HAN_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_LETTERS = re.compile(r"[^\W\d_]", re.U)


#: characters per word a first prefix reads (prose averages ~6 with the space), then a longer one
_FIRST_PREFIX, _LONG_PREFIX = 8, 16


def first_words(text: str, n: int, pattern: re.Pattern[str] = _WORD) -> list[str]:
    """The first ``n`` matches of ``pattern`` in ``text``, found in C-level passes over a prefix.

    A word cut by the prefix's end is the last match of the prefix; when the prefix holds more
    than ``n`` matches that word is not among the first ``n``. A short prefix holds them in most
    text (without reading and copying out the words after them), else a longer one, else the
    whole text is read.
    """
    found = pattern.findall(text, 0, _FIRST_PREFIX * n)
    if len(found) > n or len(text) <= _FIRST_PREFIX * n:
        return found[:n]
    found = pattern.findall(text, 0, _LONG_PREFIX * n)
    if len(found) <= n and len(text) > _LONG_PREFIX * n:
        found = pattern.findall(text)
    return found[:n]


@lru_cache(maxsize=1)
def languages() -> dict[str, str]:
    """ISO 639-1 code -> justext stoplist name, in the data file's order."""
    text = resources.files("cleaner.data").joinpath("stoplist_languages.tsv").read_text("utf-8")
    pairs = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {code: name.strip() for code, name in pairs}


@lru_cache(maxsize=1)
def _justext_stoplists() -> str:
    """The folder of justext's stoplist files, found without importing justext (~60 ms)."""
    spec = importlib.util.find_spec("justext")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("justext is not installed")
    return os.path.join(next(iter(spec.submodule_search_locations)), "stoplists")


@cache
def stoplist(lang: str) -> frozenset[str]:
    """Lower-cased stopwords of an ISO 639-1 language (empty for languages without a list).

    The words of ``justext.get_stoplist``, lower-cased again, read from its file in a few C-level
    passes instead of one decode and lower-case call per word: half the time for the 49 lists
    (``tests/test_shortcuts.py`` compares with justext's own function).
    """
    name = languages().get(lang)
    if not name:
        return frozenset()
    with open(os.path.join(_justext_stoplists(), f"{name}.txt"), "rb") as fh:
        lines = fh.read().splitlines()
    if not lines:
        return frozenset()
    return frozenset(b"\n".join(lines).decode("utf-8").lower().lower().split("\n"))


#: answers a :class:`StopwordIndex` remembers before it starts again (bounds a long run's memory)
INDEX_MAX = 500_000


class _Rows(dict):  # type: ignore[type-arg]
    """stopword -> its row of ``StopwordIndex.matrix`` (a 1 in the column of each of its languages),
    filled in when the word is first asked for. Never emptied (rows already handed out must stay
    valid): at most one row of ``len(names)`` bytes per stopword of any list, ~5 MB if a run met all."""

    def __init__(self, index: StopwordIndex) -> None:
        super().__init__()
        self._index = index
        self._position = {lang: i for i, lang in enumerate(index.names)}

    def __missing__(self, word: str) -> int:
        index = self._index
        if word not in index.words:
            raise KeyError(word)
        row = len(self)
        if row == len(index.matrix):  # full: twice the rows (a run asks for a few thousand words)
            index.matrix = np.concatenate([index.matrix, np.zeros_like(index.matrix)])
        index.matrix[row, [self._position[lang] for lang in index[word]]] = 1
        self[word] = row
        return row


class StopwordIndex(dict):  # type: ignore[type-arg]
    """``index[word]``: the languages whose stoplist has ``word``, in :func:`languages` order (``()``
    for none).

    Each word's answer is worked out the first time it is asked for and remembered: building the
    whole index (~110,000 words) cost ~0.15 s of every run's start-up, while a run only ever asks
    for a few thousand words. Answers are those of the full index (``tests/test_shortcuts.py``).
    """

    def __init__(self, lists: dict[str, frozenset[str]]) -> None:
        super().__init__()
        self._lists = tuple((lang, words) for lang, words in lists.items() if words)
        #: every word of every list
        self.words = frozenset().union(*(words for _, words in self._lists))
        #: the languages with a list, in order (the columns of ``matrix``)
        self.names = tuple(lang for lang, _ in self._lists)
        #: ``matrix[rows[word]]``: ``self[word]`` as a row of 0/1 over ``names`` (remembered like the answers)
        self.matrix = np.zeros((256, len(self.names)), dtype=np.uint8)
        self.rows = _Rows(self)

    def __missing__(self, word: str) -> tuple[str, ...]:
        if len(self) >= INDEX_MAX:
            self.clear()
        langs = tuple(lang for lang, words in self._lists if word in words) if word in self.words else ()
        self[word] = langs
        return langs


@lru_cache(maxsize=1)
def stopword_index() -> StopwordIndex:
    """word -> languages whose stoplist has it (one lookup per token for the guess)."""
    return StopwordIndex({lang: stoplist(lang) for lang in languages()})


#: the characters whose lower case is no single character of the same ``\\w`` class ("İ" -> "i̇")
#: or depends on the characters around it (a final "Σ" -> "ς"): without them, the ``\\w+`` tokens
#: of ``text.lower()`` are the lower-cased tokens of ``text``
_LOWER_CHANGES_TOKENS = ("\u0130", "\u03a3")


def lower_words(text: str, n: int) -> list[str]:
    """``[w.lower() for w in first_words(text, n)]``, lower-casing the text once instead of each word."""
    if any(ch in text for ch in _LOWER_CHANGES_TOKENS):
        return list(map(str.lower, first_words(text, n)))
    # lower-casing is then character by character: the prefix's lower case is the lower case's prefix,
    # so only as much is lower-cased as ``first_words`` reads
    head = text[: _FIRST_PREFIX * n]
    found = _WORD.findall(head.lower())
    if len(found) > n or len(head) == len(text):
        return found[:n]
    if len(text) > _LONG_PREFIX * n:
        return list(map(str.lower, first_words(text, n)))
    return first_words(text.lower(), n)


def guess_language(text: str, sample: int = 4000) -> str | None:
    """The language whose stopwords best cover the first ``sample`` words, or None."""
    head = text[: sample * 6]
    # counting every letter costs more than the rest of the guess: only when the head has Han or kana
    # (never in ASCII text, which ``str.isascii`` knows without reading it)
    han = len(_HAN_KANA.findall(head)) if not head.isascii() and _HAN_KANA.search(head) else 0
    if han and han > 0.3 * max(1, len(_LETTERS.findall(head))):
        # written without spaces: stopword lists do not apply (justext has none for these)
        return "ja" if _KANA.search(head) else "zh"
    best = _pick(first_hits(text, sample)[1])
    return best[0] if best else None


#: lines whose words ``guess_language`` remembers before it makes room (``remember.make_room``)
LINE_WORDS_MAX = 20_000
#: line -> ``_line_words(line)``: a site's menus, footers and promos come back on every page of it
LINE_WORDS: dict[str, tuple[int, tuple[int, ...]]] = {}
_LINES_REUSED: set[str] = set()


def _line_words(line: str) -> tuple[int, tuple[int, ...]]:
    """How many ``\\w+`` words ``line`` has, and the rows (``StopwordIndex.rows``) of those of them,
    lower-cased, that some stoplist has, in order; remembered (a pure function of the line)."""
    if len(LINE_WORDS) >= LINE_WORDS_MAX:
        make_room(LINE_WORDS, _LINES_REUSED, LINE_WORDS_MAX)
    index = stopword_index()
    words = lower_words(line, len(line))  # every word: a line has fewer words than characters
    rows = tuple(map(index.rows.__getitem__, filter(index.words.__contains__, words)))
    found = LINE_WORDS[line] = (len(words), rows)
    return found


def first_hits(text: str, n: int) -> tuple[int, np.ndarray | None]:
    """``len(words)`` and ``language_hits(Counter(words))`` of ``words = lower_words(text, n)``,
    summed line by line from the lines' remembered stopwords.

    Words never run across a line break (``\\w`` does not match it), and ``lower_words`` gives
    the words lower-cased one by one, so a text's first words are its lines' words in turn (of the
    line that holds the ``n``-th word, its first words only), and their hits are the sum of their
    stopwords' rows of 0/1 per language (whole numbers: exact in float64). Most of a page's words
    are in lines met before (its site's template: two thirds on the load benchmark's pages; the
    kept lines again when the clean body's language is voted on), which are then neither
    lower-cased, searched, counted nor looked up again.
    """
    total = 0
    parts = []
    found = LINE_WORDS.get
    reused = _LINES_REUSED.add
    for line in text.split("\n"):
        known = found(line)
        if known is None:
            known = _line_words(line)
        else:
            reused(line)
        if total + known[0] > n:  # the line with the n-th word: its first words
            index = stopword_index()
            words = lower_words(line, n - total)
            parts.append(tuple(map(index.rows.__getitem__, filter(index.words.__contains__, words))))
            total = n
            break
        total += known[0]
        if known[1]:
            parts.append(known[1])
    rows = np.fromiter(chain.from_iterable(parts), np.intp)
    if not len(rows):
        return total, None
    return total, stopword_index().matrix[rows].sum(axis=0, dtype=np.float64)


def language_hits(counts: Counter[str]) -> np.ndarray | None:
    """How many of the words counted in ``counts`` are stopwords of each language (positions as in
    ``stopword_index().names``; whole numbers as floats), or None when no word is a stopword."""
    index = stopword_index()
    # each distinct word once (C-level counting); only the stopwords among them (a C-level set
    # intersection): their counts times their rows of 0/1 per language, one matrix product (whole
    # numbers: exact in float64, so the sums of adding each count to each of its languages)
    words = list(index.words.intersection(counts))
    if not words:
        return None
    rows = np.fromiter(map(index.rows.__getitem__, words), np.intp, len(words))
    weights = np.fromiter(map(counts.__getitem__, words), np.float64, len(words))
    return weights @ index.matrix[rows]


def _best_covered(counts: Counter[str]) -> tuple[str, int] | None:
    """The language whose stopwords best cover the words counted in ``counts``, and how many of the
    words are its stopwords; None when no word is a stopword."""
    return _pick(language_hits(counts))


def _pick(totals: np.ndarray | None) -> tuple[str, int] | None:
    """``_best_covered`` from the hits of each language (``language_hits``)."""
    if totals is None:
        return None
    index = stopword_index()
    # normalise by list size a little: long lists (e.g. 2,000 words) match more by chance; the first
    # best in alphabetical order (the same quotients as ``hits / size ** 0.25`` one language at a time)
    order, divisors = _alphabetical()
    best = int(order[int(np.argmax(totals[order] / divisors))])
    return index.names[best], int(totals[best])


@lru_cache(maxsize=1)
def _alphabetical() -> tuple[np.ndarray, np.ndarray]:
    """The positions of ``stopword_index().names`` in alphabetical order, and each one's stoplist
    size to the power 0.25 (computed as Python floats, as the per-language quotient did)."""
    names = stopword_index().names
    order = sorted(range(len(names)), key=names.__getitem__)
    return np.array(order, dtype=np.intp), np.array([len(stoplist(names[i])) ** 0.25 for i in order])


#: a paragraph reads as prose in a language from this many words and this share of its stopwords
PROSE_WORDS = 8
PROSE_DENSITY = 0.3
#: a second language's prose counts from this many words and this share of the first one's prose
SECOND_MIN_WORDS = 30
SECOND_SHARE = 0.15


def second_language(paragraphs: list[str], first: str | None, first_prose: int = 0, sample: int = 4000) -> str | None:
    """A language other than ``first`` in which the page has much prose too, or None.

    The page's language is guessed from all its words, and a site template is many of them: a
    story in Portuguese inside an English template (a post on an English blog platform, a copy
    pasted into another site's page) was read with English stopwords, looked like no prose at all,
    and was lost to the template's headlines. Each paragraph of ``PROSE_WORDS`` or more words whose
    stopwords in its own best language are ``PROSE_DENSITY`` of its words is prose in that
    language; another language counts when its prose is ``SECOND_MIN_WORDS`` words and
    ``SECOND_SHARE`` of the first's. Lists of names or ingredients that a long stoplist happens to
    cover ("1 Green, 1 Red") stay under the density. Pages in one language have none.
    ``first_prose``: words of prose in ``first`` that the caller counted already and left out of
    ``paragraphs``.
    """
    prose: Counter[str] = Counter({first or "": first_prose})
    seen = 0
    for p in paragraphs:
        if seen >= sample:
            break
        words, lang = _prose_language(p, first, sample)
        seen += words
        if lang is not None:
            prose[lang] += words
    others = [(n, lang) for lang, n in prose.items() if lang != first]
    if not others:
        return None
    n, lang = max(others)
    return lang if n >= SECOND_MIN_WORDS and n >= SECOND_SHARE * prose.get(first or "", 0) else None


#: paragraphs whose verdict ``second_language`` remembers before it makes room (``remember.make_room``)
VERDICTS_MAX = 20_000
#: (paragraph, page language, sample) -> ``_judge``'s verdict: a site's template paragraphs (its menus
#: and promos, not prose in the page's language) come back on every page of the site, and were
#: tokenised, counted and voted on again each time (three quarters of the paragraphs asked about on
#: the load benchmark's pages had been asked about before)
VERDICTS: dict[tuple[str, str | None, int], tuple[int, str | None]] = {}
_REUSED: set[tuple[str, str | None, int]] = set()


def _prose_language(paragraph: str, first: str | None, sample: int) -> tuple[int, str | None]:
    """``_judge(paragraph, first, sample)``, remembered (a pure function of its arguments)."""
    key = (paragraph, first, sample)
    found = VERDICTS.get(key)
    if found is not None:
        _REUSED.add(key)
        return found
    if len(VERDICTS) >= VERDICTS_MAX:
        make_room(VERDICTS, _REUSED, VERDICTS_MAX)
    found = VERDICTS[key] = _judge(paragraph, first, sample)
    return found


def _judge(paragraph: str, first: str | None, sample: int) -> tuple[int, str | None]:
    """How many words ``second_language`` reads in ``paragraph`` (its first ``sample``), and the
    language it is prose in: ``first or ""`` for the page's own, another one, or None (no prose)."""
    found = lower_words(paragraph, sample)
    if len(found) < PROSE_WORDS:
        return len(found), None
    least = PROSE_DENSITY * len(found)
    stops = stoplist(first) if first else frozenset()
    if sum(map(stops.__contains__, found)) >= least:
        return len(found), first or ""  # the page's language (most prose is): no need to ask the others
    if sum(map(stopword_index().words.__contains__, found)) >= least:
        best = _best_covered(Counter(found))  # ``guess_language``'s pick for the paragraph alone
        if best and best[1] >= least:
            return len(found), best[0]
    return len(found), None


@lru_cache(maxsize=64)
def stoplists(first: str, second: str) -> frozenset[str]:
    """The stopwords of two languages together (made once per pair: a line cache keys on the set)."""
    return stoplist(first) | stoplist(second)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def stopword_density(text: str, stops: frozenset[str]) -> float:
    toks = words(text)
    if not toks:
        return 0.0
    return sum(1 for t in toks if t.lower() in stops) / len(toks)
