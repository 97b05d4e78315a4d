"""The text cleaner on its own: phrase rules, the block classifier, repair and the decisions it reports."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cleaner.clean import clean_text, meta
from cleaner.clean.model import BlockModel, load_model
from cleaner.clean.phrases import load_rules
from cleaner.clean.stopwords import guess_language

DATA = Path(__file__).parent / "data" / "clean"

STORY = [
    "The city council voted on Monday to close the old bridge over the river, which has been shut to "
    "lorries since engineers found a crack in one of its piers in March.",
    "Residents said the closure would add twenty minutes to their journeys, and shop owners on both "
    "banks warned that they would lose customers while a new crossing is built.",
    "What happens next?",
    "The council will ask for bids in the spring and hopes that work on a replacement can start before "
    "the end of the year, although the money for it has not yet been found.",
    "A spokesman for the council said that safety had to come first and that the decision had not been "
    "taken lightly by anyone involved.",
]
MENU = ["Home", "News", "Sport", "Business", "Opinion", "Culture", "Travel", "Search", "Sign in", "Subscribe"]
TRAILER = ["You may also like", "Bridge reopens after repairs", "Council tax to rise", "Weather warning for weekend",
           "© 2024 Example Gazette. All rights reserved.", "Privacy policy", "Contact us"]


def _cases() -> list[tuple[str, str]]:
    rows = []
    for line in (DATA / "phrases.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            expected, text = line.split("\t")
            rows.append((expected, text))
    return rows


@pytest.mark.parametrize("expected,line", _cases())
def test_phrase_rules(expected, line):
    m = load_rules().match(line)
    if expected == "keep":
        assert m is None, f"a story sentence matched rule {m}"
    else:
        assert m is not None and m.reason == expected


def test_full_page_keeps_the_story_and_drops_the_chrome():
    page = "\n".join(MENU + ["", "Bridge to close after crack found", ""] + STORY + [""] + TRAILER)
    r = clean_text(page)
    body = r.text.split("\n\n")
    for para in STORY:
        assert para in body
    for line in MENU + TRAILER:
        assert line not in body
    assert r.title == "Bridge to close after crack found"


def test_every_line_has_a_decision_with_a_reason():
    page = "\n".join(MENU + STORY + TRAILER)
    r = clean_text(page)
    assert [d.line for d in r.decisions] == list(range(1, len(MENU + STORY + TRAILER) + 1))
    assert all(d.reason for d in r.decisions)
    assert {d.reason for d in r.decisions if not d.keep} >= {"related", "footer"}


@pytest.mark.parametrize(
    "dates,published",
    [
        (["Updated 3 hours ago", "March 14, 2025 10:42 AM UTC"], "2025-03-14"),
        (["March 14, 2025", "Updated: March 15, 2025"], "2025-03-14"),
        (["Updated 3 hours ago"], "Updated 3 hours ago"),
    ],
)
def test_the_published_date_is_the_first_that_names_a_day(dates, published):
    page = "\n".join(["Bridge to close after crack found", "By Jane Doe", *dates, "", *STORY])
    r = clean_text(page)
    assert r.metadata["published"] == published
    assert not set(dates) & set(r.text.split("\n"))


def test_text_without_spaces_is_not_emptied():
    text = "\n".join(
        ["先日、不正に改造したiPhoneを販売したとして、商標法違反の疑いで20代の男性が逮捕されたというニュースを耳にしました。",
         "報道によると、今回販売されたのは、いわゆる「脱獄」したiPhone。",
         "もちろん、Apple社は「脱獄」を認めていません。",
         "では、なぜ不正に改造したiPhoneを販売すると、商標権侵害になるのでしょうか。"]
    )
    assert guess_language(text) == "ja"
    assert len(clean_text(text).text) > 0.8 * len(text.replace("\n", ""))


def test_typography_is_kept_and_mojibake_repaired():
    story = "“We will not give up,” she said — and the crowd cheered for a long time afterwards in the rain."
    r = clean_text(story + "\n" + "The cafÃ© was full of people who had come to listen to what she had to say.")
    assert "“We will not give up,” she said —" in r.text
    assert "café" in r.text


def test_hard_wrapped_lines_are_joined():
    r = clean_text(
        "The minister said on Tuesday that the government would not raise the\n"
        "tax on fuel this year, despite pressure from its own backbenchers.\n"
    )
    assert r.text == (
        "The minister said on Tuesday that the government would not raise the tax on fuel this year, "
        "despite pressure from its own backbenchers."
    )


def test_shipped_model_loads_and_rejects_other_features():
    model = load_model()
    assert isinstance(model, BlockModel)
    d = model.to_json()
    assert BlockModel.from_json(json.loads(json.dumps(d))).stage1.mean.shape == model.stage1.mean.shape
    d["stage1"]["features"] = d["stage1"]["features"][:-1]
    with pytest.raises(ValueError):
        BlockModel.from_json(d)


def test_corpus_chrome_needs_different_stories():
    from cleaner.clean import ChromeCounter

    counter = ChromeCounter(min_stories=3)
    chrome_line = "Tips? Write to the newsroom at any hour of the day"
    for i in range(4):
        counter.add(f"{chrome_line}\nStory number {i} is about a different event in a different town, said the clerk.")
    shared = "The syndicated sentence appears in every copy of this one story, word for word, as agencies send it."
    for _ in range(4):
        counter.add(shared + "\nCopy note")
    chrome = counter.chrome()
    assert chrome_line.lower() in chrome
    assert shared.lower() not in chrome
    r = clean_text(chrome_line + "\n" + STORY[0] + "\n" + STORY[1], chrome=chrome)
    assert [d.reason for d in r.decisions][0] == "site-chrome"
    assert STORY[0] in r.text


def test_a_wrapped_paragraph_inside_page_chrome_is_joined_and_the_menu_is_not():
    from cleaner.clean.blocks import split, unwrap

    wrapped = [
        "After months of complaints from commuters, the council agreed with the",
        "Northern Transport Authority on Tuesday to spend more on buses and trams",
        "next year, and to hire drivers for the late services in the northern",
        "suburbs, the transport minister said on Wednesday.",
    ]
    menu = ["Home", "World", "Business", "Sport", "Subscribe to our newsletter", "Sign in to your account"]
    # long chrome lines (a cookie notice) make the page's own line lengths useless as a width
    notice = (
        "We use cookies and similar technologies to improve your experience, to measure the audience of "
        "this site and to show you offers that may interest you; read our policy to learn more."
    )
    text = "\n".join(menu + [notice] * 3) + "\n\n" + "\n".join(wrapped) + "\n\n" + "\n".join(menu)
    blocks = [b.text for b in unwrap(split(text))]
    assert " ".join(wrapped) in blocks
    assert blocks.count("Business") == 2 and len(blocks) == 2 * len(menu) + 3 + 1


@pytest.mark.parametrize(
    "line",
    [
        "Published 2:16 AM EST Nov 20, 2019",
        "Updated: Nov. 19, 2019, 6:18 p.m.",
        "2 days ago at 07:52 am",
        "2019-11-19T08:57:40+01:00",
        "Aktualisiert am 19.11.2019, 10:32 Uhr",
        "19. November 2019",
        "Publié le 19 novembre 2019 à 10h32",
        "il y a 3 heures",
        "Actualizado el 19 de noviembre de 2019",
        "Martedì 19 novembre 2019",
        "segunda-feira, 18 de novembro de 2019",
        "New Delhi, Bureau | Updated : 19 November 2019, 09:01 AM",
        "Madrid, 5 de marzo de 2025",
        "Rio de Janeiro, 5 de março de 2025",
        "NEW YORK, March 5, 2025 at 10:30 AM",
        "Frankfurt am Main, 12.03.2025, 14:30 Uhr",
        "Updated 9:14 AM EDT, Wed July 16, 2025",
        "16:42, 14 Aug 2025Updated 17:05, 14 Aug 2025",  # a stamp the scraper glued onto the date
    ],
)
def test_date_lines_in_six_languages(line):
    from cleaner.clean.meta import dateline

    assert dateline(line)


@pytest.mark.parametrize(
    "line",
    [
        "The bridge closed on 3 May 2019 after a crack was found.",
        "March 2019",
        "12:30",
        "In May 2019 the council voted",
        "LONDON, March 5, 2025 (Reuters) - Shares rose.",
        "Paris, 5 March 2025 was a cold day",
        "He said, 5 March 2025",
    ],
)
def test_story_lines_are_not_date_lines(line):
    from cleaner.clean.meta import dateline

    assert not dateline(line)


def test_a_place_and_date_under_the_headline_is_not_the_title():
    story = [
        "El Consejo de Ministros ha aprobado este martes un plan de vivienda dirigido a menores de 35 años "
        "que incluye ayudas al alquiler de hasta 250 euros mensuales.",
        "La ministra de Vivienda explicó que el plan beneficiará a unas 60.000 personas durante el primer año "
        "y que las comunidades autónomas gestionarán las ayudas.",
        "Las asociaciones de inquilinos consideran insuficiente la medida y reclaman limitar los precios del "
        "alquiler en las zonas tensionadas.",
    ]
    title = "El Gobierno aprueba el nuevo plan de vivienda para jóvenes"
    page = "\n".join(["Portada", "Internacional", "", title, "", "Madrid, 5 de marzo de 2025", "", *story])
    r = clean_text(page)
    assert r.title == title
    assert r.metadata["published"] == "2025-03-05"
    assert r.text.split("\n\n")[-3:] == story


@pytest.mark.parametrize(
    "head,author",
    [
        (["Home", "Bridge to close after crack found", "Jane Doe"], "Jane Doe"),
        (["Home", "Jane Doe", "Bridge to close after crack found"], "Jane Doe"),  # above it, as some sites do
        # capitalised words the page also writes in lower case: a menu or a button, not a name
        (["Home", "Safety First", "Bridge to close after crack found"], None),
        (["Home", "Bridge to close after crack found", "Council Bridge"], None),
    ],
)
def test_a_name_line_is_the_author_when_its_words_are_no_common_words_of_the_page(head, author):
    r = clean_text("\n\n".join([*head, *STORY]))
    assert r.metadata.get("author") == author
    assert r.title == "Bridge to close after crack found"


@pytest.mark.parametrize(
    "first,last,repeated,site",
    [
        # the page's <title> first: what it adds after the headline
        ("Bridge to close after crack found - The Gazette", "© 2025 Gazette Media Group", [], "The Gazette"),
        ("Bridge to close after crack found | News | The Gazette", "", [], "The Gazette"),
        # else the copyright notice's holder
        ("Home", "Copyright © 2025 Gazette Media Group, LLC. All rights reserved.", [], "Gazette Media Group"),
        # a section the page repeats far apart is no site name; a logo and its link, twice in a row, are
        ("Home", "", ["Opinion", "Sport", "Opinion"], None),
        ("Home", "", ["Gazettely", "Gazettely"], "Gazettely"),
        ("Home", "", [], None),
    ],
)
def test_the_site_name_comes_from_the_title_the_logo_or_the_copyright_notice(first, last, repeated, site):
    title = "Bridge to close after crack found"
    page = "\n\n".join([first, "Sign in", *repeated, title, *STORY, "Privacy policy", last])
    r = clean_text(page)
    assert r.metadata.get("sitename") == site
    assert r.title == title


def test_a_byline_names_the_author_rather_than_a_line_that_looks_like_a_name():
    page = "\n".join(["My Account", "", "Bridge to close after crack found", "", "By Jane Doe, Gazette", "", *STORY])
    r = clean_text(page)
    assert r.metadata["author"] == "Jane Doe"
    assert r.title == "Bridge to close after crack found"


def test_a_lead_cut_off_by_an_ad_slot_stays_with_the_story():
    """A page of the kind that lost its lead: between the page head's furniture and an ad slot, the
    block model reads the lead as page head."""
    page = (DATA / "lead_before_ad.txt").read_text("utf-8")
    lead = "The city will offer free lunch to every public school student starting in September"
    r = clean_text(page)
    assert r.text.startswith(lead)
    assert "SKIP ADVERTISEMENT" not in r.text and "Read in app" not in r.text


def test_a_row_of_sections_above_an_extracted_story_is_its_menu_not_a_table():
    """Text with so little chrome that it reads as an extractor's: its table rows are trusted, but
    not a "|"-separated row above the first paragraph."""
    page = (DATA / "menu_row_above_story.txt").read_text("utf-8")
    body = clean_text(page).text.split("\n\n")
    assert "Breaking News | World | Business | Tech | Science | Health" not in body
    assert body[0].startswith("A new species of octopus") and len(body) >= 4


def _furniture_case(find, lines: list[str], scores: list[float]) -> list[int]:
    """What ``find`` (``_leads_over_chrome`` or ``_tails_over_chrome``) takes for lines scored ``scores``."""
    from cleaner.clean.blocks import Block
    from cleaner.clean.classify import Evidence, _leads_over_chrome
    from cleaner.clean.features import _shape
    from cleaner.clean.stopwords import stoplist

    rules, stops = load_rules(), stoplist("en")
    matches = [rules.match(t) for t in lines]
    ev = Evidence([_shape(t, stops) for t in lines], matches, [False] * len(lines), [None] * len(lines), None)
    labels = [None if m is None else m.reason for m in matches]
    free = [k for k, m in enumerate(matches) if m is None]
    args = (free, ev, labels, np.array(scores), np.full(len(lines), 0.5))
    if find is _leads_over_chrome:
        args = ([Block(t, (k + 1,), True) for k, t in enumerate(lines)], *args)
    return sorted(find(*args))


def _lead_case(lines: list[str], scores: list[float]) -> list[int]:
    from cleaner.clean.classify import _leads_over_chrome

    return _furniture_case(_leads_over_chrome, lines, scores)


LEAD = STORY[0]


@pytest.mark.parametrize(
    "lines,scores,found",
    [
        (["Home", LEAD, "Advertisement", STORY[1]], [0.0, 0.3, 0.2, 0.9], [1]),
        (["Home", LEAD, "Advertisement", "Share this article", "Read in app", STORY[1]], [0, 0.3, 0, 0, 0, 0.9], [1]),
        # a date line under the lead, which scores as story itself
        (["Home", LEAD, "October 9, 2018 | by Olivia Larsen", STORY[1]], [0, 0.44, 0.52, 0.9], [1]),
        # the paragraph right before a lead found goes with it; a short deck does not
        (["Bridge to close", STORY[3], LEAD, "Ad Feedback", STORY[1]], [0, 0.3, 0.3, 0.2, 0.9], [1, 2]),
        (["Bridge to close", STORY[2], LEAD, "Ad Feedback", STORY[1]], [0, 0.3, 0.3, 0.2, 0.9], [2]),
        # a caption closed by its credit, a list marker, a paragraph far below the threshold, a short
        # line, four ad lines, or no furniture at all (the model judged it next to the story): none
        (["Home", LEAD, "(Image: © TNG Collaboration)", STORY[1]], [0, 0.3, 0.2, 0.9], []),
        (["Home", LEAD, "You may also like", STORY[1]], [0, 0.3, 0.2, 0.9], []),
        (["Home", LEAD, "Advertisement", STORY[1]], [0, 0.2, 0.2, 0.9], []),
        (["Home", "The mayor spoke.", "Advertisement", STORY[1]], [0, 0.4, 0.2, 0.9], []),
        (["Home", LEAD, *["Advertisement"] * 4, STORY[1]], [0, 0.4, 0, 0, 0, 0, 0.9], []),
        (["Home", LEAD, STORY[1]], [0, 0.4, 0.9], []),
    ],
)
def test_leads_over_furniture(lines, scores, found):
    assert _lead_case(lines, scores) == found


CLOSING = "Webb still faces nine state charges of aggravated kidnapping and two counts of indecency with a child."


def _tail_case(lines: list[str], scores: list[float]) -> list[int]:
    from cleaner.clean.classify import _tails_over_chrome

    return _furniture_case(_tails_over_chrome, lines, scores)


@pytest.mark.parametrize(
    "lines,scores,found",
    [
        ([STORY[1], "(Image: Leeds Live)", "It has already raised £300.", "Comments"], [0.9, 0.4, 0.26, 0.1], [2]),
        ([STORY[1], "Advertisement", "It has already raised £300.", STORY[3]], [0.9, 0.4, 0.3, 0.3], [2, 3]),
        # a list marker or a comments header ends the story; so does a line too short, or scored far below
        ([STORY[1], "You may also like", "It has already raised £300."], [0.9, 0.1, 0.3], []),
        ([STORY[1], "Comments", "It has already raised £300."], [0.9, 0.1, 0.3], []),
        ([STORY[1], "Advertisement", "It raised £300."], [0.9, 0.1, 0.3], []),
        ([STORY[1], "Advertisement", "It has already raised £300."], [0.9, 0.1, 0.2], []),
        ([STORY[1], "It has already raised £300."], [0.9, 0.3], []),
        # a long closing sentence right under the last paragraph needs no furniture between; then the
        # walk goes on over furniture as before. Scored far below the threshold, it is not the story's
        ([STORY[1], CLOSING], [0.9, 0.41], [1]),
        ([STORY[1], CLOSING, "Advertisement", "It has already raised £300."], [0.9, 0.41, 0.1, 0.3], [1, 3]),
        ([STORY[1], CLOSING], [0.9, 0.2], []),
        ([STORY[1], "Leave Comments", CLOSING], [0.9, 0.1, 0.41], []),
    ],
)
def test_tails_over_furniture(lines, scores, found):
    assert _tail_case(lines, scores) == found


def test_a_story_printed_twice_keeps_one_copy():
    text = "\n".join(STORY + ["Newsletter", "-"] + STORY)
    r = clean_text(text)
    assert r.text.split("\n\n").count(STORY[0]) == 1
    assert sum(d.reason == "repeated" for d in r.decisions) >= 4


def test_a_repeated_question_in_an_interview_stays():
    q = "What made you start the bridge campaign in the first place?"
    answers = [s for s in STORY if len(s) > 40]
    text = "\n".join(x for a in answers for x in (q, a))
    r = clean_text(text)
    assert all(d.reason != "repeated" for d in r.decisions)
    assert r.text.count(q) == len(answers)


def test_extracted_text_trusts_its_prose_until_a_comment_section():
    from cleaner.clean import prepare
    from cleaner.clean.classify import trusted_prose

    comment = "I think the council should have repaired the bridge years ago, when it was still cheap to do so."
    blocks, ev, _ = prepare("\n".join(["3 comments", *STORY, "Top Rated Comments", comment]))
    trusted = trusted_prose(ev.shapes, ev.matches, ev.base)
    texts = [b.text for b in blocks]
    assert trusted[texts.index(STORY[0])] and trusted[texts.index(STORY[-1])]
    assert not trusted[texts.index(comment)]


def test_extracted_text_drops_its_comment_section_but_not_a_comment_counter_above_the_story():
    comments = [
        "I think the council should have repaired the bridge years ago, when it was still cheap to do so.",
        "Agreed. Everyone who drives over it every day could see the cracks getting worse each winter.",
    ]
    r = clean_text("\n".join(["3 comments", *STORY, "Top Rated Comments", *comments]))
    reasons = {d.text: d.reason for d in r.decisions}
    assert all(reasons[c] == "comment-section" for c in comments)
    assert all(s in r.text for s in STORY)


def test_a_teaser_glued_to_a_long_stretch_of_story_is_not_a_prefix_match():
    glued = "Also on example.com Council votes to close the bridge" + STORY[0] + " " + STORY[1]
    assert load_rules().match("Also on example.com Council votes to close the bridge").reason == "readmore"
    assert load_rules().match(glued) is None


@pytest.mark.parametrize(
    "line",
    [
        "Correction, Nov. 15, 2019: This article originally misidentified the first publisher of the novel.",
        "Editor's note: This story was updated at 5:45 p.m. ET to include details from the NASA telecon.",
        "This article was originally published on June 24, 2023 and has been updated.",
        "Originally published on Live Science.",
    ],
)
def test_editors_notes_are_notices_not_date_lines(line):
    from cleaner.clean.meta import dateline, notice

    assert notice(line) and not dateline(line)


@pytest.mark.parametrize("where", ["top", "bottom"])
@pytest.mark.parametrize("shelf", [1, 3])
def test_an_editors_note_next_to_the_story_is_kept(where, shelf):
    """An update notice belongs to the story, even with ads between it and the story (a shelf of
    products, three of them 12 lines); its date does not make it a date line."""
    note = "Editor's note: This story was updated on Nov. 20, 2019 to include a comment from the mayor."
    ads = ["Advertisement", "Amazon", "Apple iPhone 11 Pro Max for $999", "See it now: Apple"] * shelf
    body = [note, *ads, *STORY] if where == "top" else [*STORY, *ads, note]
    head = ["", "Bridge to close after crack found", "November 20, 2019 - 11:28 AMT"]
    r = clean_text("\n".join(MENU + head + body + [""] + TRAILER))
    assert note in r.text.split("\n\n")
    assert "Advertisement" not in r.text


def test_a_list_of_tags_is_not_prose_nor_joined_to_the_next_line():
    from cleaner.clean import prepare

    tags = ("Tags old river bridge 2024, river bridge closure, city council vote, road works in spring, "
            "lorry diversions, engineers report, bridge budget, traffic in the city centre")
    note = "Readers' letters may be edited for length and clarity before they are published here."
    blocks, ev, _ = prepare("\n".join([*STORY, tags, note]))
    texts = [b.text for b in blocks]
    assert tags in texts and note in texts
    assert not ev.shapes[texts.index(tags)].prose
    # a sentence that lists things is still prose
    listing = ("The council will repair the old bridge, the river wall, the quay, the towpath, the car park and "
               "the station footbridge before the end of the year.")
    blocks, ev, _ = prepare("\n".join([*STORY, listing]))
    assert ev.shapes[[b.text for b in blocks].index(listing)].prose


def test_extracted_text_judges_lines_after_its_last_paragraph_against_the_page_threshold():
    """Lines inside an extract's story need only the lenient threshold; after its last paragraph
    (where related-story links sit) they need the one for pages."""
    import numpy as np

    from cleaner.clean.model import STAGE1_NAMES, STAGE2_NAMES, Network

    def constant(names: tuple[str, ...], p: float) -> Network:
        d = len(names)
        return Network(np.zeros(d), np.ones(d), ((np.zeros((d, 1)), np.array([np.log(p / (1 - p))])),))

    model = BlockModel(constant(STAGE1_NAMES, 0.4), constant(STAGE2_NAMES, 0.4), 0.5, extracted_threshold=0.3)
    inside, after = "Where the bridge stands", "Council tax to rise next year"
    r = clean_text("\n".join([*STORY[:2], inside, *STORY[3:], after]), model=model)
    reasons = {d.text: d.reason for d in r.decisions}
    assert reasons[inside] == "story" and reasons[after] == "after-story"


def test_a_related_list_glued_onto_the_last_paragraph_is_cut_off():
    """No line break between the story and the list after it: the marker opening a sentence of the long
    line, before a capitalised word, starts the list; the story's part of the line stays."""
    story = " ".join(STORY[:2] + STORY[3:])
    tail = "Top stories Bridge reopens after repairs on the river. Council tax to rise. Weather warning for weekend."
    r = clean_text(f"{story} {tail}")
    assert r.text == story
    assert [d.reason for d in r.decisions] == ["story", "related-list"]
    # a marker that does not open a sentence, or goes on in lower case, is the story's own
    for own in (f"{story} Readers said the top stories Bridge ran were too long.",
                f"{story} Most read the report before the vote, and many of them agreed with it."):
        assert clean_text(own).text == own


