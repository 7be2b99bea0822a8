"""PDF with a text layer -> plain lines, one paragraph per line, via pypdfium2 (Apache-2.0/BSD-3).

PDF text is a set of positioned characters, not paragraphs. The reader uses the positions to:

* drop running headers and footers: a line in the top or bottom band of a page that is a page number
  ("— 1 —", "-1-", "第1页 共5页", "3/12") or that repeats, digits aside, on several pages;
* rejoin hard-wrapped lines, whatever their width: a line that does not end a sentence (``。！？；：…``)
  continues into the next one unless the next one is indented (a paragraph start), in another font size,
  after a paragraph gap, or starts with a heading marker or item number, or the line itself is a heading
  (a marker, shorter than a full line), centred (a title line) or right-aligned (a signature); a line
  that ends a sentence continues only if it reaches the right margin and no heading follows. A figure
  cut by a line break ("增长6." | "2%") is always rejoined. The same holds across a page break;
* keep reading order: pages in order, lines top to bottom as pdfium's text page gives them;
* keep tables as tables: a ruled table (found by pdfplumber, :mod:`.pdf_tables`) is one table block in
  its place, its merged cells as spans; outside ruled tables, rows of cells printed far apart on one
  baseline become a table block.

A page without a text layer (a scan, or text drawn as shapes) is rendered and read by OCR (:mod:`.ocr`):
its lines, with their boxes, go through the same rules. A PDF with a password, or with nothing to read,
is refused with one line saying what to do.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.document import is_table_line
from pipeline.errors import InputError

# The top and bottom share of a page where running headers, footers and page numbers live.
PAGE_MARGIN_BAND = 0.1
# A line repeated (digits aside) in the margin band of this share of pages is a running header/footer.
MIN_RUNNING_SHARE = 0.5
MAX_RUNNING_CHARS = 40
# A line ending within this many character widths of the right margin was cut there by the layout.
FULL_LINE_SLACK_CHARS = 1.6
# A line starting this many character widths right of the left margin starts a paragraph (首行缩进).
INDENT_CHARS = 1.0
MIN_TEXT_CHARS = 20  # fewer visible characters in the whole file: nothing to read
MIN_PAGE_TEXT_CHARS = 5  # fewer in a page's text layer: a scanned page, read by OCR if it shows anything
OCR_SIZE_TOLERANCE = 0.4  # OCR line boxes vary with the glyphs a line holds: a size within 40% is the same
OCR_TABLE_GAP_CHARS = 6  # OCR word boxes of figures are loose: only a wider gap separates table cells
FONT_SIZE_TOLERANCE = 0.6
NEW_LINE_JUMP = 0.8
# Runs on one baseline further apart than this many characters are table cells, kept as "a | b".
TABLE_GAP_CHARS = 3
TABLE_CELL_SEPARATOR = " | "  # a baseline this many font sizes away without a line break: a new line anyway
# A gap this many times the usual line pitch separates paragraphs set without a first-line indent.
PARAGRAPH_GAP_RATIO = 1.4

_PAGE_NUMBER = re.compile(
    r"[-—–－―\s]*(?:第\s*)?\d{1,4}\s*(?:页)?[-—–－―\s]*|[-—–－―]\s*\d{1,4}\s*[-—–－―]"
    r"|第\s*\d{1,4}\s*页\s*[,，/／]?\s*共\s*\d{1,4}\s*页|共\s*\d{1,4}\s*页\s*[,，/／]?\s*第\s*\d{1,4}\s*页"
    r"|(?:[Pp]age\s*)?\d{1,4}\s*(?:/|of)\s*\d{1,4}"
)
# A page number as OCR misreads it ("— 6 —" as "六", "_g_", "7一"): a few marks, digits or one character,
# never two Chinese characters in a row nor sentence punctuation.
_OCR_PAGE_NUMBER = re.compile(r"[^\u4e00-\u9fff。，；：！？,;:!?]{0,5}[\u4e00-\u9fff]?[^\u4e00-\u9fff。，；：！？,;:!?]{0,5}")
_STRAY_MARKS = re.compile(r"[|_\-—~'`\".,:;*°·‘’“”]*")
_SENTENCE_END = "。！？；!?;：:…"
_CLOSING_MARKS = "”’」』）)】》"
# A line ending in a figure's first part, and a line starting with the rest of it.
_SPLIT_FIGURE = re.compile(r"[0-9０-９][.．]?$")
_FIGURE_CONTINUES = re.compile(r"[0-9０-９%％‰]")
# A line starting with a marker and shorter than this share of a full line (in characters) is a heading.
HEADING_MAX_SHARE = 0.8
# The characters on a full line: this quantile of the lines' lengths.
FULL_LINE_QUANTILE = 0.9
_HEADING_START = re.compile(
    r"(?:第[一二三四五六七八九十百零〇0-9]{1,4}[章节条篇编部]|[一二三四五六七八九十]{1,3}、"
    r"|[（(][一二三四五六七八九十]{1,3}[）)]|[0-9]{1,2}[.．、](?![0-9])|[壹贰叁肆伍陆柒捌玖拾貳參陸]{1,3}、)"
)


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    y: float  # the baseline, from the page bottom
    size: float
    page: int
    page_height: float
    ocr: bool = False  # read by OCR: its size is its box's height, known to within a few points


@dataclass
class PdfText:
    """A PDF's (or a scanned image's) text, one paragraph per line, and how its OCR'd pages were read."""

    text: str
    ocr: dict[str, Any] | None = None  # None: every page had a text layer (see :func:`ocr_provenance`)


