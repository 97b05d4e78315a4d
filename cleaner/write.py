"""Writers: JSON lines and mirrored .txt files, each written under a temporary name and renamed.

A consumer never sees a half-written file, and nothing is ever written outside the output folder:
names derived from inputs are reduced to safe relative paths first.
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import re
import secrets
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
#: write buffer of the JSON lines files (a 100k-article run writes ~0.5 GB through it)
BUFFER = 1 << 20


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


#: how temporary names are opened: as ``tempfile.mkstemp`` does (never an existing file or a link)
_TMP_FLAGS = (
    os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
)
#: names tried before giving up, as ``tempfile.TMP_MAX``
_TMP_TRIES = 10000
#: one random draw per process, then a counter: ``mkstemp`` draws 8 random letters per file, as much
#: CPU as the rest of opening it (a 100k-article run writes 100k text files)
_TMP_COUNT = itertools.count()
_TMP_TOKEN: tuple[int, str] = (-1, "")


def _open_temporary(folder: Path, name: str) -> tuple[int, str]:
    """A new, empty file ``.<name>.<unique>.tmp`` in ``folder``, opened for writing, with the
    umask-based mode of an output file (``mkstemp`` makes 0600)."""
    global _TMP_TOKEN
    if _TMP_TOKEN[0] != os.getpid():  # a forked process draws its own
        _TMP_TOKEN = (os.getpid(), secrets.token_hex(4))
    for _ in range(_TMP_TRIES):
        tmp = os.path.join(folder, f".{name}.{_TMP_TOKEN[1]}{next(_TMP_COUNT):x}.tmp")
        try:
            return os.open(tmp, _TMP_FLAGS, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no usable temporary name", os.path.join(folder, f".{name}.*.tmp"))


class AtomicFile:
    """A file written under a temporary name in its final folder and renamed on ``commit``."""

    def __init__(self, path: Path, buffering: int = -1) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _open_temporary(path.parent, path.name)
        self.tmp = Path(tmp)
        self.fh: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="\n", buffering=buffering)

    def write(self, text: str) -> None:
        self.fh.write(text)

    def close(self, sync: bool = True) -> None:
        """Flush to disk under the temporary name (the caller renames later, see :class:`RunFiles`).

        ``sync=False`` leaves the data in the page cache: the caller syncs many files at once
        (:func:`sync_folder`) before renaming them.
        """
        if not self.fh.closed:
            self.fh.flush()
            if sync:
                os.fsync(self.fh.fileno())
            self.fh.close()

    def commit(self) -> None:
        self.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        if not self.fh.closed:
            self.fh.close()
        self.tmp.unlink(missing_ok=True)


class Deferred:
    """Text files written but not yet synced and renamed, and the names they will take.

    The names are checked when a file is written, as if the earlier files were already in place:
    a file where a later one needs a folder (or the reverse) fails at once, like an immediate rename.
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        #: folders that writes must stay within, resolved once: a folder replaced by a link later
        #: then fails the check instead of moving every later file with it
        self.bases: dict[Path, Path] = {}
        self.files: list[AtomicFile] = []
        self.finals: set[Path] = set()
        self.folders: set[Path] = set()

    def claim(self, target: Path) -> None:
        if target.is_dir() or target in self.folders:
            raise IsADirectoryError(f"a folder has the name of {target}")
        if target.parent in self.folders:
            return  # checked with an earlier file in it, and a known folder never becomes a file
        for parent in target.parents:
            if parent in self.finals:
                raise NotADirectoryError(f"a file has the name of the folder {parent}")

    def add(self, f: AtomicFile) -> None:
        self.files.append(f)
        self.finals.add(f.path)
        if f.path.parent not in self.folders:  # else its parents are all in already
            self.folders.update(f.path.parents)

    def publish(self, folder: Path) -> None:
        """Sync the files to disk, then rename each into place and sync the folders.

        Renaming only after the data is on disk keeps what one fsync per file gave: after a crash a
        final name holds a complete file or does not exist.
        """
        if self.files:
            sync_folder(folder)
            dirs = set()
            for f in self.files:
                os.replace(f.tmp, f.path)
                dirs.add(f.path.parent)
            _sync_dirs(dirs)
        self._reset()

    def discard(self) -> None:
        for f in self.files:
            f.tmp.unlink(missing_ok=True)
        self._reset()


def write_text_file(
    root: Path, relpath: Path, text: str, within: Path | None = None, defer: Deferred | None = None
) -> Path:
    """Write ``text`` atomically to ``root/relpath``; refuse any path that would leave ``within``.

    ``within`` (default ``root``) is resolved before ``root/relpath``, so a symbolic link planted
    inside the output folder cannot lead a write outside it either. With ``defer`` the file is
    left unsynced under its temporary name; ``defer.publish`` syncs them all at once and renames
    them (one fsync per file costs a 100k-article run minutes).
    """
    target = (root / relpath).resolve()
    given = within or root
    if defer is None:
        base = given.resolve()
    elif (base := defer.bases.get(given)) is None:
        base = defer.bases[given] = given.resolve()
    if base not in target.parents:
        raise ValueError(f"refusing to write outside {within or root}: {relpath}")
    if defer is not None:
        defer.claim(target)
    f = AtomicFile(target)
    try:
        f.write(text if text.endswith("\n") else text + "\n")
        if defer is None:
            f.commit()
        else:
            f.close(sync=False)
            defer.add(f)
    except BaseException:
        f.abort()
        raise
    return target


