"""Shortcuts taken for speed give the results of the slower calls they replace."""

from __future__ import annotations

import ftfy
import pytest

from cleaner.clean.blocks import _CONTROL, _FTFY, repair
from cleaner.extract import _DATE_PARAMS, _METADATA, metadata
from cleaner.language import FALLBACK_CHARS, detect, langdetect, sample

from .test_html import STORY, page, story_html

REPAIR_CASES = [
    "plain ASCII line\nand another",
    "The cafÃ© was full\nclean line — “quoted”\nAT&amp;T said &eacute;",
    "a < b on this line\nso &amp; stays escaped here\n",  # ftfy stops unescaping after a "<"
    "ligature \ufb01ne\nline\u2028separator\nnext\u0085line\nBOM\ufeff inside\nC1 \x80\x93 here",
    "e\u0301 decomposed\n\ud800 lone surrogate\ninvisible \u206a mark\n",
    "ends with a newline\n\n\n",
    "M\u00c3\u00bcller und \u00e2\u20ac\u0153Zitat\u00e2\u20ac\ufffd\r\nWindows line\rold Mac line",
]


@pytest.mark.parametrize("text", REPAIR_CASES)
def test_repair_is_ftfy_on_the_lines_it_could_change(text):
    normalised = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    assert repair(text) == ftfy.fix_text(normalised, _FTFY)


PAGES = [
    story_html(),
    page(
        "<p>" + STORY[0] + "</p>",
        title="Bridge to close",
        head='<link rel="canonical" href="/news/b">'
        '<meta property="og:url" content="https://example.org/x"><meta property="og:site_name" content="@daily">',
    ),
    page(
        '<div class="byline">By John Doe</div><time datetime="2024-03-05">5 March</time><p>'
        + STORY[1]
        + "</p>",
        head='<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Bridge", '
        '"author": {"name": "Ann Lee"}, "datePublished": "2024-03-04"}</script>',
    ),
    "<html><body><p>no head at all</p></body></html>",
    "<html><head><title>Bridge closes - Daily News</title></head><body><h1>Bridge closes</h1>"
    '<div class="comments"><span class="author">Commenter Name</span></div>'
    '<p class="byline">By Mary Jones</p><p>' + STORY[2] + "</p></body></html>",
]


@pytest.mark.parametrize("html", PAGES)
def test_metadata_is_trafilaturas_for_the_fields_used(html):
    from trafilatura.metadata import extract_metadata
    from trafilatura.utils import load_html

    url = "https://www.example.com/news/bridge"
    full = extract_metadata(load_html(html), url, dict(_DATE_PARAMS)).as_dict()
    assert metadata(load_html(html), url) == {k: full[k] for k in _METADATA if full.get(k)}


def test_langdetect_fallback_reads_a_bounded_sample():
    text = "Un texte court. " * 10 + " ".join(["word"] * 2000)
    cut = sample(text)
    assert len(cut) <= FALLBACK_CHARS and text.startswith(cut) and not cut.endswith(" ")
    assert sample("short text") == "short text"
    # mixed, unclear text (no stopword majority) goes to langdetect: the sample gives its answer
    mixed = "Tokyo Olympics 2020 Naomi Osaka Serena Williams Roger Federer Rafael Nadal " * 40
    assert detect(mixed) == langdetect(mixed)


def test_lazy_langdetect_profiles_equal_langdetects_own_loading():
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    from cleaner.language import _factory

    ours, ref = _factory(), DetectorFactory()
    ref.load_profile(PROFILES_DIRECTORY)
    assert ours.langlist == ref.langlist
    words = list(ref.word_lang_prob_map)
    assert all(w in ours.word_lang_prob_map for w in words) and "qqqzzz" not in ours.word_lang_prob_map
    assert all(ours.word_lang_prob_map[w] == ref.word_lang_prob_map[w] for w in words[::7])
    ref.set_seed(0)
    for text in ["Der Stadtrat hat am Montag beschlossen", "Tokyo 2020 Osaka", "Наши герои знают толк"]:
        a, b = ours.create(), ref.create()
        a.append(text)
        b.append(text)
        assert [(x.lang, x.prob) for x in a.get_probabilities()] == [
            (x.lang, x.prob) for x in b.get_probabilities()
        ]


