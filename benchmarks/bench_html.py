"""AEB HTML mode: ``cleaner run`` on the 181 raw pages against bare ``trafilatura.extract``, quality and speed.

Bare trafilatura is the bar: the CLI wraps it (decoding, extraction, cleaning, rejection), so it should score
at least as well and not be much slower. Rows:

- ``extract(html)``: the library's defaults, which keep comment sections (``include_comments=True``);
- ``AEB runner``: ``include_comments=False``, how the benchmark's ``run_trafilatura.py`` calls it, so these
  are the rows comparable with published tables (2.3.1: F1 0.960, favor_precision 0.964);
- each also with ``favor_precision=True``.

Throughput, made fair and robust on a small shared machine:

- both sides run as fresh processes and pay interpreter start-up and imports: ``cleaner run --workers N`` and
  ``traf_pool.py`` (each trafilatura row through a ``multiprocessing.Pool(N)`` whose workers read and decode the
  same ``<id>.html`` files); both are also timed on a single page, so a second ratio takes that fixed cost off
  both sides alike;
- wall time and the CPU time of the whole process tree (``RUSAGE_CHILDREN``: the process and all its workers)
  are both reported; CPU time moves far less than wall time when other jobs share the machine;
- timing rounds are interleaved (``--repeat``: every row once per round, in a rotated order), and each figure
  is the median over rounds.

    python benchmarks/bench_html.py --data ../shared/bench/aeb [--workers 2] [--repeat 3] [--dedup]
           [--worst 10] [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import aeb_metric as m  # noqa: E402
from bench_text import default_cleaner, page_json, prepare_out, run_cleaner, summary  # noqa: E402

VARIANTS: dict[str, dict] = {
    "extract(html)": {},
    "extract(html, favor_precision)": {"favor_precision": True},
    "AEB runner (include_comments=False)": {"include_comments": False},
    "AEB runner + favor_precision": {"include_comments": False, "favor_precision": True},
}


TRAF_POOL = Path(__file__).resolve().parent / "traf_pool.py"


def _children_cpu() -> float:
    """CPU seconds (user + system) of all reaped child processes and their descendants so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_trafilatura(files: list[Path], kwargs: dict, workers: int, tmp: Path) -> tuple[float, float, list[str]]:
    """Wall time, CPU time of the process tree and outputs of bare ``trafilatura.extract`` in a fresh process."""
    listing, out = tmp / "traf-files.txt", tmp / "traf-out.json"
    listing.write_text("\n".join(str(f) for f in files), encoding="utf-8")
    cmd = [sys.executable, str(TRAF_POOL), "--list", str(listing), "--out", str(out)]
    cmd += ["--workers", str(workers), "--kwargs", json.dumps(kwargs)]
    c0, t0 = _children_cpu(), time.perf_counter()
    subprocess.run(cmd, check=True)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - c0
    return wall, cpu, json.loads(out.read_text("utf-8"))


