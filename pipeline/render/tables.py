"""``segments.csv`` and ``segments.xlsx``: every segment of a batch, one row each, for analysts and for the
spreadsheets translators already use (``segments.parquet`` holds the same rows for tools).

Columns: doc_id, segment_id, section_path, zh, en, origin (model / tm / human), flags (readable reasons,
one per line). Rows are written as each report's JSON is read (memory stays flat); the CSV is UTF-8 with a
byte-order mark so that Excel opens Chinese correctly; in the XLSX every cell is a string (a sentence
starting with "=" stays text, never a formula).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from ..document import Flag
from .exchange import xml_text
from .flags import flag_lines

COLUMNS = ("doc_id", "segment_id", "section_path", "zh", "en", "origin", "flags")
TABLE_FORMATS = ("csv", "xlsx")


def segment_rows(doc_id: str, data: dict[str, Any]) -> Iterator[tuple[str, ...]]:
    """The rows of one report's JSON (``Document.to_dict()``), in document order."""

    def row(seg: dict[str, Any], path: list[str]) -> tuple[str, ...]:
        flags = "\n".join(line.text for line in flag_lines(Flag.from_dict(f) for f in seg.get("flags", [])))
        origin = seg.get("origin") or ("model" if seg.get("en") else "")
        return (doc_id, seg["id"], " > ".join(path), seg["zh"], seg.get("en") or "", origin, flags)

    def walk(sections: list[dict[str, Any]], path: list[str]) -> Iterator[tuple[str, ...]]:
        for sec in sections:
            here = path + [sec["marker"] + sec["title"]["zh"]]
            for seg in sec.get("segments", []):
                yield row(seg, here)
            yield from walk(sec.get("sections", []), here)

    for seg in data.get("preamble", []):
        yield row(seg, [])
    yield from walk(data.get("sections", []), [])


class SegmentTables:
    """Writers for the chosen formats, each into a temporary file renamed into place when the block ends
    without error (``target(path)`` is :func:`pipeline.batch.outputs.atomic_target`)."""

    def __init__(self, out_dir: Path, formats: tuple[str, ...], target: Callable[[Path], Any]):
        self.out_dir = Path(out_dir)
        self.formats = tuple(f for f in TABLE_FORMATS if f in formats)
        self.target = target
        self._stack = ExitStack()
        self._csv: Any = None
        self._sheet: Any = None
        self._book: Any = None
        self._xlsx_path: Path | None = None

    def __enter__(self) -> SegmentTables:
        stack = self._stack.__enter__()
        if "csv" in self.formats:
            tmp = stack.enter_context(self.target(self.out_dir / "segments.csv"))
            handle = stack.enter_context(open(tmp, "w", encoding="utf-8-sig", newline=""))
            self._csv = csv.writer(handle)
            self._csv.writerow(COLUMNS)
        if "xlsx" in self.formats:
            from openpyxl import Workbook

            self._xlsx_path = stack.enter_context(self.target(self.out_dir / "segments.xlsx"))
            self._book = Workbook(write_only=True)
            self._sheet = self._book.create_sheet("segments")
            self._write_xlsx_row(COLUMNS)
        return self

    def _write_xlsx_row(self, values: tuple[str, ...]) -> None:
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for value in values:
            cell = WriteOnlyCell(self._sheet, value=xml_text(value))
            cell.data_type = "s"  # text, never a formula
            cells.append(cell)
        self._sheet.append(cells)

    def add(self, doc_id: str, data: dict[str, Any]) -> None:
        if not self.formats:
            return
        for row in segment_rows(doc_id, data):
            if self._csv is not None:
                self._csv.writerow(row)
            if self._sheet is not None:
                self._write_xlsx_row(row)

    def __exit__(self, exc_type, exc, tb) -> bool | None:
        if exc_type is None and self._book is not None:
            buffer = io.BytesIO()
            self._book.save(buffer)
            self._xlsx_path.write_bytes(buffer.getvalue())
        return self._stack.__exit__(exc_type, exc, tb)
