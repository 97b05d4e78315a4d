"""Hard-wrap repair: wrapped prose is joined in any cased script; lists of even-length lines are not."""

from __future__ import annotations

import textwrap

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaner.clean.blocks import (
    _BULLET,
    _END,
    _ID_LINE,
    Block,
    _starts_lower,
    _wrap_width,
    _wrapped_runs,
    keyword_list,
    split,
    unwrap,
)
from cleaner.clean.meta import dateline, notice
from cleaner.clean.phrases import load_rules

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



KOREAN = (
    "서울시는 화요일 시의회와 교통공사가 내년에 버스와 지하철 예산을 늘리기로 합의했다고 밝혔다. "
    "시는 북부 지역의 심야 노선에 운전기사를 더 채용하고, 낡은 차량을 새 차량으로 바꿀 계획이다. "
    "교통부 장관은 수요일 저녁 회의가 끝난 뒤 기자들에게 시민들의 불편을 줄이기 위해 "
    "이번 결정을 내렸다고 말했다. 시민단체는 요금 인상 없이 서비스가 나아져야 한다고 주장했다."
)
KOREAN_CHROME = ["홈", "뉴스", "정치", "경제", "로그인"]
KOREAN_FOOTER = ["저작권자 무단 전재 및 재배포 금지", "구독하기"]
KOREAN_HEADLINES = [
    "서울시 내년 버스와 지하철 예산 늘리기로 시의회와 합의",
    "교통부 장관 심야 노선 운전기사 더 채용하겠다고 밝혀",
    "시민단체 요금 인상 없는 서비스 개선 요구하며 기자회견",
    "북부 지역 주민들 낡은 차량 교체 계획에 기대감 드러내",
    "교통공사 새 차량 도입 일정 다음 달 중에 발표할 예정",
]


def fill_columns(text: str, width: int) -> str:
    """Greedy wrap by display columns (a Hangul syllable takes two), as a terminal or e-mail client does."""
    lines: list[str] = []
    for word in text.split():
        line = f"{lines[-1]} {word}" if lines else word
        if lines and sum(2 if "\uac00" <= c <= "\ud7a3" else 1 for c in line) <= width:
            lines[-1] = line
        else:
            lines.append(word)
    return "\n".join(lines)


def test_wrapped_korean_prose_inside_chrome_is_joined():
    """Hangul has no case: a continuation line cannot start in lower case, so a wrapped paragraph
    is recognised by its first words not fitting on the line before, in characters or in columns."""
    for wrapped in (textwrap.fill(KOREAN, 75), fill_columns(KOREAN, 75)):
        assert len(wrapped.splitlines()) >= 3
        text = "\n".join(KOREAN_CHROME) + "\n\n" + wrapped + "\n\n" + "\n".join(KOREAN_FOOTER)
        assert joined(text) == KOREAN_CHROME + [KOREAN] + KOREAN_FOOTER


def test_a_list_of_even_korean_headlines_is_not_a_hard_wrap():
    assert joined("\n".join(KOREAN_HEADLINES)) == KOREAN_HEADLINES


def test_a_caseless_headline_is_not_glued_to_its_paragraph():
    """As in a cased script, a headline line right above a paragraph stays a line of its own."""
    assert joined(f"{HEADLINES[0]}\n{PROSE}") == [HEADLINES[0], PROSE]
    assert joined(f"{KOREAN_HEADLINES[0]}\n{KOREAN}") == [KOREAN_HEADLINES[0], KOREAN]
    wrapped = textwrap.fill(KOREAN, 75)
    assert joined(f"{KOREAN_HEADLINES[0]}\n\n{wrapped}") == [KOREAN_HEADLINES[0], KOREAN]


def _joined_one_line_at_a_time(blocks: list[Block]) -> list[Block]:
    """``unwrap`` as it first was (the oracle): each line joined onto the block's text so far, and the
    questions of ``_continues`` asked of that whole text."""

    def continues(prev: Block, nxt: Block, width: int | None, first: int) -> bool:
        if nxt.blank_before or _END.search(prev.text) or _BULLET.match(nxt.text) or _ID_LINE.match(nxt.text):
            return False
        if width is not None:
            return len(prev.text) >= 0.6 * width and len(prev.text.split()) >= 4
        if _starts_lower(nxt.text):
            return len(prev.text.split()) >= 4
        if prev.text.endswith(","):
            return len(prev.text.split()) >= 6
        return (
            len(prev.text) >= 100
            and len(prev.text.split()) >= 14
            and prev.lines[0] != first
            and not nxt.text.isupper()
            and not keyword_list(prev.text)
            and load_rules().match(nxt.text) is None
            and not dateline(nxt.text)
            and not notice(nxt.text)
            and load_rules().match(prev.text) is None
        )

    if not blocks:
        return blocks
    width, wrapped = _wrap_width(blocks), _wrapped_runs(blocks)
    out = [blocks[0]]
    for i, b in enumerate(blocks[1:], 1):
        prev = out[-1]
        if i in wrapped or continues(prev, b, width, blocks[0].lines[0]):
            out[-1] = Block(f"{prev.text} {b.text}", prev.lines + b.lines, prev.blank_before)
        else:
            out.append(b)
    return out


_PIECES = [
    "the", "council", "voted", "Monday", "to", "close", "bridge", "Sign", "up", "READ", "MORE:", "and,", "roads.",
    "said:", "“It", "is", "over.”", "- item", "1.", "Tags:", "a,", "b,", "c,", "d,", "e", "Ölfeld", "über",
    "x" * 300, "Updated at 1:23 p.m.", "Follow us on Twitter",
]


_LONG_HEAD = ["X" * 300, "a", "b", "c"]  # a long line of few words, then lines joined to it
_CONTINUED = "and then the council voted to close the old bridge".split()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example([(["Headline", "here."], False), (_LONG_HEAD, False), (_CONTINUED, False), ("Thursday came".split(), False)])
@example([(["Headline", "here."], False), (_LONG_HEAD, False), (["d", "e,"], False), (["Then", "x"], False)])
@example(  # a list of tags over two lines: not a sentence the next line goes on with
    [(["Headline", "here."], False), (["X" * 300, "a,", "b,", "c,", "d"], False), ("e, f g h i j k l m".split(), False),
     (["Then", "x"], False)]
)
@given(
    st.lists(
        st.tuples(st.lists(st.sampled_from(_PIECES), min_size=0, max_size=40), st.booleans()),
        min_size=1,
        max_size=30,
    )
)
def test_unwrap_joins_as_joining_one_line_at_a_time_does(lines):
    """``unwrap`` keeps a joined block's lines apart until its end (a long run of broken lines was
    quadratic); the blocks it gives are those of the plain way, line for line."""
    text = "\n".join(("\n" if blank else "") + " ".join(words) for words, blank in lines)
    blocks = split(text)
    want = [(b.text, b.lines, b.blank_before) for b in _joined_one_line_at_a_time(blocks)]
    assert [(b.text, b.lines, b.blank_before) for b in unwrap(blocks)] == want
