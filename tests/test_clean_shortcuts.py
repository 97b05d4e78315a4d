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
    lines = [row.split("\t", 1)[1] for row in PHRASES.read_text("utf-8").splitlines() if row and row[0] != "#"]
    story = "The council voted on Monday to close the old bridge, which has been shut since March. " * 6
    glued = [f"{line} {story}" for line in lines]  # prefix rules stop at long lines
    return lines + glued + ["", "   ", "»", "x" * 700, "Read more: " + story[:200]]


@pytest.mark.parametrize("line", _sample_lines())
def test_one_pass_filter_gives_the_rule_by_rule_answer(line):
    assert load_rules().match(line) == _slow_rules().match(line)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
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
    [r"(a|b)c", r"\(x\)|[(]y[)]", r"[^]()]+(z)", r"(?:a)(?P<n>b)(c)?", r"[\]]+(d)", r"(e(f(g)))h", r".{0,9}\((foto|bild)\s*:"],
)
def test_uncaptured_keeps_the_language(pattern):
    fast = re.compile(_uncaptured(pattern))
    assert fast.groups == len(re.compile(pattern).groupindex)  # only named groups are left
    for text in ["ac", "bc", "(x)", "(y)", "zz", "qz", "abc", "ab", "]]d", "efgh", "efh", "xx(foto :", "(bild:"]:
        assert bool(fast.fullmatch(text)) == bool(re.fullmatch(pattern, text)), text
        assert bool(fast.match(text)) == bool(re.match(pattern, text)), text


def test_normalise_once_per_block_is_the_same_form():
    from cleaner.clean import prepare

    text = "Home | News\n\n“Quoted” Headline\u00a0here\n» Read more\nThe council voted on Monday."
    blocks, ev, _ = prepare(text)
    assert ev.norms == [normalise(b.text) for b in blocks]
