"""Choose the best copy of each group of copies (``dedup.group`` makes the groups).

The best copy is the most complete one that adds least of its own: editor's notes, changed words,
text at its start or end, page chrome (``choose_canonical`` gives the order of the rules). What it
reads of the other groups (paragraphs that are page chrome because documents of other stories hold
them, ``other_stories_chrome``) is gathered in the main process; the choice itself needs only its
group, so from ``PARALLEL_FROM`` groups of copies on it runs in worker processes.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import wordpairs
from .config import Config
from .dedup import (
    OVERLAP,
    RELEASE_EVERY,
    Shingles,
    Signature,
    Texts,
    count_in,
    gram_hashes,
    grams,
    normalise,
    notice,
    paragraph_key,
    richness,
    shingle_hashes,
    similarity,
    words_key,
)
from .document import Document

#: the canonical choice runs in worker processes (``dedup.group(pool=True)``) from this many groups of
#: copies on: below, the choice takes less than starting a pool would (~3 ms a group of two)
PARALLEL_FROM = 500
#: groups of copies per task sent to the workers (a task costs the main process ~1 ms)
CHOICE_BATCH = 8
#: the metadata the canonical choice reads (``dedup.richness``, ``_date``): all a task carries of it
CHOICE_METADATA = ("author", "sitename", "url", "published", "date")


@dataclass(frozen=True)
class CanonicalTask:
    """One group's canonical choice with what it reads and nothing more, to run in another process:
    stripped copies of the members (text, title, id, source, ``CHOICE_METADATA``), their signatures
    without paragraph keys, and the page chrome found in other stories (``other_stories_chrome``)."""

    index: int  #: the group's place in ``dedup.group``'s answer
    members: list[Document]
    sigs: dict[str, Signature]
    chrome: np.ndarray
    shingle_size: int


@dataclass(frozen=True)
class CanonicalChoice:
    """What ``choose_canonical`` decided for one group, to apply to the group's own documents."""

    index: int
    order: list[int]  #: the members' places, best copy first
    duplicates: list[dict]  #: the canonical copy's ``duplicates``
    reason: str  #: its ``canonical_reason``

    def apply(self, members: list[Document]) -> list[Document]:
        """``members`` in the chosen order, with what ``choose_canonical`` records on them."""
        chosen = [members[i] for i in self.order]
        for m in chosen[1:]:
            m.duplicates = []
        chosen[0].duplicates = self.duplicates
        chosen[0].metadata["canonical_reason"] = self.reason
        return chosen


def choose_all(
    groups: list[list[Document]],
    sigs: dict[str, Signature],
    config: Config,
    texts: Texts | None = None,
    shingles: Shingles | None = None,
    pairs: wordpairs.WordPairs | None = None,
    pool: bool = False,
) -> list[list[Document]]:
    """``groups`` with the canonical copy first in each (``choose_canonical``; the arguments as for
    ``dedup.group``, which calls this). With ``pool`` and ``config.workers > 1``, the choices of
    ``PARALLEL_FROM`` or more groups of copies are made in worker processes; the answer is the same."""
    shared = shared_paragraphs(groups, sigs, texts)
    tasks = _canonical_tasks(groups, shared, sigs, config.shingle_size, texts, shingles)
    copies = sum(len(g) > 1 for g in groups)
    if pool and config.workers > 1 and copies >= PARALLEL_FROM:
        choices = _choices_in_workers(tasks, config, pairs)
    else:
        choices = (decide(task, pairs) for task in tasks)
    for choice in choices:  # in group order: each group's choice is its own
        groups[choice.index] = choice.apply(groups[choice.index])
    return groups


