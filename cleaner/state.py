"""What must outlive a run for cron use: inputs already processed, signatures of emitted articles.

One SQLite file (stdlib ``sqlite3``, no server) next to a lock file. A run's output files and its
state update are committed as one step: the files are written under temporary names first, then ONE
transaction records the inputs, the new signatures and the run with the names of its files, and only
then are the files renamed into place. A run killed before that transaction left nothing but
temporary files (removed on the next start, which redoes the work); a run killed after it is finished
by the next start (:meth:`State.recover` renames what is left), so no article is lost or emitted twice.

Signatures are only comparable with the same MinHash settings, so the state records them (datasketch
major version, scheme, hash, permutations, seed, shingle size, word normalisation) and refuses to mix.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import dedup
from .config import Config
from .signals import KILL_ENV as KILL_ENV
from .signals import checkpoint
from .sources import Item

SCHEMA = "1"
#: bump when ``dedup.normalise`` or ``dedup.shingle_hashes`` change what a shingle is
SHINGLING = "words-nfkc-casefold/xxh32-v1"
#: exit code of a run refused because another run holds the lock (sysexits.h EX_TEMPFAIL)
EX_TEMPFAIL = 75

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS inputs (
    key TEXT PRIMARY KEY,          -- absolute path for files, the source for JSON records
    source TEXT NOT NULL,
    size INTEGER, mtime_ns INTEGER,  -- files only: unchanged size and mtime skip the hash
    digest TEXT NOT NULL,          -- sha256 of the content (record: of its JSON; error: of the error)
    outcome TEXT NOT NULL,         -- article | duplicate | rejected
    article_id TEXT,               -- the article it became or is a duplicate of
    run_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS signatures (
    sig INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL,
    source TEXT NOT NULL,
    run_id TEXT NOT NULL,
    created REAL NOT NULL,         -- unix time of the commit; --keep-days expires by it
    words INTEGER NOT NULL,
    hashvalues BLOB NOT NULL,      -- uint32 MinHash values, little-endian
    shingles BLOB NOT NULL         -- sorted unique uint32 shingle hashes, little-endian
);
CREATE INDEX IF NOT EXISTS signatures_created ON signatures (created);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    stamp TEXT NOT NULL,
    out TEXT NOT NULL,
    files TEXT NOT NULL,           -- JSON [[temporary, final], ...]
    text_files INTEGER NOT NULL,
    status TEXT NOT NULL,          -- committed (files may still need renaming) | done
    summary TEXT
);
"""


class StateError(Exception):
    """The state cannot be used for this run (incompatible settings, unreadable file)."""


class Locked(Exception):
    """Another run holds the state's lock."""