def _sync_dirs(dirs: set[str] | set[Path]) -> None:
    """fsync each folder, so the renames into it survive a crash."""
    for d in dirs:
        fd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def sync_folder(folder: Path) -> None:
    """Write every dirty page of ``folder``'s file system to disk (``syncfs``; ``sync`` elsewhere)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open(folder, os.O_RDONLY)
        try:
            if libc.syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    except (OSError, AttributeError):
        pass
    os.sync()


def write_article_text(
    out: Path,
    source: str,
    article_id: str,
    title: str | None,
    text: str,
    used: set[Path],
    defer: Deferred | None = None,
) -> None:
    """``out/text/<source>.txt``: title, blank line, body; ``used`` keeps two sources apart.

    Names come from the source only, never from a record's id. ``defer``: see :func:`write_text_file`.
    """
    body = (title + "\n\n" if title else "") + text
    tag = stable_id(source)[:8]
    rel = safe_relpath(source)
    while rel in used:  # two sources that reduce to one name
        rel = rel.with_name(f"{rel.stem}_{tag}{rel.suffix}")
    try:
        write_text_file(out / TEXT_DIR, rel, body, within=out, defer=defer)
    except (OSError, ValueError):
        # the mirrored name cannot be made (a file where a folder is needed, a link leading
        # out of --out): fall back to a flat name that is always safe
        rel = Path(f"_{stable_id(source)}.txt")
        write_text_file(out / TEXT_DIR, rel, body, within=out, defer=defer)
    used.add(rel)


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
        self.deferred = Deferred()  # text files: synced together and renamed on commit
        if self.out is not None:
            self.out.mkdir(parents=True, exist_ok=True)
            self.articles = AtomicFile(self.out / ARTICLES, BUFFER)
            self.rejected = AtomicFile(self.out / REJECTED, BUFFER)

    def article(self, doc: Document) -> None:
        line = dumps(doc.article())
        if self.stream is not None:
            self.stream.write(line)
        if self.articles is not None:
            self.articles.write(line)
        if self.text_files and self.out is not None:
            write_article_text(
                self.out, doc.source, doc.id, doc.title, doc.text, self.used_paths, self.deferred
            )

    def reject(self, doc: Document) -> None:
        if self.rejected is not None:
            self.rejected.write(dumps({"source": doc.source, "id": doc.id, "reason": doc.rejected}))

    def commit(self) -> None:
        if self.out is not None:
            self.deferred.publish(self.out)
        for f in (self.articles, self.rejected):
            if f is not None:
                f.commit()
        if self.stream is not None:
            self.stream.flush()

    def abort(self) -> None:
        """Drop the JSON lines files; text files written so far are complete and stay."""
        if self.out is not None:
            try:
                self.deferred.publish(self.out)
            except OSError:
                self.deferred.discard()
        for f in (self.articles, self.rejected):
            if f is not None:
                f.abort()


RUN_KINDS = ("articles", "duplicates", "rejected")


def run_file_name(kind: str, stamp: str, run_id: str) -> str:
    """``articles-20260101T120000Z-1a2b3c4d.jsonl``: names sort by time, the run id keeps them apart."""
    return f"{kind}-{stamp}-{run_id}.jsonl"


class RunFiles:
    """The output files of one ``--state`` run, invisible until :func:`publish` renames them.

    Written under hidden temporary names (``.articles-....tmp``) in ``out``, so a consumer reading
    ``articles*.jsonl`` sees either nothing or a complete file. The state records the temporary and
    final names in the same transaction as the inputs, so a killed run is finished on the next start.
    """

    def __init__(self, out: Path, stamp: str, run_id: str) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.files = {k: AtomicFile(out / run_file_name(k, stamp, run_id), BUFFER) for k in RUN_KINDS}

    def write(self, kind: str, record: dict[str, Any]) -> None:
        self.files[kind].write(dumps(record))

    def close(self) -> list[tuple[str, str]]:
        """Flush every file to disk; returns ``[(temporary, final), ...]`` for the state."""
        for f in self.files.values():
            f.close()
        return [(str(f.tmp.resolve()), str(f.path.resolve())) for f in self.files.values()]

    def abort(self) -> None:
        for f in self.files.values():
            f.abort()


def publish(files: list[tuple[str, str]], after_first: Any = None) -> list[str]:
    """Rename committed temporary files into place (idempotent: done renames are skipped).

    Returns the final names that are missing altogether (should never happen; reported, not fatal).
    """
    missing = []
    dirs = set()
    for i, (tmp, final) in enumerate(files):
        if os.path.exists(tmp):
            os.replace(tmp, final)
            dirs.add(os.path.dirname(final))
        elif not os.path.exists(final):
            missing.append(final)
        if i == 0 and after_first is not None:
            after_first()
    _sync_dirs(dirs)
    return missing


def remove_stray_temporaries(out: Path) -> int:
    """Delete the temporary run files a killed, uncommitted run left in ``out``."""
    n = 0
    for kind in RUN_KINDS:
        for p in out.glob(f".{kind}-*.jsonl.*.tmp"):
            p.unlink(missing_ok=True)
            n += 1
    return n


def write_run_texts(out: Path, articles_file: str | Path) -> None:
    """The ``text/`` mirror of one committed run, from its articles file (rerun-safe: overwrites)."""
    used: set[Path] = set()
    deferred = Deferred()
    with open(articles_file, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                write_article_text(
                    out, rec["source"], rec["id"], rec.get("title"), rec["text"], used, deferred
                )
    deferred.publish(out)