def test_a_title_case_question_opening_extracted_text_is_its_headline():
    """A headline that ends like a sentence ("...?") opens extracted text: it goes to the title; a lead
    that asks a question in sentence case stays."""
    body = "\n".join(STORY[:2] + STORY[3:])
    r = clean_text(f"Does Marie Doe Have a Net Worth of $17 Million?\n{body}")
    assert r.title == "Does Marie Doe Have a Net Worth of $17 Million?"
    assert r.decisions[0].reason == "title" and "Million" not in r.text
    lead = "Remember the town's long quest to find a slogan for its bridge?"
    assert clean_text(f"{lead}\n{body}").text.startswith(lead)


def test_a_shouted_headline_between_paragraphs_is_a_link_to_another_story():
    """A headline of 8+ words in capitals between the story's paragraphs links to another story; a short
    capitalised subheading, a question in capitals and a table row of capitals are the story's own."""
    head = "COUNCIL LEADER OPENS UP ABOUT HER PLANS FOR THE OLD BRIDGE"
    own = ["WHAT HAPPENS NEXT", "WILL THE COUNCIL FIND THE MONEY FOR A NEW BRIDGE IN TIME?",
           "| BRIDGE | THE OLD RIVER CROSSING | CLOSED | SINCE MARCH | 2024 |"]
    lines = [STORY[0], head, STORY[1], *own, STORY[3], STORY[4]]
    r = clean_text("\n".join(lines))
    assert head not in r.text and "related" in [d.reason for d in r.decisions]
    for line in own:
        assert line in r.text


