"""The real batch: the 2026 provincial work reports as users scrape them (../shared/data/provincial-2026/,
one CSV per province, the page text in ``full_text``). Skipped where the shared data is absent.

Two kinds of checks: the label-free lint over all 28 reports with the issue's targets (title, issuer and
date, no site chrome, a top level of 一、二、三…, a short preamble), and hand-checked golden outlines (title,
issuer, date, top two levels) of 14 of them in tests/data/provincial/. ``UPDATE_GOLDEN=1`` rewrites the
golden files from the current parse: review the diff before committing it.
"""

from __future__ import annotations

import csv
import difflib
import os
import re
from pathlib import Path

import pytest

from pipeline.segment import apply_input_meta, lint_document, segment
from pipeline.segment.lint import marker_kind

from .conftest import SHARED_DATA

CORPUS = SHARED_DATA / "provincial-2026"
GOLDEN = Path(__file__).parent / "data" / "provincial"
GOLDEN_PROVINCES = [
    "上海市", "云南省", "内蒙古自治区", "北京市", "宁夏回族自治区", "广东省", "广西壮族自治区", "江西省", "浙江省", "海南省",
    "湖南省", "贵州省", "辽宁省", "陕西省",
]  # fmt: skip

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is not here (shared data)")


def _rows() -> dict[str, dict[str, str]]:
    csv.field_size_limit(1 << 30)
    rows = {}
    for path in sorted(CORPUS.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                rows[row["province"]] = row
    return rows


ROWS = _rows() if CORPUS.is_dir() else {}


def _doc(province: str):
    row = ROWS[province]
    doc = segment(row["full_text"], source=f"{province}.txt")
    return apply_input_meta(doc, {k: row[k] for k in ("title", "publish_date", "source_url") if row.get(k)})


def golden_outline(doc) -> str:
    lines = [f"title: {doc.title.zh}", f"issuer: {doc.issuer or ''}", f"date: {doc.date or ''}"]
    for section in doc.sections:
        lines.append(f"{section.marker}{section.title.zh}" or "(continued)")
        lines.extend("  " + (f"{child.marker}{child.title.zh}" or "(continued)") for child in section.sections)
    return "\n".join(lines) + "\n"


def test_the_corpus_is_the_28_reports():
    assert len(ROWS) == 28


@pytest.mark.parametrize("province", GOLDEN_PROVINCES)
def test_golden_outline(province):
    outline = golden_outline(_doc(province))
    path = GOLDEN / f"{province}.outline"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(outline, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if outline != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), outline.splitlines(True), path.name, "actual"))
        pytest.fail(f"outline differs from {path.name}:\n{diff}")


def _top_level_is_numbered(doc) -> bool:
    """一、二、三… consecutive from 一, nothing unmarked between them (annexes and a closing may follow)."""
    kinds = [marker_kind(s.marker) for s in doc.sections]
    numbered = [i for i, (kind, _) in enumerate(kinds) if kind == "cn_dun"]
    if not numbered or [kinds[i][1] for i in numbered] != list(range(1, len(numbered) + 1)):
        return False
    return all(kinds[i][0] == "cn_dun" for i in range(numbered[0], numbered[-1] + 1))


def test_the_batch_meets_the_structure_targets():
    docs = {province: _doc(province) for province in ROWS}
    titles = [p for p, d in docs.items() if not re.search(r"政府工作报告", d.title.zh.split("——")[0])]
    no_issuer_or_date = [p for p, d in docs.items() if not (d.issuer and d.date)]
    chrome = {p: [f.where for f in lint_document(d) if f.check == "chrome"] for p, d in docs.items()}
    top = [p for p, d in docs.items() if not _top_level_is_numbered(d)]
    preamble = {p: len(d.preamble) for p, d in docs.items() if len(d.preamble) > 20}
    assert titles == []
    assert len(no_issuer_or_date) <= 1, no_issuer_or_date
    assert {p: w for p, w in chrome.items() if w} == {}
    assert len(top) <= 1, top  # 内蒙古's parts have titles, not numbers: its 一、二、三 are inside the second
    assert preamble == {}


def test_the_batch_lints_clean():
    findings = {p: [f.line() for f in lint_document(_doc(p))] for p in ROWS}
    assert {p: f for p, f in findings.items() if f} == {}


def test_site_fields_become_metadata():
    doc = _doc("浙江省")
    assert (doc.meta["来源"], doc.meta["时间"]) == ("浙江日报", "2026-01-22")
    assert doc.meta["title"] == "2026年浙江省政府工作报告" and doc.meta["publish_date"] == "2026-01-22"
    assert doc.qa["outline"]["confidence"] == 1.0 and doc.qa["lint"] == []
