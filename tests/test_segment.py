"""Segmentation: golden outlines for a hand-written corpus, the reference report, and invariants."""

from __future__ import annotations

import csv
import difflib
import os
from itertools import groupby
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.document import Document
from pipeline.readers import read_document_text
from pipeline.segment import (
    clean_text,
    format_outline,
    join_wrapped_lines,
    segment,
    segment_body,
    split_front_matter,
    split_long_sentence,
    split_sentences,
    take_yaml_front_matter,
)

from .conftest import GWR_CSV as NATIONAL_REPORT_CSV
from .conftest import ROOT as REPO

CORPUS = REPO / "tests" / "data" / "segment"
SAMPLE = REPO / "examples" / "yuyao-2020-h1-report.txt"
GOLDEN_SUFFIX = ".outline"
CORPUS_FILES = sorted(p for p in CORPUS.iterdir() if p.suffix != GOLDEN_SUFFIX)


def visible(text: str) -> str:
    return "".join(text.split())


def everything_in_order(doc: Document) -> str:
    """All body text the document holds, in document order: what must equal the body."""
    parts = [seg.zh for seg in doc.preamble]
    for section in doc.walk_sections():
        parts += [section.marker, section.title.zh] + [seg.zh for seg in section.segments]
    return visible("".join(parts))


# --- golden outlines -----------------------------------------------------------------------------


def test_corpus_covers_every_shape():
    assert 8 <= len(CORPUS_FILES) <= 50


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_golden_outline(path: Path):
    outline = format_outline(segment(read_document_text(path), source=path.name), show_segments=True)
    golden = path.with_name(path.name + GOLDEN_SUFFIX)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(outline, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}; run with UPDATE_GOLDEN=1 to create it"
    expected = golden.read_text(encoding="utf-8")
    if outline != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), outline.splitlines(keepends=True), str(golden.name), "actual"
            )
        )
        pytest.fail(f"outline differs from {golden.name} (UPDATE_GOLDEN=1 regenerates):\n{diff}")


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_keeps_every_body_character(path: Path):
    _, text = take_yaml_front_matter(read_document_text(path))
    front = split_front_matter(clean_text(text, markdown=True if path.suffix == ".md" else None))
    doc = segment(read_document_text(path))
    assert everything_in_order(doc) == visible(front.body)
    assert all(seg.en is None for seg in doc.all_segments())


@pytest.mark.parametrize(
    "name, markers",
    [
        ("08-chapters-articles.txt", ["第一章", "第一条", "第二条", "第二章", "第一节", "第三条", "第四条", "第二节", "第五条", "第三章", "第六条"]),
        ("09-numbered-lists.txt", ["一、", "1.", "(1)", "(2)", "2.", "①", "②", "二、"]),
        ("10-mixed-width.txt", ["一．", "１．", "２．", "二．", "（１）", "（２）"]),
        ("12-false-positives.txt", ["一、", "二、"]),
        (
            "14-county-four-levels.txt",
            ["一、", "（一）", "1.", "2.", "（1）", "（2）", "3.", "（二）", "1.", "2."]
            + ["二、", "（一）", "1.", "2.", "（二）", "1.", "2."]
            + [""],  # the closing address ("各位代表，……") belongs to the document, after the last section
        ),
        ("16-plan-outline-chapters.txt", ["第一篇", "第一章", "第一节", "第二节", "第二章", "第一节", "第二节", "第二篇", "第三章", "第一节"]),
        ("17-notice-signature-bottom.txt", ["一、", "二、", "三、", "四、"]),
        ("21-ordinal-phrases.txt", ["一、", "二、", "三、"]),
        (
            "22-inline-points-semicolons.txt",
            ["一、", "（一）", "一是", "二是", "三是", "（二）", "一是", "二是", "三是", "二、", "一是", "二是", "三是"]
            + ["三、", "（一）", "一是", "二是", "（二）", "一是", "二是", "三是"],
        ),
        # "本措施自…起施行" and the record block close the document, not item 6
        ("23-redhead-notice-wrapped-title.txt", ["一、", "1.", "2.", "二、", "3.", "4.", "三、", "5.", "6.", ""]),
    ],
)
def test_markers_found(name: str, markers: list[str]):
    doc = segment(read_document_text(CORPUS / name))
    assert [s.marker for s in doc.walk_sections()] == markers


