"""The collection of an output folder: ``index.md`` for readers, ``segments.parquet`` for analysis.

Built from the manifest's finished documents, one JSON file at a time (memory stays flat however large
the batch); rebuilt whenever a run wrote a document or the files are missing or older than the manifest
(a run killed between its last document and the collection leaves them stale; the next run notices).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, Iterator

from ..errors import OutputError
from .manifest import Manifest
from .outputs import temporary_path, write_atomic

log = logging.getLogger(__name__)

COLLECTION_FILES = ("index.md", "segments.parquet")
_COLUMNS = ("doc_id", "segment_id", "section_path", "zh", "en", "flags")


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


def finished_documents(out_dir: Path, manifest: Manifest) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(stem, manifest record, the document's JSON) for every finished document, one at a time."""
    for rec in manifest.last_ok.values():
        json_out = next((o for o in rec.get("outputs", []) if o.endswith(".json")), None)
        if json_out is None:
            continue
        path = manifest.output_path(json_out)
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            log.warning("%s: missing or damaged; left out of the index (the next run redoes it)", path)
            continue
        yield rec.get("stem") or Path(json_out).stem, rec, data


def _index_entry(out_dir: Path, manifest: Manifest, stem: str, rec: dict, data: dict) -> list[str]:
    from ..render import escape_markdown

    title = data.get("title", {})
    meta = data.get("meta", {})
    main = next((o for o in rec.get("outputs", []) if o.endswith(".md")), None) or f"{stem}.json"
    link = Path(os.path.relpath(manifest.output_path(main), out_dir)).as_posix()
    lines = [f"## [{escape_markdown(title.get('zh') or stem)}](<{link.replace('>', '%3E').replace('<', '%3C')}>)", ""]
    if title.get("en"):
        lines += [f"*{escape_markdown(title['en'])}*", ""]
    facts = [x for x in (meta.get("issuer"), meta.get("date") or meta.get("fields", {}).get("发布日期")) if x]
    facts.append(f"source: {rec['input']}")
    lines += [escape_markdown(" · ".join(facts)), ""]
    summary = (data.get("summary") or {}).get("en")
    if summary:
        lines += [f"> {escape_markdown(summary)}", ""]
    return lines


def write_collection(out_dir: Path, manifest: Manifest) -> None:
    """Write ``index.md`` and ``segments.parquet`` (atomically) from the finished documents."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(n, pa.string()) for n in _COLUMNS])
    lines = ["# Reports", "", "One entry per translated report: titles, issuer, date and the executive summary.", ""]
    parquet_path = out_dir / "segments.parquet"
    tmp = temporary_path(parquet_path)
    try:
        if parquet_path.is_dir():
            raise IsADirectoryError(21, "a folder is in the way")
        writer = pq.ParquetWriter(str(tmp), schema)
        try:
            for stem, rec, data in finished_documents(out_dir, manifest):
                lines += _index_entry(out_dir, manifest, stem, rec, data)
                rows = [_segment_row(stem, [], s) for s in data.get("preamble", [])]
                rows += list(_section_rows(stem, data.get("sections", []), []))
                if rows:
                    writer.write_table(pa.Table.from_pylist(rows, schema=schema))
        finally:
            writer.close()
        os.replace(tmp, parquet_path)
    except OSError as exc:
        raise OutputError(f"{parquet_path}: cannot write ({exc.strerror or exc})") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    write_atomic(out_dir / "index.md", "\n".join(lines).rstrip() + "\n")
