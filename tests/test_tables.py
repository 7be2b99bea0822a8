"""Tables kept as tables (issue 24, part 2): a statistical bulletin page (HTML), a Word table of indicators,
a PDF table printed as text and a ruled PDF table with merged cells, read into table blocks (rows, cells,
header rows, merged cells as spans), their cells translated one by one by the tiny model (gibberish by
design: the tests check the mechanics), checked, and rendered as tables in Markdown, the HTML reader, the
JSON and segments.parquet."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.document import Document, Segment, Table, TableCell, decode_table, encode_table
from pipeline.readers import read_document
from pipeline.segment import segment

from .conftest import TINY_CONFIG, json_segments, run_main

BULLETIN = """<html><head><meta charset="utf-8"><title>某市2023年国民经济和社会发展统计公报</title></head><body>
<table class="meta"><tr><td>索引号：</td><td>11330000/2024-00012</td><td>发布日期：</td><td>2024-03-15</td></tr></table>
<h1>某市2023年国民经济和社会发展统计公报</h1>
<p>某市统计局</p>
<p>一、综合</p>
<p>初步核算，全年全市地区生产总值1234.5亿元，比上年增长6.1%。</p>
<table>
<thead><tr><th rowspan="2">指标</th><th colspan="2">绝对数</th><th rowspan="2">比上年增长（%）</th></tr>
<tr><th>2022年</th><th>2023年</th></tr></thead>
<tbody>
<tr><td>地区生产总值（亿元）</td><td>1163.6</td><td>1234.5</td><td>6.1</td></tr>
<tr><td>第一产业增加值（亿元）</td><td>45.2</td><td>47.0</td><td>3.9</td></tr>
<tr><td>第二产业增加值（亿元）</td><td>520.1</td><td>551.8</td><td>6.1</td></tr>
<tr><td>第三产业增加值（亿元）</td><td>598.3</td><td>635.7</td><td>6.3</td></tr>
<tr><td>备注</td><td colspan="3">按可比价格计算</td></tr>
</tbody></table>
<p>二、农业</p>
<p>全年粮食播种面积45.6万亩，比上年增加0.3万亩。</p>
</body></html>
"""

BULLETIN_ROWS = [
    [("指标", True, 1, 2), ("绝对数", True, 2, 1), ("比上年增长（%）", True, 1, 2)],
    [("2022年", True, 1, 1), ("2023年", True, 1, 1)],
    [("地区生产总值（亿元）", False, 1, 1), ("1163.6", False, 1, 1), ("1234.5", False, 1, 1), ("6.1", False, 1, 1)],
    [("第一产业增加值（亿元）", False, 1, 1), ("45.2", False, 1, 1), ("47.0", False, 1, 1), ("3.9", False, 1, 1)],
    [("第二产业增加值（亿元）", False, 1, 1), ("520.1", False, 1, 1), ("551.8", False, 1, 1), ("6.1", False, 1, 1)],
    [("第三产业增加值（亿元）", False, 1, 1), ("598.3", False, 1, 1), ("635.7", False, 1, 1), ("6.3", False, 1, 1)],
    [("备注", False, 1, 1), ("按可比价格计算", False, 3, 1)],
]


def _shape(table: Table) -> list[list[tuple[str, bool, int, int]]]:
    return [[(c.zh, c.header, c.colspan, c.rowspan) for c in row] for row in table.rows]


def _tables(doc: Document) -> list[Segment]:
    return [s for s in doc.all_segments() if s.table is not None]


def build_docx(path: Path) -> Path:
    """A notice with a Word table of indicators: a header row marked to repeat (tblHeader), a cell merged
    across two columns and one merged down two rows; the cell "6左右" is repeated."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_paragraph("某县2024年国民经济和社会发展计划主要指标")
    document.add_paragraph("一、主要指标")
    table = document.add_table(rows=5, cols=3)
    values = [["指标", "2023年", "2024年目标"], ["地区生产总值增长（%）", "6.1", "6左右"], ["城镇新增就业（万人）", "6左右", "6左右"],
              ["单位：万人", "", ""], ["说明", "", "以上为预期性指标"]]
    for row, texts in zip(table.rows, values):
        for cell, text in zip(row.cells, texts):
            cell.text = text
    table.cell(3, 0).merge(table.cell(3, 2))  # one cell across the row
    table.cell(3, 0).text = "单位：万人"
    table.cell(4, 0).merge(table.cell(4, 1))
    table.cell(4, 0).text = "说明"
    table.cell(1, 2).merge(table.cell(2, 2))  # merged down two rows
    table.cell(1, 2).text = "6左右"
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))
    assert tr_pr.find(qn("w:tblHeader")) is not None
    document.add_paragraph("二、工作要求")
    document.add_paragraph("各部门要认真抓好落实。")
    document.save(str(path))
    return path


