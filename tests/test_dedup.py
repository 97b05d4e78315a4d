"""Grouping, canonical choice and cross-document chrome, on small synthetic stories."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from cleaner import canonical, chrome, dedup, wordpairs
from cleaner.config import Config
from cleaner.document import Document

CONFIG = Config(workers=1)
WORDS = (
    "council bridge river school budget mayor voters harbour storm police court museum railway "
    "festival hospital farmers market election station tunnel library theatre factory airport"
).split()


def story(seed: int, paragraphs: int = 6, words: int = 40) -> list[str]:
    """Paragraphs of pseudo-text unique to ``seed`` (shared vocabulary, different sequences)."""
    rng = random.Random(seed)
    return [
        " ".join(rng.choice(WORDS) + str(rng.randint(0, 9)) for _ in range(words)) + "."
        for _ in range(paragraphs)
    ]


def docs_of(texts: dict[str, str]) -> tuple[list[Document], dict[str, dedup.Signature]]:
    docs = [Document(source=s, id=s, text=t) for s, t in texts.items()]
    sigs = {
        d.source: dedup.signature(d.text, CONFIG.shingle_size, CONFIG.num_perm, CONFIG.seed) for d in docs
    }
    return docs, sigs


def grouping(texts: dict[str, str]) -> list[list[str]]:
    docs, sigs = docs_of(texts)
    chrome.remove_chrome(docs, sigs, CONFIG)
    groups = dedup.group([d for d in docs if not d.rejected], sigs, CONFIG)
    return sorted([g[0].source, *sorted(m.source for m in g[1:])] for g in groups)


def corpus() -> dict[str, str]:
    a, b, c = story(1), story(2), story(3)
    menu = ["Home", "Sign up for our newsletter today", "Most read: Storm closes the harbour road"]
    note = "Editor's note: this story was updated on Monday with a comment from the mayor."
    return {
        "a_original.txt": "\n\n".join(a),
        "a_teaser.txt": "\n\n".join(menu + a[:4]),
        "a_note.txt": "\n\n".join([note, *a]),
        "a_wrapped_quotes.txt": "\n\n".join(p.replace(".", "’.") for p in a),
        "b_original.txt": "\n\n".join(menu + b + menu[1:]),
        "b_copy.txt": "\n\n".join(b),
        "c_original.txt": "\n\n".join(menu + c + menu[1:]),
    }


def test_copies_grouped_and_different_stories_in_the_same_chrome_kept_apart():
    groups = grouping(corpus())
    members = sorted(sorted(g) for g in groups)
    assert members == [
        ["a_note.txt", "a_original.txt", "a_teaser.txt", "a_wrapped_quotes.txt"],
        ["b_copy.txt", "b_original.txt"],
        ["c_original.txt"],
    ]


def test_canonical_is_the_complete_unedited_copy_and_says_why():
    docs, sigs = docs_of(corpus())
    chrome.remove_chrome(docs, sigs, CONFIG)
    groups = dedup.group(docs, sigs, CONFIG)
    a = next(g for g in groups if len(g) == 4)
    assert a[0].source in {"a_original.txt", "a_wrapped_quotes.txt"}  # not the longer note copy
    assert "most complete of 4 copies" in a[0].metadata["canonical_reason"]
    details = {d["source"]: d for d in a[0].duplicates}
    assert details["a_teaser.txt"]["containment"] >= 0.9 > details["a_teaser.txt"]["jaccard"]


def test_chrome_removed_from_different_stories_but_not_from_copies():
    docs, sigs = docs_of(corpus())
    removed = chrome.remove_chrome(docs, sigs, CONFIG)
    by = {d.source: d for d in docs}
    assert removed > 0
    assert "Sign up for our newsletter" not in by["c_original.txt"].text
    assert by["c_original.txt"].metadata["chrome_removed"]["paragraphs"] == 5  # the menu, twice
    # the story's own paragraphs recur only in copies of that story: they stay
    assert by["a_original.txt"].text == "\n\n".join(story(1))
    assert "chrome_removed" not in by["a_original.txt"].metadata


def test_groups_independent_of_input_order():
    texts = corpus()
    expected = grouping(texts)
    for seed in range(3):
        items = list(texts.items())
        random.Random(seed).shuffle(items)
        assert grouping(dict(items)) == expected


def test_no_chaining_through_an_intermediate():
    a = story(4, paragraphs=10)
    b = story(5, paragraphs=10)
    texts = {
        "x_a.txt": "\n\n".join(a),
        "y_bridge.txt": "\n\n".join(a[3:] + b[:3]),  # like a and like c, by containment of halves
        "z_b.txt": "\n\n".join(b),
    }
    docs, sigs = docs_of(texts)
    for g in dedup.group(docs, sigs, CONFIG):
        names = {m.source for m in g}
        assert not {"x_a.txt", "z_b.txt"} <= names


def canonicals(texts: dict[str, str]) -> list[str]:
    docs, sigs = docs_of(texts)
    chrome.remove_chrome(docs, sigs, CONFIG)
    return sorted(g[0].text for g in dedup.group([d for d in docs if not d.rejected], sigs, CONFIG))


def test_groups_independent_of_file_names():
    texts = corpus()
    expected = grouping(texts)
    rename = {name: f"{9 - i}_{name[::-1]}" for i, name in enumerate(sorted(texts))}
    back = {v: k for k, v in rename.items()}
    renamed_texts = {rename[k]: v for k, v in texts.items()}
    renamed = grouping(renamed_texts)
    assert sorted(sorted(back[s] for s in g) for g in renamed) == sorted(sorted(g) for g in expected)
    # identical copies may be told apart by name only; the emitted text never depends on names
    assert canonicals(renamed_texts) == canonicals(texts)


def test_a_page_holding_two_stories_does_not_pull_them_together():
    """The longest page holds story a and story b (a cleaning miss); copies of a and of b stay apart."""
    a, b = story(6, paragraphs=8), story(7, paragraphs=8)
    texts = {
        "both.txt": "\n\n".join(a + b),
        "a1.txt": "\n\n".join(a),
        "a2.txt": "\n\n".join(a[:6]),
        "b1.txt": "\n\n".join(b),
        "b2.txt": "\n\n".join(b[:7]),
    }
    docs, sigs = docs_of(texts)
    groups = [{m.source for m in g} for g in dedup.group(docs, sigs, CONFIG)]
    for g in groups:
        assert not (g & {"a1.txt", "a2.txt"} and g & {"b1.txt", "b2.txt"}), groups
    assert {"a1.txt", "a2.txt"} <= next(g for g in groups if "a1.txt" in g)
    assert {"b1.txt", "b2.txt"} <= next(g for g in groups if "b1.txt" in g)


def test_copies_cleaned_a_little_differently_still_group():
    """A copy that kept two captions and one cut short that kept another: no copies of each other
    (containment 0.71), but each is a copy of the complete story and they overlap: one group."""
    a, junk = story(8, paragraphs=10), story(9, paragraphs=3)
    texts = {
        "captions.txt": "\n\n".join(a[:9] + junk[:2]),
        "full.txt": "\n\n".join(a),
        "cut.txt": "\n\n".join(a[4:] + junk[2:]),
    }
    docs, sigs = docs_of(texts)
    jac, con = dedup.similarity(sigs["captions.txt"], sigs["cut.txt"])
    assert not dedup.is_copy(jac, con, CONFIG.threshold)
    groups = dedup.group(docs, sigs, CONFIG)
    assert [sorted(m.source for m in g) for g in groups] == [["captions.txt", "cut.txt", "full.txt"]]
    assert groups[0][0].source == "full.txt"


def test_canonical_ties_go_to_richer_metadata_and_only_real_dates_sort():
    """Equal copies: a date line from plain text ("Updated ...") is no richer metadata and does not
    sort as a date; ISO dates (from HTML) do, when every copy has one."""
    text = "\n\n".join(story(10))

    def copies(meta_a: dict, meta_b: dict) -> list[Document]:
        a = Document(source="a.txt", id="a", text=text, metadata=dict(meta_a))
        b = Document(source="b.txt", id="b", text=text, metadata=dict(meta_b))
        return [a, b]

    def winner(meta_a: dict, meta_b: dict) -> str:
        docs = copies(meta_a, meta_b)
        sigs = {d.source: dedup.signature(d.text, 5, CONFIG.num_perm, CONFIG.seed) for d in docs}
        return canonical.choose_canonical(docs, sigs)[0].source

    notice = "This article was originally published on June 24, 2023 and has been updated."
    assert winner({"author": "Jane Smith"}, {"published": notice, "date": notice}) == "a.txt"
    assert winner({"published": "2023-06-25"}, {"published": "2023-06-24T10:00:00"}) == "b.txt"
    assert winner({"published": "2023-06-24"}, {"published": "2023-06-25"}) == "a.txt"


def test_a_note_after_one_sites_residue_still_counts_as_added_text():
    """Two copies from one site kept the same page residue above the story; one of them also has an
    update note between the residue and the story. The note is still at the story's start: the copy
    with it is not the complete, unedited one, though it holds the most text."""
    a, residue = story(21), story(22, paragraphs=2, words=25)
    note = "This article was originally published on June 24, 2023 and has been updated since then."
    texts = {
        "site_original.txt": "\n\n".join(residue + a),
        "site_note.txt": "\n\n".join([*residue, note, *a]),
        "other_site.txt": "\n\n".join(a),
        "feed.txt": "\n\n".join(a[:5]),
    }
    docs, sigs = docs_of(texts)
    for order in (docs, docs[::-1]):
        assert canonical.choose_canonical(list(order), sigs)[0].source == "site_original.txt"


def test_text_past_a_teasers_cut_is_not_an_added_note():
    """The original, a copy that dropped its ninth paragraph and a teaser cut after the fifth: the
    original's ninth paragraph is held by no other copy, but it is story a copy lost, not an addition."""
    a = story(23, paragraphs=10)
    texts = {
        "original.txt": "\n\n".join(a),
        "dropped.txt": "\n\n".join(a[:8] + a[9:]),
        "teaser.txt": "\n\n".join(a[:5]),
    }
    docs, sigs = docs_of(texts)
    assert canonical.choose_canonical(docs, sigs)[0].source == "original.txt"


