"""The JSON twin of a document: the contract for tools (see README, "Output")."""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..document import Document


def iter_json(doc: Document) -> Iterator[str]:
    """:func:`render_json`'s text piece by piece (to write a large document without holding its text)."""
    yield from json.JSONEncoder(ensure_ascii=False, indent=2).iterencode(doc.to_dict())
    yield "\n"


def render_json(doc: Document) -> str:
    """Every field of the document model, UTF-8 text kept readable (``ensure_ascii=False``)."""
    return "".join(iter_json(doc))
