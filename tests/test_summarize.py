from __future__ import annotations

import copy
import json

import pytest

from pipeline.document import Segment
from pipeline.fidelity import check_summary_sentence
from pipeline.render import render_markdown
from pipeline.segment import segment
from pipeline.summarize import (
    AbstractiveSummarizer,
    ExtractiveSummarizer,
    SummaryPolicy,
    split_english_sentences,
    summarize_document,
)
from pipeline.translate import GenerationSettings, translate_document

from .conftest import SAMPLE, TINY_CONFIG, run_main

pytestmark = pytest.mark.usefixtures("tiny_models")


@pytest.fixture(scope="module")
def translated(tiny_translator, sample_text):
    doc = segment(sample_text, source=SAMPLE.name, max_tokens=64, count_tokens=tiny_translator.count_tokens)
    return translate_document(doc, tiny_translator, GenerationSettings(num_beams=1, max_length_ratio=1.0,
                                                                       max_length_slack=4))


@pytest.fixture(scope="module")
def tiny_bart(tiny_models):
    return AbstractiveSummarizer(str(tiny_models["bart-summarizer"]), max_input_tokens=256, num_beams=1,
                                 max_new_tokens=24, threads=1)


def test_extractive_summary_is_a_subset_of_source_sentences_in_order_within_budget(translated):
    doc = copy.deepcopy(translated)
    summarizer = ExtractiveSummarizer(max_sentences=3, max_chars=300)
    summarize_document(doc, summarizer, SummaryPolicy(depth=2, min_chars=120))
    summarized = [sec for sec in doc.walk_sections() if sec.summary and sec.summary.method == "extractive"]
    assert len(summarized) >= 10
    for sec in summarized:
        segs = list(sec.all_segments())
        ids = [s.id for s in segs]
        chosen = [s.sources[0] for s in sec.summary.sentences]
        assert all(len(s.sources) == 1 for s in sec.summary.sentences)
        assert 1 <= len(chosen) <= 3
        assert [ids.index(c) for c in chosen] == sorted(ids.index(c) for c in chosen)  # document order
        by_id = {s.id: s for s in segs}
        assert [s.text for s in sec.summary.sentences] == [by_id[c].en for c in chosen]  # their translations
        zh_chars = sum(len(by_id[c].zh) for c in chosen)
        assert zh_chars <= 300 or len(chosen) == 1
    assert doc.summary.method == "extractive" and doc.summary.sentences


def test_extractive_is_deterministic(translated):
    a, b = copy.deepcopy(translated), copy.deepcopy(translated)
    summarize_document(a, ExtractiveSummarizer(), SummaryPolicy())
    summarize_document(b, ExtractiveSummarizer(), SummaryPolicy())
    assert a.to_dict() == b.to_dict()


def test_short_sections_are_shown_as_they_are(translated):
    doc = copy.deepcopy(translated)
    summarize_document(doc, ExtractiveSummarizer(), SummaryPolicy(depth=3, min_chars=200))
    short = [sec for sec in doc.walk_sections() if sum(len(s.zh) for s in sec.all_segments()) < 200]
    assert short
    for sec in short:
        assert sec.summary.method == "verbatim"
        assert [s.sources[0] for s in sec.summary.sentences] == [s.id for s in sec.all_segments()]


def test_abstractive_uses_map_reduce_over_the_limit(translated, tiny_bart):
    doc = copy.deepcopy(translated)
    before = tiny_bart.stats.map_reduce
    summarize_document(doc, tiny_bart, SummaryPolicy(depth=1, min_chars=120))
    # the two top-level sections of the sample are far longer than 256 tokens
    assert tiny_bart.stats.map_reduce - before >= 2
    assert tiny_bart.stats.chunks >= 4
    for sec in doc.sections:
        assert sec.summary.method == "abstractive"


def test_abstractive_within_the_limit_is_one_call(tiny_bart):
    calls = tiny_bart.stats.model_calls
    mr = tiny_bart.stats.map_reduce
    out = tiny_bart.summarize_texts(["The economy grew by 5 percent. Jobs were stable."] * 3)
    assert len(out) == 3 and tiny_bart.stats.model_calls == calls + 1 and tiny_bart.stats.map_reduce == mr


