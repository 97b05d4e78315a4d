"""Score a `cleaner run` output folder against the truth written by dedup_corpus.py.

Why pairs and ARI both: pair P/R/F1 say which way the grouping errs (false merges vs missed copies); ARI is
the chance-corrected agreement of the two partitions, singletons included. Canonical accuracy checks the
other half of the job: that each group is represented by its complete, unedited copy.

Usage: python benchmarks/dedup_eval.py --truth CORPUS/truth.json OUT [--json FILE]
OUT holds articles.jsonl ({source, duplicates, text, ...}: one record per predicted group) and
rejected.jsonl ({source, reason}: a rejected doc counts as a singleton with no emitted article).
"""

from __future__ import annotations

import argparse
import json
import posixpath
import sys
from collections import Counter
from dataclasses import dataclass, field
from math import comb
from pathlib import Path


@dataclass
class Prediction:
    """A predicted partition of the input docs, its emitted canonicals, and what did not add up."""

    group_of: dict[str, int]  # source -> predicted group id
    canonical: dict[int, str]  # predicted group id -> source of the emitted article
    rejected: dict[str, str]  # source -> reason
    violations: dict[str, list[str]] = field(default_factory=dict)
    odd_sources: list[str] = field(default_factory=list)  # not input-relative as written, but mapped


def _norm_source(s: str, known: set[str], odd: list[str]) -> str:
    """Sources should be input-relative and '/'-separated; map ./x, backslashes or a path ending in a known
    name onto it (the score should not hinge on that), but note each such source in `odd`."""
    raw = str(s)
    if raw in known:
        return raw
    s2 = posixpath.normpath(raw.replace("\\", "/"))
    if s2 not in known:
        base = posixpath.basename(s2)
        if base not in known:
            return raw
        s2 = base
    odd.append(raw)
    return s2


def _read_jsonl(path: Path, bad: list[str]) -> list[dict]:
    if not path.exists():
        return []
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            bad.append(f"{path.name}:{n}: {e}")
    return rows


def load_prediction(out_dir: str | Path, known: set[str]) -> Prediction:
    """Read OUT/articles.jsonl and OUT/rejected.jsonl; a doc seen twice keeps its first placement."""
    out_dir = Path(out_dir)
    v: dict[str, list[str]] = {
        "missing": [],
        "duplicated": [],
        "unknown": [],
        "bad_lines": [],
        "not_jsonl": [],
    }
    if not (out_dir / "articles.jsonl").exists():
        v["not_jsonl"].append(str(out_dir / "articles.jsonl"))
    articles = _read_jsonl(out_dir / "articles.jsonl", v["bad_lines"])
    rejected_rows = _read_jsonl(out_dir / "rejected.jsonl", v["bad_lines"])
    group_of: dict[str, int] = {}
    canonical: dict[int, str] = {}
    rejected: dict[str, str] = {}
    odd: list[str] = []

    def place(src: str, gid: int) -> bool:
        if src not in known:
            v["unknown"].append(src)
            return False
        if src in group_of:
            v["duplicated"].append(src)
            return False
        group_of[src] = gid
        return True

    for gid, rec in enumerate(articles):
        src = _norm_source(rec.get("source", ""), known, odd)
        if place(src, gid):
            canonical[gid] = src
        for dup in rec.get("duplicates") or []:
            place(_norm_source(dup, known, odd), gid)
    next_id = len(articles)
    for rec in rejected_rows:
        src = _norm_source(rec.get("source", ""), known, odd)
        if place(src, next_id):
            rejected[src] = str(rec.get("reason", ""))
        next_id += 1
    for src in sorted(known - set(group_of)):  # never reported: count as a singleton, but flag it
        v["missing"].append(src)
        group_of[src] = next_id
        next_id += 1
    return Prediction(group_of, canonical, rejected, {k: x for k, x in v.items() if x}, odd)


def pair_counts(true_of: dict[str, int], pred_of: dict[str, int]) -> tuple[int, int, int, int]:
    """(pairs together in both, pairs together in truth, pairs together in prediction, all pairs)."""
    cont = Counter((true_of[d], pred_of[d]) for d in true_of)
    both = sum(comb(n, 2) for n in cont.values())
    t = sum(comb(n, 2) for n in Counter(true_of.values()).values())
    p = sum(comb(n, 2) for n in Counter(pred_of[d] for d in true_of).values())
    return both, t, p, comb(len(true_of), 2)


def ari(both: int, t: int, p: int, total: int) -> float:
    """Adjusted Rand index from pair counts (Hubert & Arabie); 1.0 when both partitions are trivial alike."""
    if total == 0:
        return 1.0
    expected = t * p / total
    top = (t + p) / 2
    if top == expected:
        return 1.0
    return (both - expected) / (top - expected)


