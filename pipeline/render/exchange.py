"""What the exchange formats (TMX, XLIFF, Word, CSV/XLSX) share: the sentence units of a document in
order with their section, the language codes, and text made safe for XML.

A unit is one segment (the unit of alignment); headings stay context (a section path, a group name), so
that a file brought back with ``import-edits`` maps one to one onto the report's segments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .. import __version__
from ..document import Bilingual, Document, Section, Segment
from .flags import clean_text, flag_lines

TOOL = "zh-report-pipeline"
TOOL_VERSION = __version__
SOURCE_LANG = "zh-CN"  # the codes CAT tools expect (BCP 47), whatever the model calls the languages
TARGET_LANG = "en"

# Characters XML 1.0 cannot carry (C0 controls but tab, CR, LF; U+FFFE, U+FFFF; lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str | None) -> str:
    """``text`` as XML may carry it: direction controls and characters XML 1.0 forbids removed."""
    return _NOT_XML.sub("", clean_text(text))


@dataclass
class Unit:
    """One segment, or a title or heading (``heading``), with where it sits: its section (None for the
    report's title and the preamble) and the section path."""

    id: str
    segment: Segment | Bilingual
    section: Section | None
    path: list[Section]
    heading: bool = False

    @property
    def path_zh(self) -> str:
        return " > ".join(clean_text(s.marker + s.title.zh) for s in self.path)

    @property
    def path_en(self) -> str:
        return " > ".join(clean_text(s.title.en or "") for s in self.path)

    @property
    def flag_texts(self) -> list[str]:
        return [line.text for line in flag_lines(self.segment.flags)]


def title_id(sec: Section | None) -> str:
    """The unit id of a heading (``sec-2-title``) or of the report's title (``title``, for None)."""
    return f"{sec.id}-title" if sec is not None else "title"


def iter_units(doc: Document, *, headings: bool = True) -> Iterator[Unit]:
    """Every unit of ``doc`` in document order: its title, the preamble, then each section's heading and its
    segments (``headings=False``: the segments only)."""
    if headings and doc.title.zh:
        yield Unit(title_id(None), doc.title, None, [], heading=True)
    for seg in doc.preamble:
        yield Unit(seg.id, seg, None, [])

    def walk(sections: list[Section], path: list[Section]) -> Iterator[Unit]:
        for sec in sections:
            here = path + [sec]
            if headings and sec.title.zh:
                yield Unit(title_id(sec), sec.title, sec, here, heading=True)
            for seg in sec.segments:
                yield Unit(seg.id, seg, sec, here)
            yield from walk(sec.sections, here)

    yield from walk(doc.sections, [])


def origin_of(seg: Segment | Bilingual) -> str:
    """Where a segment's English came from: "model", "tm" or "human" (older JSON without it: "model")."""
    return seg.origin or ("model" if seg.en else "none")


def translator_ref(doc: Document) -> str:
    """``model@revision`` of the document's translator, from its provenance (empty when unknown)."""
    info = doc.provenance.get("translator") if isinstance(doc.provenance, dict) else None
    if not isinstance(info, dict) or not info.get("model"):
        return ""
    model = str(info["model"])
    return f"{model}@{info['revision']}" if info.get("revision") else model
