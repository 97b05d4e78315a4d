"""Language detection: agreement of ``cleaner.language.detect`` with langdetect on the whole text, and cost.

Test texts (none used to write the rules): the AEB ground-truth bodies; ``cleaner``'s clean bodies of the
AEB page texts; windows of 3–40 consecutive page-text lines (chrome and body mixed, the hard case); and
the clean bodies of ``--generated N`` pages from the load benchmark's generator (mixed, edited stories).
The reference is seeded langdetect on the whole text (what a user would call). Prints agreement per
kind, how often the stopword fast path answered, and milliseconds per call of each method.

    python benchmarks/bench_language.py --data ../shared/bench/aeb [--generated 2000] [--windows 15]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cleaner.clean import clean_text  # noqa: E402
from cleaner.language import detect, langdetect, stopword_vote  # noqa: E402


def texts(data: Path, windows: int, generated: int) -> list[tuple[str, str]]:
    truth = json.loads((data / "ground-truth.json").read_text("utf-8"))
    pages = json.loads((data / "page-text.json").read_text("utf-8"))
    rng = random.Random(3)
    out: list[tuple[str, str]] = []
    for pid in sorted(truth):
        out.append(("aeb body", truth[pid]["articleBody"]))
        page = pages.get(pid, "")
        out.append(("aeb clean page", clean_text(page).text))
        lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
        for _ in range(windows if len(lines) >= 3 else 0):
            i = rng.randrange(len(lines))
            window = "\n".join(lines[i : i + rng.randint(3, 40)])
            if len(window.split()) >= 15:
                out.append(("page-text window", window))
    if generated:
        import bench_load

        pool = bench_load.load_pool(data)
        for _ in range(generated):
            story = bench_load.make_story(pool, rng)
            out.append(("generated clean page", clean_text(bench_load.render(story, pool, rng)).text))
    return [(kind, text) for kind, text in out if text.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, type=Path)
    ap.add_argument("--windows", type=int, default=15, help="page-text windows per page")
    ap.add_argument("--generated", type=int, default=2000, help="generated pages (0: none)")
    ap.add_argument("--show", type=int, default=10, help="list this many disagreements")
    args = ap.parse_args()
    corpus = texts(args.data, args.windows, args.generated)
    langdetect("warm up"), detect("warm up")
    t = time.perf_counter()
    ref = [langdetect(text) for _, text in corpus]
    t_ref = time.perf_counter() - t
    t = time.perf_counter()
    got = [detect(text) for _, text in corpus]
    t_got = time.perf_counter() - t
    fast = [stopword_vote(text) is not None for _, text in corpus]
    kinds = Counter(kind for kind, _ in corpus)
    print(f"{'texts':<22}{'n':>6}{'agree':>9}{'fast path':>11}  reference languages")
    for kind in [*kinds, "all"]:
        idx = [i for i, (k, _) in enumerate(corpus) if kind in (k, "all")]
        agree = sum(ref[i] == got[i] for i in idx) / len(idx)
        share = sum(fast[i] for i in idx) / len(idx)
        langs = Counter(ref[i] for i in idx).most_common(8)
        print(f"{kind:<22}{len(idx):>6}{agree:>9.2%}{share:>11.1%}  {dict(langs)}")
    n = len(corpus)
    print(f"ms per call: langdetect whole text {t_ref / n * 1000:.2f}, cleaner detect {t_got / n * 1000:.2f}")
    wrong = [(corpus[i][0], ref[i], got[i], corpus[i][1][:100]) for i in range(n) if ref[i] != got[i]]
    for row in wrong[: args.show]:
        print("disagree:", row)


if __name__ == "__main__":
    main()
