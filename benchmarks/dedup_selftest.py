"""Check the dedup generator and evaluator on stand-in predictors whose scores are known in advance.

Why: the benchmark's figures are only worth something if a perfect answer scores 1.0, a do-nothing answer
scores recall 0, and broken output is flagged rather than silently scored.

Usage: python benchmarks/dedup_selftest.py --data ../shared/bench/aeb
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedup_corpus import (  # noqa: E402
    OWN_BODY_MIN_WORDS,
    OWN_BODY_SHARE,
    Doc,
    generate,
    load_pages,
    make_stories,
    render,
    shingles,
)
from dedup_eval import evaluate_dir  # noqa: E402


def write_pred(
    out: Path, groups: list[list[str]], canon: dict[int, str] | None = None, rejected: list[str] = ()
) -> Path:
    """Write articles.jsonl (one record per group, canonical first unless given) and rejected.jsonl."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "articles.jsonl", "w", encoding="utf-8") as f:
        for i, g in enumerate(groups):
            head = (canon or {}).get(i, g[0])
            rest = [d for d in g if d != head]
            f.write(json.dumps({"source": head, "duplicates": rest, "text": ""}) + "\n")
    with open(out / "rejected.jsonl", "w", encoding="utf-8") as f:
        for d in rejected:
            f.write(json.dumps({"source": d, "reason": "too_short"}) + "\n")
    return out


def generator_checks(data: Path, corpus: Path, failures: list[str]) -> None:
    """The corpus is what DEDUP.md says: no text of one story in another, nothing glued by the rendering."""
    pages = load_pages(data)
    own = 0
    for p in pages:  # no chrome line is the page's own article again
        body = shingles(p.paras)
        for line in p.header + p.footer + [t for _, t in p.inline]:
            sh = shingles([line])
            own += len(line.split()) >= OWN_BODY_MIN_WORDS and len(sh & body) >= OWN_BODY_SHARE * len(sh)
    halves: dict[str, list[set[str]]] = {}
    for st in make_stories(pages, 80, 200):
        halves.setdefault(st.page.id, []).append(shingles(st.paras))
    shared = sum(len(h) == 2 and len(h[0] & h[1]) > 0.2 * min(map(len, h)) for h in halves.values())
    glued = 0
    for p in pages:  # wrapped text: no inline chrome line touches a line of the wrapped body
        if p.inline and len(p.paras) > 1:
            lines = render(Doc(None, "wrap", p.paras, p, wrap=72)).split("\n")  # type: ignore[arg-type]
            inline = {t for _, t in p.inline}
            chrome = inline | set(p.header) | set(p.footer)
            for i, line in enumerate(lines):
                near = [lines[j] for j in (i - 1, i + 1) if 0 <= j < len(lines)]
                glued += line in inline and any(x and x not in chrome for x in near)
    empty_cut = sum(
        line.strip() == "…" for f in (corpus / "bodies").iterdir() for line in f.read_text("utf-8").split("\n")
    )
    ok = not (own or shared or glued or empty_cut)
    print(
        f"{'ok  ' if ok else 'FAIL'} generator: {own} chrome lines holding their page's article, {shared} split "
        f"bodies with alike halves, {glued} inline chrome lines glued to wrapped text, {empty_cut} empty teaser cuts"
    )
    if not ok:
        failures.append("generator")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--n-stories", type=int, default=60)
    a = ap.parse_args(argv)
    failures: list[str] = []

    def check(name: str, cond: bool, res: dict) -> None:
        keys = (
            "pair_precision",
            "pair_recall",
            "pair_f1",
            "ari",
            "canonical_accuracy",
            "canonical_accuracy_strict",
            "accounting_ok",
        )
        print(f"{'ok  ' if cond else 'FAIL'} {name}: " + ", ".join(f"{k}={res[k]}" for k in keys))
        if not cond:
            failures.append(name)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        c1, c2 = root / "c1", root / "c2"
        generate(a.data, c1, seed=7, n_stories=a.n_stories)
        generate(a.data, c2, seed=7, n_stories=a.n_stories)
        same = all((c1 / "input" / p.name).read_bytes() == p.read_bytes() for p in (c2 / "input").iterdir())
        same &= (c1 / "truth.json").read_bytes() == (c2 / "truth.json").read_bytes()
        print(f"{'ok  ' if same else 'FAIL'} same seed, same corpus")
        if not same:
            failures.append("determinism")

        truth = json.loads((c1 / "truth.json").read_text(encoding="utf-8"))
        tp = c1 / "truth.json"
        generator_checks(Path(a.data), c1, failures)
        groups = truth["groups"]
        orig = {i: truth["original"][str(i)] for i in range(len(groups))}
        docs = sorted(truth["docs"])

        r = evaluate_dir(tp, write_pred(root / "perfect", groups, orig))
        check(
            "truth as prediction scores 1.0",
            all(
                r[k] == 1.0 for k in ("pair_precision", "pair_recall", "pair_f1", "ari", "canonical_accuracy")
            )
            and r["accounting_ok"],
            r,
        )

        r = evaluate_dir(tp, write_pred(root / "single", [[d] for d in docs]))
        check(
            "all singletons: recall 0, ARI 0, strict canonical 0",
            r["pair_recall"] == 0 and r["ari"] == 0 and r["canonical_accuracy_strict"] == 0,
            r,
        )

        r = evaluate_dir(tp, write_pred(root / "one", [docs]))
        check(
            "one big group: precision = true pairs / all pairs, recall 1, ARI 0",
            r["pair_recall"] == 1 and abs(r["ari"]) < 1e-9 and r["pair_precision"] < 0.05,
            r,
        )

        edited = {
            i: next(d for d in g if not truth["docs"][d]["complete"])
            for i, g in enumerate(groups)
            if any(not truth["docs"][d]["complete"] for d in g)
        }
        r = evaluate_dir(tp, write_pred(root / "badcanon", groups, {**orig, **edited}))
        share = 1 - len(edited) / sum(len(g) > 1 for g in groups)
        check(
            f"edited copies as canonical: pairs 1.0, canonical accuracy {share:.3f}",
            r["pair_f1"] == 1.0 and abs(r["canonical_accuracy"] - share) < 1e-3,
            r,
        )

        rnd = random.Random(1)
        shuffled = [rnd.sample(g, len(g)) for g in groups]
        r = evaluate_dir(
            tp,
            write_pred(
                root / "rej",
                [g for g in shuffled if len(g) > 1],
                rejected=[g[0] for g in shuffled if len(g) == 1],
            ),
        )
        check(
            "singletons rejected: pairs still 1.0, accounting ok",
            r["pair_f1"] == 1.0 and r["accounting_ok"] and r["rejected"] > 0,
            r,
        )

        broken = [list(g) for g in groups]
        multi = [i for i, g in enumerate(groups) if len(g) > 1]
        lost = broken[multi[0]].pop()
        broken[multi[1]] = broken[multi[1]] + [broken[multi[2]][0]]  # a doc placed twice
        r = evaluate_dir(tp, write_pred(root / "broken", broken))
        v = r["violations"]
        check(
            "lost and doubled docs are flagged",
            not r["accounting_ok"]
            and v.get("missing", {}).get("examples") == [lost]
            and v.get("duplicated", {}).get("count") == 1,
            r,
        )

        wrong_path = [[f"input/{d}" for d in g] for g in groups]
        r = evaluate_dir(tp, write_pred(root / "paths", wrong_path))
        check(
            "'input/x' sources are mapped but noted", r["pair_f1"] == 1.0 and r["odd_sources"]["count"] > 0, r
        )

    print(f"{len(failures)} failed" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
