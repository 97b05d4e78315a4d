"""Hard-wrap repair: wrapped prose is joined in any cased script; lists of even-length lines are not."""

from __future__ import annotations

import textwrap

from cleaner.clean.blocks import split, unwrap

PROSE = (
    "After months of complaints from commuters, the council agreed with the transport authority on "
    "Tuesday to spend more on buses and trams next year, and to hire drivers for the late services in "
    "the northern suburbs, the transport minister said on Wednesday evening after the meeting ended."
)
RUSSIAN = (
    "После нескольких месяцев жалоб пассажиров городской совет во вторник договорился с транспортным "
    "управлением потратить больше денег на автобусы и трамваи в следующем году, а также нанять водителей "
    "для поздних рейсов в северных районах, сообщил министр транспорта в среду вечером после заседания."
)
HEADLINES = [
    "Council agrees to spend more on buses and trams in the north",
    "Minister says late services will get more drivers next year",
    "Commuters complain about delays on the northern tram line again",
    "Transport authority publishes its budget for the coming year",
    "Union warns of strikes if drivers are not given better pay soon",
    "Mayor opens the new tram depot in the northern suburbs today",
    "Bus fares will stay the same until the end of the next spring",
]


def joined(text: str) -> list[str]:
    return [b.text for b in unwrap(split(text))]


def test_wrapped_prose_is_joined():
    assert joined(textwrap.fill(PROSE, 72)) == [PROSE]


def test_wrapped_cyrillic_prose_is_joined():
    """Lower-case continuations are recognised in any cased script, not only in Latin."""
    assert joined(textwrap.fill(RUSSIAN, 72)) == [RUSSIAN]


def test_a_list_of_even_headlines_is_not_a_hard_wrap():
    """Lines of one length that each start with a capital are a list, not a wrapped paragraph."""
    assert joined("\n".join(HEADLINES)) == HEADLINES


def test_wrapped_prose_next_to_a_headline_list_keeps_the_list_apart():
    text = "\n".join(HEADLINES) + "\n\n" + textwrap.fill(PROSE, 72) + "\n\n" + "\n".join(HEADLINES)
    assert joined(text) == HEADLINES + [PROSE] + HEADLINES


def test_a_long_first_line_is_not_joined_to_the_lead():
    """The text's first line is its headline more often than a sentence a scraper broke: joined, the
    headline would hide inside the lead."""
    headline = "James Example eliminated from the dance show after announcing that his wife suffered a loss in the family"
    assert len(headline) >= 100  # long enough to pass for a sentence a scraper broke
    assert joined(f"{headline}\n{PROSE}") == [headline, PROSE]
    # the same line later in the text is still taken for a broken sentence
    assert joined(f"{PROSE}\n{headline}\n{PROSE}") == [PROSE, f"{headline} {PROSE}"]


def test_a_long_line_is_not_joined_to_a_line_a_rule_or_the_date_test_takes():
    tail = "It was the first time since 1998 that the council had closed a bridge for repairs of this size and cost"
    assert len(tail) >= 100
    for line in ("Follow us on Twitter", "Updated at 1:23 p.m.", "You may also like"):
        assert joined(f"{PROSE}\n{tail}\n{line}") == [PROSE, tail, line]
    assert joined(f"{PROSE}\n{tail}\nAnd The Council Said So.") == [PROSE, f"{tail} And The Council Said So."]

