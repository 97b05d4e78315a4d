"""The learned block classifier: two stacked small networks, weights in ``data/block_model.json``.

Stage 1 scores each block from its own shape and its neighbourhood; stage 2 adds what stage 1 thought
of the neighbours (a learned form of jusText's neighbour smoothing). Inference is a few numpy matrix
products; the weights are trained by ``benchmarks/train_blocks.py`` with cross-validation grouped by page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from .features import BASE, CONTEXT, STAGE2, context_features, stage2_features

STAGE1_NAMES = BASE + CONTEXT
STAGE2_NAMES = STAGE1_NAMES + STAGE2


@dataclass(frozen=True)
class Network:
    """Standardise, then dense layers: ReLU between them, a logistic output (one layer: logistic regression)."""

    mean: np.ndarray
    scale: np.ndarray
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]  # (weights, bias) per layer

    def predict(self, X: np.ndarray) -> np.ndarray:
        h = (X - self.mean) / self.scale
        for i, (W, b) in enumerate(self.layers):
            h = h @ W + b
            if i < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        z = h.reshape(-1)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def to_json(self, names: tuple[str, ...]) -> dict:
        return {
            "features": list(names),
            "mean": self.mean.round(6).tolist(),
            "scale": self.scale.round(6).tolist(),
            "layers": [{"weights": W.round(6).tolist(), "bias": b.round(6).tolist()} for W, b in self.layers],
        }

    @classmethod
    def from_json(cls, d: dict, names: tuple[str, ...]) -> Network:
        if tuple(d["features"]) != names:
            raise ValueError("block model was trained on other features; retrain it")
        layers = tuple(
            (
                np.array(layer["weights"], dtype=np.float64).reshape(len(layer["weights"]), -1),
                np.array(layer["bias"], dtype=np.float64).reshape(-1),
            )
            for layer in d["layers"]
        )
        return cls(np.array(d["mean"]), np.array(d["scale"]), layers)


_TABLE_ROW, _PROSE, _SHORT = BASE.index("table_row"), BASE.index("prose"), BASE.index("short")


def _shares(base: np.ndarray, *columns: int) -> list[float]:
    """Means of 0/1 columns over the blocks that are not table cells ("63 |", trafilatura's tables:
    short by nature, they say nothing about whether the text is a page or an extract). Only the
    columns asked for are picked out, not every row of every column (the means of 0/1 values are
    exact, so the same)."""
    rows = base[:, _TABLE_ROW] <= 0
    if not rows.any():
        return [0.0] * len(columns)
    return [float(base[:, c][rows].mean()) for c in columns]


def prose_share(base: np.ndarray) -> float:
    """Share of prose blocks: high for an extractor's output, low for a whole page's text."""
    return _shares(base, _PROSE)[0]


def short_share(base: np.ndarray) -> float:
    """Share of blocks under four words (menu items, buttons): most of a page's text, rare in an extract."""
    return _shares(base, _SHORT)[0]


def looks_extracted(base: np.ndarray, share: float = 0.4, short: float = 0.3) -> bool:
    """Does the text look like an extractor's main content (mostly prose, few menu-sized lines)?"""
    if not len(base):
        return False
    prose, shorts = _shares(base, _PROSE, _SHORT)
    return prose >= share or shorts < short


@dataclass(frozen=True)
class BlockModel:
    stage1: Network
    stage2: Network
    threshold: float = 0.5
    #: text that looks like an extractor's output already (mostly prose, few menu-sized lines) keeps
    #: its prose unless a rule fires; the model judges its other lines against this threshold
    extracted_threshold: float = 0.5
    extracted_share: float = 0.4  #: ... when at least this share of its blocks is prose
    extracted_short: float = 0.3  #: ... or when less than this share of its blocks is under four words
    #: separate stages for extracted text (used when present and the text looks extracted)
    extracted_stages: tuple[Network, Network] | None = None

    def threshold_for(self, base: np.ndarray) -> float:
        if self.is_extracted(base):
            return self.extracted_threshold
        return self.threshold

    def is_extracted(self, base: np.ndarray) -> bool:
        """Does the text look like an extractor's main content rather than a whole page's text?"""
        return looks_extracted(base, self.extracted_share, self.extracted_short)

    def predict(self, base: np.ndarray) -> np.ndarray:
        """Probability that each block is story text, from the ``BASE`` feature rows."""
        if len(base) == 0:
            return np.zeros(0)
        stage1, stage2 = self.stage1, self.stage2
        if self.extracted_stages is not None and self.is_extracted(base):
            stage1, stage2 = self.extracted_stages
        X1 = np.hstack([base, context_features(base)])
        p1 = stage1.predict(X1)
        return stage2.predict(np.hstack([X1, stage2_features(p1)]))

    def to_json(self) -> dict:
        return {
            "about": "cleaner block classifier; trained by benchmarks/train_blocks.py",
            "threshold": self.threshold,
            "extracted_threshold": self.extracted_threshold,
            "extracted_share": self.extracted_share,
            "extracted_short": self.extracted_short,
            "stage1": self.stage1.to_json(STAGE1_NAMES),
            "stage2": self.stage2.to_json(STAGE2_NAMES),
            "extracted_stages": None
            if self.extracted_stages is None
            else [
                self.extracted_stages[0].to_json(STAGE1_NAMES),
                self.extracted_stages[1].to_json(STAGE2_NAMES),
            ],
        }

    @classmethod
    def from_json(cls, d: dict) -> BlockModel:
        return cls(
            Network.from_json(d["stage1"], STAGE1_NAMES),
            Network.from_json(d["stage2"], STAGE2_NAMES),
            float(d.get("threshold", 0.5)),
            float(d.get("extracted_threshold", d.get("threshold", 0.5))),
            float(d.get("extracted_share", 0.4)),
            float(d.get("extracted_short", 0.3)),
            None
            if not d.get("extracted_stages")
            else (
                Network.from_json(d["extracted_stages"][0], STAGE1_NAMES),
                Network.from_json(d["extracted_stages"][1], STAGE2_NAMES),
            ),
        )


@lru_cache(maxsize=1)
def load_model() -> BlockModel:
    """The shipped model (loaded once per process; immutable)."""
    text = resources.files("cleaner.data").joinpath("block_model.json").read_text("utf-8")
    return BlockModel.from_json(json.loads(text))
