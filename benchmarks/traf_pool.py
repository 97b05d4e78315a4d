"""Bare ``trafilatura.extract`` over a list of files in a ``multiprocessing.Pool``: ``bench_html.py``'s reference.

Run as a fresh process so that, like ``cleaner run``, it pays interpreter start-up and its imports; its pool
workers read and decode each file themselves, as ``cleaner``'s workers do.

    python benchmarks/traf_pool.py --list FILES.txt --out OUT.json [--workers 2] [--kwargs '{"favor_precision": true}']
"""

from __future__ import annotations

import argparse
import json
from multiprocessing import Pool
from pathlib import Path

import trafilatura


def _extract(job: tuple[str, dict]) -> str:
    path, kwargs = job
    return trafilatura.extract(Path(path).read_bytes().decode("utf-8"), **kwargs) or ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--list", type=Path, required=True, help="file with one input path per line")
    ap.add_argument("--out", type=Path, required=True, help="JSON list of the outputs, in input order")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--kwargs", default="{}", help="keyword arguments of trafilatura.extract, as JSON")
    args = ap.parse_args()
    kwargs = json.loads(args.kwargs)
    files = args.list.read_text("utf-8").splitlines()
    with Pool(args.workers) as pool:
        out = pool.map(_extract, [(f, kwargs) for f in files], chunksize=1)
    args.out.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