def test_a_note_after_residue_both_copies_kept_counts_as_added_text():
    """Two copies from one site, both with the same residue line above the story (so it is the story's
    start as far as the copies can tell); one also has an update notice under it. The notice is
    added text wherever it stands: the copy without it wins."""
    a, residue = story(31), "Top picks for events, competitions and fun for the month of September."
    note = "This article was originally published on October 26, 2021 and has been updated."
    texts = {"original.txt": "\n\n".join([residue, *a]), "note.txt": "\n\n".join([residue, note, *a])}
    docs, sigs = docs_of(texts)
    for order in (docs, docs[::-1]):
        canon = canonical.choose_canonical(list(order), sigs)[0]
        assert canon.source == "original.txt"
        assert (
            "decided by the least text added as an editor's note, correction or update"
            in (canon.metadata["canonical_reason"])
        )


def _site_chrome(seed: int) -> list[str]:
    """Prose-like site chrome (a blog's sidebar of long post summaries), as long as a story."""
    return story(seed, paragraphs=8, words=30)


def test_chrome_kept_by_one_copy_and_found_in_another_story_does_not_make_it_more_complete():
    """One copy of story A kept its site's long prose sidebar; a page of story B on that site kept it
    too. The sidebar is most of both pages, so the chrome pass takes them for copies and leaves it;
    grouping keeps A and B apart. The sidebar then is no part of A: the plain copy is as complete,
    and the other one, which also has an update note, is not the canonical."""
    a, b, side = story(41, paragraphs=4), story(42, paragraphs=4), _site_chrome(43)
    note = "Editor's note: this story was updated on Monday with a comment from the mayor."
    texts = {
        "a_plain.txt": "\n\n".join(a),
        "a_site.txt": "\n\n".join([*a, note, *side]),
        "b_site.txt": "\n\n".join([*b, *side]),
        "b_plain.txt": "\n\n".join(b),
    }
    docs, sigs = docs_of(texts)
    groups = {g[0].source: g for g in dedup.group(docs, sigs, CONFIG)}
    assert sorted(sorted(m.source for m in g) for g in groups.values()) == [
        ["a_plain.txt", "a_site.txt"],
        ["b_plain.txt", "b_site.txt"],
    ]
    assert "a_plain.txt" in groups  # the canonical of A
    # neither the sidebar nor the note is story: the plain copy holds all of the other's
    assert (
        "holds 100% of the other copies' story text" in groups["a_plain.txt"][0].metadata["canonical_reason"]
    )


