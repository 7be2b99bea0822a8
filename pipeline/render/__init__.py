"""Rendering: a translated document to Markdown, JSON and a self-contained HTML reader, and a batch of
them to ``index.md``, ``digest.md`` and ``digest.html`` (pure functions, no I/O).

- :mod:`.markdown` — bilingual Markdown (short front matter, summaries, aligned tables, flag list);
- :mod:`.jsonout` — the JSON twin, the contract for tools;
- :mod:`.html` — the HTML reader (Jinja2, autoescaped, templates in ``templates/``);
- :mod:`.docx`, :mod:`.tmx`, :mod:`.xliff` — for translation work: bilingual Word, TMX 1.4b, XLIFF 1.2
  (bytes; :mod:`.exchange` holds what they share);
- :mod:`.tables` — ``segments.csv`` / ``segments.xlsx`` beside ``segments.parquet``;
- :mod:`.collection` — the batch files, built from the per-document JSON one report at a time;
- :mod:`.flags` — flags and figures as a reader reads them, shared by all of the above.
"""

from .collection import (
    ReportEntry,
    iter_digest_html,
    iter_digest_markdown,
    iter_index,
    render_collection,
    render_digest_html,
    render_digest_markdown,
    render_index,
)
from .html import render_html
from .jsonout import iter_json, render_json
from .markdown import escape_markdown, render_markdown

__all__ = [
    "ReportEntry",
    "escape_markdown",
    "iter_digest_html",
    "iter_digest_markdown",
    "iter_index",
    "render_digest_html",
    "render_digest_markdown",
    "render_html",
    "render_collection",
    "render_index",
    "iter_json",
    "render_json",
    "render_markdown",
]