def build_pdf(path: Path) -> Path:
    """A page with a paragraph, then a table printed as cells far apart on each baseline, then text."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path), pagesize=(595, 842))
    y = 760
    for text in ("某区2023年财政预算执行情况", "一、收入情况", "全区一般公共预算收入完成情况如下。"):
        pdf.setFont("STSong-Light", 12)
        pdf.drawString(72 + (0 if text.startswith("一") else 24), y, text)
        y -= 24
    for row in (("项目", "预算数", "执行数"), ("税收收入", "45.6", "47.2"), ("非税收入", "12.3", "11.8"), ("合计", "57.9", "59.0")):
        for x, cell in zip((72, 260, 400), row):
            pdf.drawString(x, y, cell)
        y -= 20
    pdf.drawString(96, y - 10, "二、支出情况")
    pdf.drawString(96, y - 34, "全区一般公共预算支出完成年度预算的98.5%。")
    pdf.save()
    return path


RULED_ROWS = [
    [("指标", True, 1, 2), ("绝对数", True, 2, 1), ("比上年增长（%）", True, 1, 2)],
    [("2022年", True, 1, 1), ("2023年", True, 1, 1)],
    [("地区生产总值（亿元）", False, 1, 1), ("1163.6", False, 1, 1), ("1234.5", False, 1, 1), ("6.1", False, 1, 1)],
    [("第一产业增加值（亿元）", False, 1, 1), ("45.2", False, 1, 1), ("47.0", False, 1, 1), ("3.9", False, 1, 1)],
    [("备注", False, 1, 1), ("按可比价格计算", False, 3, 1)],
]


def build_ruled_pdf(path: Path) -> Path:
    """A bulletin page with a ruled table (reportlab draws its grid, leaving out the rules inside merged
    cells): "指标" and "比上年增长（%）" merged down two header rows, "绝对数" across two columns, the note
    across three; a paragraph above the table and a part below it."""
    from reportlab.lib import colors
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Table as GridTable
    from reportlab.platypus import TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path), pagesize=(595, 842))
    pdf.setFont("STSong-Light", 12)
    y = 760
    for text, x in (("某区2023年国民经济和社会发展统计公报", 120), ("一、综合", 96), ("全区地区生产总值主要指标如下。", 96)):
        pdf.drawString(x, y, text)
        y -= 24
    cells = [[text for text, *_ in row] for row in RULED_ROWS]
    grid = [[cells[0][0], cells[0][1], "", cells[0][2]], ["", cells[1][0], cells[1][1], ""], cells[2], cells[3],
            [cells[4][0], cells[4][1], "", ""]]
    table = GridTable(grid, colWidths=[150, 80, 80, 110], rowHeights=22)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("FONTSIZE", (0, 0), (-1, -1), 11),
                               ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("SPAN", (0, 0), (0, 1)), ("SPAN", (1, 0), (2, 0)), ("SPAN", (3, 0), (3, 1)),
                               ("SPAN", (1, 4), (3, 4))]))
    _, height = table.wrapOn(pdf, 450, 400)
    table.drawOn(pdf, 72, y - height)
    y -= height + 30
    pdf.setFont("STSong-Light", 12)
    pdf.drawString(96, y, "二、农业")
    pdf.drawString(96, y - 24, "全年粮食播种面积45.6万亩，比上年增加0.3万亩。")
    pdf.save()
    return path


def test_a_ruled_pdf_table_keeps_its_merged_cells_as_spans_in_its_place(tmp_path: Path):
    read = read_document(build_ruled_pdf(tmp_path / "ruled.pdf")).text
    lines = read.splitlines()
    [at] = [i for i, line in enumerate(lines) if line.startswith("⟦表格⟧")]
    assert lines[at - 1] == "全区地区生产总值主要指标如下。" and lines[at + 1] == "二、农业"
    assert sum(line.count("1163.6") for line in lines) == 1 and sum(line.count("备注") for line in lines) == 1
    doc = segment(read, source="ruled.pdf")
    [table] = _tables(doc)
    assert _shape(table.table) == RULED_ROWS
    assert [(r, c) for r, c, _ in table.table.positions()][:6] == [(0, 0), (0, 1), (0, 3), (1, 1), (1, 2), (2, 0)]
    assert [(s.marker, s.title.zh) for s in doc.sections] == [("一、", "综合"), ("二、", "农业")]
    assert table in doc.sections[0].segments
    assert [s.zh for s in doc.all_segments() if s.table is None] == ["全区地区生产总值主要指标如下。", "全年粮食播种面积45.6万亩，比上年增加0.3万亩。"]


def test_a_ruled_frame_around_text_and_a_rule_under_a_heading_stay_text(tmp_path: Path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(tmp_path / "framed.pdf"), pagesize=(595, 842))
    pdf.setFont("STSong-Light", 12)
    pdf.drawString(160, 760, "某区人民政府关于做好防汛工作的通知")
    pdf.line(72, 748, 523, 748)  # the red rule under a document's header
    pdf.drawString(96, 720, "各乡镇人民政府，各有关单位：")
    pdf.rect(84, 640, 420, 60)  # a framed notice: one box, no grid
    pdf.drawString(96, 676, "请各单位于6月1日前完成隐患排查，")
    pdf.drawString(96, 656, "并报区防汛办备案。")
    pdf.save()
    text = read_document(tmp_path / "framed.pdf").text
    assert "⟦表格⟧" not in text
    assert "请各单位于6月1日前完成隐患排查，并报区防汛办备案。" in text and text.count("隐患排查") == 1


def test_an_html_data_table_is_a_table_block_and_the_metadata_table_stays_metadata(tmp_path: Path):
    (tmp_path / "bulletin.html").write_text(BULLETIN, encoding="utf-8")
    doc = segment(read_document(tmp_path / "bulletin.html").text, source="bulletin.html")
    assert doc.meta == {"索引号": "11330000/2024-00012", "发布日期": "2024-03-15"}
    [table] = _tables(doc)
    assert _shape(table.table) == BULLETIN_ROWS
    assert [(s.marker, s.title.zh) for s in doc.sections] == [("一、", "综合"), ("二、", "农业")]
    assert table in doc.sections[0].segments  # in its place in the outline, one segment
    positions = [(r, c, cell.zh) for r, c, cell in table.table.positions()]
    assert positions[:5] == [(0, 0, "指标"), (0, 1, "绝对数"), (0, 3, "比上年增长（%）"), (1, 1, "2022年"), (1, 2, "2023年")]


def test_a_word_table_keeps_header_row_and_merged_cells_as_spans(tmp_path: Path):
    doc = segment(read_document(build_docx(tmp_path / "plan.docx")).text, source="plan.docx")
    [table] = _tables(doc)
    assert _shape(table.table) == [
        [("指标", True, 1, 1), ("2023年", True, 1, 1), ("2024年目标", True, 1, 1)],
        [("地区生产总值增长（%）", False, 1, 1), ("6.1", False, 1, 1), ("6左右", False, 1, 2)],
        [("城镇新增就业（万人）", False, 1, 1), ("6左右", False, 1, 1)],
        [("单位：万人", False, 3, 1)],
        [("说明", False, 2, 1), ("以上为预期性指标", False, 1, 1)],
    ]
    assert [(s.marker, s.title.zh) for s in doc.sections] == [("一、", "主要指标"), ("二、", "工作要求")]


def test_a_pdf_table_is_a_table_block(tmp_path: Path):
    doc = segment(read_document(build_pdf(tmp_path / "budget.pdf")).text, source="budget.pdf")
    [table] = _tables(doc)
    assert _shape(table.table) == [
        [("项目", True, 1, 1), ("预算数", True, 1, 1), ("执行数", True, 1, 1)],
        [("税收收入", False, 1, 1), ("45.6", False, 1, 1), ("47.2", False, 1, 1)],
        [("非税收入", False, 1, 1), ("12.3", False, 1, 1), ("11.8", False, 1, 1)],
        [("合计", False, 1, 1), ("57.9", False, 1, 1), ("59.0", False, 1, 1)],
    ]
    assert [s.title.zh for s in doc.sections] == ["收入情况", "支出情况"]


def test_table_line_round_trips_cells_with_pipes_and_spans():
    rows = [[TableCell("a | b", header=True, colspan=2)], [TableCell("甲", rowspan=2), TableCell("1")], [TableCell("2")]]
    table = decode_table(encode_table(rows))
    assert _shape(table) == [[("a ｜ b", True, 2, 1)], [("甲", False, 1, 2), ("1", False, 1, 1)], [("2", False, 1, 1)]]
    assert [(r, c) for r, c, _ in table.positions()] == [(0, 0), (1, 0), (1, 1), (2, 1)]


def test_cells_are_translated_one_by_one_and_repeated_cells_once(tmp_path: Path, tiny_translator):
    from pipeline.translate import TranslationService
    from pipeline.translate.stage import TranslationStats, translate_document

    doc = segment(read_document(build_docx(tmp_path / "plan.docx")).text, source="plan.docx")
    service = TranslationService(tiny_translator)
    stats = TranslationStats()
    translate_document(doc, service, stats=stats)
    [table] = _tables(doc)
    cells = list(table.table.cells())
    chinese = [c.zh for c in cells if re.search(r"[\u4e00-\u9fff]", c.zh)]
    assert chinese.count("6左右") == 2
    texts = [doc.title.zh] + [s.title.zh for s in doc.walk_sections()] + [s.zh for s in doc.all_segments() if s.table is None]
    assert stats.texts == len(set(texts + chinese))  # "6左右" translated once; "6.1" is no text to translate
    assert all(c.en for c in cells if c.zh) and [c.en for c in cells if c.zh == "6.1"] == ["6.1"]
    assert len({c.en for c in cells if c.zh == "6左右"}) == 1
    assert table.en == table.table.text("en") and "\n" in table.en


def test_a_run_renders_every_table_in_markdown_html_json_and_parquet(tmp_path: Path, tiny_models):
    import pyarrow.parquet as pq

    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "bulletin.html").write_text(BULLETIN, encoding="utf-8")
    build_docx(inputs / "plan.docx")
    build_pdf(inputs / "budget.pdf")
    build_ruled_pdf(inputs / "ruled.pdf")
    out = tmp_path / "out"
    result = run_main("run", str(inputs), "--config", str(TINY_CONFIG), "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    rows = pq.read_table(out / "segments.parquet").to_pylist()
    for stem in ("bulletin", "plan", "budget", "ruled"):
        data = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
        [seg] = [s for s in json_segments(data) if s.get("table")]
        table = Table.from_dict(seg["table"])
        cells = list(table.cells())
        assert cells and all(c.en for c in cells if c.zh)  # every cell translated
        assert seg["zh"] == table.text("zh") and seg["en"] == table.text("en")
        assert data["qa"]["segments_checked"] == len(json_segments(data))  # the table is checked too
        markdown = (out / f"{stem}.md").read_text(encoding="utf-8")
        width = max(c + cell.colspan for _, c, cell in table.positions())
        assert f"*table, {max(r + cell.rowspan for r, _, cell in table.positions())} × {width}*" in markdown
        assert "|" + " --- |" * width in markdown
        html = (out / f"{stem}.html").read_text(encoding="utf-8")
        assert html.count('<table class="data-table">') == 2  # the Chinese table and the English one
        cell_rows = [r for r in rows if r["doc_id"] == stem and r["segment_id"] == seg["id"]]
        assert [(r["table_row"], r["table_column"], r["zh"]) for r in cell_rows] == [(r, c, cell.zh) for r, c, cell in table.positions()]
        assert all(r["table_row"] is None for r in rows if r["doc_id"] == stem and r["segment_id"] != seg["id"])
    for stem in ("bulletin", "ruled"):
        html = (out / f"{stem}.html").read_text(encoding="utf-8")
        assert '<th colspan="2">绝对数</th>' in html and '<th rowspan="2">指标</th>' in html
    assert "**地区生产总值（亿元）<br>" not in (out / "bulletin.md").read_text(encoding="utf-8")  # a body cell, not bold


@pytest.mark.parametrize("html", ["<table><tr><td>只有一格</td></tr></table>", "<table><tr><td>索引号</td><td>123</td></tr><tr><td>a</td><td>b</td></tr></table>"])
def test_layout_and_metadata_tables_are_not_table_blocks(html: str):
    from pipeline.readers.blocks import html_tables

    assert html_tables(html) == html


def test_each_cell_is_number_checked_like_a_sentence_and_the_flag_names_it():
    from pipeline.fidelity.checks import check_document

    rows = [[TableCell("指标", "Indicator", header=True), TableCell("2023年", "2023", header=True)],
            [TableCell("地区生产总值", "GDP"), TableCell("1234.5亿元", "12.345 billion yuan")],
            [TableCell("增速", "Growth"), TableCell("6.1%", "6.1%")]]
    table = Table(rows)
    seg = Segment.of_table("s1", table)
    seg.en = table.text("en")
    doc = Document(source="t.html", preamble=[seg])
    qa = check_document(doc)
    assert qa["segments_checked"] == 1 and qa["segments_flagged"] == 1
    [flag] = [f for f in seg.flags if f.kind == "number"]
    assert flag.detail.startswith("row 2, column 2: ") and "1234.5亿元" in flag.detail