def test_a_copy_grouped_elsewhere_does_not_make_story_paragraphs_chrome():
    """A paragraph that a document of another group also holds is chrome only when that document tells
    another story; a copy of this story grouped apart (its other text is this story's) does not."""
    a, b, side = story(51, paragraphs=6), story(52, paragraphs=4), _site_chrome(53)
    groups = [
        [
            Document(source="full.txt", text="\n\n".join(a)),
            Document(source="cut.txt", text="\n\n".join(a[:3])),
        ],
        [Document(source="tail.txt", text="\n\n".join(a[4:]))],  # a copy of A's end, grouped apart
        [Document(source="site_a.txt", text="\n\n".join([*a[:3], *side[:2]]))],
        [Document(source="site_b.txt", text="\n\n".join([*b, *side]))],
    ]
    sigs = {
        d.source: dedup.signature(d.text, CONFIG.shingle_size, CONFIG.num_perm, CONFIG.seed)
        for g in groups
        for d in g
    }
    shared = canonical.shared_paragraphs(groups, sigs)
    members = [*groups[0], *groups[2]]
    chrome = canonical.other_stories_chrome(0, members, shared, sigs, CONFIG.shingle_size)
    assert sorted(chrome.tolist()) == sorted(dedup.paragraph_key(p) for p in side[:2])


