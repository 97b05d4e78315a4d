"""Bytes to text: byte-order marks, UTF-8, declared charset, then detection (charset-normalizer).

Scraped folders hold files in every encoding and some that are not text at all. Text that can be
decoded is decoded; what cannot is refused with a reason a person can act on.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer
from charset_normalizer.constant import IANA_SUPPORTED

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
_WORD = re.compile(r"\w+")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]{2,40})""", re.I)


REPLACEMENT = "\ufffd"
#: C0 controls and DEL; text has tab, newline, carriage return and form feed, binary has the others
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
#: how much more chaotic (charset-normalizer's mess ratio) windows-1252 may be and still win a tie
CHAOS_TIE = 0.05
#: encodings a page may declare (charset-normalizer's list of IANA encodings, less UTF-7)
_WEB_ENCODINGS = frozenset(IANA_SUPPORTED) - {"utf_7"}


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
        name = codecs.lookup(name).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return None  # without a byte-order mark such a declaration is wrong (browsers read it as UTF-8)
    if name.replace("-", "_") not in _WEB_ENCODINGS:
        return None  # not a text encoding of web pages ("base64", "unicode-escape", "utf-7", ...)
    if name == "iso8859-1":
        return "cp1252"  # what browsers do: pages labelled latin-1 are written in windows-1252
    return name


def decode(data: bytes, html: bool = False) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise :class:`UndecodableInput` with the reason otherwise."""
    what = sniff_binary(data)
    if what:
        raise UndecodableInput(f"binary file: looks like {what}, not text or HTML")
    text, encoding = _decode(data, html)
    _refuse_control_characters(text)
    return text, encoding


def _decode(data: bytes, html: bool) -> tuple[str, str]:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc.replace("-sig", "")
            except UnicodeDecodeError as exc:
                text = data.decode(enc, "replace")  # a damaged spot (e.g. a cut-off last byte)
                if text.count(REPLACEMENT) > max(2, len(text) // 100):
                    raise UndecodableInput(
                        f"broken {enc} text after its byte-order mark: {exc.reason}"
                    ) from exc
                return text, enc.replace("-sig", "")
    try:
        # valid UTF-8 first, even against a page's declaration: scrapers often save pages as UTF-8
        # and keep the original <meta charset>; by accident, legacy text is almost never valid UTF-8
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if html:
        enc = _declared(data)
        if enc:
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                pass  # the declaration lies; detect below
    if _mostly_utf8(data):
        return data.decode("utf-8", "replace"), "utf-8"
    if b"\x00" in data[:8192] and data.count(b"\x00") > len(data) // 100:
        # NUL bytes without a UTF-16 BOM: binary (UTF-16 without BOM is rare in scraped text)
        guess = charset_normalizer.from_bytes(data[:65536], cp_isolation=["utf_16_le", "utf_16_be"]).best()
        if guess is None or guess.chaos > 0.2:
            raise UndecodableInput("binary file: contains NUL bytes and decodes as no text encoding")
        return data.decode(guess.encoding, "replace"), guess.encoding
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        raise UndecodableInput("binary file: decodes as no text encoding (charset-normalizer found none)")
    if best.chaos > 0.5:
        raise UndecodableInput(f"binary file: the best guess ({best.encoding}) decodes to noise")
    # among single-byte code pages that decode the bytes about equally cleanly, charset-normalizer's
    # first pick is close to arbitrary on short texts (French read as Baltic cp1257 or mac-latin2);
    # windows-1252, by far the most common legacy encoding of scraped pages (and what browsers read
    # latin-1 as), wins such ties
    western = next((m for m in matches if m.encoding == "cp1252"), None)
    if western is None and best.encoding != "cp1252":
        western = charset_normalizer.from_bytes(data, cp_isolation=["cp1252"]).best()
    tied = [m for m in matches if m.chaos <= best.chaos + CHAOS_TIE and m is not western]
    if western is not None and western.chaos <= best.chaos + CHAOS_TIE:
        tied.insert(0, western)
    # ... unless another code page of the tie spells more of the text's accented words as real
    # stopwords of some language (Turkish "değil" is "deðil" in cp1252, Polish "się" is "siê")
    choice = max(tied, key=_stopword_hits) if len(tied) > 1 else (tied[0] if tied else best)
    return str(choice), choice.encoding


def _stopword_hits(match: charset_normalizer.models.CharsetMatch) -> int:
    """Words with non-ASCII letters that are stopwords of some language (justext's lists)."""
    from .clean.stopwords import stopword_index

    index = stopword_index()
    text = str(match)[:65536]
    return sum(1 for w in _WORD.findall(text) if not w.isascii() and index[w.lower()])


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few damaged bytes (cut-off or corrupted), not a legacy single-byte encoding.

    In text of a legacy encoding every accented letter is an invalid UTF-8 sequence and valid
    multi-byte sequences are rare; damaged UTF-8 has far more valid sequences than invalid ones.
    """
    text = data.decode("utf-8", "replace")
    bad = text.count(REPLACEMENT) - data.count(REPLACEMENT.encode("utf-8"))
    multibyte = sum(1 for ch in text if ord(ch) > 127) - bad
    return multibyte > 0 and bad <= multibyte


def _refuse_control_characters(text: str) -> None:
    sample = text[:65536]
    controls = len(_CONTROLS.findall(sample))  # a regex, not a per-character loop: ~50x cheaper
    if controls > max(8, len(sample) // 100):
        raise UndecodableInput(
            f"binary file: {controls} control characters in its first {len(sample)} characters"
        )
