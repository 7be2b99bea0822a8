"""A document as a bilingual Word file (a pure function, no I/O; python-docx).

Title in both languages, issuer and date, the executive summary, then every section as a heading (Chinese
marker and title, the English title on the next line of the same heading) with its summary (a labelled
list) above a two-column table of its sentences, 中文 | English. Every flag is a Word comment on the
English it concerns; a translation memory's match is a comment too. The zip entries carry a fixed date,
so a rerun gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile

from ..document import Bilingual, Document, Section, Segment, Summary
from .exchange import TOOL, origin_of, xml_text
from .flags import flag_lines, notices, qa_sentence

INITIALS = "ZR"
_ORIGIN_NOTE = {"tm": "English from the translation memory", "human": "English corrected by a person"}


def _comment(document, run, text: str) -> None:
    from docx.oxml.ns import qn

    comment = document.add_comment(run, text=xml_text(text), author=TOOL, initials=INITIALS)
    comment._element.attrib.pop(qn("w:date"), None)  # optional in OOXML; the time of rendering is not a fact


def _comment_flags(document, run, flags) -> None:
    for line in flag_lines(flags):
        _comment(document, run, line.text)


def _heading(document, zh: str, title: Bilingual, level: int) -> None:
    p = document.add_heading(level=level)
    p.add_run(xml_text(zh))
    if title.en:
        p.add_run().add_break()
        run = p.add_run(xml_text(title.en))
        _comment_flags(document, run, title.flags)


def _summary(document, summary: Summary | None, label: str) -> None:
    if summary is None or not summary.sentences:
        return
    p = document.add_paragraph()
    p.add_run(label).bold = True
    for sentence in summary.sentences:
        item = document.add_paragraph(style="List Bullet")
        run = item.add_run(xml_text(sentence.text))
        _comment_flags(document, run, sentence.flags)


def _sentence_table(document, segments: list[Segment]) -> None:
    if not segments:
        return
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    header = table.rows[0].cells
    header[0].paragraphs[0].add_run("中文").bold = True
    header[1].paragraphs[0].add_run("English").bold = True
    for seg in segments:
        zh_cell, en_cell = table.add_row().cells
        zh_cell.paragraphs[0].add_run(xml_text(seg.zh))
        run = en_cell.paragraphs[0].add_run(xml_text(seg.en or ""))
        origin = origin_of(seg)
        if origin in _ORIGIN_NOTE:
            source = f" ({xml_text(str(seg.tm.get('source')))})" if origin == "tm" and seg.tm else ""
            _comment(document, run, _ORIGIN_NOTE[origin] + source)
        elif seg.tm:  # a memory match offered beside the machine translation
            _comment(document, run, f"Translation memory, {round(100 * float(seg.tm.get('score', 0)))}% match "
                                    f"({seg.tm.get('source', '')}): {seg.tm.get('en', '')}")
        _comment_flags(document, run, seg.flags)


def _section(document, sec: Section) -> None:
    _heading(document, sec.marker + sec.title.zh, sec.title, min(max(sec.level, 1), 9))
    _summary(document, sec.summary, "Summary")
    _sentence_table(document, sec.segments)
    for child in sec.sections:
        _section(document, child)


def _fixed_dates(data: bytes) -> bytes:
    """The same package with every zip entry dated 1980-01-01 (python-docx stamps the time of saving)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), src.read(info),
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def render_docx(doc: Document, banner: str | None = None) -> bytes:
    """The Word document as bytes. ``banner``: a line shown above everything (e.g. a preview warning)."""
    from docx import Document as WordDocument

    document = WordDocument()
    document.core_properties.title = xml_text(doc.title.en or doc.title.zh)[:255]
    document.core_properties.author = TOOL
    for line in ([banner] if banner else []) + notices(doc.provenance):
        document.add_paragraph().add_run(xml_text(line)).bold = True
    _heading(document, doc.title.zh or doc.source, doc.title, 0)
    byline = " · ".join(xml_text(str(x)) for x in (doc.issuer, doc.date or doc.meta.get("发布日期")) if x)
    if byline:
        document.add_paragraph(byline)
    _summary(document, doc.summary, "Executive summary")
    if doc.qa:
        document.add_paragraph(qa_sentence(doc.qa))
    _sentence_table(document, doc.preamble)
    for sec in doc.sections:
        _section(document, sec)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_dates(buffer.getvalue())
