"""Segmentation: report text -> :class:`Document` (front matter, heading tree, sentences).

The stage is a pure function over text, in four steps:

Modules: ``cleanup`` (1), ``frontmatter`` and ``backmatter`` (2: metadata, title, number, addressee,
byline; signature, notes, footer), ``paragraphs``, ``markers`` and ``outline`` (3: rejoined lines,
heading markers, the heading tree) and ``sentences`` (sentence ends, clause splits of long sentences).

1. :func:`clean_text` turns the shapes reports come in (scraped HTML, Markdown, PDF extraction) into
   plain lines; markup, page chrome (page numbers and the running header printed next to them) and
   invisible characters are the only things it removes.
2. :func:`split_front_matter` takes the metadata table, title, issuer/date line and salutation off the top,
   and a notice's signature (issuer and date lines, usually at the bottom) and the site footer off the end.
3. :func:`segment_body` rejoins hard-wrapped lines into paragraphs, finds headings and splits the text
   between them into sentences, numbering segments ("s1", ...) and sections ("sec-1-2") by position. It
   never drops or reorders a visible character: the markers, titles and segments it returns,
   concatenated, are the body without its whitespace.
4. :func:`segment` wires the three together into a :class:`Document`.

Heading levels come from the document itself, not from a fixed table: a stack holds the open headings;
a marker kind already on the stack closes everything below it (a sibling), a new kind opens a child.
A marker counts only at a paragraph start or right after a sentence end, and only if it continues its
sequence (二 after 一) or starts one; that is what keeps ``3月10日``, ``1.2%`` or ``第8、`` in the text.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.document import Bilingual, Document

from .chrome import is_chrome_line
from .cleanup import SENTENCE_TERMINATORS, clean_text, take_yaml_front_matter
from .frontmatter import FrontMatter, split_front_matter
from .lint import SUBTITLE_START, TITLE_NAMES_A_DOCUMENT, lint_document
from .outline import format_outline, parse_outline, segment_body
from .paragraphs import join_wrapped_lines
from .sentences import split_long_sentence, split_sentences

__all__ = [
    "SENTENCE_TERMINATORS", "FrontMatter", "apply_input_meta", "clean_text", "format_outline", "lint_document", "join_wrapped_lines", "segment",
    "segment_body", "split_front_matter", "split_long_sentence", "split_sentences", "take_yaml_front_matter",
]


def segment(
    text: str,
    *,
    source: str = "",
    max_tokens: int | None = None,
    count_tokens: Callable[[str], int] | None = None,
) -> Document:
    """Segment a report's text into a :class:`Document` with every ``en`` field left None.

    When ``max_tokens`` and ``count_tokens`` are given, a sentence longer than the translator accepts
    keeps ``zh`` whole and gets ``pieces`` split at clause boundaries (see :func:`split_long_sentence`).
    """
    if (max_tokens is None) != (count_tokens is None):
        raise ValueError("segment: max_tokens and count_tokens must be given together")
    suffix = source.rsplit(".", 1)[-1].lower() if "." in source else ""
    markdown = True if suffix in ("md", "markdown") else None
    yaml_meta: dict[str, str] = {}
    if markdown or text.lstrip("\ufeff").startswith("---"):
        yaml_meta, text = take_yaml_front_matter(text)
        markdown = True if yaml_meta else markdown
    front = split_front_matter(clean_text(text, markdown=markdown))
    # A PDF's lines were rejoined by the reader from the page layout, better than text can tell.
    parse = parse_outline(front.body, max_tokens=max_tokens, count_tokens=count_tokens, rejoin_lines=suffix != "pdf")
    preamble, sections = parse.preamble, parse.sections
    doc = Document(
        source=source,
        # A Markdown file's front matter names the title when the text does not.
        title=Bilingual(front.title or yaml_meta.get("title", "")),
        meta={**yaml_meta, **front.meta},
        issuer=front.issuer,
        date=front.date,
        salutation=front.salutation,
        preamble=preamble,
        sections=sections,
        qa={"outline": {"confidence": parse.confidence, "shape": parse.shape, "problems": parse.problems}},
    )
    doc.qa["lint"] = [finding.to_dict() for finding in lint_document(doc)]
    return doc


def apply_input_meta(doc: Document, meta: dict[str, str]) -> Document:
    """A table row's metadata columns (``title``, ``publish_date``, ``source_url``, …) into ``doc.meta``;
    the ``title`` column names the document when its text has no title of its own, or only a generic
    one that the column's title ends with ("政府工作报告" under "2026年广东省政府工作报告"). The lint is redone
    (in place; returned)."""
    doc.meta.update({key: value for key, value in meta.items() if value})
    table_title = meta.get("title", "").strip()
    if table_title:
        own = doc.title.zh.strip()
        main = SUBTITLE_START.split(own, 1)[0].strip()
        if not own or is_chrome_line(own) or not TITLE_NAMES_A_DOCUMENT.search(main):
            doc.title = Bilingual(table_title)
        elif main != table_title and table_title.endswith(main):
            doc.title = Bilingual(table_title + own[len(main) :])
    doc.qa["lint"] = [finding.to_dict() for finding in lint_document(doc)]
    return doc


