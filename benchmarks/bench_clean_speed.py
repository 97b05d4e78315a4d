"""Cleaning time per article: ``clean_text`` alone (no language detection, no I/O), median and p95.

    python benchmarks/bench_clean_speed.py --data PATH [--repeat 3]

Times every page of both AEB plain-text inputs in this process after one warm-up pass (stoplists,
phrase rules and the block model load once per process, so the warm-up keeps that one-off cost out).
With ``--repeat N`` each page's time is the fastest of N runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aeb_metric as M  # noqa: E402

from cleaner.clean import clean_text  # noqa: E402

INPUTS = ("page-text", "trafilatura-2.0.0-output")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    print("| input | pages | KB/page (mean) | median ms | p95 ms | max ms |")
    print("|---|---|---|---|---|---|")
    for name in INPUTS:
        texts = M.load_texts(args.data, name)
        for t in texts.values():  # warm-up: one-off loading, caches
            clean_text(t)
        times = []
        for t in texts.values():
            best = float("inf")
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                clean_text(t)
                best = min(best, time.perf_counter() - t0)
            times.append(best * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        kb = sum(len(t.encode()) for t in texts.values()) / len(texts) / 1024
        print(
            f"| {name} | {len(times)} | {kb:.1f} | {statistics.median(times):.1f} | {p95:.1f} | {times[-1]:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