def test_a_word_changed_where_a_third_copy_holds_the_original_version_loses():
    """The original, a copy with one word changed in its second paragraph, and a teaser that holds
    that paragraph as the original has it: the changed copy is the edited one. With only the two
    full copies nothing tells which version is the original (one run of own text each)."""
    a = story(61)
    words = a[1].split()
    words[10] = "lighthouse7"
    changed = [a[0], " ".join(words), *a[2:]]
    texts = {
        "original.txt": "\n\n".join(a),
        "changed.txt": "\n\n".join(changed),
        "teaser.txt": "\n\n".join(a[:3]),
    }
    docs, sigs = docs_of(texts)
    for order in (docs, docs[::-1]):
        canon = canonical.choose_canonical(list(order), sigs)[0]
        assert canon.source == "original.txt"
        assert canon.metadata["canonical_reason"].endswith(
            "decided by the fewest words changed that other copies hold otherwise"
        )
    pair = [d for d in docs if d.source != "teaser.txt"]
    shingles = {d.source: sigs[d.source].shingles for d in pair}
    copies = {d.source: canonical._copy(d, sigs[d.source], 5, np.zeros(0, np.uint64)) for d in pair}
    for d in pair:
        other = "changed.txt" if d.source == "original.txt" else "original.txt"
        c = copies[d.source]
        assert canonical._substitutions(c, np.isin(c.seq, shingles[other]), 5, [copies[other]]) == 1


def test_a_short_label_kept_at_the_start_is_not_an_added_note():
    """The original kept a one-word label above the story ("Claim") that the other copies' cleaning
    dropped; a copy with a changed word that a teaser holds as the original has it is the edited one.
    The label is no added text (a note is a sentence): the original wins on the changed word."""
    a = story(71)
    words = a[1].split()
    words[7] = "lighthouse7"
    texts = {
        "original.txt": "\n\n".join(["Claim", *a]),
        "changed.txt": "\n\n".join([a[0], " ".join(words), *a[2:]]),
        "teaser.txt": "\n\n".join(a[:3]),
    }
    docs, sigs = docs_of(texts)
    for order in (docs, docs[::-1]):
        canon = canonical.choose_canonical(list(order), sigs)[0]
        assert canon.source == "original.txt"
        assert canon.metadata["canonical_reason"].endswith(
            "decided by the fewest words changed that other copies hold otherwise"
        )