class _Unsure:
    """A block model that is unsure of every block: a menu item scores highest, the story low."""

    threshold = 0.5

    def __init__(self, scores: dict[str, float]):
        self.scores = scores
        self.texts: list[str] = []

    def threshold_for(self, base):
        return self.threshold

    def is_extracted(self, base):
        return False

    def predict(self, base):
        import numpy as np

        return np.array([self.scores.get(t, 0.05) for t in self.texts])


def _unsure_clean(lines: list[str], scores: dict[str, float]):
    from cleaner.clean import decide, prepare
    from cleaner.clean.classify import Hints

    blocks, ev, lang = prepare("\n".join(lines))
    model = _Unsure(scores)
    model.texts = [b.text for b in blocks]
    return decide(blocks, ev, lang, Hints(), model)


COMMENTS = [
    "34 responses to this story",
    "reader1 says:",
    "November 19, 2019 at 6:34 am",
    "It is a good thing that nobody reads this because the whole thing has been a dumpster fire for years now.",
    "reader2 says:",
    "November 19, 2019 at 6:44 am",
    "It is time for everyone here to come to grips with reality, it is over yet again and we all know it well.",
    "reader3 says:",
    "November 19, 2019 at 6:58 am",
    "As usual too many mistakes were made by the people in charge, and the same ones are always to blame for it.",
    "reader4 says:",
    "November 19, 2019 at 7:02 am",
    "The bridge has been a problem for a decade, and every council before this one promised to do something.",
    "reader5 says:",
    "November 19, 2019 at 7:12 am",
    "Twenty minutes each way is nothing compared with what the people on the south bank will face every day.",
]


