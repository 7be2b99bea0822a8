"""Parallel zh/en pairs: read them from TSV/CSV/JSONL (``pipeline.readers.tables``) or a run JSON, and check them.

* :func:`load_pairs` reads pairs; columns zh/en, source/target or 中文/英文 (an id column is optional).
* :func:`check_pairs` runs the fidelity checker over given translations (the ``check`` command).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.document import Document
from pipeline.errors import InputError, describe_exception

from .checks import check_pair
from .glossary import Glossary
from .identifiers import extract_identifiers
from .quantities_en import extract_en
from .quantities_zh import extract_zh

__all__ = ["Pair", "load_pairs", "pairs_from_run", "check_pairs", "has_figures", "report_year_of_file",
           "check_report_markdown"]

log = logging.getLogger(__name__)

# Accepted column names, in order of preference, for each side.
_ZH_COLUMNS = ("zh", "source", "src", "中文")
_EN_COLUMNS = ("en", "target", "tgt", "reference", "英文")
_ID_COLUMNS = ("id", "全局对齐序号")
_PARAGRAPH_COLUMNS = ("paragraph", "年度文件内行号")  # rows of one paragraph (optional)
_FORMATS = {".tsv": "tsv", ".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl"}


@dataclass(frozen=True)
class Pair:
    id: str
    zh: str
    en: str
    paragraph: str | None = None  # rows with the same value are sentences of one paragraph


def _pick_column(columns: Iterable[str], wanted: tuple[str, ...]) -> str | None:
    by_lower = {c.strip().lstrip("\ufeff").lower(): c for c in columns}
    for name in wanted:
        if name.lower() in by_lower:
            return by_lower[name.lower()]
    return None


def pairs_from_run(run: dict[str, Any]) -> list[Pair]:
    """The translated segments of a run JSON (``Document.to_dict()``), preamble first, in document order."""
    try:
        doc = Document.from_dict(run)
        segments = list(doc.all_segments())
    except (KeyError, TypeError, AttributeError, ValueError) as err:
        raise InputError(f"not a pipeline run JSON: {describe_exception(err)}") from None
    pairs = []
    for s in segments:
        for side, value in (("zh", s.zh), ("en", s.en)):
            if not (isinstance(value, str) or (side == "en" and value is None)):
                raise InputError(f"not a pipeline run JSON: segment {s.id!r} has {side}={value!r}, expected text",
                                 hint="give the .json written by `run`, unedited")
        if s.en:
            pairs.append(Pair(str(s.id), s.zh, s.en))
    return pairs


def _is_run_json(path: Path) -> dict[str, Any] | None:
    try:
        with path.open(encoding="utf-8") as handle:
            head = handle.read(1)
            if head != "{":
                return None
            handle.seek(0)
            data = json.load(handle)
    except json.JSONDecodeError:
        return None  # JSON lines, read below
    except UnicodeDecodeError:
        raise InputError(f"not UTF-8 text: {path}") from None
    if isinstance(data, dict) and ("sections" in data or "preamble" in data):
        return data
    return None


def load_pairs(path: str | Path, skipped: list[str] | None = None) -> list[Pair]:
    """zh/en pairs from a TSV, CSV or JSONL file (columns zh/en, source/target or 中文/英文) or a run JSON.

    A row whose zh or en is null (or whose zh is empty) is no pair: it is left out, and ``skipped`` (when
    given) receives one ``row N: why`` per row left out, for the caller to report."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"pairs file not found: {path}")
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        raise InputError(f"unknown pairs format {suffix or '(no suffix)'}: {path}",
                         hint="use .tsv, .csv, .jsonl, or a run .json written by the pipeline")
    if suffix == ".json":
        run = _is_run_json(path)
        if run is not None:
            return pairs_from_run(run)
    rows = _read_rows(path, _FORMATS[suffix])
    columns = list(rows[0].keys())
    zh_column, en_column = _pick_column(columns, _ZH_COLUMNS), _pick_column(columns, _EN_COLUMNS)
    if zh_column is None or en_column is None:
        raise InputError(f"{path} needs a Chinese and an English column; found {', '.join(columns)}",
                         hint="name them zh/en, source/target, or 中文/英文")
    id_column = _pick_column(columns, _ID_COLUMNS)
    paragraph_column = _pick_column(columns, _PARAGRAPH_COLUMNS)
    pairs = []
    for number, row in enumerate(rows, start=1):
        zh, en = row.get(zh_column), row.get(en_column)
        if zh is None or en is None or not str(zh).strip():
            if skipped is not None:
                why = f"{zh_column} is null" if zh is None else f"{en_column} is null" if en is None else f"{zh_column} is empty"
                skipped.append(f"row {number}: {why}")
            continue
        pair_id = str(row[id_column]) if id_column and row.get(id_column) is not None else str(number)
        paragraph = row.get(paragraph_column) if paragraph_column else None
        pairs.append(Pair(pair_id, str(zh).strip(), str(en).strip(), None if paragraph is None else str(paragraph)))
    log.debug("read %d pairs from %s (columns %s, %s)", len(pairs), path, zh_column, en_column)
    return pairs