def test_a_note_does_not_make_a_short_story_more_complete():
    """A short story and a copy with an update note under it: the note is over 10 % of the text, but
    it is no story, so the original is as complete and wins on the note."""
    a = story(72, paragraphs=2, words=40)
    note = "Update (May 3, 2024): This article has been updated with a response from the company."
    texts = {"original.txt": "\n\n".join(a), "note.txt": "\n\n".join([*a, note])}
    docs, sigs = docs_of(texts)
    for order in (docs, docs[::-1]):
        canon = canonical.choose_canonical(list(order), sigs)[0]
        assert canon.source == "original.txt"
        assert canon.metadata["canonical_reason"].endswith(
            "decided by the least text added as an editor's note, correction or update"
        )


def test_residue_one_copy_kept_inside_the_story_does_not_make_it_more_complete():
    """Of three copies and a teaser, one kept two photo captions between paragraphs: it holds all of
    the others' text and more, but text no other copy has is no evidence of completeness."""
    a = story(73, paragraphs=8)
    captions = ["A view of the harbour at dawn. Photo: Jane Doe / Agency", "The old bridge, closed since May."]
    texts = {
        "original.txt": "\n\n".join(a),
        "wrapped.txt": "\n\n".join(p.replace(" ", "\n", 3) for p in a),
        "captions.txt": "\n\n".join([*a[:3], captions[0], *a[3:6], captions[1], *a[6:]]),
        "teaser.txt": "\n\n".join(a[:5]),
    }
    docs, sigs = docs_of(texts)
    for order in (docs, docs[::-1]):
        assert canonical.choose_canonical(list(order), sigs)[0].source in {"original.txt", "wrapped.txt"}


def test_a_notice_repeated_in_several_stories_is_not_site_chrome():
    """Two stories of one site end with the same "originally published" notice and share a menu: the
    menu is site chrome, the notice belongs to each story (the cleaner keeps notices as story text)."""
    menu = ["Home", "Sign up for our newsletter today", "Most read: Storm closes the harbour road"]
    notice = "This article was originally published on The Conversation."
    texts = {f"{n}.txt": "\n\n".join([*menu, *story(80 + n), notice]) for n in range(3)}
    docs, sigs = docs_of(texts)
    chrome.remove_chrome(docs, sigs, CONFIG)
    for d in docs:
        assert notice in d.text.split("\n\n")
        assert "Sign up for our newsletter today" not in d.text


def test_a_title_about_the_story_beats_another_pages_headline():
    """Equal copies: one found with its own headline, the other with a newsletter box's "title" and
    an author and site name from the same foreign lines. The headline about the story wins; the
    other title does not count as metadata at all."""
    a = story(91)
    headline = " ".join(a[0].split()[3:9]).title()
    docs = [
        Document(source="own.txt", id="own", text="\n\n".join(a), title=headline),
        Document(
            source="foreign.txt",
            id="foreign",
            text="\n\n".join(a),
            title="Receive the latest local updates in your inbox",
            metadata={"author": "Jane Roe", "sitename": "Newsletters"},
        ),
    ]
    sigs = {d.source: dedup.signature(d.text, 5, CONFIG.num_perm, CONFIG.seed) for d in docs}
    for order in (docs, docs[::-1]):
        canon = canonical.choose_canonical(list(order), sigs)[0]
        assert canon.source == "own.txt"
        assert canon.metadata["canonical_reason"].endswith(
            "a title about the story (not another page's headline found around it)"
        )
    assert canonical._about("Titan map revealed: lakes and dunes", {"titan", "map", "lakes", "dunes"})
    assert not canonical._about("Receive the latest local updates", {"titan", "map", "lakes", "dunes"})


