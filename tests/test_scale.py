"""The fast paths taken for speed at scale give the same answers as the plain code they replace."""

from __future__ import annotations

import copy
import multiprocessing as mp
import os
import random
import re
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from cleaner import canonical, chrome, dedup, language
from cleaner.clean import stopwords
from cleaner.config import Config
from cleaner.document import Document
from cleaner.write import Deferred, Writer, write_article_text

SAMPLES = [
    "The council voted on Monday to close the old bridge.",
    "Straße ẞ STRASSE Größe",
    "ﬁne ﬂow ① ² ｆｕｌｌ　ｗｉｄｔｈ",
    "“Quoted” ‘words’ it’s don't",
    "İstanbul ǅemal ΣΊΣΥΦΟΣ",
    "cafe\u0301 nai\u0308ve",
    "snake_case 12,5 x-y",
    "東京都の天気は晴れです。",
    "",
]


def _slow_normalise(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())


@pytest.mark.parametrize("text", SAMPLES)
def test_normalise_matches_the_plain_definition(text):
    assert dedup.normalise(text) == _slow_normalise(text)


def _words(rng: random.Random, n: int) -> str:
    vocab = ["the", "and", "der", "und", "le", "et", "Über", "naïve", "x" * 40, "12", "—", "de", "of"]
    return " ".join(rng.choice(vocab) for _ in range(n))


@pytest.mark.parametrize("n", [0, 1, 5, 299, 300, 301, 4000, 5000])
def test_first_words_are_the_first_matches(n):
    rng = random.Random(n)
    for size in (0, 3, 50, 400, 5000):
        text = _words(rng, size)
        expected = [m.group() for m in re.finditer(r"\w+", text)][:n]
        assert stopwords.first_words(text, n) == expected


def test_first_words_with_a_word_cut_by_the_prefix():
    text = "a " * 10 + "b" * 200  # the long word crosses the 16 * n prefix
    assert stopwords.first_words(text, 11) == ["a"] * 10 + ["b" * 200]
    assert stopwords.first_words(text, 10) == ["a"] * 10


def test_stopword_vote_counts_the_first_words():
    english = "the council said that it would not open the bridge and the mayor agreed " * 40
    assert language.stopword_vote(english) == "en"
    assert language.stopword_vote("the and of " * 5) is None  # fewer than MIN_TOKENS words
    counts = Counter(stopwords.first_words(english, 300))
    assert sum(counts.values()) == 300


def test_remove_chrome_keeps_a_document_unchanged_when_nothing_is_chrome():
    config = Config(workers=1)
    texts = {
        "a": "The council voted on Monday to close the old bridge to all traffic from next week.",
        "b": "Farmers at the market said the storm had flooded fields along the river valley.",
    }
    docs = [Document(source=s, id=s, text=t) for s, t in texts.items()]
    sigs = {
        d.source: dedup.signature(d.text, config.shingle_size, config.num_perm, config.seed) for d in docs
    }
    assert chrome.remove_chrome(docs, sigs, config) == 0
    assert [d.text for d in docs] == list(texts.values())


MENU = "Home News Sport Weather Sign up for our newsletter today"


def _menu_corpus(
    config: Config, seed: int, count: int, paras: int, trailer: list[str]
) -> tuple[list[Document], dict]:
    """``count`` different stories of random words, each under the same site menu, and their signatures."""
    rng = random.Random(seed)
    vocab = "council bridge river school budget mayor harbour storm police court museum railway".split()
    docs = []
    for i in range(count):
        body = [
            " ".join(rng.choice(vocab) + str(rng.randint(0, 99)) for _ in range(30)) + "."
            for _ in range(paras)
        ]
        docs.append(Document(source=f"d{i}", id=f"d{i}", text="\n\n".join([MENU, *body, *trailer])))
    sigs = {
        d.source: dedup.signature(d.text, config.shingle_size, config.num_perm, config.seed) for d in docs
    }
    return docs, sigs


