"""Word .docx -> plain lines via python-docx (MIT): one paragraph per line, tables as rows.

Word often generates a list's markers (一、 （一） 1.) from numbering definitions, so the marker is not in
the paragraph's text. The reader recovers it from ``word/numbering.xml``: each numbered paragraph's list
(``numId``) and level (``ilvl``), directly or through its style, pick a level definition whose number
format (``decimal``, ``chineseCounting``, ``ideographTraditional``, ...) and text (``%1、``, ``（%1）``)
give the marker; counters run per list, a level's counter restarts below a higher level's item.
Bullets carry no marker. A table becomes one table block (rows, cells, header rows, merged cells as spans).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from pipeline.errors import InputError

_CN_DIGITS = "〇一二三四五六七八九"
_CN_DIGITS_TRADITIONAL = "零壹貳參肆伍陸柒捌玖"
_TEN_STEMS = "甲乙丙丁戊己庚辛壬癸"
_TWELVE_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]  # fmt: skip


def read_docx(path: Path, data: bytes | None = None) -> str:
    """The text of a .docx file (or of its ``data`` when given); :class:`InputError` if it is not one."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from .archive import XML_ERRORS, check_package

    check_package(path, data)  # bounded: inflated sizes, expansion ratio, no DTD/entities (pipeline/readers/archive.py)
    try:
        document = docx.Document(io.BytesIO(data) if data is not None else str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, *XML_ERRORS) as err:
        raise InputError(
            f"{path}: cannot read as a Word .docx file ({type(err).__name__})",
            hint="open it in Word or WPS and save it again as .docx",
        ) from None
    numbering = _Numbering(document)
    lines: list[str] = []
    for element in _blocks(document.element.body):
        if element.tag == _w("p"):
            from docx.text.paragraph import Paragraph

            text = paragraph_text(element)
            if text.strip():
                lines.append(numbering.marker(Paragraph(element, document)) + text.strip())
        else:
            from docx.table import Table

            lines.extend(_table_rows(Table(element, document)))
    return "\n".join(lines)


def _blocks(parent):
    """Paragraphs and tables in document order, also inside block-level content controls (a Word table
    of contents is one) and custom XML."""
    for child in parent.iterchildren():
        if child.tag in (_w("p"), _w("tbl")):
            yield child
        elif child.tag in (_w("sdt"), _w("customXml")):
            content = child.find(_w("sdtContent")) if child.tag == _w("sdt") else child
            if content is not None:
                yield from _blocks(content)


_TEXT_TAGS = {"t": None, "tab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-"}
# Text that is not the paragraph's: deleted revisions, text boxes (read in drawing order elsewhere),
# and the fallback copy of content Word stores twice.
_SKIPPED_ANCESTORS = {"del", "txbxContent", "Fallback"}


def paragraph_text(p) -> str:
    """A paragraph's text, inserted revisions, fields, smart tags and inline content controls included
    (python-docx's ``Paragraph.text`` reads only direct runs and hyperlinks)."""
    parts = []
    for node in p.iter(*(_w(tag) for tag in _TEXT_TAGS)):
        if _has_skipped_ancestor(node, p):
            continue
        local = node.tag.rsplit("}", 1)[-1]
        if local == "br" and node.get(_w("type")) == "page":
            continue
        parts.append(node.text or "" if local == "t" else _TEXT_TAGS[local])
    return "".join(parts)


def _has_skipped_ancestor(node, stop) -> bool:
    parent = node.getparent()
    while parent is not None and parent is not stop:
        if parent.tag.rsplit("}", 1)[-1] in _SKIPPED_ANCESTORS:
            return True
        parent = parent.getparent()
    return False


def _table_rows(table) -> list[str]:
    """A Word table as the one line segmentation keeps as a table (:func:`pipeline.document.encode_table`):
    merged cells once, with their column span (``gridSpan``) and row span (``vMerge``); rows marked to
    repeat as a header (``tblHeader``) are header rows. Nested tables' text stays in their cell."""
    from pipeline.document import TableCell

    from .blocks import table_line

    rows: list[list[TableCell]] = []
    above: dict[int, TableCell] = {}  # the cell that a vertical merge continues, by grid column
    for tr in table._tbl.iterchildren(_w("tr")):
        tr_pr = tr.find(_w("trPr"))
        header = tr_pr is not None and tr_pr.find(_w("tblHeader")) is not None
        row: list[TableCell] = []
        column = 0
        for tc in tr.iterchildren(_w("tc")):
            span = tc.grid_span
            if tc.vMerge == "continue" and column in above:
                above[column].rowspan += 1
            else:
                text = " ".join(" ".join(paragraph_text(p) for p in tc.iter(_w("p"))).split())
                cell = TableCell(text, header=header, colspan=span)
                row.append(cell)
                for covered in range(column, column + span):
                    above[covered] = cell
            column += span
        if row:
            rows.append(row)
    if not rows or not any(cell.zh for row in rows for cell in row):
        return []
    return [table_line(rows)]


def _w(name: str) -> str:
    return "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + name


