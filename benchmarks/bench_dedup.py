"""End-to-end near-duplicate benchmark: build a corpus, run `cleaner run` and a raw-text MinHash baseline on
it in the same run, and score both against the generator's truth.

Why a baseline in the same run: the corpus is built to defeat grouping on raw page text (copies in different
chrome, different stories in the same chrome); the baseline shows how much of the cleaner's score comes from
cleaning before hashing, on exactly the same docs.

Usage (from the repo root):
  python benchmarks/bench_dedup.py --data ../shared/bench/aeb [--corpus DIR] [--json FILE] [-- cleaner args]
Arguments the script does not know (e.g. --threshold 0.7) are passed on to `cleaner run`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedup_corpus import corpus_stats, generate  # noqa: E402
from dedup_eval import evaluate_dir  # noqa: E402

TARGETS = {"pair_f1": 0.98, "ari": 0.98, "canonical_accuracy": 0.95}


def find_cleaner(explicit: str | None) -> str | None:
    """The `cleaner` next to this interpreter (the project's venv) first, then PATH."""
    if explicit:
        return explicit
    here = Path(sys.executable).parent / ("cleaner.exe" if os.name == "nt" else "cleaner")
    return str(here) if here.exists() else shutil.which("cleaner")


def raw_minhash(input_dir: Path, out_dir: Path, threshold: float = 0.8, num_perm: int = 128) -> None:
    """What a naive user writes: datasketch MinHash of word 5-shingles of the raw file, LSH at 0.8, groups as
    connected components of the query results, canonical = first file name. Output in cleaner's format."""
    from datasketch import MinHash, MinHashLSH

    names = sorted(p.name for p in input_dir.iterdir() if p.is_file())
    texts = {n: (input_dir / n).read_text(encoding="utf-8", errors="replace") for n in names}
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sigs = {}
    for n in names:
        words = texts[n].split()
        shingles = {" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))}
        m = MinHash(num_perm=num_perm)
        m.update_batch([s.encode("utf-8") for s in shingles])
        sigs[n] = m
        lsh.insert(n, m)
    parent = {n: n for n in names}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for n in names:
        for other in lsh.query(sigs[n]):
            a, b = find(n), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for n in names:
        groups.setdefault(find(n), []).append(n)
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "articles.jsonl", "w", encoding="utf-8") as f:
        for members in sorted(groups.values()):
            head, rest = members[0], members[1:]
            f.write(json.dumps({"source": head, "duplicates": rest, "text": texts[head]}, ensure_ascii=False))
            f.write("\n")
    (out_dir / "rejected.jsonl").write_text("", encoding="utf-8")


def run_cleaner(exe: str, input_dir: Path, out_dir: Path, extra: list[str]) -> tuple[float, str | None]:
    """Run `cleaner run INPUT --out OUT [extra]`; return (seconds, error or None)."""
    cmd = [exe, "run", str(input_dir), "--out", str(out_dir), *extra]
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        return time.perf_counter() - t0, str(e)
    dt = time.perf_counter() - t0
    (out_dir.parent / f"{out_dir.name}.log").write_text(p.stdout + p.stderr, encoding="utf-8")
    if p.returncode != 0:
        tail = (p.stderr or p.stdout).strip().splitlines()[-5:]
        return dt, f"exit {p.returncode}: " + " | ".join(tail)
    return dt, None


def fmt_table(rows: list[dict]) -> str:
    head = "| method | pair P | pair R | pair F1 | ARI | canonical acc. | canonical strict | time (s) | targets |"
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r.get("error"):
            lines.append(
                f"| {r['method']} | – | – | – | – | – | – | {r['seconds']:.1f} | error: {r['error']} |"
            )
            continue
        met = all(r[k] >= v for k, v in TARGETS.items()) and r["accounting_ok"]
        lines.append(
            f"| {r['method']} | {r['pair_precision']:.3f} | {r['pair_recall']:.3f} | {r['pair_f1']:.3f} "
            f"| {r['ari']:.3f} | {r['canonical_accuracy']:.3f} | {r['canonical_accuracy_strict']:.3f} "
            f"| {r['seconds']:.1f} "
            f"| {'met' if met else 'not met'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", help="AEB folder; needed unless --corpus already holds a corpus")
    ap.add_argument("--corpus", help="corpus folder to reuse (or to create if it has no truth.json)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n-stories", type=int, default=None)
    ap.add_argument("--cleaner", help="path to the cleaner executable (default: next to python, else PATH)")
    ap.add_argument("--no-cleaner", action="store_true", help="run only the baseline")
    ap.add_argument(
        "--no-oracle",
        action="store_true",
        help="skip the reference row (the baseline run on the docs without chrome)",
    )
    ap.add_argument("--out", help="keep run outputs here (default: a temp dir, removed)")
    ap.add_argument("--json", help="save all figures to this file")
    a, extra = ap.parse_known_args(argv)
    if extra and extra[0] == "--":
        extra = extra[1:]

    tmp = tempfile.mkdtemp(prefix="bench-dedup-")
    try:
        corpus = Path(a.corpus) if a.corpus else Path(tmp) / "corpus"
        if not (corpus / "truth.json").exists():
            if not a.data:
                ap.error("--data is needed to build a corpus")
            generate(a.data, corpus, seed=a.seed, n_stories=a.n_stories)
        truth_path = corpus / "truth.json"
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        stats = corpus_stats(truth)
        print(
            f"corpus {corpus} (seed {truth.get('seed')}): {stats['docs']} docs, {stats['groups']} groups "
            f"({stats['multi_copy_groups']} multi-copy, {stats['singletons']} singletons), "
            f"{stats['true_pairs']} true pairs, {stats['cross_story_same_chrome_pairs']} cross-story "
            f"same-chrome pairs\n",
            flush=True,
        )
        runs = Path(a.out) if a.out else Path(tmp) / "runs"
        runs.mkdir(parents=True, exist_ok=True)
        rows: list[dict] = []

        if not a.no_cleaner:
            exe = find_cleaner(a.cleaner)
            out = runs / "cleaner"
            if out.exists():
                shutil.rmtree(out)
            if exe is None:
                rows.append({"method": "cleaner", "seconds": 0.0, "error": "no cleaner executable found"})
            else:
                dt, err = run_cleaner(exe, corpus / "input", out, extra)
                name = "cleaner " + " ".join(extra) if extra else "cleaner"
                row = {"method": name.strip(), "seconds": round(dt, 2)}
                if err:
                    row["error"] = err
                else:
                    row.update(evaluate_dir(truth_path, out))
                rows.append(row)

        out = runs / "raw-minhash"
        t0 = time.perf_counter()
        raw_minhash(corpus / "input", out)
        dt = time.perf_counter() - t0
        rows.append(
            {
                "method": "raw-text MinHash (5-shingles, LSH 0.8)",
                "seconds": round(dt, 2),
                **evaluate_dir(truth_path, out),
            }
        )

        if not a.no_oracle and (corpus / "bodies").is_dir():
            out = runs / "oracle-minhash"
            t0 = time.perf_counter()
            raw_minhash(corpus / "bodies", out)
            dt = time.perf_counter() - t0
            rows.append(
                {
                    "method": "reference: same MinHash on chrome-free bodies",
                    "seconds": round(dt, 2),
                    **evaluate_dir(truth_path, out),
                }
            )

        print(fmt_table(rows))
        print(
            f"\ntargets: pair F1 >= {TARGETS['pair_f1']}, ARI >= {TARGETS['ari']}, canonical accuracy >= "
            f"{TARGETS['canonical_accuracy']}, and every input doc accounted for once"
        )
        for r in rows:
            if r.get("error"):
                continue
            print(
                f"\n{r['method']}: recall by variant kind {r['recall_by_kind']}; same-chrome cross-story "
                f"pairs merged {r['same_chrome_cross_story_merged']}/{r['same_chrome_cross_story_pairs']}; "
                f"wrong canonicals {r['canonical_wrong'] or '{}'}; rejected {r['rejected']}"
                + ("" if r["accounting_ok"] else f"; ACCOUNTING VIOLATIONS {r['violations']}")
            )
        if a.json:
            Path(a.json).write_text(
                json.dumps(
                    {
                        "corpus": str(corpus),
                        "stats": stats,
                        "targets": TARGETS,
                        "cleaner_args": extra,
                        "results": rows,
                    },
                    indent=1,
                )
                + "\n",
                encoding="utf-8",
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
