"""Train the cleaner's block classifier on the AEB plain-text inputs, with honest cross-validation.

Every block of both inputs (``page-text`` and ``trafilatura-2.0.0-output``) is labelled story when most
of its 4-gram shingles (or, for a short block, its whole token sequence) occur in the page's ground
truth. Two stacked logistic regressions are fitted with numpy (Newton's method, L2); stage 2's
training inputs are out-of-fold stage-1 scores, so stage 2 never sees scores of pages stage 1 trained on.

Cross-validation is grouped by page (both inputs of a page sit in the same fold): the figures printed
are the honest ones, from running the whole cleaner with a model that never saw the page. The final
model is then fitted on all pages and written to ``cleaner/data/block_model.json``.

    python benchmarks/train_blocks.py --data PATH [--folds 5] [--out cleaner/data/block_model.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aeb_metric as M  # noqa: E402

from cleaner.clean import Hints, decide, prepare  # noqa: E402
from cleaner.clean.classify import comment_section, trusted_prose  # noqa: E402
from cleaner.clean.features import context_features, stage2_features  # noqa: E402
from cleaner.clean.model import BlockModel, Network, looks_extracted  # noqa: E402
from cleaner.pipeline import word_count  # noqa: E402

INPUTS = ("page-text", "trafilatura-2.0.0-output")
MIN_WORDS = 15  # what `cleaner run` rejects as too short (Config.min_words)


def label_blocks(texts: list[str], truth: str) -> np.ndarray:
    """1 for blocks whose text is (mostly) in the ground truth."""
    gsh = M.shingles(truth)
    gnorm = " " + " ".join(M.tokenize(truth)) + " "
    out = np.zeros(len(texts))
    for k, t in enumerate(texts):
        toks = M.tokenize(t)
        if not toks:
            continue
        if len(toks) < 6:
            out[k] = (" " + " ".join(toks) + " ") in gnorm
        else:
            sh = M.shingles(t)
            out[k] = sum((sh & gsh).values()) / sum(sh.values()) >= 0.5
    return out


def fit_logistic(X: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float, iters: int = 30) -> Network:
    """Weighted L2 logistic regression by Newton's method on standardised features."""
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    Z = np.hstack([(X - mean) / scale, np.ones((len(X), 1))])
    w = w / w.mean()
    beta = np.zeros(Z.shape[1])
    reg = np.full(Z.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(Z @ beta, -30, 30)))
        grad = Z.T @ (w * (p - y)) + reg * beta
        H = (Z * (w * p * (1 - p))[:, None]).T @ Z + np.diag(reg) + 1e-9 * np.eye(Z.shape[1])
        step = np.linalg.solve(H, grad)
        beta -= step
        if np.abs(step).max() < 1e-6:
            break
    return Network(mean, scale, ((beta[:-1].reshape(-1, 1), beta[-1:].copy()),))


def fit_mlp(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, hidden: int, l2: float, seed: int, epochs: int = 400
) -> Network:
    """One hidden ReLU layer, weighted cross-entropy, full-batch Adam (deterministic for a seed)."""
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    Z = (X - mean) / scale
    w = w / w.sum()
    rng = np.random.default_rng(seed)
    params = [
        rng.normal(0, np.sqrt(2 / Z.shape[1]), (Z.shape[1], hidden)),
        np.zeros(hidden),
        rng.normal(0, np.sqrt(1 / hidden), (hidden, 1)),
        np.zeros(1),
    ]
    m = [np.zeros_like(q) for q in params]
    v = [np.zeros_like(q) for q in params]
    lr, b1, b2 = 0.01, 0.9, 0.999
    for t in range(1, epochs + 1):
        W1, c1, W2, c2 = params
        a = Z @ W1 + c1
        h = np.maximum(a, 0)
        z = (h @ W2 + c2).reshape(-1)
        p = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
        dz = (w * (p - y)).reshape(-1, 1)
        gW2 = h.T @ dz + l2 * W2
        gc2 = dz.sum(axis=0)
        da = (dz @ W2.T) * (a > 0)
        gW1 = Z.T @ da + l2 * W1
        gc1 = da.sum(axis=0)
        for i, g in enumerate((gW1, gc1, gW2, gc2)):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            params[i] = params[i] - lr * (m[i] / (1 - b1**t)) / (np.sqrt(v[i] / (1 - b2**t)) + 1e-8)
    W1, c1, W2, c2 = params
    return Network(mean, scale, ((W1, c1), (W2, c2)))


