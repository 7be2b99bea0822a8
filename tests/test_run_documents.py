"""PDF and Word inputs through the whole run (directory pickup, manifest, provenance), and --encoding."""

from __future__ import annotations

import json

import pytest

from .conftest import TINY_CONFIG, run_main
from .test_readers_pdf_docx import NUMBERED, REPORT_BLOCKS, build_docx, build_pdf

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("tiny_models")]
FAST = ("--config", str(TINY_CONFIG), "--set", "summarizer.kind=none", "-q")


def test_a_folder_of_pdf_and_docx_reports_runs_end_to_end(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    build_pdf(src / "report.pdf", REPORT_BLOCKS, header="某市人民政府公报", page_number="— {n} —", lines_per_page=9)
    build_docx(src / "notice.docx", NUMBERED, style={0: "Title"})
    (src / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)  # not picked from a folder
    out = tmp_path / "out"
    res = run_main("run", str(src), "--out", str(out), *FAST)
    assert res.returncode == 0, res.stderr
    pdf = json.loads((out / "report.json").read_text(encoding="utf-8"))
    docx = json.loads((out / "notice.json").read_text(encoding="utf-8"))
    assert pdf["provenance"]["source"]["format"] == "pdf" and docx["provenance"]["source"]["format"] == "docx"
    assert [s["marker"] for s in docx["sections"]][:2] == ["一、", "二、"]
    assert (out / "report.html").is_file() and (out / "notice.html").is_file()
    named = run_main("run", str(src / "old.doc"), "--out", str(tmp_path / "o2"), *FAST)
    assert named.returncode == 2 and "save it as .docx or PDF" in named.stderr


def test_forced_encoding_is_used_and_recorded(tmp_path):
    text = "各位代表：\n一、工作回顧\n全年生產總值增長5.2%。\n二、今後工作\n持續推進改革。"
    path = tmp_path / "big5.txt"
    path.write_bytes(text.encode("big5"))
    out = tmp_path / "out"
    res = run_main("run", str(path), "--out", str(out), "--encoding", "big5", *FAST)
    assert res.returncode == 0, res.stderr
    source = json.loads((out / "big5.json").read_text(encoding="utf-8"))["provenance"]["source"]
    assert source["encoding"] == "big5" and source["format"] == "text"
    bad = run_main("run", str(path), "--out", str(out), "--encoding", "klingon", *FAST)
    assert bad.returncode == 2 and "unknown encoding 'klingon'" in bad.stderr
