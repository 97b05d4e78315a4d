"""Incremental runs for cron (``cleaner run --state FILE``): only new or changed inputs, copies of
earlier articles recognised, output committed atomically together with the state.

A run: finish any run a kill interrupted after its commit → skip inputs whose content is unchanged →
process the rest (the ordinary per-document stages) → match each new article against the signatures
of articles emitted by earlier runs (a copy becomes a duplicate of that earlier article's id, never a
new article) → group the rest among themselves → write ``articles-``, ``duplicates-`` and
``rejected-<stamp>-<run>.jsonl`` under temporary names → ONE state transaction → rename into place.

An article once emitted stays the canonical copy of its story: a later copy, even a more complete one,
is recorded as its duplicate. A changed input whose clean story changed too is emitted again with the
same id (consumers keep the latest record per id); if only its chrome changed, it is recorded as a
duplicate of its own earlier article.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np

from . import dedup, workers
from .band_index import BandIndex
from .config import Config
from .document import Document
from .pipeline import Batch, process_all
from .signals import StopSignals, checkpoint
from .sources import Item, discover
from .state import Earlier, Fingerprint, Outcome, State
from .write import TEXT_DIR, RunFiles, publish, remove_stray_temporaries, write_run_texts


@dataclass
class CronSummary:
    read: int = 0  #: new or changed inputs processed
    skipped: int = 0  #: unchanged inputs skipped
    written: int = 0
    duplicates: int = 0  #: all duplicates, within the run and of earlier articles
    earlier: int = 0  #: duplicates of articles emitted by earlier runs
    rejected: int = 0
    expired: int = 0  #: signatures removed by --keep-days
    recovered: int = 0  #: interrupted runs finished at the start of this one
    run_id: str | None = None
    files: list[str] = field(default_factory=list)
    deferred_signal: int | None = None

    def line(self) -> str:
        text = (
            f"cleaner: {self.read} new or changed inputs read, {self.skipped} unchanged skipped, "
            f"{self.written} articles written, {self.duplicates} duplicates "
            f"({self.earlier} of earlier articles), {self.rejected} rejected"
        )
        if self.run_id:
            text += f"; run {self.run_id}"
        return text


# -- copies of earlier articles --------------------------------------------------------------------

#: candidate pairs whose MinHash agreement is computed at once (their values from both sides: ~8 MiB)
AGREE_BLOCK = 8192


def find_earlier(
    new: list[tuple[Document, dedup.Signature]], state: State, config: Config, since: float = 0.0
) -> dict[str, tuple[Earlier, float, float]]:
    """For each new document that is a copy of an article from an earlier run: that article, Jaccard
    and containment. The same LSH bands and verification rule as within a run; the new documents go in
    a ``BandIndex`` (a dict of lists per band would cost ~8 KB a document: 0.8 GB at 100k) and stored
    signatures are read in chunks, so memory does not grow with the state. Ties go to the most
    similar, then oldest.
    """
    if not new:
        return {}
    bands, rows = dedup.lsh_params(config.threshold, config.num_perm)
    low = max(0.05, dedup.RECALL_FACTOR * config.threshold)
    new_h = np.vstack([s.hashvalues for _, s in new])
    index = BandIndex(bands, rows)
    index.insert_many(list(range(len(new))), new_h)
    candidates: dict[int, set[int]] = {}
    for ids, old_h in state.earlier_hashvalues(since):
        at_old, at_new = index.query_pairs(old_h)
        for start in range(0, len(at_old), AGREE_BLOCK):
            r, j = at_old[start : start + AGREE_BLOCK], at_new[start : start + AGREE_BLOCK]
            # the MinHash estimate drops chance band collisions before the exact check reads shingles
            likely = (new_h[j] == old_h[r]).mean(axis=1) >= low / 2
            for jj, sid in zip(j[likely].tolist(), ids[r[likely]].tolist(), strict=True):
                candidates.setdefault(jj, set()).add(sid)
    found: dict[str, tuple[Earlier, float, float]] = {}
    for j in sorted(candidates):
        doc, sig = new[j]
        best: tuple[tuple[float, float, int], Earlier, float, float] | None = None
        for sid in sorted(candidates[j]):
            old = state.earlier(sid)
            jac, con = dedup.similarity(sig, old.signature)
            if dedup.is_copy(jac, con, config.threshold):
                key = (-jac, -con, sid)
                if best is None or key < best[0]:
                    best = (key, old, jac, con)
        if best is not None:
            found[doc.source] = (best[1], best[2], best[3])
    return found


# -- the run ----------------------------------------------------------------------------------------


def recover(state: State) -> int:
    """Finish runs that were killed after their commit: rename their files, write their texts."""
    pending = state.pending_runs()
    for run_id, out, files, text_files in pending:
        publish(files)
        if text_files:
            articles = next((final for _, final in files if Path(final).name.startswith("articles-")), None)
            if articles and os.path.exists(articles):
                write_run_texts(out, articles)
            for stray in (out / TEXT_DIR).rglob(".*.tmp"):  # a text file cut off by the kill
                stray.unlink(missing_ok=True)
        state.mark_done(run_id)
    return len(pending)


def _select(
    items: Iterable[Item],
    state: State,
    summary: CronSummary,
    fingerprints: dict[str, Fingerprint],
    unchanged: list[Fingerprint],
) -> Iterator[Item]:
    """The inputs to process (new or changed), as the workers ask for them: a JSONL record carries
    its text, so a list of them all would hold every new text at once. Their fingerprints go to
    ``fingerprints``; unchanged ones are counted and listed in ``unchanged``."""
    for item in items:
        fp, same = state.fingerprint(item)
        if same:
            summary.skipped += 1
            unchanged.append(fp)
        else:
            fingerprints[item.source] = fp
            yield item


#: a run waits at most this long for a stamp later than the last run's (a clock set back waits no more)
STAMP_WAIT = 1.5


def _stamp_after(last: str) -> str:
    """This run's time stamp (UTC, to the second), later than the last run's when that takes at most
    ``STAMP_WAIT`` seconds: the output files' names sort in run order even when two runs fall in one
    second (the run ids after the stamps are random)."""
    deadline = time.monotonic() + STAMP_WAIT
    while True:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        if stamp > last or time.monotonic() > deadline:
            return stamp
        time.sleep(0.05)


def run_incremental(
    inputs: Iterable[str],
    config: Config,
    state: State,
    out: Path,
    stop: StopSignals,
    text_files: bool = True,
    keep_days: float | None = None,
    on_article: Callable[[Document], None] | None = None,
    on_reject: Callable[[Document], None] | None = None,
    progress: Callable[[int], None] | None = None,
    stdin: IO[str] | None = None,
) -> CronSummary:
    """One cron run over ``inputs`` into the fixed folder ``out`` (see the module docstring)."""
    summary = CronSummary()
    summary.recovered = recover(state)
    remove_stray_temporaries(out)
    # discovery and fingerprints in this process, as the workers ask for inputs (SQLite is not shared)
    fingerprints: dict[str, Fingerprint] = {}
    unchanged: list[Fingerprint] = []
    todo = _select(discover(inputs, stdin=stdin), state, summary, fingerprints, unchanged)

    batch = Batch(config)  # texts, shingle sets and spare lines wait on disk, as in a one-shot run
    for doc, sig in process_all(todo, config):
        summary.read += 1
        if progress:
            progress(1)
        if summary.read == 1:
            checkpoint("processing")
        batch.add(doc, sig)

    earlier: dict[str, tuple[Earlier, float, float]] = {}
    sigs = batch.sigs
    # as in a one-shot run, story lines one copy kept and another dropped come back and site chrome
    # recurring across this run's stories goes (re-signing texts in one pool of workers, which the
    # canonical choice borrows); then copies of earlier runs' articles are found and the rest grouped
    with workers.kept_pools():
        if config.dedup:
            batch.across(config)
        kept = sorted(batch.kept, key=lambda d: d.source)
        if config.dedup:
            new = [(d, sigs[d.source]) for d in kept if d.source in sigs and len(sigs[d.source].shingles)]
            since = time.time() - keep_days * 86400 if keep_days is not None else 0.0
            earlier = find_earlier(new, state, config, since)
        remaining = [d for d in kept if d.source not in earlier]
        groups = batch.group(remaining, config) if config.dedup else [[d] for d in remaining]
    rejected = batch.rejected

    outcomes: list[Outcome] = []
    articles: list[Document] = []
    signatures: list[tuple[str, str, dedup.Signature]] = []
    for g in groups:
        canonical = g[0]
        articles.append(canonical)
        outcomes.append(Outcome(fingerprints[canonical.source], "article", canonical.id))
        sig = sigs.get(canonical.source)
        if sig is not None and len(sig.shingles):
            signatures.append((canonical.id, canonical.source, sig))
        outcomes += [Outcome(fingerprints[d.source], "duplicate", canonical.id) for d in g[1:]]
        summary.duplicates += len(g) - 1
    duplicates = []
    for d in kept:
        if d.source in earlier:
            old, jac, con = earlier[d.source]
            duplicates.append(
                {
                    "source": d.source,
                    "id": d.id,
                    "duplicate_of": old.article_id,
                    "duplicate_of_source": old.source,
                    "jaccard": round(jac, 3),
                    "containment": round(con, 3),
                }
            )
            outcomes.append(Outcome(fingerprints[d.source], "duplicate", old.article_id))
    summary.earlier = len(duplicates)
    summary.duplicates += len(duplicates)
    rejected.sort(key=lambda d: d.source)
    outcomes += [Outcome(fingerprints[d.source], "rejected", None) for d in rejected]
    articles.sort(key=lambda d: d.source)
    summary.written, summary.rejected = len(articles), len(rejected)
    record = {
        k: getattr(summary, k) for k in ("read", "skipped", "written", "duplicates", "earlier", "rejected")
    }

    if not fingerprints:  # nothing new: no files; remember moved stats and expire old signatures
        with stop.critical():
            summary.expired = state.commit_run(
                None, "", out, [], text_files, [], unchanged, [], keep_days, record
            )
        return summary

    run_id = secrets.token_hex(4)
    stamp = _stamp_after(state.last_stamp())
    files = RunFiles(out, stamp, run_id)
    committed = False
    try:
        for doc in articles:
            files.write("articles", batch.texts.restore(doc).article())
            if on_article:
                on_article(doc)
            doc.text = ""
        batch.close()  # every text is out; the signatures the state stores keep their shingles' maps
        for rec in duplicates:
            files.write("duplicates", rec)
        for doc in rejected:
            files.write("rejected", {"source": doc.source, "id": doc.id, "reason": doc.rejected})
            if on_reject:
                on_reject(doc)
        pairs = files.close()
        checkpoint("written")
        with stop.critical():
            summary.expired = state.commit_run(
                run_id, stamp, out, pairs, text_files, outcomes, unchanged, signatures, keep_days, record
            )
            committed = True
            checkpoint("committed")
            publish(pairs, after_first=lambda: checkpoint("renamed"))
            if text_files:
                write_run_texts(out, pairs[0][1])
            checkpoint("text")
            state.mark_done(run_id)
    except BaseException:
        if not committed:
            files.abort()
        raise
    summary.run_id = run_id
    summary.files = [Path(final).name for _, final in pairs]
    if stop.deferred:
        summary.deferred_signal = stop.deferred[0]
    return summary
