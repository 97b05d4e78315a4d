"""Shortcuts the text cleaner takes for speed give the results of the slower code they replace."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner.clean.phrases import _uncaptured, load_rules, normalise

PHRASES = Path(__file__).parent / "data" / "clean" / "phrases.tsv"


def _slow_rules():
    """The same rules without the one-pass filter: every rule group is tried in order."""
    return dataclasses.replace(load_rules(), any_line=None, any_prefix=None)


def _sample_lines() -> list[str]:
    lines = [
        row.split("\t", 1)[1] for row in PHRASES.read_text("utf-8").splitlines() if row and row[0] != "#"
    ]
    story = "The council voted on Monday to close the old bridge, which has been shut since March. " * 6
    glued = [f"{line} {story}" for line in lines]  # prefix rules stop at long lines
    return lines + glued + ["", "   ", "»", "x" * 700, "Read more: " + story[:200]]


@pytest.mark.parametrize("line", _sample_lines())
def test_one_pass_filter_gives_the_rule_by_rule_answer(line):
    assert load_rules().match(line) == _slow_rules().match(line)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(st.data())
def test_one_pass_filter_agrees_on_lines_each_rule_matches(data):
    """Lines drawn from the rules' own expressions (so they do match one), with text before or after."""
    rules = load_rules()
    pattern = data.draw(st.sampled_from(sorted(set(rules.patterns.values()))))
    line = data.draw(st.from_regex(re.compile(pattern), fullmatch=True))
    extra = data.draw(st.sampled_from(["", " and more words here", "Breaking: "]))
    for candidate in (line, line + extra, extra + line):
        assert rules.match_normalised(candidate) == _slow_rules().match_normalised(candidate)
        assert rules.match(candidate) == _slow_rules().match(candidate)


@pytest.mark.parametrize(
    "pattern",
    [
        r"(a|b)c",
        r"\(x\)|[(]y[)]",
        r"[^]()]+(z)",
        r"(?:a)(?P<n>b)(c)?",
        r"[\]]+(d)",
        r"(e(f(g)))h",
        r".{0,9}\((foto|bild)\s*:",
    ],
)
def test_uncaptured_keeps_the_language(pattern):
    fast = re.compile(_uncaptured(pattern))
    assert fast.groups == len(re.compile(pattern).groupindex)  # only named groups are left
    for text in [
        "ac",
        "bc",
        "(x)",
        "(y)",
        "zz",
        "qz",
        "abc",
        "ab",
        "]]d",
        "efgh",
        "efh",
        "xx(foto :",
        "(bild:",
    ]:
        assert bool(fast.fullmatch(text)) == bool(re.fullmatch(pattern, text)), text
        assert bool(fast.match(text)) == bool(re.match(pattern, text)), text


def test_normalise_once_per_block_is_the_same_form():
    from cleaner.clean import prepare

    text = "Home | News\n\n“Quoted” Headline\u00a0here\n» Read more\nThe council voted on Monday."
    blocks, ev, _ = prepare(text)
    assert ev.norms == [normalise(b.text) for b in blocks]


# --- the line cache: base features built from cached per-line facts are the per-block loop's numbers


