"""Split text into line blocks and repair them: broken Unicode (ftfy) and hard-wrapped sentences.

The repair keeps the story's own typography: ftfy runs with ``uncurl_quotes`` and
``fix_character_width`` off, so curly quotes, dashes and full-width CJK punctuation survive.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

import ftfy
from ftfy import chardata
from ftfy.badness import BADNESS_RE, is_bad

from .meta import byline, dateline, names_date, notice
from .phrases import MAX_RULE_CHARS, load_rules, normalise

_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, explain=False)
_END = re.compile(r"""[.!?…。！？:;"'”’»)\]]$""")
#: a sentence that ends inside a line, with more text after it
_INNER_END = re.compile(r"""[.!?…。！？]["'”’»)\]]*\s+\S""")
_BULLET = re.compile(r"^\s*(?:[-–—•·*▪●◦]|\d{1,2}[.)])\s+")
#: what may open a continuation line before its first letter (a quote, a bracket)
_OPENERS = "\"'“‘„«‹([¿¡"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: a line that is one token with an underscore: a file name or an id ("dp3_1_en", "IMG_2041"), never a
#: word a sentence goes on with (an image's name left in the page text under a list item)
_ID_LINE = re.compile(r"^\S*_\S*$")


@dataclass
class Block:
    """One line of input after repair; ``lines`` are the 1-based input lines it came from."""

    text: str
    lines: tuple[int, ...]
    blank_before: bool = False  #: a blank line (paragraph break) precedes it
    #: the reason a repair step already knows it is not story (``glued``: a list run into a line)
    cut: str | None = None


def repair(text: str) -> str:
    """Fix mojibake and control characters; keep quotes, dashes and widths.

    The result is ftfy's (with the config above), but ftfy, once the cleaner's largest cost, only
    sees the lines it could change (:func:`_fix_lines`): ~8x cheaper on scraped page text.
    """
    return _fix_lines(_CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))


#: characters one of ftfy's fixers acts on (besides mojibake, which ``is_bad`` finds): HTML entities,
#: C1 controls, line separators, surrogates, Latin ligatures and the control characters it removes
_FTFY_TOUCHES = re.compile(
    "[&\x80-\x9f\u2028\u2029\ud800-\udfff"
    + "".join(re.escape(chr(c)) for c in sorted({*chardata.LIGATURES, *chardata.CONTROL_CHARS}))
    + "]"
)
_FTFY_NO_ENTITIES = _FTFY._replace(unescape_html=False)


#: non-ASCII characters common in clean text (quotes, dashes, accented letters): a class without them
#: lets more lines skip the search
_COMMON = frozenset("“”‘’«»„‚‹›—–…·\xa0éèêëàâäáãåöôòóõüûùúñçíìîïœæß")


def _rarer(a: set[str], b: set[str]) -> bool:
    return (len(a & _COMMON), len(a)) < (len(b & _COMMON), len(b))


