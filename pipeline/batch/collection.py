"""The collection of an output folder: ``index.md`` for readers, ``segments.parquet`` for analysis.

Built from the manifest's finished documents, one JSON file at a time (memory stays flat however large
the batch); rebuilt whenever a run wrote a document or the files are missing or older than the manifest
(a run killed between its last document and the collection leaves them stale; the next run notices).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
from pathlib import Path
from typing import Any, Callable, Iterator

from ..errors import OutputError
from .manifest import Manifest
from .outputs import atomic_target, file_sha256, write_atomic

log = logging.getLogger(__name__)

COLLECTION_FILES = ("index.md", "digest.md", "segments.parquet")
DIGEST_HTML = "digest.html"
HASHES_NAME = ".collection-sha256"  # the SHA-256 of each collection file as the last run wrote it
_COLUMNS = ("doc_id", "segment_id", "section_path", "zh", "en", "flags")
# A table segment gives one row per cell, with the cell's grid row and column (0-based); null elsewhere.
_TABLE_COLUMNS = ("table_row", "table_column")
PARQUET_ROWS = 8192  # segments per Parquet write


def collection_names(digest_html: bool = True, tables: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The batch's own files: index, digests, segments.parquet, and the segment tables asked for
    (``tables``: "csv", "xlsx")."""
    return COLLECTION_FILES + ((DIGEST_HTML,) if digest_html else ()) + tuple(f"segments.{t}" for t in tables)


def foreign_collection_files(out_dir: Path, manifest: Manifest) -> list[str]:
    """The collection's names present in a folder without a manifest (not a run's output folder: the
    user's own files), which a run would replace."""
    if manifest.records or manifest.skipped_lines or os.path.lexists(manifest.path):
        return []
    return [name for name in collection_names()  # a folder in the way is not replaced: writing it fails
            if os.path.lexists(Path(out_dir) / name) and not (Path(out_dir) / name).is_dir()]


def refuse_foreign_collection(out_dir: Path, manifest: Manifest) -> None:
    """Raise one :class:`OutputError` naming the files a run would replace that it did not write."""
    found = foreign_collection_files(out_dir, manifest)
    if found:
        raise OutputError(f"{out_dir}: holds {', '.join(found)}, not written by a run (no manifest.jsonl "
                          "claims them); a run would replace them",
                          hint="give another --out, or move those files away")


def _recorded_hashes(out_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((out_dir / HASHES_NAME).read_bytes())
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}


def collection_is_stale(out_dir: Path, manifest: Manifest, *, digest_html: bool = True,
                        tables: tuple[str, ...] = ()) -> bool:
    """Whether a collection file is missing, older than the manifest, or not the bytes the last run wrote
    (damaged or edited: checked against the hashes it recorded; no record counts as stale)."""
    if not manifest.path.exists():
        return False
    manifest_time = manifest.path.stat().st_mtime
    hashes = _recorded_hashes(out_dir)
    for name in collection_names(digest_html, tables):
        path = out_dir / name
        if not path.is_file() or path.stat().st_mtime < manifest_time:
            return True
        if name not in hashes or file_sha256(path) != hashes[name]:
            return True
    return False


def _section_rows(doc_id: str, sections: list[dict], path: list[str]) -> Iterator[dict[str, Any]]:
    for sec in sections:
        here = path + [sec["marker"] + sec["title"]["zh"]]
        for seg in sec.get("segments", []):
            yield from _segment_rows(doc_id, here, seg)
        yield from _section_rows(doc_id, sec.get("sections", []), here)


