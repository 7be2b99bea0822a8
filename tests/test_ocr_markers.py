"""Heading markers OCR misread (Tesseract reads "(三)" as "三)", or "(六)" as "(XA)"), put back from the
sequence of their siblings, on hand-written OCR-like lines: repaired only at a paragraph start and where
the markers around them leave exactly one number, recorded with their page, flagged on the heading and
kept through the checks. No Tesseract needed."""

from __future__ import annotations

import pytest

from pipeline.readers.ocr import flag_repaired_markers, repair_markers
from pipeline.readers.pdf import _Line, lines_to_text
from pipeline.segment import segment

PART = ["二、下半年重点工作安排", "下半年，我们将重点做好以下工作。"]


def _items(*markers: str) -> list[str]:
    """A heading line per marker, each followed by a line of its text."""
    lines = []
    for n, marker in enumerate(markers, 1):
        lines += [f"{marker}有力有效推动第{n}项工作", f"围绕第{n}项工作，抓好落实。"]
    return lines


# (lines, the lines expected after the repair)
REPAIRED = {
    "between two siblings": (
        PART + _items("(一)", "(二)", "(XA)", "(四)"),
        PART + _items("(一)", "(二)", "(三)", "(四)"),
    ),
    "two tokens where the siblings leave room for two": (
        PART + _items("(一)", "(二)", "(=)", "[X)", "(五)"),
        PART + _items("(一)", "(二)", "(三)", "(四)", "(五)"),
    ),
    "a lost opening bracket": (
        PART + _items("(一)", "(二)", "三)", "(四)"),
        PART + _items("(一)", "(二)", "(三)", "(四)"),
    ),
    "the list's last item, at the end": (
        PART + _items("(一)", "(二)", "(三)", "(四)", "(五)", "(XA)"),
        PART + _items("(一)", "(二)", "(三)", "(四)", "(五)", "(六)"),
    ),
    "the list's last item, before the parent's next marker": (
        ["一、上半年工作回顾"] + _items("(一)", "(二)", "(XA)") + PART + _items("(一)", "(二)"),
        ["一、上半年工作回顾"] + _items("(一)", "(二)", "(三)") + PART + _items("(一)", "(二)"),
    ),
    "the list's last item, full-width brackets kept": (
        PART + _items("（一）", "（二）", "(+)"),
        PART + _items("（一）", "（二）", "（三）"),
    ),
    "a list's first item": (
        PART + _items("(X)", "(二)", "(三)"),
        PART + _items("(一)", "(二)", "(三)"),
    ),
    "a top-level marker with 、": (
        ["某市人民政府工作报告"] + _items("一、", "二、", "A、", "四、"),
        ["某市人民政府工作报告"] + _items("一、", "二、", "三、", "四、"),
    ),
    "the tenth": (
        PART + _items("(一)", "(二)", "(三)", "(四)", "(五)", "(六)", "(七)", "(八)", "(九)", "(X)", "(十一)"),
        PART + _items("(一)", "(二)", "(三)", "(四)", "(五)", "(六)", "(七)", "(八)", "(九)", "(十)", "(十一)"),
    ),
}

# lines that must stay as read
LEFT_AS_READ = {
    "ambiguous: (六) or (七)": PART + _items("(一)", "(二)", "(三)", "(四)", "(五)", "(XA)", "(八)"),
    "a legible numeral the sequence contradicts": PART + _items("(一)", "(二)", "五)", "(四)"),
    "no room between the siblings": PART + _items("(一)", "(二)", "(XA)", "(三)"),
    "two tokens after the last item": PART + _items("(一)", "(二)", "(XA)", "(YB)"),
    "a bracketed Chinese word": PART + _items("(一)", "(二)") + ["（注）本表数据为初步统计。"] + _items("(三)"),
    "a bracketed word between siblings with room": PART + _items("(一)", "(二)") + ["（注）本表数据为初步统计。", "(四)完善制度"],
    "a bracketed figure": PART + _items("(一)", "(二)") + ["(1.5)倍于上年。", "(四)完善制度"],
    "Latin text in brackets": PART + _items("(一)", "(二)") + ["(a) see the annex", "(四)完善制度"],
    "not at a line start": PART + _items("(一)", "(二)") + ["全年增长(XA)有力有效推动工作", "(四)完善制度"],
    "after the list closed, no second item": ["一、上半年工作回顾"] + _items("(一)", "(二)") + PART + _items("(XA)"),
    "specks before a wrapped line's 、": ["某市人民政府工作报告"] + _items("一、", "二、") + ["`、基金链招商和以企引企，", "创新运用云招商。"],
    "a list that does not start at 1": PART + _items("(三)", "(四)", "(XA)"),
    "nothing around it": ["某市人民政府工作报告", "(XA)有力有效推动工作", "全年经济运行平稳。"],
}


