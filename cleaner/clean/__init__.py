"""The text cleaner: from scraped text to the story's paragraphs, with a reason for every line.

>>> r = clean_text("Sign up to read this article\\nThe council voted on Monday to close the old bridge, "
...                "which has been shut to lorries since a crack was found in March.")
>>> r.text
'The council voted on Monday to close the old bridge, which has been shut to lorries since a crack was found in March.'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..document import Decision
from .blocks import Block, repair, split, unwrap
from .chrome import ChromeCounter as ChromeCounter
from .classify import Evidence, Hints, classify, gather
from .features import Shape
from .glued import cut_glued_lists
from .model import BlockModel, load_model
from .phrases import load_rules
from .stopwords import (
    PROSE_DENSITY,
    PROSE_WORDS,
    SECOND_MIN_WORDS,
    SECOND_SHARE,
    guess_language,
    second_language,
    stoplist,
    stoplists,
)


@dataclass
class CleanResult:
    """The clean body, what was found about the document, and every line's decision."""

    text: str
    title: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)


def clear_caches() -> None:
    """Forget the lines seen so far (``features.LINES``, the phrase answers, the repaired lines, the
    second-language verdicts, the lines' stopwords): results do not change, only the time, so
    benchmarks can time a line met for the first time."""
    from .blocks import _FIXED
    from .features import LINES
    from .stopwords import LINE_WORDS, VERDICTS

    LINES.clear()
    VERDICTS.clear()
    LINE_WORDS.clear()
    load_rules().clear()
    _FIXED.clear()


def prepare(text: str, lang: str | None = None) -> tuple[list[Block], Evidence, str | None]:
    """Repair, split and unwrap ``text``, and gather the evidence about each block."""
    repaired = repair(text)
    lang = lang or guess_language(repaired)
    stops = stoplist(lang) if lang else frozenset()
    rules = load_rules()
    blocks = cut_glued_lists(unwrap(split(repaired)), rules)
    evidence = gather(blocks, stops, rules)
    if stops:  # a story in another language than its page's template: its stopwords count too
        second = _second_language(blocks, evidence.shapes, lang)  # type: ignore[arg-type]
        if second:
            evidence = gather(blocks, stoplists(lang, second), rules)  # type: ignore[arg-type]
    return blocks, evidence, lang


def _second_language(blocks: list[Block], shapes: list[Shape], lang: str) -> str | None:
    """``second_language``, asked only about the paragraphs that are not prose in ``lang`` (their
    shapes, made for the evidence anyway, say so): most pages have too few such words to ask at all."""
    long = [(b, s) for b, s in zip(blocks, shapes, strict=True) if s.size >= PROSE_WORDS]
    other = [b.text for b, s in long if s.density < PROSE_DENSITY]
    own = sum(s.size for _, s in long if s.density >= PROSE_DENSITY)
    if sum(len(t.split()) for t in other) < max(SECOND_MIN_WORDS, SECOND_SHARE * own):
        return None  # too few words to be the second language's prose, whatever their language
    return second_language(other, lang, own)


def clean_text(
    text: str,
    *,
    title: str | None = None,
    sitename: str | None = None,
    hostname: str | None = None,
    lang: str | None = None,
    extracted: bool = False,
    author: str | None = None,
    model: BlockModel | None = None,
    chrome: frozenset[str] | None = None,
) -> CleanResult:
    """Clean extracted or scraped plain text.

    ``title``/``sitename``/``hostname`` are hints from elsewhere (trafilatura, a JSONL record): a
    line repeating them is taken out of the body. ``lang`` (ISO 639-1) picks the stopword list;
    by default it is guessed from stopwords. ``extracted`` says the text is already an extractor's
    main content (trafilatura), so no story cut is made, only line rules apply; ``author`` (from the
    same extractor) lets its first line go when it is a byline. ``model`` replaces the shipped block classifier (for
    training and cross-validation). ``chrome``: normalised lines found to be site chrome across a run
    (``ChromeCounter``); off by default.
    """
    blocks, evidence, lang = prepare(text, lang)
    hints = Hints(title=title, sitename=sitename, hostname=hostname, author=author, extracted=extracted)
    return decide(blocks, evidence, lang, hints, model or load_model(), chrome)


def decide(
    blocks: list[Block],
    evidence: Evidence,
    lang: str | None,
    hints: Hints,
    model: BlockModel,
    chrome: frozenset[str] | None = None,
) -> CleanResult:
    """Classify prepared blocks (``prepare``) and assemble the result; training reuses prepared pages."""
    outcome = classify(blocks, evidence, model, hints, chrome)
    decisions: list[Decision] = []
    paragraphs: list[str] = []
    for block, label in zip(blocks, outcome.labels, strict=True):
        decisions.append(Decision(block.lines[0], block.text, label.keep, label.reason))
        if label.keep:
            paragraphs.append(block.text)
    metadata: dict[str, Any] = dict(outcome.metadata)
    if lang:
        metadata["stopword_language"] = lang
    return CleanResult("\n\n".join(paragraphs), outcome.title, metadata, decisions)
