"""PDF and Word inputs: files built here (reportlab's CJK CID font, python-docx), read by the real readers."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.document import TableCell, encode_table
from pipeline.errors import InputError
from pipeline.readers import READABLE_SUFFIXES, read_document, read_document_text
from pipeline.segment import format_outline, segment

FONT = "STSong-Light"
SIZE = 12
LEFT, WIDTH = 72, 30 * SIZE  # a 30-character text block
PAGE = (595, 842)


# --- a tiny typesetter --------------------------------------------------------------------------


def _typeset(blocks: list[tuple[str, str]], *, header: str | None = None, page_number: str | None = None,
             lines_per_page: int = 40) -> list[list[tuple[str, float, float, str]]]:  # fmt: skip
    """Pages of (text, x, size, align) lines: "title" centred at 16pt, "heading" indented and short,
    "para" wrapped at 30 characters with a two-character first-line indent, "right" right-aligned."""
    lines: list[tuple[str, float, float, str]] = []
    for kind, text in blocks:
        if kind == "title":
            lines.append((text, 0, 16, "centre"))
        elif kind == "right":
            lines.append((text, 0, SIZE, "right"))
        elif kind == "heading":
            lines.append((text, LEFT + 2 * SIZE, SIZE, "left"))
        else:
            x, line = LEFT + 2 * SIZE, ""
            for char in text:
                if _width(line + char) > LEFT + WIDTH - x:  # wrapped by width, as a word processor does
                    lines.append((line, x, SIZE, "left"))
                    x, line = LEFT, ""
                line += char
            lines.append((line, x, SIZE, "left"))
    return [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)]


def _width(text: str) -> float:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return pdfmetrics.stringWidth(text, FONT, SIZE)


def build_pdf(path: Path, blocks, *, header: str | None = None, page_number: str | None = None,
              lines_per_page: int = 40, encrypt: str | None = None) -> Path:  # fmt: skip
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    encryption = StandardEncryption(encrypt, canPrint=0) if encrypt else None
    pdf = canvas.Canvas(str(path), pagesize=PAGE, encrypt=encryption)
    pages = _typeset(blocks, lines_per_page=lines_per_page)
    for number, page in enumerate(pages, 1):
        if header:
            pdf.setFont(FONT, 9)
            pdf.drawCentredString(PAGE[0] / 2, PAGE[1] - 40, header)
        y = PAGE[1] - 100
        for text, x, size, align in page:
            pdf.setFont(FONT, size)
            if align == "centre":
                pdf.drawCentredString(LEFT + WIDTH / 2, y, text)
            elif align == "right":
                pdf.drawRightString(LEFT + WIDTH, y, text)
            else:
                pdf.drawString(x, y, text)
            y -= size * 1.6
        if page_number:
            pdf.setFont(FONT, 10)
            pdf.drawCentredString(PAGE[0] / 2, 40, page_number.format(n=number, total=len(pages)))
        pdf.showPage()
    pdf.save()
    return path


P1 = "上半年，全市实现地区生产总值551.2亿元，同比增长6.3%，增速高于全省平均水平0.8个百分点，经济运行总体平稳、稳中有进。"
P2 = "规模以上工业增加值增长8.1%，其中高新技术产业增加值增长12.4%，占规上工业比重达到55.6%，新增“小升规”企业312家。"
P3 = "坚持稳中求进工作总基调，完整、准确、全面贯彻新发展理念，加快构建新发展格局，着力推动高质量发展，为全年目标打下坚实基础。"
P4 = "全市固定资产投资增长9.7%，其中工业投资增长15.2%，民间投资增长7.9%；社会消费品零售总额增长8.8%，外贸进出口总额增长4.1%，实际利用外资2.3亿美元。"
P5 = "下半年，要聚焦全年目标任务，抓项目、扩投资，抓招商、强产业，抓改革、优环境，抓民生、保稳定，确保全年经济社会发展目标任务圆满完成，以实际行动迎接各项考验。"
# pdfium merges a line identical to an earlier one on the same page when the font has no glyph heights
# (reportlab's CID fonts), so no two paragraphs repeat each other here.
REPORT_BLOCKS = [
    ("title", "某市人民政府关于2023年上半年"),
    ("title", "经济运行情况的报告"),
    ("para", "市人大常委会："),
    ("para", P1),
    ("heading", "一、主要经济指标"),
    ("para", P2 + P4),
    ("heading", "二、下一步工作安排"),
    ("para", P3 + P5),
    ("para", P1),
    ("right", "某市人民政府"),
    ("right", "2023年7月20日"),
]


def _visible(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def report_pdf(tmp_path: Path) -> Path:
    return build_pdf(
        tmp_path / "report.pdf", REPORT_BLOCKS, header="某市人民政府公报　2023年第8期", page_number="— {n} —", lines_per_page=9
    )


def test_pdf_paragraphs_are_rejoined_and_page_chrome_dropped(report_pdf: Path):
    result = read_document(report_pdf)
    assert (result.format, result.encoding) == ("pdf", "n/a")
    lines = result.text.splitlines()
    assert lines == [
        "某市人民政府关于2023年上半年", "经济运行情况的报告", "市人大常委会：", P1, "一、主要经济指标", P2 + P4,
        "二、下一步工作安排", P3 + P5, P1, "某市人民政府", "2023年7月20日",
    ]  # fmt: skip
    assert "公报" not in result.text and "—" not in result.text


@pytest.mark.parametrize("page_number", ["-{n}-", "第{n}页 共{total}页", "{n}", "{n}/{total}"])
def test_pdf_page_number_shapes_are_dropped(tmp_path: Path, page_number: str):
    path = build_pdf(tmp_path / "a.pdf", REPORT_BLOCKS, page_number=page_number, lines_per_page=7)
    text = read_document_text(path)
    assert P2 + P4 in text.splitlines() and "页" not in text
    assert _visible(text).count("2023年") == 2


def test_pdf_goes_through_the_same_outline_as_text(report_pdf: Path):
    doc = segment(read_document_text(report_pdf), source="report.pdf")
    assert doc.title.zh == "某市人民政府关于2023年上半年经济运行情况的报告"
    assert (doc.issuer, doc.date, doc.salutation) == ("某市人民政府", "2023年7月20日", "市人大常委会：")
    assert [(s.marker, s.title.zh) for s in doc.sections] == [("一、", "主要经济指标"), ("二、", "下一步工作安排")]
    assert "上半年，全市实现地区生产总值551.2亿元，同比增长6.3%，增速高于全省平均水平0.8个百分点，经济运行总体平稳、稳中有进。" in [
        seg.zh for seg in doc.all_segments()
    ]


def test_pdf_block_paragraphs_split_at_the_gap_and_runs_on_one_baseline_join(tmp_path: Path):
    """Paragraphs set without an indent are told apart by the space between them; a heading printed as
    two runs ("一、" then its title) and a table row's cells are one line each."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    pdf = canvas.Canvas(str(tmp_path / "blocks.pdf"), pagesize=PAGE)
    pdf.setFont(FONT, SIZE)
    y = 700
    pdf.drawString(LEFT, y, "一、")
    pdf.drawString(LEFT + 2 * SIZE, y, "总体情况")
    y -= 30
    # all full-width characters: 29 of them fill a line whatever the font's digit widths
    # the first paragraph fills both its lines: only the gap after it ends it
    paragraphs = ["上半年全市经济运行总体平稳，主要指标好于预期，地区生产总值较快增长，城乡居民收入稳步提高，民生保障水平持续不断加强。",
                  "规上工业增加值快速增长，其中高新技术产业增加值增长较快，占比持续提高。"]  # fmt: skip
    assert len(paragraphs[0]) == 58
    for text in paragraphs:
        pdf.drawString(LEFT, y, text[:29])
        pdf.drawString(LEFT, y - 18, text[29:])
        y -= 18 + 30  # a paragraph gap, no first-line indent
    pdf.drawString(LEFT, y, "指标")
    pdf.drawString(LEFT + 200, y, "551.2亿元")
    pdf.showPage()
    pdf.save()
    lines = read_document_text(tmp_path / "blocks.pdf").splitlines()
    assert lines[0] == "一、总体情况"
    assert lines[1:3] == paragraphs
    assert lines[3] == "指标 | 551.2亿元"  # cells far apart: a table row