def _sidebar_site() -> dict[str, str]:
    """Three stories in one site's prose sidebar (12 headline summaries, four fifths of each page, so
    the pages look like copies of one story), two of them with a copy elsewhere; a copy of the first
    with a word changed and page residue of its own."""
    side = story(71, paragraphs=12, words=30)
    a, b, c = story(72, paragraphs=2), story(73, paragraphs=2), story(74, paragraphs=2)
    words = a[1].split()
    words[20] = "lighthouse7"
    changed = [a[0], " ".join(words)]
    residue = story(75, paragraphs=2, words=30)
    return {
        "a_site.txt": "\n\n".join([*a, *side]),
        "b_site.txt": "\n\n".join([*b, *side]),
        "c_site.txt": "\n\n".join([*c, *side]),
        "a_plain.txt": "\n\n".join(a),
        "b_plain.txt": "\n\n".join(b),
        "a_words.txt": "\n\n".join([*residue, *changed]),
    }


def test_a_prose_sidebar_around_different_stories_is_chrome_where_the_story_is_found_without_it():
    """The rounds of the chrome pass take pages that are mostly one sidebar for copies of one story.
    Where the rest of a page is found on its own in another document, the sidebar goes from that
    page; the page whose story has no other copy keeps it (nothing tells what its story is)."""
    texts = _sidebar_site()
    docs, sigs = docs_of(texts)
    chrome.remove_chrome(docs, sigs, CONFIG)
    by = {d.source: d for d in docs}
    assert by["a_site.txt"].text == texts["a_plain.txt"]
    assert by["b_site.txt"].text == texts["b_plain.txt"]
    assert by["a_site.txt"].metadata["chrome_removed"]["paragraphs"] == 12
    assert by["c_site.txt"].text == texts["c_site.txt"]
    # copies of one story keep their own text: only the sidebar went
    for name in ("a_plain.txt", "b_plain.txt", "a_words.txt"):
        assert by[name].text == texts[name]
    assert sorted(sorted(g) for g in grouping(texts)) == [
        ["a_plain.txt", "a_site.txt", "a_words.txt"],
        ["b_plain.txt", "b_site.txt"],
        ["c_site.txt"],
    ]


def test_sidebar_pages_are_grouped_apart_in_any_input_order():
    texts = _sidebar_site()
    expected = grouping(texts)
    for seed in range(3):
        items = list(texts.items())
        random.Random(seed).shuffle(items)
        assert grouping(dict(items)) == expected


def test_copies_with_different_missing_parts_keep_their_shared_text():
    """A teaser and a copy that lost a paragraph each have text the other lacks (the end, the dropped
    paragraph), and both kept page residue of their own: their shared paragraphs are story, because
    no document holds what one of them has beyond the other without the shared start."""
    a = story(81, paragraphs=10)
    texts = {
        "full.txt": "\n\n".join(a),
        "teaser.txt": "\n\n".join([*story(82, paragraphs=1, words=20), *a[:4]]),
        "dropped.txt": "\n\n".join([*a[:2], *a[3:], *story(83, paragraphs=1, words=20)]),
        "other.txt": "\n\n".join(story(84, paragraphs=4)),
    }
    docs, sigs = docs_of(texts)
    chrome.remove_chrome(docs, sigs, CONFIG)
    assert all(d.text == texts[d.source] for d in docs)


def test_a_page_that_kept_two_stories_leaves_each_story_its_text():
    """A page holding story X and then story Y: X's own page keeps X (the page of two stories is not a
    reason to take X's paragraphs from it); the two-story page may lose one story, never both."""
    x, y = story(91, paragraphs=4), story(92, paragraphs=4)
    texts = {
        "x.txt": "\n\n".join([*x, *story(93, paragraphs=2)]),
        "y.txt": "\n\n".join(y),
        "both.txt": "\n\n".join([*x, *y]),
    }
    docs, sigs = docs_of(texts)
    chrome.remove_chrome(docs, sigs, CONFIG)
    by = {d.source: d for d in docs}
    assert by["x.txt"].text == texts["x.txt"]
    assert by["y.txt"].text == texts["y.txt"]
    assert by["both.txt"].text in {texts["both.txt"], "\n\n".join(x), "\n\n".join(y)}


