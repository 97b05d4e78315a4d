"""Properties (hypothesis): cleaning never crashes and never invents text; every input is accounted for.

"Never invents": every word of the output (title and body) is a word of the input, after the input
has had the repairs the cleaner is allowed to make (ftfy's Unicode fixes, control characters removed)
and both sides are NFKC-normalised.
"""

from __future__ import annotations

import json
import re
import tempfile
import unicodedata
from pathlib import Path

import ftfy
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaner.clean import clean_text
from cleaner.clean.blocks import _FTFY as _CLEANER_FTFY
from cleaner.extract import page_text

from .conftest import accounted
from .hostile import STORIES, run

_WORD = re.compile(r"\w+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

SENTENCES = [s.strip() + "." for story in STORIES.values() for s in story.split(". ") if s.strip()]
CHROME = [
    "Subscribe to our newsletter", "Share this article", "Advertisement", "Read more:",
    "Follow us on Twitter", "By Jane Smith", "Updated 3 hours ago", "All rights reserved.",
    "You may also like", "- Storm closes schools across the region", "Sign up to read this article",
    "We use cookies to improve your experience.", "Photo: Reuters", "Tuesday 12 March 2024",
]


def words(text: str) -> set[str]:
    return set(_WORD.findall(unicodedata.normalize("NFKC", text)))


def repaired_words(text: str) -> set[str]:
    """The input's words, also as ftfy repairs them: with its defaults, and with the cleaner's own
    settings (curly quotes kept, so a repaired "ŉ" stays one word "ʼn" where the defaults give "'n")."""
    plain = _CONTROL.sub("", text.replace("\r", "\n"))
    repaired = words(ftfy.fix_text(plain)) | words(ftfy.fix_text(plain, _CLEANER_FTFY))
    return repaired | words(_CONTROL.sub("", text))


lines = st.one_of(
    st.sampled_from(SENTENCES),
    st.sampled_from(CHROME),
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(["", " ", "\t", "l'été — “quoted”", "café\u0301", "ﬁne ﬂow", "Ｆｕｌｌ ｗｉｄｔｈ", "Ã©tÃ©"]),
)
documents = st.one_of(
    st.text(max_size=400),
    st.lists(lines, max_size=25).map("\n".join),
    st.lists(st.lists(lines, min_size=1, max_size=4).map("\n".join), max_size=8).map("\n\n".join),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
@example("0\n\u00c5\x89")  # mojibake of "ŉ": the cleaner's ftfy settings keep it one word
def test_cleaning_never_crashes_and_never_invents_words(text):
    result = clean_text(text)
    source = repaired_words(text)
    invented = (words(result.text) | words(result.title or "")) - source
    assert not invented, f"invented {invented!r}"
    for decision in result.decisions:
        assert words(decision.text) <= source


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=30), st.sampled_from(["<p>", "</p>", "<script>", "<!--", "-->", "<", ">",
                                                                 "<div class='x'>", "&amp;", "<br/>"])), max_size=60))
def test_page_text_never_crashes_and_never_invents_words(parts):
    html = "".join(parts)
    out = page_text(html)
    import html as htmllib

    assert words(out) <= words(htmllib.unescape(html)) | words(html)


# one input of each kind that a scraped folder holds; (name, bytes)
_KINDS = st.sampled_from(["story", "story-copy", "html", "empty", "blank", "binary", "chrome", "short",
                          "latin1", "jsonl", "unsupported"])


def _make(kind: str, i: int, rnd: int) -> tuple[str, bytes, list[str]]:
    """A file of ``kind``; returns (name, content, the sources it holds)."""
    stories = list(STORIES.values())
    story = stories[rnd % len(stories)]
    name = f"f{i:02d}"
    if kind == "story":
        return f"{name}.txt", f"{story} Item {i}.".encode(), [f"{name}.txt"]
    if kind == "story-copy":
        return f"{name}.txt", story.encode(), [f"{name}.txt"]
    if kind == "html":
        return f"{name}.html", f"<html><body><article><p>{story}</p></article></body></html>".encode(), [f"{name}.html"]
    if kind == "empty":
        return f"{name}.txt", b"", [f"{name}.txt"]
    if kind == "blank":
        return f"{name}.htm", b" \n\n\t ", [f"{name}.htm"]
    if kind == "binary":
        return f"{name}.txt", bytes((rnd * 7 + k * 13) % 256 for k in range(600)), [f"{name}.txt"]
    if kind == "chrome":
        return f"{name}.txt", "\n".join(CHROME[rnd % 5 :]).encode(), [f"{name}.txt"]
    if kind == "short":
        return f"{name}.txt", b"Just a line.", [f"{name}.txt"]
    if kind == "latin1":
        return f"{name}.txt", (story.replace("the", "thé") + f" {i}").encode("latin-1"), [f"{name}.txt"]
    if kind == "unsupported":
        return f"{name}.pdf", b"%PDF-1.4", [f"{name}.pdf"]
    # jsonl: a few records, some broken
    recs = [json.dumps({"id": f"r{i}-1", "text": story}), "{broken", "", json.dumps({"html": 5}),
            json.dumps({"id": "../../x", "html": f"<p>{story} Again.</p>"})][: 2 + rnd % 4]
    sources = [f"{name}.jsonl#{n}" for n, line in enumerate(recs, 1) if line.strip()]
    return f"{name}.jsonl", ("\n".join(recs) + "\n").encode(), sources


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_KINDS, st.integers(0, 50)), min_size=1, max_size=10), st.booleans())
def test_every_input_is_accounted_for_exactly_once(files, dedup):
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = Path(tmp, "in"), Path(tmp, "out")
        inp.mkdir()
        expected: set[str] = set()
        for i, (kind, rnd) in enumerate(files):
            name, data, sources = _make(kind, i, rnd)
            (inp / name).write_bytes(data)
            expected.update(sources)
        res = run([inp], out, "--workers", "1", *([] if dedup else ["--no-dedup"]))
        assert res.exit_code == 0
        seen = accounted(expected, out)
        assert set(seen) == expected, f"unexpected sources: {set(seen) - expected}"
        assert all(n == 1 for n in seen.values()), {s: n for s, n in seen.items() if n != 1}
        n_dups = sum(len(a["duplicates"]) for a in res.articles.values())
        assert len(res.articles) + n_dups + len(res.rejected) == len(expected)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=2000),
                 st.text(max_size=300).flatmap(lambda t: st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1252",
                                                                          "shift_jis", "gb18030"]).map(
                     lambda enc: t.encode(enc, "ignore")))),
       st.booleans())
def test_decoding_any_bytes_gives_text_or_a_reason(data, html):
    from cleaner.decode import UndecodableInput, decode

    try:
        text, encoding = decode(data, html=html)
    except UndecodableInput as exc:
        assert str(exc)
        return
    text.encode("utf-8")  # always writable as UTF-8 (no lone surrogates)
    assert encoding
