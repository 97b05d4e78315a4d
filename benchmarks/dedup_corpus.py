"""Build a near-duplicate test corpus from real article bodies and real page chrome (AEB layout).

Why synthetic copies of real text: the grouping must be scored against a known truth, and hand-labelling
near-duplicates does not scale. The bodies and the chrome are real (AEB ground truth and the page-text lines
outside it), only the way they are combined is made up, so the corpus has real vocabulary, real menus and
footers, and a truth we control. See benchmarks/DEDUP.md for what is built and how truth is defined.

Usage: python benchmarks/dedup_corpus.py --data ../shared/bench/aeb --out /tmp/dedup-corpus
Writes OUT/input/doc_NNNNN.txt (opaque shuffled names), OUT/truth.json (outside the input dir) and
OUT/bodies/doc_NNNNN.txt (the same docs without chrome, for the oracle-cleaning reference row).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# Variant kinds. The first three keep the body complete and unedited (acceptable canonicals).
COMPLETE_KINDS = ("chrome", "quotes", "wrap")
EDITED_KINDS = ("teaser", "words", "note", "drop")
VARIANT_KINDS = COMPLETE_KINDS + EDITED_KINDS

TRAILERS = (
    "Read more",
    "Continue reading",
    "Continue reading the main story",
    "Read the full story",
    "Click here to read the full article.",
    "Read more »",
)
NOTE_TEMPLATES = (
    "Editor's note: This story was updated on {date} to include additional information.",
    "Editor's note: This article was updated on {date}. An earlier version misstated a figure.",
    "Correction: An earlier version of this story, published {date}, gave an incorrect title for one "
    "of the people quoted.",
    "Update ({date}): This article has been updated with a response from the company.",
    "This article was originally published on {date} and has been updated.",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_WS = re.compile(r"\s+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "‘": "'", "’": "'", "‚": "'", "‛": "'"})


def norm_ws(s: str) -> str:
    return _WS.sub(" ", s).strip()


_WORD = re.compile(r"\w+")
#: a page-text line this long that is mostly the page's own body is the article again (a teaser block, a
#: second rendering, a standfirst or paragraph in a slightly other version: "T he Davis Cup Final began ..."
#: with a split drop cap), not chrome: wrapped around another story it would put two stories in one doc.
#: Shorter lines (headlines, menu items) stay chrome.
OWN_BODY_MIN_WORDS = 12
OWN_BODY_SHARE = 0.5
#: a body is split into two stories only when its halves share at most this share of shingles
SPLIT_MAX_SHARED = 0.2


def shingles(paras: list[str], k: int = 5) -> set[str]:
    """Lower-cased word k-grams of the text (the whole text when shorter)."""
    w = _WORD.findall(" ".join(paras).lower())
    return {" ".join(w[i : i + k]) for i in range(max(1, len(w) - k + 1))}


def _containment(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def body_key(paras: list[str]) -> str:
    """Body identity up to quote style and whitespace: how truth decides 'complete, unedited'."""
    return norm_ws(" ".join(paras).translate(_QUOTES))


@dataclass
class Page:
    """One AEB page: its ground-truth body split in paragraphs, and its chrome split around the body."""

    id: str
    url: str
    paras: list[str]
    header: list[str]
    footer: list[str]
    # Chrome lines found between body lines, with their relative position (0..1) in the body.
    inline: list[tuple[float, str]]

    @property
    def chrome_words(self) -> int:
        return sum(len(x.split()) for x in self.header + self.footer + [t for _, t in self.inline])


@dataclass
class Story:
    key: str  # "<page id[:12]>#<part>"
    page: Page
    paras: list[str]

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paras)


@dataclass
class Doc:
    story: Story
    kind: str  # "original" or one of VARIANT_KINDS
    paras: list[str]
    chrome: Page | None  # whose chrome wraps it (None: bare text)
    wrap: int = 0  # hard-wrap width, 0 = none
    mods: list[str] = field(default_factory=list)  # extra format changes on top of the kind
    decoy: str | None = None  # chrome page id when placed in an explicit same-chrome decoy set
    name: str = ""


def load_pages(data_dir: Path) -> list[Page]:
    """Split each page-text into header / inline / footer chrome around its ground-truth body."""
    gt = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pt = json.loads((data_dir / "page-text.json").read_text(encoding="utf-8"))
    pages = []
    for pid in sorted(gt):
        body = gt[pid]["articleBody"]
        paras = [norm_ws(p) for p in body.split("\n") if p.strip()]
        nbody, pset = norm_ws(body), set(paras)
        lines = pt.get(pid, "").split("\n")
        # A line is body when it is inside the body text; short lines only when they are a whole paragraph
        # (so a menu item "Home" that happens to occur in the body is still chrome).
        is_body = []
        for line in lines:
            n = norm_ws(line)
            is_body.append(bool(n) and n in nbody and (len(n) >= 25 or n in pset))
        idx = [i for i, b in enumerate(is_body) if b]
        if idx:
            first, last = idx[0], idx[-1]
            header = [x.rstrip() for x in lines[:first]]
            footer = [x.rstrip() for x in lines[last + 1 :]]
            span = max(1, last - first)
            inline = [
                ((i - first) / span, norm_ws(lines[i]))
                for i in range(first, last + 1)
                if not is_body[i] and norm_ws(lines[i])
            ]
        else:  # body not found in the page text: everything is chrome, put it on top
            header, footer, inline = [x.rstrip() for x in lines], [], []
        own = shingles(paras)
        header, footer = _not_own(header, own), _not_own(footer, own)
        inline = [(pos, t) for pos, t in inline if not _is_own(t, own)]
        pages.append(Page(pid, gt[pid].get("url", ""), paras, _trim(header), _trim(footer), inline))
    return pages


def _is_own(line: str, own: set[str]) -> bool:
    """Is ``line`` the page's own article again (long, and mostly shingles of its body)?"""
    if len(line.split()) < OWN_BODY_MIN_WORDS:
        return False
    sh = shingles([line])
    return len(sh & own) >= OWN_BODY_SHARE * len(sh)


