"""Outputs for translation work: Word, TMX 1.4b, XLIFF 1.2, segments.csv/.xlsx, each read back by a real
parser (lxml against the TMX DTD and the XLIFF schema, translate-toolkit's TMX and XLIFF readers,
python-docx, openpyxl, the csv module) from a real run of the tiny models on the sample report."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from lxml import etree

from .conftest import SAMPLE, TINY_CONFIG, run_main

DATA = Path(__file__).parent / "data" / "exchange"
XLIFF_NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
ALL_FORMATS = ["--set", "output.docx=true", "--set", "output.tmx=true", "--set", "output.xliff=true",
               "--set", "output.csv=true", "--set", "output.xlsx=true"]


def headings(data: dict) -> list[tuple[str, dict]]:
    """(unit id, title) of the report's title and every heading, in document order."""
    out = [("title", data["title"])] if data["title"]["zh"] else []
    stack = list(reversed(data["sections"]))
    while stack:
        sec = stack.pop()
        if sec["title"]["zh"]:
            out.append((f"{sec['id']}-title", sec["title"]))
        stack.extend(reversed(sec["sections"]))
    return out


def all_segments(data: dict) -> list[dict]:
    out = list(data["preamble"])
    stack = list(reversed(data["sections"]))
    while stack:
        sec = stack.pop()
        out.extend(sec["segments"])
        stack.extend(reversed(sec["sections"]))
    return out


@pytest.fixture(scope="module")
def exchange_run(tiny_models, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("exchange")
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(out), "-q", *ALL_FORMATS)
    assert res.returncode == 0, res.stderr
    return out


@pytest.fixture(scope="module")
def report(exchange_run) -> dict:
    return json.loads((exchange_run / f"{SAMPLE.stem}.json").read_text(encoding="utf-8"))


def test_every_format_is_written_and_listed(exchange_run):
    for suffix in ("md", "json", "html", "docx", "tmx", "xliff"):
        assert (exchange_run / f"{SAMPLE.stem}.{suffix}").is_file(), suffix
    assert (exchange_run / "segments.csv").is_file() and (exchange_run / "segments.xlsx").is_file()
    index = (exchange_run / "index.md").read_text(encoding="utf-8")
    for kind in ("docx", "xliff", "tmx"):
        assert f"[{kind}]({SAMPLE.stem}.{kind})" in index
    manifest = [json.loads(line) for line in (exchange_run / "manifest.jsonl").read_text().splitlines()]
    assert {f"{SAMPLE.stem}.{k}" for k in ("docx", "tmx", "xliff")} <= set(manifest[-1]["outputs"])


def test_tmx_is_valid_tmx_14b_with_one_unit_per_segment(exchange_run, report):
    tree = etree.parse(str(exchange_run / f"{SAMPLE.stem}.tmx"))
    dtd = etree.DTD(str(DATA / "tmx14.dtd"))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    segments = all_segments(report)
    everything = tree.findall("body/tu")
    units = [u for u in everything if u.find("prop[@type='x-kind']") is None]
    assert [u.get("tuid") for u in units] == [s["id"] for s in segments]
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    titles = [(u.get("tuid"), u.findtext("tuv[1]/seg"), u.findtext("tuv[2]/seg"), u.findtext("prop[@type='x-origin']"))
              for u in everything if u.findtext("prop[@type='x-kind']") == "heading"]
    assert titles == [(uid, t["zh"], t["en"], "model") for uid, t in headings(report)] and len(titles) > 5
    for unit, seg in zip(units, segments):
        tuvs = {t.get(lang): t.findtext("seg") for t in unit.findall("tuv")}
        assert tuvs == {"zh-CN": seg["zh"], "en": seg["en"]}
        props = {p.get("type"): p.text for p in unit.findall("prop")}
        assert props["x-origin"] == seg["origin"] == "model"
        assert props["x-translator"].startswith(report["provenance"]["translator"]["model"])
        assert len(unit.findall("prop[@type='x-flag']")) == len(seg.get("flags", []))
    assert tree.find("header/prop[@type='x-report']").text == report["meta"]["source"]


