"""Memory of the main process of ``pipeline.run`` at 10k–1M documents, without cleaning them all.

Memory that grows with the corpus lives in the main process (what ``run`` keeps until grouping and
writing, plus the dedup index); workers hold one document at a time. This script cleans ``--base``
real pages once (``process``), then feeds ``run`` N documents made from them through a stand-in
``process_all``: each with its own source, id and text object, its own random MinHash and shingle set
of the real size (so LSH buckets behave like distinct stories), and ``--dup-share`` of them copies of
an earlier document's signature (so groups form). Writing goes to a real output folder (articles.jsonl
and rejected.jsonl; no text/ files, whose fsyncs take minutes and little memory). Each size runs in a fresh interpreter; the figure is its peak RSS (``ru_maxrss``).

    python benchmarks/bench_memory.py --pages /tmp/bl/in-10000 --sizes 10000,50000,100000 [--base 300] [--json FILE]

Set PYTHONPATH to a checkout of another version to compare versions on the same documents.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import resource
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path


def make_base(pages: Path, n: int, path: Path) -> None:
    from cleaner.config import Config
    from cleaner.pipeline import process
    from cleaner.sources import discover

    cfg = Config(workers=1)
    done = [process(item, cfg) for item in islice(discover([str(pages)]), n)]
    done = [(d, s) for d, s in done if not d.rejected and s is not None]
    path.write_bytes(pickle.dumps(done))


def one_size(base_path: Path, n: int, dup_share: float) -> dict:
    import dataclasses

    import numpy as np

    from cleaner import chrome, pipeline
    from cleaner.config import Config
    from cleaner.dedup import Signature
    from cleaner.write import Writer

    base = pickle.loads(base_path.read_bytes())
    config = Config(workers=1)
    rng = random.Random(1)
    nrng = np.random.default_rng(1)

    def fake_process_all(items, cfg):
        made: list = []
        for i in range(n):
            doc, sig = base[i % len(base)]
            if made and rng.random() < dup_share:
                sig = made[rng.randrange(max(0, len(made) - 5000), len(made))]
            else:
                shingles = np.unique(
                    nrng.integers(0, 2**32, len(sig.shingles), dtype=np.uint64).astype(np.uint32)
                )
                hashvalues = nrng.integers(0, 2**32, len(sig.hashvalues), dtype=np.uint64).astype(np.uint32)
                sig = Signature(hashvalues, shingles, sig.words)
                made.append(sig)
            text = doc.text + f"\n\n{i}"
            # the workers' paragraph keys, for this document's own text
            sig = dataclasses.replace(sig, paragraphs=chrome.paragraph_keys(text))
            copy = dataclasses.replace(
                doc,
                source=f"{i:07d}.txt",
                id=f"{i:016x}",
                text=text,
                metadata=dict(doc.metadata),
                duplicates=[],
            )
            yield copy, sig

    pipeline.process_all = fake_process_all
    with tempfile.TemporaryDirectory() as out:
        writer = Writer(out, text_files=False)  # 100k fsynced .txt files take minutes, little memory
        start = time.perf_counter()
        summary = pipeline.run([], config, writer.article, writer.reject, items_given=True)
        writer.commit()
        seconds = time.perf_counter() - start
        size = os.path.getsize(Path(out) / "articles.jsonl")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "docs": n,
        "written": summary.written,
        "duplicates": summary.duplicates,
        "peak_rss_mib": rss / 2**20,
        "seconds": seconds,
        "articles_mb": size / 1e6,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=Path, help="folder of pages to clean for the base documents")
    ap.add_argument("--sizes", default="10000,50000,100000")
    ap.add_argument("--base", type=int, default=300, help="real documents to clean and reuse")
    ap.add_argument("--base-file", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-membase.pkl")
    ap.add_argument("--dup-share", type=float, default=0.25)
    ap.add_argument("--json", type=Path, help="save the figures here")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_size(args.base_file, args.one, args.dup_share)))
        return
    if not args.base_file.exists():
        if not args.pages:
            raise SystemExit("--pages is needed to make the base documents")
        make_base(args.pages, args.base, args.base_file)
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        cmd = [sys.executable, __file__, "--one", str(n), "--base-file", str(args.base_file)]
        cmd += ["--dup-share", str(args.dup_share)]
        row = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        print(
            f"{n:>8} docs: peak RSS {row['peak_rss_mib']:7.0f} MiB ({row['peak_rss_mib'] * 2**20 / n / 1024:5.1f} KiB/doc), "
            f"{row['seconds']:6.1f} s in run(), {row['written']} written, {row['duplicates']} duplicates",
            flush=True,
        )
        rows.append(row)
    if len(rows) > 1:
        # growth between the smallest and the largest size: what each further document costs
        a, b = rows[0], rows[-1]
        slope = (b["peak_rss_mib"] - a["peak_rss_mib"]) * 2**20 / (b["docs"] - a["docs"]) / 1024
        secs = (b["seconds"] - a["seconds"]) / (b["docs"] - a["docs"]) * 1000
        print(
            f"growth {a['docs']}..{b['docs']}: {slope:.1f} KiB and {secs:.2f} ms in run() per further document"
        )
        for r in rows:
            r["growth_kib_per_doc"] = slope
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