def _reference_base_features(blocks, shapes, matches, list_run):
    """``features.base_features`` as it was before the line cache: every number made per block."""
    import math

    import numpy as np

    from cleaner.clean import features as F
    from cleaner.clean import meta

    n = len(blocks)
    norms = [normalise(b.text) for b in blocks]
    counts: dict[str, int] = {}
    for s in norms:
        counts[s] = counts.get(s, 0) + 1
    group_id, g = [], -1
    for b in blocks:
        if b.blank_before or g < 0:
            g += 1
        group_id.append(g)
    group_lines: dict[int, int] = {}
    group_size: dict[int, float] = {}
    for k, gid in enumerate(group_id):
        group_lines[gid] = group_lines.get(gid, 0) + 1
        group_size[gid] = group_size.get(gid, 0.0) + math.log1p(shapes[k].size)
    openings: dict[str, int] = {}
    for s_ in norms:
        key = " ".join(s_.split()[:6])
        openings[key] = openings.get(key, 0) + 1
    X = np.zeros((n, len(F.BASE)), dtype=np.float64)
    seen_comments = seen_footer = seen_list = False
    last_marker = None
    for k, (b, sh) in enumerate(zip(blocks, shapes, strict=True)):
        text = b.text
        toks = F._WORD.findall(text)
        ntok = max(1, len(toks))
        words = text.split()
        caps = sum(1 for w in words if F._CAP.match(w))
        digits = sum(1 for t in toks if t[0].isdigit())
        m = matches[k]
        gid = group_id[k]
        head = bool(F._COMMENT_HEAD.match(text))
        since = math.log1p(k - last_marker) if last_marker is not None else math.log1p(n)
        X[k] = (
            math.log1p(sh.size),
            math.log1p(len(text)),
            sh.terminal,
            text.endswith(":"),
            text.rstrip("\"'”’»)").endswith(("?", "？")),
            sh.density,
            caps / max(1, len(words)),
            text.isupper() and len(text) > 3,
            digits / ntok,
            bool(F._URL.search(text)),
            bool(F._BULLET.match(text)),
            meta.dateline(text),
            meta.byline(text) is not None,
            meta.person_name(text),
            m is not None and m.kind != "list",
            m is not None and m.kind == "list",
            list_run[k],
            sh.prose,
            text.count(",") / ntok,
            counts[norms[k]] >= 2,
            meta.headline_like(text),
            b.blank_before,
            bool(F._LOWER.match(text)),
            bool(F._SEPARATOR.search(text)),
            not F._LETTER.search(text),
            sh.size < 4,
            sh.size >= 25,
            math.log(group_lines[gid]),
            group_size[gid] / group_lines[gid],
            head,
            seen_comments,
            seen_footer,
            seen_list,
            since,
            text.startswith("|") or text.endswith(" |") or text.count(" | ") >= 2,
            len(F._CJK.findall(text)) / max(1, len(text)),
            sum(1 for w in words[:6] if F._CAP.match(w)) / max(1, min(6, len(words))),
            text.endswith(("…", "...")),
            len(words) >= 4 and openings[" ".join(norms[k].split()[:6])] >= 2,
        )
        if m is not None and m.reason == "comments" or head:
            seen_comments = True
            last_marker = k
        if m is not None and m.reason == "footer":
            seen_footer = True
        if m is not None and m.kind == "list":
            seen_list = True
            last_marker = k
    return X


PAGE = "\n".join(
    [
        "Home | News | Sport | Weather",
        "Subscribe",
        "",
        "Bridge to close after crack found",
        "By Jane Doe",
        "Published 2:16 AM EST Nov 20, 2019",
        "",
        "The council voted on Monday to close the old bridge, which has been shut to lorries since March.",
        "Engineers said the crack had grown by 3 mm since the spring, and repairs would take a year.",
        "“We had no choice,” said the council’s leader. Is it safe?",
        "- first item",
        "| 63 | 85% |",
        "",
        "Related stories",
        "Council votes on new budget",
        "Mayor opens the new library",
        "12 comments",
        "Jane on May 3, 2019 at 4:47 pm said:",
        "Great article...",
        "© 2024 Example Gazette. All rights reserved.",
        "北京市政府今天宣布新的交通规划方案。",
        "Der Rat hat am Montag beschlossen, die alte Brücke zu schließen.",
        "Subscribe",
        "Home | News | Sport | Weather",
    ]
)


@pytest.mark.parametrize("lang", [None, "en", "de"])
def test_base_features_from_the_line_cache_are_the_per_block_numbers(lang):
    import numpy as np

    from cleaner.clean import prepare
    from cleaner.clean.features import LINES

    for _ in range(2):  # the second time every line comes from the cache
        blocks, ev, _ = prepare(PAGE, lang)
        expected = _reference_base_features(blocks, ev.shapes, ev.matches, ev.list_run)
        assert ev.base.tobytes() == expected.tobytes()
        assert np.array_equal(ev.base, expected)
    assert LINES.hits > 0


def test_a_full_line_cache_starts_again_with_the_same_answers():
    from cleaner.clean.features import LineCache, _line_facts
    from cleaner.clean.stopwords import stoplist

    cache, stops = LineCache(size=2), stoplist("en")
    lines = PAGE.split("\n") * 2
    assert [cache.facts(t, stops) for t in lines] == [_line_facts(t, stops) for t in lines]
    assert len(cache._facts) <= 2 and cache.misses > 2
    # the stoplist is part of the key: the same line under another language has its own density
    assert (
        cache.facts(lines[7], frozenset()).shape.density == 0.3 != cache.facts(lines[7], stops).shape.density
    )