def test_a_page_of_only_the_sidebar_does_not_make_the_story_chrome():
    """A site page whose story the cleaner lost is its sidebar alone. The story's own page (story and
    sidebar) shares the story with a copy elsewhere that kept page residue of its own: the sidebar
    page holds the rest of the story's page on its own, but the copy's residue is no story found
    anywhere and only one page stands for the sidebar, so the story stays where it is."""
    x, side = story(101, paragraphs=6), story(102, paragraphs=3, words=35)
    texts = {
        "x_site.txt": "\n\n".join([*x, *side]),
        "x_copy.txt": "\n\n".join([*story(103, paragraphs=2, words=30), *x]),
        "site_only.txt": "\n\n".join(side),
    }
    docs, sigs = docs_of(texts)
    chrome.remove_chrome(docs, sigs, CONFIG)
    by = {d.source: d for d in docs}
    assert "\n\n".join(x) in by["x_site.txt"].text
    assert by["x_copy.txt"].text == texts["x_copy.txt"]


def test_an_edit_is_seen_only_where_another_copy_holds_its_own_version_between_the_same_text():
    """A run of a copy's own shingles is a changed word only when another copy holds the shingles
    around it with text of its own between them. In text that repeats itself (a meal plan listing
    the same items for several plans) a teaser holds both neighbours, but around text this copy has."""
    words = " ".join(story(83)).split()
    changed = [*words[:20], "lighthouse7", *words[21:]]
    k = 5
    mine = np.unique(canonical._shingle_sequence(changed, k))
    seq = canonical._shingle_sequence(changed, k)
    before, after = seq[20 - k], seq[21]  # the shingles just outside the changed word's run
    original = canonical._shingle_sequence(words, k)
    assert canonical._other_versions(before, after, mine, [original]) == [(0, 20 - k, 21)]
    # the same two shingles with 30 words of this copy's own text between them, or in the other order
    repeat = canonical._shingle_sequence([*words[:20], *changed[60:90], *words[21:]], k)
    assert before in repeat and after in repeat
    assert not canonical._other_versions(before, after, mine, [repeat])
    assert not canonical._other_versions(after, before, mine, [original])


def test_a_copy_that_lost_a_fifth_of_the_story_and_kept_site_text_is_a_copy():
    """Two of ten paragraphs dropped, six of another page's text kept: the copy holds just under 80 %
    of the original's shingles (the ones across the cut are new) and its Jaccard is low, yet it is
    the same story."""
    a, residue = story(21, paragraphs=10), story(22, paragraphs=6)
    texts = {"original.txt": "\n\n".join(a), "dropped.txt": "\n\n".join(a[:3] + a[5:] + residue)}
    docs, sigs = docs_of(texts)
    jac, con = dedup.similarity(sigs["original.txt"], sigs["dropped.txt"])
    assert jac < CONFIG.threshold and 0.75 <= con < 0.8
    assert dedup.is_copy(jac, con, CONFIG.threshold)
    groups = dedup.group(docs, sigs, CONFIG)
    assert [sorted(m.source for m in g) for g in groups] == [["dropped.txt", "original.txt"]]
    # another story that shares a few paragraphs with it is not
    b = story(23, paragraphs=10)
    other = dedup.signature("\n\n".join(a[:6] + b), CONFIG.shingle_size, CONFIG.num_perm, CONFIG.seed)
    jac, con = dedup.similarity(sigs["original.txt"], other)
    assert not dedup.is_copy(jac, con, CONFIG.threshold)


