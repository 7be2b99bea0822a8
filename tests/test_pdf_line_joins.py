"""PDF line joins that do not depend on the margin (issue 24, part 3): the sample report laid out with
lines cut at a fixed number of characters (a line holding half-width digits ends short of the margin)
reads into the same segments as the text itself."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from pipeline.readers import read_document_text
from pipeline.segment import segment

from .conftest import SAMPLE
from .layout import draw_pdf, layout, sample_blocks
from .test_readers_pdf_docx import build_pdf


def _segments(text: str, source: str) -> list[str]:
    return ["".join(s.zh.split()) for s in segment(text, source=source).all_segments()]


def _agreement(got: list[str], expected: list[str]) -> float:
    """The share of the expected segments found, as they are, among the ones got."""
    have = Counter(got)
    return sum(min(n, have[zh]) for zh, n in Counter(expected).items()) / len(expected)


@pytest.fixture(scope="module")
def sample_segments() -> list[str]:
    return _segments(SAMPLE.read_text(encoding="utf-8"), "sample.txt")


@pytest.mark.parametrize("ragged", [True, False], ids=["fixed-characters", "to-the-margin"])
def test_sample_laid_out_in_a_pdf_gives_the_texts_segments(tmp_path: Path, sample_segments, ragged: bool):
    text = SAMPLE.read_text(encoding="utf-8")
    pdf = draw_pdf(tmp_path / "sample.pdf", layout(sample_blocks(text), ragged=ragged))
    doc = segment(read_document_text(pdf), source="sample.pdf")
    got = ["".join(s.zh.split()) for s in doc.all_segments()]
    assert len(sample_segments) == 135
    assert len(got) == 135
    assert _agreement(got, sample_segments) >= 0.99
    assert (doc.title.zh, doc.issuer, doc.salutation) == ("2020年上半年度政府工作报告", "余姚市人民政府", "各位代表:")
    assert not any(seg.endswith(("6.", "3月1")) for seg in got)


def _ragged_pdf(path: Path, lines: list[tuple[str, int]]) -> Path:
    """Lines (text, indent in characters) drawn at 12pt from the left margin, as they are."""
    return draw_pdf(path, [(text, 72 + 12 * indent, 12, "left") for text, indent in lines], page_numbers=False)


def test_a_short_line_runs_on_unless_a_heading_or_numbered_item_follows(tmp_path: Path):
    lines = [
        ("一、总体情况", 2),
        ("上半年，全市实现地区生产总值551.2亿元，同比增长6.", 2),
        ("3%，增速高于全省平均水平0.8个百分点，3月1", 0),
        ("0日起企业全面复工复产，经济运行总体平稳、稳中有进。", 0),
        ("1.规上工业增加值增长8.1%，其中高新技术产业增加值增长", 2),
        ("12.4%，占规上工业比重达到55.6%", 0),
        ("2.社会消费品零售总额增长8.8%，外贸进出口总额增长", 2),
        ("4.1%", 0),
        ("二、下一步工作安排", 2),
        ("抓项目、扩投资，抓招商、强产业，抓改革、优环境", 2),
        ("，抓民生、保稳定。", 0),
    ]
    text = read_document_text(_ragged_pdf(tmp_path / "r.pdf", lines))
    assert text.splitlines() == [
        "一、总体情况",
        "上半年，全市实现地区生产总值551.2亿元，同比增长6.3%，增速高于全省平均水平0.8个百分点，3月10日起企业全面复工复产，经济运行总体平稳、稳中有进。",
        "1.规上工业增加值增长8.1%，其中高新技术产业增加值增长12.4%，占规上工业比重达到55.6%",
        "2.社会消费品零售总额增长8.8%，外贸进出口总额增长4.1%",
        "二、下一步工作安排",
        "抓项目、扩投资，抓招商、强产业，抓改革、优环境，抓民生、保稳定。",
    ]


def test_a_sentence_end_still_ends_a_short_line_and_the_layout_tests_still_hold(tmp_path: Path):
    # centred title lines, a right-aligned signature and a paragraph's last line stay lines of their own
    from .test_readers_pdf_docx import P1, REPORT_BLOCKS

    lines = read_document_text(build_pdf(tmp_path / "a.pdf", REPORT_BLOCKS, lines_per_page=9)).splitlines()
    assert lines[:3] == ["某市人民政府关于2023年上半年", "经济运行情况的报告", "市人大常委会："]
    assert lines[-3:] == [P1, "某市人民政府", "2023年7月20日"]