def _not_own(lines: list[str], own: set[str]) -> list[str]:
    return [x for x in lines if not _is_own(x, own)]


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def make_stories(pages: list[Page], min_words: int, split_min_words: int) -> list[Story]:
    """One story per body; long bodies split in two at a paragraph boundary to get more distinct stories.

    The halves share topic, vocabulary and page chrome but no text, like a follow-up story on the same site:
    a near-duplicate grouper must keep them apart. A body whose halves repeat each other (more than
    ``SPLIT_MAX_SHARED`` of the smaller half's shingles in the other) stays one story: its halves would be
    near-duplicates, not different stories.
    """
    stories = []
    for p in pages:
        words = [len(x.split()) for x in p.paras]
        total = sum(words)
        if total < min_words:
            continue
        cut = None
        if split_min_words and total >= 2 * split_min_words and len(p.paras) >= 4:
            acc, best = 0, None
            for i in range(1, len(p.paras)):
                acc += words[i - 1]
                if acc >= split_min_words and total - acc >= split_min_words:
                    if best is None or abs(acc - total / 2) < abs(best[1] - total / 2):
                        best = (i, acc)
            cut = best[0] if best else None
        if cut is not None and _containment(shingles(p.paras[:cut]), shingles(p.paras[cut:])) > SPLIT_MAX_SHARED:
            cut = None
        if cut is None:
            stories.append(Story(f"{p.id[:12]}#0", p, p.paras))
        else:
            stories.append(Story(f"{p.id[:12]}#0", p, p.paras[:cut]))
            stories.append(Story(f"{p.id[:12]}#1", p, p.paras[cut:]))
    return stories


# ---------------------------------------------------------------- body transforms


def flip_quotes(paras: list[str]) -> list[str]:
    """Curly -> straight when the body has curly quotes, else straight -> curly (smart quotes)."""
    text = "\n".join(paras)
    if re.search("[“”‘’„]", text):
        return [p.translate(_QUOTES) for p in paras]
    out = []
    for p in paras:
        p = re.sub(r'(^|[\s(\[{—–-])"', "\\1“", p)
        p = p.replace('"', "”")
        p = re.sub(r"(^|[\s(\[{—–-])'", "\\1‘", p)
        out.append(p.replace("'", "’"))
    return out