def _segment_rows(doc_id: str, path: list[str], seg: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A segment's row, or a table segment's cells, one row each, marked with their row and column."""
    base = {
        "doc_id": doc_id,
        "segment_id": seg["id"],
        "section_path": " > ".join(path),
        "zh": seg["zh"],
        "en": seg.get("en"),
        "flags": json.dumps(seg.get("flags", []), ensure_ascii=False),
        "table_row": None,
        "table_column": None,
    }
    if not seg.get("table"):
        yield base
        return
    from ..document import Table

    for row, column, cell in Table.from_dict(seg["table"]).positions():
        yield {**base, "zh": cell.zh, "en": cell.en, "table_row": row, "table_column": column}


def _without_segments(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with its segment lists emptied (in place; returned): a large report's sentences leave
    memory before the index and digests build their view of it."""
    data["preamble"] = []
    stack = list(data.get("sections") or [])
    while stack:
        sec = stack.pop()
        sec["segments"] = []
        stack.extend(sec.get("sections") or [])
    return data


def _name_of(input_name: str) -> str:
    """A failed input's name in the index: a table row by its id (``rows.jsonl#a7`` -> ``a7``), a file by its stem."""
    name = Path(input_name).name
    return name.rsplit("#", 1)[1] or name if "#" in name else Path(input_name).stem


def _entries(out_dir: Path, manifest: Manifest, rows: Callable[[str, dict[str, Any]], None]):
    """One :class:`ReportEntry` per input (its last good outputs, else its last failure), loading one JSON
    file at a time; ``rows(stem, data)`` receives each finished document (for the Parquet file)."""
    from ..render.collection import ReportEntry

    for key, last in manifest.records.items():
        if key.startswith("failure:"):
            continue  # something that was never an input (a missing file): the run reported it
        rec = manifest.last_ok.get(key, last)
        links = {Path(o).suffix[1:]: Path(os.path.relpath(manifest.output_path(o), out_dir)).as_posix()
                 for o in rec.get("outputs", [])}
        stem = rec.get("stem") or _name_of(rec["input"])
        data, status, error = None, rec.get("status", "failed"), rec.get("error") or ""
        if status == "ok" and "json" in links:
            try:
                data = json.loads((out_dir / links["json"]).read_bytes())
            except (OSError, ValueError):
                log.warning("%s: missing or damaged; the next run redoes it", links["json"])
                status, error = "failed", "output missing or damaged (the next run redoes it)"
        if data is not None:
            rows(stem, data)
            data = _without_segments(data)  # the index and digests need titles, summaries and counts only
        yield ReportEntry(stem=stem, source=rec["input"], status=status, data=data, links=links, error=error)


def write_collection(out_dir: Path, manifest: Manifest, *, digest_html: bool = True,
                     tables: tuple[str, ...] = ()) -> None:
    """Write ``index.md``, ``digest.md``, ``digest.html`` and ``segments.parquet`` (each atomically) in one
    pass over the documents; ``tables`` adds ``segments.csv`` and/or ``segments.xlsx`` ("csv", "xlsx")."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..render.collection import render_collection
    from ..render.tables import SegmentTables

    schema = pa.schema([(n, pa.string()) for n in _COLUMNS] + [(n, pa.int32()) for n in _TABLE_COLUMNS])
    parquet_path = out_dir / "segments.parquet"
    with atomic_target(parquet_path) as tmp, SegmentTables(out_dir, tables, atomic_target) as extra:
        writer = pq.ParquetWriter(str(tmp), schema)
        try:
            def rows(stem: str, data: dict[str, Any]) -> None:
                found = itertools.chain((r for s in data.get("preamble", []) for r in _segment_rows(stem, [], s)),
                                        _section_rows(stem, data.get("sections", []), []))
                while chunk := list(itertools.islice(found, PARQUET_ROWS)):  # memory bounded by the chunk
                    writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                extra.add(stem, data)

            files = render_collection(_entries(out_dir, manifest, rows), digest_html=digest_html)
        finally:
            writer.close()
    hashes = {"segments.parquet": file_sha256(parquet_path)}
    hashes.update({f"segments.{t}": file_sha256(out_dir / f"segments.{t}") for t in extra.formats})
    for name, text in files.items():
        hashes[name] = write_atomic(out_dir / name, text)
    write_atomic(out_dir / HASHES_NAME, json.dumps({"files": hashes}, indent=1, sort_keys=True) + "\n")
