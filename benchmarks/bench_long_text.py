"""Cleaning time of one long text as it grows: does ``clean_text`` stay linear in the text's length?

    python benchmarks/bench_long_text.py [--lines 1000,5000,20000,60000] [--shapes transcript,titles,broken,paragraphs]

A scraped input is sometimes far longer than an article: a text dump, a PDF converted to text, a live
blog of a whole day. Each shape is generated (seeded, no data needed) at each size and cleaned once in
this process, with the line caches cleared first so every line is new. ``transcript``: lower-case
words without punctuation, a dozen to a line and no blank line (automatic captions of a video, scraped
as its story), which ``unwrap`` joins into one paragraph, since no line ends a sentence; ``titles``: lines
of 20 capitalised words (over 100 characters, no full stop), which it joins too; ``broken``: prose
broken every dozen words (what a scraper or a PDF conversion breaks); ``paragraphs``: paragraphs of a
few sentences between blank lines. It prints the CPU time and the time per 1,000 lines; that figure
stays flat when the time is linear.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cleaner.clean import clean_text, clear_caches  # noqa: E402

WORDS = (
    "the council met on monday to vote on a new budget for schools and roads in the city after a long "
    "debate about trams buses and the bridge over the river which the mayor said would open in spring"
).split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    return " ".join(words).capitalize() + "."


def generate(shape: str, lines: int, seed: int = 1) -> str:
    """A text of ``lines`` lines of the given shape."""
    rng = random.Random(seed)
    if shape == "transcript":
        return "\n".join(" ".join(rng.choice(WORDS) for _ in range(12)) for _ in range(lines))
    if shape == "titles":
        return "\n".join(" ".join(rng.choice(WORDS).capitalize() for _ in range(20)) for _ in range(lines))
    if shape == "broken":
        words = " ".join(_sentence(rng) for _ in range(lines)).split()
        return "\n".join(" ".join(words[i : i + 12]) for i in range(0, 12 * lines, 12))
    if shape == "paragraphs":
        return "\n\n".join(" ".join(_sentence(rng) for _ in range(rng.randint(3, 6))) for _ in range(lines))
    raise ValueError(f"unknown shape {shape!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", default="1000,5000,20000,60000", help="comma-separated line counts")
    ap.add_argument(
        "--shapes",
        default="transcript,titles,broken,paragraphs",
        help="comma-separated: transcript, titles, broken, paragraphs",
    )
    args = ap.parse_args()
    clean_text(generate("paragraphs", 50))  # loads the rules, stoplists and model once
    print("| shape | lines | characters | CPU s | CPU ms per 1,000 lines |")
    print("|---|---|---|---|---|")
    for shape in args.shapes.split(","):
        for n in (int(x) for x in args.lines.split(",")):
            text = generate(shape, n)
            clear_caches()
            start = time.process_time()
            clean_text(text)
            cpu = time.process_time() - start
            print(f"| {shape} | {n:,} | {len(text):,} | {cpu:.2f} | {1000 * cpu / n * 1000:.0f} |", flush=True)


if __name__ == "__main__":
    main()
