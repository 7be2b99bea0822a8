"""Readers: a file or a table cell -> the report's text (strict decoding, refusal of what is not a report).

:func:`read_document` dispatches on what the file is: the bytes' signature first (a PDF or a Word file
keeps working under any name), then the suffix. Text, Markdown and HTML are decoded by the rule in
:mod:`.text`; PDF (:mod:`.pdf`) and Word .docx (:mod:`.docx`) are extracted into one paragraph per line;
scanned PDF pages and page images (:mod:`.image`) are read by OCR (:mod:`.ocr`).
Every failure is an :class:`~pipeline.errors.InputError` of one line with a hint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import InputError

from .image import IMAGE_SUFFIXES, is_image
from .text import canonical_encoding, check_text, decode_bytes, decode_bytes_with_encoding, read_file_bytes

__all__ = [
    "READABLE_SUFFIXES", "ReadResult", "canonical_encoding", "decode_bytes", "parse_document", "read_document",
    "read_document_text",
]

# What input discovery picks from a directory. Legacy .doc/.wps files are not picked up (they are refused
# with a hint when named explicitly).
READABLE_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx",
                     ".png", ".jpg", ".jpeg", ".tif", ".tiff")
_FORMAT_BY_SUFFIX = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (.doc, .wps, .xls)
_ZIP_SIGNATURE = b"PK\x03\x04"
NOT_TEXT_ENCODING = "n/a"  # the encoding recorded for PDF and .docx, whose text is Unicode already


@dataclass(frozen=True)
class ReadResult:
    """An input file's text and how it was read."""

    text: str
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "gb18030", "big5", a forced codec, or "n/a"
    format: str  # "text", "markdown", "html", "pdf", "docx", "image" or "table-row"
    meta: dict[str, str] = field(default_factory=dict)  # a table row's metadata columns (title, date, url)
    ocr: dict[str, Any] | None = None  # how pages without a text layer were read by OCR (see .pdf.ocr_provenance)

    def read_as(self) -> dict[str, Any]:
        """How the file was read, for the provenance: format, encoding, a table row's metadata columns, and
        the OCR record if any."""
        return {"format": self.format, "encoding": self.encoding, **self.meta, **({"ocr": self.ocr} if self.ocr else {})}


def read_document(path: Path, *, encoding: str | None = None) -> ReadResult:
    """Read one input file of any supported kind; ``encoding`` forces the codec of a text, Markdown or
    HTML file (strict decoding, recorded by its Python name); it is ignored for PDF and Word files."""
    return parse_document(read_file_bytes(Path(path)), Path(path), encoding=encoding)


def parse_document(data: bytes, path: Path, *, encoding: str | None = None) -> ReadResult:
    """:func:`read_document` on bytes already read from ``path`` (which names the input in messages and
    gives its suffix): the parsing can run where the file is not (a Ray worker)."""
    path = Path(path)
    suffix = path.suffix.lower()
    name = str(path)
    if data.startswith(b"%PDF-") or (suffix == ".pdf" and data.strip()):
        from .pdf import extract_pdf

        read = extract_pdf(path, data)
        try:
            check_text(read.text, name, NOT_TEXT_ENCODING)
        except InputError as err:
            # Text a PDF yields as symbols: fonts without a Unicode map (common in scanned-then-typeset files)
            raise InputError(str(err), hint="if the PDF shows Chinese text, its fonts lack a Unicode map: run OCR on it") from None
        return ReadResult(read.text, NOT_TEXT_ENCODING, "pdf", ocr=read.ocr)
    if is_image(data) or suffix in IMAGE_SUFFIXES:
        from .image import read_image

        read = read_image(path, data)
        check_text(read.text, name, NOT_TEXT_ENCODING)
        return ReadResult(read.text, NOT_TEXT_ENCODING, "image", ocr=read.ocr)
    if data.startswith(_OLE_SIGNATURE) or suffix in (".doc", ".wps"):
        raise InputError(
            f"{name}: legacy Word .doc (or WPS) files are not supported",
            hint="open it in Word or WPS and save it as .docx or PDF, then rerun",
        )
    if data.startswith(_ZIP_SIGNATURE) and (suffix == ".docx" or b"word/" in data[:4096]):
        from .docx import read_docx

        text = read_docx(path, data)
        check_text(text, name, NOT_TEXT_ENCODING)
        return ReadResult(text, NOT_TEXT_ENCODING, "docx")
    if suffix == ".docx":
        raise InputError(f"{name}: is not a Word .docx file (no zip package)", hint="open it in Word and save it as .docx")
    text, used = decode_bytes_with_encoding(data, name, encoding)
    kind = _FORMAT_BY_SUFFIX.get(suffix, "text")
    if kind == "html":  # data tables kept as tables (the text cleanup flattens the others)
        from .blocks import html_tables

        text = html_tables(text)
    return ReadResult(text, used, kind)


def read_document_text(path: Path) -> str:
    """Read one input file of any supported kind and return its text."""
    return read_document(path).text