class _Numbering:
    """Markers of automatically numbered paragraphs, counted in document order."""

    def __init__(self, document) -> None:
        self._levels: dict[tuple[str, int], tuple[str, str, int]] = {}  # (numId, ilvl) -> (numFmt, lvlText, start)
        self._counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError):
            return
        abstract = {}
        for node in root.iterchildren(_w("abstractNum")):
            abstract[node.get(_w("abstractNumId"))] = {int(lvl.get(_w("ilvl"))): _level(lvl) for lvl in node.iterchildren(_w("lvl"))}
        for num in root.iterchildren(_w("num")):
            ref = num.find(_w("abstractNumId"))
            levels = dict(abstract.get(ref.get(_w("val")) if ref is not None else "", {}))
            for override in num.iterchildren(_w("lvlOverride")):
                ilvl = int(override.get(_w("ilvl")))
                lvl = override.find(_w("lvl"))
                if lvl is not None:
                    levels[ilvl] = _level(lvl)
                start = override.find(_w("startOverride"))
                if start is not None and ilvl in levels:
                    fmt, text, _ = levels[ilvl]
                    levels[ilvl] = (fmt, text, int(start.get(_w("val"))))
            for ilvl, level in levels.items():
                self._levels[(num.get(_w("numId")), ilvl)] = level

    def marker(self, paragraph) -> str:
        num_id, ilvl = _num_pr(paragraph)
        if num_id is None or (num_id, ilvl) not in self._levels:
            return ""
        counters = self._counters.setdefault(num_id, {})
        fmt, text, start = self._levels[(num_id, ilvl)]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [level for level in counters if level > ilvl]:
            del counters[deeper]
        if fmt in ("bullet", "none"):
            return ""

        def number(match: re.Match[str]) -> str:
            level = int(match.group(1)) - 1
            level_fmt, _, level_start = self._levels.get((num_id, level), ("decimal", "", 1))
            return _format_number(counters.get(level, level_start), level_fmt)

        return re.sub(r"%([1-9])", number, text)


def _level(lvl) -> tuple[str, str, int]:
    fmt = lvl.find(_w("numFmt"))
    text = lvl.find(_w("lvlText"))
    start = lvl.find(_w("start"))
    return (
        fmt.get(_w("val")) if fmt is not None else "decimal",
        text.get(_w("val")) if text is not None else "",
        int(start.get(_w("val"))) if start is not None else 1,
    )


def _num_pr(paragraph) -> tuple[str | None, int]:
    """The paragraph's (numId, ilvl), from its own properties or its style's (and their base styles)."""
    p_pr = paragraph._p.pPr
    num_pr = p_pr.numPr if p_pr is not None else None
    num_id = ilvl = None
    if num_pr is not None:
        num_id = num_pr.numId.val if num_pr.numId is not None else None
        ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else None
    style = paragraph.style
    while num_id is None and style is not None:
        style_pr = style.element.pPr
        style_num = style_pr.numPr if style_pr is not None else None
        if style_num is not None and style_num.numId is not None:
            num_id = style_num.numId.val
            ilvl = ilvl if ilvl is not None else (style_num.ilvl.val if style_num.ilvl is not None else None)
        style = style.base_style
    if num_id is None or str(num_id) == "0":  # numId 0 switches numbering off
        return None, 0
    return str(num_id), int(ilvl or 0)


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "taiwaneseCounting",
               "taiwaneseCountingThousand", "japaneseCounting"):  # fmt: skip
        digits = _CN_DIGITS_TRADITIONAL if fmt == "chineseLegalSimplified" else _CN_DIGITS
        return _chinese_numeral(n, digits, "拾" if fmt == "chineseLegalSimplified" else "十")
    if fmt in ("ideographTraditional",):
        return _TEN_STEMS[(n - 1) % 10]
    if fmt in ("ideographZodiac",):
        return _TWELVE_BRANCHES[(n - 1) % 12]
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(ord(d) - ord("0") + ord("０")) for d in str(n))
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(ord("①") + n - 1) if 1 <= n <= 20 else str(n)
    if fmt == "decimalEnclosedParen":
        return chr(ord("⑴") + n - 1) if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return chr(ord("⒈") + n - 1) if 1 <= n <= 20 else f"{n}."
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        roman = ""
        for value, symbol in _ROMAN:
            while n >= value:
                roman, n = roman + symbol, n - value
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


def _chinese_numeral(n: int, digits: str, ten: str) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (as Word counts)."""
    if n <= 0:
        return digits[0]
    if n < 10:
        return digits[n]
    if n < 20:
        return ten + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + ten + (digits[n % 10] if n % 10 else "")
    hundreds, rest = divmod(n, 100)
    hundred = "佰" if ten == "拾" else "百"
    if rest == 0:
        return digits[hundreds] + hundred
    if rest < 10:
        return digits[hundreds] + hundred + digits[0] + digits[rest]
    tens = _chinese_numeral(rest, digits, ten)
    return digits[hundreds] + hundred + (digits[1] + tens if rest < 20 else tens)
