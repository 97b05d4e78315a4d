"""The author's box under a story goes to the metadata, never into the body."""

from pathlib import Path

from cleaner import clean_text
from cleaner.clean import bio

DATA = Path(__file__).parent / "data" / "clean"


def test_the_author_box_under_the_story_is_dropped_and_the_story_ends_before_it():
    r = clean_text((DATA / "author_box.txt").read_text("utf-8"))
    body = r.text.split("\n\n")
    assert body[-1] == "The council will meet again in July."
    assert "About the author" not in r.text and "science correspondent" not in r.text
    assert r.metadata.get("author") == "Rachel Kim"
    assert [d.reason for d in r.decisions if "science correspondent" in d.text] == ["author-bio"]


def test_a_bio_names_the_author_when_the_page_did_not():
    lines = ["The bridge reopens on Monday after two years of repairs."] * 3 + [
        "Louise Matsakis is a Staff Writer at WIRED covering Amazon, security, and online platforms.",
        "Staff Writer",
    ]
    found, name = bio.tail(lines, [True] * len(lines), None)
    assert (found, name) == ([3, 4], "Louise Matsakis")


def test_only_the_last_lines_and_only_the_authors_bio_count():
    story = "The bridge reopens on Monday after two years of repairs."
    reporter = "Jane Doe is a former reporter who now runs the bakery on Main Street."
    # inside the story: a person it describes
    assert bio.tail([reporter, story], [True, True], None) == ([], None)
    # at the end, but the page's author is someone else
    assert bio.tail([story, reporter], [True, True], "John Smith") == ([], None)
    assert bio.tail([story, reporter], [True, True], "Jane Doe") == ([1], "Jane Doe")
    # a dropped line is not walked over
    assert bio.tail([story, reporter, story], [True, True, False], "Jane Doe") == ([1], "Jane Doe")


def test_bios_in_other_languages_and_what_is_not_one():
    assert bio.subject("Anna Müller ist Redakteurin im Ressort Politik.") == "Anna Müller"
    assert bio.subject("Jean Dupont est journaliste au service économie.") == "Jean Dupont"
    assert bio.subject("María López es periodista especializada en medio ambiente.") == "María López"
    assert bio.subject("She is a staff writer at the paper.") is None
    assert bio.subject("the mayor is a former reporter.") is None
    assert bio.subject("The city is a writer's paradise, said Jane Doe.") is None


def test_a_known_authors_self_description_and_beat_are_a_bio():
    story = "The bridge reopens on Monday after two years of repairs."
    guest = "Rebecca Lindqvist is a retired urban planner who lives in Lakeshore."
    assert bio.tail([story, guest], [True, True], "Rebecca Lindqvist") == ([1], "Rebecca Lindqvist")
    assert bio.tail([story, guest], [True, True], None) == ([], None)  # who wrote it is not known
    beat = "Marcus Delgado covers local government for the Riverton Ledger. Reach him at md@example.com."
    assert bio.tail([story, beat], [True, True], None) == ([1], "Marcus Delgado")


def test_a_role_line_under_a_name_line_is_a_bio():
    """El País's box: "Sobre la firma" / the name alone / a line that starts with the role."""
    story = "La DGT instalará los nuevos radares antes de que acabe el año, según el ministerio."
    box = ["Sobre la firma", "María López", "Redactora de Sociedad especializada en movilidad y seguridad vial."]
    assert bio.tail([story, *box], [True] * 4, None) == ([1, 2, 3], "María López")
    # the role line needs the name right above it, and more than the role itself
    assert bio.tail([story, box[2]], [True, True], None) == ([], None)
    assert bio.tail([story, box[1], "Redactora de Sociedad"], [True] * 3, None) == ([], None)
    # a story's sentence that starts with a role word is no bio
    assert bio.tail([story, "Journalists at the paper voted to strike on Monday."], [True, True], None) == ([], None)
