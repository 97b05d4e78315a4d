"""Load benchmark: articles per second and peak memory of ``cleaner run`` at 10k–100k plain-text pages.

Generates N plain-text pages of news-article size with page chrome from the AEB data (``--data``):
story bodies are mixed from paragraphs of different ground-truth bodies of one language, with numbers
and some words changed per story, so 100k pages are not 181 stories repeated; page chrome is the
lines of a page's ``page-text`` that are not in its body (head and tail kept apart). About a quarter
of the pages (``--dup-share``) are copies of an earlier story under other chrome: truncated teasers,
lightly edited copies, or the same text, so dedup has real work.

For each size it runs ``cleaner run DIR --out OUT -q --workers W`` and measures wall time, CPU time of
the whole process tree (steady when other jobs share the machine) and peak memory: the sum of the
resident set sizes of the process tree (sampled from ``/proc`` every 0.1 s, so Linux only; pages that
forked workers share are counted in each) the peak RSS of the main process (sampled likewise) and the largest single process (``ru_maxrss``).
With ``--cron`` it runs with a new ``--state`` file: a cron job's first run over a full folder.

The reference is the pipeline a user would write with the same libraries, in one process: a C4-style
line filter as the cleaner, ``langdetect.detect`` on the whole text, ``MinHash.update`` per shingle
(default SHA-1 hash) and ``MinHashLSH`` with its defaults (query, then insert if new). It is slow, so
it runs on the first ``--naive-docs`` pages of the smallest size and its rate is extrapolated.

    python benchmarks/bench_load.py --data ../shared/bench/aeb --sizes 10000,50000,100000 [--workers 2]
        [--naive-docs 2000] [--keep DIR] [--json FILE] [--cleaner CMD] [--cron]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_text import default_cleaner  # noqa: E402

_WORDS = re.compile(r"\w+", re.U)
_NUM = re.compile(r"\d+")
NAMES = (
    "Alvarez Brennan Chowdhury Dubois Eriksen Fischer Gallagher Haddad Ibrahim Jansen Kowalski Lindqvist "
    "Moreau Nakamura Okafor Petrov Quinn Rossi Schneider Tanaka Ueda Varga Weber Xu Yilmaz Zhang "
    "Abernathy Bianchi Castillo Delacroix Esposito Ferreira Grünewald Hoffmann Iversen Jovanovic"
).split()
PLACES = (
    "Aberdeen Bilbao Cork Dortmund Eindhoven Florence Graz Hamburg Innsbruck Jaipur Kraków Leeds Malmö "
    "Nantes Osaka Porto Quito Rennes Seville Turin Utrecht Valencia Warsaw Yokohama Zagreb"
).split()


# --- the corpus -------------------------------------------------------------------------------------


def _lang(text: str) -> str:
    from langdetect import DetectorFactory, detect

    DetectorFactory.seed = 0
    try:
        return detect(text)
    except Exception:
        return "und"


def load_pool(data: Path) -> dict:
    """Paragraphs per language and page chrome (head, tail) per language from the AEB files."""
    truth = json.loads((data / "ground-truth.json").read_text("utf-8"))
    pages = json.loads((data / "page-text.json").read_text("utf-8"))
    paragraphs: dict[str, list[str]] = {}
    chrome: dict[str, list[tuple[list[str], list[str]]]] = {}
    for pid, rec in sorted(truth.items()):
        body = rec["articleBody"]
        lang = _lang(body)
        paras = [p.strip() for p in body.split("\n") if len(p.split()) >= 8]
        paragraphs.setdefault(lang, []).extend(paras)
        page = pages.get(pid) or ""
        lines = [ln.strip() for ln in page.splitlines()]
        body_lines = {ln.strip() for ln in body.splitlines() if ln.strip()}
        idx = [i for i, ln in enumerate(lines) if ln in body_lines]
        if not idx:
            continue
        head = [ln for ln in lines[: idx[0]] if ln not in body_lines]
        tail = [ln for ln in lines[idx[-1] + 1 :] if ln not in body_lines]
        chrome.setdefault(lang, []).append((head, tail))
    langs = sorted(lang for lang in paragraphs if lang in chrome and len(paragraphs[lang]) >= 8)
    return {"paragraphs": paragraphs, "chrome": chrome, "langs": langs}


def _perturb(paragraph: str, rng: random.Random, rate: float) -> str:
    """New numbers everywhere and about ``rate`` of the words replaced by names/places."""
    text = _NUM.sub(lambda m: str(rng.randint(1, 10 ** len(m.group()))), paragraph)
    words = text.split(" ")
    for i in range(len(words)):
        if rng.random() < rate:
            words[i] = rng.choice(NAMES if i % 2 else PLACES)
    return " ".join(words)


def make_story(pool: dict, rng: random.Random) -> tuple[str, str, list[str]]:
    """(language, title, paragraphs) of a new story, mixed from several bodies of one language."""
    weights = [len(pool["paragraphs"][lang]) for lang in pool["langs"]]
    lang = rng.choices(pool["langs"], weights)[0]
    paras = pool["paragraphs"][lang]
    n = rng.randint(5, 14)
    chosen = [_perturb(p, rng, 0.06) for p in rng.sample(paras, min(n, len(paras)))]
    first = _WORDS.findall(chosen[0])[:8]
    title = " ".join(first).capitalize() + f" in {rng.choice(PLACES)}"
    return lang, title, chosen


def make_copy(story: tuple[str, str, list[str]], rng: random.Random) -> tuple[str, str, list[str]]:
    """Another site's copy of ``story``: same text, a truncated teaser, or light edits."""
    lang, title, paras = story
    kind = rng.random()
    if kind < 0.35:
        return lang, title, list(paras)
    if kind < 0.65:
        keep = max(2, int(len(paras) * rng.uniform(0.4, 0.8)))
        return lang, title, paras[:keep]
    edited = [_perturb(p, rng, 0.01) if rng.random() < 0.5 else p for p in paras]
    if len(edited) > 3 and rng.random() < 0.5:
        edited.pop(rng.randrange(1, len(edited)))
    return lang, title, edited