def test_when_no_block_reaches_the_threshold_the_longest_prose_passage_is_the_story():
    # the model scores a menu item highest: the old fallback (the best-scoring blocks) kept "Home" only
    r = _unsure_clean(MENU + STORY + TRAILER, {"Home": 0.3, "News": 0.28})
    assert r.text.split("\n\n") == [p for p in STORY if p != "What happens next?"]


def test_the_fallback_story_stops_at_the_comment_section_but_not_at_a_comments_link_among_share_buttons():
    notice = "Quotes are delayed by at least fifteen minutes and are provided by the exchange for information only."
    page = MENU + [notice, "Facebook", "Comments", "Twitter", "Email"] + STORY + COMMENTS
    r = _unsure_clean(page, {"Home": 0.3})
    kept = r.text.split("\n\n")
    assert STORY[0] in kept and STORY[-1] in kept and notice not in kept
    assert not any("says" in k or "dumpster" in k or "decade" in k for k in kept)


def test_a_menu_item_over_the_threshold_is_no_story_when_the_page_has_a_passage_of_prose():
    # "U.S." in a site menu scored over the threshold while every paragraph scored under it
    r = _unsure_clean(["U.S.", "World"] + MENU + STORY + TRAILER, {"U.S.": 0.62, "World": 0.44})
    assert r.text.split("\n\n") == [p for p in STORY if p != "What happens next?"]