def test_summary_links_resolve_to_segment_anchors(translated, tiny_bart):
    doc = copy.deepcopy(translated)
    summarize_document(doc, tiny_bart, SummaryPolicy(depth=2, min_chars=120))
    index = doc.segment_index()
    summaries = [sec.summary for sec in doc.walk_sections() if sec.summary] + [doc.summary]
    sources = [sid for summ in summaries for sent in summ.sentences for sid in sent.sources]
    assert sources and all(sid in index for sid in sources)
    md = render_markdown(doc)
    for sid in set(sources):
        assert f"(#{sid})" in md and f'id="{sid}"' in md


@pytest.mark.parametrize(
    "summary, source_en, flagged",
    [
        ("GDP reached 55.12 billion yuan, up 1.2%.", "GDP reached 55.12 billion yuan, an increase of 1.2 percent.", False),
        ("GDP reached 65.12 billion yuan, up 1.2%.", "GDP reached 55.12 billion yuan, an increase of 1.2 percent.", True),
        ("GDP reached 55.12 million yuan.", "GDP reached 55.12 billion yuan.", True),
        ("Revenue rose 3.2 percentage points.", "Revenue rose 3.2 percent.", True),
        ("Incomes grew by 3.2% and 2.4%.", "增长3.2%和2.4%", False),
    ],
)
def test_faithfulness_check_flags_unsupported_numbers(summary, source_en, flagged):
    zh = source_en if source_en.startswith("增长") else "地区生产总值551.2亿元，增长1.2%。"
    seg = Segment(id="s1", zh=zh, en=None if source_en.startswith("增长") else source_en)
    flags = check_summary_sentence(summary, [seg])
    assert bool(flags) is flagged, flags
    if flagged:
        assert flags[0].kind == "number" and flags[0].reason == "unsupported-number"


def test_split_english_sentences():
    assert split_english_sentences("One. Two! 3 more? Fine.") == ["One.", "Two!", "3 more?", "Fine."]
    assert split_english_sentences("It grew 1.2 percent. Next") == ["It grew 1.2 percent.", "Next"]


@pytest.mark.parametrize("kind, method", [("extractive", "extractive"), ("abstractive", "abstractive")])
def test_switching_summarizer_kind_in_config_switches_the_path(tiny_models, tmp_path, kind, method):
    src = tmp_path / "r.txt"
    src.write_text("各位代表:\n一、总体情况\n" + "全市生产总值增长5.2%，经济运行总体平稳。" * 8 + "\n二、下步安排\n继续推进改革。",
                   encoding="utf-8")
    res = run_main("run", str(src), "--config", str(TINY_CONFIG), "--out", str(tmp_path / "o"), "--no-cache", "-q",
                  "--set", f"summarizer.kind={kind}")
    assert res.returncode == 0, res.stderr
    data = json.loads((tmp_path / "o" / "r.json").read_text(encoding="utf-8"))
    assert data["sections"][0]["summary"]["method"] == method
    assert data["provenance"]["summarizer"]["kind"] == kind


def test_zh_input_summarizes_chinese_then_translates(translated, tiny_models, tiny_translator):
    calls = tiny_translator.generate_calls

    def translate(texts):
        return [t.text for t in tiny_translator.translate_batch(texts, GenerationSettings(num_beams=1))]

    summ = AbstractiveSummarizer(str(tiny_models["bart-summarizer"]), input_lang="zh", max_input_tokens=512,
                                 num_beams=1, max_new_tokens=16, threads=1, translate=translate)
    doc = copy.deepcopy(translated)
    summarize_document(doc, summ, SummaryPolicy(depth=1))
    assert doc.sections[0].summary.method == "abstractive-zh"
    assert tiny_translator.generate_calls > calls  # the Chinese summaries went through the translator


def test_a_document_without_sections_gets_a_real_executive_summary(tiny_translator):
    text = "各位代表：" + "全市经济运行总体平稳，生产总值增长5.2%。" * 30
    doc = segment(text, max_tokens=64, count_tokens=tiny_translator.count_tokens)
    assert not doc.sections
    doc = translate_document(doc, tiny_translator, GenerationSettings(num_beams=1, max_length_ratio=1.0))
    summarize_document(doc, ExtractiveSummarizer(max_sentences=2), SummaryPolicy(depth=0))
    assert doc.summary.method == "extractive" and len(doc.summary.sentences) == 2