def test_pdf_with_nothing_on_its_pages_is_refused_with_one_line(tmp_path: Path):
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(tmp_path / "blank.pdf"), pagesize=PAGE)
    pdf.showPage()  # a blank page: no text layer, nothing to read by OCR (scans: tests/test_ocr.py)
    pdf.save()
    with pytest.raises(InputError, match=r"blank\.pdf: the PDF has no text \(no text layer, nothing printed on its pages\)$"):
        read_document(tmp_path / "blank.pdf")


def test_encrypted_pdf_is_refused_with_one_line(tmp_path: Path):
    path = build_pdf(tmp_path / "locked.pdf", REPORT_BLOCKS, encrypt="secret")
    with pytest.raises(InputError, match=r"locked\.pdf: the PDF is encrypted \(password-protected\)$"):
        read_document(path)


def test_broken_pdf_is_refused_with_one_line(tmp_path: Path):
    path = tmp_path / "cut.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj\n<<")
    with pytest.raises(InputError, match=r"cut\.pdf: cannot read as PDF"):
        read_document(path)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([P1, P2, P3, "一、总体要求", "（二）重点任务", "增长5%。"]), min_size=1, max_size=6, unique=True))
def test_pdf_reader_never_loses_or_reorders_characters(tmp_path: Path, paragraphs: list[str]):
    blocks = [("heading" if len(text) < 10 and "。" not in text else "para", text) for text in paragraphs]
    # at least two pages, so that the running header can be told from text
    path = build_pdf(tmp_path / "p.pdf", blocks + [("para", P4), ("para", P5)], header="某县政府公报", page_number="- {n} -", lines_per_page=4)
    assert _visible(read_document_text(path)) == _visible("".join(text for _, text in blocks) + P4 + P5)