def read_pdf(path: Path, data: bytes | None = None) -> str:
    """The text of a PDF file (or of its ``data`` when given), one paragraph per line; :class:`InputError`
    if there is none to read."""
    return extract_pdf(path, data).text


def extract_pdf(path: Path, data: bytes | None = None) -> PdfText:
    """:func:`read_pdf` with the OCR record: a page without a text layer that shows something is
    rendered at :data:`~.ocr.OCR_DPI` and read by Tesseract (:mod:`.ocr`)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data if data is not None else str(path))
    except pdfium.PdfiumError as err:
        if "password" in str(err).lower():
            raise InputError(
                f"{path}: the PDF is encrypted (password-protected)",
                hint="open it with the password, save an unencrypted copy and rerun",
            ) from None
        raise InputError(f"{path}: cannot read as PDF ({err})", hint="check that the file is a complete PDF") from None
    from .pdf_tables import RuledTables

    pages: list[list[_Line]] = []
    ocr_pages = []
    ruled = RuledTables(path, data)
    try:
        for index in range(len(document)):
            lines = _page_lines(document, index, ruled.on_page(document, index))
            if sum(len(_visible(line.text)) for line in lines) < MIN_PAGE_TEXT_CHARS:
                scanned = _ocr_pdf_page(document, index, str(path))
                if scanned is not None:
                    ocr_pages.append(scanned[0])
                    lines = scanned[1]
            pages.append(lines)
    finally:
        ruled.close()
        document.close()
    text, repairs = lines_to_text(pages)
    if len(_visible(text)) < MIN_TEXT_CHARS:
        if ocr_pages:
            raise InputError(f"{path}: the PDF has no text layer, and OCR found no text on its {len(ocr_pages)} scanned page(s)",
                             hint="check that the scan shows the report's text, upright and legible")
        raise InputError(
            f"{path}: the PDF has no text (no text layer, nothing printed on its pages)",
            hint="check that it is the report, or use the original Word or text file",
        )
    return PdfText(text, ocr_provenance(ocr_pages, repairs) if ocr_pages else None)


def lines_to_text(pages: list[list[_Line]]) -> tuple[str, list[dict[str, Any]]]:
    """Pages of lines -> one paragraph per line: running headers and page numbers dropped, heading markers
    OCR misread repaired from their siblings (:func:`.ocr.repair_markers`; the repairs are returned, for
    the provenance), lines joined by the layout rules (the same for text layers and OCR)."""
    lines = [line for page in _drop_running_lines(pages) for line in page]
    repairs = _repair_ocr_markers(lines)
    return "\n".join(_tables(_paragraphs(lines))), repairs


def _repair_ocr_markers(lines: list[_Line]) -> list[dict[str, Any]]:
    """Misread heading markers at the start of OCR'd paragraphs put back in place (before the line joins,
    which look for markers), each recorded with its page and the start of its line."""
    if not any(line.ocr for line in lines):
        return []
    from .ocr import repair_markers

    # a heading starts a paragraph: a token at the start of a line that runs on from the one before is text
    texts, found = repair_markers([line.text for line in lines], _paragraph_starts(lines))
    kept = []
    for repair in found:
        line = lines[repair["line"]]
        if line.ocr:
            line.text = texts[repair["line"]]
            kept.append({"page": line.page + 1, "read": repair["read"], "marker": repair["marker"],
                         "line": _visible(line.text)[:20]})
    return kept


def _tables(paragraphs: list[str]) -> list[str]:
    """Two or more consecutive rows of cells (``a | b``, runs far apart on one baseline) with the same
    number of cells become one table block."""
    from pipeline.document import TableCell

    from .blocks import table_line

    out: list[str] = []
    run: list[list[str]] = []

    def flush() -> None:
        if len(run) >= 2:
            out.append(table_line([[TableCell(cell.strip()) for cell in row] for row in run]))
        else:
            out.extend(TABLE_CELL_SEPARATOR.join(row) for row in run)
        run.clear()

    for paragraph in paragraphs:
        if is_table_line(paragraph):  # a ruled table, already a block
            flush()
            out.append(paragraph)
            continue
        cells = paragraph.split(TABLE_CELL_SEPARATOR) if TABLE_CELL_SEPARATOR in paragraph else None
        if cells is not None and (not run or len(cells) == len(run[0])):
            run.append(cells)
            continue
        flush()
        if cells is not None:
            run.append(cells)
        else:
            out.append(paragraph)
    flush()
    return out


def _ocr_pdf_page(document, index: int, name: str):
    """``(OcrPage, lines in points)`` of a page without a text layer, or None when it shows nothing."""
    from .ocr import OCR_DPI, check_ocr, ocr_page

    page = document[index]
    try:
        height = page.get_height()
        scale = OCR_DPI / 72
        image = page.render(scale=scale, grayscale=True).to_pil()
    finally:
        page.close()
    if image.convert("L").getextrema()[0] > 200:  # nothing darker than light grey: a blank page
        return None
    check_ocr(name)
    scanned = ocr_page(image, index + 1, name, OCR_DPI)
    return scanned, ocr_lines(scanned, index, height, scale)


def ocr_lines(scanned, index: int, height: float, scale: float) -> list[_Line]:
    """An OCR'd page's lines as the layout rules take them, in points (``scale``: pixels per point): the
    baseline at the bottom of the line's box, the font size its height; heights within a third of the
    page's usual one are that one (OCR boxes vary with the glyphs a line holds)."""
    from .ocr import chinese_quotes, fix_marker_brackets, line_text

    heights = sorted((line.bottom - line.top) / scale for line in scanned.lines)
    usual = heights[len(heights) // 2] if heights else 0.0
    sizes = []
    for line in scanned.lines:
        size = (line.bottom - line.top) / scale
        sizes.append(usual if abs(size - usual) < OCR_SIZE_TOLERANCE * usual else size)
    texts = fix_marker_brackets(chinese_quotes([line_text(line, size * scale, OCR_TABLE_GAP_CHARS * size * scale, TABLE_CELL_SEPARATOR)
                            for line, size in zip(scanned.lines, sizes)]))
    # a line of stray marks only ("|", "_", "'"): specks and rules OCR took for punctuation, not text
    lines = [_Line(text, line.left / scale, line.right / scale, height - line.bottom / scale, size, index, height, True)
             for line, size, text in zip(scanned.lines, sizes, texts) if not _STRAY_MARKS.fullmatch(_visible(text))]
    return _merge_runs_on_one_baseline(lines)


def ocr_provenance(pages, repaired_markers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """What provenance records of OCR: the engine, languages, resolution, each OCR'd page's mean
    confidence, the figures read with a low confidence, and the heading markers repaired from their
    siblings (page, the token as read, the marker put in its place, the start of its line)."""
    from .ocr import OCR_DPI, OCR_LANGUAGES, tesseract_version

    return {
        "engine": f"tesseract {tesseract_version()}",
        "languages": "+".join(OCR_LANGUAGES),
        "dpi": OCR_DPI,
        "pages": [{"page": page.number, "confidence": page.confidence} for page in pages],
        "uncertain_figures": [figure for page in pages for figure in page.uncertain_figures()],
        "repaired_markers": list(repaired_markers or []),
    }


def _page_lines(document, index: int, tables: list | None = None) -> list[_Line]:
    """A page's lines from its text layer; the characters inside the cells of ``tables`` (ruled tables,
    :mod:`.pdf_tables`) go to their cells, and each such table is one line (a table block) in its place."""
    import pypdfium2.raw as raw

    page = document[index]
    height = page.get_height()
    textpage = page.get_textpage()
    chars: list[tuple[str, tuple[float, float, float, float] | None, float]] = []
    try:
        for i in range(textpage.count_chars()):
            char = chr(raw.FPDFText_GetUnicode(textpage, i))
            if char in "\r\n":
                chars.append(("\n", None, 0.0))
                continue
            if char == "\x00" or char == "\ufffe":
                continue
            if char == "\x02":  # pdfium's code for a hyphen printed at the end of a line: keep it
                char = "-"
            # loose: the font's ascent and descent, one per line
            chars.append((char, textpage.get_charbox(i, loose=True), raw.FPDFText_GetFontSize(textpage, i)))
    finally:
        textpage.close()
        page.close()
    blocks: list[tuple[Any, list]] = []
    if tables:
        chars, blocks = _route_to_tables(chars, tables)
    lines = _text_lines(chars, index, height)
    for table, rows in blocks:
        from .blocks import table_line
        from .pdf_tables import usual_size

        size = usual_size(table) or (Counter(round(line.size) for line in lines).most_common(1)[0][0] if lines else 10.0)
        at = next((i for i, line in enumerate(lines) if line.y < table.top), len(lines))
        lines.insert(at, _Line(table_line(rows), table.left, table.right, table.bottom, size, index, height))
    return _merge_runs_on_one_baseline(lines)


def _route_to_tables(chars, tables):
    """Characters whose centre lies in a cell of a ruled table go to that cell; the tables that hold text
    (and no running text) become blocks; the characters of the others stay in the text."""
    from .pdf_tables import table_rows

    owner: list[Any] = []
    for char, box, size in chars:
        cell = table = None
        if box is not None:
            x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            for table in tables:
                cell = table.cell_at(x, y)
                if cell is not None:
                    cell.chars.append((char, box, size))
                    break
        owner.append(table if cell is not None else None)
    blocks = [(table, rows) for table in tables if (rows := table_rows(table)) is not None]
    taken = {id(table) for table, _ in blocks}
    return [c for c, table in zip(chars, owner) if table is None or id(table) not in taken], blocks


def _text_lines(chars, index: int, height: float) -> list[_Line]:
    """Characters (with their boxes and font sizes; "\\n" for pdfium's line breaks) -> lines."""
    lines: list[_Line] = []
    text_chars: list[str] = []
    boxes: list[tuple[float, float, float, float]] = []
    sizes: Counter[float] = Counter()

    def flush() -> None:
        if "".join(text_chars).strip():
            size = sizes.most_common(1)[0][0]
            visible = [(char, box) for char, box in zip(text_chars, boxes) if not char.isspace()]
            ys = Counter(round(box[1]) for _, box in visible)
            text = _cells_apart(text_chars, boxes, size)
            lines.append(_Line(text, visible[0][1][0], max(box[2] for _, box in visible), ys.most_common(1)[0][0], size, index, height))
        text_chars.clear()
        boxes.clear()
        sizes.clear()

    for char, box, font_size in chars:
        if box is None:
            flush()
            continue
        if boxes and not char.isspace() and abs(box[1] - boxes[-1][1]) > NEW_LINE_JUMP * max(sizes or [1]):
            flush()  # a jump without a generated line break: a new line
        text_chars.append(char)
        boxes.append(box)
        if not char.isspace():
            sizes[round(font_size, 1)] += 1
    flush()
    return lines


def _cells_apart(chars: list[str], boxes: list[tuple[float, float, float, float]], size: float) -> str:
    """A line's text, with " | " where a wide horizontal gap separates two table cells."""
    text, right = "", None
    for char, box in zip(chars, boxes):
        if char.isspace():
            text += char
            continue
        if right is not None and box[0] - right > TABLE_GAP_CHARS * size:
            text = text.rstrip() + TABLE_CELL_SEPARATOR
        text, right = text + char, box[2]
    return text.strip()


def _merge_runs_on_one_baseline(lines: list[_Line]) -> list[_Line]:
    """pdfium may end a line between two runs of one printed line (a bold "一、" then regular text, the
    cells of a table row): runs on the same baseline, left to right, are one line (a space where the
    gap is wider than half a character, `` | `` between table cells)."""
    merged: list[_Line] = []
    for line in lines:
        last = merged[-1] if merged else None
        if last and not _is_block(last) and not _is_block(line) and abs(last.y - line.y) < 0.3 * max(last.size, 1) and line.x0 >= last.x1 - 0.5 * last.size:
            space = line.x0 - last.x1
            gap = TABLE_CELL_SEPARATOR if space > TABLE_GAP_CHARS * last.size else " " if space > 0.5 * last.size else ""
            merged[-1] = _Line(last.text + gap + line.text, last.x0, line.x1, last.y, max(last.size, line.size), last.page,
                               last.page_height, last.ocr)
        else:
            merged.append(line)
    return merged


def _in_margin_band(line: _Line) -> bool:
    band = PAGE_MARGIN_BAND * line.page_height
    return line.y < band or line.y > line.page_height - band


def _drop_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Pages without their page numbers and running headers/footers: short lines among the two outermost
    of a page, in its margin band, that are a page number or recur at the same height on other pages."""

    def key(line: _Line) -> tuple[str, int]:
        return re.sub(r"\d+", "#", "".join(line.text.split())), round(line.y / 4)

    def candidates(page: list[_Line]) -> list[_Line]:
        # OCR gives a page's blocks in its own order (a page number may come first or between two blocks)
        outer = page[:2] + page[-2:] if len(page) > 4 and not page[0].ocr else page
        return [line for line in outer if _in_margin_band(line) and len(line.text) <= MAX_RUNNING_CHARS and not _is_block(line)]

    repeated = Counter(k for page in pages for k in {key(line) for line in candidates(page)})
    min_pages = max(2, MIN_RUNNING_SHARE * len(pages))
    kept = []
    for page in pages:
        chrome = {
            id(line)
            for line in candidates(page)
            if _PAGE_NUMBER.fullmatch(line.text.strip()) or (line.ocr and _OCR_PAGE_NUMBER.fullmatch(_visible(line.text)))
            or (repeated[key(line)] >= min_pages and not re.search("[。！？；]", line.text))
        }
        kept.append([line for line in page if id(line) not in chrome])
    return kept


def _paragraphs(lines: list[_Line]) -> list[str]:
    """Lines rejoined into paragraphs by the layout (see the module docstring)."""
    paragraphs: list[str] = []
    current = ""
    for line, starts_next in zip(lines, _paragraph_starts(lines)[1:] + [True]):
        current = _glue(current, line.text)
        if starts_next:
            paragraphs.append(current)
            current = ""
    return paragraphs


def _paragraph_starts(lines: list[_Line]) -> list[bool]:
    """For each line, whether it starts a paragraph (the line before it does not run on into it, or a
    paragraph gap is between them)."""
    if not lines:
        return []
    text_lines = [line for line in lines if not _is_block(line)] or lines  # a table block is no line of text
    char_width = Counter(round(line.size) for line in text_lines).most_common(1)[0][0] or 10
    left = _margin([line.x0 for line in text_lines], char_width, low=True)
    right = _margin([line.x1 for line in text_lines], char_width, low=False)
    pitch = _line_pitch(text_lines)
    lengths = sorted(len(_visible(line.text)) for line in text_lines)
    full_chars = lengths[int(FULL_LINE_QUANTILE * (len(lengths) - 1))]
    return [True] + [
        not _continues(line, following, left, right, char_width, full_chars)
        or (following.page == line.page and line.y - following.y > PARAGRAPH_GAP_RATIO * pitch)
        for line, following in zip(lines, lines[1:])
    ]


def _line_pitch(lines: list[_Line]) -> float:
    """The distance between two lines of a paragraph: the lower quartile of the gaps between lines (the
    larger gaps are between paragraphs and around headings)."""
    gaps = sorted(a.y - b.y for a, b in zip(lines, lines[1:]) if a.page == b.page and a.y > b.y)
    return gaps[len(gaps) // 4] if gaps else float("inf")


def _margin(values: list[float], char_width: float, *, low: bool) -> float:
    """The text block's left (or right) edge: the most common edge, to the nearest half character."""
    step = char_width / 2
    counts = Counter(round(value / step) for value in values)
    top = max(counts.values())
    # Among the edges nearly as common as the most common one, the outermost.
    candidates = [bucket for bucket, count in counts.items() if count >= top / 2]
    return (min(candidates) if low else max(candidates)) * step


def _continues(line: _Line, following: _Line, left: float, right: float, char_width: float, full_chars: int) -> bool:
    """Whether ``line`` runs on into ``following`` (see the module docstring). The margin decides only
    for a line that ends a sentence; any other line runs on unless it is a heading, a centred or
    right-aligned line, or the next line starts a paragraph (indented, another font size, a heading or
    numbered item); a figure cut by the line break is always rejoined."""
    if _is_block(line) or _is_block(following):
        return False  # a table block stands alone
    tolerance = OCR_SIZE_TOLERANCE * line.size if line.ocr and following.ocr else FONT_SIZE_TOLERANCE
    if abs(line.size - following.size) > tolerance:
        return False
    if line.x0 > left + 4 * char_width and line.x0 - left > right - line.x1 + 2 * char_width:
        return False  # a right-aligned line (a signature)
    if following.x0 > left + INDENT_CHARS * char_width:
        return False  # the next line is indented: a new paragraph
    text, after = line.text.rstrip(), following.text.strip()
    if TABLE_CELL_SEPARATOR in text or TABLE_CELL_SEPARATOR in after:
        return False  # a table row is a line of its own
    if _SPLIT_FIGURE.search(text) and _FIGURE_CONTINUES.match(after):
        return True  # "增长6." | "2%", "3月1" | "0日起": never two halves of one figure
    reaches_margin = line.x1 >= right - FULL_LINE_SLACK_CHARS * char_width
    if _ends_sentence(text):
        # the margin decides: a full line ending a sentence runs on, unless a heading follows
        return reaches_margin and not _HEADING_START.match(after)
    if not reaches_margin and line.x0 > left + 2 * char_width and abs((line.x0 - left) - (right - line.x1)) < 2 * char_width:
        return False  # a centred line (a title line, the issuer, the date)
    if _HEADING_START.match(text) and len(_visible(text)) < HEADING_MAX_SHARE * full_chars and not reaches_margin:
        return False  # a heading of its own ("一、主要经济指标")
    return reaches_margin or not _HEADING_START.match(after)


def _ends_sentence(text: str) -> bool:
    text = text.rstrip(_CLOSING_MARKS)
    return text[-1:] in _SENTENCE_END and not (text[-1:] in ".．" and text[-2:-1].isdigit())


def _is_block(line: _Line) -> bool:
    return is_table_line(line.text)


def _visible(text: str) -> str:
    return "".join(text.split())


def _glue(before: str, after: str) -> str:
    if before and before[-1].isascii() and before[-1].isalpha() and after[:1].isascii() and after[:1].isalpha():
        return before + " " + after
    return before + after
