"""The stages in order: read → extract → clean → language → signature, then dedup → write.

Per-document stages run in worker processes (``Config.workers``); grouping and writing run in the
main process on the results, sorted so that output does not depend on input order or worker split.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import signal
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from . import chrome, dedup, rescue, workers
from . import extract as extract_module
from .clean import clean_text
from .config import Config
from .document import Decision, Document
from .extract import extract
from .gcpause import settle
from .language import language
from .language import warm_up as language_warm_up
from .sources import HTML_SUFFIXES, Item, discover, item_id, load
from .spool import ShingleSpool, SpareSpool, TextSpool
from .wordpairs import WordPairs


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


class DocumentTimeout(BaseException):
    """Raised by the time limit; not an ``Exception``, so a library's ``except Exception`` cannot
    swallow it (the limit fires once)."""


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
        author=meta.get("author"),
        lang=_stoplist_language(meta.get("html_lang")),
        # trafilatura's output is already the main content: the cleaner only takes lines out
        extracted=meta.get("extraction") == "trafilatura",
    )
    doc.text = result.text
    doc.decisions = result.decisions
    doc.title = meta.get("title") or result.title
    for key, value in result.metadata.items():
        meta.setdefault(key, value)
    meta.pop("title", None)
    words = word_count(doc.text)
    if words == 0:
        doc.reject(f"not an article: only boilerplate ({_dropped(result.decisions)})")
    elif words < config.min_words:
        doc.reject(
            f"not an article: too short after cleaning, {words} words (minimum {config.min_words}); "
            f"removed: {_dropped(result.decisions)}"
        )
    doc.raw = ""
    return doc


def _stoplist_language(code: str | None) -> str | None:
    """The page's declared language, when the cleaner has stopwords for it (else it guesses)."""
    from .clean.stopwords import stoplist

    return code if code and stoplist(code) else None


#: scripts written without spaces between words (Chinese, Japanese kana, Thai, Lao, Khmer, Myanmar)
_UNSPACED = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0eff\u1780-\u17ff\u1000-\u109f]"
)


def word_count(text: str) -> int:
    """Words of ``text``; in scripts without spaces two characters count as a word (a rough mean)."""
    unspaced = len(_UNSPACED.findall(text))
    if not unspaced:
        return len(text.split())
    return len(_UNSPACED.sub(" ", text).split()) + unspaced // 2


def _dropped(decisions: list[Decision]) -> str:
    """What the cleaner removed, most frequent reason first: "24 related-list, 1 related"."""
    counts = Counter(d.reason for d in decisions if not d.keep)
    return ", ".join(f"{n} {reason}" for reason, n in counts.most_common(4)) or "nothing"


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
                sig = dedup.signature(doc.text, config.shingle_size, config.num_perm, config.seed, pairs=True)
                sig = dataclasses.replace(sig, paragraphs=chrome.paragraph_keys(doc.text))
                doc.spare = rescue.spare_lines(doc.decisions)
            elif config.dedup and rescue.revivable(doc):  # another copy may give its story back
                doc.spare = rescue.spare_lines(doc.decisions)
            doc.decisions = []
            return doc, sig
    except DocumentTimeout:
        reason = f"timed out: took over {config.doc_timeout:g} s to process"
    except RecursionError:
        reason = "too deeply nested to process"
    except MemoryError:
        reason = "ran out of memory processing it"
    except Exception as exc:  # a bug or a library failure on one input must not stop the run
        reason = f"internal error: {type(exc).__name__}: {exc}"[:300]
    return Document(source=item.source, id=item_id(item)).reject(reason), None


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
_WARM = False


def _init_worker(config: Config) -> None:
    global _CONFIG
    _CONFIG = config
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _warm_up(config)  # with fork the parent has done it already


def _work(item: Item) -> tuple[Document, dedup.Signature | None]:
    assert _CONFIG is not None
    return process(item, _CONFIG)


_WARM_UP = (
    "The council voted on Monday to close the old bridge to all traffic from next week, and the mayor "
    "said that it would not open again before the spring."
)


