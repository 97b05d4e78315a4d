"""Numbers that describe each block and its surroundings, for the learned block classifier.

Three kinds of evidence, all language-independent except stopword density (which uses the guessed
language's justext stoplist): the block's own shape (length, end punctuation, capitalisation, digits,
links, bullets, dates, bylines, phrase rules), its neighbourhood (how prose-like the blocks around it
are, the group of lines it sits in, where it lies in the document) and, in the second stage, what the
first stage thought of its neighbours (so a subheading between two story paragraphs is kept and a
long sentence inside a menu is not).
"""

from __future__ import annotations

import math
import re
import struct
from collections import Counter
from dataclasses import dataclass
from operator import itemgetter

import numpy as np

from . import meta
from .blocks import Block, keyword_list
from .phrases import Match, normalise
from .remember import make_room
from .stopwords import stopword_density

_TERMINAL = re.compile(r"""[.!?…。！？]["'”’»)\]]*$""")
_BULLET = re.compile(r"^\s*(?:[-–—•·*▪●◦►▶]|\d{1,2}[.)])\s+")
_URL = re.compile(r"https?://|www\.|\.com\b|@\w|\b[\w.-]+@[\w-]+\.\w")
_SEPARATOR = re.compile(r"\s[|»›/•·]\s|\s[|»›/•·]$")
#: every match of ``_SEPARATOR`` holds one of these (most lines hold none)
_SEPARATOR_NEEDS = "|»›/•·"
#: what ``_TERMINAL`` reads at a line's end: closing quotes and brackets, then a terminal character
_CLOSERS = "\"'”’»)]"
_TERMINALS = (".", "!", "?", "…", "。", "！", "？")
_WORD = re.compile(r"\w+", re.U)
_ASCII_WORD = re.compile(r"\w+", re.A)  # the same tokens on ASCII text, found faster
_LETTER = re.compile(r"[^\W\d_]", re.U)
_CAP = re.compile(r"^[\"'“‘(]?[A-ZÀ-ÞĀ-ɏА-ЯΑ-Ω]")
_LOWER = re.compile(r"^[\"'“‘(]?[a-zß-ÿа-яα-ω]")
# "Jane on May 3, 2019 at 4:47 pm said:", "John Smith says:", "Reply", "12 replies": comment widgets
_COMMENT_HEAD = re.compile(
    r"^.{1,80}\b(said|says|wrote|commented|replied|sagte|schrieb|a dit|dijo|disse|ha detto)\s*:?$"
    r"|^(reply|responder|antworten|répondre|rispondi)$|^\d+\s+(replies|repl(y|ies)|likes?)$",
    re.I,
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
#: every alternative of ``_URL`` holds one of these
_URL_NEEDS = ("@", "://", "www.", ".com")


def _link(text: str) -> bool:
    """``_URL.search``, skipped on the lines (most) without a string it needs."""
    return any(map(text.__contains__, _URL_NEEDS)) and _URL.search(text) is not None


def _terminal(text: str) -> bool:
    """``_TERMINAL.search``, read from the line's end instead of tried at every position of it (``$``
    also matches before a final newline)."""
    end = text[:-1] if text.endswith("\n") else text
    return end.rstrip(_CLOSERS).endswith(_TERMINALS)


def _separator(text: str) -> bool:
    """``_SEPARATOR.search``, skipped on the lines (most) without a character it needs."""
    return any(map(text.__contains__, _SEPARATOR_NEEDS)) and _SEPARATOR.search(text) is not None


def _tokens(text: str) -> list[str]:
    """``_WORD.findall(text)``; on ASCII text ``\\w`` is the ASCII class, whose pattern runs faster."""
    return (_ASCII_WORD if text.isascii() else _WORD).findall(text)


def _comment_head(text: str) -> bool:
    """``_COMMENT_HEAD.match``, skipped on long lines it cannot match: its expressions take at most
    80 characters and a 9-letter word before the trailing spaces and colon, or start with a digit."""
    if len(text) > 100 and not text[:1].isdecimal() and not text.endswith(":") and not text[-1:].isspace():
        return False
    return _COMMENT_HEAD.match(text) is not None

BASE = (
    "log_size",  # words, or characters / 3 for scripts without spaces
    "log_chars",
    "terminal",
    "colon_end",
    "question_end",
    "stop_density",
    "cap_ratio",
    "all_caps",
    "digit_ratio",
    "link",
    "bullet",
    "date",
    "byline",
    "person",
    "phrase",
    "list_marker",
    "list_run",
    "prose",
    "commas",
    "repeated",
    "headline",
    "blank_before",
    "starts_lower",
    "separator",
    "no_letters",
    "short",  # fewer than 4 words
    "long",  # 25 words or more
    "group_log_lines",  # lines in the blank-separated group the block sits in
    "group_mean_size",
    "comment_head",
    "after_comments",  # a comments marker or comment header came earlier
    "after_footer",  # a copyright/footer line came earlier
    "after_list_marker",  # a related/more-stories marker came earlier
    "log_since_marker",  # blocks since the last list or comments marker
    "table_row",  # "| a | b |" (trafilatura's tables) or a cell of one
    "cjk",  # share of CJK characters (scripts written without spaces)
    "head_caps",  # share of capitalised words among the first six (a headline glued to a teaser)
    "ellipsis_end",  # ends in "…" or "...": a truncated teaser
    "shared_opening",  # another block starts with the same six words (teasers repeat headlines)
)


@dataclass(frozen=True)
class Shape:
    """Per-block numbers that rules also use (so they are computed once)."""

    size: int
    terminal: bool
    density: float
    prose: bool


def shape(block: Block, stops: frozenset[str]) -> Shape:
    return _shape(block.text, stops)


def _shape(
    text: str,
    stops: frozenset[str],
    words: list[str] | None = None,
    toks: list[str] | None = None,
    cjk: int | None = None,
) -> Shape:
    """The block's ``Shape`` (``words``, ``toks``, ``cjk``: ``text.split()``, its ``\\w+`` tokens and
    its count of CJK characters, when the caller has them already)."""
    nwords = len(text.split() if words is None else words)
    if cjk is None:
        cjk = len(_CJK.findall(text))
    size = max(nwords, cjk // 2) if cjk else (nwords if (nwords >= 3 or len(text) < 40) else len(text) // 6)
    terminal = _terminal(text)
    if not stops:
        density = 0.3
    elif toks is None:
        density = stopword_density(text, stops)
    else:  # stopwords.stopword_density on the tokens given, counted at C level
        density = sum(map(stops.__contains__, map(str.lower, toks))) / len(toks) if toks else 0.0
    # a long unterminated line is prose, unless it is a list of tags
    prose = (size >= 8 and terminal and density >= 0.15) or (
        size >= 25 and density >= 0.2 and not keyword_list(text)
    )
    return Shape(size, terminal, density, prose)


#: the ``BASE`` columns that depend on more than the line itself, in the order ``base_features`` fills them
_REST = (
    "phrase",
    "list_marker",
    "list_run",
    "repeated",
    "blank_before",
    "group_log_lines",
    "group_mean_size",
    "after_comments",
    "after_footer",
    "after_list_marker",
    "log_since_marker",
    "shared_opening",
)
#: where each of them goes in a ``BASE`` row
_COL = {c: BASE.index(c) for c in _REST}
#: the ``BASE`` columns that depend on the line's text alone (and the stoplist), in ``BASE`` order
LOCAL = tuple(c for c in BASE if c not in _REST)
_LOCAL_COLS = [BASE.index(c) for c in LOCAL]
_COMMENT_HEAD_COL = LOCAL.index("comment_head")
_COMMENT_HEAD_BASE = BASE.index("comment_head")
#: a ``LOCAL`` row as native float64 bytes
_ROW = struct.Struct(f"={len(LOCAL)}d")


@dataclass(frozen=True)
class LineFacts:
    """What a line says about itself: its ``Shape``, its word count, its ``LOCAL`` feature values (also
    as the bytes of a float64 row, so a page's rows become one array without a conversion per
    number) and its form for phrase rules (``phrases.normalise``)."""

    shape: Shape
    nwords: int
    local: tuple[float, ...]
    row: bytes = b""
    norm: str = ""
    #: the first six words of ``norm`` (teasers repeat a headline's opening)
    head: str = ""


def _line_facts(text: str, stops: frozenset[str]) -> LineFacts:
    """``_facts(text, _shape(text, stops))``, splitting the line into words and tokens once for both."""
    words = text.split()
    toks = _tokens(text)
    cjk = len(_CJK.findall(text))
    return _facts(text, _shape(text, stops, words, toks, cjk), words, toks, cjk)


def _facts(
    text: str,
    sh: Shape,
    words: list[str] | None = None,
    toks: list[str] | None = None,
    cjk: int | None = None,
) -> LineFacts:
    if words is None:
        words = text.split()
    if toks is None:
        toks = _tokens(text)
    if cjk is None:
        cjk = len(_CJK.findall(text))
    nwords = len(words)
    ntok = max(1, len(toks))
    capital = list(map(_CAP.match, words))  # one pass for both capital counts
    caps = len(capital) - capital.count(None)
    digits = sum(map(str.isdigit, map(itemgetter(0), toks)))
    local = (
        math.log1p(sh.size),
        math.log1p(len(text)),
        sh.terminal,
        text.endswith(":"),
        text.rstrip("\"'”’»)").endswith(("?", "？")),
        sh.density,
        caps / max(1, len(words)),
        text.isupper() and len(text) > 3,
        digits / ntok,
        _link(text),
        bool(_BULLET.match(text)),
        meta.dateline(text),
        meta.byline(text) is not None,
        2 <= nwords <= 4 and meta.person_name(text),  # its own word-count test, without splitting again
        sh.prose,
        text.count(",") / ntok,
        3 <= nwords <= 30 and meta.headline_like(text),  # the same
        bool(_LOWER.match(text)),
        _separator(text),
        not _LETTER.search(text),
        sh.size < 4,
        sh.size >= 25,
        _comment_head(text),
        text.startswith("|") or text.endswith(" |") or text.count(" | ") >= 2,
        cjk / max(1, len(text)),
        (min(6, len(words)) - capital[:6].count(None)) / max(1, min(6, len(words))),
        text.endswith(("…", "...")),
    )
    values = tuple(map(float, local))
    norm = normalise(text)
    row = _ROW.pack(*values)  # the bytes of ``np.array(values, dtype=np.float64)``, a third of its time
    # the first six words (``norm`` has single spaces): the rest of a long line is not split
    return LineFacts(sh, nwords, values, row, norm, " ".join(norm.split(maxsplit=6)[:6]))


class LineCache:
    """``LineFacts`` by (line, stoplist): site chrome recurs across a corpus, so a run meets most
    lines of its menus and footers many times. Pure function of its key, so the cache changes no
    result; when full it keeps only the lines met again (``remember.make_room``), so its memory stays
    bounded. ``hits``/``misses`` say how much it saves."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self.hits = self.misses = 0
        self._facts: dict[tuple[str, frozenset[str]], LineFacts] = {}
        #: the lines met again since the cache was last full (a site's chrome; a story's lines come once)
        self._reused: set[tuple[str, frozenset[str]]] = set()

    def clear(self) -> None:
        self._facts.clear()
        self._reused.clear()

    def facts(self, text: str, stops: frozenset[str]) -> LineFacts:
        key = (text, stops)
        found = self._facts.get(key)
        if found is not None:
            self.hits += 1
            self._reused.add(key)
            return found
        self.misses += 1
        if len(self._facts) >= self.size:
            make_room(self._facts, self._reused, self.size)
        found = self._facts[key] = _line_facts(text, stops)
        return found


#: one per process (workers fill their own)
LINES = LineCache()


def base_features(
    blocks: list[Block],
    shapes: list[Shape],
    matches: list[Match | None],
    list_run: list[bool],
    norms: list[str] | None = None,
    facts: list[LineFacts] | None = None,
) -> np.ndarray:
    """One row of ``BASE`` numbers per block (``norms``: the blocks' ``normalise``d texts and
    ``facts`` their ``LineFacts``, when already made). The columns that depend on other blocks are
    filled one column at a time (a row tuple per block cost a quarter more)."""
    n = len(blocks)
    X = np.zeros((n, len(BASE)), dtype=np.float64)
    if n == 0:
        return X
    if norms is None:
        norms = [normalise(b.text) for b in blocks]
    if facts is None:
        facts = [_facts(b.text, sh) for b, sh in zip(blocks, shapes, strict=True)]
    counts = Counter(norms)
    # blank-separated groups of lines (html-text puts one HTML block per line, blank between blocks)
    blank = [b.blank_before for b in blocks]
    starts = np.array(blank, dtype=bool)
    starts[0] = True
    group_id = np.cumsum(starts) - 1
    group_lines = np.bincount(group_id)
    group_size = [0.0] * len(group_lines)  # summed in block order, as Python floats
    for gid, v in zip(group_id.tolist(), [math.log1p(sh.size) for sh in shapes], strict=True):
        group_size[gid] += v
    lines_of = group_lines.tolist()
    group_log = np.array([math.log(c) for c in lines_of])
    group_mean = np.array([t / c for t, c in zip(group_size, lines_of, strict=True)])

    if all(f.norm == s_ for f, s_ in zip(facts, norms, strict=True)):
        heads = [f.head for f in facts]  # made once per distinct line
    else:
        heads = [" ".join(s_.split()[:6]) for s_ in norms]
    openings = Counter(heads)
    X[:, _LOCAL_COLS] = np.frombuffer(b"".join([f.row for f in facts]), dtype=np.float64).reshape(n, len(LOCAL))
    # the rule matches (few blocks have one) and the markers they and the comment headers set
    phrase, list_marker = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    comments = X[:, _COMMENT_HEAD_BASE] > 0
    footer = np.zeros(n, dtype=bool)
    for k, m in enumerate(matches):
        if m is not None:
            if m.kind == "list":
                list_marker[k] = True
            else:
                phrase[k] = True
            if m.reason == "comments":
                comments[k] = True
            elif m.reason == "footer":
                footer[k] = True
    idx = np.arange(n)
    # the last list or comments marker before each block (-1: none), and log1p of the distance to it
    # (math.log1p's own values, from a table: the distances are whole numbers up to n)
    last = np.maximum.accumulate(np.where(comments | list_marker, idx, -1))
    before = np.concatenate(([-1], last[:-1]))
    table = np.array([math.log1p(d) for d in range(n + 1)])
    X[:, _COL["phrase"]] = phrase
    X[:, _COL["list_marker"]] = list_marker
    X[:, _COL["list_run"]] = list_run
    X[:, _COL["repeated"]] = [counts[s_] >= 2 for s_ in norms]
    X[:, _COL["blank_before"]] = blank
    X[:, _COL["group_log_lines"]] = group_log[group_id]
    X[:, _COL["group_mean_size"]] = group_mean[group_id]
    # a marker came earlier: any before the block itself
    X[1:, _COL["after_comments"]] = np.logical_or.accumulate(comments)[:-1]
    X[1:, _COL["after_footer"]] = np.logical_or.accumulate(footer)[:-1]
    X[1:, _COL["after_list_marker"]] = np.logical_or.accumulate(list_marker)[:-1]
    X[:, _COL["log_since_marker"]] = table[np.where(before >= 0, idx - before, n)]
    X[:, _COL["shared_opening"]] = [f.nwords >= 4 and openings[h] >= 2 for f, h in zip(facts, heads, strict=True)]
    return X


# columns of BASE that the neighbourhood features average
_CONTEXT_COLS = [BASE.index(c) for c in ("log_size", "terminal", "stop_density", "prose", "phrase", "link")]
_WINDOWS = (1, 3, 10)


def _cumsum0(v: np.ndarray) -> np.ndarray:
    """Running sums of ``v``'s rows with a zero row first (made once, shared by every window)."""
    return np.concatenate([np.zeros((1,) + v.shape[1:]), np.cumsum(v, axis=0)])


_WINDOW_SIZES = np.array(_WINDOWS)[:, None]


def _window_means(v: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Mean of ``v`` over rows [k-w, k+w] (clipped at the ends), excluding row k itself, for every
    ``w`` of ``_WINDOWS`` (``c``: ``_cumsum0(v)``); one numpy call per step for all windows."""
    n = len(v)
    idx = np.arange(n)
    lo, hi = np.maximum(0, idx - _WINDOW_SIZES), np.minimum(n, idx + _WINDOW_SIZES + 1)
    total = c[hi] - c[lo] - v
    cnt = (hi - lo - 1)[:, :, None]
    return total / np.maximum(cnt, 1)


def _segment(scores: np.ndarray) -> tuple[int, int]:
    """Maximum-sum contiguous segment [start, end) (Kadane); (0, 0) when nothing is positive."""
    best, span = 0.0, (0, 0)
    run, start = 0.0, 0
    for i, s in enumerate(scores.tolist()):
        if run <= 0:
            run, start = s, i
        else:
            run += s
        if run > best:
            best, span = run, (start, i + 1)
    return span


def _position(n: int, score: np.ndarray) -> np.ndarray:
    """Where each block lies: relative position, inside the densest segment, distance to it."""
    start, end = _segment(score)
    idx = np.arange(n)
    seg = (idx >= start) & (idx < end)
    dist = np.where(idx < start, start - idx, np.where(idx >= end, idx - end + 1, 0))
    rel = idx / max(1, n - 1)
    return np.column_stack([rel, seg, np.log1p(dist), idx < start, idx >= end])


POSITION = ("rel_pos", "in_segment", "log_dist_segment", "before_segment", "after_segment")
DOCUMENT = ("doc_prose_share", "doc_log_blocks", "doc_link_share")
CONTEXT = tuple(f"{BASE[c]}_w{w}" for w in _WINDOWS for c in _CONTEXT_COLS) + POSITION + DOCUMENT


def context_features(X: np.ndarray) -> np.ndarray:
    """Neighbourhood, position and whole-document numbers for every block."""
    n = len(X)
    sub = X[:, _CONTEXT_COLS]
    c = _cumsum0(sub)
    parts = list(_window_means(sub, c))
    prose = X[:, BASE.index("prose")]
    size = X[:, BASE.index("log_size")]
    score = np.where(prose > 0, size, -0.7)
    parts.append(_position(n, score))
    doc = np.array([prose.mean(), math.log1p(n), X[:, BASE.index("link")].mean()])
    parts.append(np.tile(doc, (n, 1)))
    return np.hstack(parts)


_P_WINDOWS = (1, 2, 5, 15)
_P_SIZES = np.array(_P_WINDOWS)[:, None]
STAGE2 = (
    ("p_self",)
    + tuple(f"p_before_{w}" for w in _P_WINDOWS)
    + tuple(f"p_after_{w}" for w in _P_WINDOWS)
    + ("p_max_before_5", "p_max_after_5", "p_seg_in", "p_seg_log_dist", "p_doc_mean")
)


def stage2_features(p: np.ndarray) -> np.ndarray:
    """What the first stage thought of each block and its neighbours."""
    n = len(p)
    cols = [p]
    c = _cumsum0(p)
    # mean of p over the w rows before and the w rows after each row (0 where none), every w at once
    idx = np.arange(n)
    lo = np.maximum(0, idx - _P_SIZES)
    hi = np.minimum(n, idx + 1 + _P_SIZES)
    befores = (c[idx] - c[lo]) / np.maximum(idx - lo, 1)
    afters = (c[hi] - c[idx + 1]) / np.maximum(hi - idx - 1, 1)
    cols += list(befores) + list(afters)
    pad = np.concatenate([np.zeros(5), p, np.zeros(5)])
    win = np.lib.stride_tricks.sliding_window_view(pad, 5)
    cols.append(win[:n].max(axis=1))  # rows k-5..k-1
    cols.append(win[6 : 6 + n].max(axis=1))  # rows k+1..k+5
    start, end = _segment(np.log(np.clip(p, 1e-4, 1 - 1e-4) / (1 - np.clip(p, 1e-4, 1 - 1e-4))))
    idx = np.arange(n)
    cols.append(((idx >= start) & (idx < end)).astype(float))
    dist = np.where(idx < start, start - idx, np.where(idx >= end, idx - end + 1, 0))
    cols.append(np.log1p(dist))
    cols.append(np.full(n, p.mean()))
    return np.column_stack(cols)
