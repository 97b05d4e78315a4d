"""End to end on the seed articles against their hand labels (seeds/gold.json)."""

from __future__ import annotations

import json
import shutil
import unicodedata

import pytest

from .conftest import SEEDS, accounted, read_jsonl

CONTRACT_FIELDS = {"id", "source", "title", "text", "lang", "duplicates", "metadata"}


def norm(s: str | None) -> str:
    s = unicodedata.normalize("NFKC", s or "")
    s = s.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}))
    return " ".join(s.split())


@pytest.fixture(scope="module")
def seed_output(tmp_path_factory, seeds_dir):
    """`cleaner run` on a copy of the five seed articles (without gold.json), with --no-dedup."""
    from click.testing import CliRunner

    from cleaner.cli import main

    inp = tmp_path_factory.mktemp("seeds")
    for f in seeds_dir.glob("*.txt"):
        shutil.copy(f, inp / f.name)
    out = tmp_path_factory.mktemp("out")
    res = CliRunner().invoke(main, ["run", str(inp), "--out", str(out), "--no-dedup", "--workers", "1"])
    assert res.exit_code == 0, res.output
    return {a["source"]: a for a in read_jsonl(out / "articles.jsonl")}


def test_every_seed_is_an_article_with_the_contract_fields(seed_output, gold):
    assert set(seed_output) == set(gold)
    for art in seed_output.values():
        assert CONTRACT_FIELDS <= set(art)
        assert art["lang"] == "en"
        assert art["duplicates"] == []


@pytest.mark.parametrize("name", sorted(json.loads(open(SEEDS / "gold.json").read())["articles"]))
def test_seed_matches_gold(seed_output, gold, seeds_dir, name):
    g, art = gold[name], seed_output[name]
    lines = (seeds_dir / name).read_text().split("\n")
    body = norm(art["text"])
    lost = [n for n in g["content"] if norm(lines[n - 1]) not in body]
    leaked = [n for n in g["boilerplate"] if norm(lines[n - 1]) and norm(lines[n - 1]) in body]
    assert lost == [], f"story lines lost: {lost}"
    assert leaked == [], f"boilerplate lines left: {leaked}"
    assert norm(art["title"]) == norm(g["title"])
    assert art["metadata"].get("author") == g["author"]
    if g["sitename"]:
        assert art["metadata"].get("sitename") == g["sitename"]
    if g["title"]:
        assert norm(g["title"]) not in body, "the title must not stay in the body"


def test_seed_002_broken_line_is_joined(seed_output, seeds_dir):
    lines = (seeds_dir / "002_319c5c72f2900e71.txt").read_text().split("\n")
    joined = norm(lines[1] + " " + lines[2])
    paragraphs = [norm(p) for p in seed_output["002_319c5c72f2900e71.txt"]["text"].split("\n\n")]
    assert joined in paragraphs


def test_paragraphs_are_separated_by_blank_lines(seed_output):
    text = seed_output["003_5ed64bf2762e4c0a.txt"]["text"]
    assert "\n\n" in text and "\n\n\n" not in text
    assert text == text.strip()


def test_run_with_dedup_writes_five_articles_and_accounts_for_every_input(tmp_path, run_cli, seeds_dir):
    out = tmp_path / "out"
    res = run_cli("run", seeds_dir, "--out", out, "--workers", "2")
    assert res.exit_code == 0
    arts = read_jsonl(out / "articles.jsonl")
    assert len(arts) == 5, "no two seeds are near-duplicates"
    rejected = read_jsonl(out / "rejected.jsonl")
    assert [r["source"] for r in rejected] == ["gold.json"]
    inputs = {p.name for p in seeds_dir.iterdir()}
    assert set(accounted(inputs, out).values()) == {1}
    assert "5 articles written" in res.stderr
    # one clean text file per article, mirroring the input names
    assert sorted(p.name for p in (out / "text").iterdir()) == sorted(a["source"] for a in arts)
