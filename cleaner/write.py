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
    return Path(_safe_relname(source, suffix))


def _safe_relname(source: str, suffix: str = ".txt") -> str:
    """:func:`safe_relpath` as a ``/``-separated string (the writers work on strings: pathlib's
    parsing and hashing cost a 10k-article run ~1.5 s)."""
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
    return "/".join(parts)


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


def _open_temporary(folder: str | Path, name: str) -> tuple[int, str]:
    """A new, empty file ``.<name>.<unique>.tmp`` in ``folder``, opened for writing, with the
    umask-based mode of an output file (``mkstemp`` makes 0600)."""
    global _TMP_TOKEN
    if _TMP_TOKEN[0] != os.getpid():  # a forked process draws its own
        _TMP_TOKEN = (os.getpid(), secrets.token_hex(4))
    for _ in range(_TMP_TRIES):
        tmp = f"{folder}{os.sep}.{name}.{_TMP_TOKEN[1]}{next(_TMP_COUNT):x}.tmp"
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
    Each folder is checked (resolved, kept inside its ``within`` folder, made) once, when its first
    file is written, not for every file: resolving a path costs an ``lstat`` per component.
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        #: folders that writes must stay within, resolved once: an output folder replaced by a link
        #: later then fails the check instead of moving every later file with it. A folder below it
        #: is checked when its first file is written (links planted before the run are refused), not
        #: again for every file (neither check is atomic with the write that follows)
        self.bases: dict[str, str] = {}
        #: folder as given (``root/relative``) -> (resolved folder ending in a separator, names of the
        #: folders and links that were in it before the run)
        self.places: dict[str, tuple[str, set[str]]] = {}
        self.files: list[tuple[str, str]] = []  # (temporary, final) names
        self.finals: set[str] = set()
        self.folders: set[str] = set()

    def place(self, root: str, relpath: str, within: str) -> str:
        """The resolved final name of ``root/relpath``, its folder made; raises ``ValueError`` for a
        path that leads out of ``within``, ``OSError`` for a name a file cannot take."""
        head, _, name = relpath.rpartition("/")
        given = f"{root}{os.sep}{head}" if head else root
        placed = self.places.get(given)
        if placed is None:
            placed = self._new_place(given, within, relpath)
        folder, taken = placed
        target = folder + name
        if name in taken:  # a folder or a link there before the run: the full check, as for a folder
            target = self._resolve(target, within, relpath)
            if os.path.isdir(target):
                raise IsADirectoryError(f"a folder has the name of {target}")
            self._make(os.path.dirname(target))
        if target in self.folders:
            raise IsADirectoryError(f"a folder has the name of {target}")
        return target

    def _resolve(self, path: str, within: str, relpath: str) -> str:
        """``path`` resolved, which must be inside ``within`` (resolved once)."""
        if (base := self.bases.get(within)) is None:
            base = self.bases[within] = os.path.realpath(within)
        resolved = os.path.realpath(path)
        try:  # a link loop, which ``realpath`` leaves as it is, raises (``OSError``: the caller
            os.stat(resolved)  # falls back to a flat name, where ``Path.resolve`` raised RuntimeError)
        except FileNotFoundError:
            pass
        inside = base if base.endswith(os.sep) else base + os.sep
        if resolved != base and not resolved.startswith(inside):
            raise ValueError(f"refusing to write outside {within}: {relpath}")
        return resolved

    def _new_place(self, given: str, within: str, relpath: str) -> tuple[str, set[str]]:
        folder = self._resolve(given, within, relpath)
        if os.path.isdir(folder):  # the folders and links already in it, checked name by name
            with os.scandir(folder) as entries:
                taken = {e.name for e in entries if e.is_dir(follow_symlinks=False) or e.is_symlink()}
        else:
            taken = set()
        self._make(folder)
        placed = self.places[given] = (folder if folder.endswith(os.sep) else folder + os.sep, taken)
        return placed

    def _make(self, folder: str) -> None:
        """Make ``folder`` (resolved) unless a file written earlier has its name or one above it;
        from then on no file may take its name or one above it."""
        if folder in self.folders:
            return
        parent = folder
        while True:
            if parent in self.finals:
                raise NotADirectoryError(f"a file has the name of the folder {parent}")
            up = os.path.dirname(parent)
            if up == parent:
                break
            parent = up
        os.makedirs(folder, exist_ok=True)
        parent = folder
        while parent not in self.folders:
            self.folders.add(parent)
            up = os.path.dirname(parent)
            if up == parent:
                break
            parent = up

    def add(self, tmp: str, final: str) -> None:
        self.files.append((tmp, final))
        self.finals.add(final)

    def publish(self, folder: str | Path) -> None:
        """Sync the files to disk, then rename each into place and sync the folders.

        Renaming only after the data is on disk keeps what one fsync per file gave: after a crash a
        final name holds a complete file or does not exist.
        """
        if self.files:
            sync_folder(folder)
            dirs = set()
            for tmp, final in self.files:
                os.replace(tmp, final)
                dirs.add(os.path.dirname(final))
            _sync_dirs(dirs)
        self._reset()

    def discard(self) -> None:
        for tmp, _ in self.files:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        self._reset()


