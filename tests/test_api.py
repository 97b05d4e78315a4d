"""The importable API."""

from __future__ import annotations

from cleaner import Config, clean_html, clean_text, process_documents

from .conftest import SEEDS


def test_clean_text_returns_body_title_metadata_and_decisions():
    r = clean_text((SEEDS / "003_5ed64bf2762e4c0a.txt").read_text())
    assert r.title == "Rutte to convince Trump to stay in NATO at crucial White House meeting"
    assert r.metadata["author"] == "Shona Murray"
    assert "Sign up" not in r.text
    assert {d.reason for d in r.decisions if not d.keep} >= {"paywall", "promo", "title", "author"}
    assert all(d.reason == "story" for d in r.decisions if d.keep)


def test_clean_html_extracts_with_trafilatura():
    paragraphs = "".join(
        f"<p>Paragraph {i}: the city council met on Tuesday evening to discuss the new budget, "
        f"which includes more money for schools, roads and the public library.</p>"
        for i in range(6)
    )
    html = (
        "<html><head><title>Budget passes - Daily Bugle</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>Budget passes</h1>{paragraphs}</article>"
        "<footer>© 2024 Daily Bugle. All rights reserved.</footer></body></html>"
    )
    r = clean_html(html, url="https://dailybugle.example/budget")
    assert r.metadata["extraction"] == "trafilatura"
    assert r.text.count("Paragraph") == 6
    assert "All rights reserved" not in r.text and "Home" not in r.text


def test_process_documents_groups_and_rejects():
    story = (SEEDS / "001_c0fa23bc847765f8.txt").read_text()
    arts, rejected = process_documents(
        [
            {"id": "x", "text": story},
            {"id": "y", "text": "Cookie settings\n" + story},
            {"id": "z", "text": ""},
        ],
        Config(workers=1),
    )
    assert [a["id"] for a in arts] == ["x"]
    assert arts[0]["duplicates"] == ["record#2"]
    assert rejected == [{"source": "record#3", "id": "z", "reason": "JSON record's text is empty"}]


def test_package_exports_every_public_name_lazily():
    import subprocess
    import sys

    import cleaner

    assert set(cleaner.__all__) == {"__version__", *cleaner._EXPORTS}
    for name in cleaner._EXPORTS:
        assert getattr(cleaner, name).__name__ == name
    code = "import sys, cleaner.cli; print(sorted(m for m in sys.modules if m.startswith('cleaner')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "cleaner.pipeline" not in out and "cleaner.api" not in out  # cleaner run imports them itself
