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


#: the numeric settings' type and range (inclusive; None: unbounded), checked however a ``Config`` is
#: made (``cleaner run``'s options take their ranges from here, a TOML file and the API are checked
#: by ``Config`` itself): a bad value is an error that names it, not a failure deep inside a run
BOUNDS: dict[str, tuple[type, float, float | None]] = {
    "threshold": (float, 0.05, 1.0),
    "shingle_size": (int, 1, 64),
    "num_perm": (int, 16, 4096),
    "seed": (int, 0, 2**32 - 1),  # a numpy random seed
    "workers": (int, 1, 256),
    "max_bytes": (int, 1, None),
    "doc_timeout": (float, 0, 86_400),  # 0: no limit
    "min_words": (int, 0, None),
}


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

    def __post_init__(self) -> None:
        if not isinstance(self.dedup, bool):
            raise ValueError(f"dedup must be true or false, got {self.dedup!r}")
        for name, (kind, low, high) in BOUNDS.items():
            value = getattr(self, name)
            number = (int, float) if kind is float else int
            if isinstance(value, bool) or not isinstance(value, number):
                what = "a number" if kind is float else "a whole number"
                raise ValueError(f"{name} must be {what}, got {value!r}")
            if not value >= low or (high is not None and not value <= high):  # NaN is in no range
                span = f"at least {low:g}" if high is None else f"from {low:g} to {high:g}"
                raise ValueError(f"{name} must be {span}, got {value!r}")
            object.__setattr__(self, name, kind(value))
        object.__setattr__(self, "langs", _language_codes(self.langs))

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
        data.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**data)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None


def _language_codes(langs: Any) -> tuple[str, ...]:
    """``langs`` as a sorted tuple of lower-case codes, each one that language detection can give
    (``language.codes``): a misspelt code would reject every document."""
    from .language import codes

    if isinstance(langs, str) or not all(isinstance(code, str) for code in langs):
        raise ValueError(f"langs must be a list of language codes, got {langs!r}")
    found = tuple(sorted({code.strip().lower() for code in langs if code.strip()}))
    unknown = [code for code in found if code not in codes()]
    if unknown:
        raise ValueError(
            f"unknown language code(s) {', '.join(unknown)}: use ISO 639-1 codes as langdetect gives them "
            f"({', '.join(sorted(codes()))})"
        )
    return found
