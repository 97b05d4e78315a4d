"""langdetect's text preparation (``append``, ``cleaning_text``, ``_extract_ngrams``) with the same results, faster.

langdetect prepares a text one character at a time in Python: for each one a Unicode block lookup (a
binary search), a normalisation and three n-gram slices. On the ~5 % of bodies that reach the
fallback that was ~70 % of its ~5.5 ms a call; its random trials, which decide, were the rest. Here the
character normalisation is one ``str.translate`` through a table that remembers each character's
answer (``NGram.normalize``'s own), the counts and cuts are regular expressions, and the n-gram loop
keeps only the buffer and the capital-word flag. The detector then runs its own trials on these
n-grams, so the answer is langdetect's (``tests/test_shortcuts.py`` compares the n-grams and the
answers with langdetect's own code on many texts).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

#: ``cleaning_text``'s Latin letters: every character from "A" to "z" (so also ``[\\]^_```)
_LATIN = re.compile("[A-z]")
#: its other letters: every character from U+0300 on (it means to leave out the block "Latin Extended
#: Additional", but compares the block's number with its name, so none is left out)
_NON_LATIN = re.compile("[\u0300-\U0010ffff]")
#: ``append`` drops a space that follows a space
_SPACES = re.compile("  +")


class _Normalised(dict):  # type: ignore[type-arg]
    """code point -> ``NGram.normalize`` of its character, worked out when first met (for ``str.translate``)."""

    def __init__(self, normalize: Any) -> None:
        super().__init__()
        self._normalize = normalize

    def __missing__(self, code: int) -> str:
        found = self[code] = self._normalize(chr(code))
        return found  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def _table() -> _Normalised:
    from langdetect.utils.ngram import NGram

    return _Normalised(NGram.normalize)


def _append(detector: Any, text: str) -> str:
    """What ``Detector.append(text)`` adds to ``detector.text``."""
    from langdetect.utils.ngram import NGram

    text = detector.URL_RE.sub(" ", text)
    text = detector.MAIL_RE.sub(" ", text)
    text = NGram.normalize_vi(text)
    return _SPACES.sub(" ", text[: detector.max_text_length])


def _cleaned(text: str) -> str:
    """``Detector.cleaning_text`` of ``text``: without its Latin letters when most of it is another script."""
    if len(_LATIN.findall(text)) * 2 < len(_NON_LATIN.findall(text)):
        return _LATIN.sub("", text)
    return text


def extract(text: str, known: Any) -> list[str]:
    """``Detector._extract_ngrams`` of a detector whose ``text`` is ``text``; ``known``: the n-grams
    of the profiles (``w in known`` as ``w in word_lang_prob_map``)."""
    result: list[str] = []
    append = result.append
    grams = " "
    capital = False
    for ch in text.translate(_table()):
        last = grams[-1]
        if last == " ":
            if ch == " ":
                continue  # NGram.add_char returns at once; the buffer " " gives no n-gram
            grams = " " + ch
            capital = False  # and " " is not upper case: it stays off
        else:
            grams = (grams[1:] if len(grams) >= 3 else grams) + ch
            if ch.isupper():
                if last.isupper():
                    capital = True
            else:
                capital = False
        if capital:
            continue
        if ch != " " and ch in known:
            append(ch)
        if len(grams) >= 2:
            if grams[-2:] in known:
                append(grams[-2:])
            if len(grams) == 3 and grams in known:
                append(grams)
    return result


@lru_cache(maxsize=1)
def detector_class() -> type:
    """langdetect's ``Detector`` with these three steps in place of its own (the trials are its own)."""
    from langdetect.detector import Detector

    class FastDetector(Detector):  # type: ignore[misc]
        def append(self, text: str) -> None:
            self.text += _append(self, text)

        def cleaning_text(self) -> None:
            self.text = _cleaned(self.text)

        def _extract_ngrams(self) -> list[str]:
            probs = self.word_lang_prob_map
            return extract(self.text, getattr(probs, "words", probs))

    return FastDetector