def test_a_notes_reach_counts_only_lines_the_classifier_judged():
    """The reach of an editor's note is counted in lines the classifier judged by score: a related list
    of 20 headlines that a rule took out between the story and its note (a story's tour dates under a
    "Related" marker) does not put the note out of reach; 20 lines the classifier dropped do."""
    from cleaner.clean.classify import _NOTICE_REACH, Label, _near_story

    story = [Label(True, "story")] * 5
    for filler, reached in (("related-list", True), ("after-story", False)):
        labels = [*story, *[Label(False, filler)] * 20, Label(False, "after-story")]
        assert (len(labels) - 1 in _near_story(labels, 0, 5)) is reached
    labels = [Label(False, "before-story")] * 30 + story
    assert min(_near_story(labels, 30, 35)) == 30 - _NOTICE_REACH


def test_unwrap_leaves_a_credited_caption_a_file_name_and_a_note_on_lines_of_their_own():
    """A long line without end punctuation is joined to the next as a sentence cut mid-way, but not a
    caption that a phrase rule takes (it ends in its credit), not onto an editor's note, and no
    sentence goes on into a file name left under a list item."""
    from cleaner.clean.blocks import split, unwrap

    caption = ("A reference habitation module for a crewed Mars mission compared to its hibernation-based "
               "equivalent. Credit: ESA")
    item = "Dozens of tricky questions that will help the two of you to know each other better"
    long_item = ("Challenges that need to be performed within a week, even after the game is over, and "
                 "surprises that make each game unique")
    note = "Editor's note: This story was updated on Nov. 20, 2019 to include a comment from the mayor."
    lines = [STORY[0], caption, STORY[1], item, "dp3_1_en", long_item, note]
    assert [b.text for b in unwrap(split("\n".join(lines)))] == lines
    # a long line cut mid-sentence is still joined (not the text's first line: the headline)
    cut = STORY[0][:120].rsplit(" ", 1)[0]
    rest = STORY[0][len(cut) + 1 :].capitalize()
    joined = unwrap(split("\n".join([STORY[1], cut, rest])))
    assert [b.text for b in joined] == [STORY[1], f"{cut} {rest}"]