def test_remove_chrome_over_rounds_matches_a_fresh_split():
    """Paragraph keys are made once: after removals the kept paragraphs are still the text's own."""
    config = Config(workers=1, min_words=3)
    docs, sigs = _menu_corpus(config, seed=3, count=6, paras=4, trailer=[MENU + " more"])
    removed = chrome.remove_chrome(docs, sigs, config)
    assert removed >= 6
    for d in docs:
        assert MENU not in d.text.split("\n\n")
        assert sigs[d.source].words == len(dedup.normalise(d.text))


def test_writer_publishes_text_files_on_commit(tmp_path: Path):
    out = tmp_path / "out"
    writer = Writer(out)
    for name in ("a.txt", "sub/b.txt"):
        writer.article(Document(source=name, id=name, text=f"Body of {name}.", title="T"))
    assert not (out / "text" / "a.txt").exists()  # not visible before the commit
    writer.commit()
    assert (out / "text" / "a.txt").read_text() == "T\n\nBody of a.txt.\n"
    assert (out / "text" / "sub" / "b.txt").exists()
    assert not list((out / "text").rglob(".*.tmp"))
    assert len((out / "articles.jsonl").read_text().splitlines()) == 2


def test_writer_abort_keeps_the_text_files_written(tmp_path: Path):
    out = tmp_path / "out"
    writer = Writer(out)
    writer.article(Document(source="a.txt", id="a", text="Body."))
    writer.abort()
    assert (out / "text" / "a.txt").exists()
    assert not (out / "articles.jsonl").exists()
    assert not list(out.rglob(".*.tmp"))


def test_deferred_names_fall_back_like_immediate_renames(tmp_path: Path):
    """A file where a later one needs a folder (and the reverse) takes the flat fallback name."""
    out = tmp_path / "out"
    deferred = Deferred()
    used: set[str] = set()
    write_article_text(out, "x.txt", "1", None, "first", used, deferred)
    write_article_text(out, "x.txt/y", "2", None, "second", used, deferred)  # needs a folder "x.txt"
    write_article_text(out, "p.txt/q", "3", None, "third", used, deferred)
    write_article_text(out, "p.txt", "4", None, "fourth", used, deferred)  # a folder "p.txt" exists
    deferred.publish(out)
    names = sorted(str(p.relative_to(out / "text")) for p in (out / "text").rglob("*.txt") if p.is_file())
    assert "x.txt" in names and "p.txt/q.txt" in names
    assert len([n for n in names if n.startswith("_")]) == 2  # the two clashing ones, flat names
    assert len(names) == 4
    assert sorted(p.read_text() for p in (out / "text").rglob("*.txt") if p.is_file()) == [
        "first\n",
        "fourth\n",
        "second\n",
        "third\n",
    ]


def _group_plainly(docs, sigs, config):
    """The grouping rule without the MinHash pre-filter: every candidate group's sample compared exactly."""
    from cleaner.band_index import BandIndex

    ordered = sorted(docs, key=lambda d: dedup._rank_key(d, sigs[d.source]))
    lsh = BandIndex(*dedup.lsh_params(config.threshold, config.num_perm))
    for d in ordered:
        if len(sigs[d.source].shingles):
            lsh.insert(d.source, sigs[d.source].hashvalues)
    group_of: dict[str, int] = {}
    groups: list[list[str]] = []
    for d in ordered:
        sig = sigs[d.source]
        best = None
        for gi in sorted({group_of[o] for o in lsh.query(sig.hashvalues) if o in group_of}):
            sample = groups[gi][: dedup.MAJORITY_SAMPLE]
            copies = overlaps = 0
            for m in sample:
                jac, con = dedup.similarity(sig, sigs[m])
                copies += dedup.is_copy(jac, con, config.threshold)
                overlaps += con >= dedup.OVERLAP or dedup.is_copy(jac, con, config.threshold)
            score = (copies / len(sample), overlaps / len(sample))
            if copies and 2 * overlaps > len(sample) and (best is None or score > best[0]):
                best = (score, gi)
        if best is None:
            group_of[d.source] = len(groups)
            groups.append([d.source])
        else:
            group_of[d.source] = best[1]
            groups[best[1]].append(d.source)
    return sorted(sorted(g) for g in groups)


