"""Bytes to text: declared charset, byte-order marks, UTF-8, then detection (charset-normalizer).

Scraped folders hold files in every encoding and some that are not text at all. Text that can be
decoded is decoded; what cannot is refused with a reason a person can act on.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

#: magic numbers of binary formats that turn up in scraped folders under a text name
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"RIFF", "a RIFF (WebP/WAV/AVI) file"),
    (b"\x7fELF", "an executable"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ", "an xz archive"),
    (b"OggS", "an Ogg media file"),
    (b"ID3", "an MP3 file"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]{2,40})""", re.I)


class UndecodableInput(ValueError):
    """The bytes are not text in any encoding we can recognise; the message is the reason."""


def sniff_binary(data: bytes) -> str | None:
    """Name the binary format of ``data``, or None when it may be text."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    return None


def _declared(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(data: bytes, html: bool = False) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise :class:`UndecodableInput` with the reason otherwise."""
    what = sniff_binary(data)
    if what:
        raise UndecodableInput(f"binary file: looks like {what}, not text or HTML")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc.replace("-sig", "")
            except UnicodeDecodeError as exc:
                raise UndecodableInput(f"broken {enc} text after its byte-order mark: {exc.reason}") from exc
    if html:
        enc = _declared(data)
        if enc:
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                pass  # the declaration lies; detect below
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:8192] and data.count(b"\x00") > len(data) // 100:
        # NUL bytes without a UTF-16 BOM: binary (UTF-16 without BOM is rare in scraped text)
        guess = charset_normalizer.from_bytes(data[:65536], cp_isolation=["utf_16_le", "utf_16_be"]).best()
        if guess is None or guess.chaos > 0.2:
            raise UndecodableInput("binary file: contains NUL bytes and decodes as no text encoding")
        return data.decode(guess.encoding, "replace"), guess.encoding
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise UndecodableInput("binary file: decodes as no text encoding (charset-normalizer found none)")
    if best.chaos > 0.5:
        raise UndecodableInput(f"binary file: the best guess ({best.encoding}) decodes to noise")
    return str(best), best.encoding