def write_text_file(
    root: str | Path, relpath: str | Path, text: str, within: str | Path | None = None, defer: Deferred | None = None
) -> str:
    """Write ``text`` atomically to ``root/relpath``; refuse any path that would leave ``within``.

    ``within`` (default ``root``) is resolved before ``root/relpath``'s folder, so a symbolic link
    planted inside the output folder cannot lead a write outside it either. With ``defer`` the file
    is left unsynced under its temporary name; ``defer.publish`` syncs them all at once and renames
    them (one fsync per file costs a 100k-article run minutes). Returns the final name.
    """
    immediate = defer is None
    places = Deferred() if defer is None else defer
    rel = os.fspath(relpath)
    target = places.place(os.fspath(root), rel, os.fspath(within if within is not None else root))
    folder, name = os.path.split(target)
    data = (text if text.endswith("\n") else text + "\n").encode("utf-8")
    fd, tmp = _open_temporary(folder, name)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if immediate:
                os.fsync(fd)
        finally:
            os.close(fd)
        if immediate:
            os.replace(tmp, target)
        else:
            places.add(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
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
    out: str | Path,
    source: str,
    article_id: str,
    title: str | None,
    text: str,
    used: set[str],
    defer: Deferred | None = None,
) -> None:
    """``out/text/<source>.txt``: title, blank line, body; ``used`` (relative names) keeps two
    sources apart.

    Names come from the source only, never from a record's id. ``defer``: see :func:`write_text_file`.
    """
    body = (title + "\n\n" if title else "") + text
    rel = _safe_relname(source)
    if rel in used:  # two sources that reduce to one name
        tag = stable_id(source)[:8]
        while rel in used:
            rel = f"{rel[:-4]}_{tag}.txt"  # every name ends in ".txt"
    out = os.fspath(out)
    root = f"{out}{os.sep}{TEXT_DIR}"
    try:
        write_text_file(root, rel, body, within=out, defer=defer)
    except (OSError, ValueError):
        # the mirrored name cannot be made (a file where a folder is needed, a link leading
        # out of --out): fall back to a flat name that is always safe
        rel = f"_{stable_id(source)}.txt"
        write_text_file(root, rel, body, within=out, defer=defer)
    used.add(rel)


#: one encoder for every line: ``json.dumps`` with any non-default option builds a new one per call
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=False)


def dumps(record: dict[str, Any]) -> str:
    return _ENCODER.encode(record) + "\n"


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
        self.used_paths: set[str] = set()
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
    used: set[str] = set()
    deferred = Deferred()
    with open(articles_file, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                write_article_text(
                    out, rec["source"], rec["id"], rec.get("title"), rec["text"], used, deferred
                )
    deferred.publish(out)
