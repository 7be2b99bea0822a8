"""The fidelity checker: one crafted pair per reason, the glossary, documents, summary sentences, and
the false-alarm / detection figures on the official 2025 report translation (when the CSV is present)."""

from __future__ import annotations

import csv
import random

import pytest

from pipeline.document import Bilingual, Document, Flag, Section, Segment
from pipeline.fidelity import (
    Glossary,
    GlossaryEntry,
    check_document,
    check_numbers,
    check_pair,
    check_summary_sentence,
    load_glossary,
    report_year_of,
)
from pipeline.fidelity.evaluate import Pair, inject_number_error, measure_checker

from .conftest import GWR_CSV, ROOT

GLOSSARY = ROOT / "configs" / "glossary" / "gov-report.tsv"


def _reasons(flags: list[Flag]) -> list[str]:
    return [f.reason for f in flags]


# zh, en, expected number-flag reasons
PAIR_CASES = [
    # faithful renderings: no flags
    ("完成投资551.2亿元，增长1.2%。", "Investment reached 55.12 billion yuan, up 1.2 percent.", []),
    ("城镇新增就业1256万人。", "Over 12 million new urban jobs were added.", []),
    ("城镇新增就业1256万人。", "12.56 million new urban jobs were added.", []),
    ("赤字率拟按4%左右安排、比上年提高1个百分点。",
     "The deficit-to-GDP ratio is set at around 4 percent, up one percentage point.", []),
    ("高技术制造业、装备制造业增加值分别增长8.9%、7.7%。",
     "Value added of high-tech and equipment manufacturing rose by 8.9 percent and 7.7 percent respectively.", []),
    ("今年是“十四五”规划收官之年。", "The year 2025 is the final year of the 14th Five-Year Plan (2021–2025).", []),
    ("过去一年，我国发展历程很不平凡。", "The year 2024 was a truly remarkable year.", []),
    ("推出两批重点事项清单。", "We rolled out two lists of major matters.", []),
    ("长江十年禁渔。", "The 10-year fishing ban on the Yangtze River.", []),
    ("实现“六稳”“六保”。", "We ensured stability on six fronts and security in six areas.", []),
    ("造林31.56万亩。", "21,040 hectares were afforested.", []),
    ("出口增长2倍。", "Exports tripled.", []),
    ("9月26日召开会议。", "A meeting was held on September 26.", []),
    ("二、2025年工作任务", "II. Tasks for 2025", []),
    ("粮食产量1.39万亿斤。", "Grain output reached a record high of 1.39 trillion jin.", []),
    ("粮食产量1.39万亿斤。", "Grain output reached 695 million metric tons.", []),
    ("人均预期寿命达到78.6岁。", "Average life expectancy reached 78.6 years.", []),
    # one reason each
    ("完成投资551.2亿元。", "Investment reached 5.512 billion yuan.", ["magnitude"]),
    ("城镇新增就业1244万人。", "1.244 million new urban jobs were added.", ["magnitude"]),
    ("增长1.2%。", "It grew by 1.2 percentage points.", ["percent-vs-points"]),
    ("提高1个百分点。", "It rose by 1 percent.", ["percent-vs-points"]),
    ("惠及1244万人。", "It benefited 12.44 million yuan.", ["unit"]),
    ("提请审议法律议案19件。", "We submitted 18 legislative proposals.", ["value"]),
    ("3月10日召开。", "It opened on March 11.", ["value"]),
    ("增长8.9%。", "It grew by 9.8 percent.", ["value"]),
    ("新能源汽车年产量突破1300万辆。", "The output of new-energy vehicles rose sharply.", ["missing"]),
    ("制造业投资增长较快。", "Manufacturing investment grew by 9.2 percent.", ["extra"]),
    ("办好第十五届全国运动会。", "We will host the National Games.", ["missing"]),
    ("今年中央预算内投资拟安排7350亿元。", "This year, 735 million yuan will be earmarked.", ["magnitude"]),
]


@pytest.mark.parametrize("zh, en, reasons", PAIR_CASES)
def test_check_pair(zh, en, reasons):
    assert _reasons(check_pair(zh, en)) == reasons


def test_flag_detail_names_both_figures():
    (flag,) = check_pair("完成投资551.2亿元。", "Investment reached 5.512 billion yuan.")
    assert flag.kind == "number"
    assert flag.detail == "551.2亿元 (55.12 billion yuan) appears as 5.512 billion yuan in English: off by a power of ten"


def test_report_year_narrows_relative_years():
    zh, en = "过去一年，我国发展历程很不平凡。", "The year 2023 was a truly remarkable year."
    assert check_pair(zh, en) == []  # without the report's date any year may be meant
    assert _reasons(check_pair(zh, en, report_year=2025)) == ["extra"]
    assert check_pair(zh, "The year 2024 was remarkable.", report_year=2025) == []


