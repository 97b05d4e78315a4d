"""Find inputs and turn each into a :class:`Document`.

Discovery (cheap, in the main process) yields :class:`Item` references in a deterministic order;
loading (reading and decoding, in a worker) makes the document. Every input found becomes exactly one
item, and an item that cannot be used carries the reason, so nothing is silently skipped.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from .config import Config
from .decode import UndecodableInput, decode
from .document import Document

TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
JSON_SUFFIXES = (".jsonl", ".json", ".ndjson")
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSON_SUFFIXES
STDIN = "-"


@dataclass(frozen=True)
class Item:
    """One input: a file to read, or a JSON record already parsed (``record``)."""

    source: str
    path: str | None = None
    record: dict[str, Any] | None = None
    error: str | None = None  #: known unusable at discovery (the rejection reason)


def printable(name: str) -> str:
    """A file name as valid UTF-8 (undecodable bytes shown as ``\\xNN``) for output and JSON."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def stable_id(source: str) -> str:
    """An id that depends only on where the input came from, so reruns give the same id."""
    return hashlib.sha1(source.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def discover(inputs: Iterable[str], stdin: IO[str] | None = None, skip: Iterable[str] = ()) -> Iterator[Item]:
    """Yield every input under ``inputs`` (files, directories walked recursively, ``-``).

    Folders in ``skip`` are not walked: an output folder inside an input folder must not be read
    back as input by the next run.
    """
    skipped = {os.path.realpath(p) for p in skip}
    inputs = list(inputs)
    overlap = len(inputs) > 1  # only several INPUTs can reach one file twice
    seen: set[tuple[str, str]] = set()  # ("input" | "file" | "source", name) already yielded
    for given in inputs:
        if given == STDIN:
            found: Iterable[Item] = _records(stdin or _stdin(), "stdin")
        elif os.path.isdir(given):
            found = _walk(given, skipped)
        elif not os.path.lexists(given):
            found = [Item(printable(given), error="no such file or directory")]
        else:
            found = _file(given, printable(os.path.normpath(given)).replace(os.sep, "/"))
        if given != STDIN and os.path.exists(given):
            key = ("input", os.path.realpath(given))
            if key in seen:
                continue  # the same INPUT named twice: read once
            seen.add(key)
        for item in found:
            unique = _unique(item, given, seen, overlap)
            if unique is not None:
                yield unique


def _unique(item: Item, given: str, seen: set[tuple[str, str]], overlap: bool) -> Item | None:
    """Keep ``source`` (and so the id) unique across INPUTs; read each file once.

    Sources are relative to their INPUT folder, so ``a/x.txt`` and ``b/x.txt`` given as ``a b`` would
    both be ``x.txt``: the later one is qualified with its INPUT as given (``b/x.txt``). A file reached
    through two INPUTs (a folder and a file inside it) is read once, under its first source.
    """
    if overlap and item.path is not None:
        real = ("file", os.path.realpath(item.path))
        if real in seen:
            return None
        seen.add(real)
    source = item.source
    if ("source", source) in seen and os.path.isdir(given):
        source = printable(os.path.normpath(given)).replace(os.sep, "/").rstrip("/") + "/" + item.source
    base, n = source, 2
    while ("source", source) in seen:
        source, n = f"{base}~{n}", n + 1
    seen.add(("source", source))
    return item if source == item.source else Item(source, path=item.path, record=item.record, error=item.error)


def _stdin() -> IO[str]:
    """Standard input as text that cannot fail to decode (bad bytes become U+FFFD)."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:
        return sys.stdin
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="replace", newline="")


def _walk(root: str, skipped: set[str] | frozenset[str] = frozenset()) -> Iterator[Item]:
    # sorted walk for a stable order; links to folders are reported, not followed (no loops, no escapes)
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append, followlinks=False):
        yield from _folder_errors(errors, root)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        if skipped:
            dirnames[:] = [d for d in dirnames if os.path.realpath(os.path.join(dirpath, d)) not in skipped]
        for d in dirnames[:]:
            full = os.path.join(dirpath, d)
            if os.path.islink(full):
                dirnames.remove(d)
                filenames.append(d)  # reported by _file below, in name order
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            yield from _file(full, _relative(full, root))
    yield from _folder_errors(errors, root)


def _relative(path: str, root: str) -> str:
    return printable(os.path.relpath(path, root)).replace(os.sep, "/")


def _folder_errors(errors: list[OSError], root: str) -> Iterator[Item]:
    for exc in errors:
        where = _relative(exc.filename, root) if exc.filename else printable(root)
        yield Item(where, error=f"unreadable folder: {exc.strerror or exc}; its files were not read")
    errors.clear()


def _file(path: str, source: str) -> Iterator[Item]:
    lower = path.lower()
    problem = _not_a_file(path)
    if problem:
        yield Item(source, error=problem)
    elif not lower.endswith(SUFFIXES):
        yield Item(source, error=f"unsupported file type (cleaner reads {', '.join(SUFFIXES)})")
    elif not os.access(path, os.R_OK):
        yield Item(source, error="unreadable: permission denied")
    elif lower.endswith(JSON_SUFFIXES):
        try:
            with open(path, encoding="utf-8", errors="replace", newline="") as fh:
                if lower.endswith(".json"):
                    yield from _json_file(fh, source)
                else:
                    yield from _records(fh, source)
        except OSError as exc:
            yield Item(source, error=f"unreadable: {exc.strerror or exc}")
    else:
        yield Item(source, path=path)


def _not_a_file(path: str) -> str | None:
    """Why ``path`` is not a regular file to read (a FIFO would block a worker forever), or None."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop: the link never reaches a file"
        if os.path.islink(path):
            return "broken symbolic link: its target does not exist"
        return f"unreadable: {exc.strerror or exc}"
    if stat.S_ISDIR(st.st_mode):
        return "symbolic link to a folder: not followed"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file (a pipe, socket or device)"
    return None


def _json_file(fh: IO[str], source: str) -> Iterator[Item]:
    """A ``.json`` file: one record, a list of records, or JSON lines."""
    text = fh.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        yield from _records(io.StringIO(text), source)
        return
    except RecursionError:
        yield Item(source, error="malformed JSON: nested too deeply")
        return
    if isinstance(data, list):
        for i, rec in enumerate(data, 1):
            yield _record_item(rec, f"{source}#{i}")
    else:
        yield _record_item(data, source)


def _records(fh: IO[str], source: str) -> Iterator[Item]:
    for lineno, line in enumerate(fh, 1):
        if not line.strip():
            continue
        where = f"{source}#{lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Item(where, error=f"malformed JSON line: {exc.msg} at column {exc.colno}")
            continue
        except RecursionError:
            yield Item(where, error="malformed JSON line: nested too deeply")
            continue
        yield _record_item(rec, where)


def _record_item(rec: Any, where: str) -> Item:
    if not isinstance(rec, dict):
        return Item(
            where, error=f"JSON record is a {type(rec).__name__}, expected an object with 'text' or 'html'"
        )
    for key in ("text", "html"):
        value = rec.get(key)
        if value is not None and not isinstance(value, str):
            return Item(
                where,
                record=rec,
                error=f"JSON record's '{key}' is a {type(value).__name__}, expected a string",
            )
    if rec.get("text") is None and rec.get("html") is None:
        return Item(where, record=rec, error="JSON record has neither 'text' nor 'html'")
    return Item(where, record=rec)


def item_id(item: Item) -> str:
    """The record's own id when it has one, else an id derived from the source."""
    return record_id(item.record or {}) or stable_id(item.source)


def load(item: Item, config: Config) -> Document:
    """Read and decode one item into a document (rejected with a reason when unusable)."""
    doc = Document(source=item.source, id=item_id(item), path=item.path)
    if item.error:
        return doc.reject(item.error)
    if item.record is not None:
        return _from_record(doc, item.record, config)
    assert item.path is not None
    try:
        size = os.path.getsize(item.path)
        if size > config.max_bytes:
            return doc.reject(f"too large: {size} bytes, over the per-document limit of {config.max_bytes}")
        with open(item.path, "rb") as fh:
            data = fh.read(config.max_bytes + 1)
    except OSError as exc:
        return doc.reject(f"unreadable: {exc.strerror or exc}")
    if len(data) > config.max_bytes:  # it grew while we looked
        return doc.reject(f"too large: over the per-document limit of {config.max_bytes} bytes")
    if not data.strip():
        return doc.reject("empty file" if not data else "only whitespace")
    is_html = item.path.lower().endswith(HTML_SUFFIXES)
    try:
        text, encoding = decode(data, html=is_html)
    except UndecodableInput as exc:
        return doc.reject(str(exc))
    doc.raw = text
    doc.kind = "html" if is_html or _looks_like_html(text) else "text"
    doc.metadata["encoding"] = encoding
    return doc


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text[:4096])


def _from_record(doc: Document, rec: dict[str, Any], config: Config) -> Document:
    text, html = _valid_text(rec.get("text")), _valid_text(rec.get("html"))
    if isinstance(text, str) and text.strip():
        doc.raw, doc.kind = text, "text"
    elif isinstance(html, str) and html.strip():
        doc.raw, doc.kind = html, "html"
    else:
        return doc.reject("JSON record's text is empty")
    if len(doc.raw) > config.max_bytes:
        return doc.reject(
            f"too large: {len(doc.raw)} characters, over the per-document limit of {config.max_bytes}"
        )
    for key in ("url", "title", "published", "author", "sitename"):
        value = rec.get(key)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and value != "":
            doc.metadata[key] = _valid_text(str(value))
    return doc


def record_id(rec: dict[str, Any]) -> str | None:
    """A JSON record's own id (a string or a number), or None; it names nothing on disk."""
    rid = rec.get("id")
    if isinstance(rid, bool) or not isinstance(rid, (str, int, float)) or rid == "":
        return None
    return _valid_text(str(rid))


def _valid_text(value: Any) -> Any:
    """``value`` with lone surrogates (valid in JSON, not encodable as UTF-8) made U+FFFD."""
    if not isinstance(value, str):
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return value
