"""Where a ``cleaner run`` spends its time: the main process's clock and CPU around each serial pass.

The passes after the workers' phase (rescue, the cross-document chrome pass, grouping) run in the
main process while the workers wait, so they bound the speed-up that more workers can give.

    python benchmarks/bench_phases.py [--profile DIR] -- run INPUT --out OUT --workers 2 -q

Everything after ``--`` goes to the ``cleaner`` command line. ``--profile DIR`` also writes a cProfile
of each pass (``DIR/<pass>.prof``; the workers are not profiled).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cleaner import chrome, cli, dedup, rescue

PASSES = {"rescue": (rescue, "restore"), "chrome": (chrome, "remove_chrome"), "group": (dedup, "group")}


def _timed(label: str, f: Callable[..., Any], totals: dict[str, list[float]], profile: Path | None) -> Callable[..., Any]:
    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        prof = cProfile.Profile() if profile else None
        if prof:
            prof.enable()
        try:
            return f(*args, **kwargs)
        finally:
            if prof and profile:
                prof.disable()
                prof.dump_stats(profile / f"{label}.prof")
            t = totals.setdefault(label, [0.0, 0.0])
            t[0] += time.perf_counter() - wall
            t[1] += time.process_time() - cpu

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
    for label, (module, name) in PASSES.items():  # pipeline calls them through their modules
        setattr(module, name, _timed(label, getattr(module, name), totals, args.profile))
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        cli.main.main(argv[split + 1 :], standalone_mode=False)
    finally:
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        passes = sum(t[0] for t in totals.values())
        print(f"whole run: {wall:.1f} s wall, main process {cpu:.1f} CPU s", file=sys.stderr)
        for label, (w, c) in totals.items():
            print(f"  {label:7s} {w:6.1f} s wall  {c:6.1f} CPU s (main process)", file=sys.stderr)
        print(f"  serial passes together: {passes:.1f} s, {passes / max(wall, 1e-9):.0%} of the wall time", file=sys.stderr)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  main process peak RSS {peak:.0f} MiB", file=sys.stderr)


if __name__ == "__main__":  # the workers' forkserver imports this module again: nothing may run then
    main()
