"""The chrome pass remembers which pairs of documents are one story; remembering changes no answer."""

from __future__ import annotations

import random

import pytest

from cleaner import chrome, dedup

WORDS = "council bridge traffic mayor spring river budget school police market storm vote".split()


def _sigs(n: int, seed: int) -> list[dedup.Signature]:
    rng = random.Random(seed)
    stories = [" ".join(rng.choice(WORDS) for _ in range(60)) for _ in range(4)]
    texts = []
    for _ in range(n):  # copies of four stories, some cut short: containment decides
        story = rng.choice(stories)
        texts.append(story[: rng.randint(len(story) // 2, len(story))])
    return [dedup.signature(t, 3, 64, 1) for t in texts]


@pytest.mark.parametrize("seed", range(5))
def test_remembered_pairs_give_the_same_counts(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    sigs = _sigs(12, seed)
    rng = random.Random(seed)
    asks = [rng.sample(range(len(sigs)), rng.randint(1, len(sigs))) for _ in range(30)]
    fresh = [chrome._stories(h, sigs, 3, 0.8) for h in asks]
    alike: dict[int, bool] = {}
    assert [chrome._stories(h, sigs, 3, 0.8, alike) for h in asks] == fresh
    assert alike  # the pairs were remembered ...
    monkeypatch.setattr(chrome, "ALIKE_MAX", 3)
    small: dict[int, bool] = {}
    assert [chrome._stories(h, sigs, 3, 0.8, small) for h in asks] == fresh
    assert len(small) <= 3  # ... and the memory stays bounded