def test_xliff_is_valid_xliff_12_with_flags_as_notes(exchange_run, report):
    tree = etree.parse(str(exchange_run / f"{SAMPLE.stem}.xliff"))
    schema = etree.XMLSchema(etree.parse(str(DATA / "xliff-core-1.2-subset.xsd")))
    assert schema.validate(tree), schema.error_log.filter_from_errors()
    segments = all_segments(report)
    everything = tree.findall(".//x:trans-unit", XLIFF_NS)
    units = [u for u in everything if u.get("resname") != "heading"]
    assert [u.get("id") for u in units] == [s["id"] for s in segments]
    titles = [(u.get("id"), u.findtext("x:source", namespaces=XLIFF_NS), u.findtext("x:target", namespaces=XLIFF_NS))
              for u in everything if u.get("resname") == "heading"]
    assert titles == [(uid, t["zh"], t["en"]) for uid, t in headings(report)]
    for unit, seg in zip(units, segments):
        assert unit.findtext("x:source", namespaces=XLIFF_NS) == seg["zh"]
        target = unit.find("x:target", XLIFF_NS)
        assert target.text == seg["en"]
        assert (target.get("state"), target.get("state-qualifier")) == ("needs-review-translation", "mt-suggestion")
        assert len(unit.findall("x:note", XLIFF_NS)) == len(seg.get("flags", []))
    assert sum(len(s.get("flags", [])) for s in segments) > 0  # the tiny models' output is flagged: notes exist
    top = [g.get("id") for g in tree.findall("x:file/x:body/x:group", XLIFF_NS)]
    assert top == [s["id"] for s in report["sections"]]


def test_translate_toolkit_reads_the_tmx_and_the_xliff(exchange_run, report):
    pytest.importorskip("translate.storage.tmx", reason="translate-toolkit not installed (pip install -e '.[test]')")
    from translate.storage import tmx, xliff

    segments = all_segments(report)
    with open(exchange_run / f"{SAMPLE.stem}.tmx", "rb") as f:
        tm = tmx.tmxfile(f, sourcelanguage="zh-CN", targetlanguage="en")
    expected = [(t["zh"], t["en"]) for _, t in headings(report)] + [(s["zh"], s["en"]) for s in segments]
    assert sorted((u.source, u.target) for u in tm.units) == sorted(expected)
    with open(exchange_run / f"{SAMPLE.stem}.xliff", "rb") as f:
        xl = xliff.xlifffile(f)
    units = [u for u in xl.units if not u.isheader() and not u.getid().endswith("title")]
    assert [(u.getid().rsplit("\x04", 1)[-1], u.source, u.target) for u in units] == [(s["id"], s["zh"], s["en"]) for s in segments]
    assert not any(u.isapproved() for u in units)