def test_chapter_title_on_the_next_line():
    doc = segment(read_document_text(CORPUS / "08-chapters-articles.txt"))
    assert [(s.marker, s.title.zh) for s in doc.sections] == [("第一章", "总则"), ("第二章", "规划和建设"), ("第三章", "附则")]


def test_hard_wrapped_lines_are_rejoined():
    doc = segment(read_document_text(CORPUS / "02-pdf-hard-wrap.txt"))
    zh = [seg.zh for seg in doc.all_segments()]
    assert "一般公共预算收入112.3亿元，增长4.2%。" in zh
    assert doc.sections[0].sections[0].title.zh.endswith("高新技术产业增加值占规上工业比重达到55.6%。")
    assert "— 2 —" not in "".join(zh) and "2 —" not in "".join(zh)


def test_html_markup_and_entities_are_removed():
    doc = segment(read_document_text(CORPUS / "03-scraped-page.html"))
    text = "".join(seg.zh for seg in doc.all_segments())
    assert doc.title.zh == "关于2022年上半年工作情况的报告"
    assert doc.meta == {"索引号": "11330000/2022-00123", "发布机构": "市政府办公室", "发布日期": "2022-07-28"}
    assert "<p" not in text and "&nbsp;" not in text and "\u3000" not in text and "不是正文" not in text
    assert "“夜经济”&“首店经济”" in text


def test_pdf_page_numbers_and_running_headers_are_dropped():
    doc = segment(read_document_text(CORPUS / "20-pdf-wrap-page-chrome.txt"))
    zh = [seg.zh for seg in doc.all_segments()]
    assert "新增“小升规”企业312家，规上工业企业总数达到4526家，创历史新高。" in zh
    assert "全市经济社会发展的主要预期目标是：地区生产总值增长6.5%左右，一般公共预算收入增长6%，城镇调查失业率控制在5.5%以内。" in zh
    assert not any("公报" in s or "—" in s for s in zh)
    assert (doc.issuer, doc.date, doc.salutation) == ("市长 李某某", "2023年1月12日", "各位代表：")


def test_running_header_needs_page_numbers_and_repeats():
    text = "报告\n一、工作\n增长5%。\n— 2 —\n某市人民政府公报\n稳中有进。\n— 3 —\n某市人民政府公报\n向好。"
    assert [seg.zh for seg in segment(text).all_segments()] == ["增长5%。", "稳中有进。", "向好。"]
    text = text.replace("— 3 —\n", "")  # next to one page number only: text, not a running header
    assert [seg.zh for seg in segment(text).all_segments()] == [
        "增长5%。", "某市人民政府公报", "稳中有进。", "某市人民政府公报", "向好。"
    ]  # fmt: skip


def test_notice_signature_at_the_bottom_is_issuer_and_date():
    doc = segment(read_document_text(CORPUS / "17-notice-signature-bottom.txt"))
    assert (doc.issuer, doc.date) == ("某县人民政府办公室", "2023年1月12日")
    assert doc.salutation == "各乡镇人民政府、街道办事处，县政府各部门、各直属单位："
    assert doc.meta == {"发文字号": "某政办发〔2023〕5号", "附注": "（此件公开发布）"}
    zh = [seg.zh for seg in doc.all_segments()]
    assert zh[-2:] == ["附件：1.春节期间安全生产检查表", "2.值班安排表"]
    assert "某县人民政府办公室" not in zh


def test_covering_notice_signs_before_the_text_it_issues():
    doc = segment(read_document_text(CORPUS / "23-redhead-notice-wrapped-title.txt"))
    assert doc.title.zh == "某市人民政府关于印发《某市促进民营经济高质量发展若干措施》的通知"
    assert (doc.issuer, doc.date) == ("某市人民政府", "二〇二三年五月八日")
    assert not any("页" in seg.zh for seg in doc.all_segments())