def render(story: tuple[str, str, list[str]], pool: dict, rng: random.Random) -> str:
    lang, title, paras = story
    head, tail = rng.choice(pool["chrome"][lang])
    cut_head = head[rng.randint(0, len(head) // 3) :] if head else []
    cut_tail = tail[: len(tail) - rng.randint(0, len(tail) // 3)] if tail else []
    return "\n".join([*cut_head, title, "", "\n\n".join(paras), "", *cut_tail]) + "\n"


def generate(pool: dict, n: int, folder: Path, seed: int = 7, dup_share: float = 0.25) -> dict:
    """Write ``n`` pages into ``folder`` (1,000 per sub-folder); return counts."""
    rng = random.Random(seed)
    stories: list[tuple[str, str, list[str]]] = []
    copies = 0
    size = 0
    for i in range(n):
        if stories and rng.random() < dup_share:
            story = make_copy(rng.choice(stories[-5000:]), rng)
            copies += 1
        else:
            story = make_story(pool, rng)
            stories.append(story)
        text = render(story, pool, rng)
        sub = folder / f"{i // 1000:04d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{i:07d}.txt").write_text(text, "utf-8")
        size += len(text.encode("utf-8"))
    return {"pages": n, "copies": copies, "stories": len(stories), "bytes": size}


# --- measuring --------------------------------------------------------------------------------------


def _tree_memory(pid: int, cpu: dict[tuple[int, int], float] | None = None) -> tuple[int, int]:
    """(RSS, PSS) bytes of ``pid`` and all its descendants (Linux /proc).

    RSS counts the pages forked workers share with the parent once per process; PSS divides them
    among the sharers, so the tree's PSS is what the run really occupies. ``cpu`` gets each
    process's own CPU seconds so far, keyed by (pid, start time).
    """
    rss = pss = 0
    tick = os.sysconf("SC_CLK_TCK")
    stack = [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                rss += int(fh.read().split()[1]) * page
            if cpu is not None:
                with open(f"/proc/{p}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                cpu[(p, int(fields[19]))] = (int(fields[11]) + int(fields[12])) / tick
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return rss, pss


def measure(cmd: list[str], **kwargs) -> dict:
    """Run ``cmd``: wall and CPU seconds (whole tree), peak tree RSS (sampled), largest ``ru_maxrss``.

    CPU is the larger of two lower bounds: ``RUSAGE_CHILDREN`` misses the workers of pools made from
    a forkserver (the forkserver reaps them and is itself never waited for), and the sampled sum of
    every process's own CPU misses the last half second of each process.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, **kwargs)
    peak = peak_pss = peak_main = 0
    seen: dict[tuple[int, int], float] = {}
    done = threading.Event()
    page = os.sysconf("SC_PAGE_SIZE")

    def sample() -> None:
        nonlocal peak, peak_pss, peak_main
        while not done.is_set():
            rss, pss = _tree_memory(proc.pid, seen)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            try:  # the main process alone: what grows with the corpus lives there
                with open(f"/proc/{proc.pid}/statm") as fh:
                    peak_main = max(peak_main, int(fh.read().split()[1]) * page)
            except (OSError, ValueError):
                pass
            # smaps_rollup walks the tree's page tables: at 0.1 s this thread took ~0.3 of a core at 100k
            done.wait(0.5)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    rc = proc.wait()
    done.set()
    t.join()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reaped = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    sampled = sum(seen.values())
    return {
        "rc": rc,
        "seconds": seconds,
        "cpu_seconds": max(reaped, sampled),
        "cpu_seconds_reaped": reaped,
        "cpu_seconds_sampled": sampled,
        "peak_tree_rss": peak,
        "peak_tree_pss": peak_pss,
        "peak_main_rss": peak_main,
        "max_process_rss": after.ru_maxrss * 1024,
    }


NAIVE = r"""
import json, re, sys, time
from pathlib import Path
from datasketch import MinHash, MinHashLSH
from langdetect import DetectorFactory, detect
DetectorFactory.seed = 0
folder, out, limit = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
files = sorted(folder.rglob("*.txt"))[:limit]
BAD = ("javascript", "lorem ipsum", "cookie", "privacy policy", "terms of use")
def c4(text):  # C4-style line filter
    keep = [l.strip() for l in text.splitlines()
            if l.strip().endswith((".", "!", "?", '"', "\u201d")) and len(l.split()) >= 5
            and not any(b in l.lower() for b in BAD)]
    return "\n".join(keep)
lsh = MinHashLSH(num_perm=128)
start = time.perf_counter()
with open(out, "w", encoding="utf-8") as fh:
    for f in files:
        text = c4(f.read_text("utf-8"))
        if len(text.split()) < 15:
            continue
        try:
            lang = detect(text)
        except Exception:
            lang = "und"
        words = re.findall(r"\w+", text.lower())
        m = MinHash(num_perm=128)
        for i in range(max(1, len(words) - 4)):
            m.update(" ".join(words[i:i + 5]).encode("utf-8"))
        if lsh.query(m):
            continue
        lsh.insert(str(f), m)
        fh.write(json.dumps({"source": str(f), "text": text, "lang": lang}, ensure_ascii=False) + "\n")
print(json.dumps({"docs": len(files), "seconds": time.perf_counter() - start}))
"""



def _outputs(out: Path, kind: str) -> list[Path]:
    """The output files of one kind: ``kind.jsonl``, or a cron run's ``kind-<stamp>-<run>.jsonl``."""
    return sorted(out.glob(f"{kind}.jsonl")) + sorted(out.glob(f"{kind}-*.jsonl"))


def digest(out: Path, kind: str) -> str:
    """sha256 of the output files of one kind (first 16 hex digits): two versions must give the same output."""
    import hashlib

    h = hashlib.sha256()
    for path in _outputs(out, kind):
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()[:16]


def count_lines(out: Path, kind: str) -> int:
    total = 0
    for path in _outputs(out, kind):
        with open(path, "rb") as fh:
            total += sum(1 for _ in fh)
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, type=Path, help="AEB folder (ground-truth.json, page-text.json)")
    ap.add_argument("--sizes", default="10000,50000,100000", help="comma-separated page counts")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--naive-docs", type=int, default=2000, help="pages for the naive reference (0: skip)")
    ap.add_argument("--dup-share", type=float, default=0.25, help="share of pages that copy a story")
    ap.add_argument("--keep", type=Path, help="generate into (and keep) this folder instead of a temp dir")
    ap.add_argument("--cleaner", default=None, help="cleaner command (default: the venv's)")
    ap.add_argument("--cleaner-args", default="", help="extra arguments for `cleaner run`")
    ap.add_argument("--json", type=Path, help="save the figures here")
    ap.add_argument(
        "--cron", action="store_true", help="run with a new --state file (a cron job's first run over the folder)"
    )
    args = ap.parse_args()

    cleaner = shlex.split(args.cleaner) if args.cleaner else [default_cleaner()]
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    pool = load_pool(args.data)
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-load-"))
    base.mkdir(parents=True, exist_ok=True)
    results: dict = {"workers": args.workers, "runs": []}
    try:
        for n in sizes:
            folder = base / f"in-{n}"
            if not (folder / ".complete").exists():
                shutil.rmtree(folder, ignore_errors=True)
                t = time.perf_counter()
                info = generate(pool, n, folder, dup_share=args.dup_share)
                (folder / ".complete").write_text(json.dumps(info))
                print(f"generated {n} pages in {time.perf_counter() - t:.0f} s: {info}", flush=True)
            info = json.loads((folder / ".complete").read_text())
            out = base / f"out-{n}"
            shutil.rmtree(out, ignore_errors=True)
            cmd = [*cleaner, "run", str(folder), "--out", str(out), "-q", "--workers", str(args.workers)]
            if args.cron:
                cmd += ["--state", str(out / "state.db")]
            cmd += shlex.split(args.cleaner_args)
            m = measure(cmd)
            row = {
                "pages": n,
                "mb": info["bytes"] / 1e6,
                **m,
                "articles_per_s": n / m["seconds"],
                "articles_per_cpu_s": n / m["cpu_seconds"],
                "written": count_lines(out, "articles"),
                "rejected": count_lines(out, "rejected"),
                "copies_generated": info["copies"],
                "digest_articles": digest(out, "articles"),
                "digest_rejected": digest(out, "rejected"),
            }
            results["runs"].append(row)
            print(
                f"cleaner  {n:>7} pages {row['mb']:7.0f} MB  {m['seconds']:7.1f} s  "
                f"{row['articles_per_s']:6.0f} pages/s  {m['cpu_seconds']:7.1f} CPU s "
                f"({row['articles_per_cpu_s']:5.1f} pages per CPU s; reaped {m['cpu_seconds_reaped']:.0f}, "
                f"sampled {m['cpu_seconds_sampled']:.0f})  peak RSS tree {m['peak_tree_rss'] / 2**20:6.0f} MiB "
                f"(PSS {m['peak_tree_pss'] / 2**20:6.0f} MiB, main process {m['peak_main_rss'] / 2**20:6.0f} MiB) "
                f"(largest process {m['max_process_rss'] / 2**20:5.0f} MiB)  "
                f"written {row['written']} rejected {row['rejected']} (generated copies {info['copies']}) "
                f"rc {m['rc']}  digests {row['digest_articles']} {row['digest_rejected']}",
                flush=True,
            )
            shutil.rmtree(out, ignore_errors=True)
        if args.naive_docs and sizes:
            folder = base / f"in-{min(sizes)}"
            script = base / "naive.py"
            script.write_text(NAIVE)
            k = min(args.naive_docs, min(sizes))
            m = measure(
                [sys.executable, str(script), str(folder), str(base / "naive.jsonl"), str(k)],
                stdout=subprocess.PIPE,
            )
            row = {
                "pages": k,
                **m,
                "articles_per_s": k / m["seconds"],
                "articles_per_cpu_s": k / m["cpu_seconds"],
            }
            results["naive"] = row
            print(
                f"naive    {k:>7} pages  {m['seconds']:7.1f} s  {row['articles_per_s']:6.1f} pages/s "
                f"(one process; extrapolated to 100000 pages: {100000 / row['articles_per_s'] / 60:.0f} min)  "
                f"peak RSS {m['peak_tree_rss'] / 2**20:.0f} MiB",
                flush=True,
            )
            for run in results["runs"]:
                print(
                    f"speed-up at {run['pages']}: wall {run['articles_per_s'] / row['articles_per_s']:.1f}x, "
                    f"per CPU second {run['articles_per_cpu_s'] / row['articles_per_cpu_s']:.1f}x"
                )
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
