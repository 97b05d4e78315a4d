"""Cleaning time per article: ``clean_text`` alone (no language detection, no I/O), median and p95.

    python benchmarks/bench_clean_speed.py --data PATH [--repeat 3] [--cold]

Times every page of both AEB plain-text inputs in this process after one warm-up pass (stoplists,
phrase rules and the block model load once per process, so the warm-up keeps that one-off cost out).
With ``--repeat N`` each page's time is the fastest of N runs. Wall time and CPU time (of this process)
are both reported: on a shared machine the wall time also counts the other jobs, the CPU time does not.
The cleaner remembers lines it has seen (site chrome recurs across a corpus), so repeated runs of a page
meet every line again: ``--cold`` forgets them before each run, which times every line as new (the worst
case; a real corpus lies between the two).
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

from cleaner.clean import (
    clean_text,  # noqa: E402
    clear_caches,  # noqa: E402
)

INPUTS = ("page-text", "trafilatura-2.0.0-output")


def _summary(times: list[float]) -> tuple[float, float, float]:
    """Median, p95 and max."""
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95, times[-1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cold", action="store_true", help="forget seen lines before each run (every line new)")
    args = ap.parse_args(argv)
    print("| input | pages | KB/page (mean) | wall median ms | wall p95 ms | CPU median ms | CPU p95 ms | CPU max ms |")
    print("|---|---|---|---|---|---|---|---|")
    for name in INPUTS:
        texts = M.load_texts(args.data, name)
        for t in texts.values():  # warm-up: one-off loading, caches
            clean_text(t)
        wall, cpu = [], []
        for t in texts.values():
            best_wall = best_cpu = float("inf")
            for _ in range(args.repeat):
                if args.cold:
                    clear_caches()
                w0, c0 = time.perf_counter(), time.process_time()
                clean_text(t)
                best_cpu = min(best_cpu, time.process_time() - c0)
                best_wall = min(best_wall, time.perf_counter() - w0)
            wall.append(best_wall * 1000)
            cpu.append(best_cpu * 1000)
        kb = sum(len(t.encode()) for t in texts.values()) / len(texts) / 1024
        w, c = _summary(wall), _summary(cpu)
        print(f"| {name} | {len(wall)} | {kb:.1f} | {w[0]:.1f} | {w[1]:.1f} | {c[0]:.1f} | {c[1]:.1f} | {c[2]:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
