"""The stages in order: read → extract → clean → language → signature, then dedup → write.

Per-document stages run in worker processes (``Config.workers``); grouping and writing run in the
main process on the results, sorted so that output does not depend on input order or worker split.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from . import dedup
from .clean import clean_text
from .config import Config
from .document import Document
from .extract import extract
from .language import language
from .sources import Item, discover, load
from .spool import TextSpool


@dataclass
class Summary:
    read: int = 0
    written: int = 0
    duplicates: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        return (
            f"cleaner: {self.read} read, {self.written} articles written, "
            f"{self.duplicates} duplicates, {self.rejected} rejected"
        )


class DocumentTimeout(Exception):
    pass


def clean(doc: Document, config: Config) -> Document:
    """Run the text cleaner on ``doc.raw`` and fill the article fields."""
    if doc.rejected:
        return doc
    meta = doc.metadata
    result = clean_text(
        doc.raw,
        title=meta.get("title"),
        sitename=meta.get("sitename"),
        hostname=meta.get("hostname"),
    )
    doc.text = result.text
    doc.decisions = result.decisions
    doc.title = meta.get("title") or result.title
    for key, value in result.metadata.items():
        meta.setdefault(key, value)
    meta.pop("title", None)
    words = len(doc.text.split())
    if words == 0:
        doc.reject("empty after cleaning: only boilerplate")
    elif words < config.min_words:
        doc.reject(f"too short after cleaning: {words} words (minimum {config.min_words}); not an article")
    doc.raw = ""
    return doc


def process(item: Item, config: Config) -> tuple[Document, dedup.Signature | None]:
    """All per-document stages for one input; never raises (errors become rejections)."""
    try:
        with _time_limit(config.doc_timeout):
            doc = load(item, config)
            doc = extract(doc)
            doc = clean(doc, config)
            doc = language(doc, config.langs)
            sig = None
            if config.dedup and not doc.rejected:
                sig = dedup.signature(doc.text, config.shingle_size, config.num_perm, config.seed)
            doc.decisions = []
            return doc, sig
    except DocumentTimeout:
        doc = Document(source=item.source, id="")
        return _fallback_id(doc, item).reject(
            f"timed out: took over {config.doc_timeout:g} s to process"
        ), None
    except RecursionError:
        doc = Document(source=item.source)
        return _fallback_id(doc, item).reject("too deeply nested to process"), None
    except MemoryError:
        doc = Document(source=item.source)
        return _fallback_id(doc, item).reject("ran out of memory processing it"), None
    except Exception as exc:  # a bug or a library failure on one input must not stop the run
        doc = Document(source=item.source)
        return _fallback_id(doc, item).reject(f"internal error: {type(exc).__name__}: {exc}"[:300]), None


def _fallback_id(doc: Document, item: Item) -> Document:
    from .sources import stable_id

    rid = (item.record or {}).get("id")
    doc.id = str(rid) if rid not in (None, "") else stable_id(item.source)
    return doc


class _time_limit:
    """SIGALRM-based limit for one document (worker processes run tasks in their main thread)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = False

    def __enter__(self) -> None:
        if self.seconds > 0 and hasattr(signal, "setitimer"):
            try:
                self.previous = signal.signal(signal.SIGALRM, self._raise)
                signal.setitimer(signal.ITIMER_REAL, self.seconds)
                self.armed = True
            except ValueError:  # not in the main thread: no limit
                pass

    def __exit__(self, *exc: Any) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)

    @staticmethod
    def _raise(signum: int, frame: Any) -> None:
        raise DocumentTimeout()


_CONFIG: Config | None = None


def _init_worker(config: Config) -> None:
    global _CONFIG
    _CONFIG = config
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C


def _work(item: Item) -> tuple[Document, dedup.Signature | None]:
    assert _CONFIG is not None
    return process(item, _CONFIG)


_WARM_UP = (
    "The council voted on Monday to close the old bridge to all traffic from next week, and the mayor "
    "said that it would not open again before the spring."
)


def _warm_up(config: Config) -> None:
    """Load the langdetect profiles, stoplists and phrase rules once in the parent, so forked workers
    share them instead of each loading them (seconds on a busy machine). trafilatura is left to the
    workers that meet HTML: importing it here would cost every text-only run ~60 MB per process."""
    process(Item("<warm-up>", record={"text": _WARM_UP}), config.replace(doc_timeout=0))


#: inputs per task sent to a worker: big enough to amortise the IPC, small enough to balance the load
CHUNKSIZE = 16


def process_all(items: Iterable[Item], config: Config) -> Iterator[tuple[Document, dedup.Signature | None]]:
    """Per-document stages over ``items``, in worker processes when ``config.workers > 1``.

    Results come in input order. At most a few chunks per worker are in flight: ``Pool.imap`` would
    otherwise read the whole input ahead (JSONL records carry their text), so memory stays flat.
    """
    if config.workers <= 1:
        for item in items:
            yield process(item, config)
        return
    window = CHUNKSIZE * config.workers * 4
    slots = threading.Semaphore(window)
    stop = threading.Event()

    def feed() -> Iterator[Item]:
        for item in items:
            while not slots.acquire(timeout=0.1):
                if stop.is_set():
                    return
            yield item

    ctx = mp.get_context("fork" if os.name == "posix" else "spawn")
    if ctx.get_start_method() == "fork":
        _warm_up(config)
    with ctx.Pool(
        config.workers, initializer=_init_worker, initargs=(config,), maxtasksperchild=1000
    ) as pool:
        try:
            for result in pool.imap(_work, feed(), chunksize=CHUNKSIZE):
                slots.release()
                yield result
        finally:
            stop.set()  # frees the pool's feeder thread (blocked on a slot) before the pool closes


Sink = Callable[[Document], None]


def run(
    inputs: Iterable[str],
    config: Config,
    on_article: Sink,
    on_reject: Sink,
    progress: Callable[[int], None] | None = None,
    stdin: Any = None,
    items_given: bool = False,
) -> Summary:
    """Run the whole pipeline; every input ends in exactly one of the two sinks or a duplicates list.

    ``inputs`` are paths (and ``-``), or :class:`Item` objects when ``items_given``. Sinks get each
    document once and must take what they need then: an article's text is read back from the spool
    just before ``on_article`` and dropped after it, so memory does not hold every text.
    """
    summary = Summary()
    kept: list[Document] = []
    spool = TextSpool()  # kept documents' texts wait on disk: memory holds signatures and metadata
    sigs: dict[str, dedup.Signature] = {}
    rejected: list[Document] = []
    items: Iterable[Item] = inputs if items_given else discover(inputs, stdin=stdin)  # type: ignore[assignment]
    for doc, sig in process_all(items, config):
        summary.read += 1
        if progress:
            progress(1)
        if doc.rejected:
            doc.text = ""
            rejected.append(doc)
        else:
            spool.park(doc)
            kept.append(doc)
            if sig is not None:
                sigs[doc.source] = sig
    if config.dedup:
        groups = dedup.group(kept, sigs, config)
        emitted = [g[0] for g in groups]
        summary.duplicates = sum(len(g) - 1 for g in groups)
    else:
        emitted = kept
    sigs.clear()
    for doc in sorted(emitted, key=lambda d: d.source):
        on_article(spool.restore(doc))
        doc.text = ""
        summary.written += 1
    spool.close()  # also closed (and gone, being unnamed) when an error ends the run
    for doc in sorted(rejected, key=lambda d: d.source):
        on_reject(doc)
        summary.rejected += 1
        key = (doc.rejected or "").split(":")[0]
        summary.reasons[key] = summary.reasons.get(key, 0) + 1
    return summary
