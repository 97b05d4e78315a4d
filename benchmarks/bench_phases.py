"""Where a ``cleaner run`` spends its time: the main process's clock and CPU around each serial pass.

The passes after the workers' phase (rescue, the cross-document chrome pass, grouping, then writing
the articles and publishing the text files) run in the main process while the workers wait, so they
bound the speed-up that more workers can give.

    python benchmarks/bench_phases.py [--profile DIR] -- run INPUT --out OUT --workers 2 -q

Everything after ``--`` goes to the ``cleaner`` command line. ``--profile DIR`` also writes a cProfile
of each pass (``DIR/<pass>.prof``; the workers are not profiled).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cleaner import chrome, cli, dedup, rescue, write

PASSES = {
    "rescue": (rescue, "restore"),
    "chrome": (chrome, "remove_chrome"),
    "group": (dedup, "group"),
    # writing the articles (sorted, after grouping) and publishing the text files
    "write": (write.Writer, "article"),
    "commit": (write.Writer, "commit"),
}


class TreeCPU:
    """CPU seconds of this process and all its descendants (workers, the forkserver's workers) so
    far, from ``/proc`` (Linux; 0 elsewhere). Sampled every 0.2 s too, so a worker that has exited
    since still counts (up to its last 0.2 s)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[int, int], float] = {}
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.lock = threading.Lock()
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self) -> None:
        while True:
            self.now()
            time.sleep(0.2)

    def now(self) -> float:
        with self.lock:
            stack = [os.getpid()]
            while stack:
                p = stack.pop()
                try:
                    with open(f"/proc/{p}/stat") as fh:
                        fields = fh.read().rsplit(")", 1)[1].split()
                    self.seen[(p, int(fields[19]))] = (int(fields[11]) + int(fields[12])) / self.tick
                    for task in os.listdir(f"/proc/{p}/task"):
                        with open(f"/proc/{p}/task/{task}/children") as fh:
                            stack.extend(int(c) for c in fh.read().split())
                except (OSError, ValueError, IndexError):
                    continue
            return sum(self.seen.values())


def _timed(
    label: str,
    f: Callable[..., Any],
    totals: dict[str, list[float]],
    profile: Path | None,
    tree: TreeCPU | None = None,
) -> Callable[..., Any]:
    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        before = tree.now() if tree else 0.0
        t = totals.setdefault(label, [0.0, 0.0, 0.0, wall, wall])
        prof = cProfile.Profile() if profile else None
        if prof:
            prof.enable()
        try:
            return f(*args, **kwargs)
        finally:
            if prof and profile:
                prof.disable()
                prof.dump_stats(profile / f"{label}.prof")
            t[0] += time.perf_counter() - wall
            t[1] += time.process_time() - cpu
            t[2] += tree.now() - before if tree else 0.0
            t[4] = time.perf_counter()

    return wrapper


def main() -> None:
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", type=Path, help="write a cProfile of each pass here")
    args = parser.parse_args(argv[:split])
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    totals: dict[str, list[float]] = {}
    tree = TreeCPU()
    for label, (module, name) in PASSES.items():  # pipeline calls them through their modules
        # one call per article: timed, not profiled (a profile file per call), nor its tree's CPU
        per_article = label == "write"
        profile = None if per_article else args.profile
        setattr(module, name, _timed(label, getattr(module, name), totals, profile, None if per_article else tree))
    start, cpu, tree_start = time.perf_counter(), time.process_time(), tree.now()
    try:
        cli.main.main(argv[split + 1 :], standalone_mode=False)
    finally:
        wall, cpu, tree_cpu = time.perf_counter() - start, time.process_time() - cpu, tree.now() - tree_start
        passes = sum(t[0] for label, t in totals.items() if label in ("rescue", "chrome", "group"))
        print(
            f"whole run: {wall:.1f} s wall, main process {cpu:.1f} CPU s, all processes {tree_cpu:.1f} CPU s "
            f"({tree_cpu / max(wall, 1e-9):.2f} cores busy)",
            file=sys.stderr,
        )
        first = min((t[3] for t in totals.values()), default=start + wall)
        print(f"  before the passes (workers' phase): {first - start:6.1f} s wall", file=sys.stderr)
        for label, (w, c, tc, _, _) in totals.items():
            busy = f"  all processes {tc:6.1f} CPU s ({tc / max(w, 1e-9):.2f} cores busy)" if tc else ""
            print(f"  {label:7s} {w:6.1f} s wall  {c:6.1f} CPU s (main process){busy}", file=sys.stderr)
        if "write" in totals:
            last = max(t[4] for t in totals.values())
            print(f"  from the first article written to the end: {last - totals['write'][3]:6.1f} s wall", file=sys.stderr)
        print(f"  serial passes together: {passes:.1f} s, {passes / max(wall, 1e-9):.0%} of the wall time", file=sys.stderr)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  main process peak RSS {peak:.0f} MiB", file=sys.stderr)


if __name__ == "__main__":  # the workers' forkserver imports this module again: nothing may run then
    main()
