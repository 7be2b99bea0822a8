"""Bounded reading of zip-based inputs (Word .docx; any OOXML/ODF package): checked before a parser opens it.

A small file may hold a "zip bomb" (a 3 MB .docx that inflates to 1 GiB of text) or XML with entity
definitions ("billion laughs"). :func:`check_package` looks at the zip's directory and at the start of
each XML part, without inflating anything large, and refuses with one :class:`InputError`:

- a package whose parts inflate to more than :data:`MAX_TOTAL_BYTES`, an XML part over
  :data:`MAX_XML_PART_BYTES`, or a part over 1 MiB that inflates more than :data:`MAX_RATIO` times
  (Word's XML compresses 5-30 times; Apache POI refuses at 100 as well);
- any XML part with a document type declaration (``<!DOCTYPE``/``<!ENTITY``): Office packages never
  carry one (the rule of ``defusedxml``'s ``forbid_dtd``), so no entity is ever expanded.

The sizes a zip's directory declares bound what is inflated: Python's zipfile stops a part at its
declared size, so a lying directory cannot push past these limits. The XML parser itself (python-docx's)
runs with ``resolve_entities=False`` and lxml's default ``huge_tree=False``; :data:`XML_ERRORS` are the
exceptions a reader turns into one line.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from pathlib import Path

from pipeline.errors import InputError

MAX_TOTAL_BYTES = 1 << 30  # 1 GiB inflated, images included
MAX_XML_PART_BYTES = 128 << 20  # one XML part (word/document.xml): 128 MiB, about 40 million characters of text
MAX_RATIO = 100  # inflated / compressed, for parts over RATIO_FLOOR
RATIO_FLOOR = 1 << 20
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_PROLOG_BYTES = 1 << 20  # what comes before the root element (declaration, comments): read at most this
_PROLOG_ITEM = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.S)


def _mib(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MiB"


def check_package(path: Path, data: bytes | None = None) -> None:
    """Raise :class:`InputError` (one line) when the zip package at ``path`` (or its ``data``) is over a
    limit or carries a DTD; a file that is not a zip is left to the reader (it says so itself)."""
    name = str(path)
    refuse = "; it is not read (a limit against zip bombs)"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if data is not None else str(path))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        total = 0
        for info in archive.infolist():
            size, packed = info.file_size, max(info.compress_size, 1)
            total += size
            if total > MAX_TOTAL_BYTES:
                raise InputError(f"{name}: inflates to over {_mib(MAX_TOTAL_BYTES)}{refuse}",
                                 hint="save it again in Word, without embedded media, or as PDF")
            is_xml = info.filename.lower().endswith(_XML_SUFFIXES)
            if is_xml and size > MAX_XML_PART_BYTES:
                raise InputError(f"{name}: its part {info.filename} inflates to {_mib(size)} (limit "
                                 f"{_mib(MAX_XML_PART_BYTES)}){refuse}", hint="split the document")
            if size > RATIO_FLOOR and size / packed > MAX_RATIO:
                raise InputError(f"{name}: its part {info.filename} inflates {size // packed:,} times (limit "
                                 f"{MAX_RATIO}){refuse}", hint="save it again in Word, or as PDF")
            if is_xml:
                try:
                    with archive.open(info) as part:
                        head = part.read(_PROLOG_BYTES)
                except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
                    raise InputError(f"{name}: its part {info.filename} cannot be read (a damaged package)",
                                     hint="open it in Word and save it again") from None
                if not _prolog_is_plain(head):
                    raise InputError(f"{name}: its part {info.filename} declares a DTD or entities, which Word "
                                     "files never do; it is not read", hint="open it in Word and save it again")


def _prolog_is_plain(head: bytes) -> bool:
    """Whether the XML before the root element is only a declaration, comments, processing instructions
    and white space (no ``<!DOCTYPE``, so no entity definitions), within the bytes read."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    pos = 0
    while pos < len(text):
        item = _PROLOG_ITEM.match(text, pos)
        if item is None:
            return text.startswith("<", pos) and text[pos + 1 : pos + 2] not in ("!", "?", "")
        pos = item.end()
    return len(head) < _PROLOG_BYTES  # an empty part is the parser's to refuse; an endless prolog is not plain


def _xml_errors() -> tuple[type[BaseException], ...]:
    try:
        from lxml import etree
    except ImportError:  # pragma: no cover - lxml comes with python-docx
        return ()
    return (etree.XMLSyntaxError,)


XML_ERRORS = _xml_errors()