def _read_rows(path: Path, kind: str) -> list[dict[str, Any]]:
    """Every row of a pair table, through the project's one table reader; a malformed row is an error
    naming its line (a pair file is reference data: a silently skipped row would skew the figures)."""
    from ..readers.tables import BadRow, iter_table_rows

    if kind == "jsonl" and path.read_bytes()[:1] == b"[":  # a JSON array of rows
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise InputError(f"cannot read {path}: not valid JSON ({exc})") from None
        if not all(isinstance(row, dict) for row in data):
            raise InputError(f"cannot read {path}: a JSON array of objects is expected")
        return data
    rows = []
    for row in iter_table_rows(path, kind=kind):
        if isinstance(row, BadRow):
            hint = ("every line needs the header's columns" if kind in ("csv", "tsv")
                    else "one JSON object per line, each with the zh and en fields")
            raise InputError(f"cannot read {path}: line {row.line}: {row.reason}", hint=hint)
        rows.append(row)
    return rows


# --------------------------------------------------------------------------------------------------
# check


def has_figures(zh: str, en: str) -> bool:
    """Whether either side has a figure that must match, or the Chinese an identifier."""
    return (any(q.must_match for q in extract_zh(zh)) or any(q.must_match for q in extract_en(en))
            or bool(extract_identifiers(zh)))


def check_pairs(
    pairs: list[Pair], glossary: Glossary | None = None, report_year: int | None = None
) -> tuple[list[dict], dict]:
    """Per-pair records (id, zh, en, flags) and a summary (pairs, with_numbers, flagged, by_reason)."""
    records = []
    by_reason: Counter[str] = Counter()
    with_numbers = flagged = 0
    for pair in pairs:
        flags = check_pair(pair.zh, pair.en, glossary, report_year)
        with_numbers += has_figures(pair.zh, pair.en)
        flagged += bool(flags)
        by_reason.update(f.reason for f in flags)
        records.append({"id": pair.id, "zh": pair.zh, "en": pair.en, "flags": [f.to_dict() for f in flags]})
    summary = {
        "pairs": len(pairs),
        "with_numbers": with_numbers,
        "flagged": flagged,
        "by_reason": dict(sorted(by_reason.items())),
    }
    return records, summary


def report_year_of_file(path: str | Path) -> int | None:
    """The year of the report a run JSON was made from (its date line or metadata); None for pair tables."""
    path = Path(path)
    if path.suffix.lower() != ".json" or not path.is_file():
        return None
    run = _is_run_json(path)
    if run is None:
        return None
    from .checks import report_year_of

    try:
        return report_year_of(Document.from_dict(run))
    except (KeyError, TypeError, AttributeError, ValueError):
        return None


def check_report_markdown(records: list[dict], summary: dict, source: str) -> str:
    """The ``check`` results as a readable Markdown report: the counts, then every flagged pair with its
    Chinese, its English and what was found (clean pairs are counted, not listed)."""
    from pipeline.document import Flag
    from pipeline.render.flags import flag_line
    from pipeline.render.markdown import escape_markdown

    def text(value: str) -> str:
        return escape_markdown(" ".join(str(value).split()))

    reasons = ", ".join(f"{k} {v}" for k, v in summary["by_reason"].items())
    lines = [f"# Fidelity check of {text(source)}", "",
             f"{summary['pairs']} pairs, {summary['with_numbers']} with figures or identifiers; "
             f"**{summary['flagged']} flagged**" + (f" ({reasons})" if reasons else "") + ".", ""]
    for record in records:
        if not record["flags"]:
            continue
        lines += [f"## {text(record['id'])}", "", f"> {text(record['zh'])}", ">", f"> {text(record['en'])}", ""]
        lines += [f"- ⚠ {text(flag_line(Flag.from_dict(f)).text)}" for f in record["flags"]]
        lines.append("")
    if not summary["flagged"]:
        lines += ["Nothing flagged.", ""]
    return "\n".join(lines).rstrip() + "\n"