def evaluate(truth: dict, pred: Prediction) -> dict:
    """All figures for one method: pair P/R/F1, ARI, canonical accuracy, and where the errors are."""
    docs = truth["docs"]
    true_of = {d: m["group"] for d, m in docs.items()}
    both, t, p, total = pair_counts(true_of, pred.group_of)
    prec = both / p if p else 1.0  # no predicted pair: no false merge
    rec = both / t if t else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0

    # canonical accuracy over true multi-copy groups. It is judged in the predicted group holding the
    # original, so a grouper that never merges scores 1.0 here: the strict figure also asks that the
    # predicted group be exactly the true one.
    ok_n, strict_n, wrong = 0, 0, Counter()
    multi = [gi for gi, g in enumerate(truth["groups"]) if len(g) > 1]
    members: dict[int, set[str]] = {}
    for d, gid in pred.group_of.items():
        members.setdefault(gid, set()).add(d)
    for gi in multi:
        orig = truth["original"][str(gi)]
        emitted = pred.canonical.get(pred.group_of[orig])
        if emitted is None:
            wrong["original rejected" if orig in pred.rejected else "no article"] += 1
        elif emitted in truth["canonical_ok"][str(gi)]:
            ok_n += 1
            strict_n += members[pred.group_of[orig]] == set(truth["groups"][gi])
        elif docs[emitted]["group"] != gi:
            wrong["other story"] += 1
        else:
            wrong[f"{docs[emitted]['kind']} copy"] += 1

    # recall by variant kind: is each copy grouped with its story's original?
    by_kind: dict[str, list[int]] = {}
    for d, m in docs.items():
        if m["kind"] == "original":
            continue
        orig = truth["original"][str(m["group"])]
        hit = pred.group_of[d] == pred.group_of[orig]
        by_kind.setdefault(m["kind"], [0, 0])[0] += hit
        by_kind[m["kind"]][1] += 1

    # traps: docs of different stories in the same chrome, and whether they were merged
    same_chrome = merged_same_chrome = 0
    by_chrome: dict[str, list[str]] = {}
    for d, m in docs.items():
        if m["chrome"]:
            by_chrome.setdefault(m["chrome"], []).append(d)
    for members in by_chrome.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if docs[a]["group"] != docs[b]["group"]:
                    same_chrome += 1
                    merged_same_chrome += pred.group_of[a] == pred.group_of[b]

    pred_sizes = Counter(Counter(pred.group_of[d] for d in true_of).values())
    return {
        "pair_precision": round(prec, 4),
        "pair_recall": round(rec, 4),
        "pair_f1": round(f1, 4),
        "ari": round(ari(both, t, p, total), 4),
        "canonical_accuracy": round(ok_n / len(multi), 4) if multi else 1.0,
        "canonical_accuracy_strict": round(strict_n / len(multi), 4) if multi else 1.0,
        "true_pairs": t,
        "predicted_pairs": p,
        "correct_pairs": both,
        "predicted_groups": len(set(pred.group_of.values())),
        "predicted_group_sizes": dict(sorted(pred_sizes.items())),
        "true_groups": len(truth["groups"]),
        "multi_copy_groups": len(multi),
        "canonical_wrong": dict(wrong.most_common()),
        "recall_by_kind": {k: round(h / n, 4) for k, (h, n) in sorted(by_kind.items())},
        "same_chrome_cross_story_pairs": same_chrome,
        "same_chrome_cross_story_merged": merged_same_chrome,
        "rejected": len(pred.rejected),
        "rejected_reasons": dict(Counter(pred.rejected.values()).most_common()),
        "accounting_ok": not pred.violations,
        "violations": {k: {"count": len(x), "examples": x[:5]} for k, x in pred.violations.items()},
        "odd_sources": {"count": len(pred.odd_sources), "examples": pred.odd_sources[:5]},
    }


def evaluate_dir(truth_path: str | Path, out_dir: str | Path) -> dict:
    truth = json.loads(Path(truth_path).read_text(encoding="utf-8"))
    return evaluate(truth, load_prediction(out_dir, set(truth["docs"])))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", help="cleaner run output folder (articles.jsonl, rejected.jsonl)")
    ap.add_argument("--truth", required=True, help="truth.json written by dedup_corpus.py")
    ap.add_argument("--json", help="also save the figures to this file")
    a = ap.parse_args(argv)
    res = evaluate_dir(a.truth, a.out)
    text = json.dumps(res, indent=1)
    print(text)
    if a.json:
        Path(a.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
