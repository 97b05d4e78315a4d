"""Language detection: langdetect behind one small function, seeded, guarded and bounded.

langdetect is unseeded by default (answers change run to run) and raises on text without letters;
its cost grows with the text, so it reads a bounded sample of the clean body.
"""

from __future__ import annotations

from functools import lru_cache

from .document import Document

#: characters of the clean body sampled for detection
SAMPLE_CHARS = 1500
UNDETERMINED = "und"


@lru_cache(maxsize=1)
def _factory():
    # a private factory (not langdetect's module-global one), loaded once per process (~0.5 s)
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)
    return factory


def _sample(text: str, size: int = SAMPLE_CHARS) -> str:
    if len(text) <= size:
        return text
    half = size // 2
    middle = len(text) // 2
    return text[:half] + "\n" + text[middle : middle + half]


def detect(text: str) -> str:
    """ISO 639-1 code (langdetect's, e.g. ``en``, ``zh-cn``) or ``und`` when it cannot tell."""
    from langdetect.lang_detect_exception import LangDetectException

    sample = _sample(text)
    if not any(ch.isalpha() for ch in sample):
        return UNDETERMINED
    detector = _factory().create()
    detector.append(sample)
    try:
        return detector.detect()
    except LangDetectException:
        return UNDETERMINED


def language(doc: Document, langs: tuple[str, ...] = ()) -> Document:
    """Set ``doc.lang``; reject the document when ``langs`` is given and does not include it."""
    if doc.rejected:
        return doc
    doc.lang = detect(doc.text)
    if langs and doc.lang not in langs and doc.lang.split("-")[0] not in langs:
        doc.reject(f"language {doc.lang} not in --lang {','.join(langs)}")
    return doc