@pytest.mark.parametrize("n_stories, n_docs", [(40, 160), (4, 120)])
def test_group_with_the_prefilter_finds_the_same_groups(n_stories, n_docs):
    """Also with groups larger than the sample (4 stories, ~30 copies each), whose samples stop growing."""
    config = Config(workers=1)
    rng = random.Random(5)
    vocab = [f"w{i}" for i in range(300)]
    stories = [[" ".join(rng.choice(vocab) for _ in range(25)) for _ in range(8)] for _ in range(n_stories)]
    texts = {}
    for i in range(n_docs):
        paras = list(rng.choice(stories))
        kind = i % 4
        if kind == 1:  # teaser
            paras = paras[: rng.randint(2, 5)]
        elif kind == 2:  # edited copy
            paras = [p.replace(rng.choice(vocab), "edit") for p in paras]
        elif kind == 3:  # another story's paragraphs mixed in
            paras = paras[:4] + rng.choice(stories)[4:]
        texts[f"d{i:03d}"] = "\n\n".join(paras)
    docs = [Document(source=s, id=s, text=t) for s, t in texts.items()]
    sigs = {
        d.source: dedup.signature(d.text, config.shingle_size, config.num_perm, config.seed) for d in docs
    }
    got = sorted(sorted(m.source for m in g) for g in dedup.group(docs, sigs, config))
    assert got == _group_plainly(docs, sigs, config)
    assert any(len(g) > 2 for g in got)
    if n_docs / n_stories > 2 * dedup.MAJORITY_SAMPLE:
        assert any(len(g) > dedup.MAJORITY_SAMPLE for g in got)


def test_agreement_floor_is_a_binomial_tail():
    import math

    floor = dedup._agreement_floor(128)
    for k in (300, 550, 700):
        j, m = k / 1000, int(floor[k])
        cdf = sum(math.comb(128, x) * j**x * (1 - j) ** (128 - x) for x in range(m + 2))
        below = cdf - math.comb(128, m + 1) * j ** (m + 1) * (1 - j) ** (127 - m)
        assert below < dedup.MISS_PROBABILITY <= cdf
    assert floor[0] == -1


def test_agreement_floor_is_the_inline_formula():
    """The table with log C(n, m) computed once per m equals the formula written out for every (k, m)."""
    import math

    for num_perm in (64, 128):
        want = []
        for k in range(1, 1001):
            j, below, cdf = k / 1000, -1, 0.0
            if j >= 1.0:
                want.append(num_perm - 1)
                continue
            for m in range(num_perm + 1):
                cdf += math.exp(
                    math.lgamma(num_perm + 1)
                    - math.lgamma(m + 1)
                    - math.lgamma(num_perm - m + 1)
                    + m * math.log(j)
                    + (num_perm - m) * math.log1p(-j)
                )
                if cdf >= dedup.MISS_PROBABILITY:
                    break
                below = m
            want.append(below)
        assert dedup._agreement_floor(num_perm).tolist() == [-1, *want]