# --- Word -----------------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _numbering_xml(levels: list[tuple[str, str]]) -> str:
    """numbering.xml with one list (numId 1) whose levels have the given (numFmt, lvlText)."""
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    return (
        f'<w:numbering xmlns:w="{_W}"><w:abstractNum w:abstractNumId="7">{lvls}</w:abstractNum>'
        '<w:num w:numId="1"><w:abstractNumId w:val="7"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="7"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="3"/></w:lvlOverride></w:num></w:numbering>'
    )


def build_docx(path: Path, paragraphs: list[tuple[str, int | None, int]], *, style: dict[int, str] | None = None,
               levels=None, table: list[list[str]] | None = None) -> Path:  # fmt: skip
    """A .docx of (text, numId or None, ilvl) paragraphs, numbered by Word's numbering definitions."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    document = docx.Document()
    numbering = document.part.numbering_part
    numbering._element = parse_xml(_numbering_xml(levels or [("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3.")]))
    for index, (text, num_id, ilvl) in enumerate(paragraphs):
        paragraph = document.add_paragraph(text, style=(style or {}).get(index))
        if num_id is not None:
            num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = ilvl
            num_pr.get_or_add_numId().val = num_id
        if table and index == 2:
            grid = document.add_table(rows=len(table), cols=len(table[0]))
            for row, values in zip(grid.rows, table):
                for cell, value in zip(row.cells, values):
                    cell.text = value
    assert numbering.element.tag == qn("w:numbering")
    document.save(str(path))
    return path


NUMBERED = [
    ("关于做好2024年春节期间安全生产工作的通知", None, 0),
    ("各乡镇人民政府，县政府各部门：", None, 0),
    ("为切实做好春节期间安全生产工作，现将有关事项通知如下。", None, 0),
    ("总体要求", 1, 0),
    ("坚持人民至上、生命至上，压实安全生产责任。", None, 0),
    ("重点任务", 1, 0),
    ("加强隐患排查", 1, 1),
    ("全面排查燃气、消防等领域风险隐患。", None, 0),
    ("对发现的问题限期整改", 1, 2),
    ("强化值班值守", 1, 1),
    ("保障措施", 1, 0),
    ("各单位要加强组织领导。", None, 0),
]


def test_docx_recovers_automatic_numbering(tmp_path: Path):
    path = build_docx(tmp_path / "notice.docx", NUMBERED, style={0: "Title"}, table=[["指标", "数值"], ["检查企业（家）", "312"]])
    result = read_document(path)
    assert (result.format, result.encoding) == ("docx", "n/a")
    assert result.text.splitlines() == [
        "关于做好2024年春节期间安全生产工作的通知", "各乡镇人民政府，县政府各部门：",
        "为切实做好春节期间安全生产工作，现将有关事项通知如下。",
        encode_table([[TableCell("指标", header=True), TableCell("数值", header=True)], [TableCell("检查企业（家）"), TableCell("312")]]),
        "一、总体要求", "坚持人民至上、生命至上，压实安全生产责任。", "二、重点任务", "（一）加强隐患排查",
        "全面排查燃气、消防等领域风险隐患。", "1.对发现的问题限期整改", "（二）强化值班值守", "三、保障措施",
        "各单位要加强组织领导。",
    ]  # fmt: skip
    doc = segment(result.text, source="notice.docx")
    assert doc.title.zh == NUMBERED[0][0]
    assert [s.marker for s in doc.walk_sections()] == ["一、", "二、", "（一）", "1.", "（二）", "三、"]


@pytest.mark.parametrize(
    "levels, expected",
    [
        ([("decimal", "%1.")], ["1.", "2.", "3."]),
        ([("ideographTraditional", "%1、")], ["甲、", "乙、", "丙、"]),
        ([("decimalEnclosedCircle", "%1")], ["①", "②", "③"]),
        ([("chineseCounting", "第%1条")], ["第一条", "第二条", "第三条"]),
        ([("bullet", "\u2022")], ["", "", ""]),
    ],
)
def test_docx_number_formats(tmp_path: Path, levels, expected):
    path = build_docx(tmp_path / "n.docx", [("项目甲", 1, 0), ("项目乙", 1, 0), ("项目丙", 1, 0)], levels=levels)
    assert read_document_text(path).splitlines() == [m + t for m, t in zip(expected, ["项目甲", "项目乙", "项目丙"])]


def test_docx_start_override_and_restart_below_a_higher_level(tmp_path: Path):
    paragraphs = [("甲项工作", 2, 0), ("子项", 2, 1), ("乙项工作", 2, 0), ("子项", 2, 1), ("子项", 2, 1)]
    assert read_document_text(build_docx(tmp_path / "s.docx", paragraphs)).splitlines() == [
        "三、甲项工作", "（一）子项", "四、乙项工作", "（一）子项", "（二）子项"
    ]  # fmt: skip


def test_legacy_doc_is_refused_with_the_fix(tmp_path: Path):
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(InputError, match=r"old\.doc: legacy Word \.doc") as caught:
        read_document(path)
    assert ".docx" in caught.value.hint
    assert ".pdf" in READABLE_SUFFIXES and ".docx" in READABLE_SUFFIXES and ".doc" not in READABLE_SUFFIXES


def test_broken_docx_is_refused(tmp_path: Path):
    path = tmp_path / "x.docx"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(InputError, match=r"x\.docx: cannot read as a Word \.docx file"):
        read_document(path)


def test_format_by_signature_not_name(tmp_path: Path, report_pdf: Path):
    renamed = tmp_path / "report.txt"
    renamed.write_bytes(report_pdf.read_bytes())
    assert read_document(renamed).format == "pdf"
    assert format_outline(segment(read_document_text(renamed))) == format_outline(segment(read_document_text(report_pdf)))


def test_docx_reads_revisions_content_controls_and_skips_deleted_text(tmp_path: Path):
    """Text inside an inserted revision, a smart tag or a block content control (Word's table of
    contents) is the document's; a deleted revision's and a text box's fallback copy are not."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_paragraph("关于某某工作的通知")
    body = document.element.body
    ns = f'xmlns:w="{_W}"'
    body.append(parse_xml(
        f'<w:sdt {ns}><w:sdtContent><w:p><w:r><w:t>目录</w:t></w:r></w:p>'
        '<w:p><w:r><w:t>一、总体要求</w:t></w:r></w:p></w:sdtContent></w:sdt>'
    ))  # fmt: skip
    body.append(parse_xml(
        f'<w:p {ns}><w:r><w:t>全市生产总值</w:t></w:r><w:ins w:id="1" w:author="a"><w:r><w:t>增长</w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="a"><w:r><w:delText>下降</w:delText></w:r></w:del>'
        '<w:smartTag w:uri="u" w:element="e"><w:r><w:t>5%</w:t></w:r></w:smartTag><w:r><w:tab/><w:t>。</w:t></w:r></w:p>'
    ))  # fmt: skip
    document.save(str(tmp_path / "rev.docx"))
    assert read_document_text(tmp_path / "rev.docx").splitlines() == [
        "关于某某工作的通知", "目录", "一、总体要求", "全市生产总值增长5%\t。"
    ]  # fmt: skip


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.sampled_from(["总体要求", "增长5%。", "第一条　为了规范管理，制定本办法。", P1, "（二）重点任务"]),
                  st.sampled_from([None, 1, 2]), st.integers(0, 2)),
        min_size=1, max_size=8,
    )
)  # fmt: skip
def test_docx_reader_never_loses_or_reorders_paragraphs(tmp_path: Path, paragraphs):
    paragraphs = [*paragraphs, (P2, None, 0)]  # enough Chinese text to pass the reader's check
    path = build_docx(tmp_path / "p.docx", paragraphs)
    lines = read_document_text(path).splitlines()
    assert len(lines) == len(paragraphs)
    assert all(line.endswith(text.strip()) for line, (text, _, _) in zip(lines, paragraphs))