def test_stopword_index_maps_every_word_to_its_languages_in_order():
    from cleaner.clean.stopwords import languages, stoplist, stopword_index

    expected: dict[str, list[str]] = {}
    for lang in languages():
        for word in stoplist(lang):
            expected.setdefault(word, []).append(lang)
    index = stopword_index()
    assert len(expected) > 50_000
    assert {w: index[w] for w in expected} == {w: tuple(langs) for w, langs in expected.items()}
    for word in ("", "xyzzy", "qwfpgj", "Der", "The"):  # in no (lower-cased) list
        assert word not in expected and index[word] == ()


def test_stopword_index_forgets_when_full_and_answers_the_same(monkeypatch):
    from cleaner.clean import stopwords

    index = stopwords.StopwordIndex(
        {"en": frozenset({"the", "and"}), "xx": frozenset(), "de": frozenset({"und", "the"})}
    )
    monkeypatch.setattr(stopwords, "INDEX_MAX", 3)
    words = ["the", "und", "and", "bridge", "the", "und", "x", "y", "and"]
    assert [index[w] for w in words] == [
        ("en", "de"),
        ("de",),
        ("en",),
        (),
        ("en", "de"),
        ("de",),
        (),
        (),
        ("en",),
    ]
    assert len(index) <= 3


FORM_PAGE = (
    "<html><head><title>Vote</title><!-- a comment --></head><body><article>"
    + "".join(f"<p>{p}</p>" for p in STORY)
    + '<form><label>Name <input name="n" value="x"></label><select><option>1</option></select>'
    "<textarea>Say something</textarea></form></article></body></html>"
)


@pytest.mark.parametrize("html", [*PAGES, FORM_PAGE])
def test_fast_class_lookup_parses_and_extracts_as_trafilatura_does(html):
    import trafilatura
    from lxml import etree
    from trafilatura.utils import load_html

    from cleaner.extract import parse

    ours, theirs = parse(html), load_html(html)
    assert etree.tostring(ours) == etree.tostring(theirs)
    a, b = (
        trafilatura.bare_extraction(t, with_metadata=True, include_comments=False) for t in (ours, theirs)
    )
    assert (a.text, a.title, a.author) == (b.text, b.title, b.author)


_EXTRACT_IN_FRESH_PROCESS = """
import json, sys
from cleaner import extract
from cleaner.document import Document
pages = json.load(sys.stdin)
if sys.argv[1] == "warm":
    extract.warm_up()
out = []
for url, html in pages:
    doc = extract.extract(Document(source="p", raw=html, kind="html", metadata={"url": url} if url else {}))
    out.append([doc.raw, sorted(doc.metadata.items())])
json.dump(out, sys.stdout)
"""


