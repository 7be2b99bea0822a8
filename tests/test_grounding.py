"""Grounding: a summary sentence cites the segments that back it, or none and is flagged unsupported."""

from __future__ import annotations

import copy
import json

import pytest

from pipeline.config import bundled_file
from pipeline.document import Bilingual, Document, Section, Segment, Summary, SummarySentence
from pipeline.fidelity import check_document, load_glossaries
from pipeline.fidelity.grounding import SUPPORT_THRESHOLD, SourceIndex, ground_sentence, names_in

from .conftest import GWR_CSV, TINY_CONFIG, run_main

SEGMENTS = [
    Segment("s1", "外贸进出口总额增长5%。", "Total imports and exports grew by 5 percent."),
    Segment("s2", "粮食产量达到1.4万亿斤。", "Grain output reached 700 million metric tons, a new record."),
    Segment("s3", "广东省新建5G基站10万个。", "Guangdong built 100,000 new 5G base stations."),
    Segment("s4", "大力发展新质生产力。", "We vigorously developed productive forces of a new kind."),
    Segment("s5", "推动高质量发展，促进区域协调发展。", "We promoted high-quality development and coordinated regional development."),
]


def test_a_copied_sentence_cites_its_own_segment_with_full_support():
    g = ground_sentence("Guangdong built 100,000 new 5G base stations.", SEGMENTS)
    assert g.sources == ["s3"] and g.support == pytest.approx(1.0) and g.supported and g.flags == []


def test_two_joined_sentences_cite_both_segments():
    g = ground_sentence("Total imports and exports grew by 5 percent, and grain output reached a new record.", SEGMENTS)
    assert g.supported and set(g.sources[:3]) == {"s1", "s2"}


@pytest.mark.parametrize("sentence", [
    "Unrelated words entirely.",
    # one shared generic word ("development") is not enough for a link
    "Tourism development brought foreign visitors to ancient temples.",
    # an invented claim without a number
    "The province abolished its tax on imported luxury yachts.",
])
def test_an_unbacked_sentence_gets_no_link_and_an_unsupported_flag(sentence):
    g = ground_sentence(sentence, SEGMENTS)
    assert g.sources == [] and not g.supported and g.support < SUPPORT_THRESHOLD
    assert [f.kind for f in g.flags][:1] == ["unsupported"]
    assert "best candidate" in g.flags[0].detail or g.support == 0


def test_a_name_in_none_of_the_sources_is_flagged():
    g = ground_sentence("Zhejiang built 100,000 new 5G base stations.", SEGMENTS)
    assert g.sources == ["s3"] and g.supported  # the rest of the sentence is backed ...
    assert [(f.kind, f.reason) for f in g.flags] == [("name", "unsupported-name")]  # ... but not the province
    assert "Zhejiang" in g.flags[0].detail and "s3" in g.flags[0].detail
    assert ground_sentence("Guangdong built 100,000 new 5G base stations.", SEGMENTS).flags == []


def test_names_in_finds_places_organisations_and_programmes():
    assert names_in("The Belt and Road Initiative reached Kazakhstan.") == ["Belt and Road Initiative", "Kazakhstan"]
    assert names_in("Investment in Guangdong rose.") == ["Guangdong"]  # a sentence's first word alone is no name
    assert names_in("We met the Ministry of Finance in March.") == ["Ministry of Finance"]
    assert names_in("China grew.") == []
    assert names_in("Zhejiang built roads.", common={"built", "roads"}) == ["Zhejiang"]


def test_the_chinese_backs_a_sentence_through_the_glossary_and_its_figures():
    glossary = load_glossaries([bundled_file("glossary/gov-report.tsv")])
    sentence = "We developed new quality productive forces."
    without = ground_sentence(sentence, SEGMENTS).support
    with_glossary = ground_sentence(sentence, SEGMENTS, glossary)
    assert with_glossary.support > without and with_glossary.sources[0] == "s4"
    # a figure only the Chinese has (1256万 = 12.56 million) backs the sentence's figure
    rounded = [Segment("z1", "城镇新增就业1256万人。", "Over 12 million urban jobs were added."), *SEGMENTS]
    g = SourceIndex(rounded).ground("12.56 million urban jobs were added.")
    assert g.sources == ["z1"] and g.support == pytest.approx(1.0)


def _doc_with_summary(text: str, sources: list[str]) -> Document:
    section = Section(id="sec-1", level=1, marker="一、", title=Bilingual("工作回顾", "Review"), segments=list(SEGMENTS),
                      summary=Summary(sentences=[SummarySentence(text, sources)], method="abstractive"))
    return Document(source="x.txt", date="2025年3月5日", sections=[section])