def _required_chars(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Characters of which every match of ``pattern`` holds at least one (for each alternative, its
    smallest class of non-ASCII characters that it must consume), or None when some alternative
    needs no such character. A line without any of them cannot match, so the search can be skipped.
    """
    from re import _constants as C
    from re import _parser

    if pattern.flags & re.IGNORECASE:
        return None
    tree = _parser.parse(pattern.pattern, pattern.flags)
    items = list(tree.data)
    alternatives = items[0][1][1] if len(items) == 1 and items[0][0] is C.BRANCH else [items]
    chosen: set[str] = set()
    for alternative in alternatives:
        best: set[str] | None = None
        for op, av in alternative:  # items of the sequence itself: each consumes exactly one character
            chars: set[str] | None = None
            if op is C.LITERAL:
                chars = {chr(av)}
            elif op is C.IN and all(o in (C.LITERAL, C.RANGE) for o, _ in av):
                chars = set()
                for o, a in av:
                    chars.update(chr(a) if o is C.LITERAL else map(chr, range(a[0], a[1] + 1)))
            if chars and all(ord(c) >= 0x80 for c in chars) and (best is None or _rarer(chars, best)):
                best = chars
        if best is None:
            return None
        chosen |= best
    return frozenset(chosen)


_BAD_NEEDS = _required_chars(BADNESS_RE)
#: a line without any of these has no mojibake by ftfy's measure (``is_bad`` is False)
_MAYBE_BAD = re.compile("[" + "".join(re.escape(c) for c in sorted(_BAD_NEEDS)) + "]") if _BAD_NEEDS else None


def _is_bad(line: str) -> bool:
    """``ftfy.badness.is_bad``, without its large search when no character it needs is there."""
    if _MAYBE_BAD is not None and _MAYBE_BAD.search(line) is None:
        return False
    return is_bad(line)


#: what a line that ftfy could change holds (when it is in NFC): a character a fixer acts on, or
#: what mojibake needs (None when the badness expression needs no such character)
_SUSPECT = (
    re.compile(_FTFY_TOUCHES.pattern[:-1] + "".join(re.escape(c) for c in sorted(_BAD_NEEDS)) + "]")
    if _BAD_NEEDS
    else None
)


def _needs_ftfy(line: str) -> bool:
    """Could ftfy change this line (with its line break)?"""
    if line.isascii():
        return "&" in line  # controls are gone: an entity is the only thing ftfy changes here
    return bool(_FTFY_TOUCHES.search(line) or _is_bad(line) or not unicodedata.is_normalized("NFC", line))


#: lines ``_fix_lines`` remembers before it starts again (bounds a long run's memory)
_FIXED_MAX = 20_000
#: (line, entities off) -> ftfy's line: "Terms & Conditions" and lines with curly quotes (mojibake
#: needs them, so ftfy's large badness search runs on them) recur across the pages of a site
_FIXED: dict[tuple[str, bool], str] = {}


def _fixed(segment: str, no_entities: bool) -> str:
    """The line ``segment`` (with its line break) as ftfy leaves it: a pure function, remembered."""
    key = (segment, no_entities)
    found = _FIXED.get(key)
    if found is None:
        if len(_FIXED) >= _FIXED_MAX:
            _FIXED.clear()
        if _needs_ftfy(segment):
            found = ftfy.fix_text(segment, _FTFY_NO_ENTITIES if no_entities else _FTFY)
        else:
            found = segment
        _FIXED[key] = found
    return found


def _fix_lines(text: str) -> str:
    """``ftfy.fix_text(text, _FTFY)``, calling ftfy only on the lines it could change.

    ftfy fixes each line on its own, so the others can be skipped: a line with none of the characters
    its fixers act on, no mojibake and already in NFC comes back unchanged. As in ftfy, HTML entities
    are no longer unescaped once a line has had a "<" (its "auto" setting).

    Only the lines that hold a ``_SUSPECT`` character are looked at, found in one pass over the text,
    when the whole text is in NFC (then so is each line: a line break composes with nothing).
    """
    if _SUSPECT is None or not unicodedata.is_normalized("NFC", text):
        return _fix_each_line(text)
    found = _SUSPECT.search(text)
    if found is None:
        return text
    lines = text.split("\n")
    ends = list(accumulate(len(line) + 1 for line in lines))  # offset just after each line's break
    last = len(lines) - 1
    angle = text.find("<")
    first_angle = bisect_right(ends, angle) if angle >= 0 else len(lines)
    out: list[str] = []
    done = 0
    for i in sorted({bisect_right(ends, m.start()) for m in _SUSPECT.finditer(text, found.start())}):
        start = ends[i] - len(lines[i]) - 1
        segment = lines[i] + "\n" if i < last else lines[i]  # ftfy's segments keep their line break
        fixed = _fixed(segment, i >= first_angle)
        if fixed != segment:
            out.append(text[done:start])
            out.append(fixed)
            done = start + len(segment)
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


def _fix_each_line(text: str) -> str:
    """``_fix_lines`` line by line (text that is not in NFC)."""
    out: list[str] = []
    config = _FTFY
    lines = text.split("\n")
    last = len(lines) - 1
    for i, line in enumerate(lines):
        if i < last:
            line += "\n"  # ftfy's segments keep their line break
        if config is _FTFY and "<" in line:
            config = _FTFY_NO_ENTITIES
        out.append(ftfy.fix_text(line, config) if _needs_ftfy(line) else line)
    return "".join(out)


def split(text: str) -> list[Block]:
    """Non-empty lines as blocks, remembering paragraph breaks and input line numbers."""
    blocks: list[Block] = []
    blank = False
    for no, line in enumerate(text.split("\n"), 1):
        clean = " ".join(line.split())
        if not clean:
            blank = True
            continue
        blocks.append(Block(clean, (no,), blank_before=blank))
        blank = False
    return blocks


def _ends_sentence(text: str) -> bool:
    """``_END.search(text)``, looking at the last two characters only (``$`` also matches before a
    final newline): a search from the start reads the whole text, and ``unwrap`` asks this of a
    paragraph after each line joined to it, which made a long text's unwrapping quadratic."""
    return _END.search(text, max(0, len(text) - 2)) is not None


def _has_words(s: str, n: int) -> bool:
    """``len(s.split()) >= n``, splitting no further than the ``n``-th word."""
    return _words_upto(s, n) >= n


def _words_upto(s: str, n: int) -> int:
    """``min(len(s.split()), n)``. A split with a limit still copies the rest of the text, so a
    prefix is split first: each of its words is part of a word of the text."""
    head = s[: 64 * n]
    found = len(head.split(None, n - 1))
    if found >= n or len(head) == len(s):
        return found
    return len(s.split(None, n - 1))


def _starts_lower(text: str) -> bool:
    """Does ``text`` start (after an opening quote or bracket) with a lower-case letter, in any script?

    ``str.islower`` knows Cyrillic, Greek, Armenian... as well as Latin. Scripts without case (CJK,
    Arabic, Hebrew) never count: their lines give no such evidence either way.
    """
    head = text.lstrip(_OPENERS)[:1]
    return head.islower()


def _starts_caseless(text: str) -> bool:
    """Does ``text`` start (after an opening quote or bracket) with a letter of a script without case
    (Hangul, CJK, Arabic, Hebrew, Thai, Devanagari...)? Such a line cannot show a broken sentence by
    its first letter, so other evidence has to."""
    head = text.lstrip(_OPENERS)[:1]
    return head.isalpha() and head.lower() == head.upper()


def _columns(text: str) -> int:
    """Display width: wide and full-width characters (Hangul, CJK) take two columns."""
    return len(text) + sum(1 for c in text if c > "\u10ff" and unicodedata.east_asian_width(c) in "WF")


def _overflows(prev: str, nxt: str, longest: int, longest_cols: int) -> bool:
    """Would ``nxt``'s first word have overflowed ``prev``? A greedy hard wrap moves a word to the next
    line only then, counted in characters or in display columns; a list of even lines mostly leaves room."""
    word = nxt.split(None, 1)[0]
    return len(prev) + 1 + len(word) > longest or _columns(prev) + 1 + _columns(word) > longest_cols


def _wrap_width(blocks: list[Block]) -> int | None:
    """The column a hard-wrapped text was wrapped at, or None when it does not look wrapped."""
    lengths = [len(b.text) for b in blocks if _has_words(b.text, 4)]
    if len(lengths) < 6:
        return None
    width = sorted(lengths)[int(len(lengths) * 0.9) - 1]
    if width > 120:
        return None
    near = sum(1 for n in lengths if n >= 0.75 * width)
    broken = [
        i
        for i, b in enumerate(blocks[:-1])
        if len(b.text) >= 0.75 * width and not _ends_sentence(b.text) and not blocks[i + 1].blank_before
    ]
    if near < 0.5 * len(lengths) or len(broken) < 0.3 * near:
        return None
    # a hard wrap breaks sentences, so most lines after a broken one go on in lower case; a list of
    # headlines or menu items of even length starts every line with a capital (caseless scripts: no vote)
    heads = [blocks[i + 1].text.lstrip(_OPENERS)[:1] for i in broken]
    cased = [h for h in heads if h.lower() != h.upper()]
    if cased and sum(h.islower() for h in cased) < 0.5 * len(cased):
        return None
    return width


class _Paragraph:
    """A block that ``unwrap`` is joining line by line. Its lines are joined once, at the end: joining
    each line onto the text so far copies that text again, and asking about the whole text after
    each line reads it again, which made unwrapping a long run of broken lines quadratic (20,000
    lines of caption text took 88 s). What ``_continues`` asks is answered from the parts: the
    joined text ends as its last line does, its words and commas are its lines' in turn, and its
    start is its first lines."""

    __slots__ = ("start", "parts", "lines", "length", "_counted", "_commas", "_words")

    def __init__(self, block: Block) -> None:
        self.start = block  #: the block it began with
        self.parts = [block.text]
        self.lines = list(block.lines)
        self.length = len(block.text)
        self._counted = self._commas = self._words = 0  # parts counted so far, their commas and words

    def add(self, block: Block) -> None:
        self.parts.append(block.text)
        self.lines.extend(block.lines)
        self.length += 1 + len(block.text)

    @property
    def last(self) -> str:
        return self.parts[-1]

    @property
    def text(self) -> str:
        return " ".join(self.parts)

    def head(self, n: int) -> str:
        """The joined text's first ``n`` characters, joining no more lines than they take."""
        size = 0
        for i, part in enumerate(self.parts):
            size += len(part) + 1
            if size >= n:
                return " ".join(self.parts[: i + 1])[:n]
        return self.text

    def has_words(self, n: int) -> bool:
        """``_has_words(self.text, n)``, reading no further than the ``n``-th word."""
        for part in self.parts:
            n -= _words_upto(part, n)
            if n <= 0:
                return True
        return False

    def keyword_list(self) -> bool:
        """``keyword_list(self.text)``, from counts made once per line."""
        for part in self.parts[self._counted :]:
            self._commas += part.count(",")
            self._words += len(part.split())
        self._counted = len(self.parts)
        return _keywords(self._commas, self._words, _ends_sentence(self.last))

    def rule_matches(self) -> bool:
        """``load_rules().match(self.text) is not None``: no rule takes a text whose start alone
        normalises to more than ``MAX_RULE_CHARS`` (normalising a text's start gives the start of
        its normalised form), so a long paragraph is not normalised whole."""
        if self.length > 8 * MAX_RULE_CHARS and len(normalise(self.head(8 * MAX_RULE_CHARS))) > MAX_RULE_CHARS:
            return False
        return load_rules().match(self.text) is not None

    def block(self) -> Block:
        if len(self.parts) == 1:
            return self.start  # nothing was joined to it
        return Block(self.text, tuple(self.lines), self.start.blank_before)


#: before the first paragraph of prose, byline or date line, a long line under a headline-long line, neither ending a
#: sentence, is the deck under a headline (a headline and its deck carry no full stop), not the rest of
#: a sentence cut in two; in the body such pairs are sentences that a link cut ("... found that (")
_DECK_WORDS = 8
_HEADLINE_MAX_WORDS = 30
#: a paragraph of prose: a sentence's end and this many words
_PROSE_WORDS = 15


def _ends_header(p: _Paragraph) -> bool:
    """After a paragraph of prose, or a byline or a short line with a date, the page's header is over."""
    if _ends_sentence(p.last) and p.has_words(_PROSE_WORDS):
        return True
    return len(p.parts) == 1 and not _has_words(p.last, _DECK_WORDS + 1) and (byline(p.last) is not None or names_date(p.last))


def _headline_over_deck(prev: _Paragraph, nxt: Block) -> bool:
    """A single line of a headline's length, with no sentence ending inside it ("... on KLOOK! 🙂" is
    prose), over a long line that does not end a sentence either."""
    return (
        len(prev.parts) == 1
        and not _has_words(prev.last, _HEADLINE_MAX_WORDS + 1)
        and not _INNER_END.search(prev.last)
        and not _ends_sentence(nxt.text)
        and _has_words(nxt.text, _DECK_WORDS)
    )


def _continues(prev: _Paragraph, nxt: Block, width: int | None, first: int, made: list[_Paragraph] | None = None) -> bool:
    """Does ``nxt`` continue the sentence that ``prev`` broke off? (``first``: the text's first input
    line; ``made``: the paragraphs so far, ``prev`` last: before the first of them that ends the page's
    header, ``prev`` may be its headline)"""
    made = made or [prev]
    if nxt.blank_before or _ends_sentence(prev.last) or _BULLET.match(nxt.text) or _ID_LINE.match(nxt.text):
        return False
    if width is not None:
        return prev.length >= 0.6 * width and prev.has_words(4)
    if _starts_lower(nxt.text):
        # "by: Alyssa Moreno" under a headline is its byline, not the rest of it
        return prev.has_words(4) and not (
            not _has_words(nxt.text, 6) and not _ends_sentence(nxt.text) and byline(nxt.text)
        )
    if prev.last.endswith(","):
        return prev.has_words(6)
    # a very long line cut mid-sentence (not a headline: headlines are rarely this long, nor a list of tags);
    # not the text's first line (the headline, however long: joined, it hides in the lead), nor onto a
    # line that a phrase rule, the date, byline or notice test judges by itself ("Updated at 1:23 p.m.",
    # "Follow us ...", "Por María López", "Editor's note: ..."), nor a line a phrase rule takes itself: a caption that ends
    # in its credit ("... equivalent. Credit: ESA") is whole, and joined it takes the paragraph after it
    # with it, or hides in it
    return (
        prev.length >= 100
        and prev.has_words(14)
        and prev.lines[0] != first
        and not nxt.text.isupper()
        and not (_headline_over_deck(prev, nxt) and not any(_ends_header(p) for p in made[:-1]))
        and not prev.keyword_list()
        and load_rules().match(nxt.text) is None
        and not dateline(nxt.text)
        and not byline(nxt.text)
        and not notice(nxt.text)
        and not prev.rule_matches()
    )


def keyword_list(text: str) -> bool:
    """A line of five or more short comma-separated items ("Tags: bridge, council, river, roads, budget"):
    tags and keywords, not a sentence. Sentences that list things end in a full stop, so those don't count."""
    commas = text.count(",")
    return commas >= 4 and _keywords(commas, len(text.split()), _ends_sentence(text))


def _keywords(commas: int, words: int, ends: bool) -> bool:
    """``keyword_list`` from a text's commas, words and whether it ends a sentence."""
    return commas >= 4 and words <= 4 * (commas + 1) and not ends


def _wrapped_runs(blocks: list[Block]) -> set[int]:
    """Indices of blocks that a hard wrap continues, judged per paragraph (run of lines without a
    blank line), not per page: a wrapped story inside a page's menus and headline lists has a width
    of its own that the page's line lengths hide.

    A paragraph counts as wrapped when it has 3+ lines of 4+ words, every line but the last within
    20 characters of the longest (≤ 110), most of them not ending a sentence, and most continuation
    lines starting in lower case (a list of headlines starts every line with a capital). In a script
    without case a continuation line votes when its first word would not have fit on the line before
    and a sentence ends inside one of the lines: prose does, a list of headlines does not.
    """
    cont: set[int] = set()
    start = 0
    for end in range(1, len(blocks) + 1):
        if end < len(blocks) and not blocks[end].blank_before:
            continue
        run = range(start, end)
        start = end
        if len(run) < 3:
            continue
        body = [blocks[i].text for i in run[:-1]]
        longest = max(len(t) for t in body)
        if longest > 110 or any(longest - len(t) > 20 or not _has_words(t, 4) for t in body):
            continue
        if sum(1 for t in body if not _ends_sentence(t)) < 0.6 * len(body):
            continue
        prose = any(_INNER_END.search(t) for t in body)
        longest_cols = max(_columns(t) for t in body) if prose else 0
        votes = sum(
            1
            for i in run[1:]
            if _starts_lower(blocks[i].text)
            or (
                prose
                and _starts_caseless(blocks[i].text)
                and _overflows(blocks[i - 1].text, blocks[i].text, longest, longest_cols)
            )
        )
        if votes < 0.5 * (len(run) - 1):
            continue
        cont.update(i for i in run[1:] if not _BULLET.match(blocks[i].text))
    return cont


def unwrap(blocks: list[Block]) -> list[Block]:
    """Join lines that a scraper or a hard wrap broke in the middle of a sentence."""
    if not blocks:
        return blocks
    width = _wrap_width(blocks)
    wrapped = _wrapped_runs(blocks)
    out = [_Paragraph(blocks[0])]
    for i, b in enumerate(blocks[1:], 1):
        if i in wrapped or _continues(out[-1], b, width, blocks[0].lines[0], out):
            out[-1].add(b)
        else:
            out.append(_Paragraph(b))
    return [p.block() for p in out]
