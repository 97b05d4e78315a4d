"""Language detection: a stopword fast path, with seeded langdetect on the whole body as the fallback.

langdetect costs ~3 ms a call even on a short text and ~11–15 ms on an article (its random trials
dominate, not the text length), is unseeded by default and raises on text without letters. Most news
bodies are prose whose function words name the language at once, so a vote of the first
``FAST_TOKENS`` words (at least ``MIN_TOKENS``) over justext's stoplists (the cleaner's own lists, codes as langdetect's) answers
when it is clear: enough of the words are stopwords of the winner (``MIN_COVERAGE``) and the winner
beats every other language by ``MIN_MARGIN``, or the languages within the margin are ruled out by
letters they do not write and the winner does, as langdetect's own profiles give them (Russian text
writes "ы", which Bulgarian and Ukrainian never do, though their stopwords are much the same).
Anything else (short or mixed text, close languages without such letters, scripts without
stoplists) goes to langdetect, seeded, on the body's first ``FALLBACK_CHARS``
characters (cut at a space): langdetect's n-gram pass is linear in the text (it reads up to 10,000
characters), and on a longer sample the answer is the same. Its text preparation runs as in
``ngrams.py`` (the same n-grams, 2.7x faster a call). ``benchmarks/bench_language.py`` measures
the agreement with langdetect on the whole text (≥ 99% is the target) and the cost per call.

>>> detect("The council voted on Monday to close the old bridge to all traffic from next week, "
...        "and the mayor said that it would not open again before the spring.")
'en'
"""

from __future__ import annotations

import os
from collections import Counter
from functools import lru_cache

import numpy as np

from . import ngrams
from .document import Document

UNDETERMINED = "und"
#: words of the body read by the stopword vote
FAST_TOKENS = 300
#: shorter texts go to langdetect: a few words are no evidence (justext's Finnish list has brand names)
MIN_TOKENS = 20
#: the vote answers only when at least this share of the words are the winner's stopwords ...
MIN_COVERAGE = 0.3
#: ... and the winner's score is this many times the runner-up's
MIN_MARGIN = 1.5
#: a close runner-up is out when the first words hold letters its language does not write and the
#: winner's does (langdetect's own profiles say which: "ы" is Russian, not Bulgarian or Ukrainian;
#: "і" Ukrainian, not Russian): at least this many of them ...
MIN_FOREIGN_LETTERS = 3
#: ... and this share of the letters read
MIN_FOREIGN_SHARE = 0.002
#: a language writes a letter that makes up this share of the 1-grams of its profile ...
WRITES = 1e-4
#: ... and does not write one that makes up less than this share
LACKS = 1e-5
#: scores are hits / list size ** this: long lists (Finnish: 6,800 words) match more by chance
SIZE_EXPONENT = 0.4
#: the langdetect fallback reads this many characters of the body (langdetect itself reads 10,000):
#: on the AEB bodies and page-text windows that reach it, the answer is the same as on the whole text
FALLBACK_CHARS = 2000


@lru_cache(maxsize=1)
def codes() -> frozenset[str]:
    """Every code ``language`` can give a document: langdetect's (``zh-cn`` and ``zh-tw`` also as
    ``zh``, which ``--lang`` takes for both) and ``und``."""
    from langdetect.detector_factory import PROFILES_DIRECTORY

    names = set(os.listdir(PROFILES_DIRECTORY))
    return frozenset(names | {name.split("-")[0] for name in names} | {UNDETERMINED})


@lru_cache(maxsize=1)
def _factory():
    # a private factory (not langdetect's module-global one), loaded once per process (~0.15 s)
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    from . import langprofiles

    factory = DetectorFactory()
    langprofiles.load(factory, PROFILES_DIRECTORY)
    factory.set_seed(0)
    return factory


@lru_cache(maxsize=1)
def _weights() -> np.ndarray:
    """Each language's size weight, in the order of the cleaner's word index (``names``; the index
    itself is the cleaner's, built once per process)."""
    from .clean.stopwords import stoplist, stopword_index

    return np.array([len(stoplist(code)) ** SIZE_EXPONENT for code in stopword_index().names])


