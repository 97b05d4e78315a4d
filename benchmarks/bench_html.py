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
raw and with that fixed cost taken off.

    python benchmarks/bench_html.py --data ../shared/bench/aeb [--workers 2] [--worst 10] [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
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


def run_trafilatura(files: list[Path], kwargs: dict, workers: int) -> tuple[float, list[str]]:
    """Wall time (pool start-up included) and outputs of bare ``trafilatura.extract`` over ``files``."""
    t0 = time.perf_counter()
    with Pool(workers) as pool:
        out = pool.map(_extract, [(str(p), kwargs) for p in files], chunksize=1)
    return time.perf_counter() - t0, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="AEB HTML mode: cleaner vs bare trafilatura, quality and speed.")
    ap.add_argument("--data", type=Path, required=True, help="AEB folder (ground-truth.json, html/)")
    ap.add_argument("--cleaner", help="cleaner command (default: the one next to sys.executable, else PATH)")
    ap.add_argument("--cleaner-args", default="", help="extra arguments for `cleaner run`, one shell string")
    ap.add_argument("--no-cleaner", action="store_true", help="only the bare trafilatura rows")
    ap.add_argument("--workers", type=int, default=2, help="worker processes for both (default 2)")
    ap.add_argument("--repeat", type=int, default=1, help="timing runs; the fastest counts (default 1)")
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

        for label, kwargs in VARIANTS.items():
            best = float("inf")
            for _ in range(max(1, args.repeat)):
                sec, out = run_trafilatura(files, kwargs, args.workers)
                best = min(best, sec)
            res = m.evaluate_subsets(truth, dict(zip(ids, out, strict=True)), groups)
            rows.append((f"trafilatura {trafilatura.__version__}", label, res))
            speed.append((label, best))
            report["rows"][label] = res
            report["seconds"][label] = best

        if not args.no_cleaner:
            extra = [*shlex.split(args.cleaner_args), "--workers", str(args.workers)]
            report["cleaner"] = shlex.join([*cleaner, "run", "...", *extra])
            one = tmp / "one"
            one.mkdir()
            (one / files[0].name).write_bytes(files[0].read_bytes())
            startup = min(
                run_cleaner(cleaner, one, tmp / f"out-one-{i}", {ids[0]}, extra).seconds
                for i in range(max(1, args.repeat))
            )
            # the first run is scored (and kept); any further ones only count for timing
            assert outdir is not None
            run = run_cleaner(cleaner, htmldir, outdir, set(ids), extra)
            for i in range(1, max(1, args.repeat)):
                again = run_cleaner(cleaner, htmldir, tmp / f"out-html-{i}", set(ids), extra)
                run.seconds = min(run.seconds, again.seconds)
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
        print("| trafilatura | s | pages/s | cleaner ÷ trafilatura (raw) | (without start-up) |")
        print("|---|---|---|---|---|")
        for label, sec in speed:
            print(
                f"| {label} | {sec:.2f} | {n / sec:.1f} | {(n / c) / (n / sec):.2f} | {warm / (n / sec):.2f} |"
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
