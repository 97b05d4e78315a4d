"""langdetect's language profiles, loaded in ~0.15 s instead of ~0.7 s, with identical probabilities.

``DetectorFactory.load_profile`` builds, for each of the ~88,000 n-grams of its 55 profiles, a list of one
probability per language, in a Python loop over ~184,000 entries. A text only ever looks up a few thousand
of them, so :class:`LazyProbabilities` keeps the parsed profiles and builds a word's list the first time a
detector asks for it, with the same arithmetic in the same language order: detection results do not
change (``tests/test_shortcuts.py`` compares with langdetect's own loading).
"""

from __future__ import annotations

import json
import os
from typing import Any


class LazyProbabilities(dict):  # type: ignore[type-arg]
    """``word -> [probability per language]``, as langdetect's ``word_lang_prob_map``, built on demand."""

    def __init__(self, profiles: list[tuple[dict[str, int], list[int]]], size: int) -> None:
        super().__init__()
        self._profiles = profiles
        self._size = size
        self.words = frozenset().union(*(freq for freq, _ in profiles))

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def __missing__(self, word: str) -> list[float]:
        if word not in self.words:
            raise KeyError(word)
        probs = [0.0] * self._size
        length = len(word)
        if 1 <= length <= 3:
            for index, (freq, n_words) in enumerate(self._profiles):
                count = freq.get(word)
                if count is not None:
                    probs[index] = 1.0 * count / n_words[length - 1]
        self[word] = probs
        return probs


def load(factory: Any, directory: str) -> None:
    """Fill a fresh ``DetectorFactory`` as its ``load_profile(directory)`` would (same language order)."""
    names = os.listdir(directory)
    profiles: list[tuple[dict[str, int], list[int]]] = []
    for name in names:  # langdetect's order: os.listdir's, skipping dot files and non-files
        path = os.path.join(directory, name)
        if name.startswith(".") or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        factory.langlist.append(data["name"])
        profiles.append((data["freq"], data["n_words"]))
    factory.word_lang_prob_map = LazyProbabilities(profiles, len(names))


def letters(factory: Any, floor: float) -> dict[str, frozenset[str]]:
    """Each language's letters: the lower-case 1-grams that make up at least ``floor`` of the 1-grams
    in its profile (upper and lower case counted together), from a factory :func:`load` filled."""
    probabilities = factory.word_lang_prob_map
    out: dict[str, frozenset[str]] = {}
    for name, (freq, n_words) in zip(factory.langlist, probabilities._profiles, strict=True):
        counts: dict[str, int] = {}
        for gram, count in freq.items():
            if len(gram) == 1 and gram.isalpha():
                counts[gram.lower()] = counts.get(gram.lower(), 0) + count
        out[name] = frozenset(ch for ch, count in counts.items() if count >= floor * n_words[0])
    return out
