"""Corpus chrome: lines that recur across many documents of a run that tell different stories.

CCNet's idea (a line repeated across many pages is site template), with one guard: a line shared
only by copies of one story (syndication, re-scrapes) is content. Each document is given a story
fingerprint (its longest line); a line counts as chrome only when it appears in documents with at
least ``min_stories`` different fingerprints.

This is a cross-document pass, optional and off for single-document calls::

    counter = ChromeCounter()
    for text in texts:            # first pass over the run
        counter.add(text)
    chrome = counter.chrome()     # frozenset of normalised lines
    clean_text(text, chrome=chrome)   # second pass: those lines go with reason "site-chrome"
"""

from __future__ import annotations

from collections import defaultdict

from .phrases import normalise


def _lines(text: str) -> set[str]:
    return {normalise(line) for line in text.split("\n") if line.strip()}


class ChromeCounter:
    """Counts, for every normalised line, the distinct stories of the documents it appears in."""

    def __init__(self, min_stories: int = 5, max_words: int = 60) -> None:
        self.min_stories = min_stories
        self.max_words = max_words
        self._stories: dict[str, set[int]] = defaultdict(set)

    def add(self, text: str) -> None:
        lines = _lines(text)
        if not lines:
            return
        story = hash(max(sorted(lines), key=len))  # the longest line stands for the story
        for line in lines:
            if len(line.split()) <= self.max_words:
                s = self._stories[line]
                if len(s) < self.min_stories:
                    s.add(story)

    def chrome(self) -> frozenset[str]:
        return frozenset(line for line, s in self._stories.items() if len(s) >= self.min_stories)

