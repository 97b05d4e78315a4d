"""The canonical choice made in worker processes (``dedup.group(pool=True)``) answers as in one process."""

from __future__ import annotations

import os

import numpy as np
import pytest

from cleaner import canonical, dedup, wordpairs, workers
from cleaner.config import Config
from cleaner.document import Document

from .test_dedup import docs_of, story

needs_fork = pytest.mark.skipif(os.name != "posix", reason="workers inherit the patched stage only with fork")


class _Spool:
    """Texts kept apart from the documents, as ``spool.TextSpool`` keeps them."""

    def __init__(self, docs: list[Document]) -> None:
        self.texts = {d.source: d.text for d in docs}
        for d in docs:
            d.text = ""

    def read(self, doc: Document) -> str:
        return self.texts[doc.source]


def _batch() -> tuple[list[Document], dict[str, dedup.Signature], wordpairs.WordPairs]:
    """Groups of copies of a few stories (teasers, notes, a changed word, metadata), and the batch's
    word pairs."""
    texts: dict[str, str] = {}
    for s in range(12):
        a = story(200 + s)
        sentence = "By noon the pain began to wear off and she walked home."
        texts[f"s{s}_original.txt"] = "\n\n".join([a[0], f"{a[1]} {sentence}", *a[2:]])
        texts[f"s{s}_changed.txt"] = "\n\n".join([a[0], f"{a[1]} {sentence.replace('wear off', 'wear bridge')}", *a[2:]])
        if s % 2:
            texts[f"s{s}_teaser.txt"] = "\n\n".join(a[:3])
        if s % 3 == 0:
            texts[f"s{s}_note.txt"] = "\n\n".join(["Editor's note: this story was corrected on Monday.", *a])
    texts["alone.txt"] = "\n\n".join(story(999))
    docs, sigs = docs_of(texts)
    for i, d in enumerate(docs):
        d.title = f"Story {i}"
        if i % 4 == 0:
            d.metadata.update(author="A. Writer", published=f"2024-01-{1 + i % 28:02d}", lang_hint="en")
    pairs = wordpairs.WordPairs()
    for t in [*texts.values(), "The effect began to wear off within the hour."]:
        pairs.add(wordpairs.slots(dedup.normalise(t)))
    return docs, sigs, pairs


def _answer(groups: list[list[Document]]) -> list[tuple]:
    return [[(m.source, m.duplicates, m.metadata) for m in g] for g in groups]


def _grouped(pool: bool) -> list[tuple]:
    docs, sigs, pairs = _batch()
    texts = _Spool(docs)
    with workers.kept_pools():
        groups = dedup.group(docs, sigs, Config(workers=2), texts, pairs=pairs, pool=pool)
    assert all(not m.text for g in groups for m in g)  # texts are read back for the choice only
    return _answer(groups)


def test_choices_made_in_workers_are_those_of_one_process(monkeypatch):
    monkeypatch.setattr(canonical, "PARALLEL_FROM", 1)
    serial = _grouped(pool=False)
    assert sum(len(g) > 1 for g in serial) == 12
    assert _grouped(pool=True) == serial


def test_a_library_caller_gets_one_process_unless_it_asks(monkeypatch):
    monkeypatch.setattr(canonical, "PARALLEL_FROM", 1)
    monkeypatch.setattr(canonical, "_choices_in_workers", None)  # would fail if called
    docs, sigs, pairs = _batch()
    assert dedup.group(docs, sigs, Config(workers=2), pairs=pairs)  # texts in the documents


def test_a_task_carries_only_what_the_choice_reads():
    docs, sigs, _ = _batch()
    for d in docs:
        sigs[d.source] = dedup.signature(d.text, 5, 128, 1, pairs=True)
        d.metadata["extraction"] = "x" * 1000
    members = docs[:2]
    tasks = list(canonical._canonical_tasks([members, docs[2:3]], {}, sigs, 5, None, None))
    assert len(tasks) == 1  # a group of one has nothing to choose
    (task,) = tasks
    assert [m.text for m in task.members] == [m.text for m in members]
    assert all(set(m.metadata) <= set(canonical.CHOICE_METADATA) for m in task.members)
    assert all(s.paragraphs is None and s.pairs is None for s in task.sigs.values())
    assert set(task.sigs) == {m.source for m in members}


def _dies_in_a_worker(parent: int, choose, here: list[int]):  # type: ignore[no-untyped-def]
    def choose_or_die(*args, **kwargs):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            os._exit(1)
        here.append(1)
        return choose(*args, **kwargs)

    return choose_or_die


@needs_fork
def test_a_group_whose_worker_dies_is_chosen_in_the_main_process(monkeypatch):
    monkeypatch.setattr(canonical, "PARALLEL_FROM", 1)
    serial = _grouped(pool=False)
    # workers forked from this process, so that they run the patched choice
    monkeypatch.setattr(workers, "_fresh_context", workers._context)
    here: list[int] = []
    monkeypatch.setattr(canonical, "choose_canonical", _dies_in_a_worker(os.getpid(), canonical.choose_canonical, here))
    assert _grouped(pool=True) == serial
    assert len(here) == 12  # every group, after its worker (and a worker of its own) died


def test_the_word_pairs_read_back_from_their_file_read_alike(tmp_path):
    pairs = wordpairs.WordPairs()
    for t in ["the council voted to close the bridge", "the bridge will close next week"]:
        pairs.add(wordpairs.slots(t.split()))
    path = wordpairs.save(pairs)
    try:
        back = wordpairs.mapped(path)
        assert back is wordpairs.mapped(path)  # mapped once per process
        assert np.array_equal(back.counts, pairs.counts)
        for words in ["voted to close", "voted to bridge", "close the bridge"]:
            assert back.reading([])(words.split()) == pairs.reading([])(words.split())
    finally:
        wordpairs.remove(path)
    assert not os.path.exists(path)


def _pid(n: int) -> int:
    return os.getpid()


def _noop() -> None:
    pass


def _other() -> None:
    pass


def _failed(n: int, reason: str) -> str:
    return reason


def _processes() -> set[int]:
    return {process.pid for pool, _ in (workers._KEPT or {}).values() for process in pool._processes.values()}


@needs_fork
def test_a_borrowed_pool_is_the_kept_one_and_stays_its_lenders():
    with workers.kept_pools():
        first = set(workers.imap(_pid, range(8), 2, _noop, (), _failed, keep=True))
        lender, kept = set(workers._KEPT or {}), _processes()
        assert first <= kept
        borrowed = set(workers.imap(_pid, range(8), 2, _other, (), _failed, keep=True, borrow=True))
        assert borrowed <= kept
        assert set(workers._KEPT or {}) == lender  # left under its own initializer, for the lender's next call
        assert set(workers.imap(_pid, range(8), 2, _noop, (), _failed, keep=True)) <= kept
    with workers.kept_pools():  # nothing to borrow: a pool of its own, kept for the next call
        set(workers.imap(_pid, range(8), 2, _other, (), _failed, keep=True, borrow=True))
        assert [key[0] for key in workers._KEPT or {}] == [_other]
        own = _processes()
        assert own.isdisjoint(kept)
        assert set(workers.imap(_pid, range(8), 2, _other, (), _failed, keep=True, borrow=True)) <= own