def _canonical_tasks(
    groups: list[list[Document]],
    shared: dict[int, list[tuple[int, Document]]],
    sigs: dict[str, Signature],
    k: int,
    texts: Texts | None,
    shingles: Shingles | None,
) -> Iterator[CanonicalTask]:
    """A task for each group of two or more members, in group order, made as they are asked for:
    only the texts of the groups in flight are held."""
    for gi, members in enumerate(groups):
        if shingles is not None and gi % RELEASE_EVERY == RELEASE_EVERY - 1:
            shingles.release()
        if len(members) < 2:
            continue
        if texts is not None:
            for m in members:
                m.text = texts.read(m)
        chrome = other_stories_chrome(gi, members, shared, sigs, k, texts)
        stripped = [
            Document(
                source=m.source,
                id=m.id,
                title=m.title,
                text=m.text,
                metadata={key: m.metadata[key] for key in CHOICE_METADATA if key in m.metadata},
            )
            for m in members
        ]
        if texts is not None:
            for m in members:
                m.text = ""
        own = {}
        for m in members:
            sig = sigs[m.source]
            own[m.source] = Signature(sig.hashvalues, sig.shingles, sig.words)
        yield CanonicalTask(gi, stripped, own, chrome, k)


def decide(task: CanonicalTask, pairs: wordpairs.WordPairs | None = None) -> CanonicalChoice:
    """``choose_canonical`` of the task's group (``pairs``: the batch's word pairs)."""
    members = task.members
    chosen = choose_canonical(list(members), task.sigs, task.shingle_size, task.chrome, pairs)
    place = {id(m): i for i, m in enumerate(members)}
    canon = chosen[0]
    return CanonicalChoice(task.index, [place[id(m)] for m in chosen], canon.duplicates, canon.metadata["canonical_reason"])


def _choices_in_workers(
    tasks: Iterator[CanonicalTask], config: Config, pairs: wordpairs.WordPairs | None
) -> Iterator[CanonicalChoice]:
    """``decide`` of each task in ``config.workers`` processes, in task order, while the main process
    reads the next groups' texts. Inside ``workers.kept_pools`` the pool the signing passes kept is
    borrowed. The word-pair table goes to a file each worker maps read-only, once (it reads a few of
    its pages), not with every task; a task whose worker died is decided here."""
    from . import workers  # here: the library's serial path does not need it

    saved = wordpairs.save(pairs) if pairs is not None else None

    def here(item: tuple[CanonicalTask, str | None], reason: str) -> CanonicalChoice:
        return decide(item[0], pairs)

    try:
        yield from workers.imap(
            _decide_in_worker,
            ((task, saved) for task in tasks),
            config.workers,
            _init_chooser,
            (),
            here,
            fresh=True,  # the main process holds every signature by now
            keep=True,
            batch=CHOICE_BATCH,
            borrow=True,
        )
    finally:
        if saved is not None:
            wordpairs.remove(saved)


def _init_chooser() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C


def _decide_in_worker(item: tuple[CanonicalTask, str | None]) -> CanonicalChoice:
    task, saved = item
    return decide(task, wordpairs.mapped(saved) if saved is not None else None)


#: copies whose coverage of the others is within this of the best count as complete
COVERAGE_TOLERANCE = 0.1


def _keys(doc: Document, sig: Signature | None, texts: Texts | None) -> np.ndarray:
    """The document's unique paragraph keys (``paragraph_key``; made in the workers when it can)."""
    made = sig.paragraphs[0] if sig is not None and sig.paragraphs is not None else None
    if made is None:
        text = texts.read(doc) if texts is not None and not doc.text else doc.text
        made = np.fromiter((paragraph_key(p) for p in text.split("\n\n")), np.uint64)
    return np.unique(made[made != 0])


def shared_paragraphs(
    groups: list[list[Document]], sigs: dict[str, Signature], texts: Texts | None = None
) -> dict[int, list[tuple[int, Document]]]:
    """For every paragraph key that documents of two or more groups hold: its holders (group index,
    document). Such a paragraph is page chrome or a story with a copy grouped elsewhere
    (``other_stories_chrome`` tells which)."""
    keys: list[np.ndarray] = []
    owner: list[np.ndarray] = []
    flat_docs: list[tuple[int, Document]] = []
    for gi, members in enumerate(groups):
        for d in members:
            made = _keys(d, sigs.get(d.source), texts)
            keys.append(made)
            owner.append(np.full(len(made), len(flat_docs), dtype=np.int64))
            flat_docs.append((gi, d))
    if not keys:
        return {}
    flat, of = np.concatenate(keys), np.concatenate(owner)
    group_of = np.array([gi for gi, _ in flat_docs], dtype=np.int64)
    order = np.lexsort((group_of[of], flat))  # by key, then by group
    flat, of = flat[order], of[order]
    groups_of = group_of[of]
    # a key held in two groups: next to itself with another group, once sorted
    two = (flat[1:] == flat[:-1]) & (groups_of[1:] != groups_of[:-1])
    found = np.unique(flat[1:][two])
    out: dict[int, list[tuple[int, Document]]] = {}
    for j in np.flatnonzero(np.isin(flat, found)).tolist():
        out.setdefault(int(flat[j]), []).append(flat_docs[of[j]])
    return out


