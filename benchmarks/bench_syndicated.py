"""One story arriving many times: how ``cleaner run`` scales with the size of one group of copies.

    python benchmarks/bench_syndicated.py [--copies 500,1000,2000] [--workers 2] [--story seeds/003_5ed64bf2762e4c0a.txt]

A wire story is syndicated to hundreds of sites, so a day's crawl can hold one story thousands of times.
The copies are made from one story file (default: a seed article; its paragraphs of 13+ words), each
with one word changed and three in ten without the last paragraph, and go to ``cleaner run`` as JSON
lines (seeded, so every run gets the same input). It prints wall time, CPU time of the process tree,
and the articles and duplicates written: all the copies should be one article.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_text import default_cleaner  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def copies(story: str, n: int, seed: int = 1) -> list[dict]:
    """``n`` lightly edited copies of ``story`` as JSON records."""
    rng = random.Random(seed)
    paras = [p for p in story.split("\n") if len(p.split()) > 12]
    out = []
    for i in range(n):
        ps = list(paras)
        j = rng.randrange(len(ps))
        words = ps[j].split()
        words[rng.randrange(len(words))] = rng.choice(["Monday", "Tuesday", "officials", "leaders"])
        ps[j] = " ".join(words)
        if rng.random() < 0.3:
            ps = ps[:-1]
        out.append({"id": f"copy-{i}", "text": "\n\n".join(ps)})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", default="500,1000,2000", help="comma-separated numbers of copies")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--story", type=Path, default=ROOT / "seeds" / "003_5ed64bf2762e4c0a.txt")
    ap.add_argument("--cleaner", default=None, help="cleaner command (default: the venv's)")
    args = ap.parse_args()
    cleaner = args.cleaner.split() if args.cleaner else [default_cleaner()]
    story = args.story.read_text(encoding="utf-8")
    print("| copies | wall s | CPU s (process tree) | articles | duplicates |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="bench-syndicated-") as tmp:
        for n in (int(x) for x in args.copies.split(",")):
            feed = Path(tmp) / f"copies-{n}.jsonl"
            feed.write_text("".join(json.dumps(r) + "\n" for r in copies(story, n)), encoding="utf-8")
            out = Path(tmp) / f"out-{n}"
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            cmd = [*cleaner, "run", str(feed), "--out", str(out), "-q", "--workers", str(args.workers)]
            subprocess.run(cmd, check=True)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            articles = [json.loads(line) for line in (out / "articles.jsonl").open(encoding="utf-8")]
            dups = sum(len(a["duplicates"]) for a in articles)
            print(f"| {n:,} | {wall:.1f} | {cpu:.1f} | {len(articles)} | {dups} |", flush=True)


if __name__ == "__main__":
    main()