def test_word_document_reads_back_with_both_languages_and_flag_comments(exchange_run, report):
    import docx

    document = docx.Document(str(exchange_run / f"{SAMPLE.stem}.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == f"{report['title']['zh']}\n{report['title']['en']}"
    first = report["sections"][0]
    assert f"{first['marker']}{first['title']['zh']}\n{first['title']['en']}" in headings
    rows = [tuple(c.text for c in row.cells) for table in document.tables for row in table.rows]
    pairs = [r for r in rows if r != ("中文", "English")]
    assert pairs == [(s["zh"], s["en"]) for s in all_segments(report)]
    flagged = sum(len(s.get("flags", [])) for s in all_segments(report))
    titles = [report["title"]] + [sec["title"] for sec in report["sections"]]
    comments = list(document.comments)
    assert len(comments) >= flagged > 0
    assert all(c.author == "zh-report-pipeline" for c in comments)
    assert titles and report["summary"]["sentences"][0]["text"] in [p.text for p in document.paragraphs]


def test_word_and_exchange_files_are_byte_identical_on_a_forced_rerun(exchange_run, tmp_path):
    import shutil

    out = tmp_path / "again"
    shutil.copytree(exchange_run, out)
    before = {k: (out / f"{SAMPLE.stem}.{k}").read_bytes() for k in ("docx", "tmx", "xliff")}
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(out), "-q", "--force", *ALL_FORMATS)
    assert res.returncode == 0, res.stderr
    assert {k: (out / f"{SAMPLE.stem}.{k}").read_bytes() for k in before} == before


def test_segments_csv_and_xlsx_hold_every_segment(exchange_run, report):
    import openpyxl

    segments = all_segments(report)
    with open(exchange_run / "segments.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["segment_id"], r["zh"], r["en"], r["origin"]) for r in rows] == [
        (s["id"], s["zh"], s["en"], "model") for s in segments]
    assert all(r["doc_id"] == SAMPLE.stem for r in rows)
    assert sum(bool(r["flags"]) for r in rows) == sum(bool(s.get("flags")) for s in segments)
    sheet = openpyxl.load_workbook(exchange_run / "segments.xlsx", read_only=True)["segments"]
    values = [tuple("" if v is None else v for v in row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ("doc_id", "segment_id", "section_path", "zh", "en", "origin", "flags")
    assert values[1:] == [tuple(r.values()) for r in rows]


def test_hostile_text_stays_text_in_every_format(tiny_models, tmp_path):
    """XML specials and a formula-like sentence: each format keeps them as text."""
    import docx
    import openpyxl

    src = tmp_path / "x<&>.txt"
    src.write_text("=SUM(A1:A9)开头的句子。\n一、标题<b>&amp;\n正文包含<tag>与&符号。", encoding="utf-8")
    out = tmp_path / "out"
    res = run_main("run", str(src), "--config", str(TINY_CONFIG), "--out", str(out), "-q", "--no-cache", *ALL_FORMATS)
    assert res.returncode == 0, res.stderr
    stem = next(out.glob("*.json")).stem
    data = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
    zh = [s["zh"] for s in all_segments(data)]
    tmx = etree.parse(str(out / f"{stem}.tmx"))
    assert [u.findtext("tuv[1]/seg") for u in tmx.findall("body/tu") if u.find("prop[@type='x-kind']") is None] == zh
    assert [u.findtext("tuv[1]/seg") for u in tmx.findall("body/tu") if u.find("prop[@type='x-kind']") is not None] \
        == [t["zh"] for _, t in headings(data)]
    xliff = etree.parse(str(out / f"{stem}.xliff"))
    assert [u.findtext("x:source", namespaces=XLIFF_NS) for u in xliff.findall(".//x:trans-unit", XLIFF_NS)
            if u.get("resname") != "heading"] == zh
    cells = [c.text for t in docx.Document(str(out / f"{stem}.docx")).tables for r in t.rows for c in r.cells[:1]]
    assert [c for c in cells if c != "中文"] == zh
    sheet = openpyxl.load_workbook(out / "segments.xlsx")["segments"]
    first = sheet.cell(row=2, column=4)
    assert first.value == zh[0] and first.data_type == "s"  # text, not a formula


def test_characters_xml_cannot_carry_are_dropped_not_fatal():
    """A control character (possible in a table row or a PDF) cannot be written in XML 1.0: it is dropped
    from the XML formats and Word, the rest of the sentence kept."""
    import io

    import docx

    from pipeline.document import Document, Segment
    from pipeline.render.docx import render_docx
    from pipeline.render.tmx import render_tmx
    from pipeline.render.xliff import render_xliff

    doc = Document(source="t.txt", preamble=[Segment("s1", "控制\x07字符\x00。", "Con\x0btrol.", origin="model")])
    assert etree.fromstring(render_tmx(doc)).findtext("body/tu/tuv/seg") == "控制字符。"
    assert etree.fromstring(render_xliff(doc)).findtext(".//x:target", namespaces=XLIFF_NS) == "Control."
    cells = docx.Document(io.BytesIO(render_docx(doc))).tables[0].rows[1].cells
    assert [c.text for c in cells] == ["控制字符。", "Control."]


@pytest.mark.ray
@pytest.mark.slow
def test_ray_engine_writes_the_same_exchange_files(tiny_models, tmp_path):
    """The Word file (bytes) and the XML formats come back from Ray document tasks as the local engine writes them."""
    pytest.importorskip("ray", reason="Ray not installed (pip install -e '.[ray]')")
    from .conftest import run_cli

    args = ["--config", str(TINY_CONFIG), "-q", "--no-cache", "--limit", "8", "--set", "summarizer.kind=none", *ALL_FORMATS]
    local = run_main("run", str(SAMPLE), "--out", str(tmp_path / "local"), *args)
    assert local.returncode == 0, local.stderr
    ray = run_cli("run", str(SAMPLE), "--out", str(tmp_path / "ray"), "--engine", "ray", *args, timeout=600)
    assert ray.returncode == 0, ray.stderr[-3000:]
    assert "WARNING" not in ray.stderr and not ray.stderr.strip()  # -q: Ray's own warnings stay out too
    for suffix in ("docx", "tmx", "xliff", "json"):
        name = f"{SAMPLE.stem}.{suffix}"
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    assert (tmp_path / "ray" / "segments.csv").read_bytes() == (tmp_path / "local" / "segments.csv").read_bytes()
