"""Helpers for the hostile-input tests: stories that must survive, and a run that reports per source."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from cleaner.cli import main

from .conftest import read_jsonl

#: distinct short news stories (each well over the minimum length), so that no two are copies
STORIES = {
    "library": (
        "The city council voted on Tuesday to approve a new budget for public libraries across the "
        "region. Officials said the funding would allow branches to extend their opening hours and "
        "hire additional staff over the next two years."
    ),
    "bridge": (
        "Engineers closed the old river bridge to heavy lorries on Monday after inspectors found a "
        "crack in one of its supports. Drivers face a detour of twelve miles while repairs, expected "
        "to take three months, are carried out."
    ),
    "harvest": (
        "Farmers in the valley say this year's apple harvest is the largest in a decade, thanks to a "
        "warm spring and steady rain in the summer. Prices at the local market have already fallen by "
        "a fifth, to the delight of shoppers."
    ),
    "museum": (
        "The national museum will reopen its natural history wing next month after a two-year "
        "renovation. Visitors will be able to see the restored whale skeleton, which now hangs from "
        "the ceiling of the main hall, for the first time since 2019."
    ),
}
FRENCH = (
    "Le gouvernement français a présenté mercredi un projet de loi très attendu sur la réforme des "
    "retraites. Les syndicats ont déjà annoncé une grève générale pour la semaine prochaine, et les "
    "élèves des lycées se joignent au mouvement."
)
GERMAN = (
    "Die Bundesregierung hat am Mittwoch ein neues Gesetz für den Klimaschutz beschlossen. Künftig "
    "müssen Hausbesitzer beim Austausch ihrer Heizung höhere Anforderungen erfüllen, sagte der "
    "Minister in Berlin. Die Opposition kritisierte die Pläne als überstürzt."
)
JAPANESE = (
    "東京都は水曜日、新しい交通計画を発表した。計画では、都心部の渋滞を減らすために、バスと電車の本数を"
    "増やすことが盛り込まれている。知事は記者会見で、来年の春から段階的に実施すると述べた。"
)


def html_page(body: str, title: str = "News") -> str:
    return f"<!doctype html><html><head><title>{title}</title></head><body><article>{body}</article></body></html>"


@dataclass
class Outcome:
    exit_code: int
    stderr: str
    articles: dict[str, dict]
    rejected: dict[str, str]
    out: Path

    def reason(self, source: str) -> str:
        assert source in self.rejected, f"{source} not rejected; articles: {sorted(self.articles)}"
        return self.rejected[source]


def run(inputs: list[str | os.PathLike], out: Path, *options: str, stdin: bytes | str | None = None) -> Outcome:
    """``cleaner run`` in-process; articles and rejections keyed by source."""
    args = ["run", *map(str, inputs), "--out", str(out), *options]
    res = CliRunner().invoke(main, args, input=stdin, catch_exceptions=False)
    return Outcome(
        res.exit_code,
        res.stderr,
        {a["source"]: a for a in read_jsonl(out / "articles.jsonl")},
        {r["source"]: r["reason"] for r in read_jsonl(out / "rejected.jsonl")},
        out,
    )


def files_under(root: Path) -> set[Path]:
    return {Path(d, f) for d, _, fs in os.walk(root) for f in fs}