#: a document of another group tells another story when less than this share of the text it has
#: besides the paragraphs it shares with a group is in that group (the same share as ``OVERLAP``)
OTHER_STORY = OVERLAP
#: so many shingles of its own text at least, or it tells nothing (a copy made only of shared lines)
OTHER_STORY_MIN_SHINGLES = 10


def other_stories_chrome(
    gi: int,
    members: list[Document],
    shared: dict[int, list[tuple[int, Document]]],
    sigs: dict[str, Signature],
    k: int,
    texts: Texts | None = None,
) -> np.ndarray:
    """Keys of the paragraphs of group ``gi`` that are page chrome: held by at most half its members
    and by a document of another group that tells another story.

    The chrome pass (``chrome.py``) misses a site's prose-like chrome when it is most of two pages:
    the pages then look like copies of one story. Once groups are made, the rest of such a page tells
    which: a document elsewhere that holds the paragraph and whose other text is not in this group
    tells another story, so the paragraph is the site's. A copy of this story grouped elsewhere (a
    missed teaser) holds it too, but its other text is this story's. A paragraph most members hold
    tells no copy from another (this story's own, or chrome they all kept alike) and is left alone.
    """
    held: dict[int, int] = {}
    own_keys = []
    for m in members:
        keys = _keys(m, sigs.get(m.source), None)
        own_keys.append(keys)
        for key in keys.tolist():
            if key in shared:
                held[key] = held.get(key, 0) + 1
    candidates = [key for key, n in held.items() if 2 * n <= len(members)]
    if not candidates:
        return np.zeros(0, dtype=np.uint64)
    group_keys = set(np.concatenate(own_keys).tolist())
    union = np.unique(np.concatenate([sigs[m.source].shingles for m in members]))
    verdict: dict[str, bool] = {}
    chrome = []
    for key in sorted(candidates):
        for hg, h in shared[key]:
            if hg == gi:
                continue
            if h.source not in verdict:
                verdict[h.source] = _tells_another_story(h, group_keys, union, k, texts)
            if verdict[h.source]:
                chrome.append(key)
                break
    return np.array(sorted(chrome), dtype=np.uint64)


def _tells_another_story(
    doc: Document, group_keys: set[int], union: np.ndarray, k: int, texts: Texts | None
) -> bool:
    text = texts.read(doc) if texts is not None and not doc.text else doc.text
    rest = [w for words in map(normalise, text.split("\n\n")) if words_key(words) not in group_keys for w in words]
    shingles = shingle_hashes(rest, k)
    if len(shingles) < OTHER_STORY_MIN_SHINGLES:
        return False
    inside = len(np.intersect1d(shingles, union, assume_unique=True))
    return inside < OTHER_STORY * len(shingles)


#: a title is about a story when at least this share of its telling words (4+ letters, or figures)
#: occur in it: a headline paraphrases ("Tantalising", "Revealed"), but its names and figures recur
TITLE_IN_STORY = 1 / 3


def _about(title: str | None, words: set[str]) -> bool:
    """Is ``title`` about the story whose normalised words are ``words``?

    A title found in plain text among the lines around a story is often another page's headline (a
    newsletter box, a portal's lead story, the page a copy was pasted into): it says nothing about this
    copy. Short words ("the", "of", "von") tell nothing either way.
    """
    telling = [w for w in normalise(title or "") if len(w) > 3 or w.isdigit()]
    return bool(telling) and sum(w in words for w in telling) >= TITLE_IN_STORY * len(telling)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _date(doc: Document) -> str | None:
    """The copy's publication date when it is a real date (ISO, as extracted from HTML), else None:
    a date line found in plain text ("Updated an hour ago") does not sort."""
    value = str(doc.metadata.get("published") or doc.metadata.get("date") or "")
    return value if _ISO_DATE.match(value) else None