def teaser(rng: random.Random, paras: list[str]) -> tuple[list[str], str]:
    """First 50-90 % of the body, cut at a paragraph boundary or mid-paragraph, maybe with a trailer."""
    words = [len(p.split()) for p in paras]
    total = sum(words)
    frac = rng.uniform(0.5, 0.9)
    out: list[str] = []
    mode = "cut-para" if rng.random() < 0.5 else "cut-words"
    if mode == "cut-para":
        acc, best = 0, None
        for i in range(1, len(paras)):
            acc += words[i - 1]
            if 0.5 <= acc / total <= 0.9 and (best is None or abs(acc / total - frac) < abs(best[1] - frac)):
                best = (i, acc / total)
        if best is None:
            mode = "cut-words"
        else:
            out = paras[: best[0]]
    if mode == "cut-words":
        target, acc = max(1, round(frac * total)), 0
        for p, n in zip(paras, words, strict=True):
            if acc + n <= target:
                out.append(p)
                acc += n
            else:
                if target > acc:  # at a paragraph end the cut is a paragraph cut: no empty "…" line
                    out.append(" ".join(p.split()[: target - acc]) + " …")
                break
    if rng.random() < 0.6:
        out = out + [rng.choice(TRAILERS)]
        mode += "+trailer"
    return out, mode


