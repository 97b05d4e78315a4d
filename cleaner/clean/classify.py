"""Decide for every block whether it is story or boilerplate, and why.

Evidence, in order: phrase rules (data files) and list markers that take the run of headline-like
lines after them are hard decisions; every other block is scored by the learned block classifier
(``model.py``: the block's shape, its neighbourhood, its position relative to the dense story core,
and the first-stage scores of its neighbours). Kept blocks that are the title, a byline or a date line
go to the metadata instead of the body.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import bio, lead, meta
from .blocks import Block
from .features import BASE, LINES, LOCAL, LineFacts, Shape, base_features
from .model import BlockModel
from .phrases import Match, Rules, normalise

_LETTER = re.compile(r"[^\W\d_]", re.U)
#: a table cell or row of numbers ("63 |", "| 85% | 12 |"): story when its table is
_NUMERIC_CELL = re.compile(r"\d.*\||\|.*\d")
_REPEAT_MIN_WORDS = 60
_TABLE_OR_ITEM = re.compile(r"^\s*(?:[-–—•·*|]|\d{1,2}[.)])|\|\s*$|https?://|www\.")


@dataclass
class Label:
    keep: bool
    reason: str


@dataclass
class Hints:
    """What is known about the document from elsewhere (trafilatura, the JSONL record)."""

    title: str | None = None
    sitename: str | None = None
    hostname: str | None = None
    author: str | None = None
    #: the text is already an extractor's main content (trafilatura): no story cut, rules only
    extracted: bool = False


@dataclass
class Outcome:
    labels: list[Label]
    title: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    scores: list[float] = field(default_factory=list)


#: the line tests behind the ``LOCAL`` features that the rules read again
_LINE_TESTS = {"date": meta.dateline, "byline": lambda t: meta.byline(t) is not None}


@dataclass
class Evidence:
    """Everything the rules and the model know about the blocks of one document."""

    shapes: list[Shape]
    matches: list[Match | None]
    list_run: list[bool]
    list_reason: list[str | None]
    base: np.ndarray
    #: each block's text as phrase rules see it (``phrases.normalise``), made once for all who compare lines
    norms: list[str] = field(default_factory=list)
    #: each block's ``LineFacts`` (shape and line-local features), when made by ``gather``
    facts: list[LineFacts] = field(default_factory=list)

    def says(self, k: int, column: str, text: str) -> bool:
        """What block ``k``'s own ``LOCAL`` feature ``column`` ("date", "byline") says, read from its
        facts when there are some (the cache made them), else worked out again from ``text``."""
        if self.facts:
            return self.facts[k].local[LOCAL.index(column)] > 0
        return bool(_LINE_TESTS[column](text))


#: a list marker's run of headlines ends at a sign-in button, a share bar, a cookie notice, a comments
#: header or the footer: a menu ("Latest / AI / Startups / ... / Sign In") is followed by the story's
#: own headline and byline, which are no links to other stories
_LIST_ENDS = frozenset({"paywall", "share", "cookie", "comments", "footer"})


def gather(blocks: list[Block], stops: frozenset[str], rules: Rules) -> Evidence:
    facts = [LINES.facts(b.text, stops) for b in blocks]
    shapes = [f.shape for f in facts]
    norms = [f.norm for f in facts]
    matches = [rules.match_normalised(s) for s in norms]
    n = len(blocks)
    list_run = [False] * n
    list_reason: list[str | None] = [None] * n
    i = 0
    while i < n:
        m = matches[i]
        if m is None or m.kind != "list":
            i += 1
            continue
        j = i + 1
        while (
            j < n
            and not (shapes[j].prose and shapes[j].size >= 12)
            and (matches[j] is None or (matches[j].kind != "list" and matches[j].reason not in _LIST_ENDS))
        ):
            if matches[j] is None:
                list_run[j] = True
                list_reason[j] = f"{m.reason}-list"
            j += 1
        i = j
    for k, b in enumerate(blocks):
        if b.cut is not None:  # the repair step cut it off (a related list glued onto a line)
            list_run[k] = True
            list_reason[k] = b.cut
    base = base_features(blocks, shapes, matches, list_run, norms, facts)
    return Evidence(shapes, matches, list_run, list_reason, base, norms, facts)


def trusted_prose(shapes: list[Shape], matches: list[Match | None], base: np.ndarray) -> np.ndarray:
    """The blocks of extracted-looking text that stay without asking the model: paragraphs of prose,
    table cells and list items (an extractor keeps those only inside the main content), up to where
    a comment section starts ("Top Rated Comments", "12 comments", "Leave a reply" after the first
    paragraph of prose; a comment counter above the story does not count): readers' comments are
    prose too, and ``classify`` takes them out as the comment section."""
    prose = np.array([s.prose for s in shapes], dtype=bool)
    if len(base):
        # cells and items inside the story; above its first paragraph a row of "|"-separated words
        # is the page's menu ("News | World | Business"), not a table
        items = (base[:, BASE.index("table_row")] > 0) | (base[:, BASE.index("bullet")] > 0)
        if prose.any():
            items[: int(np.argmax(prose))] = False
        prose |= items
    start = comment_section(shapes, matches)
    if start is not None:
        prose[start:] = False
    return prose


def comment_section(shapes: list[Shape], matches: list[Match | None]) -> int | None:
    """Where the comment section of extracted-looking text starts: its first comments marker after
    the first paragraph of prose. An extractor that kept the readers' comments put them after the
    story, so in such text everything from the marker on is comments (a comment counter above the
    story does not count)."""
    first = next((k for k, s in enumerate(shapes) if s.prose), len(shapes))
    return next(
        (k for k in range(first + 1, len(shapes)) if matches[k] is not None and matches[k].reason == "comments"),
        None,
    )


def _same_norm(norm: str, b: str) -> bool:
    """Is the line whose normalised form is ``norm`` the text ``b``, give or take case, quotes and end dots?"""
    return norm.strip(" .") == normalise(b).strip(" .")


def classify(
    blocks: list[Block],
    ev: Evidence,
    model: BlockModel,
    hints: Hints,
    chrome: frozenset[str] | None = None,
) -> Outcome:
    n = len(blocks)
    labels: list[Label | None] = [None] * n
    for k in range(n):
        m = ev.matches[k]
        if m is not None:
            labels[k] = Label(False, m.reason)
        elif chrome and ev.norms[k] in chrome:
            labels[k] = Label(False, "site-chrome")
        elif ev.list_run[k]:
            labels[k] = Label(False, ev.list_reason[k] or "related-list")
    for k in _subheadings_ending_lists(ev):
        labels[k] = None
    free = [k for k in range(n) if labels[k] is None]
    if hints.extracted:
        # an extractor's main content is the story as a whole: a story cut there throws away the
        # story's own lists and tables; only the rules above and the metadata lines below apply
        p, limit = np.ones(n), np.full(n, 0.5)
    else:
        p = model.predict(ev.base)
        limit = np.full(n, model.threshold_for(ev.base))
        if model.is_extracted(ev.base):
            # text that is already an extractor's output: its prose is the story unless a rule fired;
            # the model judges only the short lines (headlines, captions, promos, list items)
            trusted = trusted_prose(ev.shapes, ev.matches, ev.base)
            p = np.where(trusted, 1.0, p)
            if trusted.any():
                # after the story's last paragraph, short lines are more often links to other stories
                # than the story's own: they must reach the threshold for a page, not the lenient one
                last = n - 1 - int(np.argmax(trusted[::-1]))
                limit[last + 1 :] = np.maximum(limit[last + 1 :], model.threshold)
            comments = comment_section(ev.shapes, ev.matches)
            for k in range(n if comments is None else comments + 1, n):
                if labels[k] is None:
                    labels[k] = Label(False, "comment-section")
            free = [k for k in free if labels[k] is None]
        # the per-block comparisons on Python floats (the same values): a numpy scalar per index costs more
        ps, limits = p.tolist(), limit.tolist()
        passing = [k for k in free if ps[k] >= limits[k]]
        if free and sum(ev.shapes[k].size for k in passing) < _STORY_MIN_WORDS:
            # every document has a story: when no block reaches the threshold, or only a few words of
            # lines ("U.S.", "Home"), the page's longest passage of prose is it (scores this low rank
            # menu items above the story), else the best blocks
            passage = _longest_passage(free, ev.shapes, ev.matches)
            if passage:
                limit[:] = np.inf
                limit[passage] = 0.0
            elif not passing:
                limit[:] = 0.8 * max(ps[k] for k in free)
    for k in _repeats(blocks, ev.norms, ev.shapes, labels):
        labels[k] = Label(False, "repeated")
    free = [k for k in free if labels[k] is None]
    if not hints.extracted:
        for k in _leads_over_chrome(blocks, free, ev, labels, p, limit) + _tails_over_chrome(free, ev, labels, p, limit):
            limit[k] = p[k]
    ps, limits = p.tolist(), limit.tolist()
    below = [a < b for a, b in zip(ps, limits, strict=True)]
    story = [k for k in free if ps[k] >= limits[k]]  # not ``not below[k]``: a NaN score is neither
    start, end = (story[0], story[-1] + 1) if story else (n, n)
    if not hints.extracted:
        for k in _header_in_list(blocks, labels, ev, start):
            labels[k] = None
    outcome = Outcome([], scores=ps)
    # the title, byline and date sit before the first paragraph of prose, kept or not
    first_prose = 0 if hints.extracted else next((k for k in story if ev.shapes[k].prose), start)
    if (
        not hints.extracted
        and story
        and first_prose == story[0] == free[0]
        and meta.title_case(blocks[first_prose].text)
        and not ev.says(first_prose, "date", blocks[first_prose].text)
    ):
        # "Does Marie Doe Have a Net Worth of $17 Million?": a headline that ends like a sentence
        first_prose = next((k for k in story[1:] if ev.shapes[k].prose), start)
    headline = None
    if not hints.extracted and story:
        shifted = _header_block(blocks, story, first_prose, ev)
        if shifted is not None:
            headline, first_prose = first_prose, shifted
    texts = [b.text for b in blocks]  # asked by the metadata, bio and first-line rules alike
    _metadata(texts, ev.norms, labels, first_prose, end, hints, outcome, p < limit, headline)
    if headline is not None:  # what stands between the headline (found there or above) and the byline is its deck
        for k in range(headline, first_prose):
            if labels[k] is None:
                labels[k] = Label(False, "deck")
    for k in range(n):
        if labels[k] is not None:
            continue
        t = blocks[k].text
        prose = ev.shapes[k].prose
        if below[k]:
            labels[k] = Label(
                False, "before-story" if k < start else "after-story" if k >= end else "not-story"
            )
        elif hints.title and _same_norm(ev.norms[k], hints.title):
            labels[k] = Label(False, "title")
        elif k < start + 3 and not prose and ev.says(k, "byline", t):
            labels[k] = Label(False, "author")
            name = meta.byline(t) or ""
            if not meta.role_only(name):
                outcome.metadata.setdefault("author", name)
        elif not prose and ev.says(k, "date", t):
            # "5:45 AM 11/19/2019 by Jane Doe": a date line that names the author is a byline
            named = lead.names_author(t, hints.author, ev.shapes[k].size)
            labels[k] = Label(False, "author" if named else "date")
        elif not _LETTER.search(t) and not _NUMERIC_CELL.search(t):
            labels[k] = Label(False, "no-letters")
        elif not prose and meta.shouted_headline(t):
            labels[k] = Label(False, "related")
        else:
            labels[k] = Label(True, "story")
    _keep_notices(blocks, labels, start, end)
    known = outcome.metadata.get("author") or hints.author
    bios, person = bio.tail(texts, [bool(lab and lab.keep) for lab in labels], known)
    for k in bios:
        labels[k] = Label(False, "author-bio")
    if person and not known and len(person.split()) >= 2:
        outcome.metadata["author"] = person
    if hints.extracted:  # extracted text only: its first line may be the headline again or a byline
        found = lead.first_line(
            texts,
            ev.shapes,
            [bool(lab and lab.keep) for lab in labels],
            hints.title,
            hints.author,
        )
        if found:
            labels[found[0]] = Label(False, found[1])
    outcome.labels = [lab or Label(False, "unknown") for lab in labels]
    return outcome


#: a paragraph of prose that an ad or a share bar cuts off from the story's first paragraph is the
#: story's lead when it scores at least this share of the threshold ...
_LEAD_FLOOR = 0.5
#: ... has this many words, ends a sentence, and at most ``_PASSAGE_GAP`` lines of page furniture that
#: a phrase rule took stand between
_LEAD_MIN_WORDS = 15
#: the phrase rules' reasons for furniture set between paragraphs: ad slots, share bars, paywall and app
#: prompts, notices. Not captions: a credit line ("Image: ...") follows the caption it closes, which is
#: prose too; nor list markers, whose run of headlines is other stories'
_FURNITURE = frozenset({"advert", "share", "paywall", "promo", "notice"})
#: a subheading between an ad slot and the story's first kept paragraph is passed over like the ad
_SUBHEADING_WORDS = 8


def _leads_over_chrome(
    blocks: list[Block], free: list[int], ev: Evidence, labels: list[Label | None], p: np.ndarray, limit: np.ndarray
) -> list[int]:
    """The paragraphs before the story's first one that are its own, cut off by page furniture.

    An ad slot or share bar between a story's lead and its second paragraph ("Advertisement",
    "SKIP ADVERTISEMENT", "Ad Feedback") makes the block model read the lead as part of the page
    head, where such lines sit, and the lead is the sentence a story can least lose. Only furniture
    (``_FURNITURE``, "Read also: ..." lines, date lines: "October 9, 2018 | by Olivia Larsen" under a
    lead, and a subheading right under such a line) may stand
    between, and the paragraph must be prose that ends a sentence and scores near the threshold; so
    must each paragraph right before it that is taken with it.
    """

    sponsored = _sponsored_units(ev)

    def furniture(k: int) -> bool:
        m = ev.matches[k]
        if m is not None:
            return (m.kind != "prefix" and m.reason in _FURNITURE) or (m.kind == "prefix" and m.reason == "readmore")
        if k in sponsored:  # a sponsored unit's headlines and advertisers' names
            return True
        if ev.says(k, "date", blocks[k].text):
            return True
        # a subheading the story goes on under, right after an ad slot or a "Read also: ..." line
        s = ev.shapes[k]
        return labels[k] is None and not s.terminal and s.size <= _SUBHEADING_WORDS and k > 0 and furniture(k - 1)

    # the story's first paragraph: a date line that scores as story is the date, not the story
    first = next((k for k in free if p[k] >= limit[k] and not furniture(k)), None)
    if first is None:
        return []
    return _across_furniture(
        first - 1,
        -1,
        len(ev.shapes),
        furniture,
        lambda k: labels[k] is None
        and ev.shapes[k].prose
        and ev.shapes[k].terminal
        and ev.shapes[k].size >= _LEAD_MIN_WORDS
        and p[k] >= _LEAD_FLOOR * limit[k],
        sponsored.__contains__,
    )


#: a sponsored unit's marker ("Sponsored Content") and the most lines of headlines and advertisers' names
#: under it
_SPONSORED = re.compile(r"sponsored|promoted |paid ")
_SPONSORED_LINES = 8


def _sponsored_units(ev: Evidence) -> set[int]:
    """The lines under a sponsored unit's marker that are its headlines and advertisers' names: short
    lines no rule took, up to the next rule's line or paragraph of prose. They are one piece of
    furniture with the marker, however many (a portal's unit of two ads is six lines)."""
    out: set[int] = set()
    for k, m in enumerate(ev.matches):
        if m is None or m.reason != "advert" or not _SPONSORED.match(ev.norms[k] if ev.norms else ""):
            continue
        for j in range(k + 1, min(len(ev.matches), k + 1 + _SPONSORED_LINES)):
            if ev.matches[j] is not None or (ev.shapes[j].prose and ev.shapes[j].size >= 12):
                break
            out.add(j)
    return out


#: a subheading has at most this many words; the list's headlines before it at least ``_LIST_ITEM_WORDS``
_SUBHEADING_WORDS = 6
_LIST_ITEM_WORDS = 8


def _subheadings_ending_lists(ev: Evidence) -> list[int]:
    """The last line of a list marker's run when it is the story's next subheading: a short line
    ("Onde se vacinar", "Le nuove aree di discesa") right above a paragraph of prose, after the run's
    longer headlines ("Leia também: / <headline> / <headline> / Onde se vacinar / <story>")."""
    found = []
    n = len(ev.shapes)
    for k in range(1, n - 1):
        if not ev.list_run[k] or ev.list_run[k + 1] or not ev.list_run[k - 1]:
            continue
        nxt, shape = ev.shapes[k + 1], ev.shapes[k]
        if (
            ev.matches[k + 1] is None
            and nxt.prose
            and nxt.terminal
            and 2 <= shape.size <= _SUBHEADING_WORDS
            and not shape.terminal
            and ev.shapes[k - 1].size >= _LIST_ITEM_WORDS
            and not (ev.norms and meta.names_date(ev.norms[k]))  # "LinkNaija October 06, 2018": a dateline
        ):
            found.append(k)
    return found


def _header_in_list(blocks: list[Block], labels: list[Label | None], ev: Evidence, start: int) -> list[int]:
    """The story's own headline, byline and date lines at the end of a list marker's run that reaches
    the story ("Top Stories / Search / Local News / <headline> / by: Alyssa Moreno / Posted: ..."), with
    only furniture (a share bar, an ad, a caption) between them and the story's first paragraph. A byline
    must be among them: a related story's date alone under its headline proves nothing."""
    k = start - 1
    while k >= 0 and (lab := labels[k]) is not None and not ev.list_run[k] and lab.reason in _TAIL_FURNITURE:
        k -= 1
    found: list[int] = []
    while k >= 0 and ev.list_run[k] and (ev.says(k, "date", blocks[k].text) or meta.byline(blocks[k].text)):
        found.append(k)
        k -= 1
    if not any(meta.byline(blocks[j].text) for j in found):
        return []
    if k < 0 or not ev.list_run[k] or not meta.headline_like(blocks[k].text):
        return []
    return [*found, k]


#: the story's last sentences set off by an image's credit or an ad slot are its own when they score at
#: least this share of the threshold and end a sentence; a caption's credit ends an image, so the
#: sentence after it goes on with the story
_TAIL_FURNITURE = _FURNITURE | {"caption"}
_TAIL_MIN_WORDS = 5


def _tails_over_chrome(
    free: list[int], ev: Evidence, labels: list[Label | None], p: np.ndarray, limit: np.ndarray
) -> list[int]:
    """The sentences after the story's last paragraph that are its own, cut off by an image credit or
    an ad slot ("(Image: Leeds Live)", "Advertisement"), as ``_leads_over_chrome`` finds them before it.
    A comments header, a list marker or any other line ends the search."""
    passing = [k for k in free if p[k] >= limit[k]]
    if not passing:
        return []

    def furniture(k: int) -> bool:
        m = ev.matches[k]
        return m is not None and m.kind == "line" and m.reason in _TAIL_FURNITURE

    def takes(k: int) -> bool:
        return (
            labels[k] is None
            and ev.shapes[k].terminal
            and ev.shapes[k].density >= 0.15
            and ev.shapes[k].size >= _TAIL_MIN_WORDS
            and p[k] >= _LEAD_FLOOR * limit[k]
        )

    after = passing[-1] + 1
    if after < len(ev.shapes) and takes(after) and ev.shapes[after].prose and ev.shapes[after].size >= _LEAD_MIN_WORDS:
        return [after] + _across_furniture(after + 1, 1, len(ev.shapes), furniture, takes)
    return _across_furniture(after, 1, len(ev.shapes), furniture, takes)


def _across_furniture(
    k: int,
    step: int,
    n: int,
    furniture: Callable[[int], bool],
    takes: Callable[[int], bool],
    uncounted: Callable[[int], bool] = lambda k: False,
) -> list[int]:
    """The blocks from ``k`` on, going ``step`` (-1: up, 1: down), that ``takes`` accepts once at least
    one furniture block lies behind (then each next one may follow directly), over at most
    ``_PASSAGE_GAP`` furniture blocks in a row (``uncounted`` ones aside: a sponsored unit's headlines
    are one unit with its marker); any other block ends the walk."""
    found: list[int] = []
    gap = 0
    while 0 <= k < n and gap <= _PASSAGE_GAP:
        if furniture(k):
            gap += 0 if uncounted(k) else 1
        elif (gap or found) and takes(k):
            found.append(k)
            gap = 0
        else:
            break
        k += step
    return found


#: in a page whose blocks all score under the threshold, prose blocks at most this many blocks apart
#: are one passage (a caption, an ad or a share bar sits between a story's paragraphs)
_PASSAGE_GAP = 3
#: blocks that reach the threshold with fewer words than this are no story (``Config.min_words``)
_STORY_MIN_WORDS = 15


def _longest_passage(free: list[int], shapes: list[Shape], matches: list[Match | None]) -> list[int]:
    """The prose blocks among ``free`` of the page's passage of prose with the most words, before
    its comment section.

    For a page where the model is unsure of every block: its best scores then go to a menu item as
    often as to a paragraph, while a page's story is nearly always its longest passage of prose. The
    comment section (readers' comments are prose too) starts at the first comments marker after a
    block of prose; a "Comments" link among share buttons is no such marker."""

    def reason(k: int) -> str | None:
        m = matches[k] if 0 <= k < len(matches) else None
        return m.reason if m is not None else None

    prose = [k for k in free if shapes[k].prose]
    cut = next(
        (
            k
            for k in range(prose[0] + 1 if prose else len(matches), len(matches))
            if reason(k) == "comments" and "share" not in (reason(k - 1), reason(k + 1))
        ),
        None,
    )
    runs: list[list[int]] = []
    for k in prose:
        if cut is not None and k > cut:
            break
        if runs and k - runs[-1][-1] - 1 <= _PASSAGE_GAP:
            runs[-1].append(k)
        else:
            runs.append([k])
    return max(runs, key=lambda r: (sum(shapes[k].size for k in r), -r[0])) if runs else []


#: an editor's note or correction up to this many blocks before or after the story is its own (ads,
#: share bars, captions and product shelves often sit between; a notice is a rare, distinctive
#: sentence, so a long reach costs little)
_NOTICE_REACH = 15
#: the drops a notice overrides: the classifier's score and the date-line rule, never a phrase rule
_NOTICE_OVERRIDES = frozenset({"before-story", "after-story", "not-story", "date"})


def _keep_notices(blocks: list[Block], labels: list[Label | None], start: int, end: int) -> None:
    """Keep an editor's note, correction or update notice (``meta.notice``) next to the story.

    Newsrooms add them at the story's start or end, and they are part of it (human-written bodies keep
    them); short, dated and outside the dense story core, the classifier scores them as page furniture.
    A copy that loses its note is indistinguishable from the unedited copy of the story. One the
    classifier dropped inside the story (between kept paragraphs) is kept too.
    """
    if start >= end:
        return
    for k in _near_story(labels, start, end):
        lab = labels[k]
        if lab is not None and not lab.keep and lab.reason in _NOTICE_OVERRIDES and meta.notice(blocks[k].text):
            labels[k] = Label(True, "notice")


#: blocks judged by the classifier's score: they count for ``_NOTICE_REACH`` (lines a rule took out,
#: such as a related list or a share bar between the story and its note, do not)
_SCORED = frozenset({"before-story", "after-story", "not-story", "story"})


def _near_story(labels: list[Label | None], start: int, end: int) -> list[int]:
    """The story's blocks and ``_NOTICE_REACH`` blocks on either side of it, counting only the blocks
    the classifier judged by score: a story's tour dates under a "Related" marker, or a share bar, may
    stand between its last paragraph and its note."""
    near = [*range(start, end)]
    for k, step in ((start - 1, -1), (end, 1)):
        judged = 0
        while 0 <= k < len(labels) and judged < _NOTICE_REACH:
            near.append(k)
            lab = labels[k]
            judged += lab is not None and lab.reason in _SCORED
            k += step
    return near


def _repeats(blocks: list[Block], norms: list[str], shapes: list[Shape], labels: list[Label | None]) -> list[int]:
    """Blocks of a passage that the text already had: a page that prints its story twice.

    Repeated lines are often the story's own (an interview asks each guest the same question, two
    products share a feature list, a meal plan repeats its items), so only a run of copies counts,
    with nothing new between them and at least two paragraphs of prose, ``_REPEAT_MIN_WORDS`` words.
    """
    seen: set[str] = set()
    copy = []
    for key in norms:
        copy.append(key in seen)
        seen.add(key)
    out: list[int] = []
    k, n = 0, len(blocks)
    while k < n:
        if not copy[k]:
            k += 1
            continue
        j, run = k, []
        while j < n and (copy[j] or labels[j] is not None or not _LETTER.search(blocks[j].text)):
            if copy[j] and labels[j] is None:
                run.append(j)
            j += 1
        prose = [i for i in run if shapes[i].prose]
        if len(prose) >= 2 and sum(shapes[i].size for i in prose) >= _REPEAT_MIN_WORDS:
            out += run
        k = j
    return out


#: a story's header (headline, deck, byline, date) sits in its first lines: at most this many, with at
#: most ``_HEADER_LINES - 2`` lines (headline, deck, a name) above its byline or date line
_HEADER_LINES = 5
#: and its headline and deck are shorter than a paragraph
_HEADER_WORDS = 40


def _header_block(blocks: list[Block], story: list[int], first: int, ev: Evidence) -> int | None:
    """Where the story starts when its first kept lines are its header: a headline (and a deck) over a
    byline or a date line ("I rode all 41 bus routes. Here's what I learned." / "Ana Ruiz" /
    "Feb 09, 2025"): the first kept line after them. Text with little page chrome around it scores its
    headline as story, and a headline that ends in a full stop reads as prose. None when there is no
    such header."""
    head = list(range(first, min(len(blocks), first + _HEADER_LINES)))
    last = None
    for i, k in enumerate(head):  # the first run of byline, name and date lines
        t = blocks[k].text
        if ev.says(k, "date", t) or meta.byline(t):
            last = k
        elif meta.person_name(t) and i + 1 < len(head) and ev.says(head[i + 1], "date", blocks[head[i + 1]].text):
            last = k
        elif last is not None:
            break
    if last is None or last == first or last - first > _HEADER_LINES - 2:
        return None
    if any(ev.shapes[k].size > _HEADER_WORDS for k in head if k < last):  # a paragraph: the story began
        return None
    return next((k for k in story if k > last), None)


#: a deck is a sentence of this many words at least, longer than the headline right above it
_DECK_MIN_WORDS = 12
#: a headline says at least this many of the words its story's first paragraphs say
_TITLE_SHARED_WORDS = 3
_TELLING = re.compile(r"[^\W\d_]{4,}|\d+")


def _pick_title(
    candidates: list[int], texts: list[str], labels: list[Label | None], start: int, end: int, extracted: bool
) -> int | None:
    """The headline among headline-like lines before the story (``candidates``, nearest first).

    The nearest, unless it is the deck under the line above it (then labelled so, as is the deck under
    any line picked below); or, outside an
    extractor's text, unless another says more of what the story's first paragraphs say (a newsletter
    box's "See our privacy notice" sits between a headline and its story), or has its byline under it
    while the nearest does not (a live blog's entry headline sits under its own byline).
    """
    if not candidates:
        return None
    if len(candidates) > 1 and _deck_under(candidates[1], candidates[0], texts):
        labels[candidates[0]] = Label(False, "deck")
        return candidates[1]
    picked = _nearest_telling(candidates, texts, start, end, extracted)
    if picked - 1 in candidates and _deck_under(picked - 1, picked, texts):
        # a photo credit nearer the story than the headline and its deck
        labels[picked] = Label(False, "deck")
        return picked - 1
    return picked


def _nearest_telling(candidates: list[int], texts: list[str], start: int, end: int, extracted: bool) -> int:
    """``_pick_title``'s choice before the deck test."""
    if len(candidates) == 1 or extracted:
        return candidates[0]
    lead = _telling_words(" ".join(texts[k] for k in range(start, min(end, start + 3))))
    shared = [len(_telling_words(texts[k]) & lead) for k in candidates]
    if max(shared) >= _TITLE_SHARED_WORDS and shared[0] < _TITLE_SHARED_WORDS:
        return candidates[shared.index(max(shared))]
    if not _over_byline(candidates[0], texts, start):
        over = [k for k in candidates if _over_byline(k, texts, start)]
        told = [k for k, n in zip(candidates, shared, strict=True) if n >= _TITLE_SHARED_WORDS and k in over]
        if told:
            return told[0]
        if over and max(shared) < _TITLE_SHARED_WORDS:
            # nothing says what the story says: the headline is the line over the byline, not a photo
            # credit or a note nearer the story
            return over[0]
    return candidates[0]


def _deck_under(above: int, below: int, texts: list[str]) -> bool:
    """Is line ``below`` the deck (standfirst) under the headline ``above``: right under it, and a
    longer sentence ("Como, dal primo luglio il ticket sale a 150 euro" / "La giunta approva la
    delibera: tariffe quasi raddoppiate e nuove aree di discesa fuori dal centro.")?"""
    if below != above + 1 or texts[above].isupper():  # "GROWING AN ONLINE BUSINESS": a section's kicker
        return False
    if normalise(texts[below]).startswith(normalise(texts[above])):  # "Share" / "Share ... for: Headline"
        return False
    n_below, n_above = len(texts[below].split()), len(texts[above].split())
    if n_below >= _DECK_MIN_WORDS and n_below > n_above:
        return True
    # a headline in Title Case over a sentence in sentence case ("Halvorsen Robotics Unveils Compact
    # Harvest Robot ..." / "Halvorsen H2 brings ladder-free picking to family-scale orchards")
    return (
        n_above >= _CASED_HEADLINE_WORDS
        and n_below >= _CASED_DECK_WORDS
        and _capitalised_share(texts[above]) >= 0.8
        and _capitalised_share(texts[below]) <= 0.4
    )


#: a Title Case headline has this many words at least, the sentence-case deck under it this many
_CASED_HEADLINE_WORDS = 6
_CASED_DECK_WORDS = 8


def _capitalised_share(text: str) -> float:
    """The share of a line's words of four letters or more that start with a capital."""
    words = [w for w in _TELLING.findall(text) if not w.isdigit()]
    return sum(w[0].isupper() for w in words) / len(words) if words else 0.0


def _over_byline(k: int, texts: list[str], start: int) -> bool:
    """Is line ``k`` followed, within two lines and before the story, by a byline?"""
    return any(meta.byline(texts[j]) for j in range(k + 1, min(k + 3, start)))


def _telling_words(text: str) -> set[str]:
    """Words that say what a text is about: 4+ letters, or numbers (lower case)."""
    return set(_TELLING.findall(text.lower()))


def _before_bar(line: str) -> str:
    """A short line's part before " | " ("Elif Yılmaz | İzmir": a name and the reporter's city or
    agency), else the line."""
    head, bar, _ = line.partition(" | ")
    return head if bar and len(line.split()) <= 8 else line


def _logo_and_link(k: int, norms: list[str]) -> bool:
    """Is line ``k`` said again right next to itself (a logo's text, then the home link)? A section
    name a page repeats comes back far away: in the menu, then over the headline."""
    return any(norms[j] == norms[k] for j in (k - 1, k + 1) if 0 <= j < len(norms))


def _no_article(norm: str) -> str:
    """A normalised line without its leading English article: a page's <title> often drops the one its
    headline starts with ("Doobie Brothers Unite ..." / "The Doobie Brothers Unite ...")."""
    for article in ("the ", "a ", "an "):
        if norm.startswith(article):
            return norm[len(article) :]
    return norm


_PUNCTUATION = ".,;:!?\"'()[]“”‘’«»…"


class _CommonWords:
    """Does a capitalised line ("Menu Sections", "Learn More", "Video Game") use words the page also
    writes in lower case? A person's name does not ("Shona Murray"), nor a brand ("Euronews"): their
    words are never common words of the page, while a menu's or a button's are. The page's lower-case
    words are gathered once, when first asked (most pages ask about no line)."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.lower: set[str] | None = None

    def __call__(self, line: str) -> bool:
        if self.lower is None:
            # words as written, and without the punctuation around them ("news," "services.")
            self.lower = {w for t in self.texts for w in t.split() if w.islower()}
            self.lower |= {w.strip(_PUNCTUATION) for w in self.lower}
        # "Gwénaëlle Le Goff" on a French page that writes "le" everywhere is still a name
        return not self.lower.isdisjoint(w.lower() for w in line.split() if w.lower() not in meta.NAME_PARTICLES)


def _metadata(
    texts: list[str],
    norms: list[str],
    labels: list[Label | None],
    start: int,
    end: int,
    hints: Hints,
    out: Outcome,
    dropped: np.ndarray,
    headline: int | None = None,
) -> None:
    """Pick title, author, site name and date out of the lines before the story (``headline``: the
    title's line, when ``_header_block`` found it)."""
    counts: dict[str, int] = {}
    for key in norms:
        counts[key] = counts.get(key, 0) + 1
    host = (hints.hostname or "").lower().removeprefix("www.").split(".")[0]
    pre = [k for k in range(start) if labels[k] is None]
    window = pre[-12:]

    # title: the trusted hint when a line repeats it, else the headline-like line nearest the story
    title_idx = None
    for k in pre:
        if hints.title and _same_norm(norms[k], hints.title):
            title_idx = k
    if title_idx is None and pre and len(texts[0].split()) >= 4:
        # a page's text often starts with its <title> ("Headline - Site"): the headline repeats it
        page_title = _no_article(norms[0])
        for k in reversed(pre):
            t = _no_article(norms[k])
            if k > 0 and len(t.split()) >= 4 and page_title.startswith(t):
                title_idx = k
                break
    from_title = meta.title_suffix(texts[0], texts[title_idx]) if title_idx is not None else None
    common_words = _CommonWords(texts)
    brand = None  # a logo's text and home link, in words the page never writes in lower case ("Euronews")

    if title_idx is None:
        # a headline the classifier dropped, or one of the first lines (extracted text starts with it):
        # the one nearest the story, unless another says more of what the story's first paragraphs say
        # (a newsletter box's "See our privacy notice" sits between a headline and its story)
        first = set(pre[:2])
        candidates = [
            k
            for k in reversed(window)
            if (headline is None or k <= headline)  # a header's later lines are its deck and byline
            and (dropped[k] or k in first or k >= start - 2 or k == headline)
            and meta.headline_like(texts[k])
            and not _TABLE_OR_ITEM.search(texts[k])
            and len(texts[k].split()) >= 4
            and not meta.byline(texts[k])
            and not meta.person_name(_before_bar(texts[k]))
            and not meta.dateline(texts[k])
        ]
        title_idx = _pick_title(candidates, texts, labels, start, end, hints.extracted)
    if title_idx is None and headline is not None and not hints.title:
        title_idx = headline  # a headline that ends in a full stop is no headline-like line
    if title_idx is not None:
        labels[title_idx] = Label(False, "title")
        out.title = texts[title_idx]
    elif hints.title:
        out.title = hints.title

    named = False  # the author comes from a byline ("By Jane Doe"), not from a line that is only a name
    above_title = False  # the author so far is a name line above the headline
    for k in window:
        if labels[k] is not None:
            continue
        t = texts[k]
        name = meta.byline(t)
        norm = norms[k]
        if name:
            labels[k] = Label(False, "author")
            # a byline names the author better than a line that only looks like a name ("My Account")
            if not named:
                named = True
                if meta.role_only(name):  # "By Staff Reporter" names nobody, nor does a name-like line
                    out.metadata.pop("author", None)
                else:
                    out.metadata["author"] = name
            if not out.metadata.get("published") and meta.iso_date(t):  # "By Jane Doe Updated Nov 13, 2019"
                out.metadata["published"] = t
        elif (host and norm.replace(" ", "") == host) or (
            len(t.split()) <= 3 and counts.get(norm, 0) >= 2 and not meta.person_name(t)
        ):
            labels[k] = Label(False, "sitename")
            if host and norm.replace(" ", "") == host:
                out.metadata.setdefault("sitename", t)
            elif brand is None and _logo_and_link(k, norms) and not common_words(t):
                brand = t
        elif (
            meta.person_name(named_part := _before_bar(t))
            and (title_idx is None or abs(k - title_idx) <= 3)
            and not common_words(named_part)
        ):
            labels[k] = Label(False, "author")
            # "Gwénaëlle Le Goff." ends a sentence; "John Smith Jr." keeps its dot
            name = named_part.strip()
            if name.endswith(".") and len(name.split()[-1]) > 4:
                name = name[:-1]
            # a name under the headline is its byline; one above it ("Box Score") a link of the page
            if not named and ("author" not in out.metadata or (above_title and title_idx is not None and k > title_idx)):
                out.metadata["author"] = name
                above_title = title_idx is not None and k < title_idx
        elif meta.dateline(t):
            labels[k] = Label(False, "date")
            # the first date line, unless it is relative ("3 hours ago") and a later one names the day
            known = out.metadata.get("published")
            if known is None or (not meta.names_date(known) and meta.names_date(t)):
                out.metadata["published"] = t
    if out.metadata.get("published"):  # the day as ISO 8601, as trafilatura gives it for HTML
        out.metadata["published"] = meta.iso_date(out.metadata["published"]) or out.metadata["published"]
    # the site's name: what the page's <title> adds after the headline, else a brand line, else the
    # copyright notice's holder (the last on the page: its footer; often the publisher). A short line
    # the page repeats is more often a section ("Opinion", "Home", "Tech") than the site: only said
    # twice in a row (a logo, then the home link) in words the page never writes in lower case does
    # it name the site. A line that is the site's host name ("Reuters" on reuters.com) named it already.
    site = from_title or brand or next(filter(None, map(meta.copyright_holder, reversed(texts[end:]))), None)
    if site:
        out.metadata.setdefault("sitename", site)
