"""Tables of documents or pairs (JSONL, CSV/TSV, Parquet), streamed row by row.

One reader for every table the project takes: batch inputs (one report per row) and pair files for
``check``/``eval``. A malformed row is reported on its own (:class:`BadRow`) and the rows around it stand;
a table that cannot be read at all, or lacks a required column, raises one :class:`InputError`.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..errors import InputError

MAX_CELL_CHARS = 256 << 20  # one CSV/TSV cell: a whole report fits (a 20 MB report is ~7 M characters)
TABLE_FORMATS = {".jsonl": "jsonl", ".csv": "csv", ".tsv": "tsv", ".parquet": "parquet"}


@dataclass(frozen=True)
class BadRow:
    line: int  # 1-based line (JSONL, CSV) or row number (Parquet)
    reason: str


def iter_table_rows(
    path: str | Path, *, required: Sequence[str] = (), kind: str | None = None
) -> Iterator[dict[str, Any] | BadRow]:
    """Rows of ``path`` as dicts (``kind``: jsonl, csv, tsv or parquet; default from the suffix)."""
    path = Path(path)
    kind = kind or TABLE_FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"{path}: not a table ({', '.join(TABLE_FORMATS)})")
    rows = {"jsonl": _jsonl_rows, "csv": _csv_rows, "tsv": _csv_rows, "parquet": _parquet_rows}[kind](path, kind)
    first = True
    try:
        for row in rows:
            if first and not isinstance(row, BadRow):
                missing = [c for c in required if c not in row]
                if missing:
                    raise InputError(f"{path}: no column {missing[0]!r}; columns are {', '.join(map(str, row))}",
                                     hint="choose them with --text-column / --id-column")
                first = False
            yield row
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if first:
        raise InputError(f"{path}: the table has no rows")


def _jsonl_rows(path: Path, kind: str) -> Iterator[dict[str, Any] | BadRow]:
    with path.open("rb") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                yield BadRow(n, "not UTF-8 text")
                continue
            except json.JSONDecodeError as exc:
                yield BadRow(n, f"not valid JSON ({exc.msg})")
                continue
            if not isinstance(row, dict):
                yield BadRow(n, "not a JSON object")
                continue
            yield row


def _csv_rows(path: Path, kind: str) -> Iterator[dict[str, Any] | BadRow]:
    delimiter = "\t" if kind == "tsv" else ","
    if csv.field_size_limit() < MAX_CELL_CHARS:  # the csv module's default (128 KiB) is one page of a report
        csv.field_size_limit(MAX_CELL_CHARS)
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            # TSV: no quoting (an English sentence may start with a quote mark); CSV: standard quoting
            reader = csv.reader(f, delimiter=delimiter, quoting=csv.QUOTE_NONE if kind == "tsv" else csv.QUOTE_MINIMAL)
            header = next(reader, None)
            if header is None:
                return
            header = [h.strip() for h in header]
            if len(set(header)) != len(header):
                raise InputError(f"{path}: repeated column names: {', '.join(header)}")
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    yield BadRow(reader.line_num, f"{len(row)} cells where the header has {len(header)}")
                    continue
                yield dict(zip(header, row))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text", hint="save the table as UTF-8") from None
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise InputError(f"{path}: a cell holds over {MAX_CELL_CHARS:,} characters",
                             hint="split that report over several rows or files") from None
        raise InputError(f"{path}: cannot read as {kind.upper()} ({exc})") from None


def _parquet_rows(path: Path, kind: str) -> Iterator[dict[str, Any] | BadRow]:
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(str(path))
        for batch in table.iter_batches(batch_size=256):
            yield from batch.to_pylist()
    except Exception as exc:  # pyarrow raises several kinds for a damaged file
        raise InputError(f"{path}: cannot read as Parquet ({type(exc).__name__}: {str(exc)[:120]})") from None