def timed_cleaner(*args, **kwargs):  # type: ignore[no-untyped-def]
    """``run_cleaner`` plus the CPU time of the ``cleaner`` process and its workers."""
    c0 = _children_cpu()
    run = run_cleaner(*args, **kwargs)
    return run, _children_cpu() - c0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="AEB HTML mode: cleaner vs bare trafilatura, quality and speed.")
    ap.add_argument("--data", type=Path, required=True, help="AEB folder (ground-truth.json, html/)")
    ap.add_argument("--cleaner", help="cleaner command (default: the one next to sys.executable, else PATH)")
    ap.add_argument("--cleaner-args", default="", help="extra arguments for `cleaner run`, one shell string")
    ap.add_argument("--no-cleaner", action="store_true", help="only the bare trafilatura rows")
    ap.add_argument("--dedup", action="store_true", help="also time (and score) `cleaner run` with grouping on")
    ap.add_argument("--workers", type=int, default=2, help="worker processes for both (default 2)")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="timing rounds, interleaved; each figure is the median over rounds (default 1)",
    )
    ap.add_argument("--keep-out", type=Path, help="keep cleaner output in DIR/html/ for inspection")
    ap.add_argument(
        "--worst", type=int, default=0, metavar="N", help="list the N lowest-F1 pages for cleaner"
    )
    ap.add_argument("--json", type=Path, help="save the figures (and cleaner's per-page scores) to this file")
    args = ap.parse_args(argv)

    truth = m.load_truth(args.data)
    groups = m.subsets(truth)
    ids = list(truth)
    n = len(ids)
    rows: list[tuple[str, str, dict]] = []
    report: dict = {"data": str(args.data), "workers": args.workers, "repeat": args.repeat, "rows": {}}
    notes: list[str] = []
    worst = ""
    with tempfile.TemporaryDirectory(prefix="aeb-html-") as tmpname:
        tmp = Path(tmpname)
        htmldir = tmp / "html"
        htmldir.mkdir()
        files = []
        for k in ids:
            f = htmldir / f"{k}.html"
            f.write_bytes(gzip.decompress((args.data / "html" / f"{k}.html.gz").read_bytes()))
            files.append(f)
        one = tmp / "one"
        one.mkdir()
        (one / files[0].name).write_bytes(files[0].read_bytes())

        # fail on a bad --keep-out or missing cleaner before the slow trafilatura runs
        outdir = None if args.no_cleaner else prepare_out(args.keep_out, "html", tmp)
        cleaner = (
            [] if args.no_cleaner else shlex.split(args.cleaner) if args.cleaner else [default_cleaner()]
        )
        extra = [*shlex.split(args.cleaner_args), "--workers", str(args.workers)]
        cleaner_rows = {} if args.no_cleaner else {"cleaner": False, **({"cleaner (dedup)": True} if args.dedup else {})}

        # every timed row: a function of the round number giving (wall s, CPU s); the full runs keep outputs
        outs: dict[str, list[str]] = {}
        runs: dict[str, object] = {}

        def traf_row(label: str, kwargs: dict, pages: list[Path]):  # type: ignore[no-untyped-def]
            def go(r: int) -> tuple[float, float]:
                wall, cpu, out = run_trafilatura(pages, kwargs, args.workers, tmp)
                if len(pages) == n:
                    outs.setdefault(label, out)
                return wall, cpu

            return go

        def cleaner_row(label: str, dedup: bool, full: bool):  # type: ignore[no-untyped-def]
            def go(r: int) -> tuple[float, float]:
                name = label.replace(" ", "-").replace("(", "").replace(")", "")
                if full:  # the first run is scored (and kept); further ones only count for timing
                    out = outdir if r == 0 and not dedup else tmp / f"out-{name}-{r}"
                    this, cpu = timed_cleaner(cleaner, htmldir, out, set(ids), extra, dedup=dedup)
                    runs.setdefault(label, this)
                else:
                    this, cpu = timed_cleaner(cleaner, one, tmp / f"one-{name}-{r}", {ids[0]}, extra, dedup=dedup)
                return this.seconds, cpu

            return go

        timed: dict[str, object] = {}
        for label, kwargs in VARIANTS.items():
            timed[label] = traf_row(label, kwargs, files)
            timed[f"{label}, one page"] = traf_row(label, kwargs, files[:1])
        for label, dedup in cleaner_rows.items():
            timed[label] = cleaner_row(label, dedup, True)
            timed[f"{label}, one page"] = cleaner_row(label, dedup, False)
        walls: dict[str, list[float]] = {k: [] for k in timed}
        cpus: dict[str, list[float]] = {k: [] for k in timed}
        order = list(timed)
        for r in range(max(1, args.repeat)):
            # interleaved rounds in a rotated order: a load spike from another job hits all rows alike, and
            # no row always runs first (cold caches) or right after a heavy one
            shift = (r * len(order)) // max(1, args.repeat)
            for label in order[shift:] + order[:shift]:
                wall, cpu = timed[label](r)  # type: ignore[operator]
                walls[label].append(wall)
                cpus[label].append(cpu)
        wall = {k: statistics.median(v) for k, v in walls.items()}
        cpu = {k: statistics.median(v) for k, v in cpus.items()}
        report["seconds"], report["cpu_seconds"] = wall, cpu
        report["rounds"] = {k: {"wall": walls[k], "cpu": cpus[k]} for k in timed}

        import trafilatura

        for label in VARIANTS:
            res = m.evaluate_subsets(truth, dict(zip(ids, outs[label], strict=True)), groups)
            rows.append((f"trafilatura {trafilatura.__version__}", label, res))
            report["rows"][label] = res
        for label in cleaner_rows:
            run = runs[label]
            run.seconds = wall[label]  # type: ignore[attr-defined]
            res = m.evaluate_subsets(truth, run.texts, groups)  # type: ignore[attr-defined]
            rows.append(("cleaner", f"{label.replace('cleaner', 'cleaner run')}", res))
            notes.append(summary(label, run, n))  # type: ignore[arg-type]
            report["rows"][label] = res
            if label == "cleaner":
                report["cleaner"] = shlex.join([*cleaner, "run", "...", "--no-dedup", *extra])
                report["rejected"] = dict(Counter(run.rejected.values()))  # type: ignore[attr-defined]
                report["pages"] = page_json(truth, run.texts, run)  # type: ignore[arg-type]
                if args.worst:
                    langs = m.page_languages(truth)
                    worst = f"\n### {args.worst} worst pages, HTML → cleaner\n\n" + m.worst_pages(
                        truth, run.texts, args.worst, langs, run.note  # type: ignore[attr-defined]
                    )

    print("## AEB HTML mode (F1/P/R: all pages, English, non-English)\n")
    print(m.markdown_table(rows, groups))
    if notes:
        print("\n" + "\n".join(notes))
    rounds = max(1, args.repeat)
    print(f"\n## Throughput, {n} pages, {args.workers} worker processes, median of {rounds} interleaved rounds\n")
    print("Every row is a fresh process tree (start-up and imports included); CPU s is the whole tree's.\n")
    print("| run | wall s | pages/s | CPU s | one page: wall s | one page: CPU s |")
    print("|---|---|---|---|---|---|")
    for label in [*VARIANTS, *cleaner_rows]:
        name = label if label in cleaner_rows else f"trafilatura {label}"
        print(
            f"| {name} | {wall[label]:.2f} | {n / wall[label]:.1f} | {cpu[label]:.2f} | "
            f"{wall[label + ', one page']:.2f} | {cpu[label + ', one page']:.2f} |"
        )
    report["pages_per_s"] = {label: n / wall[label] for label in [*VARIANTS, *cleaner_rows]}
    report["ratios"] = {}
    if cleaner_rows:
        print(
            "\nThroughput ratios, cleaner ÷ trafilatura (above 1: cleaner is faster); "
            "\"without start-up\" takes each side's one-page time off its run.\n"
        )
        print("| cleaner | trafilatura | wall | CPU | wall, without start-up | CPU, without start-up |")
        print("|---|---|---|---|---|---|")
        for c in cleaner_rows:
            for t in VARIANTS:
                ratios = {
                    "wall": wall[t] / wall[c],
                    "cpu": cpu[t] / cpu[c],
                    "wall_warm": _warm(wall, t) / _warm(wall, c),
                    "cpu_warm": _warm(cpu, t) / _warm(cpu, c),
                }
                report["ratios"][f"{c} / {t}"] = ratios
                print(
                    f"| {c} | {t} | {ratios['wall']:.2f} | {ratios['cpu']:.2f} | "
                    f"{ratios['wall_warm']:.2f} | {ratios['cpu_warm']:.2f} |"
                )
    if worst:
        print(worst)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


def _warm(seconds: dict[str, float], label: str) -> float:
    """A run's time less its one-page time (the fixed cost: start-up, imports, warm-up); never below 1 ms."""
    return max(seconds[label] - seconds[f"{label}, one page"], 1e-3)


if __name__ == "__main__":
    sys.exit(main())
