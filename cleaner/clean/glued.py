"""A related-story list glued onto the end of the story's last paragraph, cut off in the repair step.

When a page's markup has no line breaks between the story and what follows it, an extractor returns
both as one line: "... and, in one case, a helicopter. Top stories The House of Representatives voted
...". Line rules never see the marker there (the line is one long paragraph, so it is trusted as
prose). A list marker (a ``[list]`` phrase rule: "Top stories", "You may also like") that opens a
sentence of a long line, right before a capitalised word, starts the list: the line is cut there,
and the marker with the rest of the line becomes a block of its own that leaves as the list.
"""

from __future__ import annotations

import re

from .blocks import Block
from .phrases import PREFIX_MAX_WORDS, Rules

#: a sentence boundary inside a line: end punctuation (and closing quotes), space, a capital letter
_BOUNDARY = re.compile(r"(?<=[.!?…\"”’)])\s+(?=[A-ZÀ-ÞĀ-ɏА-ЯΑ-Ω])")
#: a marker is at most this many words ("You may also like")
_MARKER_WORDS = 5
#: what is left after the marker must be a list, not a word or two
_MIN_TAIL_WORDS = 8
REASON = "related-list"


def _marker_at(rules: Rules, words: list[str], k: int) -> bool:
    """Do the words from ``words[k]`` on start with a list marker that a capitalised word follows?"""
    for n in range(1, min(_MARKER_WORDS, len(words) - k - _MIN_TAIL_WORDS) + 1):
        if not words[k + n][:1].isupper():
            continue
        m = rules.match(" ".join(words[k : k + n]))
        if m is not None and m.kind == "list":
            return True
    return False


#: what follows a one-link marker ("Read more: ...") goes on with the story when it holds this many
#: sentences of this many words ("Read more: School board approves new field Faculty adviser Dennis
#: Whitcomb, who teaches physics, said ..." is a link glued onto the story's next paragraphs; a list
#: marker's teasers are sentences too, so "Top stories" is cut whatever follows)
_STORY_SENTENCES = 2
_SENTENCE_WORDS = 15


def _single_link(tail: str) -> bool:
    """Does the marker end in a colon ("Read more: <one headline>"), a link to one story, not a list?"""
    head = tail.split(None, _MARKER_WORDS)[:_MARKER_WORDS]
    return any(w.endswith(":") for w in head)


def _story_goes_on(tail: str) -> bool:
    """Does ``tail`` hold, after its first sentence, ``_STORY_SENTENCES`` sentences of the story's length?"""
    sentences = re.split(r"(?<=[.!?])[\"”’]?\s+", tail)
    return sum(len(s.split()) >= _SENTENCE_WORDS for s in sentences[1:]) >= _STORY_SENTENCES


def cut_glued_lists(blocks: list[Block], rules: Rules) -> list[Block]:
    """``blocks`` with every long line that runs on into a related-story list cut at the list's marker;
    the cut-off part carries ``cut`` = "related-list".

    >>> from cleaner.clean.phrases import load_rules
    >>> story = "Snipers shot into the crowd from rooftops and, in one case, a helicopter. " * 4
    >>> line = story + "Top stories The House voted on Tuesday to recognise the genocide. An actor died at 96."
    >>> [(b.text[:22], b.cut) for b in cut_glued_lists([Block(line, (1,))], load_rules())]
    [('Snipers shot into the ', None), ('Top stories The House ', 'related-list')]
    >>> more = "Faculty adviser Dennis Whitcomb, who teaches physics, said the response of the town had surprised even him. "
    >>> line = story + "Read more: School board approves new turf field " + more * 3
    >>> [b.cut for b in cut_glued_lists([Block(line, (1,))], load_rules())]
    [None]
    """
    out: list[Block] = []
    for b in blocks:
        if b.cut is not None or b.text.count(" ") + 1 < PREFIX_MAX_WORDS:
            out.append(b)
            continue
        # the line's words once: after a boundary the rest of the line is ``words[k:]``, ``k`` the spaces
        # before it (an offset right after a space starts a word of ``split(" ")``; counted only at
        # the few boundaries, not word by word); a boundary that ends inside a word, after a tab, is
        # split where it ends
        text = b.text
        words = text.split(" ")
        for m in _BOUNDARY.finditer(text):
            end = m.end()
            if text[end - 1] == " ":
                found = _marker_at(rules, words, text.count(" ", 0, end))
            else:
                found = _marker_at(rules, text[end:].split(" "), 0)
            if found and not (_single_link(text[m.end() :]) and _story_goes_on(text[m.end() :])):
                out.append(Block(b.text[: m.start()], b.lines, b.blank_before))
                out.append(Block(b.text[m.end() :], b.lines, False, cut=REASON))
                break
        else:
            out.append(b)
    return out
