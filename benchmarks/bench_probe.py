"""Probe pages: hand-written news pages in many site styles, scored paragraph by paragraph and field by field.

``benchmarks/probe/{en,xx,html}`` hold 38 pages written for this project (every story invented): 14
English plain-text scrapes (wire, tabloid, local paper, magazine, newsletter post, live blog, opinion,
press release, tech, sports, TV station, paywall, portal, cookie wall), 12 in other languages (de, fr,
es, it, pt, nl, pl, ru, tr) and 12 HTML pages (semantic, div soup, AMP, WordPress, ``<br>`` paragraphs,
four languages). Each ``gold/NAME.json`` gives the story's paragraphs and its title, author, site name,
date and language; each set's ``README.txt`` says what its pages test and how the gold was labelled
(decks, captions, pull quotes and author bios are not story).

The cleaning rules were improved while looking at these pages, so they are a development set, not a
held-out one: AEB (``bench_text.py``, ``bench_html.py``) stays the measure of record.

For each set it runs ``cleaner run pages --out OUT --no-dedup -q`` and counts, per page, the gold
paragraphs found in the article's text (recall) and the article's paragraphs that are not part of the
gold story (precision), whitespace aside; and how many pages get each metadata field right (case and
spacing aside; ``published`` as ``YYYY-MM-DD``; a field the gold leaves empty must be empty).

    python benchmarks/bench_probe.py [--sets en,xx,html] [--verbose] [--cleaner CMD] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path, PurePath

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_text import default_cleaner  # noqa: E402

HERE = Path(__file__).resolve().parent / "probe"
FIELDS = ("title", "author", "sitename", "published", "language")


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score_set(folder: Path, cleaner: str, verbose: bool) -> dict:
    """Run the cleaner on one set's pages and score them against its gold files."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        subprocess.run(
            [*cleaner.split(), "run", str(folder / "pages"), "--out", str(out), "--no-dedup", "-q"], check=True
        )
        articles = {PurePath(a["source"]).stem: a for a in _read_jsonl(out / "articles.jsonl")}
        rejected = {PurePath(r["source"]).stem: r["reason"] for r in _read_jsonl(out / "rejected.jsonl")}
    tp = fp = fn = 0
    right = dict.fromkeys(FIELDS, 0)
    pages = sorted((folder / "gold").glob("*.json"))
    for gold_path in pages:
        gold = json.loads(gold_path.read_text("utf-8"))
        name = gold_path.stem
        body = [p for p in map(_norm, gold["body"]) if p]
        article = articles.get(name)
        if article is None:
            fn += len(body)
            print(f"  {name}: rejected: {rejected.get(name)}")
            continue
        paras = [p for p in map(_norm, article["text"].split("\n\n")) if p]
        text, gold_text = " ".join(paras), " ".join(body)
        missing = [p for p in body if p not in text]
        extra = [p for p in paras if p not in gold_text]
        tp, fp, fn = tp + len(body) - len(missing), fp + len(extra), fn + len(missing)
        meta = article.get("metadata") or {}
        got = {
            "title": article.get("title"),
            "author": meta.get("author"),
            "sitename": meta.get("sitename"),
            "published": meta.get("published"),
            "language": article.get("lang"),
        }
        wrong = []
        for key in FIELDS:
            want = gold.get(key)
            ok = _norm(str(got[key])).lower() == _norm(str(want)).lower() if want else not got[key]
            right[key] += ok
            if not ok:
                wrong.append(f"{key}: {got[key]!r}, gold {want!r}")
        if verbose and (missing or extra or wrong):
            print(f"  {name}: {len(missing)} of {len(body)} paragraphs missing, {len(extra)} extra")
            for p in missing:
                print(f"    - {p[:120]}")
            for p in extra:
                print(f"    + {p[:120]}")
            for w in wrong:
                print(f"    ~ {w[:160]}")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"pages": len(pages), "precision": round(precision, 3), "recall": round(recall, 3), "fields": right}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default="en,xx,html", help="comma-separated sets of benchmarks/probe")
    ap.add_argument("--cleaner", default=None, help="cleaner command (default: the venv's)")
    ap.add_argument("--verbose", action="store_true", help="list each page's misses")
    ap.add_argument("--json", default=None, help="save the figures here")
    args = ap.parse_args()
    cleaner = args.cleaner or default_cleaner()
    results = {}
    print("| set | pages | paragraph P | paragraph R | " + " | ".join(FIELDS) + " |")
    print("|---|---|---|---|" + "---|" * len(FIELDS))
    for name in args.sets.split(","):
        r = results[name] = score_set(HERE / name, cleaner, args.verbose)
        fields = " | ".join(f"{r['fields'][k]}/{r['pages']}" for k in FIELDS)
        print(f"| {name} | {r['pages']} | {r['precision']:.3f} | {r['recall']:.3f} | {fields} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