def _shingle_sequence(words: list[str], k: int) -> np.ndarray:
    """The xxh32 hashes of the word k-grams in text order (``shingle_hashes`` before ``unique``)."""
    return gram_hashes(grams(words, k))


@dataclass
class _Copy:
    """One member as the canonical choice sees it: its story paragraphs (page chrome found in other
    groups left out), their shingles, and how many words that chrome had."""

    paras: list[tuple[str, ...]]  #: normalised words of each story paragraph
    notices: list[bool]  #: which of them are an editor's note, correction or update (``meta.notice``)
    shingles: np.ndarray
    chrome_words: int
    words: int
    #: the story paragraphs' shingle hashes in text order (``_shingle_sequence``), made once for
    #: ``_added_words`` and ``_substitutions``
    seq: np.ndarray


@lru_cache(maxsize=512)  # a word tuple costs ~60 bytes a word: 4096 paragraphs were ~10 MB
def _normalised(paragraph: str) -> tuple[str, ...]:
    """``normalise`` of a paragraph, remembered for the last few hundred: the copies of a group,
    chosen from one after another, share most paragraphs."""
    return tuple(normalise(paragraph))


def _copy(doc: Document, sig: Signature, k: int, chrome: np.ndarray) -> _Copy:
    raw = [p for p in doc.text.split("\n\n") if p.strip()]
    normalised = [_normalised(p) for p in raw]  # once: the keys and the story words both need them
    if len(chrome):
        keys = np.fromiter((words_key(w) for w in normalised), np.uint64, count=len(raw))
        foreign = np.isin(keys, chrome).tolist()
    else:
        foreign = [False] * len(raw)
    paras, notices, chrome_words, words = [], [], 0, 0
    for p, w, f in zip(raw, normalised, foreign, strict=True):
        words += len(w)
        is_notice = (f or bool(w)) and notice(p)
        if f and not is_notice:  # a notice repeated in other stories is still this copy's own
            chrome_words += len(w)
        elif w:
            paras.append(w)
            notices.append(is_notice)
    seq = _shingle_sequence([w for p in paras for w in p], k)
    shingles = np.unique(seq) if chrome_words else sig.shingles  # ``shingle_hashes`` of the story words
    return _Copy(paras, notices, shingles, chrome_words, max(1, words), seq)


#: own words at a copy's start or end count as added text only in runs of at least this many: a
#: shorter run is a heading or label that other copies' cleaning dropped ("Claim", "Girls basketball");
#: a note is a sentence (``meta.notice`` asks for 5+ words too)
MIN_ADDED_WORDS = 5


def _own_words(copy: _Copy, held: np.ndarray, k: int) -> np.ndarray:
    """Which of the copy's words are its own: no shingle holding the word is in another copy
    (``held``: which shingles of ``copy.seq`` another copy holds).

    A new adjacency of shared words (a line kept or dropped next to them, a paragraph dropped)
    makes own shingles but no own word.
    """
    n = sum(len(p) for p in copy.paras)
    if n < k:  # the whole text is one shingle
        return np.full(n, not held.any())
    return np.convolve(held.astype(np.int64), np.ones(k, dtype=np.int64))[:n] == 0


