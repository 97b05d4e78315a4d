"""cleaner: scraped news articles in, clean deduplicated canonical articles out.

Use it from Python:

>>> from cleaner import clean_text
>>> clean_text("You may also like\\nTen things to do in Paris").text
''
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import clean_document, clean_html, process_documents  # noqa: E402
from .clean import CleanResult, clean_text  # noqa: E402
from .config import Config  # noqa: E402
from .document import Decision, Document  # noqa: E402

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