def test_check_pair_adds_term_flags_after_number_flags():
    glossary = Glossary((GlossaryEntry("六稳", ("six fronts",)),))
    flags = check_pair("做好“六稳”工作，增长1.2%。", "We grew 2.1 percent.", glossary)
    assert [(f.kind, f.reason) for f in flags] == [("number", "value"), ("term", "term-missing")]


# --------------------------------------------------------------------------------------------------
# documents and summaries


def _doc() -> Document:
    return Document(
        source="test.txt",
        date="2020年8月",
        preamble=[Segment("p-1", "各位代表：", "Fellow deputies,")],
        sections=[
            Section(
                id="sec-1", level=1, marker="一、", title=Bilingual("上半年工作回顾", "Review"),
                segments=[
                    Segment("s-1", "完成投资551.2亿元。", "Investment reached 5.512 billion yuan.",
                            flags=[Flag("degenerate", "repetition")]),
                    Segment("s-2", "增长1.2%。", "It grew by 1.2 percent."),
                    Segment("s-3", "未翻译的句子。"),
                ],
                sections=[
                    Section(id="sec-1-1", level=2, marker="1、", title=Bilingual("就业"),
                            segments=[Segment("s-4", "推进新型城镇化。", "We promoted urbanization.")]),
                ],
            )
        ],
    )


def test_check_document_flags_in_place_and_summarises():
    doc = _doc()
    glossary = Glossary((GlossaryEntry("新型城镇化", ("new urbanization",)),), "test")
    qa = check_document(doc, glossary)
    index = doc.segment_index()
    assert [f.reason for f in index["s-1"].flags] == ["repetition", "magnitude"]
    assert index["s-2"].flags == [] and index["s-3"].flags == []
    assert [f.reason for f in index["s-4"].flags] == ["term-missing"]
    assert qa["segments_checked"] == 4
    assert qa["segments_flagged"] == 2
    assert qa["flags_by_reason"] == {"magnitude": 1, "repetition": 1, "term-missing": 1}  # every kind counts
    assert qa["flagged_segments"] == ["s-1", "s-4"]
    assert qa["report_year"] == 2020
    # checking again replaces, never duplicates
    assert check_document(doc, glossary) == qa
    assert [f.reason for f in index["s-1"].flags] == ["repetition", "magnitude"]


def test_report_year_of():
    assert report_year_of(Document(source="x", date="2020年8月")) == 2020
    assert report_year_of(Document(source="x", meta={"发布日期": "2025-03-05"})) == 2025
    assert report_year_of(Document(source="x")) is None


def test_check_summary_sentence():
    sources = [
        Segment("s-1", "完成投资551.2亿元，增长1.2%。", "Investment reached 55.12 billion yuan, up 1.2 percent."),
        Segment("s-2", "城镇新增就业1244万人。", None),
    ]
    ok = "Investment reached 55.12 billion yuan (up 1.2%) and 12.44 million urban jobs were added."
    assert check_summary_sentence(ok, sources) == []
    assert check_summary_sentence("Two sectors grew.", sources) == []
    flags = check_summary_sentence("Investment reached 56 billion yuan, up 2.1 percent.", sources)
    assert [(f.kind, f.reason) for f in flags] == [("number", "unsupported-number")] * 2
    assert "s-1" in flags[0].detail


def test_summary_sentences_use_the_report_year_like_segments():
    sources = [Segment("s-1", "今年发展主要预期目标是：国内生产总值增长5%左右。", "GDP growth of around 5 percent.")]
    assert check_summary_sentence("In 2023, GDP grew by around 5 percent.", sources) == []  # any year may be meant
    (flag,) = check_summary_sentence("In 2023, GDP grew by around 5 percent.", sources, report_year=2025)
    assert (flag.reason, flag.detail) == ("unsupported-number", "2023 is not in its sources (s-1)")
    assert check_summary_sentence("In 2025, GDP grew by around 5 percent.", sources, report_year=2025) == []


def test_check_document_rechecks_summary_sentences_with_the_report_year():
    from pipeline.document import Summary, SummarySentence

    doc = Document(source="x", date="2025年3月5日", sections=[Section(
        id="sec-1", level=1, marker="一、", title=Bilingual("目标"),
        segments=[Segment("s-1", "今年国内生产总值增长5%左右。", "GDP will grow by around 5 percent this year.")],
        summary=Summary(sentences=[
            SummarySentence("In 2023, GDP grew by 5 percent.", ["s-1"], flags=[Flag("degenerate", "repetition")]),
            SummarySentence("In 2025, GDP will grow by 5 percent.", ["s-1"]),
        ]),
    )])
    check_document(doc)
    first, second = doc.sections[0].summary.sentences
    assert [f.reason for f in first.flags] == ["repetition", "unsupported-number"]
    assert second.flags == []