def _added_words(copy: _Copy, held: np.ndarray, in_core: np.ndarray, k: int) -> tuple[int, int]:
    """Words no other copy has (``_own_words``) that read as added: (those in editor's notes,
    corrections or update notices anywhere; those at the copy's start or end, in runs of
    ``MIN_ADDED_WORDS`` or more, outside notices).

    ``held`` and ``in_core`` say which shingles of ``copy.seq`` another copy holds and which most
    other copies hold. The start is everything up to the end of the first paragraph holding such
    core text (the story's start, which every copy has); the end is everything from the start
    of the last paragraph holding text of any other copy on (copies are cut at the end, so the end is
    where the longest other copy stops). A notice is an addition wherever it stands. Other text of
    its own in the middle of a copy is not an addition: it is text another copy lost (a dropped
    paragraph, a teaser's cut). Page residue kept at an edge looks like an addition too, so edge text
    that is not a notice weighs less than a notice (``choose_canonical``).
    """
    if not len(copy.seq):
        return 0, 0
    own = _own_words(copy, held, k)
    lengths = np.array([len(p) for p in copy.paras])
    ends = np.cumsum(lengths)  # word offset after each paragraph
    starts = ends - lengths
    in_notice = np.repeat(np.array(copy.notices, dtype=bool), lengths)
    pos = np.arange(len(own))
    if in_core.any():
        first, last = int(np.argmax(in_core)), len(held) - 1 - int(np.argmax(held[::-1]))
        head_end = int(ends[np.searchsorted(ends, first, side="right")])  # end of the paragraph of `first`
        tail_para = min(int(np.searchsorted(ends, last + k - 1, side="right")), len(lengths) - 1)
        edge = (pos < head_end) | (pos >= int(starts[tail_para]))
    else:
        edge = np.ones(len(own), dtype=bool)
    run = own & edge & ~in_notice
    bounds = np.flatnonzero(np.diff(np.r_[0, run.astype(np.int8), 0]))
    runs = bounds[1::2] - bounds[::2]
    return int((own & in_notice).sum()), int(runs[runs >= MIN_ADDED_WORDS].sum())


def _story_shingles(copy: _Copy, k: int) -> np.ndarray:
    """The copy's shingles without those touching an editor's note, correction or update notice:
    a note is not story, so it must not make a copy look more complete (a note of 15 words is
    over 10 % of a short story)."""
    if not any(copy.notices) or not len(copy.seq):
        return copy.shingles
    lengths = [len(p) for p in copy.paras]
    in_notice = np.repeat(np.array(copy.notices, dtype=np.int64), lengths)
    if len(in_notice) < k:
        return np.zeros(0, dtype=np.uint32)
    touched = np.convolve(in_notice, np.ones(k, dtype=np.int64))[k - 1 : k - 1 + len(copy.seq)] > 0
    return np.unique(copy.seq[~touched])


def _substitutions(
    copy: _Copy,
    held: np.ndarray,
    k: int,
    others: list[_Copy],
    reads: Callable[[list[str]], float] | None = None,
    group: tuple[_Positions, int] | None = None,
) -> int:
    """How many runs of the copy's own shingles, between shingles other copies hold, are a word or a
    figure changed (one changed word makes ``k`` own shingles in a row) or a paragraph dropped (the
    ``k - 1`` shingles across the gap). Text another copy lost makes a longer run, and the copy's
    edges are ``_added_words``'s. Two copies that each have their own version of a passage have one
    each: a third copy that holds one version tells which one was changed (the version most copies
    carry wins, as for added notes). Without a third, the rest of the batch tells (``reads``,
    ``wordpairs``): a word changed into another makes word pairs no other text uses, so a word whose
    version reads better than the one other copy's is not counted. ``held``: which shingles of
    ``copy.seq`` another copy holds; ``group``: the ``_Positions`` of the whole group (``others`` and
    this copy) and this copy's place in it, made once for all its copies."""
    seq = copy.seq
    own = ~held
    if not own.any() or own.all():
        return 0
    edges = np.flatnonzero(np.diff(np.r_[0, own.astype(np.int8), 0]))
    starts, ends = edges[::2], edges[1::2]  # runs of own shingles: [start, end)
    inner = (starts > 0) & (ends < len(seq)) & (ends - starts >= k - 1) & (ends - starts <= k)
    changed = 0
    positions, me = group if group is not None else (_Positions([c.seq for c in others]), None)
    for a, b in zip(starts[inner].tolist(), ends[inner].tolist(), strict=True):
        # only whether one copy or more has another version counts: two are enough to know
        found = _other_versions(seq[a - 1], seq[b], copy.shingles, positions, me, limit=2)
        if len(found) == 1 and reads is not None:
            j, p, q = found[0]
            # the words from the last of the shingle before to the first of the shingle after
            mine, theirs = _flat(copy)[a + k - 2 : b + 1], _flat(others[j])[p + k - 1 : q + 1]
            if len(mine) == len(theirs) and reads(mine) > reads(theirs):  # a word for a word, reading better
                continue
        changed += bool(found)
    return changed


