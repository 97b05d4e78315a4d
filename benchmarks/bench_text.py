"""AEB plain-text mode: score ``cleaner run`` on scraped text against the benchmark's ground truth.

Two inputs, each written as ``<id>.txt`` files into a temp dir and cleaned through the real CLI (so the
figures cover decoding, rejection and the output contract, not just an inner function):

- ``page-text``: the whole visible text of each page (menus, footers, cookie notices...), the hard case;
- ``trafilatura``: trafilatura 2.0.0's extraction with its residue (app promos, "READ MORE", bylines...),
  the shape of the project's seed articles.

Rejected pages count as empty predictions (they cost recall only, see ``aeb_metric``). Each input also gets
its "as is" row, the score of handing the text through untouched, which ``cleaner`` must beat.

    python benchmarks/bench_text.py --data ../shared/bench/aeb [--worst 10] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePath

sys.path.insert(0, str(Path(__file__).resolve().parent))

import aeb_metric as m  # noqa: E402

INPUTS = {"page-text": "page-text", "trafilatura": "trafilatura-2.0.0-output"}
KEEP_MARKER = ".aeb-bench-out"


def default_cleaner() -> str:
    """The ``cleaner`` installed next to this interpreter (the venv's), else the one on PATH."""
    here = Path(sys.executable).parent / "cleaner"
    if here.exists():
        return str(here)
    found = shutil.which("cleaner")
    if not found:
        raise SystemExit("no `cleaner` executable found next to sys.executable or on PATH; use --cleaner")
    return found


@dataclass
class CleanerRun:
    """What one ``cleaner run`` produced, keyed by AEB page id."""

    seconds: float
    texts: dict[str, str]
    rejected: dict[str, str]
    missing: list[str]
    warnings: list[str] = field(default_factory=list)

    def note(self, page_id: str) -> str:
        if page_id in self.rejected:
            return f"rejected: {self.rejected[page_id]}"
        return "missing from output" if page_id in self.missing else ""


def _page_id(source: str, ids: set[str]) -> str | None:
    """``source`` is the path relative to the input dir ("<id>.txt"); tolerate a leading dir or extra suffix."""
    name = PurePath(source).name
    stem = name.split(".", 1)[0]
    return stem if stem in ids else None


def _read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def run_cleaner(
    cleaner: list[str],
    indir: Path,
    outdir: Path,
    ids: set[str],
    extra: list[str] | None = None,
    dedup: bool = False,
) -> CleanerRun:
    """Run the CLI on ``indir`` and collect articles/rejections; a page in neither counts as empty.

    ``--no-dedup`` unless ``dedup``: then a page grouped under another page's article counts as empty.
    """
    cmd = [*cleaner, "run", str(indir), "--out", str(outdir), *([] if dedup else ["--no-dedup"]), *(extra or [])]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"`{shlex.join(cmd)}` exited with {proc.returncode}")
    warnings: list[str] = []
    texts: dict[str, str] = {}
    for rec in _read_jsonl(outdir / "articles.jsonl"):
        pid = _page_id(str(rec.get("source", "")), ids)
        if pid is None:
            warnings.append(f"article with unknown source {rec.get('source')!r}")
            continue
        if pid in texts:  # one input should give one article; keep all text so nothing is hidden
            warnings.append(f"several articles for {pid}; joined")
            texts[pid] += "\n\n" + (rec.get("text") or "")
        else:
            texts[pid] = rec.get("text") or ""
    rejected: dict[str, str] = {}
    for rec in _read_jsonl(outdir / "rejected.jsonl"):
        pid = _page_id(str(rec.get("source", "")), ids)
        if pid is None:
            warnings.append(f"rejection with unknown source {rec.get('source')!r}")
        elif pid in texts:
            warnings.append(f"{pid} both written and rejected")
        else:
            rejected[pid] = str(rec.get("reason", "?"))
    missing = sorted(ids - texts.keys() - rejected.keys())
    if missing:
        warnings.append(f"{len(missing)} inputs neither in articles.jsonl nor rejected.jsonl")
    return CleanerRun(seconds, texts, rejected, missing, warnings)


def prepare_out(keep_out: Path | None, name: str, tmp: Path) -> Path:
    """Output dir for one input: in the temp dir, or ``keep_out/name`` (replaced only if we made it)."""
    if keep_out is None:
        return tmp / f"out-{name}"
    keep_out.mkdir(parents=True, exist_ok=True)
    marker = keep_out / KEEP_MARKER
    out = keep_out / name
    if out.exists():
        if not marker.exists():
            raise SystemExit(
                f"{out} exists and was not made by this script; remove it or pick another --keep-out"
            )
        shutil.rmtree(out)
    marker.touch()
    return out