def test_a_full_line_cache_keeps_the_lines_met_again():
    from cleaner.clean.features import LineCache, _line_facts

    cache, stops = LineCache(size=4), frozenset({"the"})
    chrome, story = "Subscribe to the newsletter", [f"Story line number {i} of the page" for i in range(8)]
    for line in [chrome, story[0], chrome, story[1], story[2], story[3]]:  # story[3] finds it full
        cache.facts(line, stops)
    assert cache.misses == 5 and cache.hits == 1
    # the chrome line, met again, outlives the story lines that came once
    assert cache.facts(chrome, stops) == _line_facts(chrome, stops) and (cache.hits, cache.misses) == (2, 5)
    assert cache.facts(story[1], stops) == _line_facts(story[1], stops) and cache.misses == 6
    assert len(cache._facts) <= 4
    # memory stays bounded whatever comes
    for line in story * 3:
        cache.facts(line, stops)
    assert len(cache._facts) <= 4


def test_a_full_phrase_cache_keeps_the_lines_asked_about_again(monkeypatch):
    from cleaner.clean import phrases

    monkeypatch.setattr(phrases, "_SEEN_MAX", 3)
    rules = _slow_rules()
    chrome, story = normalise("Sign up for our newsletter"), [normalise(f"The mayor said {i} things") for i in range(5)]
    answers = [rules.match_normalised(t) for t in [chrome, story[0], chrome, story[1], story[2], story[3]]]
    assert answers[0] == rules._match(chrome) and answers[1:] == [None, answers[0], None, None, None]
    assert chrome in rules._seen and story[0] not in rules._seen and len(rules._seen) <= 3


def test_phrase_answers_are_remembered_and_stay_the_same():
    rules = _slow_rules()
    lines = [
        row.split("\t", 1)[1] for row in PHRASES.read_text("utf-8").splitlines() if row and row[0] != "#"
    ]
    first = [rules.match(t) for t in lines]
    assert [rules.match(t) for t in lines] == first == [rules._match(normalise(t)) for t in lines]


def test_language_guess_counts_as_the_per_word_chain_did():
    from collections import Counter
    from itertools import chain, repeat

    from cleaner.clean.stopwords import first_words, guess_language, languages, stoplist

    index: dict[str, tuple[str, ...]] = {}  # the whole index, built up front
    for lang in languages():
        for word in stoplist(lang):
            index[word] = (*index.get(word, ()), lang)

    def reference(text: str, sample: int = 4000) -> str | None:
        hits = Counter(
            chain.from_iterable(map(index.get, map(str.lower, first_words(text, sample)), repeat(())))
        )
        if not hits:
            return None
        sizes = {lang: len(stoplist(lang)) for lang in hits}
        return max(sorted(hits), key=lambda lang: hits[lang] / (sizes[lang] ** 0.25))

    texts = [
        PAGE,
        "Der Rat hat am Montag beschlossen, die alte Brücke zu schließen, weil sie nicht mehr sicher ist.",
        "Le conseil a voté lundi pour fermer le vieux pont.",
        "xyz qqq",
        "",
        "a a a de de la la la",
        "İSTANBUL'DA BİR VE BU İÇİN bir ve bu için da",  # "İ" lower-cases to two characters
        "ΚΑΙ ΤΟ ΣΤΟ ΟΔΟΣ'Α ΚΑΙ ΣΑΣ και το στο",  # a final sigma lower-cases by its neighbours
        "the and " * 3000 + "der die das " * 2000,  # more than 4,000 words in under 64,000 characters
        "x" * 70_000 + " der die das und",  # longer than the first-words window
        ("Der Rat hat am Montag beschlossen. " * 2500)[:80_000],
    ]
    for text in texts:
        assert guess_language(text) == reference(text)