def test_site_footer_and_chrome_in_meta_values_are_dropped():
    doc = segment(read_document_text(CORPUS / "18-trs-editor.html"))
    assert doc.meta == {"发布时间": "2023-04-18 10:20", "来源": "市发展改革委"}
    assert (doc.issuer, doc.date, doc.salutation) == ("某市人民政府", "2023年4月15日", "各区县人民政府，市政府各部门：")
    text = "".join(seg.zh for seg in doc.all_segments())
    assert "主办单位" not in text and "不要这个" not in text
    doc = segment("报告\n一、工作\n增长5%。\n（来源：市统计局）\n责任编辑：张三\n【打印本页】【关闭窗口】\n上一篇：关于某某的通知")
    assert [seg.zh for seg in doc.all_segments()] == ["增长5%。"]
    assert doc.meta == {"来源": "市统计局"}  # where a reprinted text came from is metadata


@pytest.mark.parametrize(
    "text, issuer, date",
    [
        ("政府工作报告\n——2023年1月12日在某市第十七届人民代表大会第二次\n会议上\n市长　李某某\n各位代表：\n报告。", "市长 李某某", "2023年1月12日"),
        ("某市统计公报\n2023年3月15日\n一、综合\n增长5%。", None, "2023年3月15日"),
        ("某市统计公报\n某市统计局　2023年3月15日\n一、综合\n增长5%。", "某市统计局", "2023年3月15日"),
        ("关于某方案的通知\n各区县人民政府： 现印发给你们。 一、目标 实现目标。 某市人民政府 2023年4月15日", "某市人民政府", "2023年4月15日"),
        ("关于某方案的通知\n现印发给你们。\n某县防汛指挥部办公室　二〇二三年六月一日\n（此件公开发布）", "某县防汛指挥部办公室", "二〇二三年六月一日"),
        ("余姚市人民政府 (2020年8月)\n报告。\n某市人民政府\n2023年4月15日", "余姚市人民政府", "2020年8月"),  # the top wins
    ],
)
def test_issuer_and_date_shapes(text: str, issuer: str | None, date: str | None):
    doc = segment(text)
    assert (doc.issuer, doc.date) == (issuer, date)
    zh = "".join(seg.zh for seg in doc.all_segments())
    assert "会议上" not in zh and (date is None or date not in zh)
    if date == "2020年8月":  # the top wins; a signature at the end still leaves the body
        assert zh == "报告。" and doc.meta["落款"] == "某市人民政府 2023年4月15日"


def test_runs_of_numerals_in_running_text_are_not_headings():
    doc = segment("某县经济运行分析\n第一章 总体情况\n一、二季度分别增长4.1%和5.3%。\n1、2季度用电量增长6%。\n1、2、3号线建成。\n二、三产业增长5%。")
    assert [s.marker for s in doc.walk_sections()] == ["第一章"]


def _hard_wrap(text: str, width: int) -> str:
    return "\n".join(line[i : i + width] for line in text.splitlines() for i in range(0, max(len(line), 1), width))


@pytest.mark.parametrize("width", [30, 34, 38])
@pytest.mark.parametrize("name", ["14-county-four-levels.txt", "23-redhead-notice-wrapped-title.txt"])
def test_hard_wrapped_copy_gives_the_same_outline(name: str, width: int):
    """Short paragraphs and many short headings still let the wrap width be found, a wrapped title
    ("…（节选" / "）") is rejoined, and "（责任单位：…）" at a line end does not swallow the next item."""
    text = read_document_text(CORPUS / name)
    expected = format_outline(segment(text), show_segments=True)
    assert format_outline(segment(_hard_wrap(text, width)), show_segments=True) == expected


def test_one_paragraph_per_line_with_many_headings_is_not_rejoined():
    text = "\n".join(f"第{n}节 主要目标\n到2025年，地区生产总值年均增长6%左右，居民收入增长与经济增长基本同步。" for n in "一二三四五六")
    assert len(list(segment(text).all_segments())) == 6


def test_boxes_notes_and_attachment_lists_are_not_headings():
    doc = segment("一、目标\n增长5%。\n专栏1　主要指标\n1.经济发展。增长6%。\n2.创新驱动。\n二、措施\n注：\n1.数据为快报数。")
    assert [s.marker for s in doc.walk_sections()] == ["一、", "二、"]
    doc = segment("一、目标\n注：本表为快报数。\n1.经济发展。增长6%。")
    assert [s.marker for s in doc.walk_sections()] == ["一、", "1."]