def _gov_pdf(path: Path) -> Path:
    """A red-header notice laid out as the national standard for official documents (GB/T 9704) has
    it: 16pt text, 28 characters a line, 22 lines a page, two-character first-line indents, a centred
    two-line title, a right-aligned signature, page numbers "— N —" right on odd pages, left on even."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    size, left, width, top, pitch, per_page = 16, 79, 28 * 16, 842 - 105, 28.9, 22

    def wrap(text: str, indent: int) -> list[tuple[str, float]]:
        rows, line, x = [], "", left + indent * size
        for char in text:
            if pdfmetrics.stringWidth(line + char, FONT, size) > left + width - x:
                rows.append((line, x))
                line, x = "", left
            line += char
        return rows + [(line, x)]

    items: list[tuple[str, float, str, float]] = [("某某市人民政府文件", 26, "centre", 0), ("某政发〔2023〕12号", size, "centre", 0),
                                                  ("某市人民政府关于印发某市促进民营经济", 22, "centre", 0), ("高质量发展若干措施的通知", 22, "centre", 0),
                                                  ("各县（市、区）人民政府，市直各单位：", size, "left", left)]  # fmt: skip
    body = [(P1 + P2, 2), ("一、持续优化发展环境", 2), (P3 + P4, 2), ("二、加大政策支持力度", 2), (P5 + P1, 2), ("（此件公开发布）", 2)]
    for text, indent in body:
        items += [(line, size, "left", x) for line, x in wrap(text, indent)]
    items[-1:-1] = [("某市人民政府", size, "right", 0), ("2023年5月8日", size, "right", 0)]
    pdf = canvas.Canvas(str(path), pagesize=PAGE)
    pages = [items[i : i + per_page] for i in range(0, len(items), per_page)]
    for number, page in enumerate(pages, 1):
        y = top
        for text, font_size, align, x in page:
            pdf.setFont(FONT, font_size)
            if align == "centre":
                pdf.drawCentredString(left + width / 2, y, text)
            elif align == "right":
                pdf.drawRightString(left + width - 4 * size, y, text)
            else:
                pdf.drawString(x, y, text)
            y -= max(pitch, font_size * 1.5)
        pdf.setFont(FONT, 14)
        (pdf.drawRightString if number % 2 else pdf.drawString)(left + width if number % 2 else left, 60, f"— {number} —")
        pdf.showPage()
    pdf.save()
    return path


def test_official_document_layout_reads_into_the_right_outline(tmp_path: Path):
    doc = segment(read_document_text(_gov_pdf(tmp_path / "notice.pdf")), source="notice.pdf")
    assert doc.title.zh == "某市人民政府关于印发某市促进民营经济高质量发展若干措施的通知"
    assert doc.meta == {"发文机关标志": "某某市人民政府文件", "发文字号": "某政发〔2023〕12号", "附注": "（此件公开发布）"}
    assert (doc.salutation, doc.issuer, doc.date) == ("各县（市、区）人民政府，市直各单位：", "某市人民政府", "2023年5月8日")
    assert [(s.marker, s.title.zh) for s in doc.sections] == [("一、", "持续优化发展环境"), ("二、", "加大政策支持力度")]
    zh = [seg.zh for seg in doc.all_segments()]
    assert zh[:2] == [P1, P2] and zh[2:4] == [P3, P4[: P4.index("；") + 1]] and zh[-1] == P1
    assert not any("—" in s for s in zh)