_WORDS = [
    "the",
    "council",
    "Bridge",
    "said",
    "said:",
    "2019",
    "May",
    "3,",
    "|",
    "»",
    "www.example.com",
    "Read",
    "more",
    "…",
    "By",
    "Jane",
    "Doe",
    "Subscribe",
    "comments",
    "北京市",
    "«quoted»",
    "Is",
    "it?",
    "-",
    "12",
    "and.",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.sampled_from(_WORDS), min_size=0, max_size=40).map(" ".join), min_size=1, max_size=30
    )
)
def test_base_features_agree_on_generated_pages(lines):
    from cleaner.clean import prepare

    blocks, ev, _ = prepare("\n".join(lines), "en")
    expected = _reference_base_features(blocks, ev.shapes, ev.matches, ev.list_run)
    assert ev.base.tobytes() == expected.tobytes()


# --- ftfy's mojibake search is skipped on lines without a character it needs


def test_required_chars_of_a_pattern():
    from cleaner.clean.blocks import _required_chars

    assert _required_chars(re.compile("é[a-z]|x[ü€]|[«»]y")) == {"é", "ü", "€", "«", "»"}
    assert _required_chars(re.compile("é|ab")) is None  # "ab" needs no non-ASCII character
    assert _required_chars(re.compile("(?i)é")) is None


_MOJIBAKE_ALPHABET = "".join(
    sorted(set("abcXYZ 09.,'\"’“”—–…éüñçàö«»·\xa0ÃÂâ€œ™šžŸ¢£©®°±²³µ¹¼½¾×ØÙВГРСвЂ√≈‚Ä│█▓ƒˆ\x85\x93"))
)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=_MOJIBAKE_ALPHABET, max_size=12))
def test_mojibake_prefilter_never_hides_a_bad_line(line):
    from ftfy.badness import is_bad

    from cleaner.clean.blocks import _is_bad

    assert _is_bad(line) == is_bad(line)


@pytest.mark.parametrize(
    "line", ["cafÃ©", "â€œquotedâ€\x9d", "Ã¼ber", "clean “quoted” — line’s end", "naïve café", "ГўВЂВ.a"]
)
def test_mojibake_prefilter_on_known_lines(line):
    from ftfy.badness import is_bad

    from cleaner.clean.blocks import _is_bad

    assert _is_bad(line) == is_bad(line)


@pytest.mark.parametrize(
    "line", ["Plain ASCII line", "“Curly” ‘quotes’\u00a0and non-breaking", "", "  «a»  "]
)
def test_normalise_skips_the_quote_table_only_when_it_maps_nothing(line):
    from cleaner.clean.phrases import _LEAD, _QUOTES

    assert normalise(line) == _LEAD.sub("", " ".join(line.translate(_QUOTES).lower().split()))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(_WORDS + ["tags:", "bridge,", "roads,", "river,", "a,"]), max_size=45).map(
        " ".join
    )
)
def test_line_facts_shape_is_the_blocks_own_shape(line):
    """The cached facts split a line once for shape and features: the shape is still ``shape``'s."""
    from cleaner.clean.blocks import Block
    from cleaner.clean.features import _line_facts, shape
    from cleaner.clean.stopwords import stoplist, stopword_density

    for stops in (stoplist("en"), frozenset()):
        facts = _line_facts(line, stops)
        assert facts.shape == shape(Block(line, (1,)), stops)
        if stops:
            assert facts.shape.density == stopword_density(line, stops)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_WORDS + ["Published", "Nov", "20,", "2:16", "AM", "by", "John", "Smith"]), max_size=20))
def test_rules_read_date_and_byline_from_the_line_facts_as_meta_says(words):
    from cleaner.clean import meta, prepare
    from cleaner.clean.classify import Evidence

    line = " ".join(words)
    blocks, ev, _ = prepare(f"{line}\n{line.lower()}", "en")
    bare = Evidence(ev.shapes, ev.matches, ev.list_run, ev.list_reason, ev.base, ev.norms)  # no facts
    for k, text in enumerate(b.text for b in blocks):
        for evidence in (ev, bare):
            assert evidence.says(k, "date", text) == meta.dateline(text)
            assert evidence.says(k, "byline", text) == bool(meta.byline(text))


# --- phrase rules are tried only on lines they could match (first character, needed strings)


def _rule_patterns() -> list[str]:
    return sorted(set(load_rules().patterns.values()))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_what_a_rule_needs_is_in_every_line_it_matches(data):
    from cleaner.clean.regex_needs import first_chars, needs

    pattern = data.draw(st.sampled_from(_rule_patterns()))
    line = data.draw(st.from_regex(re.compile(pattern), fullmatch=True))
    chars, need = first_chars(pattern), needs(pattern)
    if chars is not None:
        assert line[:1] in chars
    if need is not None:
        assert any(w in line for w in need)


