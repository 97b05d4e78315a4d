"""Writers: JSON lines and mirrored .txt files, each written under a temporary name and renamed.

A consumer never sees a half-written file, and nothing is ever written outside the output folder:
names derived from inputs are reduced to safe relative paths first.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import IO, Any

from .document import Document
from .sources import stable_id

ARTICLES = "articles.jsonl"
REJECTED = "rejected.jsonl"
TEXT_DIR = "text"
_UNSAFE = re.compile(r"[^\w.\- ]+", re.U)
#: bytes of a name part taken from a source, leaving room for a suffix, "_<id>" and a temporary prefix
NAME_BYTES = 200


def safe_relpath(source: str, suffix: str = ".txt") -> Path:
    """A relative path for ``source`` that cannot leave its folder (no ``..``, no absolute parts)."""
    parts = []
    for part in re.split(r"[/#]+", source):  # sources are "/"-separated; a backslash is a character
        part = _UNSAFE.sub("_", part).strip(" .")
        if part:
            parts.append(_shorten(part))
    if not parts:
        parts = ["unnamed"]
    stem = parts[-1]
    for ext in (".txt", ".text", ".html", ".htm", ".xhtml"):
        if stem.lower().endswith(ext):
            stem = stem[: -len(ext)]
            break
    parts[-1] = (stem or "unnamed") + suffix
    return Path(*parts)


def _shorten(part: str, limit: int = NAME_BYTES) -> str:
    """At most ``limit`` bytes of UTF-8 (file systems limit a name to 255 bytes, not characters)."""
    data = part.encode("utf-8")
    if len(data) <= limit:
        return part
    return data[:limit].decode("utf-8", "ignore")


class AtomicFile:
    """A file written under a temporary name in its final folder and renamed on ``commit``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self.tmp = Path(tmp)
        self.fh: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def write(self, text: str) -> None:
        self.fh.write(text)

    def commit(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        if not self.fh.closed:
            self.fh.close()
        self.tmp.unlink(missing_ok=True)


def write_text_file(root: Path, relpath: Path, text: str, within: Path | None = None) -> Path:
    """Write ``text`` atomically to ``root/relpath``; refuse any path that would leave ``within``.

    ``within`` (default ``root``) is resolved before ``root/relpath``, so a symbolic link planted
    inside the output folder cannot lead a write outside it either.
    """
    target = (root / relpath).resolve()
    base = (within or root).resolve()
    if base not in target.parents:
        raise ValueError(f"refusing to write outside {within or root}: {relpath}")
    f = AtomicFile(target)
    try:
        f.write(text if text.endswith("\n") else text + "\n")
        f.commit()
    except BaseException:
        f.abort()
        raise
    return target


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n"


class Writer:
    """Write a run's articles and rejections to a folder (or articles to a stream)."""

    def __init__(
        self, out: str | Path | None, stream: IO[str] | None = None, text_files: bool = True
    ) -> None:
        self.stream = stream
        self.out = Path(out) if out is not None else None
        self.text_files = text_files and self.out is not None
        self.articles: AtomicFile | None = None
        self.rejected: AtomicFile | None = None
        self.used_paths: set[Path] = set()
        if self.out is not None:
            self.out.mkdir(parents=True, exist_ok=True)
            self.articles = AtomicFile(self.out / ARTICLES)
            self.rejected = AtomicFile(self.out / REJECTED)

    def article(self, doc: Document) -> None:
        line = dumps(doc.article())
        if self.stream is not None:
            self.stream.write(line)
        if self.articles is not None:
            self.articles.write(line)
        if self.text_files and self.out is not None:
            body = (doc.title + "\n\n" if doc.title else "") + doc.text
            self._text_file(doc.source, body)

    def _text_file(self, source: str, body: str) -> None:
        """``text/<source>.txt``; names come from the source only (never from a record's id)."""
        assert self.out is not None
        tag = stable_id(source)[:8]
        rel = safe_relpath(source)
        while rel in self.used_paths:  # two sources that reduce to one name
            rel = rel.with_name(f"{rel.stem}_{tag}{rel.suffix}")
        try:
            write_text_file(self.out / TEXT_DIR, rel, body, within=self.out)
        except (OSError, ValueError):
            # the mirrored name cannot be made (a file where a folder is needed, a link leading
            # out of --out): fall back to a flat name that is always safe
            rel = Path(f"_{stable_id(source)}.txt")
            write_text_file(self.out / TEXT_DIR, rel, body, within=self.out)
        self.used_paths.add(rel)

    def reject(self, doc: Document) -> None:
        if self.rejected is not None:
            self.rejected.write(dumps({"source": doc.source, "id": doc.id, "reason": doc.rejected}))

    def commit(self) -> None:
        for f in (self.articles, self.rejected):
            if f is not None:
                f.commit()
        if self.stream is not None:
            self.stream.flush()

    def abort(self) -> None:
        for f in (self.articles, self.rejected):
            if f is not None:
                f.abort()