PT_STORY = [
    "A prefeitura decidiu na segunda-feira fechar a velha ponte sobre o rio, que está interditada para "
    "caminhões desde que os engenheiros encontraram uma rachadura em um dos seus pilares em março.",
    "Os moradores disseram que o fechamento vai acrescentar vinte minutos às suas viagens, e os donos de "
    "lojas nas duas margens avisaram que vão perder clientes enquanto uma nova travessia é construída.",
    "A prefeitura vai pedir propostas na primavera e espera que as obras de uma nova ponte possam "
    "começar antes do fim do ano, embora o dinheiro para isso ainda não tenha sido encontrado.",
]
EN_HEADLINES = [
    "The best deals of the week on phones, watches and more for the whole family",
    "Why the mayor says that the new stadium is a good deal for the city and its people",
    "What we know about the storm that is coming to the coast on the weekend",
    "How to keep your home warm this winter without paying more for your heating",
    "She was the first woman to win the race, and now she wants to do it again",
    "They said it could not be done, but this team of students built a car that runs on air",
]


def test_a_story_in_another_language_than_its_template_is_read_in_its_own():
    """A Portuguese story in an English site's page: the template's many English words made the page
    English, the story's lines then had no stopwords, looked like no prose, and were lost."""
    from cleaner.clean.stopwords import second_language

    page = "\n".join(
        MENU + ["", "Ponte vai fechar", "", "Most popular", ""] + EN_HEADLINES + [""] + PT_STORY
        + ["", "More stories", ""] + EN_HEADLINES + TRAILER
    )
    assert guess_language(page) == "en"
    assert second_language(page.split("\n"), "en") == "pt"
    body = clean_text(page).text
    for para in PT_STORY:
        assert para in body
    # a page in one language has none
    assert second_language(MENU + EN_HEADLINES + STORY + TRAILER, "en") is None


def test_a_menu_under_a_list_marker_ends_at_the_sign_in_button():
    """'Latest' over a menu takes the menu's items, not the story's headline, byline and date below
    the 'Sign In' button."""
    menu = ["Latest", "AI", "Startups", "Venture", "Security", "Sign In"]
    head = ["Voltloop raises $38M to make e-bike batteries you can repair", "By Dana Whitcomb", "Nov 3, 2025"]
    r = clean_text("\n".join(menu + head + STORY))
    assert r.title == head[0]
    assert r.metadata.get("author") == "Dana Whitcomb"
    assert r.metadata.get("published") == "2025-11-03"


def test_the_headline_is_the_line_that_says_what_the_story_says():
    """Between a headline and its story a newsletter box's last line ('Manage your alerts here') is
    nearer the story; the headline shares the story's words."""
    head = [
        "Gran, 82, who only learned to swim at 79 completes mile-long sea swim",
        "Kirsty Wainwright",
        "Newsletter alerts for the whole family",
        "Manage your alerts here",
    ]
    story = [
        "A great-gran who only learned to swim at the age of 79 has completed a mile-long sea swim to raise "
        "money for the hospice that cared for her late husband.",
        *STORY,
    ]
    r = clean_text("\n".join(["Home", "News", "UK News", *head, *story]))
    assert r.title == head[0]


def test_a_header_of_headline_deck_byline_and_date_over_the_story_is_not_story():
    """Text with little chrome: the headline ends in a full stop and reads as prose, yet the lines
    above the byline and the date are the header."""
    head = [
        "I rode all 41 bus routes in my city in 30 days. Here's what I learned.",
        "Spoiler: the schedules are fiction, and the drivers are heroes.",
        "Ana Ruiz",
        "Feb 09, 2025",
    ]
    r = clean_text("\n".join(["The Slow Commute", "Subscribe", *head, *STORY]))
    assert r.title == head[0]
    assert r.metadata.get("author") == "Ana Ruiz" and r.metadata.get("published") == "2025-02-09"
    assert r.text.split("\n\n")[0] == STORY[0]
    assert [d.reason for d in r.decisions if d.text == head[1]] == ["deck"]


def test_a_live_blogs_entry_headline_is_not_the_pages_title():
    """The page's headline has the byline under it; an entry's headline sits under its own byline
    and nearer the first entry."""
    head = [
        "Live updates: Lake-effect snow buries Port Alder as travel ban is extended",
        "By Owen Tasker and Priya Shah",
        "Updated Jan. 18, 2025, 4:05 p.m. ET",
        "4:05 p.m.",
        "By Owen Tasker",
        "Travel ban extended through Sunday morning",
    ]
    entry = (
        "Pell County Executive Marianne Cole said the countywide travel ban will remain in effect until "
        "Sunday morning because the snow bands have shifted north again."
    )
    r = clean_text("\n".join(["Home", "Weather", "LIVE", *head, entry, *STORY]))
    assert r.title == head[0]
    assert [d.reason for d in r.decisions if d.text == head[-1]] != ["title"]


def test_a_quote_is_no_headline():
    assert not meta.headline_like('"We have become a little bit of an observatory," Castellano said.')
    assert meta.headline_like("Small-town library's telescope loans now have a waiting list")


