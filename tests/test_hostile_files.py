"""Hostile and broken files: each is decoded when it is text, else rejected with a specific reason.

All inputs are generated here (no binary fixtures); the run always finishes with exit code 0, writes
one rejection per unusable input and warns about each on stderr.
"""

from __future__ import annotations

import gzip
import random
import zlib

import pytest

from cleaner.decode import UndecodableInput, decode

from .hostile import FRENCH, GERMAN, JAPANESE, STORIES, html_page, run

CP1252_STORY = (
    "The company\u2019s chief executive said \u201cwe are confident\u201d about the results \u2013 despite a "
    "difficult year. Profits rose to \u20ac12 million, and the caf\u00e9 chain plans to open thirty "
    "new shops in the next year, most of them in smaller towns."
)


def _png() -> bytes:
    raw = b"\x00" + bytes(range(48))
    ihdr = b"IHDR" + (16).to_bytes(4, "big") + (1).to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    idat = b"IDAT" + zlib.compress(raw)
    return b"\x89PNG\r\n\x1a\n" + b"".join(len(c[4:]).to_bytes(4, "big") + c + b"\0\0\0\0" for c in (ihdr, idat))


def _pdf() -> bytes:
    stream = zlib.compress(b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET")
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"4 0 obj << /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n"
        + stream + b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def test_binary_files_under_text_names_are_rejected_as_binary(tmp_path):
    rnd = random.Random(8)
    inp = tmp_path / "in"
    inp.mkdir()
    binaries = {
        "random.txt": bytes(rnd.randrange(256) for _ in range(20_000)),
        "random.html": bytes(rnd.randrange(256) for _ in range(20_000)),
        "report.pdf.txt": _pdf(),
        "photo.html": _png(),
        "archive.txt": gzip.compress(STORIES["library"].encode()),
        "zeros.txt": b"\x00" * 5000,
        "controls.txt": bytes(rnd.choice([*range(1, 9), *range(14, 32)]) for _ in range(5000)),
    }
    for name, data in binaries.items():
        (inp / name).write_bytes(data)
    (inp / "story.txt").write_text(STORIES["library"])
    res = run([inp], tmp_path / "out", "--workers", "1")
    assert res.exit_code == 0
    assert set(res.articles) == {"story.txt"}
    for name in binaries:
        assert res.reason(name).startswith("binary file"), name
        assert f"rejected {name}: binary file" in res.stderr
    assert "PDF" in res.reason("report.pdf.txt") and "PNG" in res.reason("photo.html")


@pytest.mark.parametrize(
    "name, text, encoding, words",
    [
        ("latin1.txt", FRENCH, "latin-1", ["français", "présenté", "très", "réforme", "grève", "élèves"]),
        ("cp1252.txt", CP1252_STORY, "cp1252", ["company\u2019s", "\u201cwe", "\u20ac12", "café", "\u2013"]),
        ("sjis.txt", JAPANESE, "shift_jis", ["東京都は水曜日", "交通計画", "記者会見"]),
        ("utf16.txt", STORIES["museum"], "utf-16", ["renovation", "whale", "skeleton"]),
        ("utf16be.txt", GERMAN, "utf-16-be-bom", ["Bundesregierung", "Künftig", "höhere", "überstürzt"]),
        ("utf8bom.txt", FRENCH, "utf-8-sig", ["français", "grève"]),
        ("german.html", GERMAN, "latin-1", ["Künftig", "müssen", "überstürzt"]),
    ],
)
def test_legacy_encodings_are_decoded_not_rejected(tmp_path, name, text, encoding, words):
    inp = tmp_path / "in"
    inp.mkdir()
    if encoding == "utf-16-be-bom":
        data = b"\xfe\xff" + text.encode("utf-16-be")
    else:
        data = (html_page(f"<p>{text}</p>") if name.endswith(".html") else text).encode(encoding)
    (inp / name).write_bytes(data)
    res = run([inp], tmp_path / "out", "--workers", "1", "--no-dedup")
    assert res.exit_code == 0, res.stderr
    assert name in res.articles, res.rejected
    body = res.articles[name]["text"]
    for word in words:
        assert word in body


def test_declared_charset_of_an_html_page_is_used(tmp_path):
    page = html_page(f"<p>{FRENCH}</p>").replace("<head>", '<head><meta charset="iso-8859-15">')
    (tmp_path / "p.html").write_bytes(page.encode("iso-8859-15"))
    res = run([tmp_path / "p.html"], tmp_path / "out", "--workers", "1")
    art = next(iter(res.articles.values()))
    assert "réforme" in art["text"] and art["metadata"]["encoding"] == "iso8859-15"


def test_invalid_utf8_keeps_the_valid_text(tmp_path):
    good = "Le café a été racheté, déjà la troisième fois cette année. " + STORIES["harvest"]
    data = good.encode() + b" \xff\xfe broken \xc3 bytes \xe2\x82 in the middle. " + STORIES["bridge"].encode()
    (tmp_path / "bad.txt").write_bytes(data)
    res = run([tmp_path / "bad.txt"], tmp_path / "out", "--workers", "1")
    assert res.exit_code == 0
    art = res.articles[f"{tmp_path}/bad.txt"]
    assert art["metadata"]["encoding"] == "utf-8"
    assert "café a été racheté, déjà la troisième" in art["text"]
    assert "Engineers closed the old river bridge" in art["text"]


@pytest.mark.parametrize(
    "text, encoding",
    [(FRENCH, "latin-1"), (FRENCH, "cp1252"), (GERMAN, "latin-1"), (GERMAN, "cp1252"), (JAPANESE, "shift_jis"),
     (JAPANESE, "euc-jp"), (STORIES["library"], "utf-16"), (FRENCH, "utf-8")],
)
def test_decode_round_trips(text, encoding):
    assert decode(text.encode(encoding))[0] == text


TURKISH = (
    "Türkiye'nin başkenti Ankara'da bugün önemli bir toplantı yapıldı. Bakanlar, ekonomik büyümenin "
    "desteklenmesi için yeni bir paket açıkladı. Uzmanlar, kararın piyasalar üzerinde olumlu bir etkisi "
    "olacağını söyledi. Ayrıca işsizlik oranının düşürülmesi için de çalışmalar sürüyor."
)
POLISH = (
    "Rząd przedstawił w środę nowy projekt ustawy o ochronie środowiska. Minister powiedział, że zmiany "
    "wejdą w życie już w przyszłym roku. Opozycja skrytykowała plany jako zbyt pośpieszne, a związki "
    "zawodowe zapowiedziały protesty w całym kraju."
)
LITHUANIAN = (
    "Vyriausybė trečiadienį pristatė naują aplinkos apsaugos įstatymo projektą. Ministras sakė, kad "
    "pakeitimai įsigalios jau kitais metais."
)


@pytest.mark.parametrize(
    "text, encoding", [(TURKISH, "cp1254"), (POLISH, "iso-8859-2"), (POLISH, "cp1250"), (LITHUANIAN, "cp1257")]
)
def test_central_european_and_turkish_code_pages_are_not_read_as_cp1252(text, encoding):
    # these differ from windows-1252 in a few letters only, so both decode cleanly; the stopwords
    # spelled right tell them apart
    assert decode(text.encode(encoding))[0] == text


def test_decode_refuses_what_is_not_text():
    for data in (b"%PDF-1.7 ...", b"\x7fELF\x02\x01", b"\x00\x01\x02\x03" * 100):
        with pytest.raises(UndecodableInput):
            decode(data)


def test_empty_and_whitespace_only_files(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "empty.txt").write_bytes(b"")
    (inp / "blank.html").write_bytes(b" \n\t\r\n  \n")
    res = run([inp], tmp_path / "out", "--workers", "1")
    assert res.exit_code == 0
    assert res.reason("empty.txt") == "empty file"
    assert res.reason("blank.html") == "only whitespace"


def test_big_inputs_are_rejected_by_the_documented_size_limit(tmp_path):
    """A 30 MB text and a 20 MB page: rejected before they are read (bounded time and memory)."""
    inp = tmp_path / "in"
    inp.mkdir()
    para = (STORIES["library"] + "\n\n").encode()
    with open(inp / "huge.txt", "wb") as fh:
        fh.write(para * (30_000_000 // len(para) + 1))
    row = f"<p>{STORIES['bridge']}</p>\n".encode()
    with open(inp / "huge.html", "wb") as fh:
        fh.write(b"<html><body>" + row * (20_000_000 // len(row) + 1) + b"</body></html>")
    (inp / "small.txt").write_text(STORIES["museum"])
    res = run([inp], tmp_path / "out", "--workers", "2")
    assert res.exit_code == 0
    assert set(res.articles) == {"small.txt"}
    for name in ("huge.txt", "huge.html"):
        assert res.reason(name).startswith("too large:")
        assert "per-document limit of 10000000" in res.reason(name)
    # the limit is a setting
    res = run([inp / "small.txt"], tmp_path / "out2", "--max-bytes", "100", "--workers", "1")
    assert res.reason(f"{inp}/small.txt").startswith("too large:")


def test_a_big_json_record_is_rejected_by_the_size_limit(tmp_path):
    (tmp_path / "r.jsonl").write_text('{"id": "big", "text": "%s"}\n' % ("word " * 3_000_000))
    res = run([tmp_path / "r.jsonl"], tmp_path / "out", "--workers", "1")
    assert res.reason(f"{tmp_path}/r.jsonl#1").startswith("too large:")


@pytest.mark.parametrize("open_tag, close_tag", [("<div>", "</div>"), ("<span>", "</span>"),
                                                 ("<table><tr><td>", "</td></tr></table>"),
                                                 ("<div><p><b>", "")])
def test_html_nested_20000_levels_does_not_crash_a_worker(tmp_path, open_tag, close_tag):
    page = "<html><body>" + open_tag * 20_000 + STORIES["bridge"] + close_tag * 20_000 + "</body></html>"
    (tmp_path / "deep.html").write_text(page)
    (tmp_path / "ok.txt").write_text(STORIES["museum"])
    res = run([tmp_path / "deep.html", tmp_path / "ok.txt"], tmp_path / "out", "--workers", "2")
    assert res.exit_code == 0
    assert "Engineers closed the old river bridge" in res.articles[f"{tmp_path}/deep.html"]["text"]
    assert f"{tmp_path}/ok.txt" in res.articles


def test_malformed_html_still_gives_its_text(tmp_path):
    page = (
        "<html><head><title>Broken</head><body><div><p>" + STORIES["harvest"]
        + "<p><b><i>unclosed <div></span></table><td>" + STORIES["museum"]
        + "<!-- never closed <script>var a = '<p>';</scr" + "<<<>>> &bogus; &#xZZ; &#99999999;</body"
    )
    (tmp_path / "bad.html").write_text(page)
    res = run([tmp_path / "bad.html"], tmp_path / "out", "--workers", "1")
    assert res.exit_code == 0
    text = next(iter(res.articles.values()))["text"]
    assert "apple harvest is the largest in a decade" in text


def test_page_text_is_linear_on_unclosed_tags():
    """Unclosed scripts and comments once made the fallback rescan the rest of the page per tag."""
    from cleaner.extract import page_text

    hostile = "<script>" * 50_000 + "<!--" * 50_000 + "<p" * 50_000 + "<" * 100_000 + " Visible words"
    assert page_text(hostile).endswith("Visible words")
    # an unclosed comment loses only its tag: the text after it is kept
    assert page_text("<p>a</p><script>x</script><!-- c --><p>b<!-- open <p>c") == "a\nb\nopen\nc"


INDEX_PAGE = html_page(
    "<h1>Latest news</h1><ul>"
    + "".join(
        f"<li><a href='/story/{i}'>{h}</a> <span>{i + 1} hours ago</span></li>"
        for i, h in enumerate(
            ["Council approves new library budget", "Storm closes schools across the region",
             "Local team wins championship final", "Prices rise again at the pump",
             "New bridge opens to traffic next week", "Hospital waiting times fall for first time",
             "Police appeal for witnesses after crash", "Festival returns after two-year break"] * 2
        )
    )
    + "</ul>",
    title="Example News - Home",
)
LOGIN_WALL = html_page(
    "<h1>Sign in to continue reading</h1><p>Subscribe to read the full story. Already a subscriber? Log in.</p>"
    "<form><label>Email</label><input name=email><label>Password</label><input type=password>"
    "<button>Log in</button></form><p>Forgot your password?</p>"
    "<p>Create an account for unlimited access to our journalism for just $1 a week.</p>",
    title="Sign in",
)
BOILERPLATE = (
    "Subscribe to our newsletter\nShare this article\nFollow us on Twitter\nAdvertisement\n"
    "Read more:\nAll rights reserved.\n"
)


def test_index_pages_and_boilerplate_are_not_articles(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "index.html").write_text(INDEX_PAGE)
    (inp / "chrome.txt").write_text(BOILERPLATE)
    (inp / "one-line.txt").write_text("The council met on Monday to vote on the budget.")
    res = run([inp], tmp_path / "out", "--workers", "1")
    assert res.exit_code == 0 and res.articles == {}
    assert res.reason("index.html").startswith("not an article: only boilerplate (")
    assert "related-list" in res.reason("index.html")
    assert res.reason("chrome.txt").startswith("not an article: only boilerplate (")
    assert res.reason("one-line.txt").startswith("not an article: too short after cleaning")


def test_a_login_wall_is_not_an_article(tmp_path):
    (tmp_path / "login.html").write_text(LOGIN_WALL)
    res = run([tmp_path / "login.html"], tmp_path / "out", "--workers", "1")
    assert res.reason(f"{tmp_path}/login.html").startswith("not an article")


def test_a_language_excluded_by_lang_is_rejected(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "de.txt").write_text(GERMAN)
    (inp / "fr.txt").write_text(FRENCH)
    (inp / "en.txt").write_text(STORIES["library"])
    res = run([inp], tmp_path / "out", "--workers", "1", "--lang", "en,fr")
    assert res.exit_code == 0
    assert set(res.articles) == {"en.txt", "fr.txt"}
    assert res.reason("de.txt") == "language de not in --lang en,fr"
    assert "rejected de.txt: language de" in res.stderr


def test_japanese_is_long_enough_to_be_an_article(tmp_path):
    """Scripts without spaces between words are not one 'word' long."""
    (tmp_path / "ja.txt").write_text(JAPANESE)
    res = run([tmp_path / "ja.txt"], tmp_path / "out", "--workers", "1")
    assert res.articles and res.rejected == {}


@pytest.mark.parametrize("charset", ["base64", "rot13", "unicode_escape", "utf-7", "utf-16", "x-user-defined", "nonsense"])
def test_a_page_declaring_a_hostile_or_wrong_charset_is_still_decoded(charset):
    page = html_page(f"<p>{FRENCH}</p>").replace("<head>", f'<head><meta charset="{charset}">')
    text, encoding = decode(page.encode("latin-1"), html=True)
    assert "réforme des retraites" in text and encoding == "cp1252"