def _flat(copy: _Copy) -> list[str]:
    """The copy's story words in one list (``copy.seq`` is their shingles)."""
    return [w for p in copy.paras for w in p]


class _Positions:
    """Where every shingle stands in a group's copies (``seq`` each): their sequences sorted once, so
    ``_other_versions`` finds the copies holding a shingle by binary search instead of scanning every
    copy for every question (a story syndicated 2,000 times asked ~1M questions of one group)."""

    def __init__(self, seqs: list[np.ndarray]) -> None:
        self.seqs = seqs
        lens = np.array([len(s) for s in seqs], dtype=np.int64)
        flat = np.concatenate(seqs) if seqs else np.zeros(0, dtype=np.uint32)
        order = np.argsort(flat, kind="stable")  # equal shingles stay in copy order, then text order
        self.values = flat[order]
        self.width = int(lens.max()) + 1 if len(lens) else 1
        copy = np.repeat(np.arange(len(seqs)), lens)
        position = np.arange(len(flat)) - np.repeat(np.cumsum(lens) - lens, lens)
        self.keys = (copy * self.width + position)[order]  # ascending within each shingle's run

    def of(self, value: int) -> np.ndarray:
        """The keys (copy * ``width`` + position) where ``value`` stands, ascending."""
        lo = np.searchsorted(self.values, value, side="left")
        hi = np.searchsorted(self.values, value, side="right")
        return self.keys[lo:hi]


def _other_versions(
    before: int,
    after: int,
    mine: np.ndarray,
    others: list[np.ndarray] | _Positions,
    skip: int | None = None,
    limit: int | None = None,
) -> list[tuple[int, int, int]]:
    """Where other copies (``seq`` each) hold the shingle ``before`` and, next after it, ``after``
    with mostly text between them that this copy lacks (its own version of the word, or the
    paragraph this copy dropped): (which copy, where its ``before``, where the ``after``), the first
    such place of each, in copy order (the first ``limit`` copies found). Text that repeats itself (a
    meal plan listing the same items for six plans) holds both shingles elsewhere too, in another
    order or around text this copy has: no edit is seen.

    ``others`` may be a ``_Positions`` of the whole group, ``skip`` then being this copy's place in
    it: the copies are numbered as in the group without it."""
    at = others if isinstance(others, _Positions) else _Positions(others)
    befores, afters = at.of(before), at.of(after)
    if not len(befores) or not len(afters):
        return []
    # the first ``after`` behind each ``before``, in the same copy
    nexts = np.searchsorted(afters, befores + 1)
    found: list[tuple[int, int, int]] = []
    done = -1  # the copy last found in: its later places are not looked at
    for key, n in zip(befores.tolist(), nexts.tolist(), strict=True):
        j, p = divmod(key, at.width)
        if j == done or j == skip or n == len(afters) or afters[n] // at.width != j:
            continue
        q = int(afters[n]) % at.width
        between = at.seqs[j][p + 1 : q]
        # mostly: a word swapped in from the story's own vocabulary may make a shingle it has
        if 2 * count_in(between, mine) < len(between):
            found.append((j - (skip is not None and j > skip), p, q))
            done = j
            if limit is not None and len(found) >= limit:
                break
    return found


#: what decided the choice, in the order of the sort key (for ``canonical_reason``)
_DECIDED_BY = (
    "completeness: every other copy holds less of the story",
    "the least text added as an editor's note, correction or update",
    "the fewest words changed that other copies hold otherwise",
    "the least text added at its start or end",
    "the least page chrome found in other stories",
    "holding more of the other copies' text (of 3+ copies: of the text two or more of them hold)",
    "the least text no other copy has",
    "a title about the story (not another page's headline found around it)",
    "more metadata found with it (title, author, site name, URL; in plain text, from lines around the story)",
    "the earliest publication date",
)