def summary(name: str, run: CleanerRun, n: int) -> str:
    reasons = Counter(run.rejected.values())
    parts = [
        f"{name}: {len(run.texts)} articles, {len(run.rejected)} rejected"
        + (f" ({', '.join(f'{r}: {c}' for r, c in reasons.most_common())})" if reasons else ""),
        f"{len(run.missing)} missing",
        f"{run.seconds:.1f} s wall ({n / run.seconds:.1f} pages/s)",
    ]
    return "- " + "; ".join(parts) + "".join(f"\n  - warning: {w}" for w in run.warnings[:10])


def page_json(truth: dict[str, str], preds: dict[str, str], run: CleanerRun) -> dict[str, dict]:
    """Per-page figures in the JSON dump, so two runs can be diffed page by page."""
    out = {}
    for k, s in m.per_page(truth, preds).items():
        out[k] = {"f1": m.page_f1(s), "p": m.precision_score(*s), "r": m.recall_score(*s)}
        if run.note(k):
            out[k]["note"] = run.note(k)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="AEB plain-text mode for `cleaner run`.")
    ap.add_argument(
        "--data", type=Path, required=True, help="AEB folder (ground-truth.json, page-text.json, ...)"
    )
    ap.add_argument("--cleaner", help="cleaner command (default: the one next to sys.executable, else PATH)")
    ap.add_argument("--cleaner-args", default="", help="extra arguments for `cleaner run`, one shell string")
    ap.add_argument("--only", choices=sorted(INPUTS), help="run one input only")
    ap.add_argument("--keep-out", type=Path, help="keep cleaner outputs in DIR/<input>/ for inspection")
    ap.add_argument("--worst", type=int, default=0, metavar="N", help="list the N lowest-F1 pages per input")
    ap.add_argument("--json", type=Path, help="save the figures (and per-page scores) to this file")
    args = ap.parse_args(argv)

    cleaner = shlex.split(args.cleaner) if args.cleaner else [default_cleaner()]
    extra = shlex.split(args.cleaner_args)
    truth = m.load_truth(args.data)
    groups = m.subsets(truth)
    langs = m.page_languages(truth)
    ids = set(truth)
    names = [args.only] if args.only else list(INPUTS)

    rows: list[tuple[str, str, dict]] = []
    notes: list[str] = []
    worst: list[str] = []
    report: dict = {
        "data": str(args.data),
        "cleaner": shlex.join([*cleaner, "run", "...", *extra]),
        "inputs": {},
    }
    with tempfile.TemporaryDirectory(prefix="aeb-text-") as tmpname:
        tmp = Path(tmpname)
        for name in names:
            texts = m.load_texts(args.data, INPUTS[name])
            indir = tmp / f"in-{name}"
            indir.mkdir()
            for k in truth:
                (indir / f"{k}.txt").write_text(texts.get(k, ""), encoding="utf-8")
            outdir = prepare_out(args.keep_out, name, tmp)
            run = run_cleaner(cleaner, indir, outdir, ids, extra)
            as_is = m.evaluate_subsets(truth, texts, groups)
            cleaned = m.evaluate_subsets(truth, run.texts, groups)
            rows += [(name, "as is", as_is), (name, "cleaner", cleaned)]
            notes.append(summary(name, run, len(truth)))
            report["inputs"][name] = {
                "as is": as_is,
                "cleaner": cleaned,
                "seconds": run.seconds,
                "articles": len(run.texts),
                "rejected": dict(Counter(run.rejected.values())),
                "missing": run.missing,
                "pages": page_json(truth, run.texts, run),
            }
            if args.worst:
                as_is_f1 = {k: m.page_f1(s) for k, s in m.per_page(truth, texts).items()}

                def note(k: str, run: CleanerRun = run, as_is_f1: dict = as_is_f1) -> str:
                    return "; ".join(x for x in (f"as-is F1 {as_is_f1[k]:.3f}", run.note(k)) if x)

                worst.append(f"\n### {args.worst} worst pages, {name} → cleaner\n")
                worst.append(m.worst_pages(truth, run.texts, args.worst, langs, note))

    print("## AEB plain-text mode (F1/P/R: all pages, English, non-English)\n")
    print(m.markdown_table(rows, groups))
    print()
    print("\n".join(notes))
    if worst:
        print("\n".join(worst))
    if args.keep_out:
        print(f"\noutputs kept in {args.keep_out}/<input>/")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