def test_summary_identifiers_must_be_in_the_sources():
    sources = [Segment("s-1", "C919大飞机投入商业运营。", "The C919 airliner entered service.")]
    assert check_summary_sentence("The C919 entered service.", sources) == []
    assert [f.reason for f in check_summary_sentence("The C929 entered service.", sources)] == ["unsupported-identifier"]


# --------------------------------------------------------------------------------------------------
# the injector


def test_injector_is_deterministic_and_changes_one_source_figure():
    zh, en = "赤字规模5.66万亿元，增长1.2%。", "The deficit is 5.66 trillion yuan, up 1.2 percent."
    errors = ("magnitude", "digits", "percent-vs-points", "drop")
    first = [inject_number_error(zh, en, random.Random(3), e) for e in errors]
    again = [inject_number_error(zh, en, random.Random(3), e) for e in errors]
    assert first == again
    corrupted = [c for c, _ in first]
    assert "5.66 billion yuan" in corrupted[0]
    assert corrupted[1] != en
    assert "1.2 percentage points" in corrupted[2]
    assert corrupted[3] != en and len(corrupted[3]) < len(en)
    for text in corrupted:
        assert check_pair(zh, text) != []


@pytest.mark.parametrize(
    "zh, en, error, changed",
    [
        ("今年是“十四五”规划收官之年。", "This year the 14th Five-Year Plan ends.", "ordinal", "14th"),
        ("党的二十届三中全会胜利召开。", "The third plenary session of the 20th CPC Central Committee was held.",
         "ordinal", None),
        ("C919大飞机投入商业运营。", "The C919 airliner entered service.", "identifier", "C919"),
        ("开通12345热线。", "The 12345 hotline was opened.", "identifier", "12345"),
    ],
)
def test_injector_corrupts_ordinals_and_identifiers(zh, en, error, changed):
    corrupted, what = inject_number_error(zh, en, random.Random(0), error)
    assert corrupted != en and what.startswith(f"{error}: ")
    if changed:
        assert changed not in corrupted
    assert check_pair(zh, en) == [] and check_pair(zh, corrupted) != []


def test_injector_rejects_unknown_errors():
    with pytest.raises(ValueError, match="unknown injected error"):
        inject_number_error("增长1.2%。", "up 1.2 percent", random.Random(0), "typo")


def test_injector_leaves_figures_the_source_lacks():
    # 2024 renders 过去一年 and is no figure of the source, so there is nothing to corrupt
    assert inject_number_error("过去一年很不平凡。", "The year 2024 was remarkable.", random.Random(0)) is None


# --------------------------------------------------------------------------------------------------
# measured on the official translation of the 2025 Report on the Work of the Government


def _gwr_pairs() -> list[Pair]:
    if not GWR_CSV.is_file():
        pytest.skip(f"reference corpus not present: {GWR_CSV}")
    with GWR_CSV.open(encoding="utf-8-sig", newline="") as handle:
        return [Pair(row["全局对齐序号"], row["中文"], row["英文"]) for row in csv.DictReader(handle)]


def test_checker_figures_on_the_official_translation():
    pairs = _gwr_pairs()
    figures = measure_checker(pairs, seed=0, report_year=2025, glossary=load_glossary(GLOSSARY))
    print(
        f"\nfalse alarms: {figures['false_alarms']}/{figures['pairs_with_numbers']} pairs with figures"
        f" ({figures['false_alarm_rate']:.1%}); {figures['alignment_shifted']} of them are mis-aligned rows"
        f" ({', '.join(figures['alignment_shifted_ids'])}); the others: {figures['false_alarm_rate_aligned']:.1%}"
        f"\ndetection: {figures['detected']}/{figures['injected']} injected errors ({figures['detection_rate']:.1%});"
        f" by error: {figures['detection_by_error']}; missed: {figures['missed']}"
        f"\nterm false alarms: {figures['term_false_alarms']}/{figures['pairs_with_terms']} pairs with terms"
        f" ({figures['term_false_alarm_rate']:.1%}); mis-aligned rows set aside:"
        f" {figures['term_false_alarm_rate_aligned']:.1%}; flagged: {figures['term_flagged']}"
    )
    assert figures["pairs_with_numbers"] >= 40
    assert figures["false_alarm_rate_aligned"] <= 0.03
    # misaligned rows are reported, not hidden: a handful at most in this corpus
    assert figures["alignment_shifted"] <= 6
    assert figures["injected"] >= 60
    assert figures["detection_rate"] >= 0.95
    # errors in the ordinals of plans/congresses and in identifiers are injected and caught too
    by_error = figures["detection_by_error"]
    assert by_error["ordinal"]["injected"] >= 5 and by_error["ordinal"]["detected"] == by_error["ordinal"]["injected"]
    assert by_error["identifier"]["injected"] >= 1
    assert by_error["identifier"]["detected"] == by_error["identifier"]["injected"]
    # term false alarms, their own figure
    assert figures["pairs_with_terms"] >= 80
    assert figures["term_false_alarm_rate_aligned"] <= 0.03
    assert figures["term_alignment_shifted"] <= 12


