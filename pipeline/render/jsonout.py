"""The JSON twin of a document: the contract for tools (see README, "Output")."""

from __future__ import annotations

import json

from ..document import Document


def render_json(doc: Document) -> str:
    """Every field of the document model, UTF-8 text kept readable (``ensure_ascii=False``)."""
    return json.dumps(doc.to_dict(), ensure_ascii=False, indent=2) + "\n"