@pytest.mark.parametrize(
    ("pattern", "chars", "need"),
    [
        (r"(sign|log) ?in", {"s", "l"}, {"sign", "log"}),
        (r"(\d+ )?comments?", None, {"comment"}),
        (r"(?i)read more", None, None),
        (r"(?:x)?y|z", {"x", "y", "z"}, {"y", "z"}),
        (r"a*", None, None),
        (r"\bfoo\b", {"f"}, {"foo"}),
        (r".{0,9}[|/]\s*(afp|ap)", None, {"|", "/"}),
        (r"[^a]bc", None, {"bc"}),
    ],
)
def test_first_chars_and_needs_of_known_patterns(pattern, chars, need):
    from cleaner.clean.regex_needs import first_chars, needs

    assert first_chars(pattern) == (None if chars is None else frozenset(chars))
    assert needs(pattern) == (None if need is None else frozenset(need))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_line_screen_answers_as_one_alternation_of_every_rule(data):
    from cleaner.clean.phrases import _TRAIL, _any_of, load_rules

    rules = load_rules()
    whole = _any_of([p for kind, _, _, rx in rules.compiled if kind != "prefix" for p in _group_rules(rx)])
    pattern = data.draw(st.sampled_from(_rule_patterns()))
    line = data.draw(st.from_regex(re.compile(pattern), fullmatch=True))
    extra = data.draw(st.sampled_from(["", " and more", "photo: ", "(", " | getty images", "x"]))
    for candidate in (line, line + extra, extra + line, extra, ""):
        stripped = _TRAIL.sub("", normalise(candidate))
        assert rules.any_line.possible(stripped) == (whole.fullmatch(stripped) is not None)


def _group_rules(rx: re.Pattern[str]) -> list[str]:
    return [load_rules().patterns[name] for name in rx.groupindex if name in load_rules().patterns]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"aBc DéÉ İıΣσς'_.,-\n1²", "ΟΔΟΣ", "Straße"]), max_size=60).map("".join))
def test_lower_words_are_the_first_words_lower_cased(text):
    from cleaner.clean.stopwords import first_words, lower_words

    for n in (3, 4000):
        assert lower_words(text, n) == [w.lower() for w in first_words(text, n)]


# --- repair looks only at the lines holding a character ftfy acts on


_REPAIR_PIECES = [
    "plain words ",
    "\n",
    "\n\n",
    "AT&amp;T ",
    "&eacute;",
    "a < b ",
    "cafÃ© ",
    "â€œquotedâ€\x9d ",
    "e\u0301 ",
    "“curly” — dash ",
    "\ufb01ne ",
    "\u2028",
    "\x85",
    "北京 ",
    "naïve ",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_REPAIR_PIECES), max_size=25).map("".join))
def test_repair_is_ftfy_on_the_whole_text(text):
    import ftfy

    from cleaner.clean.blocks import _FTFY, repair

    assert repair(text) == ftfy.fix_text(text, _FTFY)


# --- a glued list is found from the line's words, split once


def _reference_cut(blocks, rules):
    """``glued.cut_glued_lists`` as it was: the rest of the line split again after every boundary."""
    from cleaner.clean.blocks import Block
    from cleaner.clean.glued import (
        _BOUNDARY,
        _MARKER_WORDS,
        _MIN_TAIL_WORDS,
        REASON,
        _single_link,
        _story_goes_on,
    )
    from cleaner.clean.phrases import PREFIX_MAX_WORDS

    def marker_at(rest):
        for n in range(1, min(_MARKER_WORDS, len(rest) - _MIN_TAIL_WORDS) + 1):
            if not rest[n][:1].isupper():
                continue
            m = rules.match(" ".join(rest[:n]))
            if m is not None and m.kind == "list":
                return True
        return False

    out = []
    for b in blocks:
        if b.cut is not None or b.text.count(" ") + 1 < PREFIX_MAX_WORDS:
            out.append(b)
            continue
        for m in _BOUNDARY.finditer(b.text):
            tail = b.text[m.end() :]
            if marker_at(tail.split(" ")) and not (_single_link(tail) and _story_goes_on(tail)):
                out.append(Block(b.text[: m.start()], b.lines, b.blank_before))
                out.append(Block(b.text[m.end() :], b.lines, False, cut=REASON))
                break
        else:
            out.append(b)
    return out


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["The", "council", "voted.", "Top", "stories", "You", "may", "also", "like", "Bridge", "closes.",
             "Read", "more", " ", "\t", "Related:", "—", "said.\tTop"]
        ),
        min_size=40,
        max_size=90,
    ).map(" ".join)
)
def test_glued_lists_are_cut_where_the_line_by_line_search_cut_them(line):
    from cleaner.clean.blocks import Block
    from cleaner.clean.glued import cut_glued_lists

    blocks = [Block(line, (1,)), Block("short line", (2,))]
    assert cut_glued_lists(blocks, load_rules()) == _reference_cut(blocks, load_rules())


