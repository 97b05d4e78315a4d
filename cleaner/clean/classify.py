"""Decide for every block whether it is story or boilerplate, and why.

Evidence, in order: phrase rules (data files), list markers that take the run of headline-like lines
after them, structure (length, end punctuation, stopword density) and position: the story is the
densest run of prose (a maximum-sum segment, as in body-text extraction); short lines inside it
(subheadings, bullets) belong to it, lines outside it are preamble or trailer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import lead, meta
from .blocks import Block
from .phrases import Rules, normalise
from .stopwords import stopword_density

_TERMINAL = re.compile(r"""[.!?…。！？]["'”’»)\]]*$""")
_LETTER = re.compile(r"[^\W\d_]", re.U)


@dataclass
class Label:
    keep: bool
    reason: str


@dataclass
class Features:
    words: int
    chars: int
    terminal: bool
    density: float
    prose: bool
    score: float


@dataclass
class Hints:
    """What is known about the document from elsewhere (trafilatura, the JSONL record)."""

    title: str | None = None
    sitename: str | None = None
    hostname: str | None = None
    author: str | None = None
    #: the text is already a main-content extraction (trafilatura): see ``classify``
    extracted: bool = False


@dataclass
class Outcome:
    labels: list[Label]
    title: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


def features(block: Block, stops: frozenset[str]) -> Features:
    text = block.text
    nwords = len(text.split())
    terminal = bool(_TERMINAL.search(text))
    density = stopword_density(text, stops) if stops else 0.3
    # scripts without spaces (CJK): judge by characters instead of words
    spaced = nwords >= 3 or len(text) < 40
    size = nwords if spaced else len(text) // 3
    prose = (size >= 8 and terminal and density >= 0.15) or (size >= 25 and density >= 0.2)
    if prose:
        score = size * min(1.0, 0.4 + density * 2)
    else:
        score = -2.0
    return Features(nwords, len(text), terminal, density, prose, score)


def _same(a: str, b: str) -> bool:
    return normalise(a).strip(" .") == normalise(b).strip(" .")


def _best_segment(scores: list[float]) -> tuple[int, int]:
    """Maximum-sum contiguous segment [start, end) (Kadane); empty when nothing is positive."""
    best, best_span = 0.0, (0, 0)
    run, start = 0.0, 0
    for i, s in enumerate(scores):
        if run <= 0:
            run, start = s, i
        else:
            run += s
        if run > best:
            best, best_span = run, (start, i + 1)
    return best_span


def classify(blocks: list[Block], stops: frozenset[str], rules: Rules, hints: Hints) -> Outcome:
    n = len(blocks)
    feats = [features(b, stops) for b in blocks]
    labels: list[Label | None] = [None] * n
    scores = [f.score for f in feats]

    # 1. phrase rules and list markers
    i = 0
    while i < n:
        m = rules.match(blocks[i].text)
        if m is None:
            i += 1
            continue
        labels[i] = Label(False, m.reason)
        scores[i] = -20.0 if m.kind == "list" else -10.0
        if m.kind == "list":
            j = i + 1
            while j < n and not (feats[j].prose and feats[j].words >= 12) and labels[j] is None:
                if rules.match(blocks[j].text) is None:
                    labels[j] = Label(False, f"{m.reason}-list")
                    scores[j] = min(scores[j], -4.0)
                j += 1
            i = j
        else:
            i += 1

    # 2. the story is the densest segment of prose. Extracted text (``hints.extracted``) is already
    # the main content: the whole text is the story, and only the rules above and the metadata lines
    # below take lines out (a density cut there throws away the story's own lists and tables).
    start, end = (0, n) if hints.extracted else _best_segment(scores)
    outcome = Outcome([])
    _metadata(blocks, feats, labels, start, end, hints, outcome)
    for k in range(n):
        if labels[k] is not None:
            continue
        if start <= k < end:
            if hints.title and _same(blocks[k].text, hints.title):
                labels[k] = Label(False, "title")
            elif k < start + 3 and not feats[k].prose and meta.byline(blocks[k].text):
                labels[k] = Label(False, "author")
                outcome.metadata.setdefault("author", meta.byline(blocks[k].text) or "")
            elif not feats[k].prose and meta.dateline(blocks[k].text):
                labels[k] = Label(False, "date")
            elif not _LETTER.search(blocks[k].text):
                labels[k] = Label(False, "no-letters")
            else:
                labels[k] = Label(True, "story")
        else:
            labels[k] = Label(False, "before-story" if k < start else "after-story")
    if hints.extracted:  # extracted text only: its first line may be the headline again or a byline
        found = lead.first_line(
            [b.text for b in blocks],
            feats,
            [bool(lab and lab.keep) for lab in labels],
            hints.title,
            hints.author,
        )
        if found:
            labels[found[0]] = Label(False, found[1])
    outcome.labels = [lab or Label(False, "unknown") for lab in labels]
    return outcome


def _metadata(
    blocks: list[Block],
    feats: list[Features],
    labels: list[Label | None],
    start: int,
    end: int,
    hints: Hints,
    out: Outcome,
) -> None:
    """Pick title, author, site name and date out of the lines before the story."""
    texts = [b.text for b in blocks]
    counts: dict[str, int] = {}
    for t in texts:
        key = normalise(t)
        counts[key] = counts.get(key, 0) + 1
    host = (hints.hostname or "").lower().removeprefix("www.").split(".")[0]
    pre = [k for k in range(start) if labels[k] is None]
    window = pre[-12:]

    # title: the trusted hint when a line repeats it, else the headline-like line nearest the story
    title_idx = None
    for k in pre:
        if hints.title and _same(texts[k], hints.title):
            title_idx = k
    if title_idx is None:
        for k in reversed(window):
            t = texts[k]
            if (
                meta.headline_like(t)
                and len(t.split()) >= 4
                and not meta.byline(t)
                and not meta.person_name(t)
                and not meta.dateline(t)
            ):
                title_idx = k
                break
    if title_idx is not None:
        labels[title_idx] = Label(False, "title")
        out.title = texts[title_idx]
    elif hints.title:
        out.title = hints.title

    for k in window:
        if labels[k] is not None:
            continue
        t = texts[k]
        name = meta.byline(t)
        norm = normalise(t)
        if name:
            labels[k] = Label(False, "author")
            out.metadata.setdefault("author", name)
        elif (host and norm.replace(" ", "") == host) or (
            len(t.split()) <= 3 and counts.get(norm, 0) >= 2 and not meta.person_name(t)
        ):
            labels[k] = Label(False, "sitename")
            out.metadata.setdefault("sitename", t)
        elif meta.person_name(t) and (title_idx is None or abs(k - title_idx) <= 3):
            labels[k] = Label(False, "author")
            out.metadata.setdefault("author", t)
        elif meta.dateline(t):
            labels[k] = Label(False, "date")
            out.metadata.setdefault("published", t)