def test_trafilatura_warm_up_leaves_every_extraction_as_it_was():
    """Workers forked after ``extract.warm_up`` extract what a process that never ran it extracts."""
    import json
    import subprocess
    import sys

    from cleaner.extract import _WARM_UP_PAGE

    urls = [None, "https://www.bbc.co.uk/news/uk-1", "https://www.example.com/news/bridge"]
    pages = [[url, html] for html in [*PAGES, FORM_PAGE, _WARM_UP_PAGE] for url in urls]
    runs = [
        subprocess.run(
            [sys.executable, "-c", _EXTRACT_IN_FRESH_PROCESS, mode],
            input=json.dumps(pages),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for mode in ("cold", "warm")
    ]
    assert json.loads(runs[0]) == json.loads(runs[1])
    assert any(meta for _, meta in json.loads(runs[0]))


def test_stoplists_are_justexts_lower_cased():
    import justext

    from cleaner.clean.stopwords import languages, stoplist

    for code, name in languages().items():
        assert stoplist(code) == frozenset(w.lower() for w in justext.get_stoplist(name)), code
    assert stoplist("xx") == frozenset()


def test_a_broken_phrase_rule_fails_loudly_with_its_own_error(monkeypatch):
    import re

    from cleaner.clean import phrases

    real = phrases._parse

    def with_broken_rule(text, lang):
        rules = real(text, lang)
        return rules + [("line", "promo", lang, "broken (rule")] if lang == "en" else rules

    monkeypatch.setattr(phrases, "_parse", with_broken_rule)
    phrases.load_rules.cache_clear()
    try:
        with pytest.raises(re.error) as caught:
            phrases.load_rules()
        assert caught.value.pattern == "broken (rule"
    finally:
        phrases.load_rules.cache_clear()


def _byline_page(body: str, root: str = "<html>") -> str:
    return f"{root}<head><title>Bridge</title></head><body><article><p>{STORY[0]}</p>{body}</article></body></html>"


AUTHOR_PAGES = [
    *PAGES,
    FORM_PAGE,
    _byline_page('<div class="byline">By<time>5 May</time>Jane Smith</div>'),  # the tail joins the text
    _byline_page(
        '<p class="author-name">Ann <span class="date">today</span> Lee<figure>x</figure>, Rome</p>'
    ),
    _byline_page(
        '<div class="comments"><span class="author">A Commenter</span></div><span class="writer">Bo Li</span>'
    ),
    _byline_page(
        '<div class="sidebar"><div class="sidebar"><a rel="author">Hidden Name</a></div></div>'
        '<a rel="author" href="/x">Carl Mays</a>'
    ),
    _byline_page('<author>Dee Wu</author><div itemprop="author name">Eve Ng</div>'),
    _byline_page('<span data-component="Byline">By Fay Oz</span><div data-testid="AuthorCard">x</div>'),
    _byline_page('<h4 id="zuozhe">Gu Hua</h4><div class="AuthorName">' + "very long " * 20 + "</div>"),
    _byline_page('<div class="byl"><time>1</time></div><div class="BBL">Hal Iverson</div>'),
    _byline_page('<div id="comments-list"><p class="author">In Comments</p></div><p>Plain</p>'),
    _byline_page('<span class="print">Ivy Po</span><span class="article-share author">Jo Kim</span>'),
    _byline_page('<div class="x"><fb:author>Kay Lu</fb:author><a:div class="author">Lee Mo</a:div></div>'),
    _byline_page('<div class="username">Max <rel>me</rel> Nu</div>'),  # an element named rel
    _byline_page('<p class="byline">By Ola Pe</p>', root='<html class="author">'),
    _byline_page(
        '<span class="authorName">  </span><span class="author">Q</span><i class="Author">Ray Su</i>'
    ),
]


@pytest.mark.parametrize("html", AUTHOR_PAGES)
def test_author_is_trafilaturas(html):
    from trafilatura.metadata import extract_author as trafilaturas
    from trafilatura.utils import load_html

    from cleaner.author import _mirrors_trafilatura, extract_author

    assert _mirrors_trafilatura()  # else the shortcut is never taken
    assert extract_author(load_html(html)) == trafilaturas(load_html(html))


@pytest.mark.parametrize("html", AUTHOR_PAGES)
def test_author_tests_take_what_trafilaturas_expressions_take(html):
    from trafilatura.utils import load_html
    from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

    from cleaner.author import _matches, _may_match, _selection

    tree = load_html(html)
    elements = [el for el in tree.iter() if isinstance(el.tag, str)]
    if any(el.tag == "rel" for el in elements):  # rel='me' reads such an element's text: not mirrored,
        assert any(el.tag == "rel" for el in _selection()(tree))  # the page goes to trafilatura's own
        return
    flags = {el: _matches(el.tag, el.get) for el in elements}
    for i, expression in enumerate([*AUTHOR_XPATHS, AUTHOR_DISCARD_XPATHS[0]]):
        assert expression(tree) == [el for el in elements if flags[el][i]], expression.path
    selected = set(_selection()(tree))
    assert all(el in selected and _may_match(el.tag, el.get) for el in elements if any(flags[el]))


LANGDETECT_CASES = [
    "The council voted on Monday to close the old bridge to all traffic from next week.",
    "Der Stadtrat hat am Montag beschlossen, die alte Brücke ab nächster Woche zu sperren.",
    "Наши герои знают толк в хорошей погоде, сказал мэр города в понедельник.",
    "Tiếng Việt có dấu: Người ta nói rằng e\u0301 a\u0300 o\u0303 u\u0309 i\u0323 hôm nay",
    "日本語のテキストです。カタカナとひらがな、そして漢字。東京",
    "中文文本，北京是中国的首都。今天天气很好。",
    "한국어 텍스트입니다 서울은 한국의 수도입니다",
    "ٱلعربية لغة جميلة فارسی یک زبان است",
    "românește: ș ț Ș Ț și țară",
    "HELLO WORLD this IS a Test OF Capital WORDS and NASA, FBI, U.S.A. news",
    "mail x.y@example.com or http://example.com/a?b=c#d and  two   spaces\n\nand lines",
    "Latin in Cyrillic text: Москва Moscow Кремль Kremlin [brackets] ^_` here",
    "\u1ea0\u1ea1 \u1e00 \u0300\u0301 \u2019quotes\u201d — dashes … and ẞ ǅ ǈ title-case letters",
    "ΑΘΗΝΑ Αθήνα: Η κυβέρνηση ανακοίνωσε σήμερα νέα μέτρα.",
    "",
    "   ",
    "A",
    "AB CD Ef",
]


def test_langdetect_text_preparation_is_langdetects_own():
    import random

    from langdetect.detector import Detector

    from cleaner.language import _factory
    from cleaner.ngrams import detector_class

    factory = _factory()
    rng = random.Random(0)
    joined = " ".join(LANGDETECT_CASES)
    cases = LANGDETECT_CASES + [joined[i : i + rng.randint(1, 200)] for i in rng.choices(range(len(joined)), k=300)]
    for text in cases:
        ref, ours = Detector(factory), detector_class()(factory)
        ref.append(text)
        ours.append(text)
        assert ours.text == ref.text, text
        ref.cleaning_text()
        ours.cleaning_text()
        assert ours.text == ref.text, text
        assert ours._extract_ngrams() == ref._extract_ngrams(), text
    for text in LANGDETECT_CASES[:14]:
        ref, ours = Detector(factory), detector_class()(factory)
        ref.append(text)
        ours.append(text)
        assert [(x.lang, x.prob) for x in ours.get_probabilities()] == [
            (x.lang, x.prob) for x in ref.get_probabilities()
        ]


LINE_CASES = [
    "The council voted on Monday to close the old bridge.",
    'He said: "It will not open again."',
    "Is it safe?)”",
    "Ends in an ellipsis…",
    "ends with a newline.\n",
    "ends with two newlines.\n\n",
    "no end punctuation here",
    "Home | News | Sport",
    "Home |",
    "a/b testing and 1/2 cups",
    "Politics » Europe",
    "· bullet in the middle · of it",
    "中文句子。",
    "¿Qué pasó？",
    "",
    "\n",
    ".",
    "Ünïcödé wörds, naïve café — 12 İstanbul ΣΟΦΙΑ",
    "Jane Doe",
    "By Jane Doe and John Smith of the Paper",
    "one two three four five six seven eight",
]


@pytest.mark.parametrize("text", LINE_CASES)
def test_line_feature_shortcuts_answer_as_the_expressions_do(text):
    from cleaner.clean import features as F

    assert F._terminal(text) == bool(F._TERMINAL.search(text))
    assert F._separator(text) == bool(F._SEPARATOR.search(text))
    assert F._tokens(text) == F._WORD.findall(text)


def _vote_one_language_at_a_time(text):
    """``stopword_vote`` as it was written before the array form: every word's languages counted one
    by one, then all the languages sorted by score."""
    from collections import Counter
    from itertools import chain

    from cleaner import language as L
    from cleaner.clean.stopwords import languages, lower_words, stoplist, stopword_index

    weights = {c: len(stoplist(c)) ** L.SIZE_EXPONENT for c in languages() if stoplist(c)}
    words = lower_words(text, L.FAST_TOKENS)
    hits = Counter(chain.from_iterable(map(stopword_index().__getitem__, words)))
    if not hits or len(words) < L.MIN_TOKENS:
        return None
    scores = sorted(((h / weights[lang], lang) for lang, h in hits.items()), key=lambda s: (-s[0], s[1]))
    best, lang = scores[0]
    if hits[lang] < L.MIN_COVERAGE * len(words):
        return None
    if len(scores) > 1 and best < L.MIN_MARGIN * scores[1][0]:
        return None
    return lang


VOTE_CASES = [
    " ".join(STORY),
    "Der Gemeinderat hat am Montag beschlossen, die alte Brücke für den gesamten Verkehr zu sperren, "
    "und der Bürgermeister sagte, dass sie vor dem Frühjahr nicht wieder geöffnet werde.",
    "El consejo votó el lunes para cerrar el viejo puente a todo el tráfico a partir de la próxima semana, "
    "y el alcalde dijo que no volvería a abrir antes de la primavera.",
    "a " * 30,  # one word that many lists hold: a tie broken alphabetically
    "de la de la de la de la de la de la de la de la de la de la de la de la",
    "Home News Sport Weather " * 10,
    "the the the",  # too few words
    "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22",
    # paragraphs, as clean bodies come: the 300th word inside a line, or at a line's end
    "\n\n".join(STORY * 8),
    "\n\n".join(["Home News Sport"] + ["De Rat hat am Montag die Brücke und den Weg geschlossen"] * 40),
    "\n".join(["one two three four five six seven eight nine ten"] * 29 + ["the and of", "der die das " * 9]),
    "\n".join(["the council and the mayor"] * 60 + ["der die das und"] * 30),
]


@pytest.mark.parametrize("text", VOTE_CASES)
def test_stopword_vote_in_arrays_answers_as_counting_each_word_did(text):
    from cleaner.language import stopword_vote

    assert stopword_vote(text) == _vote_one_language_at_a_time(text)


def test_extract_share_columns_are_the_means_over_the_rows_that_are_not_table_cells():
    import numpy as np

    from cleaner.clean.features import BASE
    from cleaner.clean.model import looks_extracted, prose_share, short_share

    rng = np.random.default_rng(0)
    for n in (1, 2, 7, 40):
        base = (rng.random((n, len(BASE))) < 0.4).astype(float)
        rows = base[base[:, BASE.index("table_row")] <= 0]
        prose = float(rows[:, BASE.index("prose")].mean()) if len(rows) else 0.0
        short = float(rows[:, BASE.index("short")].mean()) if len(rows) else 0.0
        assert (prose_share(base), short_share(base)) == (prose, short)
        assert looks_extracted(base) == (prose >= 0.4 or short < 0.3)
    assert not looks_extracted(np.zeros((0, len(BASE))))


@pytest.mark.parametrize("gap", [" ", "  ", "\t", " \u00a0"])
def test_a_glued_list_is_cut_at_its_marker_whatever_the_spaces_before_it(gap):
    """The words after a sentence boundary are found by counting spaces (a tab or a double space
    before the marker must not shift them)."""
    from cleaner.clean.blocks import Block
    from cleaner.clean.glued import cut_glued_lists
    from cleaner.clean.phrases import load_rules

    story = "Snipers shot into the crowd from rooftops and, in one case, a helicopter. " * 4
    tail = "Top stories The House voted on Tuesday to recognise the genocide. An actor died at 96 today."
    out = cut_glued_lists([Block(story.rstrip() + gap + tail, (1,))], load_rules())
    assert [b.text for b in out] == [story.rstrip(), tail]
    assert [b.cut for b in out] == [None, "related-list"]


def test_language_hits_as_a_matrix_product_are_each_words_count_added_to_its_languages(monkeypatch):
    """The row-matrix form of ``language_hits`` gives the sums of adding every distinct word's count
    to each of its languages one at a time (whole numbers, so exactly), also once its matrix grew."""
    from collections import Counter

    import numpy as np

    from cleaner.clean import stopwords

    index = stopwords.StopwordIndex({lang: stopwords.stoplist(lang) for lang in stopwords.languages()})
    position = {lang: i for i, lang in enumerate(index.names)}

    def one_at_a_time(counts: Counter[str]) -> np.ndarray | None:
        totals = np.zeros(len(index.names))
        found = False
        for word, n in counts.items():
            for lang in index[word]:
                totals[position[lang]] += n
                found = True
        return totals if found else None

    vocabulary = sorted(index.words)[::97] + ["bridge", "council", "xyzzy", "İstanbul", ""]
    rng = np.random.default_rng(3)
    cases = [Counter(), Counter({"xyzzy": 3}), Counter(" ".join(STORY).lower().split())]
    cases += [Counter(rng.choice(vocabulary, size=int(n)).tolist()) for n in rng.integers(1, 2000, 40)]
    monkeypatch.setattr(stopwords, "stopword_index", lambda: index)
    for counts in cases:
        got, expected = stopwords.language_hits(counts), one_at_a_time(counts)
        assert (got is None) == (expected is None)
        if got is not None:
            assert got.dtype == np.float64 and got.tolist() == expected.tolist()
    assert len(index.matrix) > 256  # the cases asked for more words than its first rows