def _square(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def _no_init() -> None:
    pass


def _failed(x: int, reason: str) -> tuple[int, int]:
    return -1, 0


def test_recycled_pools_keep_order_and_fork_from_a_small_server(monkeypatch):
    from cleaner import workers

    monkeypatch.setattr(workers, "RECYCLE_TASKS", 3)
    results = list(workers.imap(_square, range(20), 2, _no_init, (), _failed))
    assert [r for r, _ in results] == [x * x for x in range(20)]
    assert len({pid for _, pid in results}) > 2  # the pool was replaced
    if "forkserver" in mp.get_all_start_methods():
        assert workers._fresh_context().get_start_method() == "forkserver"


def test_a_pool_whose_worker_grew_past_the_memory_bound_is_replaced(monkeypatch):
    from cleaner import workers

    monkeypatch.setattr(workers, "RECYCLE_RSS", 0)  # every worker is past it after its first task
    results = list(workers.imap(_square, range(40), 2, _no_init, (), _failed))
    assert [r for r, _ in results] == [x * x for x in range(40)]
    assert len({pid for _, pid in results}) > 2


def test_a_pool_whose_workers_stay_small_lives_through_the_run(monkeypatch):
    """Replacing it would throw away what its workers have cached."""
    from cleaner import workers

    monkeypatch.setattr(workers, "RECYCLE_RSS", 1 << 40)
    monkeypatch.setattr(workers, "RECYCLE_TASKS", 3)
    results = list(workers.imap(_square, range(40), 2, _no_init, (), _failed))
    assert len({pid for _, pid in results}) > 2  # the document bound still holds
    monkeypatch.setattr(workers, "RECYCLE_TASKS", 1000)
    results = list(workers.imap(_square, range(40), 2, _no_init, (), _failed))
    assert [r for r, _ in results] == [x * x for x in range(40)]
    assert len({pid for _, pid in results}) <= 2


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="current RSS is read from /proc (Linux)")
def test_resident_memory_is_the_current_one():
    from cleaner import workers

    before = workers.resident()
    block = bytearray(64 << 20)
    block[:: 4096] = b"x" * len(range(0, len(block), 4096))  # touch every page
    assert workers.resident() - before >= 48 << 20
    del block
    assert workers.resident() - before < 32 << 20


def test_chrome_pass_signs_in_workers_with_the_same_result(monkeypatch):
    def run(workers: int) -> list[tuple[str, str, bytes]]:
        config = Config(workers=workers, min_words=3)
        docs, sigs = _menu_corpus(config, seed=7, count=8, paras=3, trailer=[])
        chrome.remove_chrome(docs, sigs, config)
        return [(d.source, d.text, sigs[d.source].hashvalues.tobytes()) for d in docs]

    monkeypatch.setattr(chrome, "PARALLEL_FROM", 1)
    assert run(2) == run(1)


def test_chrome_pass_resigns_as_a_stream_with_the_same_result(monkeypatch):
    """Each changed text is made and signed before the next one is read (bounded memory), with the
    result of making them all first and signing them together."""

    def run() -> list[tuple[str, str, bytes]]:
        config = Config(workers=1, min_words=3)
        docs, sigs = _menu_corpus(config, seed=11, count=8, paras=3, trailer=[])
        chrome.remove_chrome(docs, sigs, config)
        return [(d.source, d.text, sigs[d.source].hashvalues.tobytes()) for d in docs]

    signatures = chrome.signatures

    def at_once(items, config: Config, parallel: bool):
        yield from signatures(list(items), config, parallel)

    monkeypatch.setattr(chrome, "signatures", at_once)
    whole = run()
    ahead: list[int] = []

    def streamed(items, config: Config, parallel: bool):
        taken = 0

        def counting():
            nonlocal taken
            for item in items:
                taken += 1
                yield item

        for done, result in enumerate(signatures(counting(), config, parallel), 1):
            ahead.append(taken - done)  # texts made but not yet signed
            yield result

    monkeypatch.setattr(chrome, "signatures", streamed)
    assert run() == whole
    assert len(ahead) == 8 and max(ahead) == 0


