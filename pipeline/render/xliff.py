"""A document as XLIFF 1.2 (a pure function, no I/O), for translation tools (OmegaT, Trados Studio, memoQ).

Why 1.2 and not 2.x: 1.2 is the version all three import and export natively today (Trados' own
``.sdlxliff`` and memoQ's ``.mqxliff`` are 1.2 dialects; OmegaT reads 1.2 with its bundled filter, 2.x
only through the Okapi plug-in), and its ``state``/``state-qualifier`` and ``alt-trans`` carry exactly what
a reviewer needs: machine translation to review, memory matches offered beside it.

One ``<file>`` per report (``original`` = the input's name), the title as ``<trans-unit id="title"
resname="heading">``, a ``<group>`` per section (``resname`` = its Chinese heading, a note with both
languages) starting with its heading (``id="sec-N-title"``), one ``<trans-unit id=SEGMENT_ID>`` per segment: ``<source>``,
``<target>`` with its state (model: needs-review-translation/mt-suggestion; memory: translated/exact-match
or needs-review-translation/fuzzy-match; human: final, approved), a memory's fuzzy offer as ``<alt-trans>``
and every flag as a ``<note>``. Validated in the tests against the XLIFF 1.2 schema (the elements used).
"""

from __future__ import annotations

from lxml import etree

from ..document import Bilingual, Document, Section, Segment
from .exchange import SOURCE_LANG, TARGET_LANG, TOOL, TOOL_VERSION, title_id, xml_text
from .flags import clean_text, flag_lines, notices

NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_STATES = {  # origin -> (state, state-qualifier)
    "model": ("needs-review-translation", "mt-suggestion"),
    "human": ("final", None),
}


def _el(parent: etree._Element, tag: str, attrs: dict[str, str] | None = None, text: str | None = None):
    el = etree.SubElement(parent, f"{{{NS}}}{tag}", attrs or {})
    if text is not None:
        el.text = xml_text(text)
    return el


def target_state(seg: Segment | Bilingual) -> tuple[str, str | None]:
    if seg.origin == "tm":
        exact = (getattr(seg, "tm", None) or {"kind": "exact"}).get("kind") == "exact"
        return ("translated", "exact-match") if exact else ("needs-review-translation", "fuzzy-match")
    return _STATES.get(seg.origin or "model", _STATES["model"])


def _unit(parent: etree._Element, seg: Segment | Bilingual, unit_id: str, heading: bool = False) -> None:
    attrs = {"id": xml_text(unit_id), "approved": "yes" if seg.origin == "human" else "no"}
    if heading:
        attrs["resname"] = "heading"
    tu = _el(parent, "trans-unit", attrs)
    _el(tu, "source", {XML_LANG: SOURCE_LANG}, seg.zh)
    if seg.en is not None:
        state, qualifier = target_state(seg)
        attrs = {XML_LANG: TARGET_LANG, "state": state}
        if qualifier:
            attrs["state-qualifier"] = qualifier
        _el(tu, "target", attrs, seg.en)
    tm = getattr(seg, "tm", None)
    if tm and seg.origin != "tm":  # a memory match offered, not used: the reviewer sees it beside the MT
        alt = _el(tu, "alt-trans", {"match-quality": f"{round(100 * float(tm.get('score', 0)))}%",
                                    "origin": xml_text(str(tm.get("source", "translation memory")))})
        _el(alt, "source", {XML_LANG: SOURCE_LANG}, str(tm.get("zh", "")))
        _el(alt, "target", {XML_LANG: TARGET_LANG}, str(tm.get("en", "")))
    for line in flag_lines(seg.flags):
        _el(tu, "note", {"from": TOOL, "annotates": "target", "priority": "2"}, line.text)


def _has_units(sec: Section) -> bool:
    return bool(sec.title.zh or sec.segments) or any(_has_units(s) for s in sec.sections)


def _group(parent: etree._Element, sec: Section) -> None:
    if not _has_units(sec):  # an XLIFF group holds at least one unit
        return
    heading_zh = clean_text(sec.marker + sec.title.zh)
    group = _el(parent, "group", {"id": xml_text(sec.id), "resname": xml_text(heading_zh)})
    _el(group, "note", {"from": TOOL}, f"{heading_zh} · {clean_text(sec.title.en or '')}".strip(" ·"))
    if sec.title.zh:
        _unit(group, sec.title, title_id(sec), heading=True)
    for seg in sec.segments:
        _unit(group, seg, seg.id)
    for child in sec.sections:
        _group(group, child)


def render_xliff(doc: Document) -> bytes:
    root = etree.Element(f"{{{NS}}}xliff", {"version": "1.2"}, nsmap={None: NS})
    file = _el(root, "file", {"original": xml_text(doc.source) or "report", "source-language": SOURCE_LANG,
                              "target-language": TARGET_LANG, "datatype": "plaintext", "tool-id": TOOL})
    header = _el(file, "header")
    _el(header, "tool", {"tool-id": TOOL, "tool-name": TOOL, "tool-version": TOOL_VERSION})
    for notice in notices(doc.provenance):
        _el(header, "note", {"from": TOOL, "priority": "1"}, notice)
    if doc.title.zh:
        _el(header, "note", {"from": TOOL}, f"{clean_text(doc.title.zh)} · {clean_text(doc.title.en or '')}".strip(" ·"))
    body = _el(file, "body")
    if doc.title.zh:
        _unit(body, doc.title, title_id(None), heading=True)
    for seg in doc.preamble:
        _unit(body, seg, seg.id)
    for sec in doc.sections:
        _group(body, sec)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