def test_markdown_table_rows_stay_rows():
    table = "\n\n| 指标 | 数值 |\n|------|-----:|\n| 地区生产总值（亿元） | 356.2 |\n| 一般公共预算收入（亿元） | 28.6 |\n\n"
    doc = segment("".join(f"## {n}、指标{table}" for n in "一二三"))
    for section in doc.sections:
        assert [seg.zh for seg in section.segments] == ["指标 | 数值", "地区生产总值（亿元） | 356.2", "一般公共预算收入（亿元） | 28.6"]


@pytest.mark.parametrize(
    "text, title, meta, salutation",
    [
        (
            "关于某某工作的报告\n发布日期：2023-5-6　来源：县政府办公室\n【打印本页】【关闭窗口】\n各位代表：\n现在报告工作。",
            "关于某某工作的报告",
            {"发布日期": "2023-05-06", "来源": "县政府办公室"},
            "各位代表：",
        ),
        ("当前位置：首页 > 政务公开\n政府工作报告\n——2024年1月在某市第一次会议上\n同志们：\n报告工作。", "政府工作报告——2024年1月在某市第一次会议上", {}, "同志们："),
        ("关于做好防汛工作的通知\n某政办发〔2023〕5号\n各有关单位：\n请做好防汛工作。", "关于做好防汛工作的通知", {"发文字号": "某政办发〔2023〕5号"}, "各有关单位："),
        ("关于印发《某某方案》\n的通知\n县政府各部门：\n现印发给你们。", "关于印发《某某方案》的通知", {}, "县政府各部门："),
        ("政府工作报告\n（2023年1月10日在某市第一次会议上）\n市长　李某某\n各位代表：\n报告工作。", "政府工作报告（2023年1月10日在某市第一次会议上）", {}, "各位代表："),
        ("关于某某工作的报告\n各地要抓好落实：一是抓项目。", "关于某某工作的报告", {}, None),
        (
            "索　引　号：000014349/2023-00012\t主　题　分　类：综合\n标　　题：关于某某的通知\n关于某某的通知\n各有关单位：\n通知如下。",
            "关于某某的通知",
            {"索引号": "000014349/2023-00012", "主题分类": "综合", "标题": "关于某某的通知"},
            "各有关单位：",
        ),
        ("关于某方案\n（一）责任单位：\n市发改委。", "关于某方案", {}, None),
        ("一、总体要求\n坚持稳中求进。", "", {}, None),
        ("现在报告工作。一、总体要求", "", {}, None),
    ],
)
def test_front_matter_shapes(text: str, title: str, meta: dict[str, str], salutation: str | None):
    doc = segment(text)
    assert (doc.title.zh, doc.meta, doc.salutation) == (title, meta, salutation)


# --- the reference report ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> Document:
    return segment(read_document_text(SAMPLE), source=SAMPLE.name)


def test_sample_front_matter(sample: Document):
    assert sample.source == SAMPLE.name
    assert sample.title.zh == "2020年上半年度政府工作报告"
    assert sample.issuer == "余姚市人民政府"
    assert sample.date == "2020年8月"
    assert sample.salutation == "各位代表:"
    assert sample.meta == {
        "发布日期": "2020-08-27 16:38",
        "信息来源": "市政府办公室",
        "索引号": "002972698/2020-45024",
        "组配分类": "政府工作报告",
        "发布机构": "市政府办公室",
        "生成日期": "2020-08-27",
        "公开方式": "主动公开",
        "主题分类": "综合政务",
        "体裁分类": "其他",
        "公开范围": "面向全社会",
    }
    assert [seg.zh for seg in sample.preamble] == ["现向你们书面报告今年上半年政府工作和下半年主要工作安排,请予审议。"]