def test_checker_figures_without_report_year_are_close():
    figures = measure_checker(_gwr_pairs(), seed=1)
    assert figures["false_alarm_rate_aligned"] <= 0.05
    assert figures["detection_rate"] >= 0.95
    assert "term_false_alarms" not in figures  # no glossary, no term figure


def test_headings_with_figures_are_checked_too():
    from pipeline.document import Bilingual, Document, Section, Segment

    sec = Section(id="sec-1", level=1, marker="（一）", title=Bilingual("新增城镇就业3万人以上。", "Over 3 million new urban jobs."),
                  segments=[Segment(id="s1", zh="稳就业。", en="Stable jobs.")])
    doc = Document(source="x", title=Bilingual("报告", "Report"), sections=[sec])
    qa = check_document(doc)
    assert [f.reason for f in sec.title.flags] == ["magnitude"]
    assert qa["titles_checked"] == 2 and qa["titles_flagged"] == 1
    assert Section.from_dict(sec.to_dict()).title.flags == sec.title.flags


# --------------------------------------------------------------------------------------------------
# forms official translations use that are no errors (issue 23), and the errors next to them


@pytest.mark.parametrize("zh, en", [
    ("一是稳就业；二是稳外贸；三是稳投资；四是稳预期。",
     "1) stabilizing employment; 2) stabilizing foreign trade; 3) stabilizing investment; and 4) stabilizing expectations."),
    ("一是稳就业；二是稳外贸。", "(1) Stabilize employment; (2) stabilize foreign trade."),
    ("一是稳就业；二是稳外贸。", "First, stabilize employment. Second, stabilize foreign trade."),
    ("新增装机容量1.3亿千瓦。", "Newly installed capacity reached 130 gigawatts."),
    ("新增光伏装机500万千瓦。", "Solar capacity increased by 5,000 megawatts."),
    ("新增光伏装机5万千瓦。", "Solar capacity increased by 50,000 kW."),
    ("建成二三级医院。", "We built Grade II and Grade III hospitals."),
    ("三四线城市房价企稳。", "Home prices in third- and fourth-tier cities stabilized."),
    ("港口二期工程开工。", "Construction of Phase II of the port began."),
    ("粮食产量1.4万亿斤。", "Grain output reached 700 million metric tons."),
    ("粮食产能提高1000亿斤。", "Grain production capacity rose by 50 million metric tons."),
    ("建设高标准农田8000万亩。", "We built 5.33 million hectares of high-standard cropland."),
    ("新建高速公路1200公里。", "We built 1,200 km of new expressways."),
])
def test_official_renderings_are_no_false_alarms(zh, en):
    assert check_numbers(zh, en) == []


@pytest.mark.parametrize("zh, en, reason", [
    ("新增装机容量1.3亿千瓦。", "Newly installed capacity reached 130 megawatts.", "magnitude"),
    ("新增光伏装机500万千瓦。", "Solar capacity increased by 500 megawatts.", "magnitude"),
    ("粮食产量1.4万亿斤。", "Grain output reached 7 million metric tons.", "magnitude"),
    ("建设高标准农田8000万亩。", "We built 800 hectares of cropland.", "value"),
    ("新建高速公路1200公里。", "We built 12,000 km of new expressways.", "magnitude"),
    ("一是稳就业；二是稳外贸，增长5%。", "1) stabilizing employment; 2) stabilizing foreign trade, up 6 percent.", "value"),
])
def test_the_errors_next_to_them_are_still_caught(zh, en, reason):
    assert [f.reason for f in check_numbers(zh, en)] == [reason]


def test_stable_and_stabilize_render_the_same_term():
    from pipeline.fidelity.glossary import english_stems, rendering_present

    assert rendering_present("stable prices", english_stems("Prices were stabilized."))
    assert rendering_present("stabilize prices", english_stems("Prices stayed stable."))
    assert not rendering_present("stable prices", english_stems("Prices rose."))