def test_remembered_repairs_start_again_with_the_same_answers(monkeypatch):
    import ftfy

    from cleaner.clean import blocks
    from cleaner.clean.blocks import _FTFY, repair

    monkeypatch.setattr(blocks, "_FIXED_MAX", 2)
    texts = ["AT&amp;T said “no”\nTerms &amp; Conditions\ncafÃ© â€œquotedâ€\x9d\nplain", "a < b\nR&amp;D"] * 3
    for text in texts:
        assert repair(text) == ftfy.fix_text(text, _FTFY)
    assert len(blocks._FIXED) <= 2


def _window_mean(v, w, c=None):
    """The one-window code ``features._window_means`` replaced (kept here as the reference)."""
    import numpy as np

    from cleaner.clean import features as F

    n = len(v)
    if c is None:
        c = F._cumsum0(v)
    idx = np.arange(n)
    lo, hi = np.maximum(0, idx - w), np.minimum(n, idx + w + 1)
    total = c[hi] - c[lo] - v
    cnt = (hi - lo - 1).reshape((-1,) + (1,) * (v.ndim - 1))
    return total / np.maximum(cnt, 1)


def _side_means(v, w, c=None):
    """The one-window code ``features.stage2_features`` replaced (kept here as the reference)."""
    import numpy as np

    from cleaner.clean import features as F

    n = len(v)
    if c is None:
        c = F._cumsum0(v)
    idx = np.arange(n)
    lo = np.maximum(0, idx - w)
    hi = np.minimum(n, idx + 1 + w)
    before = (c[idx] - c[lo]) / np.maximum(idx - lo, 1).reshape((-1,) + (1,) * (v.ndim - 1))
    after = (c[hi] - c[idx + 1]) / np.maximum(hi - idx - 1, 1).reshape((-1,) + (1,) * (v.ndim - 1))
    return before, after


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=10_000))
def test_neighbour_means_of_all_windows_at_once_are_each_windows_numbers(n, seed):
    import numpy as np

    from cleaner.clean import features as F

    rng = np.random.default_rng(seed)
    sub = rng.random((n, len(F._CONTEXT_COLS)))
    c = F._cumsum0(sub)
    for w, got in zip(F._WINDOWS, F._window_means(sub, c), strict=True):
        assert got.tobytes() == _window_mean(sub, w, c).tobytes()
    p = rng.random(n)
    cols = F.stage2_features(p)
    for k, w in enumerate(F._P_WINDOWS):
        before, after = _side_means(p, w)
        assert np.array_equal(cols[:, 1 + k], before) and np.array_equal(cols[:, 1 + len(F._P_WINDOWS) + k], after)


def _second_language_counting_every_time(paragraphs, first, first_prose=0, sample=4000):
    """``stopwords.second_language`` as it was before it remembered each paragraph's verdict."""
    from collections import Counter

    from cleaner.clean.stopwords import (
        PROSE_DENSITY,
        PROSE_WORDS,
        SECOND_MIN_WORDS,
        SECOND_SHARE,
        _best_covered,
        lower_words,
        stoplist,
        stopword_index,
    )

    index = stopword_index()
    stops = stoplist(first) if first else frozenset()
    prose = Counter({first or "": first_prose})
    seen = 0
    for p in paragraphs:
        if seen >= sample:
            break
        found = lower_words(p, sample)
        seen += len(found)
        if len(found) < PROSE_WORDS:
            continue
        least = PROSE_DENSITY * len(found)
        if sum(map(stops.__contains__, found)) >= least:
            prose[first or ""] += len(found)
        elif sum(map(index.words.__contains__, found)) >= least:
            best = _best_covered(Counter(found))
            if best and best[1] >= least:
                prose[best[0]] += len(found)
    others = [(n, lang) for lang, n in prose.items() if lang != first]
    if not others:
        return None
    n, lang = max(others)
    return lang if n >= SECOND_MIN_WORDS and n >= SECOND_SHARE * prose.get(first or "", 0) else None