def _warm_up(config: Config) -> None:
    """Load the langdetect profiles, stoplists and phrase rules once, before any document's time limit
    starts (so the first document is not the one that times out), and in the parent, so forked
    workers share them instead of each loading them. trafilatura is left to the workers that meet
    HTML: importing it here would cost every text-only run ~60 MB per process."""
    global _WARM
    if not _WARM:
        _WARM = True
        process(Item("<warm-up>", record={"text": _WARM_UP}), config.replace(doc_timeout=0))
        if config.workers > 1:
            # the warm-up text takes the stopword fast path; without this every worker that meets a
            # text needing langdetect would load its profiles itself
            language_warm_up()


def process_all(items: Iterable[Item], config: Config) -> Iterator[tuple[Document, dedup.Signature | None]]:
    """Per-document stages over ``items``, in worker processes when ``config.workers > 1``.

    A worker that dies does not hang or stop the run: its document is rejected (see ``workers``).
    Results come in input order; only a few inputs per worker are in flight, so memory stays flat.
    """
    _warm_up(config)
    if config.workers <= 1:
        settle()
        for item in items:
            yield process(item, config)
        return
    items = _import_trafilatura_if_html(iter(items), config.workers * workers.IN_FLIGHT)
    settle()  # the workers fork at the first document
    yield from workers.imap(
        _work, items, config.workers, _init_worker, (config,), _failed, parent_deadline(config.doc_timeout)
    )


def parent_deadline(doc_timeout: float) -> float | None:
    """How long the parent waits for one result: the worker's own limit, doubled, plus 5 s (None: no
    limit). Only C code that ignores the worker's alarm runs into it."""
    return doc_timeout * 2 + 5 if doc_timeout > 0 else None


def _import_trafilatura_if_html(items: Iterator[Item], peek: int) -> Iterator[Item]:
    """``items`` unchanged; trafilatura is imported and warmed up first (~0.4 s) when one of the first
    ``peek`` is HTML.

    Done here, before the workers fork, they share it instead of each paying for it; a text-only run
    does not pay for it at all.
    """
    head = list(itertools.islice(items, peek))
    if any(_looks_html(item) for item in head):
        extract_module.warm_up()
    return itertools.chain(head, items)


def _looks_html(item: Item) -> bool:
    if item.record is not None:
        return isinstance(item.record.get("html"), str)
    return item.path is not None and item.path.lower().endswith(HTML_SUFFIXES)


def _failed(item: Item, reason: str) -> tuple[Document, dedup.Signature | None]:
    return Document(source=item.source, id=item_id(item)).reject(reason), None


Sink = Callable[[Document], None]

#: metadata values up to this long are shared between documents (site names, encodings, languages)
SHARED_LENGTH = 40


def _share_strings(doc: Document) -> None:
    """Use one copy of the strings that many documents repeat (metadata names, short values, the
    language): each document arrives from a worker with copies of its own, ~0.5 KB a document."""
    intern = sys.intern
    doc.metadata = {
        intern(k): intern(v) if type(v) is str and len(v) <= SHARED_LENGTH else v for k, v in doc.metadata.items()
    }
    doc.kind = intern(doc.kind)  # type: ignore[assignment]
    if doc.lang:
        doc.lang = intern(doc.lang)