def test_a_lead_cut_off_by_a_sponsored_unit_stays_with_the_story():
    """A portal's sponsored unit (marker, headlines, advertisers' names, 'Advertisement') between the
    lead and the rest is one piece of furniture, however many lines it has; four ad lines are not."""
    from cleaner.clean.blocks import Block
    from cleaner.clean.classify import _leads_over_chrome, gather
    from cleaner.clean.stopwords import stoplist

    unit = [
        "Sponsored Content",
        "Retirees Are Ditching Their Cable Bills After Learning This One Trick",
        "Streamwise",
        "The Most Comfortable Walking Shoes You'll Ever Own Are Finally on Sale",
        "SoleCraft",
        "Advertisement",
    ]

    def leads(lines: list[str]) -> list[int]:
        blocks = [Block(t, (k + 1,), True) for k, t in enumerate(lines)]
        ev = gather(blocks, stoplist("en"), load_rules())
        labels = [None if m is None else m.reason for m in ev.matches]
        labels = [lab or ev.list_reason[k] for k, lab in enumerate(labels)]
        free = [k for k, lab in enumerate(labels) if lab is None]
        scores = np.array([0.0, 0.3] + [0.1] * (len(lines) - 3) + [0.9])
        return _leads_over_chrome(blocks, free, ev, labels, scores, np.full(len(lines), 0.5))

    assert leads(["Home", LEAD, *unit, STORY[1]]) == [1]
    assert leads(["Home", LEAD, *["Advertisement"] * 4, STORY[1]]) == []


def test_a_deck_under_the_headline_is_not_the_title():
    """An Italian page: headline, then a longer deck, then the byline; the model drops both lines, and
    the deck is the one nearer the story."""
    r = clean_text((DATA / "deck_under_headline.txt").read_text("utf-8"))
    assert r.title == "Como, dal primo luglio il ticket per i bus turistici sale a 150 euro"
    assert not r.text.startswith("La giunta approva la delibera")
    assert r.metadata.get("author") == "Marco Rossi" and r.metadata.get("published") == "2025-04-18"


def test_a_kicker_in_capitals_or_a_share_button_is_no_headline_over_a_deck():
    from cleaner.clean.classify import _deck_under

    deck = "The council approved the measure on Tuesday: fees nearly double, and new drop-off areas are planned"
    assert _deck_under(0, 1, ["Como raises the fee for tourist coaches to 150 euros", deck])
    assert not _deck_under(0, 1, ["GROWING AN ONLINE BUSINESS", deck])
    assert not _deck_under(0, 1, ["Share All sharing options", "Share All sharing options for: " + deck])
    assert not _deck_under(0, 2, ["Como raises the fee for tourist coaches to 150 euros", "", deck])
    # a press release: a Title Case headline over a shorter deck in sentence case
    release = "Halvorsen Robotics Unveils Compact Harvest Robot for Small Orchards, Opens Pre-Orders for Spring"
    assert _deck_under(0, 1, [release, "Halvorsen H2 brings ladder-free picking to family-scale orchards"])
    assert not _deck_under(0, 1, ["Company Town", "‘We had some issues,’ exec says on Disney+ glitches after launch"])


@pytest.mark.parametrize(
    "line,name",
    [
        ("Eine Analyse von Jonas Berger und Lea Hofmann", "Jonas Berger und Lea Hofmann"),
        ("Analysis by Jane Doe", "Jane Doe"),
        ("Door Pieter de Vries", "Pieter de Vries"),
        ("Автор: Ирина Смирнова", "Ирина Смирнова"),
        ("Text messages show the deal", None),
        # a name and the reporter's role, without "By"; no role word is a name
        ("Kirsty Wainwright Senior Reporter", "Kirsty Wainwright"),
        ("Jane Doe, Political Editor", "Jane Doe"),
        ("Breaking News Reporter", None),
        ("The Senior Reporter", None),
        # "by:" and a date or a stamp right after the name
        ("by: Alyssa Moreno", "Alyssa Moreno"),
        ("by Regan September 15, 2014", "Regan"),
        ("By Umair Irfan Updated Nov 13, 2019, 10:28am EST", "Umair Irfan"),
        ("By Meg James Staff Writer", "Meg James"),
        ("Story by Nadia Ferris", "Nadia Ferris"),
        ("By Owen Tasker, Priya Shah and Luis Ferreira", "Owen Tasker, Priya Shah and Luis Ferreira"),
        ("By Jane Doe, Political Editor", "Jane Doe"),
        ("By Jane Doe, CNN", "Jane Doe"),
        ("By Staff Reporter", "Staff Reporter"),
    ],
)
def test_bylines(line, name):
    assert meta.byline(line) == name


def test_a_name_under_the_headline_beats_a_name_like_link_above_it():
    head = ["Box Score", "Franklin Heights holds off Eastbrook for first state title in 31 years", "Trevor Okafor"]
    r = clean_text("\n".join(["Home", "Scores", "Sports", *head, "Mar 8, 2025, 10:47 PM EST", *STORY]))
    assert r.title == head[1]
    assert r.metadata.get("author") == "Trevor Okafor"


def test_a_name_and_the_reporters_city_after_a_bar_name_the_author():
    head = ["Reservoir falls below a fifth of its capacity as cuts widen", "Elif Yılmaz | İzmir", "21.07.2025 - 13:45"]
    r = clean_text("\n".join(["Home", "News", *head, *STORY]))
    assert r.metadata.get("author") == "Elif Yılmaz"
    assert r.metadata.get("published") == "2025-07-21"


def test_a_long_deck_keeps_its_byline_apart_and_the_headline_above_it_is_the_title():
    """A deck too long for a headline, with no full stop, over "Por María López": the byline is not
    joined onto the deck as a broken sentence, and the headline is the line above the deck, even where
    a photo credit sits between them and the story."""
    head = [
        "La DGT instalará 120 nuevos radares de tramo en carreteras secundarias antes de 2027",
        "Interior destinará 38 millones de euros a un plan que prioriza las vías convencionales, donde se "
        "producen siete de cada diez muertes en carretera",
        "Por María López",
        "Madrid",
        "Publicado: 03/04/2025 10:15h",
        "Compartir en Facebook",
        "EFE / Javier Ruiz",
    ]
    story = [
        "El Ministerio del Interior destinará 38 millones de euros a instalar radares de tramo en las "
        "carreteras convencionales, donde se producen la mayoría de los accidentes mortales del país.",
        "Según los datos de la Dirección General de Tráfico, siete de cada diez fallecidos en accidentes "
        "de tráfico murieron el año pasado en vías secundarias y no en autopistas ni autovías.",
        "Los nuevos radares se instalarán de forma progresiva a lo largo de los dos próximos años y la "
        "mayoría estarán en las provincias del interior peninsular, según ha explicado el ministerio.",
    ]
    r = clean_text("\n".join(["Inicio", "España", "Sociedad", *head, *story]))
    assert r.title == head[0]
    assert r.metadata.get("author") == "María López"
    assert [d.reason for d in r.decisions if d.text == head[1]] == ["deck"]


