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

from .manifest import Manifest
from .outputs import atomic_target, write_atomic

log = logging.getLogger(__name__)

COLLECTION_FILES = ("index.md", "digest.md", "segments.parquet")
_COLUMNS = ("doc_id", "segment_id", "section_path", "zh", "en", "flags")
PARQUET_ROWS = 8192  # segments per Parquet write


def collection_is_stale(out_dir: Path, manifest: Manifest) -> bool:
    if not manifest.path.exists():
        return False
    manifest_time = manifest.path.stat().st_mtime
    for name in COLLECTION_FILES:
        path = out_dir / name
        if not path.is_file() or path.stat().st_mtime < manifest_time:
            return True
    return False


def _section_rows(doc_id: str, sections: list[dict], path: list[str]) -> Iterator[dict[str, Any]]:
    for sec in sections:
        here = path + [sec["marker"] + sec["title"]["zh"]]
        for seg in sec.get("segments", []):
            yield _segment_row(doc_id, here, seg)
        yield from _section_rows(doc_id, sec.get("sections", []), here)


def _segment_row(doc_id: str, path: list[str], seg: dict[str, Any]) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "segment_id": seg["id"],
        "section_path": " > ".join(path),
        "zh": seg["zh"],
        "en": seg.get("en"),
        "flags": json.dumps(seg.get("flags", []), ensure_ascii=False),
    }


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

    schema = pa.schema([(n, pa.string()) for n in _COLUMNS])
    parquet_path = out_dir / "segments.parquet"
    with atomic_target(parquet_path) as tmp, SegmentTables(out_dir, tables, atomic_target) as extra:
        writer = pq.ParquetWriter(str(tmp), schema)
        try:
            def rows(stem: str, data: dict[str, Any]) -> None:
                found = itertools.chain((_segment_row(stem, [], s) for s in data.get("preamble", [])),
                                        _section_rows(stem, data.get("sections", []), []))
                while chunk := list(itertools.islice(found, PARQUET_ROWS)):  # memory bounded by the chunk
                    writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                extra.add(stem, data)

            files = render_collection(_entries(out_dir, manifest, rows), digest_html=digest_html)
        finally:
            writer.close()
    for name, text in files.items():
        write_atomic(out_dir / name, text)
