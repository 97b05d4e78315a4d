"""Shared fixtures: the seed articles, a CLI runner, and readers for the output files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def gold() -> dict:
    return json.loads((SEEDS / "gold.json").read_text())["articles"]


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def run_cli():
    """Invoke ``cleaner`` in-process: ``run_cli("run", dir, "--out", out)`` -> click Result."""

    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


def accounted(inputs: set[str], out: Path) -> dict[str, int]:
    """How many times each input appears across articles, duplicates lists and rejections."""
    seen: dict[str, int] = {s: 0 for s in inputs}
    for art in read_jsonl(out / "articles.jsonl"):
        for s in [art["source"], *art["duplicates"]]:
            seen[s] = seen.get(s, 0) + 1
    for rej in read_jsonl(out / "rejected.jsonl"):
        seen[rej["source"]] = seen.get(rej["source"], 0) + 1
    return seen