def stopword_vote(text: str) -> str | None:
    """The language of ``text`` when its first words' stopwords name it clearly, else None."""
    from .clean.stopwords import first_hits, stopword_index

    # the first words' stopwords, each one's count added to its languages in array operations
    # (counting every word's languages one by one, then sorting every language hit, cost half the
    # vote), from the lines' stopwords remembered when the page's language was guessed
    tokens, hits = first_hits(text, FAST_TOKENS)
    if tokens < MIN_TOKENS or hits is None:
        return None
    names = stopword_index().names
    named = np.flatnonzero(hits)  # the languages some word names: the only ones that compete
    scores = hits[named] / _weights()[named]
    best = scores.max()
    # the best score's language, the first in alphabetical order on a tie
    lang = min(names[i] for i in named[scores == best].tolist())
    if hits[names.index(lang)] < MIN_COVERAGE * tokens:
        return None
    # the runner-up's score (the best's again when two languages share it)
    if len(scores) > 1 and best < MIN_MARGIN * np.partition(scores, len(scores) - 2)[len(scores) - 2]:
        close = [names[i] for i in named[scores * MIN_MARGIN > best].tolist() if names[i] != lang]
        if not _ruled_out(close, lang, text):
            return None
    return lang


@lru_cache(maxsize=1)
def _letters() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """The letters each langdetect language writes (``WRITES``) and those it has at all (``LACKS``)."""
    from . import langprofiles

    return langprofiles.letters(_factory(), WRITES), langprofiles.letters(_factory(), LACKS)


def _ruled_out(close: list[str], lang: str, text: str) -> bool:
    """Are all of ``close`` (languages within the margin of ``lang``) ruled out by the letters of the
    text's first ``FALLBACK_CHARS`` characters: enough of them that ``lang`` writes and each of ``close``
    lacks? A language without a profile is never ruled out."""
    writes, has = _letters()
    if lang not in writes or any(c not in has for c in close):
        return False
    counts = Counter(sample(text).lower())
    letters = sum(n for ch, n in counts.items() if ch.isalpha())
    need = max(MIN_FOREIGN_LETTERS, MIN_FOREIGN_SHARE * letters)
    own = [ch for ch in counts if ch in writes[lang]]
    return all(sum(counts[ch] for ch in own if ch not in has[c]) >= need for c in close)


def langdetect(text: str) -> str:
    """Seeded langdetect on ``text`` (it reads at most its first 10,000 characters), or ``und``."""
    from langdetect.lang_detect_exception import LangDetectException

    if not any(ch.isalpha() for ch in text):
        return UNDETERMINED
    detector = ngrams.detector_class()(_factory())  # what ``create()`` makes, with faster text preparation
    detector.append(text)
    try:
        return detector.detect()
    except LangDetectException:
        return UNDETERMINED


def warm_up() -> None:
    """Load langdetect's profiles and their letters now (~0.2 s): in a parent process, so forked workers
    share them."""
    _factory()
    _letters()


def sample(text: str, limit: int = FALLBACK_CHARS) -> str:
    """The first ``limit`` characters of ``text``, cut at a space when there is one in the second half."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind(" ", limit // 2, limit), text.rfind("\n", limit // 2, limit))
    return text[: cut if cut > 0 else limit]


def detect(text: str) -> str:
    """ISO 639-1 code (langdetect's, e.g. ``en``, ``zh-cn``) or ``und`` when it cannot tell."""
    return stopword_vote(text) or langdetect(sample(text))


def language(doc: Document, langs: tuple[str, ...] = ()) -> Document:
    """Set ``doc.lang``; reject the document when ``langs`` is given and does not include it."""
    if doc.rejected:
        return doc
    doc.lang = detect(doc.text)
    if langs and doc.lang not in langs and doc.lang.split("-")[0] not in langs:
        doc.reject(f"language {doc.lang} not in --lang {','.join(langs)}")
    return doc