def change_words(rng: random.Random, paras: list[str]) -> tuple[list[str], int]:
    """Replace a few words (about one per 80 words, 1-5): a digit in a number, or another word of the body."""
    total = sum(len(p.split()) for p in paras)
    k = rng.randint(1, max(1, min(5, total // 80)))
    paras = list(paras)
    vocab = sorted({w for p in paras for w in re.findall(r"\b[^\W\d_]{4,20}\b", p)})
    done = 0
    for _ in range(50 * k):
        if done >= k:
            break
        i = rng.randrange(len(paras))
        toks = list(re.finditer(r"\b\w{2,20}\b", paras[i]))
        if not toks:
            continue
        m = rng.choice(toks)
        w = m.group()
        if w.isdigit():
            pos = rng.randrange(len(w))
            new = w[:pos] + str((int(w[pos]) + rng.randint(1, 8)) % 10) + w[pos + 1 :]
        elif len(w) >= 4 and len(vocab) > 1:
            new = rng.choice(vocab)
        else:
            continue
        if new == w:
            continue
        paras[i] = paras[i][: m.start()] + new + paras[i][m.end() :]
        done += 1
    return paras, done


def add_note(rng: random.Random, paras: list[str]) -> tuple[list[str], str]:
    date = f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {rng.randint(2016, 2024)}"
    note = rng.choice(NOTE_TEMPLATES).format(date=date)
    if rng.random() < 0.4:
        return [note] + list(paras), "top"
    return list(paras) + [note], "bottom"


def drop_paragraph(rng: random.Random, paras: list[str]) -> list[str] | None:
    """Drop one inner paragraph of at most 20 % of the words; None when no such paragraph exists."""
    total = sum(len(p.split()) for p in paras)
    cands = [i for i in range(1, len(paras) - 1) if len(paras[i].split()) <= 0.2 * total]
    if len(paras) < 3 or not cands:
        return None
    i = rng.choice(cands)
    return paras[:i] + paras[i + 1 :]


# ---------------------------------------------------------------- rendering


def render(doc: Doc) -> str:
    """Header lines, body paragraphs (chrome lines of the page interleaved where they sat), footer lines."""
    body_lines: list[str] = []
    inline = sorted(doc.chrome.inline) if doc.chrome is not None else []
    n = len(doc.paras)
    j = 0
    for i, p in enumerate(doc.paras):
        while j < len(inline) and inline[j][0] * n <= i and i > 0:
            body_lines.append(inline[j][1])
            if doc.wrap:  # a chrome line is its own paragraph, never glued onto the wrapped one after it
                body_lines.append("")
            j += 1
        if doc.wrap:
            body_lines.extend(textwrap.wrap(p, doc.wrap, break_long_words=False, break_on_hyphens=False))
            body_lines.append("")
        else:
            body_lines.append(p)
    if doc.wrap and body_lines:
        body_lines.pop()
    for _, t in inline[j:]:  # chrome that sat near the end of the body
        body_lines.extend([""] * bool(doc.wrap) + [t])
    lines = body_lines
    if doc.chrome is not None:
        lines = doc.chrome.header + [""] * bool(doc.wrap) + lines + [""] * bool(doc.wrap) + doc.chrome.footer
    return "\n".join(lines).strip("\n") + "\n"


# ---------------------------------------------------------------- corpus


def _copies_for(rng: random.Random, copies: tuple[int, int], singleton_share: float) -> int:
    lo, hi = copies
    if lo <= 1 and rng.random() < singleton_share:
        return 1
    return rng.randint(max(lo, 2), hi) if hi >= 2 else 1


def _other_page(rng: random.Random, donors: list[Page], not_id: str) -> Page:
    while True:
        p = rng.choice(donors)
        if p.id != not_id:
            return p


def build_docs(
    rng: random.Random,
    stories: list[Story],
    pages: list[Page],
    copies: tuple[int, int],
    singleton_share: float,
    decoy_sites: int,
) -> list[list[Doc]]:
    donors = [p for p in pages if p.chrome_words >= 20]
    groups: list[list[Doc]] = []
    for st in stories:
        n = _copies_for(rng, copies, singleton_share)
        docs = [Doc(st, "original", list(st.paras), st.page)]
        kinds = list(VARIANT_KINDS)
        rng.shuffle(kinds)
        for v in range(1, n):
            kind = kinds[(v - 1) % len(kinds)]
            chrome: Page | None
            r = rng.random()
            if kind == "chrome":
                chrome = _other_page(rng, donors, st.page.id)
            elif r < 0.45:
                chrome = st.page  # same site: an updated or teaser version of the page
            elif r < 0.9:
                chrome = _other_page(rng, donors, st.page.id)  # syndicated on another site
            else:
                chrome = None  # bare text, as from a feed or an extractor
            d = Doc(st, kind, list(st.paras), chrome)
            if kind == "quotes":
                d.paras = flip_quotes(d.paras)
            elif kind == "wrap":
                d.wrap = rng.randint(70, 80)
            elif kind == "teaser":
                d.paras, how = teaser(rng, d.paras)
                d.mods.append(how)
            elif kind == "words":
                d.paras, k = change_words(rng, d.paras)
                d.mods.append(f"changed:{k}")
            elif kind == "note":
                d.paras, where = add_note(rng, d.paras)
                d.mods.append(where)
            elif kind == "drop":
                dropped = drop_paragraph(rng, d.paras)
                if dropped is None:  # too few paragraphs: a word change instead
                    d.kind = "words"
                    d.paras, k = change_words(rng, d.paras)
                    d.mods.append(f"changed:{k}")
                else:
                    d.paras = dropped
            # format changes stacked on content changes, so format alone never tells complete from edited
            if kind not in ("quotes", "wrap"):
                if rng.random() < 0.2:
                    d.paras = flip_quotes(d.paras)
                    d.mods.append("quotes")
                if rng.random() < 0.2:
                    d.wrap = rng.randint(70, 80)
                    d.mods.append("wrap")
            docs.append(d)
        groups.append(docs)

    # Explicit decoy sets: several different stories in one site's exact chrome (header, inline, footer).
    big = sorted(donors, key=lambda p: (-p.chrome_words, p.id))[: max(decoy_sites * 3, 1)]
    sites = rng.sample(big, min(decoy_sites, len(big)))
    used: set[int] = set()
    for site in sites:
        m = rng.randint(3, 6)
        cands = [i for i, g in enumerate(groups) if i not in used and g[0].story.page.id != site.id]
        for gi in rng.sample(cands, min(m, len(cands))):
            used.add(gi)
            d = rng.choice(groups[gi])
            d.chrome, d.decoy = site, site.id
    return groups


def generate(
    data_dir: str | Path,
    out_dir: str | Path,
    seed: int = 0,
    n_stories: int | None = None,
    copies: tuple[int, int] = (1, 5),
    singleton_share: float = 0.35,
    min_words: int = 80,
    split_min_words: int = 200,
    decoy_sites: int = 8,
) -> dict:
    """Write OUT/input/doc_NNNNN.txt and OUT/truth.json; return corpus stats. Deterministic for a seed."""
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    rng = random.Random(seed)
    pages = load_pages(data_dir)
    stories = make_stories(pages, min_words, split_min_words)
    if n_stories is not None and n_stories < len(stories):
        stories = sorted(rng.sample(stories, n_stories), key=lambda s: s.key)
    groups = build_docs(rng, stories, pages, copies, singleton_share, decoy_sites)

    flat = [d for g in groups for d in g]
    order = list(range(len(flat)))
    rng.shuffle(order)
    width = max(5, len(str(len(flat))))
    for new, old in enumerate(order):
        flat[old].name = f"doc_{new:0{width}d}.txt"

    inp = out_dir / "input"
    inp.mkdir(parents=True, exist_ok=True)
    bodies = out_dir / "bodies"  # each doc without chrome: input for an oracle-cleaning reference row
    bodies.mkdir(exist_ok=True)
    for old in order:  # written in name order: file times do not leak the grouping either
        d = flat[old]
        (inp / d.name).write_text(render(d), encoding="utf-8")
        bare = Doc(d.story, d.kind, d.paras, None, d.wrap)
        (bodies / d.name).write_text(render(bare), encoding="utf-8")

    truth: dict = {
        "seed": seed,
        "data": str(data_dir),
        "params": {
            "n_stories": n_stories,
            "copies": list(copies),
            "singleton_share": singleton_share,
            "min_words": min_words,
            "split_min_words": split_min_words,
            "decoy_sites": decoy_sites,
        },
        "groups": [],
        "canonical_ok": {},
        "original": {},
        "docs": {},
    }
    for gi, g in enumerate(groups):
        key0 = body_key(g[0].paras)
        truth["groups"].append(sorted(d.name for d in g))
        truth["original"][str(gi)] = g[0].name
        truth["canonical_ok"][str(gi)] = sorted(d.name for d in g if body_key(d.paras) == key0)
        for d in g:
            truth["docs"][d.name] = {
                "group": gi,
                "story": d.story.key,
                "kind": d.kind,
                "mods": d.mods,
                "chrome": d.chrome.id[:12] if d.chrome is not None else None,
                "decoy": d.decoy and d.decoy[:12],
                "complete": body_key(d.paras) == key0,
            }
    truth["docs"] = dict(sorted(truth["docs"].items()))
    (out_dir / "truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False), encoding="utf-8")
    return corpus_stats(truth)


def corpus_stats(truth: dict) -> dict:
    """What the corpus holds: sizes, kinds, and how many cross-story pairs share one chrome (the traps)."""
    docs = truth["docs"]
    sizes = Counter(len(g) for g in truth["groups"])
    by_chrome: dict[str, list[str]] = {}
    for meta in docs.values():
        if meta["chrome"]:
            by_chrome.setdefault(meta["chrome"], []).append(meta["story"])
    same_chrome_pairs = 0
    for stories in by_chrome.values():
        c = Counter(stories)
        n = len(stories)
        same_chrome_pairs += (n * (n - 1) - sum(k * (k - 1) for k in c.values())) // 2
    multi = [g for g in truth["groups"] if len(g) > 1]
    return {
        "docs": len(docs),
        "groups": len(truth["groups"]),
        "singletons": sizes.get(1, 0),
        "multi_copy_groups": len(multi),
        "true_pairs": sum(len(g) * (len(g) - 1) // 2 for g in truth["groups"]),
        "group_sizes": dict(sorted(sizes.items())),
        "kinds": dict(Counter(m["kind"] for m in docs.values()).most_common()),
        "mods": dict(Counter(x.split(":")[0] for m in docs.values() for x in m["mods"]).most_common()),
        "complete_copies_per_multi_group": round(
            sum(len(truth["canonical_ok"][str(i)]) for i, g in enumerate(truth["groups"]) if len(g) > 1)
            / max(1, len(multi)),
            2,
        ),
        "bare_docs": sum(m["chrome"] is None for m in docs.values()),
        "decoy_sets": len({m["decoy"] for m in docs.values() if m["decoy"]}),
        "decoy_docs": sum(bool(m["decoy"]) for m in docs.values()),
        "cross_story_same_chrome_pairs": same_chrome_pairs,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="AEB folder (ground-truth.json, page-text.json)")
    ap.add_argument("--out", required=True, help="output folder: OUT/input/*.txt and OUT/truth.json")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n-stories", type=int, default=None, help="sample this many stories (default: all)")
    ap.add_argument("--min-copies", type=int, default=1)
    ap.add_argument("--max-copies", type=int, default=5)
    ap.add_argument("--singleton-share", type=float, default=0.35, help="share of stories with one copy")
    ap.add_argument("--min-words", type=int, default=80, help="skip bodies shorter than this")
    ap.add_argument(
        "--split-min-words",
        type=int,
        default=200,
        help="split bodies of at least twice this into two stories (0: never)",
    )
    ap.add_argument("--decoy-sites", type=int, default=8, help="sites whose exact chrome wraps 3-6 stories")
    a = ap.parse_args(argv)
    out = Path(a.out)
    if (out / "input").exists() and any((out / "input").iterdir()):
        print(f"{out / 'input'} is not empty; choose a new --out", file=sys.stderr)
        return 2
    stats = generate(
        a.data,
        out,
        a.seed,
        a.n_stories,
        (a.min_copies, a.max_copies),
        a.singleton_share,
        a.min_words,
        a.split_min_words,
        a.decoy_sites,
    )
    print(json.dumps(stats, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
