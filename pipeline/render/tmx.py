"""A document as TMX 1.4b (a pure function, no I/O): one translation unit per segment.

Each ``<tu>`` has ``tuid`` = the segment id (``title`` and ``sec-N-title`` for the title and headings, with
``x-kind: heading``) and its provenance as properties (``x-origin``: model, tm or human; ``x-section``;
``x-translator``; ``x-flag``), then the Chinese and the English ``<tuv>``. The
header names the report (``x-report``: its input's name) so that ``import-edits`` finds it again. No
timestamps: a rerun gives the same bytes. Validated in the tests against the TMX 1.4b DTD.
"""

from __future__ import annotations

from lxml import etree

from ..document import Document
from .exchange import SOURCE_LANG, TARGET_LANG, TOOL, TOOL_VERSION, iter_units, origin_of, translator_ref, xml_text
from .flags import notices

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DOCTYPE = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'


def _prop(parent: etree._Element, kind: str, value: str) -> None:
    el = etree.SubElement(parent, "prop", type=kind)
    el.text = xml_text(value)


def render_tmx(doc: Document) -> bytes:
    root = etree.Element("tmx", version="1.4")
    header = etree.SubElement(root, "header", {
        "creationtool": TOOL, "creationtoolversion": TOOL_VERSION, "segtype": "sentence",
        "o-tmf": f"{TOOL} JSON", "adminlang": "en", "srclang": SOURCE_LANG, "datatype": "plaintext",
    })
    for notice in notices(doc.provenance):
        etree.SubElement(header, "note").text = xml_text(notice)
    _prop(header, "x-report", doc.source)
    if doc.title.zh:
        _prop(header, "x-title", doc.title.zh)
    body = etree.SubElement(root, "body")
    translator = translator_ref(doc)
    for unit in iter_units(doc):
        seg = unit.segment
        tu = etree.SubElement(body, "tu", tuid=xml_text(unit.id))
        _prop(tu, "x-origin", origin_of(seg))
        if unit.heading:
            _prop(tu, "x-kind", "heading")
        if unit.path:
            _prop(tu, "x-section", unit.path_zh)
        if translator and origin_of(seg) == "model":
            _prop(tu, "x-translator", translator)
        tm = getattr(seg, "tm", None)
        if seg.origin == "tm" and tm:
            _prop(tu, "x-tm-source", str(tm.get("source", "")))
        for text in unit.flag_texts:
            _prop(tu, "x-flag", text)
        for lang, text in ((SOURCE_LANG, seg.zh), (TARGET_LANG, seg.en)):
            if text is None:
                continue  # not translated: the unit carries its source only (a TMX unit needs one tuv)
            tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
            etree.SubElement(tuv, "seg").text = xml_text(text)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True, doctype=DOCTYPE)