def test_a_headline_and_its_deck_stay_apart_before_the_byline():
    """A UK tabloid's header: headline and deck, neither ending in a full stop, both long, over the
    reporter's name and role and a glued date stamp. Joined as one broken sentence, the title was lost
    with them; in the body such a pair is a sentence a link cut, and is joined."""
    head = [
        "Gran, 82, who only learned to swim at 79 completes mile-long sea swim for hospice that cared for her husband",
        "Margaret Ellery, from Whitstable, Kent, has raised more than £14,000 after swimming a mile in the sea - "
        "just three years after her first ever lesson",
        "Kirsty Wainwright Senior Reporter",
        "16:42, 14 Aug 2025Updated 17:05, 14 Aug 2025",
    ]
    r = clean_text("\n".join(["News", "UK News", *head, *STORY]))
    assert r.title == head[0]
    assert r.metadata.get("author") == "Kirsty Wainwright" and r.metadata.get("published") == "2025-08-14"
    assert head[1] not in r.text
    from cleaner.clean.blocks import split, unwrap

    cut = [STORY[0], "A second sentence that a link cut off in the middle of what it says about the old (",
           "bridge and its piers, which the engineers found cracked in March of this year"]
    assert [b.text for b in unwrap(split("\n".join(cut)))][1] == " ".join(cut[1:])


def test_the_storys_header_at_the_end_of_a_list_run_is_its_own():
    """A TV station's page: the "Top Stories" marker's run goes on over the section label to the
    story's headline, its lower-case "by:" line (not joined onto the headline) and its dates, with only
    a share bar between them and the story. A related story's headline with a date alone stays in the run."""
    head = [
        "I-40 bridge over Cane River to close on 10 weekends for repairs starting May 2",
        "by: Alyssa Moreno",
        "Posted: Apr 17, 2025 / 04:38 PM CDT",
    ]
    top = ["Top Stories", "Search", "Local News"]
    r = clean_text("\n".join(["Home", "Weather", *top, *head, "SHARE", "Facebook Twitter Email Copy link", *STORY]))
    assert r.title == head[0]
    assert r.metadata.get("author") == "Alyssa Moreno" and r.metadata.get("published") == "2025-04-17"
    related = ["Cane Valley school board approves later start times for high schools", "Apr 16, 2025"]
    r = clean_text("\n".join(["Home", "Weather", *top, *related, "SHARE", *STORY]))
    assert r.title != related[0]


def test_a_section_label_is_no_author_when_the_page_writes_its_words_in_lower_case():
    """"Local News" looks like a name; the page writes "news," and "local." in lower case (only next to
    punctuation), so it is not one."""
    extra = "Shop owners who follow the news, and residents who are local. said the closure would hurt trade."
    r = clean_text("\n".join(["Home", "Local News", "Bridge to close after crack found", *STORY, extra]))
    assert r.metadata.get("author") != "Local News"


def test_the_line_over_the_byline_is_the_headline_when_no_line_says_what_the_story_says():
    """A magazine: headline, deck, byline, date, then a photo credit nearer the story than both."""
    head = ["The Ones Who Wind the Clock", "In a Vermont mill town, three volunteers have kept a tower clock running",
            "By Helen Achterberg", "March 3, 2025", "Sam Oduya for The Meridian Review"]
    r = clean_text("\n".join(["Home", "Features", "Essays", *head, *STORY]))
    assert r.title == head[0]


def test_a_byline_that_names_a_desk_gives_no_author_and_a_kicker_is_none():
    head = ["Local News", "Mill Lane footbridge reopens after six months of repairs", "By Staff Reporter", "Thursday 5 June 2025"]
    r = clean_text("\n".join(["Home", "Property", "Jobs", *head, *STORY]))
    assert r.title == head[1]
    assert r.metadata.get("author") is None
    assert [d.reason for d in r.decisions if d.text == head[2]] == ["author"]


def test_reporters_with_their_cities_are_the_authors():
    head = ["European insurers brace for record climate claims", "Sophie Marchetti in Zurich and Tom Ashdown in London",
            "January 6 2026"]
    r = clean_text("\n".join(["Home", "Markets", *head, *STORY]))
    assert r.metadata.get("author") == "Sophie Marchetti and Tom Ashdown"


def test_the_pages_title_finds_its_headline_without_the_article():
    """The <title> line drops the headline's "The"; a related link nearer the story is no headline."""
    head = "The Doobie Brothers Unite With Michael McDonald for 50th Anniversary Tour"
    page = [head.removeprefix("The ") + " – Rolling Stone", "Music", "TV", "Movies", head, "By Ryan Reed",
            "Ryan Reed's Most Recent Stories", "‘SNL’ Spoofs Impeachment Hearings With Surreal Soap Opera", *STORY]
    assert clean_text("\n".join(page)).title == head


def test_a_subheading_right_after_a_related_list_is_the_storys():
    """The list marker's run of headlines reaches the story's next subheading, a short line right above
    a paragraph; the headlines stay out, the subheading stays in. A date line there is no subheading."""
    related = ["Related Stories", "Council tax to rise by five per cent in April as budget gap widens",
               "Weather warning issued for the weekend as storms head towards the coast"]
    page = ["Bridge to close after crack found", STORY[0], STORY[1], *related, "Work on a new crossing", *STORY[3:]]
    body = clean_text("\n".join(page)).text.split("\n\n")
    assert "Work on a new crossing" in body and not set(related) & set(body)
    page[page.index("Work on a new crossing")] = "Gazette March 5, 2025"
    assert "Gazette March 5, 2025" not in clean_text("\n".join(page)).text