def _canonical_case(rng: random.Random, n: int) -> tuple[list[Document], dict]:
    """A group of ``n`` copies: shared story, teasers, edited copies, site residue and added notes."""
    vocab = [f"w{i}" for i in range(400)]
    story = [" ".join(rng.choice(vocab) for _ in range(30)) for _ in range(10)]
    residue = [" ".join(rng.choice(vocab) for _ in range(12)) for _ in range(4)]
    docs = []
    for i in range(n):
        paras = list(story)
        if rng.random() < 0.3:
            paras = paras[: rng.randint(3, 9)]
        if rng.random() < 0.3:
            paras = [p.replace(rng.choice(vocab), "edit") for p in paras]
        if rng.random() < 0.3:
            paras.insert(0, rng.choice(residue))
        if rng.random() < 0.3:
            paras.append("Update: " + " ".join(rng.choice(vocab) for _ in range(15)))
        meta = {"date": f"2024-03-{rng.randint(1, 28):02d}"} if rng.random() < 0.7 else {}
        docs.append(Document(source=f"c{i:03d}", id=f"c{i:03d}", text="\n\n".join(paras), metadata=meta))
    sigs = {d.source: dedup.signature(d.text, 5, 64, 1) for d in docs}
    chrome = np.array(sorted({dedup.paragraph_key(r) for r in residue[:2]}), dtype=np.uint64)
    return docs, sigs, chrome


@pytest.mark.parametrize("n", [1, 2, 3, 7, 40])
def test_pairwise_intersections_match_set_intersections(n, monkeypatch):
    """The membership product gives each pair's exact intersection, also in many column blocks."""
    rng = np.random.default_rng(n)
    for trial in range(6):
        shingles = [
            np.unique(rng.integers(0, 300, size=int(rng.integers(0, 120))).astype(np.uint32))
            for _ in range(n)
        ]
        if trial % 2:
            monkeypatch.setattr(canonical, "_BLOCK_CELLS", 3 * n)
        else:
            monkeypatch.undo()
        values, counts, inter = canonical._pairwise(shingles)
        union = np.unique(np.concatenate(shingles))
        assert np.array_equal(values, union)
        assert counts.tolist() == [sum(int(v in set(s.tolist())) for s in shingles) for v in union.tolist()]
        for i in range(n):
            for j in range(n):
                assert inter[i, j] == len(np.intersect1d(shingles[i], shingles[j], assume_unique=True))


@pytest.mark.parametrize("n", [2, 7, 40])
def test_canonical_choice_does_not_depend_on_member_order_or_block_size(n, monkeypatch):
    rng = random.Random(n)
    for trial in range(4):
        docs, sigs, chrome = _canonical_case(rng, n)
        chrome = chrome if trial >= 2 else None
        want = canonical.choose_canonical(copy.deepcopy(docs), sigs, 5, chrome)
        monkeypatch.setattr(canonical, "_BLOCK_CELLS", 3 * n)
        shuffled = copy.deepcopy(docs)
        rng.shuffle(shuffled)
        got = canonical.choose_canonical(shuffled, sigs, 5, chrome)
        monkeypatch.undo()
        assert [d.source for d in got] == [d.source for d in want]
        assert got[0].duplicates == want[0].duplicates
        assert got[0].metadata == want[0].metadata


def test_a_copys_shingle_sequence_is_made_once_as_each_test_made_it():
    rng = random.Random(3)
    docs, sigs, chrome = _canonical_case(rng, 6)
    docs.append(Document(source="short", id="short", text="Two words"))
    sigs["short"] = dedup.signature("Two words", 5, 64, 1)
    for left_out in (np.zeros(0, dtype=np.uint64), chrome):
        for d in docs:
            c = canonical._copy(d, sigs[d.source], 5, left_out)
            words = [w for p in c.paras for w in p]
            assert np.array_equal(c.seq, canonical._shingle_sequence(words, 5))
            assert np.array_equal(c.shingles, dedup.shingle_hashes(words, 5))
        assert any(canonical._copy(d, sigs[d.source], 5, left_out).chrome_words for d in docs) == bool(len(left_out))
