"""Giving back story lines that the classifier dropped in one copy but kept in another."""

from __future__ import annotations

import random

import numpy as np

from cleaner import dedup, rescue
from cleaner.config import Config
from cleaner.document import Decision, Document

CONFIG = Config(workers=1)
WORDS = "council bridge river school budget mayor voters harbour storm police court museum railway".split()


def paragraphs(seed: int, n: int = 5) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) + str(rng.randint(0, 9)) for _ in range(30)) + "." for _ in range(n)]


def doc(source: str, kept: list[str], spare: list[tuple[int, str]] = ()) -> Document:
    d = Document(source=source, id=source, text="\n\n".join(kept))
    d.spare = list(spare)
    return d


def run(docs: list[Document]) -> tuple[int, dict[str, dedup.Signature]]:
    """Restore over ``docs``; how many lines came back, and the signatures."""
    sigs = {d.source: dedup.signature(d.text, 5, CONFIG.num_perm, CONFIG.seed) for d in docs}
    assert rescue.restore(docs, sigs, CONFIG) == []
    return sum(d.metadata.get("restored", {}).get("paragraphs", 0) for d in docs), sigs


def test_spare_lines_are_classifier_drops_of_some_length_with_their_place():
    decisions = [
        Decision(1, "Home", False, "before-story"),
        Decision(2, "The first paragraph of the story is kept by the classifier.", True, "story"),
        Decision(3, "A second paragraph that the classifier dropped as not being story.", False, "not-story"),
        Decision(4, "Subscribe now to read every story on this site without any limit.", False, "paywall"),
        Decision(5, "The third paragraph of the story is kept by the classifier as well.", True, "story"),
    ]
    assert rescue.spare_lines(decisions) == [
        (1, "A second paragraph that the classifier dropped as not being story.")
    ]


def test_short_lines_and_list_runs_are_spare_only_inside_the_story():
    decisions = [
        Decision(1, "Top stories of the week", False, "before-story"),
        Decision(2, "The first paragraph of the story is kept by the classifier.", True, "story"),
        Decision(3, "Related: more stories", False, "related"),
        Decision(4, "25 Daniel Hemric 530 0 1", False, "related-list"),
        Decision(5, "Here are the highlights:", False, "not-story"),
        Decision(6, "Two words", False, "not-story"),
        Decision(7, "The last paragraph of the story is kept by the classifier as well.", True, "story"),
        Decision(8, "Seven more stories from around the web", False, "related-list"),
    ]
    assert rescue.spare_lines(decisions) == [(1, "25 Daniel Hemric 530 0 1"), (1, "Here are the highlights:")]


def test_a_short_line_comes_back_only_when_a_copy_kept_it():
    p, q = paragraphs(5), paragraphs(6)
    row = "25 Daniel Hemric 530 0 1 1"
    lossy = doc("lossy.txt", p, spare=[(2, row)])
    copy = doc("copy.txt", p[:2] + [row] + p[2:])
    other = doc("other.txt", q[:2] + [row] + q[2:])  # another story that kept the same short line
    n, _ = run([lossy, other])
    assert n == 0 and row not in lossy.text
    lossy.spare = [(2, row)]
    n, _ = run([lossy, other, copy])
    assert n == 1 and lossy.text.split("\n\n") == p[:2] + [row] + p[2:]


def test_a_paragraph_kept_in_another_copy_comes_back_in_its_place():
    p = paragraphs(1)
    full = doc("full.txt", p)
    lossy = doc("lossy.txt", p[:2] + p[3:], spare=[(2, p[2].upper()), (4, "x " * 12)])
    n, sigs = run([full, lossy])
    assert n == 1
    assert lossy.text.split("\n\n") == p[:2] + [p[2].upper()] + p[3:]  # as written in this document
    assert lossy.metadata["restored"]["paragraphs"] == 1
    assert dedup.similarity(sigs["full.txt"], sigs["lossy.txt"]) == (1.0, 1.0)
    assert lossy.spare == [] and "restored" not in full.metadata


def test_a_line_kept_nowhere_else_stays_out_and_order_does_not_matter():
    p, q = paragraphs(2), paragraphs(3)
    texts = [
        ("a.txt", p[:3], [(3, q[0])]),  # q[0] is kept by no document
        ("b.txt", p[1:], [(0, p[0])]),
        ("c.txt", q[1:], []),
    ]
    results = []
    for order in (texts, texts[::-1]):
        docs = [doc(*t) for t in order]
        run(docs)
        results.append(sorted((d.source, d.text) for d in docs))
    assert results[0] == results[1]
    by = dict(results[0])
    assert q[0] not in by["a.txt"]
    assert by["b.txt"].split("\n\n") == p


def test_a_copy_rejected_as_too_short_comes_back_with_its_story():
    p = paragraphs(4)
    full = doc("full.txt", p)
    lost = doc("lost.txt", [], spare=[(0, x) for x in p])
    lost.reject("not an article: only boilerplate (200 after-story)")
    other_lang = doc("lang.txt", [], spare=[(0, x) for x in p])
    other_lang.reject("language en not in --lang de")
    rejected = [lost, other_lang]
    sigs = {"full.txt": dedup.signature(full.text, 5, CONFIG.num_perm, CONFIG.seed)}
    revived = rescue.restore([full], sigs, CONFIG, rejected)
    assert revived == [lost] and rejected == [other_lang]
    assert lost.rejected is None and lost.lang and lost.text == full.text
    assert lost.metadata["restored"]["was_rejected"].startswith("not an article")
    assert dedup.similarity(sigs["full.txt"], sigs["lost.txt"]) == (1.0, 1.0)
    assert other_lang.rejected and other_lang.text == "" and other_lang.spare == []


def test_spooled_texts_spare_lines_and_shingles_give_the_same_result():
    """With texts, spare lines and shingle sets on disk (as ``pipeline.run`` keeps them), the same
    lines come back and the same signatures are made as with everything in the documents."""
    from cleaner.spool import ShingleSpool, SpareSpool, TextSpool

    def corpus() -> list[Document]:
        p, q = paragraphs(7), paragraphs(8)
        return [
            doc("full.txt", p),
            doc("lossy.txt", p[:2] + p[3:], spare=[(2, p[2]), (4, q[0])]),
            doc("other.txt", q, spare=[(1, p[4])]),
            doc("short.txt", q[1:], spare=[(0, q[0])]),
        ]

    plain = corpus()
    _, plain_sigs = run(plain)
    docs = corpus()
    sigs = {d.source: dedup.signature(d.text, 5, CONFIG.num_perm, CONFIG.seed) for d in docs}
    with TextSpool() as texts, SpareSpool() as spares, ShingleSpool(sigs) as shingles:
        for d in docs:
            texts.park(d)
            spares.park(d)
            shingles.park(d.source)
        shingles.flush()
        assert rescue.restore(docs, sigs, CONFIG, [], texts, spares, shingles) == []
        assert [texts.read(d) for d in docs] == [d.text for d in plain]
        assert [d.metadata for d in docs] == [d.metadata for d in plain]
        for d in docs:
            assert np.array_equal(sigs[d.source].shingles, plain_sigs[d.source].shingles)
            assert sigs[d.source].hashvalues.tobytes() == plain_sigs[d.source].hashvalues.tobytes()
            assert not sigs[d.source].shingles.flags.writeable  # mapped from the spool