def test_check_document_regrounds_abstractive_summaries_and_drops_fallback_links():
    doc = _doc_with_summary("The province abolished its tax on imported luxury yachts.", ["s1"])  # an old fallback link
    check_document(copy.deepcopy(doc))  # the input is not needed again
    check_document(doc)
    sent = doc.sections[0].summary.sentences[0]
    assert sent.sources == [] and [f.kind for f in sent.flags] == ["unsupported"]
    assert sent.to_dict()["support"] < SUPPORT_THRESHOLD
    doc = _doc_with_summary("Guangdong built 100,000 new 5G base stations.", [])
    check_document(doc)
    sent = doc.sections[0].summary.sentences[0]
    assert sent.sources == ["s3"] and sent.flags == [] and sent.support == pytest.approx(1.0)
    # a changed figure in a backed sentence: cited, and its figure flagged
    doc = _doc_with_summary("Guangdong built 900,000 new 5G base stations.", [])
    check_document(doc)
    sent = doc.sections[0].summary.sentences[0]
    assert sent.sources == ["s3"] and [f.reason for f in sent.flags] == ["unsupported-number"]


def test_one_switch_turns_every_summary_check_off(tiny_models, tmp_path):
    """fidelity.enabled: false leaves summary sentences without flags (the checks live in fidelity only)."""
    src = tmp_path / "r.txt"
    src.write_text("各位代表:\n一、总体情况\n" + "全市生产总值增长5.2%，经济运行总体平稳。" * 8 + "\n二、下步安排\n继续推进改革。",
                   encoding="utf-8")
    flagged = {}
    for enabled in ("true", "false"):
        out = tmp_path / enabled
        res = run_main("run", str(src), "--config", str(TINY_CONFIG), "--out", str(out), "--no-cache", "-q",
                       "--set", f"fidelity.enabled={enabled}")
        assert res.returncode == 0, res.stderr
        data = json.loads((out / "r.json").read_text(encoding="utf-8"))
        summaries = [data["sections"][0]["summary"], data.get("summary") or {"sentences": []}]
        sentences = [s for summ in summaries for s in summ["sentences"]]
        assert sentences
        flagged[enabled] = sum(bool(s.get("flags")) for s in sentences)
    assert flagged["true"] > 0  # the tiny model's gibberish is not backed by the report
    assert flagged["false"] == 0


def test_executive_summary_of_a_chinese_summarizer_reads_real_chinese(tiny_models, tiny_translator, sample_text):
    """zh-summary's executive summary is written from the Chinese of the segments the section summaries cite
    (before: from pseudo-segments with zh=""), and linked to the document's segments."""
    from pipeline.segment import segment
    from pipeline.summarize import SummaryPolicy, _executive_request, summarize_document
    from pipeline.summarize.abstractive import AbstractiveSummarizer, TransformersGenerator
    from pipeline.translate import GenerationSettings, TranslationService, translate_document

    doc = segment(sample_text, max_tokens=64, count_tokens=tiny_translator.count_tokens)
    doc = translate_document(doc, TranslationService(tiny_translator, GenerationSettings(num_beams=1)))
    generator = TransformersGenerator(str(tiny_models["bart-summarizer"]), max_input_tokens=512, threads=1)

    read: list[str] = []

    class Recording:  # the real tiny generator; only what it is given is kept
        backend, max_input_tokens = generator.backend, generator.max_input_tokens
        count_tokens = staticmethod(generator.count_tokens)

        def generate(self, texts, bounds, **kw):
            read.extend(texts)
            return generator.generate(texts, bounds, **kw)

    def translate(texts):
        return [t.text for t in tiny_translator.translate_batch(texts, GenerationSettings(num_beams=1))]

    summarizer = AbstractiveSummarizer(Recording(), input_lang="zh", num_beams=1, max_new_tokens=16, translate=translate)
    summarize_document(doc, summarizer, SummaryPolicy(depth=1))
    assert doc.summary is not None and doc.summary.method == "abstractive-zh"
    assert read and all(text.strip() for text in read)  # never an empty input
    # with cited top-level sentences, the executive request reads those segments' real Chinese
    segments = list(doc.all_segments())
    doc.sections[0].summary = Summary([SummarySentence("x", [segments[3].id, segments[1].id])], "abstractive-zh")
    request = _executive_request(doc, summarizer, SummaryPolicy(depth=1))
    assert [s.id for s in request.segments][:2] == [segments[1].id, segments[3].id]
    assert all(s.zh for s in request.segments) and len(request.ground_on) == len(segments)


@pytest.mark.skipif(not GWR_CSV.is_file(), reason="needs ../shared/data/gwr-2025-zh-en.csv (official pairs)")
def test_grounding_targets_on_the_official_pairs():
    """The issue's targets, measured on the 2025 work report's official pairs (nothing invented)."""
    from pipeline.fidelity.measure_grounding import measure_grounding
    from pipeline.fidelity.pairs import load_pairs

    glossary = load_glossaries([bundled_file("glossary/gov-report.tsv")])
    figures = measure_grounding(load_pairs(GWR_CSV), glossary=glossary, report_year=2025)
    assert figures["copied_own_row_first"] >= 0.95
    assert figures["joined_both_in_top3"] >= 0.85
    assert figures["false_unsupported"] <= 0.05
    assert figures["figure_changed_flagged"] >= 0.95
    assert figures["elsewhere_sharing_little_flagged"] >= 0.90
