"""HTML input: trafilatura's main content, its metadata, then the cleaner in its "extracted" mode."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cleaner import clean_html, clean_text
from cleaner.extract import _main_content

from .conftest import accounted, read_jsonl

STORY = [
    "The city council voted on Monday to close the old river bridge to all traffic from next spring, "
    "after engineers found that two of its steel supports had corroded far faster than expected.",
    "The bridge, which opened in 1932, carries about 14,000 vehicles a day and has been closed to lorries "
    "since a crack was found in one of its girders in March of last year.",
    "Council leader Maria Lopez said the decision had not been taken lightly, but that the safety of "
    "residents had to come first, and promised that a temporary crossing would be in place by the summer.",
    "Local businesses on both banks of the river have warned that the closure could cost them a third of "
    "their trade, and a petition calling for a faster replacement has gathered more than 3,000 signatures.",
]


def page(
    body: str,
    title: str = "Council votes to close old river bridge | The Daily Example",
    lang: str = "en",
    head: str = "",
) -> str:
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<meta name="author" content="Jane Smith">{head}</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/weather">Weather</a></li></ul></nav>
<article>{body}</article>
<aside><h2>Most read</h2><ul><li><a href="/a">Celebrity chef opens new restaurant in the old station</a></li>
<li><a href="/b">Ten things to do in the city this weekend with the family</a></li></ul></aside>
<footer><p>Copyright 2024 The Daily Example. All rights reserved.</p><p><a href="/privacy">Privacy</a></p></footer>
</body></html>"""


def story_html(extra: str = "") -> str:
    paras = "".join(f"<p>{p}</p>" for p in STORY)
    return page(f"<h1>Council votes to close old river bridge</h1>{paras}{extra}")


def test_story_comes_out_with_metadata_and_without_page_chrome():
    r = clean_html(story_html(), url="https://www.example.com/news/bridge")
    for p in STORY:
        assert p in r.text
    for chrome in ("Most read", "Celebrity chef", "Copyright 2024", "Weather"):
        assert chrome not in r.text
    assert r.metadata["extraction"] == "trafilatura"
    assert r.metadata["author"] == "Jane Smith"
    assert r.metadata["html_lang"] == "en"
    assert r.metadata["url"] == "https://www.example.com/news/bridge"
    assert r.title and "Council votes to close old river bridge" in r.title


def test_the_headline_is_not_repeated_in_the_body():
    r = clean_html(story_html())
    assert not r.text.startswith("Council votes")
    assert "Council votes to close old river bridge" not in r.text


def test_lists_and_tables_of_the_story_are_kept():
    """A schedule or a standings table after the prose is part of the story (no density cut)."""
    extra = (
        "<h2>Closure timetable</h2><ul><li>March 3: lorries diverted</li><li>April 14: footpath shut</li>"
        "<li>May 1: full closure</li></ul>"
        "<table><tr><th>Option</th><th>Cost</th></tr><tr><td>Repair</td><td>4 million</td></tr>"
        "<tr><td>New bridge</td><td>19 million</td></tr></table>"
    )
    r = clean_html(story_html(extra))
    for item in ("March 3: lorries diverted", "April 14: footpath shut", "May 1: full closure", "19 million"):
        assert item in r.text


def test_extracted_mode_keeps_short_lines_the_raw_mode_cuts():
    # a page's text (its menu above the story): the model judges the lines after the story
    menu = ["Home", "News", "Sport", "Business", "Opinion", "Culture", "Travel", "Search", "Sign in", "Subscribe"]
    text = "\n".join([*menu, *STORY, "Closure timetable", "March 3: lorries diverted", "May 1: full closure"])
    raw = clean_text(text)
    extracted = clean_text(text, extracted=True)
    assert "May 1: full closure" not in raw.text  # outside the densest run of prose
    assert "May 1: full closure" in extracted.text
    assert "March 3: lorries diverted" in extracted.text


def test_extracted_mode_still_drops_phrase_rules_and_the_repeated_title():
    text = "\n".join(["Council votes to close old river bridge", *STORY, "Sign up to our newsletter"])
    r = clean_text(text, extracted=True, title="Council votes to close old river bridge - The Daily Example")
    assert r.text.startswith(STORY[0])
    assert "newsletter" not in r.text
    reasons = {d.text: d.reason for d in r.decisions}
    assert reasons["Council votes to close old river bridge"] == "title"