class Page:
    def __init__(self, pid: str, source: str, text: str, truth: str):
        self.pid, self.source, self.text = pid, source, text
        blocks, ev, lang = prepare(text)
        self.prepared = (blocks, ev, lang)
        self.X1 = np.hstack([ev.base, context_features(ev.base)]) if len(blocks) else np.zeros((0, 0))
        self.y = label_blocks([b.text for b in blocks], truth)
        tokens = np.array([len(M.tokenize(b.text)) for b in blocks], dtype=float)
        self.w = (tokens + 1.0) / max(1.0, (tokens + 1.0).sum())
        self.extracted = looks_extracted(ev.base)
        # blocks that rules decide (phrase matches, list runs), and the prose of text that looks
        # extracted already (kept unless a rule fires) and its comment section, are not the model's to learn
        prose = trusted_prose(ev.shapes, ev.matches, ev.base)
        self.ruled = np.array([m is not None or r for m, r in zip(ev.matches, ev.list_run, strict=True)])
        if self.extracted:
            self.ruled = self.ruled | prose
            comments = comment_section(ev.shapes, ev.matches)
            if comments is not None:  # the comment section is the rule's, not the model's
                self.ruled[comments:] = True


def stack(pages: list[Page], attr: str) -> np.ndarray:
    parts = [getattr(p, attr) for p in pages if len(p.y)]
    return np.concatenate(parts) if attr != "X1" else np.vstack(parts)


def fit(
    pages: list[Page], l2: float, folds: int, seed: int, threshold: float, hidden: int = 0, extracted: float = 0.5
) -> BlockModel:
    """Stage 1 on all given pages; stage 2 on out-of-fold stage-1 scores (inner folds by page)."""
    pages = [p for p in pages if len(p.y)]
    mask = ~stack(pages, "ruled")
    X1, y, w = stack(pages, "X1"), stack(pages, "y"), stack(pages, "w")
    stage1 = fit_logistic(X1[mask], y[mask], w[mask], l2)
    groups = _groups(sorted({p.pid for p in pages}), folds, seed)
    X2_parts: list[np.ndarray | None] = [None] * len(pages)
    for fold in groups:
        train = [p for p in pages if p.pid not in fold]
        m_tr = ~stack(train, "ruled")
        inner = fit_logistic(stack(train, "X1")[m_tr], stack(train, "y")[m_tr], stack(train, "w")[m_tr], l2)
        for i, p in enumerate(pages):
            if p.pid in fold:
                X2_parts[i] = np.hstack([p.X1, stage2_features(inner.predict(p.X1))])
    X2 = np.vstack(X2_parts)
    if hidden:
        stage2 = fit_mlp(X2[mask], y[mask], w[mask], hidden, l2 * 1e-4, seed)
    else:
        stage2 = fit_logistic(X2[mask], y[mask], w[mask], l2)
    return BlockModel(stage1, stage2, threshold, extracted_threshold=extracted)


def fit_split(pages: list[Page], l2: float, folds: int, seed: int, threshold: float, hidden: int,
              extracted: float, split: bool) -> BlockModel:
    """One model for all text, or (``split``) one for full pages and one for extracted text."""
    if not split:
        return fit(pages, l2, folds, seed, threshold, hidden, extracted)
    ext = [p for p in pages if p.extracted]
    full = [p for p in pages if not p.extracted]
    m_full = fit(full, l2, folds, seed, threshold, hidden, extracted)
    m_ext = fit(ext, l2, folds, seed, threshold, hidden, extracted)
    return BlockModel(m_full.stage1, m_full.stage2, threshold, extracted_threshold=extracted,
                      extracted_stages=(m_ext.stage1, m_ext.stage2))