def test_other_versions_finds_what_a_plain_scan_finds():
    """The binary-search ``_other_versions`` finds what scanning each copy for each ``before`` and the
    first ``after`` behind it, counting with ``np.isin``, finds: the first such place in each copy."""

    def scan(before, after, mine, others):
        found = []
        for j, seq in enumerate(others):
            for p in np.flatnonzero(seq == before).tolist():
                later = np.flatnonzero(seq[p + 1 :] == after)
                if len(later) and 2 * np.isin(seq[p + 1 : p + 1 + int(later[0])], mine).sum() < int(later[0]):
                    found.append((j, p, p + 1 + int(later[0])))
                    break
        return found

    rng = np.random.default_rng(3)
    found = 0
    for _ in range(3000):
        vocabulary = int(rng.integers(2, 12))  # few values: repeats and near misses
        others = [rng.integers(0, vocabulary, int(rng.integers(0, 30))).astype(np.uint32) for _ in range(3)]
        mine = np.unique(rng.integers(0, vocabulary, int(rng.integers(0, 8))).astype(np.uint32))
        before, after = (np.uint32(v) for v in rng.integers(0, vocabulary, 2))
        expected = scan(before, after, mine, others)
        found += bool(expected)
        assert canonical._other_versions(before, after, mine, others) == expected
        assert canonical._other_versions(before, after, mine, others, limit=2) == expected[:2]
        # asked of the whole group, as choose_canonical asks: this copy's own sequence (which would be
        # found: a shingle it lacks between the two) at a place of it is left out
        me = int(rng.integers(0, len(others) + 1))
        own = np.asarray([before, 99, after], np.uint32)
        group = canonical._Positions([*others[:me], own, *others[me:]])
        assert canonical._other_versions(before, after, mine, group, skip=me) == expected
    assert 0 < found < 3000  # both answers occur


def test_of_two_copies_a_word_that_reads_as_the_rest_of_the_batch_is_the_original():
    """Two copies differ in one word ("wear off" against "wear bridge", a word of the story put in
    its place) and nothing else tells them apart. Other stories of the batch use the original's word
    pairs and none uses the changed one's: the copy with the changed word is the edited one. Without
    the batch's word pairs the choice is a stable order."""
    a = story(93)
    sentence = "By noon the pain began to wear off and she walked home."
    original = [a[0], f"{a[1]} {sentence}", *a[2:]]
    changed = [a[0], f"{a[1]} {sentence.replace('wear off', 'wear bridge')}", *a[2:]]
    texts = {"original.txt": "\n\n".join(original), "changed.txt": "\n\n".join(changed)}
    others = ["The effect began to wear off within the hour.", "Such novelty tends to wear off and she knew it."]
    pairs = wordpairs.WordPairs()
    for t in [*texts.values(), *others]:
        pairs.add(wordpairs.slots(dedup.normalise(t)))
    docs, sigs = docs_of(texts)
    for order in (docs, docs[::-1]):
        canon = canonical.choose_canonical(list(order), sigs, pairs=pairs)[0]
        assert canon.source == "original.txt"
        assert canon.metadata["canonical_reason"].endswith(
            "decided by the fewest words changed that other copies hold otherwise"
        )
        unaided = canonical.choose_canonical(list(order), sigs)[0]
        assert unaided.metadata["canonical_reason"].endswith("a stable order (the copies' texts are alike)")
    # a passage kept or lost is not a word for a word: the batch does not speak for the shorter version
    dropped = {"original.txt": texts["original.txt"], "dropped.txt": "\n\n".join([a[0], *a[2:]])}
    docs, sigs = docs_of(dropped)
    copies = {d.source: canonical._copy(d, sigs[d.source], 5, np.zeros(0, np.uint64)) for d in docs}
    c = copies["dropped.txt"]
    reads = pairs.reading([dedup.normalise(t) for t in dropped.values()])
    held = np.isin(c.seq, sigs["original.txt"].shingles)
    assert canonical._substitutions(c, held, 5, [copies["original.txt"]], reads) == 1


@given(
    st.lists(st.integers(0, 2**32 - 1), max_size=300, unique=True),
    st.lists(st.integers(0, 2**32 - 1), max_size=300),
    st.integers(1, 2**16 - 1),
)
@example([0, 2**32 - 1], [0, 2**32 - 1, 1, 2**16, 2**32 - 2], 1)
def test_positions_in_is_membership(members: list[int], others: list[int], high: int) -> None:
    """The bitmap screen never changes the answer: exactly the values in the set, including values
    that share a member's low bits (they pass the screen) and values beyond the set's ends."""
    sorted_set = np.unique(np.array(members, dtype=np.uint32))
    colliding = [m ^ (high << 16) for m in members]  # same low 16 bits, other high bits
    values = np.array(others + members[::2] + colliding, dtype=np.uint32)
    expected = np.flatnonzero(np.isin(values, sorted_set))
    assert dedup.positions_in(values, sorted_set).tolist() == expected.tolist()