def test_sample_heading_tree(sample: Document):
    assert [(s.marker, s.title.zh, s.level) for s in sample.sections] == [
        ("一、", "上半年工作回顾", 1),
        ("二、", "下半年重点工作安排", 1),
    ]
    review, plans = sample.sections
    assert [s.marker for s in review.sections] == ["1、", "2、", "3、", "4、", "5、", "6、"]
    assert review.sections[0].title.zh == "疫情防控有力有效。"
    assert [s.marker for s in plans.sections] == ["(一)", "(二)", "(三)", "(四)", "(五)", "(六)"]
    assert plans.sections[0].title.zh == "有力有效推动投资持续扩大。"
    for task in plans.sections:
        assert task.level == 2
        assert [(s.marker, s.level) for s in task.sections] == [("一是", 3), ("二是", 3), ("三是", 3)]
    assert plans.sections[0].sections[0].title.zh == "盯牢重点项目推进。"
    assert [s.id for s in plans.sections[2].sections] == ["sec-2-3-1", "sec-2-3-2", "sec-2-3-3"]


def test_sample_keeps_every_sentence_once_in_order(sample: Document):
    raw = SAMPLE.read_text(encoding="utf-8")
    body = raw[raw.index("现向你们") : raw.rindex("。") + 1]
    assert everything_in_order(sample) == visible(body)
    ids = [seg.id for seg in sample.all_segments()]
    assert ids == [f"s{i}" for i in range(1, len(ids) + 1)]
    assert all(seg.en is None for seg in sample.all_segments())


def test_sample_running_text_markers_stay_in_sentences(sample: Document):
    zh = [seg.zh for seg in sample.all_segments()]
    assert "工业攻坚指数达到90.35分,位居全省第8、宁波第1。" in zh
    assert any(s.startswith("3月10日起企业日均用电量") for s in zh)
    assert any("纵深推进政府服务2.0建设" in s for s in zh)


def test_sample_outline(sample: Document):
    outline = format_outline(sample).splitlines()
    assert outline[:4] == ["title: 2020年上半年度政府工作报告", "issuer: 余姚市人民政府", "date: 2020年8月", "salutation: 各位代表:"]
    assert "meta 发布日期: 2020-08-27 16:38" in outline
    assert "一、 上半年工作回顾  [sec-1, 5 segments]" in outline
    assert "  (一) 有力有效推动投资持续扩大。  [sec-2-1, 1 segment]" in outline
    assert "    一是 盯牢重点项目推进。  [sec-2-1-1, 1 segment]" in outline


def _as_paragraph_lines(text: str) -> str:
    for before, after in (("。 ", "。\n"), ("8月) ", "8月)\n"), ("代表: ", "代表:\n"), ("方面: ", "方面:\n")):
        text = text.replace(before, after)
    return text


def _as_html_page(text: str) -> str:
    paragraphs = "".join(f"<p>\u3000\u3000{line}</p>\n" for line in _as_paragraph_lines(text).splitlines())
    return f"<html><head><title>x</title></head><body>\n{paragraphs}</body></html>"


@pytest.mark.parametrize(
    "variant",
    [lambda t: t.replace("\n", "\r\n"), _as_paragraph_lines, _as_html_page],
    ids=["crlf", "paragraph-lines", "html"],
)
def test_sample_in_other_shapes_gives_the_same_document(sample: Document, variant):
    doc = segment(variant(SAMPLE.read_text(encoding="utf-8")), source=SAMPLE.name)
    assert format_outline(doc) == format_outline(sample)
    assert [seg.zh for seg in doc.all_segments()] == [seg.zh for seg in sample.all_segments()]


def test_max_tokens_needs_count_tokens():
    with pytest.raises(ValueError):
        segment("各位代表：", max_tokens=10)


def test_sample_round_trips_through_json(sample: Document):
    assert Document.from_dict(sample.to_dict()) == sample


# --- the 2025 national report (shared data, optional) ---------------------------------------------


@pytest.fixture(scope="module")
def national_report() -> Document:
    if not NATIONAL_REPORT_CSV.exists():
        pytest.skip(f"{NATIONAL_REPORT_CSV} not present")
    with NATIONAL_REPORT_CSV.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    paragraphs = ["".join(row["中文"] for row in rows_) for _, rows_ in groupby(rows, key=lambda r: r["年度文件内行号"])]
    return segment("\n".join(paragraphs), source=NATIONAL_REPORT_CSV.name)


