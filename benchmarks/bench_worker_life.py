"""What a worker's lifetime costs: CPU per page of the workers' per-document work (``pipeline.process``)
when one process does every page, against a fresh process (each warmed up as a worker is) every
``--life`` pages.

    python benchmarks/bench_worker_life.py DIR [--pages 30000] [--life 2000]

``DIR`` is a folder of input pages, e.g. ``bench_load.py --keep DIR``'s ``DIR/in-100000``. The two
settings run side by side, one process chain each, so a machine whose speed drifts slows both alike
(alternated runs on these machines differ by more than the effect). A fresh worker loads its data
again and starts with empty line caches; CPU time includes each process's warm-up (``_init_worker``).
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor


def _child(folder: str, start: int, end: int) -> None:
    """Process pages [start, end) of ``folder`` in this process; print the CPU seconds it took."""
    from cleaner import pipeline
    from cleaner.config import Config
    from cleaner.sources import discover

    config = Config(workers=2)
    items = list(itertools.islice(discover([folder]), end))[start:end]
    began = time.process_time()
    pipeline._init_worker(config)
    for item in items:
        pipeline.process(item, config)
    print(time.process_time() - began)


def _chain(folder: str, pages: int, life: int) -> float:
    """CPU seconds of pages [0, pages) of ``folder`` done by child processes of ``life`` pages each, in turn."""
    total = 0.0
    for start in range(0, pages, life):
        cmd = [sys.executable, __file__, "--child", folder, str(start), str(min(pages, start + life))]
        total += float(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()[-1])
    return total


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", help="folder of input pages")
    parser.add_argument("--pages", type=int, default=30000)
    parser.add_argument("--life", type=int, default=2000, help="pages per fresh process (default 2000)")
    args = parser.parse_args()
    lives = {"one process": args.pages, f"a fresh process every {args.life} pages": args.life}
    with ThreadPoolExecutor(len(lives)) as pool:  # both chains at once: the same machine conditions
        cpu_of = {name: pool.submit(_chain, args.folder, args.pages, life) for name, life in lives.items()}
    for name, done in cpu_of.items():
        cpu = done.result()
        print(f"{name}: {cpu:.1f} CPU s for {args.pages} pages = {cpu / args.pages * 1000:.2f} ms a page")


if __name__ == "__main__":
    main()
