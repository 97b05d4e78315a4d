"""One frozen configuration object for a whole run.

Every stage reads its settings from here, so a run is described by one value that can be printed,
compared and stored (the cron state records the fields that change results). Keyword arguments of
``Config.replace`` override defaults; a TOML file (``--config``) may set the same names, and unknown
names are an error rather than silently ignored.
"""

from __future__ import annotations

import dataclasses
import os

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _default_workers() -> int:
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Config:
    """Settings for a run; the defaults are the documented behaviour of ``cleaner run``."""

    #: group copies of the same story and emit one canonical article per group
    dedup: bool = True
    #: two cleaned bodies are copies when they share at least this fraction of their word shingles
    #: (Jaccard), or when the shorter one is contained in the longer one to this degree (a teaser)
    threshold: float = 0.7
    #: words per shingle for grouping
    shingle_size: int = 5
    #: MinHash permutations; more is more exact and slower
    num_perm: int = 128
    #: seed of the MinHash permutations; signatures with another seed are not comparable
    seed: int = 1
    #: keep only these languages (ISO 639-1 codes); empty keeps all
    langs: tuple[str, ...] = ()
    #: worker processes for reading, extraction, cleaning and signatures
    workers: int = field(default_factory=_default_workers)
    #: inputs larger than this many bytes are rejected (documented per-document limit)
    max_bytes: int = 10_000_000
    #: seconds one document may take in extraction and cleaning before it is rejected
    doc_timeout: float = 30.0
    #: a cleaned body with fewer words than this is rejected as "not an article"
    min_words: int = 15

    def replace(self, **changes: Any) -> Config:
        """A copy with ``changes`` applied; unknown names raise ``TypeError``."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_toml(cls, path: str | Path, **overrides: Any) -> Config:
        """Read settings from a TOML file (top-level keys or a ``[cleaner]`` table)."""
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        data = data.get("cleaner", data)
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(
                f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}"
            )
        if "langs" in data:
            data["langs"] = tuple(data["langs"])
        data.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**data)