#: cells of the dense membership block multiplied at once (float32: 16 MiB)
_BLOCK_CELLS = 1 << 22


def _pairwise(shingles: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The group's distinct shingles (sorted), how many members hold each, and the members' pairwise
    intersection sizes (diagonal: their own sizes).

    Only shingles held by two or more members add to an intersection: their membership, a block of
    columns at a time, is a dense 0/1 matrix ``D`` and the intersections are ``D @ D.T``. Exact:
    every entry of a block's product is an integer below 2^24, which float32 holds. One sort of the
    group's shingles instead of one set intersection per pair of members (a group of a few hundred
    copies has tens of thousands of pairs).
    """
    n = len(shingles)
    sizes = np.array([len(x) for x in shingles], dtype=np.int64)
    flat = np.concatenate(shingles) if n else np.zeros(0, dtype=np.uint32)
    owner = np.repeat(np.arange(n), sizes)
    values, inverse, counts = np.unique(flat, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    shared = counts >= 2
    column = np.cumsum(shared) - 1
    held = shared[inverse]
    col, row = column[inverse[held]], owner[held]
    order = np.argsort(col, kind="stable")
    col, row = col[order], row[order]
    inter = np.zeros((n, n), dtype=np.int64)
    width = int(shared.sum())
    block = max(1, _BLOCK_CELLS // max(n, 1))
    for start in range(0, width, block):
        lo, hi = np.searchsorted(col, [start, start + block])
        dense = np.zeros((n, min(block, width - start)), dtype=np.float32)
        dense[row[lo:hi], col[lo:hi] - start] = 1.0
        inter += (dense @ dense.T).astype(np.int64)
    inter[np.diag_indices(n)] = sizes
    return values, counts, inter


def choose_canonical(
    members: list[Document],
    sigs: dict[str, Signature],
    shingle_size: int = 5,
    chrome: np.ndarray | None = None,
    pairs: wordpairs.WordPairs | None = None,
) -> list[Document]:
    """Reorder a group so the best copy is first, and record why it won and how alike the others are.

    Paragraphs in ``chrome`` (found in documents of other groups: ``shared_paragraphs``) are page
    chrome, not story: they count neither for completeness nor as text of the copy's own.
    Completeness is coverage: the mean share of each other copy's story shingles that a copy holds
    (a full story covers its teasers; a teaser does not cover the full story; editor's notes are not
    story). Among the copies within ``COVERAGE_TOLERANCE`` of the best coverage, the one with the
    fewest words of its own in an editor's note, correction or update wins; then the fewest changed
    words that other copies hold otherwise (of two versions of a word, the one reading worse to the
    rest of the batch, ``pairs``, is the changed one); then the fewest words of its own *at its start or end*
    (``_added_words``: where a note is added; it makes a copy longer, not more complete, while text
    missing from the middle of another copy is a cut in that copy; but page residue one copy kept
    sits there too, so this weighs less than a notice or a changed word); then the least page chrome.
    Then holding more of the other copies' text, and of three or more copies only of the text two or
    more of them hold (text one copy alone has is no evidence of completeness: an addition, residue
    kept, or story all others lost; of two copies both hold the same shared text, and the one that
    holds all of the other's is the longer, complete one), less text of its own anywhere, a title
    about the story (``_about``), richer metadata, earlier date (only when every copy has a real one)
    and a stable id decide.
    """
    chrome = np.zeros(0, dtype=np.uint64) if chrome is None else chrome
    copies = [_copy(m, sigs[m.source], shingle_size, chrome) for m in members]
    shingles = [c.shingles for c in copies]
    n = len(members)
    cover, cover_shared, unique, noted, edged, changed = [], [], [], [], [], []
    # every pair's intersection and every shingle's holders at once; the others of copy i hold a
    # shingle ``counts`` times, less once when copy i holds it too
    values, counts, inter = _pairwise(shingles)
    # the members' own word pairs prove nothing about which of their versions reads better
    reads = pairs.reading(normalise(m.text) for m in members) if pairs is not None else None
    # coverage leaves editor's notes out (made again only for a group where a copy has one)
    story = [_story_shingles(c, shingle_size) for c in copies]
    story_inter = _pairwise(story)[2] if any(s is not c.shingles for s, c in zip(story, copies, strict=True)) else inter
    story_sizes = np.diag(story_inter).copy()
    # each copy's shingles that another copy holds too (what coverage counts of 3+ copies)
    at = [np.searchsorted(values, x) for x in shingles]  # each copy's shingles among ``values``
    shared = np.array([int((counts[a] >= 2).sum()) for a in at])
    positions = _Positions([c.seq for c in copies])  # where each shingle stands, for ``_substitutions``
    for i in range(n):
        rest = np.arange(n) != i
        cov = np.where(story_sizes[rest] > 0, story_inter[i, rest] / np.maximum(story_sizes[rest], 1), 1.0)
        cover.append(sum(cov.tolist()) / (n - 1))  # summed as floats in member order
        cov = np.where(shared[rest] > 0, inter[i, rest] / np.maximum(shared[rest], 1), 1.0)
        cover_shared.append(sum(cov.tolist()) / (n - 1))
        size = max(1, len(shingles[i]))
        unique.append(int((counts[at[i]] == 1).sum()) / size)  # shingles no other copy has
        # how many other copies hold each shingle of the copy's text (its own set holds them all)
        others = counts[np.searchsorted(values, copies[i].seq)] - 1
        held = others > 0
        in_core = 2 * others > n - 1  # held by most other copies: the story, not one site's residue
        words = max(1, sum(len(p) for p in copies[i].paras))
        in_notes, at_edges = _added_words(copies[i], held, in_core, shingle_size)
        noted.append(in_notes / words)
        edged.append(at_edges / words)
        others = [c for j, c in enumerate(copies) if j != i]
        changed.append(_substitutions(copies[i], held, shingle_size, others, reads, (positions, i)))
    best_cov = max(cover)
    about = [_about(m.title, set().union(*c.paras)) for m, c in zip(members, copies, strict=True)]
    dates = [_date(m) for m in members]
    dated = all(dates)  # an undated copy is neither earlier nor later: dates decide only among dated ones

    def key(i: int) -> tuple:
        m = members[i]
        return (
            cover[i] < best_cov - COVERAGE_TOLERANCE,
            round(noted[i], 3),
            changed[i],
            round(edged[i], 3),
            round(copies[i].chrome_words / copies[i].words, 3),
            -round(cover_shared[i] if n > 2 else cover[i], 3),
            round(unique[i], 3),
            -about[i],
            -richness(m, about[i]),
            dates[i] if dated else "",
            sigs[m.source].hashvalues.tobytes(),
            m.text,  # copies alike once normalised (quote style): still not decided by their names
            m.id,
            m.source,
        )

    order = sorted(range(n), key=key)
    c, r = order[0], order[1]
    canon = members[c]
    rest = [members[i] for i in order[1:]]
    canon.duplicates = []
    for o in rest:
        o.duplicates = []
        jac, con = similarity(sigs[canon.source], sigs[o.source])
        canon.duplicates.append(
            {"source": o.source, "id": o.id, "jaccard": round(jac, 3), "containment": round(con, 3)}
        )
    won, lost = key(c), key(r)
    decided = next((i for i in range(len(_DECIDED_BY)) if won[i] != lost[i]), None)
    chrome_note = (
        f"; {copies[c].chrome_words} words of it are page chrome found in other stories and not counted"
        if copies[c].chrome_words
        else ""
    )
    canon.metadata["canonical_reason"] = (
        f"most complete of {n} copies: holds {cover[c]:.0%} of the other copies' story text on average "
        f"(best {best_cov:.0%}); {noted[c] + edged[c]:.0%} of its words are its own, in an editor's note or "
        f"at its start or end ({noted[r] + edged[r]:.0%} of the next copy){chrome_note}; decided by "
        + (_DECIDED_BY[decided] if decided is not None else "a stable order (the copies' texts are alike)")
    )
    return [canon, *rest]
