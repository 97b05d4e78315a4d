"""cleaner: scraped news articles in, clean deduplicated canonical articles out.

Use it from Python:

>>> from cleaner import clean_text
>>> clean_text("You may also like\\nTen things to do in Paris").text
''
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: the public names and their modules, imported on first use (PEP 562): importing ``cleaner.cli``
#: for ``cleaner run`` then loads nothing before the command has paused the garbage collector for
#: its start-up (``gcpause``)
_EXPORTS = {
    "CleanResult": "clean",
    "Config": "config",
    "Decision": "document",
    "Document": "document",
    "clean_document": "api",
    "clean_html": "api",
    "clean_text": "clean",
    "process_documents": "api",
}

if TYPE_CHECKING:
    from .api import clean_document, clean_html, process_documents
    from .clean import CleanResult, clean_text
    from .config import Config
    from .document import Decision, Document

__all__ = [
    "CleanResult",
    "Config",
    "Decision",
    "Document",
    "__version__",
    "clean_document",
    "clean_html",
    "clean_text",
    "process_documents",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