def _groups(pids: list[str], folds: int, seed: int) -> list[set[str]]:
    rng = np.random.default_rng(seed)
    order = list(rng.permutation(len(pids)))
    return [{pids[i] for i in order[f::folds]} for f in range(folds)]


def score(truth: dict[str, str], preds: dict[str, str], groups: dict[str, list[str]]) -> str:
    res = M.evaluate_subsets(truth, preds, groups)
    return " | ".join(f"{g} F1 {e['f1']:.3f} P {e['p']:.3f} R {e['r']:.3f}" for g, e in res.items())


def clean(page: Page, model: BlockModel) -> str:
    blocks, ev, lang = page.prepared
    text = decide(blocks, ev, lang, Hints(), model).text
    return text if word_count(text) >= MIN_WORDS else ""  # as `cleaner run` counts (CJK too)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--extracted-threshold", type=float, default=0.5,
                    help="threshold for text that is mostly prose already (an extractor's output)")
    ap.add_argument("--split", action="store_true",
                    help="separate models for full pages and for extracted text (mostly prose)")
    ap.add_argument("--hidden", type=int, default=0, help="hidden units of stage 2 (0: logistic regression)")
    ap.add_argument("--thresholds", default="", help="also score these thresholds in CV, e.g. 0.4,0.6")
    ap.add_argument("--extracted-thresholds", default="",
                    help="also score these thresholds for extracted-looking text in CV, e.g. 0.3,0.7")
    ap.add_argument("--out", type=Path, default=Path("cleaner/data/block_model.json"))
    ap.add_argument("--no-write", action="store_true", help="cross-validate only")
    ap.add_argument("--worst", type=int, default=0)
    ap.add_argument("--save-preds", type=Path, help="write the cross-validated texts here (JSON)")
    args = ap.parse_args(argv)

    t0 = time.time()
    truth = M.load_truth(args.data)
    groups = M.subsets(truth)
    pages = []
    for name in INPUTS:
        texts = M.load_texts(args.data, name)
        pages += [Page(pid, name, texts[pid], truth[pid]) for pid in sorted(texts)]
    print(f"{len(pages)} documents, {sum(len(p.y) for p in pages)} blocks, {time.time() - t0:.0f} s", flush=True)

    thresholds = [args.threshold] + [float(x) for x in args.thresholds.split(",") if x]
    ext_thresholds = [args.extracted_threshold] + [float(x) for x in args.extracted_thresholds.split(",") if x]
    grid = [(t, args.extracted_threshold) for t in thresholds]
    grid += [(args.threshold, te) for te in ext_thresholds[1:]]
    preds = {(name, t, te): {} for name in INPUTS for t, te in grid}
    for fold in _groups(sorted(truth), args.folds, args.seed):
        model = fit_split([p for p in pages if p.pid not in fold], args.l2, args.folds, args.seed + 1,
                          args.threshold, args.hidden, args.extracted_threshold, args.split)
        for p in pages:
            if p.pid in fold:
                for t, te in grid:
                    m = BlockModel(model.stage1, model.stage2, t, extracted_threshold=te,
                                   extracted_stages=model.extracted_stages)
                    preds[(p.source, t, te)][p.pid] = clean(p, m)
    print(f"cross-validated ({args.folds} folds grouped by page), {time.time() - t0:.0f} s:")
    for (name, t, te), pr in preds.items():
        print(f"  {name:<26} thresholds {t:.2f}/{te:.2f}: {score(truth, pr, groups)}")
        if args.worst and t == args.threshold and te == args.extracted_threshold:
            pp = M.per_page(truth, pr)
            worst = sorted(pp, key=lambda k: M.page_f1(pp[k]))[: args.worst]
            print("    worst: " + ", ".join(f"{k[:8]} {M.page_f1(pp[k]):.2f}" for k in worst))
    if args.save_preds:
        args.save_preds.write_text(json.dumps({f"{n}@{t}/{te}": pr for (n, t, te), pr in preds.items()}),
                                   encoding="utf-8")
    if not args.no_write:
        model = fit_split(pages, args.l2, args.folds, args.seed + 1, args.threshold, args.hidden,
                          args.extracted_threshold, args.split)
        args.out.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
