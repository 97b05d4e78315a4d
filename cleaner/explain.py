"""``cleaner explain``: every line of one input with its decision and reason."""

from __future__ import annotations

from .config import Config
from .extract import extract
from .pipeline import clean
from .sources import Item, load


def explain_file(path: str, config: Config, width: int | None = 100) -> str:
    doc = load(Item(source=path, path=path), config)
    if doc.rejected:
        return f"{path}: rejected: {doc.rejected}"
    extract(doc)
    doc = clean(doc, config)
    out = [f"# {path}"]
    if "extraction" in doc.metadata:
        out.append(f"# extraction: {doc.metadata['extraction']} (line numbers are of the extracted text)")
    kept = sum(1 for d in doc.decisions if d.keep)
    out.append(f"# {kept} of {len(doc.decisions)} lines kept")
    for d in doc.decisions:
        text = d.text if width is None or len(d.text) <= width else d.text[: width - 1] + "…"
        out.append(f"{d.line:5} {'KEEP' if d.keep else 'drop'} {d.reason:<16} {text}")
    out.append("")
    out.append(f"title:    {doc.title!r}")
    for key in ("author", "sitename", "published", "url"):
        if doc.metadata.get(key):
            out.append(f"{key + ':':<9} {doc.metadata[key]!r}")
    if doc.rejected:
        out.append(f"verdict:  would be rejected: {doc.rejected}")
    return "\n".join(out)