_PARAGRAPHS = [
    "The council voted on Monday to close the old bridge, which has been shut since March.",
    "O conselho votou na segunda-feira para fechar a velha ponte, que está fechada desde março.",
    "Der Rat hat am Montag beschlossen, die alte Brücke zu schließen, weil sie nicht sicher ist.",
    "El consejo votó el lunes para cerrar el viejo puente a todo el tráfico de la ciudad.",
    "Home News Sport Weather Video Live",
    "1 Green, 1 Red, 2 Blue, 3 Yellow, 4 Black, 5 White",
    "Subscribe to our newsletter and get the best stories of the day in your inbox",
    "a de la el en y que los del las por un para con no una su al lo como",
    "",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(_PARAGRAPHS), max_size=25),
    st.sampled_from(["en", "pt", "de", "es", None]),
    st.integers(0, 400),
    st.sampled_from([4000, 40, 8]),
)
def test_second_language_with_remembered_verdicts_answers_as_counting_every_time(paragraphs, first, prose, sample):
    from cleaner.clean.stopwords import second_language

    expected = _second_language_counting_every_time(paragraphs, first, prose, sample)
    assert second_language(paragraphs, first, prose, sample) == expected
    assert second_language(paragraphs, first, prose, sample) == expected  # its verdicts remembered


def test_remembered_verdicts_make_room_and_answer_the_same(monkeypatch):
    from cleaner.clean import stopwords

    monkeypatch.setattr(stopwords, "VERDICTS_MAX", 3)
    stopwords.VERDICTS.clear()
    for _ in range(3):
        for first in ("en", "pt", None):
            got = stopwords.second_language(_PARAGRAPHS, first)
            assert got == _second_language_counting_every_time(_PARAGRAPHS, first)
            assert len(stopwords.VERDICTS) <= 3
    stopwords.VERDICTS.clear()


_LINES = [
    "The council voted on Monday to close the old bridge.",
    "Der Rat hat am Montag beschlossen, die alte Brücke zu schließen.",
    "Home | News | Sport",
    "İSTANBUL'DA BİR VE BU İÇİN bir ve bu için da",  # "İ" lower-cases to two characters
    "ΚΑΙ ΤΟ ΣΤΟ ΟΔΟΣ'Α ΚΑΙ ΣΑΣ και το στο",  # a final sigma lower-cases by its neighbours
    "\tde la  de\u00a0la\r",
    "",
    "   ",
    "北京市 的 是 and the",
    "x" * 50,
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_LINES), max_size=40), st.sampled_from([4000, 300, 30, 12, 5, 1, 0]))
def test_stopword_hits_summed_line_by_line_are_those_of_the_whole_texts_words(lines, sample):
    from collections import Counter

    from cleaner.clean.stopwords import first_hits, language_hits, lower_words

    text = "\n".join(lines)
    words = lower_words(text, sample)
    expected = language_hits(Counter(words))
    for _ in range(2):  # the second time from the remembered lines
        read, got = first_hits(text, sample)
        assert read == len(words)
        assert (got is None) == (expected is None)
        if got is not None:
            assert got.dtype == expected.dtype and got.tolist() == expected.tolist()


def test_remembered_line_words_make_room_and_count_the_same(monkeypatch):
    from collections import Counter

    from cleaner.clean import stopwords

    monkeypatch.setattr(stopwords, "LINE_WORDS_MAX", 3)
    stopwords.LINE_WORDS.clear()
    text = "\n".join(_LINES)
    expected = stopwords.language_hits(Counter(stopwords.lower_words(text, 4000))).tolist()
    for _ in range(3):
        assert stopwords.first_hits(text, 4000)[1].tolist() == expected
        assert len(stopwords.LINE_WORDS) <= 3
    stopwords.LINE_WORDS.clear()