class Batch:
    """A run's documents from the per-document stages until they are written, as the cross-document
    passes need them: kept and rejected documents, signatures, and the run's word pairs in memory;
    kept texts, shingle sets and spare lines parked on disk as each document arrives (``spool``).
    In memory, 100k documents' clean bodies, shingle sets and spare lines would take ~1.3 GB.
    Both kinds of run (``run``, ``incremental.run_incremental``) collect into one.
    """

    def __init__(self, config: Config) -> None:
        if config.dedup:  # made once here, before the workers fork, rather than once in every worker
            dedup._permutations(config.num_perm, config.seed)
        self.kept: list[Document] = []
        self.rejected: list[Document] = []
        self.sigs: dict[str, dedup.Signature] = {}
        self.texts = TextSpool()  # kept documents' texts wait on disk until written
        self.shingles = ShingleSpool(self.sigs)  # and their shingle sets, mapped back from disk
        self.spares = SpareSpool()  # and the lines another copy may give back (rescue.py), until that pass
        self.pairs = WordPairs()  # the batch's word pairs, for the canonical choice

    def add(self, doc: Document, sig: dedup.Signature | None) -> None:
        """Take one document from the per-document stages, parking what waits on disk."""
        _share_strings(doc)
        if doc.rejected:
            if not doc.spare:  # a too-short document with spare lines may come back (rescue.py)
                doc.text = ""
            self.rejected.append(doc)
            self.spares.park(doc)
            return
        self.texts.park(doc)  # the chrome pass and the canonical choice read back the few they need
        self.spares.park(doc)
        self.kept.append(doc)
        if sig is not None:
            if sig.pairs is not None:  # counted here, then let go: the table holds the batch's
                self.pairs.add(sig.pairs)
                sig = dataclasses.replace(sig, pairs=None)
            self.sigs[doc.source] = sig
            self.shingles.park(doc.source)

    def across(self, config: Config) -> None:
        """The passes that compare documents before grouping: story lines one copy kept and another
        dropped are given back (``rescue``), then site chrome recurring across stories goes
        (``chrome``); documents left too short move to ``rejected``. Inside ``workers.kept_pools``
        the two passes re-sign texts in one pool."""
        self.shingles.flush()
        revived = rescue.restore(
            self.kept, self.sigs, config, self.rejected, self.texts, self.spares, self.shingles
        )
        self.spares.close()
        for d in revived:
            self.texts.park(d)
        self.kept += revived
        self.shingles.park_loose()  # the changed documents' new signatures
        chrome.remove_chrome(self.kept, self.sigs, config, self.texts, self.shingles)
        self.rejected += [d for d in self.kept if d.rejected]
        self.kept = [d for d in self.kept if not d.rejected]

    def group(self, docs: list[Document], config: Config) -> list[list[Document]]:
        """``dedup.group`` of ``docs`` (kept ones), reading texts and shingle sets from the spools; the
        canonical choice runs in worker processes (borrowing the pool of ``across`` inside
        ``workers.kept_pools``)."""
        return dedup.group(docs, self.sigs, config, self.texts, self.shingles, self.pairs, pool=True)

    def close(self) -> None:
        """Let the spools go (unnamed temporary files: the OS deletes them even if the run dies)."""
        self.shingles.close()
        self.spares.close()
        self.texts.close()


def run(
    inputs: Iterable[str],
    config: Config,
    on_article: Sink,
    on_reject: Sink,
    progress: Callable[[int], None] | None = None,
    stdin: Any = None,
    items_given: bool = False,
    skip: Iterable[str] = (),
) -> Summary:
    """Run the whole pipeline; every input ends in exactly one of the two sinks or a duplicates list.

    ``inputs`` are paths (and ``-``), or :class:`Item` objects when ``items_given``; folders in
    ``skip`` (the output folder) are not read. Sinks get each document once and must take what they
    need then: an article's text is read back from the spool just before ``on_article`` and dropped
    after it, so memory does not hold every text.
    """
    summary = Summary()
    batch = Batch(config)
    items: Iterable[Item] = inputs if items_given else discover(inputs, stdin=stdin, skip=skip)  # type: ignore[assignment]
    for doc, sig in process_all(items, config):
        summary.read += 1
        if progress:
            progress(1)
        batch.add(doc, sig)
    if config.dedup:
        with workers.kept_pools():
            batch.across(config)
            groups = batch.group(batch.kept, config)
        emitted = [g[0] for g in groups]
        summary.duplicates = sum(len(g) - 1 for g in groups)
    else:
        emitted = batch.kept
    batch.sigs.clear()
    batch.shingles.close()  # its maps go before the texts are read back
    for doc in sorted(emitted, key=lambda d: d.source):
        on_article(batch.texts.restore(doc))
        doc.text = ""
        summary.written += 1
    batch.close()
    for doc in sorted(batch.rejected, key=lambda d: d.source):
        on_reject(doc)
        summary.rejected += 1
        key = (doc.rejected or "").split(":")[0]
        summary.reasons[key] = summary.reasons.get(key, 0) + 1
    return summary
