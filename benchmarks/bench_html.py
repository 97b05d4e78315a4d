"""AEB HTML mode: ``cleaner run`` on the 181 raw pages against bare ``trafilatura.extract``, quality and speed.

Bare trafilatura is the bar: the CLI wraps it (decoding, extraction, cleaning, rejection), so it should score
at least as well and not be much slower. Rows:

- ``extract(html)``: the library's defaults, which keep comment sections (``include_comments=True``);
- ``AEB runner``: ``include_comments=False``, how the benchmark's ``run_trafilatura.py`` calls it, so these
  are the rows comparable with published tables (2.3.1: F1 0.960, favor_precision 0.964);
- each also with ``favor_precision=True``.

Throughput: wall time of ``cleaner run --workers N`` against each trafilatura row run through a
``multiprocessing.Pool(N)`` whose workers read the same ``<id>.html`` files. ``cleaner``'s wall time also pays
interpreter start-up and imports, so it is also timed on a single page and the report gives the ratio both
raw and with that fixed cost taken off. Timing rounds are interleaved (``--repeat``: every row once per round,
the fastest round of each row counts), and the CPU time of all processes is reported too: on a shared machine
it moves far less than wall time, so "trafilatura CPU ÷ cleaner CPU" is the steadier ratio.

    python benchmarks/bench_html.py --data ../shared/bench/aeb [--workers 2] [--worst 10] [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import shlex
import sys
import tempfile
import time
from collections import Counter
from multiprocessing import Pool
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


def _extract(job: tuple[str, dict]) -> str:
    """Pool task: read and decode the page in the worker, as ``cleaner`` has to, then extract."""
    import trafilatura

    path, kwargs = job
    return trafilatura.extract(Path(path).read_bytes().decode("utf-8"), **kwargs) or ""


def _children_cpu() -> float:
    """CPU seconds (user + system) of all reaped child processes and their descendants so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_trafilatura(files: list[Path], kwargs: dict, workers: int) -> tuple[float, float, list[str]]:
    """Wall time (pool start-up included), the workers' CPU time and outputs of bare ``trafilatura.extract``."""
    t0, c0 = time.perf_counter(), _children_cpu()
    with Pool(workers) as pool:
        out = pool.map(_extract, [(str(p), kwargs) for p in files], chunksize=1)
    # leaving the block terminates and joins the workers, so their CPU time is counted
    return time.perf_counter() - t0, _children_cpu() - c0, out


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
    ap.add_argument("--workers", type=int, default=2, help="worker processes for both (default 2)")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="timing rounds, interleaved; the fastest of each row counts (default 1)",
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
    speed: list[tuple[str, float]] = []
    report: dict = {"data": str(args.data), "workers": args.workers, "rows": {}, "seconds": {}}
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

        # fail on a bad --keep-out or missing cleaner before the slow trafilatura runs
        outdir = None if args.no_cleaner else prepare_out(args.keep_out, "html", tmp)
        cleaner = (
            [] if args.no_cleaner else shlex.split(args.cleaner) if args.cleaner else [default_cleaner()]
        )

        import trafilatura

        # Timing rounds are interleaved (every row once per round, the fastest round counts): a load
        # spike from another process then hits all rows alike instead of one row's repeats.
        wall: dict[str, float] = {}
        cpu: dict[str, float] = {}
        outs: dict[str, list[str]] = {}
        extra = [*shlex.split(args.cleaner_args), "--workers", str(args.workers)]
        one = tmp / "one"
        one.mkdir()
        (one / files[0].name).write_bytes(files[0].read_bytes())
        run = None
        for r in range(max(1, args.repeat)):
            for label, kwargs in VARIANTS.items():
                sec, cpusec, out = run_trafilatura(files, kwargs, args.workers)
                outs.setdefault(label, out)
                wall[label] = min(wall.get(label, float("inf")), sec)
                cpu[label] = min(cpu.get(label, float("inf")), cpusec)
            if cleaner:
                # the first run is scored (and kept); further ones only count for timing
                assert outdir is not None
                this, cpusec = timed_cleaner(
                    cleaner, htmldir, outdir if r == 0 else tmp / f"out-html-{r}", set(ids), extra
                )
                run = run or this
                wall["cleaner"] = min(wall.get("cleaner", float("inf")), this.seconds)
                cpu["cleaner"] = min(cpu.get("cleaner", float("inf")), cpusec)
                first, cpusec = timed_cleaner(cleaner, one, tmp / f"out-one-{r}", {ids[0]}, extra)
                wall["cleaner one page"] = min(wall.get("cleaner one page", float("inf")), first.seconds)
                cpu["cleaner one page"] = min(cpu.get("cleaner one page", float("inf")), cpusec)
        for label in VARIANTS:
            res = m.evaluate_subsets(truth, dict(zip(ids, outs[label], strict=True)), groups)
            rows.append((f"trafilatura {trafilatura.__version__}", label, res))
            speed.append((label, wall[label]))
            report["rows"][label] = res
            report["seconds"][label] = wall[label]
        report["cpu_seconds"] = cpu

        if not args.no_cleaner:
            assert run is not None
            report["cleaner"] = shlex.join([*cleaner, "run", "...", *extra])
            run.seconds = wall["cleaner"]
            startup = wall["cleaner one page"]
            res = m.evaluate_subsets(truth, run.texts, groups)
            rows.append(("cleaner", "cleaner run", res))
            notes.append(summary("cleaner", run, n))
            report["rows"]["cleaner"] = res
            report["seconds"]["cleaner"] = run.seconds
            report["seconds"]["cleaner one page"] = startup
            report["rejected"] = dict(Counter(run.rejected.values()))
            report["pages"] = page_json(truth, run.texts, run)
            if args.worst:
                langs = m.page_languages(truth)
                worst = f"\n### {args.worst} worst pages, HTML → cleaner\n\n" + m.worst_pages(
                    truth, run.texts, args.worst, langs, run.note
                )

    print("## AEB HTML mode (F1/P/R: all pages, English, non-English)\n")
    print(m.markdown_table(rows, groups))
    if notes:
        print("\n" + "\n".join(notes))
    print(f"\n## Throughput, {n} pages, {args.workers} worker processes\n")
    if "cleaner" in report["seconds"]:
        c, c1 = report["seconds"]["cleaner"], report["seconds"]["cleaner one page"]
        warm = (n - 1) / (c - c1) if c > c1 else float("nan")
        print(
            f"cleaner run: {c:.2f} s wall, {n / c:.1f} pages/s; one page takes {c1:.2f} s (start-up), "
            f"so {warm:.1f} pages/s without it\n"
        )
        cc = cpu["cleaner"]
        print(f"cleaner run: {cc:.2f} CPU s (all processes), one page {cpu['cleaner one page']:.2f} CPU s\n")
        print(
            "| trafilatura | s | pages/s | cleaner ÷ trafilatura (raw) | (without start-up) | CPU s | "
            "trafilatura CPU ÷ cleaner CPU |"
        )
        print("|---|---|---|---|---|---|---|")
        for label, sec in speed:
            print(
                f"| {label} | {sec:.2f} | {n / sec:.1f} | {(n / c) / (n / sec):.2f} | {warm / (n / sec):.2f} | "
                f"{cpu[label]:.2f} | {cpu[label] / cc:.2f} |"
            )
        report["pages_per_s"] = {"cleaner": n / c, "cleaner without start-up": warm}
    else:
        print("| trafilatura | s | pages/s |\n|---|---|---|")
        for label, sec in speed:
            print(f"| {label} | {sec:.2f} | {n / sec:.1f} |")
        report["pages_per_s"] = {}
    report["pages_per_s"].update({label: n / sec for label, sec in speed})
    if worst:
        print(worst)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