def lock(state_path: str | Path) -> int:
    """Take the run lock ``<state>.lock`` or raise :class:`Locked`; returns the fd to keep open.

    POSIX record locks (``lockf``) belong to this process only: worker processes forked later do not
    inherit them, so an orphaned worker can never keep the lock after its parent was killed, and the
    kernel releases the lock when the process dies, however it dies.
    """
    path = Path(f"{state_path}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.EAGAIN):
            raise
        holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        raise Locked(f"another cleaner run (pid {holder}) is using {state_path}") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def signature_settings(config: Config) -> dict[str, str]:
    """What makes stored signatures comparable with new ones (recorded in the state's ``meta``)."""
    return {
        "datasketch_major": dedup.datasketch_version().split(".")[0],
        "scheme": dedup.SCHEME,
        "hash": dedup.HASH,
        "shingling": SHINGLING,
        "num_perm": str(config.num_perm),
        "seed": str(config.seed),
        "shingle_size": str(config.shingle_size),
    }


@dataclass(frozen=True)
class Fingerprint:
    """How an input looked when it was read: compared on the next run to skip it if unchanged."""

    key: str
    source: str
    digest: str
    size: int | None = None
    mtime_ns: int | None = None


@dataclass(frozen=True)
class Outcome:
    """Where one processed input ended up (written to ``inputs`` with its fingerprint)."""

    fingerprint: Fingerprint
    outcome: str  #: article | duplicate | rejected
    article_id: str | None


@dataclass(frozen=True)
class Earlier:
    """A signature of an article emitted by an earlier run."""

    sig: int
    article_id: str
    source: str
    signature: dedup.Signature


def _blob(arr: np.ndarray) -> bytes:
    return np.ascontiguousarray(arr, dtype="<u4").tobytes()


def _array(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)


def _sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class State:
    """The SQLite state of ``--state FILE``; open it only while holding :func:`lock`."""

    def __init__(self, path: str | Path, config: Config) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None)
            self.db.execute("PRAGMA synchronous = FULL")
            self.db.executescript(_TABLES)
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{path} is not a usable cleaner state ({exc})") from exc
        self._check(config)

    def close(self) -> None:
        self.db.close()

    # -- settings ---------------------------------------------------------------------------------

    def _check(self, config: Config) -> None:
        want = {"schema": SCHEMA, **signature_settings(config)}
        have = dict(self.db.execute("SELECT key, value FROM meta"))
        if not have:
            with self._transaction():
                self.db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(want.items()))
                self.db.execute(
                    "INSERT INTO meta VALUES ('datasketch_version', ?)", (dedup.datasketch_version(),)
                )
            return
        diff = [f"{k}: state {have.get(k)!r}, this run {v!r}" for k, v in want.items() if have.get(k) != v]
        if diff:
            raise StateError(
                f"{self.path} holds signatures made with other settings ({'; '.join(diff)}). "
                "Signatures from different MinHash settings cannot be compared: run with the "
                "settings the state was made with, or start a new state file."
            )

    # -- inputs -----------------------------------------------------------------------------------

    def fingerprint(self, item: Item) -> tuple[Fingerprint, bool]:
        """The input's fingerprint and whether it is unchanged since it was last processed."""
        if item.record is not None:
            data = json.dumps(item.record, sort_keys=True, ensure_ascii=False, default=str)
            fp = Fingerprint(
                item.source, item.source, hashlib.sha256(data.encode("utf-8", "replace")).hexdigest()
            )
            return fp, self._known(fp)
        if item.path is None or item.error:
            digest = hashlib.sha256(f"error:{item.error}".encode("utf-8", "replace")).hexdigest()
            fp = Fingerprint(item.source, item.source, digest)
            return fp, self._known(fp)
        key = os.path.abspath(item.path)
        try:
            st = os.stat(item.path)
        except OSError:  # vanished since discovery: let the pipeline reject it with the reason
            return Fingerprint(key, item.source, "unreadable"), False
        row = self.db.execute("SELECT size, mtime_ns, digest FROM inputs WHERE key = ?", (key,)).fetchone()
        if row is not None and row[0] == st.st_size and row[1] == st.st_mtime_ns:
            return Fingerprint(key, item.source, row[2], st.st_size, st.st_mtime_ns), True
        try:
            digest = _sha256_file(item.path)
        except OSError:
            return Fingerprint(key, item.source, "unreadable"), False
        fp = Fingerprint(key, item.source, digest, st.st_size, st.st_mtime_ns)
        return fp, row is not None and row[2] == digest

    def _known(self, fp: Fingerprint) -> bool:
        row = self.db.execute("SELECT digest FROM inputs WHERE key = ?", (fp.key,)).fetchone()
        return row is not None and row[0] == fp.digest

    # -- signatures of earlier articles -----------------------------------------------------------

    def earlier_hashvalues(
        self, since: float = 0.0, chunk: int = 20000
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Stored signatures made at or after ``since`` (unix time) in chunks: (sig ids, hashvalues
        matrix), so memory stays bounded however large the state grows."""
        cur = self.db.execute(
            "SELECT sig, hashvalues FROM signatures WHERE created >= ? ORDER BY sig", (since,)
        )
        while True:
            rows = cur.fetchmany(chunk)
            if not rows:
                return
            ids = np.array([r[0] for r in rows], dtype=np.int64)
            yield ids, np.vstack([_array(r[1]) for r in rows])

    def earlier(self, sig: int) -> Earlier:
        row = self.db.execute(
            "SELECT article_id, source, words, hashvalues, shingles FROM signatures WHERE sig = ?", (sig,)
        ).fetchone()
        return Earlier(sig, row[0], row[1], dedup.Signature(_array(row[3]), _array(row[4]), row[2]))

    # -- the commit -------------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def commit_run(
        self,
        run_id: str | None,
        stamp: str,
        out: Path,
        files: list[tuple[str, str]],
        text_files: bool,
        outcomes: Iterable[Outcome],
        unchanged: Iterable[Fingerprint],
        articles: Iterable[tuple[str, str, dedup.Signature]],
        keep_days: float | None,
        summary: dict[str, Any],
    ) -> int:
        """ONE transaction: the run and its files, the inputs it processed, its articles' signatures.

        ``unchanged`` are inputs skipped by content whose size or mtime moved (their new stat is
        recorded so the next run need not hash them again). Returns how many signatures expired.
        """
        now = time.time()
        with self._transaction():
            if run_id is not None:
                self.db.execute(
                    "INSERT INTO runs VALUES (?, ?, ?, ?, ?, 'committed', ?)",
                    (
                        run_id,
                        stamp,
                        str(out.resolve()),
                        json.dumps(files),
                        int(text_files),
                        json.dumps(summary),
                    ),
                )
            self.db.executemany(
                "INSERT OR REPLACE INTO inputs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        o.fingerprint.key,
                        o.fingerprint.source,
                        o.fingerprint.size,
                        o.fingerprint.mtime_ns,
                        o.fingerprint.digest,
                        o.outcome,
                        o.article_id,
                        run_id,
                    )
                    for o in outcomes
                ],
            )
            self.db.executemany(
                "UPDATE inputs SET size = ?, mtime_ns = ? WHERE key = ?",
                [(fp.size, fp.mtime_ns, fp.key) for fp in unchanged if fp.size is not None],
            )
            self.db.executemany(
                "INSERT INTO signatures (article_id, source, run_id, created, words, hashvalues, shingles) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (aid, source, run_id, now, sig.words, _blob(sig.hashvalues), _blob(sig.shingles))
                    for aid, source, sig in articles
                ],
            )
            expired = 0
            if keep_days is not None:
                expired = self.db.execute(
                    "DELETE FROM signatures WHERE created < ?", (now - keep_days * 86400,)
                ).rowcount
            checkpoint("transaction")
        return expired

    def last_stamp(self) -> str:
        """The latest run's time stamp ("" before the first run)."""
        row = self.db.execute("SELECT MAX(stamp) FROM runs").fetchone()
        return str(row[0] or "")

    def pending_runs(self) -> list[tuple[str, Path, list[tuple[str, str]], bool]]:
        """Committed runs whose files may not all be in place yet (a run killed after its commit)."""
        rows = self.db.execute(
            "SELECT run_id, out, files, text_files FROM runs WHERE status != 'done' ORDER BY stamp, run_id"
        ).fetchall()
        return [(r[0], Path(r[1]), [tuple(p) for p in json.loads(r[2])], bool(r[3])) for r in rows]

    def mark_done(self, run_id: str) -> None:
        self.db.execute("UPDATE runs SET status = 'done' WHERE run_id = ?", (run_id,))