def test_national_report_tasks(national_report: Document):
    assert national_report.salutation == "各位代表："
    assert [s.marker for s in national_report.sections] == ["一、", "二、", "三、", ""]
    assert national_report.sections[0].title.zh == "2024年工作回顾"
    tasks = national_report.sections[2]
    assert tasks.title.zh == "2025年政府工作任务"
    assert [s.marker for s in tasks.sections] == [f"（{n}）" for n in "一二三四五六七八九十"]
    # the closing paragraphs after the tenth task ("过去一年，国防和军队建设……") belong to the document
    assert national_report.sections[-1].segments[0].zh.startswith("过去一年")
    assert tasks.sections[0].title.zh == "大力提振消费、提高投资效益，全方位扩大国内需求。"


# --- sentences -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, sentences",
    [
        ("增长5%。下降3%！是吗？", ["增长5%。", "下降3%！", "是吗？"]),
        ("他说：“要坚持。要落实。”然后散会。", ["他说：“要坚持。要落实。”", "然后散会。"]),
        ("收入增长（含补贴。不含税）。支出下降。", ["收入增长（含补贴。不含税）。", "支出下降。"]),
        ("学习《决定。说明》精神。完成任务", ["学习《决定。说明》精神。", "完成任务"]),
        ("提出“三个一律”。", ["提出“三个一律”。"]),
        ("增长1.2%;下降2.0%.好!", ["增长1.2%;", "下降2.0%.", "好!"]),
        ("等等……然后呢？！继续。", ["等等……", "然后呢？！", "继续。"]),
        ("未闭合“引号。照样分句。", ["未闭合“引号。", "照样分句。"]),
        ("访问www.gov.cn查询。", ["访问www.gov.cn查询。"]),
        ("", []),
    ],
)
def test_split_sentences(text: str, sentences: list[str]):
    assert split_sentences(text) == sentences


def test_join_wrapped_lines_keeps_one_paragraph_per_line():
    lines = ["一、总体要求", "坚持稳中求进。全面深化改革。", "二、主要任务", "扩大内需，稳定外贸，保障民生。"]
    assert join_wrapped_lines(lines) == lines


# --- long sentences ------------------------------------------------------------------------------

LONG = "深入实施创新驱动发展战略，加快建设现代化产业体系，推动传统产业改造提升、新兴产业培育壮大、未来产业前瞻布局，全面提升产业链供应链韧性和安全水平。"


@pytest.mark.parametrize("limit", [10, 20, 30, 45, 60])
def test_split_long_sentence_packs_clauses_under_the_limit(limit: int):
    pieces = split_long_sentence(LONG, limit, len)
    assert "".join(pieces) == LONG
    assert all(len(piece) <= limit for piece in pieces)
    assert len(pieces) > 1


@given(st.text(alphabet="甲乙，、：；“”（） a1", max_size=80), st.integers(min_value=2, max_value=20))
def test_split_long_sentence_never_truncates(sentence: str, limit: int):
    def count_with_end_token(text: str) -> int:
        return len(text) + 1

    pieces = split_long_sentence(sentence, limit, count_with_end_token)
    assert "".join(pieces) == sentence
    assert all(piece for piece in pieces)
    assert all(count_with_end_token(piece) <= limit for piece in pieces)


def test_split_long_sentence_prefers_clause_boundaries():
    assert split_long_sentence(LONG, 30, len) == [
        "深入实施创新驱动发展战略，加快建设现代化产业体系，",
        "推动传统产业改造提升、新兴产业培育壮大、未来产业前瞻布局，",
        "全面提升产业链供应链韧性和安全水平。",
    ]


def test_split_long_sentence_falls_back_to_a_hard_split():
    sentence = "甲" * 25 + "。"
    pieces = split_long_sentence(sentence, 10, len)
    assert pieces == ["甲" * 10, "甲" * 10, "甲" * 5 + "。"]


def test_segment_marks_only_long_sentences_with_pieces():
    doc = segment(f"一、总体要求\n{LONG}坚持稳中求进。", max_tokens=30, count_tokens=len)
    long_one, short_one = doc.sections[0].segments
    assert long_one.zh == LONG and "".join(long_one.pieces) == LONG and len(long_one.pieces) == 3
    assert short_one.zh == "坚持稳中求进。" and short_one.pieces == []


def test_without_a_limit_nothing_is_split():
    doc = segment(LONG * 3)
    assert all(seg.pieces == [] for seg in doc.all_segments())


