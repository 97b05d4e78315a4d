"""Output does not depend on the number of worker processes (nor on the text and shingle spools)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from cleaner.document import Document
from cleaner.spool import TextSpool


def _tree(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_one_and_two_workers_write_identical_output(run_cli, seeds_dir, tmp_path):
    inputs = tmp_path / "in"
    shutil.copytree(seeds_dir, inputs, ignore=shutil.ignore_patterns("*.json"))
    # a copy with other chrome, so grouping has work to do in both runs
    first = sorted(inputs.glob("*.txt"))[0]
    (inputs / "zz_copy.txt").write_text("Home | News | Sport\n\n" + first.read_text("utf-8"), "utf-8")
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}"
        result = run_cli("run", inputs, "--out", out, "--workers", workers, "-q")
        assert result.exit_code == 0, result.output
        outs.append(_tree(out))
    assert outs[0]["articles.jsonl"]
    assert outs[0] == outs[1]


def test_spool_round_trips_any_text():
    texts = ["", "plain", "Zwei Absätze.\n\nÜber 9 €", "lone surrogate \udcff kept", "x" * 100_000]
    docs = [Document(source=f"d{i}", text=t) for i, t in enumerate(texts)]
    with TextSpool() as spool:
        for doc in docs:
            spool.park(doc)
        assert all(doc.text == "" for doc in docs)
        for doc, text in reversed(list(zip(docs, texts, strict=True))):
            assert spool.restore(doc).text == text


def test_collector_paused_for_start_up_only_when_asked():
    """The command line pauses cyclic collection until the warm-up is done; library use is left alone."""
    import gc

    from cleaner import gcpause, pipeline
    from cleaner.config import Config
    from cleaner.sources import Item

    items = [
        Item("a.txt", record={"text": "The council voted on Monday to close the old bridge to traffic."})
    ]
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    list(pipeline.process_all(items, Config(workers=1)))
    assert gc.isenabled() and gc.get_freeze_count() == frozen  # a library caller's heap is not frozen
    try:
        gcpause.pause_gc()
        assert not gc.isenabled()
        docs = list(pipeline.process_all(items, Config(workers=1)))
        assert gc.isenabled() and gc.get_freeze_count() > frozen
        assert [d.source for d, _ in docs] == ["a.txt"]
    finally:
        gc.enable()
        gc.unfreeze()


def test_shingle_spool_round_trips_and_maps_new_signatures():
    from cleaner import dedup
    from cleaner.spool import ShingleSpool

    texts = [f"story {i} " + "the council voted on the bridge " * (i + 1) for i in range(7)] + [""]
    sigs = {f"d{i}": dedup.signature(t, 3, 32, 1) for i, t in enumerate(texts)}
    before = {s: sig.shingles.copy() for s, sig in sigs.items()}
    with ShingleSpool(sigs) as spool:
        spool.BATCH = 3  # several maps
        for s in sigs:
            spool.park(s)
        spool.flush()
        spool.release()  # pages let go are read again
        assert all(np.array_equal(sigs[s].shingles, before[s]) for s in sigs)
        assert all(not sigs[s].shingles.flags.writeable for s in sigs if len(before[s]))
        sigs["d1"] = dedup.signature("a new text for one of them", 3, 32, 1)
        new = sigs["d1"].shingles.copy()
        spool.park_loose()
        assert not sigs["d1"].shingles.flags.writeable and np.array_equal(sigs["d1"].shingles, new)
        assert dedup.similarity(sigs["d2"], sigs["d2"]) == (1.0, 1.0)
        size = spool._end
        spool.compact(reversed(list(sigs)))  # only the sets in use, in a new file
        assert all(np.array_equal(sigs[s].shingles, before[s]) for s in sigs if s != "d1")
        assert np.array_equal(sigs["d1"].shingles, new) and spool._end < size  # d1's old set is gone


def test_spare_spool_round_trips_any_line():
    from cleaner.document import Document
    from cleaner.spool import SpareSpool

    lines = [(0, "Zwei Absätze \u2028 und ein \"Zitat\""), (3, "tab\there\nnewline"), (3, "\udcff lone surrogate")]
    docs = [Document(source="a.txt", spare=list(lines)), Document(source="b.txt")]
    with SpareSpool() as spool:
        for d in docs:
            spool.park(d)
        assert docs[0].spare == [] and spool.lines(docs[0]) == lines and spool.lines(docs[1]) == []


def test_output_is_the_same_with_shingle_sets_in_memory(run_cli, seeds_dir, tmp_path, monkeypatch):
    """The spool changes where shingle sets live, never a result (small batches: many maps)."""
    from cleaner import pipeline, spool

    class InMemory(spool.ShingleSpool):
        def flush(self) -> None:
            self._queued = []

        def park_loose(self) -> None:
            pass

        def compact(self, sources) -> None:
            pass

    inputs = tmp_path / "in"
    shutil.copytree(seeds_dir, inputs, ignore=shutil.ignore_patterns("*.json"))
    first = sorted(inputs.glob("*.txt"))[0]
    (inputs / "zz_copy.txt").write_text("Home | News | Sport\n\n" + first.read_text("utf-8"), "utf-8")
    outs = []
    monkeypatch.setattr(spool.ShingleSpool, "BATCH", 2)
    for kind in (spool.ShingleSpool, InMemory):
        monkeypatch.setattr(pipeline, "ShingleSpool", kind)
        out = tmp_path / kind.__name__
        result = run_cli("run", inputs, "--out", out, "--workers", "1", "-q")
        assert result.exit_code == 0, result.output
        outs.append(_tree(out))
    assert b'"duplicates": ["' in outs[0]["articles.jsonl"]  # a group formed
    assert outs[0] == outs[1]