def test_a_byline_naming_the_author_leaves_the_body():
    text = "\n".join(["5:45 AM PST 11/19/2019 by Jane Smith", *STORY])
    r = clean_text(text, extracted=True, author="Jane Smith")
    assert r.text.startswith(STORY[0])
    assert r.decisions[0].reason == "author"
    # without the author hint the line still leaves the body, as a date line
    bare = clean_text(text, extracted=True)
    assert bare.text.startswith(STORY[0])
    assert bare.decisions[0].reason == "date"


def test_page_without_main_content_falls_back_to_the_page_text():
    r = clean_html(
        "<html><head><title>Only a title</title></head><body><script>var x = 1;</script></body></html>"
    )
    assert r.metadata["extraction"] == "page-text"
    assert r.text == ""


def fake_trafilatura(lengths: dict[tuple[bool, bool], int | None]) -> SimpleNamespace:
    """bare_extraction returning a text of the given word count for (fast, favor_precision)."""
    calls = []

    def bare_extraction(tree, *, fast, favor_precision, **kwargs):
        calls.append((fast, favor_precision))
        n = lengths.get((fast, favor_precision))
        return None if n is None else SimpleNamespace(text=" ".join(["word"] * n))

    return SimpleNamespace(bare_extraction=bare_extraction, calls=calls)


@pytest.mark.parametrize(
    ("lengths", "mode", "tries"),
    [
        ({(True, True): 300}, "precision-fast", 1),  # a full story: one cheap try
        ({(True, True): 20, (False, True): 400}, "precision", 2),  # the fast mode missed the story
        ({(True, True): 20, (False, True): 10, (False, False): 300}, "balanced", 3),
        ({(True, True): 80, (False, True): 60}, "precision-fast", 2),  # retries only replace when longer
        ({(True, True): None, (False, True): None, (False, False): None}, "", 3),  # nothing at all
    ],
)
def test_short_results_get_the_fuller_modes(lengths, mode, tries):
    traf = fake_trafilatura(lengths)
    result, name = _main_content(traf, object(), None)
    assert name == mode
    assert len(traf.calls) == tries
    if mode:
        assert len(result.text.split()) == max(n for n in lengths.values() if n is not None)


def test_html_files_are_decoded_and_every_one_is_accounted_for(run_cli, tmp_path):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    (inp / "story.html").write_text(story_html(), encoding="utf-8")
    latin = page("".join(f"<p>{p}</p>" for p in STORY) + "<p>Le café du pont fermera aussi.</p>")
    latin = latin.replace('<meta charset="utf-8">', '<meta charset="iso-8859-1">')
    (inp / "latin.html").write_bytes(latin.encode("iso-8859-1"))
    (inp / "empty.html").write_bytes(b"")
    (inp / "binary.html").write_bytes(bytes(range(256)) * 20)
    (inp / "nested.html").write_text("<div>" * 5000 + "deep" + "</div>" * 5000, encoding="utf-8")
    (inp / "broken.html").write_text("<html><body><p>Unclosed <b>tags <i>every<p>where", encoding="utf-8")
    res = run_cli("run", inp, "--out", out, "--no-dedup", "--workers", "1")
    assert res.exit_code == 0, res.output
    names = {"story.html", "latin.html", "empty.html", "binary.html", "nested.html", "broken.html"}
    assert set(accounted(names, out).values()) == {1}
    arts = {a["source"]: a for a in read_jsonl(out / "articles.jsonl")}
    assert "Le café du pont fermera aussi." in arts["latin.html"]["text"]
    assert arts["story.html"]["metadata"]["extraction"] == "trafilatura"


def test_a_page_without_a_date_in_its_metadata_gives_the_date_line_under_its_headline():
    """An old CMS's page: no date in its <head>, a masthead's date over the headline (the day of the
    visit) and the story's date under it."""
    body = (
        '<div class="masthead">Friday, April 11, 2025</div><h1>Council votes to close old river bridge</h1>'
        '<font size="1">Thursday, April 10, 2025</font>' + "".join(f"<p>{p}</p>" for p in STORY)
    )
    r = clean_html(page(body))
    assert r.metadata.get("published") == "2025-04-10"