@pytest.mark.parametrize("name", REPAIRED)
def test_a_misread_marker_is_repaired_where_its_siblings_force_the_number(name: str):
    lines, expected = REPAIRED[name]
    repaired, records = repair_markers(lines)
    assert repaired == expected
    changed = [i for i, (a, b) in enumerate(zip(lines, expected)) if a != b]
    assert [r["line"] for r in records] == changed
    assert all(r["read"] == lines[r["line"]][: len(r["read"])] and expected[r["line"]].startswith(r["marker"]) for r in records)


@pytest.mark.parametrize("name", LEFT_AS_READ)
def test_a_token_is_left_as_read_unless_exactly_one_number_fits(name: str):
    lines = LEFT_AS_READ[name]
    assert repair_markers(lines) == (lines, [])


def test_a_token_inside_a_paragraph_is_left_as_read():
    lines = PART + _items("(一)", "(二)", "(XA)", "(四)")
    starts = [not line.startswith("(XA)") for line in lines]  # the layout has the line run on from the one before
    assert repair_markers(lines, starts) == (lines, [])
    assert repair_markers(lines, [True] * len(lines))[1] == [{"line": 6, "read": "(XA)", "marker": "(三)"}]


def _ocr_page(texts: list[str], ocr: bool = True) -> list[_Line]:
    """OCR-like lines on an A4 page, 30 characters of 12pt a line: a line ending with 。 is a paragraph set
    on three lines (the first indented by two characters, the second full, the last short); any other is a
    heading, indented; the title is centred."""
    lines: list[_Line] = []

    def add(text: str, x0: float) -> None:
        lines.append(_Line(text, x0, x0 + 12 * len(text), 760 - 20 * len(lines), 12, 0, 842, ocr))

    for n, text in enumerate(texts):
        if n == 0:
            add(text, 72 + 6 * (30 - len(text)))
        elif text.endswith("。"):
            add(text[:4] + "，全面抓好各项工作落实，推动", 96)
            add("各项任务按期完成、取得实效，确保各项工作有序推进，", 72)
            add("让群众满意。", 72)
        else:
            add(text, 96)
    return lines


def test_a_repair_on_an_ocr_page_is_recorded_flagged_on_its_heading_and_kept_through_the_checks():
    from pipeline.document import Bilingual
    from pipeline.fidelity.checks import check_document
    from pipeline.render.flags import ocr_note

    texts = ["某市人民政府工作报告", "一、总体要求", "今年的工作总体要求如下。"] + _items("(一)", "(二)", "(XA)", "(四)")
    text, repairs = lines_to_text([_ocr_page(texts)])
    assert repairs == [{"page": 1, "read": "(XA)", "marker": "(三)", "line": "(三)有力有效推动第3项工作"}]
    assert "\n(三)有力有效推动第3项工作\n" in text
    doc = segment(text, source="scan.pdf")
    assert [s.marker for s in doc.walk_sections()] == ["一、", "(一)", "(二)", "(三)", "(四)"]
    record = {"pages": [{"page": 1, "confidence": 90.0}], "uncertain_figures": [], "repaired_markers": repairs}
    assert flag_repaired_markers(doc, record) == 1
    third = list(doc.walk_sections())[3]
    [flag] = third.title.flags
    assert (flag.kind, flag.reason) == ("ocr", "marker-repaired")
    assert "(XA)" in flag.detail and "page 1" in flag.detail and "check it against the scan" in flag.detail
    for n, section in enumerate(doc.walk_sections()):  # translated headings are checked: the OCR flag stays
        section.title = Bilingual(section.title.zh, f"Work item {n}", section.title.flags)
    check_document(doc)
    assert "marker-repaired" in [f.reason for f in third.title.flags]
    assert ocr_note({"source": {"ocr": record}}).endswith(
        "heading markers repaired from the markers around them: p. 1: (XA) as (三)")


def test_a_text_layer_line_is_never_repaired():
    texts = ["某市人民政府工作报告", "一、总体要求", "今年的工作总体要求如下。"] + _items("(一)", "(二)", "(XA)", "(四)")
    text, repairs = lines_to_text([_ocr_page(texts, ocr=False)])
    assert repairs == [] and "(XA)有力有效推动第3项工作" in text
