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

import numpy as np

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


class _Codes(dict):  # type: ignore[type-arg]
    """word -> positions of its languages in ``StopwordIndex.names``, worked out when first asked for."""

    def __init__(self, index: StopwordIndex) -> None:
        super().__init__()
        self._index = index
        self._position = {lang: i for i, lang in enumerate(index.names)}

    def __missing__(self, word: str) -> np.ndarray:
        if len(self) >= INDEX_MAX:
            self.clear()
        found = self[word] = np.array([self._position[lang] for lang in self._index[word]], dtype=np.intp)
        return found


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
        #: the languages with a list, in order (``codes`` gives positions in it)
        self.names = tuple(lang for lang, _ in self._lists)
        #: ``codes[word]``: ``self[word]`` as positions in ``names`` (remembered like the answers)
        self.codes = _Codes(self)

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
    best = _best_covered(Counter(lower_words(text, sample)))
    return best[0] if best else None


def language_hits(counts: Counter[str]) -> np.ndarray | None:
    """How many of the words counted in ``counts`` are stopwords of each language (positions as in
    ``stopword_index().names``; whole numbers as floats), or None when no word is a stopword."""
    index = stopword_index()
    # each distinct word once (C-level counting); only the stopwords among them (a C-level set
    # intersection) add their count to each of their languages, all in one array operation
    words = list(index.words.intersection(counts))
    if not words:
        return None
    codes = list(map(index.codes.__getitem__, words))
    weights = np.repeat(np.fromiter(map(counts.__getitem__, words), np.float64, len(words)), list(map(len, codes)))
    return np.bincount(np.concatenate(codes), weights, minlength=len(index.names))


def _best_covered(counts: Counter[str]) -> tuple[str, int] | None:
    """The language whose stopwords best cover the words counted in ``counts``, and how many of the
    words are its stopwords; None when no word is a stopword."""
    totals = language_hits(counts)
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
    index = stopword_index()
    stops = stoplist(first) if first else frozenset()
    prose: Counter[str] = Counter({first or "": first_prose})
    seen = 0
    for p in paragraphs:
        if seen >= sample:
            break
        found = lower_words(p, sample)
        seen += len(found)
        if len(found) < PROSE_WORDS:
            continue
        least = PROSE_DENSITY * len(found)
        if sum(map(stops.__contains__, found)) >= least:
            prose[first or ""] += len(found)  # the page's language (most prose is): no need to ask the others
        elif sum(map(index.words.__contains__, found)) >= least:
            best = _best_covered(Counter(found))  # ``guess_language``'s pick for the paragraph alone
            if best and best[1] >= least:
                prose[best[0]] += len(found)
    others = [(n, lang) for lang, n in prose.items() if lang != first]
    if not others:
        return None
    n, lang = max(others)
    return lang if n >= SECOND_MIN_WORDS and n >= SECOND_SHARE * prose.get(first or "", 0) else None


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
