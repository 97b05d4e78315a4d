"""``cleaner explain``: every line of one input with its decision and reason."""

from __future__ import annotations

import os

from .config import Config
from .extract import extract
from .pipeline import clean
from .sources import Item, discover, load


def inputs_of(target: str) -> list[Item]:
    """The inputs ``target`` names, as ``cleaner run`` reads them: a text or HTML file is one, a JSON
    lines or ``.json`` file one per record; ``FILE#N`` (a record's ``source`` in the output) is that
    record only. ``ValueError`` says what is wrong with a target that names none."""
    if os.path.isdir(target):
        raise ValueError(f"{target} is a folder: explain takes one file, or FILE#N for one of its records")
    if os.path.lexists(target):
        return list(discover([target]))
    file, sep, number = target.rpartition("#")
    if sep and number.isdigit() and os.path.isfile(file):
        found = [item for item in discover([file]) if item.source.rpartition("#")[2] == number]
        if not found:
            raise ValueError(
                f"{file} has no record #{number} (records are numbered by line in JSON lines, "
                "by place in a .json list; 'cleaner explain FILE' shows them all)"
            )
        return found
    raise ValueError(f"no such file: {target}")


def explain_file(path: str, config: Config, width: int | None = 100) -> str:
    """What the cleaner does with each input ``path`` names (``inputs_of``), one after another."""
    return "\n\n".join(_explain(item, config, width) for item in inputs_of(path))


def _explain(item: Item, config: Config, width: int | None) -> str:
    doc = load(item, config)
    if doc.rejected:
        return f"{item.source}: rejected: {doc.rejected}"
    extract(doc)
    doc = clean(doc, config)
    out = [f"# {item.source}"]
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