# --- invariants ----------------------------------------------------------------------------------

_FRAGMENTS = [
    "一、", "二、", "三、", "（一）", "(二)", "（三）", "1、", "2.", "３．", "(1)", "（2）", "①", "②", "第一章", "第二章",
    "第一节", "第一条", "第二条", "一是", "二是", "三是", "十一、", "二十是",
    "。", "！", "？", "；", "…", "!", "?", ";", ".", "，", "、", "：", ":", "“", "”", "（", "）", "(", ")", "《", "》", "\"",
    "\n", "\n\n", " ", "　", "\t", "\r\n", "增长", "3月10日", "1.2%", "2.0", "第8、", "工作", "报告", "a", "Z9",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=3)), max_size=60).map("".join))
def test_segment_body_never_loses_or_reorders_characters(body: str):
    preamble, sections = segment_body(body, max_tokens=5, count_tokens=len)
    doc = Document(source="", preamble=preamble, sections=sections)
    assert everything_in_order(doc) == visible(body)
    for seg in doc.all_segments():
        assert seg.zh and seg.zh == seg.zh.strip()
        assert not seg.pieces or "".join(seg.pieces) == seg.zh
    ids = [seg.id for seg in doc.all_segments()]
    assert ids == [f"s{i}" for i in range(1, len(ids) + 1)]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            _FRAGMENTS
            + ["|", "<p>", "&nbsp;", "# ", "**", "发布日期:", "各位代表：", "各有关单位：", "索　引　号：", "— 3 —", "第 2 页 共 5 页"]
            + ["某市人民政府", "2023年1月12日", "（此件公开发布）", "附件：", "专栏1", "注：", "——", "会议上", "县长　张某"]
            + ["某政发〔2023〕5号", "主办单位：", "| --- | --- |", "    - "]
        ),
        max_size=60,
    )
)
def test_segment_keeps_the_body_after_front_matter(fragments: list[str]):
    """Modulo front matter and chrome: the body left by split_front_matter is kept exactly, and the
    front matter fields are taken, in order, from the cleaned text."""
    text = "".join(fragments)
    yaml_meta, after_yaml = take_yaml_front_matter(text)  # "---\na: b\n---\n" at the top is metadata
    cleaned = clean_text(after_yaml, markdown=True if yaml_meta else None)
    front = split_front_matter(cleaned)
    doc = segment(text)
    assert everything_in_order(doc) == visible(front.body)
    # The issuer and date may come from a subtitle or from a signature below the text.
    kept = visible(doc.title.zh + (doc.salutation or "")) + everything_in_order(doc)
    assert _is_subsequence(kept, visible(cleaned))
    assert all(visible(field) in visible(cleaned) for field in (doc.issuer, doc.date) if field)


def _is_subsequence(needle: str, haystack: str) -> bool:
    chars = iter(haystack)
    return all(char in chars for char in needle)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_ids_are_positional(path: Path):
    doc = segment(read_document_text(path))

    def check(sections, prefix):
        for i, section in enumerate(sections, 1):
            assert section.id == f"{prefix}-{i}"
            check(section.sections, section.id)

    check(doc.sections, "sec")


@pytest.mark.parametrize(
    "body, expected",
    [
        # a last sentence that mentions 技术支持 is the report's text, not a site footer
        ("二、下一步安排\n加强技术支持。", ["加强技术支持。"]),
        # plain text keeps its asterisks, underscores and brackets (blanks to fill in, emphasis as typed)
        ("二、要求\n请于____年____月前报送，加强**重点**工作。*强调*内容[5%](http://x)。",
         ["请于____年____月前报送，加强**重点**工作。", "*强调*内容[5%](http://x)。"]),
    ],
)
def test_plain_text_keeps_every_character(body, expected):
    doc = segment("各位代表:\n一、总体情况\n今年经济增长5.2%。\n" + body)
    assert [s.zh for s in doc.sections[-1].segments] == expected


def test_markdown_file_loses_its_markup_only():
    doc = segment("## 一、总体情况\n加强**重点**工作。*强调*内容[5%](http://x)。", source="a.md")
    assert [s.zh for s in doc.sections[0].segments] == ["加强重点工作。", "强调内容5%。"]
