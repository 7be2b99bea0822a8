"""Ruled tables in PDFs (cells drawn with lines) -> table blocks with their merged cells as spans, via
pdfplumber (MIT).

pdfplumber's lattice finder (``page.find_tables()``, lines strategy) gives each cell of a ruled table as a
box; a merged cell is one box over several grid columns or rows. The grid is the set of the boxes' edges,
so a cell's span is the number of grid columns (rows) its box covers. The text of each cell comes from
the PDF reader's own characters (pdfium), routed into the cell whose box holds their centre, so a table's
text is read exactly as the text around it and is not read twice.

Only pages that draw something (path objects) are handed to pdfplumber; a page whose tables are printed
as text without rules keeps the text-position detection of :mod:`.pdf` (cells far apart on a baseline).
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

MIN_GRID_ROWS = 2
MIN_GRID_COLUMNS = 2
EDGE_TOLERANCE = 1.0  # points: box edges closer than this are one grid line


@dataclass
class RuledCell:
    left: float  # PDF points, y up (as pdfium's character boxes)
    bottom: float
    right: float
    top: float
    row: int
    column: int
    rowspan: int
    colspan: int
    chars: list[tuple[str, tuple[float, float, float, float], float]] = field(default_factory=list)

    def holds(self, x: float, y: float) -> bool:
        return self.left <= x <= self.right and self.bottom <= y <= self.top


@dataclass
class RuledTable:
    left: float
    bottom: float
    right: float
    top: float
    cells: list[RuledCell]  # in reading order: by row, then column

    def cell_at(self, x: float, y: float) -> RuledCell | None:
        if not (self.left <= x <= self.right and self.bottom <= y <= self.top):
            return None
        return next((cell for cell in self.cells if cell.holds(x, y)), None)


class RuledTables:
    """The ruled tables of a PDF's pages, found by pdfplumber (the file opened once, on the first page
    that draws something)."""

    def __init__(self, path: Path, data: bytes | None) -> None:
        self._path, self._data = path, data
        self._pdf = None
        self._failed = False

    def on_page(self, document, index: int) -> list[RuledTable]:
        """The ruled tables of page ``index`` of the pdfium ``document`` (none when it draws nothing)."""
        import pypdfium2.raw as raw

        page = document[index]
        try:
            draws = next(iter(page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=2)), None) is not None
        finally:
            page.close()
        if not draws or self._failed:
            return []
        try:
            if self._pdf is None:
                import pdfplumber

                self._pdf = pdfplumber.open(io.BytesIO(self._data) if self._data is not None else str(self._path))
            plumber_page = self._pdf.pages[index]
            if plumber_page.rotation:
                return []  # pdfium's character boxes are unrotated: the two would not line up
            found = plumber_page.find_tables()
            height = float(plumber_page.height)
        except Exception as err:  # pdfminer raises many kinds on odd files: the text-position detection stays
            logger.debug("%s: pdfplumber found no tables (%s: %s)", self._path, type(err).__name__, err)
            self._failed = True
            return []
        tables = [_ruled_table(table.cells, height) for table in found]
        return [table for table in tables if table is not None]

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None


def _grid(values: list[float]) -> list[float]:
    """Box edges -> grid lines (edges within :data:`EDGE_TOLERANCE` are one)."""
    lines: list[float] = []
    for value in sorted(values):
        if not lines or value - lines[-1] > EDGE_TOLERANCE:
            lines.append(value)
    return lines


def _index(lines: list[float], value: float) -> int:
    return min(range(len(lines)), key=lambda i: abs(lines[i] - value))


def _ruled_table(boxes: list[tuple[float, float, float, float]], height: float) -> RuledTable | None:
    """A table of pdfplumber's cell boxes (x0, top, x1, bottom from the page top), with each cell's grid
    row, column and spans; None when the grid is smaller than two rows and two columns (a framed
    paragraph, a rule under a heading)."""
    if not boxes:
        return None
    columns = _grid([x for box in boxes for x in (box[0], box[2])])
    rows = _grid([y for box in boxes for y in (box[1], box[3])])
    if len(columns) - 1 < MIN_GRID_COLUMNS or len(rows) - 1 < MIN_GRID_ROWS:
        return None
    cells = []
    for x0, top, x1, bottom in boxes:
        row, column = _index(rows, top), _index(columns, x0)
        cells.append(RuledCell(x0, height - bottom, x1, height - top, row, column,
                               max(1, _index(rows, bottom) - row), max(1, _index(columns, x1) - column)))
    cells.sort(key=lambda cell: (cell.row, cell.column))
    return RuledTable(columns[0], height - rows[-1], columns[-1], height - rows[0], cells)


def cell_text(cell: RuledCell) -> str:
    """A cell's characters as text: lines in the order printed, joined without a space between Chinese
    characters (one between Latin words), spaces collapsed."""
    lines: list[str] = []
    baseline = None
    for char, box, size in cell.chars:
        if baseline is None or abs(box[1] - baseline) > 0.8 * max(size, 1):
            if not char.isspace():
                lines.append("")
                baseline = box[1]
        if lines:
            lines[-1] += char
    text = ""
    for line in lines:
        line = " ".join(line.split())
        glue = " " if text[-1:].isascii() and text[-1:].isalnum() and line[:1].isascii() and line[:1].isalnum() else ""
        text += glue + line if text else line
    return text


def table_rows(table: RuledTable):
    """The table's rows of :class:`~pipeline.document.TableCell` (a merged cell once, with its spans); None
    when no cell holds text or a cell holds running text (a layout frame, not a table)."""
    from pipeline.document import TableCell

    from .blocks import MAX_DATA_CELL_CHARS

    rows: list[list[TableCell]] = [[] for _ in range(max(cell.row for cell in table.cells) + 1)]
    for cell in table.cells:
        text = cell_text(cell)
        if len(text) > MAX_DATA_CELL_CHARS:
            return None
        rows[cell.row].append(TableCell(text, colspan=cell.colspan, rowspan=cell.rowspan))
    if not any(cell.zh for row in rows for cell in row):
        return None
    return rows


def usual_size(table: RuledTable) -> float:
    sizes = Counter(round(size, 1) for cell in table.cells for char, _, size in cell.chars if not char.isspace())
    return sizes.most_common(1)[0][0] if sizes else 0.0
