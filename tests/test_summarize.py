from __future__ import annotations

import copy
import json

import pytest

from pipeline.document import Segment
from pipeline.fidelity import check_summary_sentence
from pipeline.render import render_markdown
from pipeline.segment import segment
from pipeline.summarize import (
    ExtractiveSummarizer,
    SummaryPolicy,
    split_english_sentences,
    summarize_document,
    summarize_documents,
)
from pipeline.summarize.abstractive import AbstractiveSummarizer, TransformersGenerator
from pipeline.translate import GenerationSettings, TranslationService, translate_document

from .conftest import SAMPLE, TINY_CONFIG, run_main

pytestmark = pytest.mark.usefixtures("tiny_models")


@pytest.fixture(scope="module")
def translated(tiny_translator, sample_text):
    doc = segment(sample_text, source=SAMPLE.name, max_tokens=64, count_tokens=tiny_translator.count_tokens)
    # English-side pieces only: with opus-mt-zh-en's real vocabulary the random model otherwise writes
    # Chinese pieces, which the summarizer's byte-level tokenizer counts three tokens a character
    settings = GenerationSettings(num_beams=1, max_length_ratio=1.0, max_length_slack=4, output_vocab="target")
    return translate_document(doc, TranslationService(tiny_translator, settings))


@pytest.fixture(scope="module")
def bart_generator(tiny_models):
    return TransformersGenerator(str(tiny_models["bart-summarizer"]), max_input_tokens=256, threads=1)


@pytest.fixture(scope="module")
def tiny_bart(bart_generator):
    return AbstractiveSummarizer(bart_generator, num_beams=1, max_new_tokens=24)


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


@pytest.mark.parametrize("kind", ["abstractive", "extractive"])
def test_summary_links_resolve_to_segment_anchors(translated, tiny_bart, kind):
    """Every cited source is a segment with an anchor; a sentence its sources do not back cites nothing and,
    once checked, is flagged unsupported (the tiny model writes gibberish: none of it is backed)."""
    from pipeline.fidelity import check_document

    doc = copy.deepcopy(translated)
    summarizer = tiny_bart if kind == "abstractive" else ExtractiveSummarizer(max_sentences=2)
    summarize_document(doc, summarizer, SummaryPolicy(depth=2, min_chars=120))
    check_document(doc)
    index = doc.segment_index()
    summaries = [sec.summary for sec in doc.walk_sections() if sec.summary] + [doc.summary]
    sentences = [sent for summ in summaries for sent in summ.sentences]
    sources = [sid for sent in sentences for sid in sent.sources]
    assert all(sid in index for sid in sources)
    if kind == "extractive":
        assert sources and all(sent.sources for sent in sentences)
    for sent in sentences:
        if not sent.sources:
            assert [f.kind for f in sent.flags][:1] == ["unsupported"], sent
    md = render_markdown(doc)
    for sid in set(sources):
        assert f"(#{sid})" in md and f'id="{sid}"' in md
    if kind == "abstractive":
        assert "Not backed by the report" in md


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
    # abbreviations the old regular expression broke at
    assert split_english_sentences("Trade with the U.S. fell. Exports rose on Jan. 5 at Pier No. 1 in the city.") == [
        "Trade with the U.S. fell.", "Exports rose on Jan. 5 at Pier No. 1 in the city."]
    assert split_english_sentences("Mr. Li spoke. GDP grew 5.0% in 2024.") == ["Mr. Li spoke.", "GDP grew 5.0% in 2024."]
    # a blank line ends a sentence (a Markdown list item or heading without a full stop)
    assert split_english_sentences("Key points\n\nGrowth was stable.") == ["Key points", "Growth was stable."]


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
    asked: list[str] = []

    def translate(texts):
        asked.extend(texts)
        return [t.text for t in tiny_translator.translate_batch(texts, GenerationSettings(num_beams=1))]

    generator = TransformersGenerator(str(tiny_models["bart-summarizer"]), max_input_tokens=512, threads=1)
    summ = AbstractiveSummarizer(generator, input_lang="zh", num_beams=1, max_new_tokens=16, translate=translate)
    doc = copy.deepcopy(translated)
    summarize_document(doc, summ, SummaryPolicy(depth=1))
    assert doc.sections[0].summary.method == "abstractive-zh"
    assert len(asked) >= len(doc.sections)  # the Chinese summaries went through the translator


def test_a_document_without_sections_gets_a_real_executive_summary(tiny_translator):
    text = "各位代表：" + "全市经济运行总体平稳，生产总值增长5.2%。" * 30
    doc = segment(text, max_tokens=64, count_tokens=tiny_translator.count_tokens)
    assert not doc.sections
    doc = translate_document(doc, TranslationService(tiny_translator, GenerationSettings(num_beams=1, max_length_ratio=1.0)))
    summarize_document(doc, ExtractiveSummarizer(max_sentences=2), SummaryPolicy(depth=0))
    assert doc.summary.method == "extractive" and len(doc.summary.sentences) == 2


def test_a_group_of_documents_summarized_together_equals_one_by_one(translated, tiny_bart):
    docs = [copy.deepcopy(translated) for _ in range(2)]
    docs[1].sections = docs[1].sections[:1]  # a different second document
    alone = [summarize_document(copy.deepcopy(d), tiny_bart, SummaryPolicy(depth=1)) for d in docs]
    calls = tiny_bart.stats.model_calls
    together = summarize_documents(copy.deepcopy(docs), tiny_bart, SummaryPolicy(depth=1))
    grouped_calls = tiny_bart.stats.model_calls - calls
    assert [d.to_dict() for d in together] == [d.to_dict() for d in alone]
    # both documents' inputs shared batches: fewer model calls than the two documents alone
    calls = tiny_bart.stats.model_calls
    for d in docs:
        summarize_document(copy.deepcopy(d), tiny_bart, SummaryPolicy(depth=1))
    assert grouped_calls < tiny_bart.stats.model_calls - calls


def test_reduce_only_when_the_joined_chunk_summaries_are_too_long(bart_generator):
    long_text = " ".join(f"Item {i} of the plan was carried out in district {i} this year." for i in range(60))
    short = AbstractiveSummarizer(bart_generator, num_beams=1, min_new_tokens=4, max_new_tokens=8)
    roomy = AbstractiveSummarizer(bart_generator, num_beams=1, min_new_tokens=4, max_new_tokens=8)
    [a] = short.summarize_texts([long_text])
    assert short.stats.map_reduce == 1 and short.stats.chunks >= 3
    # chunks x 8 tokens > 8: the joined summaries are longer than a summary may be, so they are reduced
    assert short.stats.reduces == 1 and bart_generator.count_tokens(a) <= 8 + 2
    roomy.max_new_tokens = 2000  # a summary may be as long as all chunk summaries together: no reduce
    roomy.summarize_texts([long_text])
    assert roomy.stats.map_reduce == 1 and roomy.stats.reduces == 0


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("Grain output reached 1.2 million tonnes.", "s2"),
        ("The city opened 14 new metro stations.", "s3"),
        ("Exports of machinery rose sharply.", "s1"),
        ("Air quality improved for residents, with more parks.", "s4"),
    ],
)
def test_best_sources_links_the_segment_the_sentence_rests_on(sentence, expected):
    from pipeline.summarize import best_sources

    segments = [
        Segment(id="s1", zh="", en="Exports of machinery and electronics rose by 8 percent."),
        Segment(id="s2", zh="", en="Grain output reached 1.2 million tonnes, a record harvest."),
        Segment(id="s3", zh="", en="Fourteen new metro stations opened; 14 stations in all serve the new line."),
        Segment(id="s4", zh="", en="Air quality improved and the city added 30 parks for residents."),
    ]
    assert best_sources(sentence, segments, k=1) == [expected]
    # no fallback: a sentence about nothing in the sources, or sharing one generic word, cites nothing
    assert best_sources("Unrelated words entirely.", segments) == []
    assert best_sources("Tourism in the mountain villages boomed, with new hotels for residents.", segments) == []


def test_build_summarizer_from_config(tiny_models):
    from pipeline.config import load_config
    from pipeline.summarize import build_summarizer

    from .conftest import TINY_CONFIG

    config = load_config(TINY_CONFIG, ["summarizer.device=cpu"])
    summarizer, info = build_summarizer(config, None)
    assert info["kind"] == "abstractive" and info["max_input_tokens"] == 256
    assert summarizer.generator.backend == "transformers" and summarizer.generator.device == "cpu"
    none, info = build_summarizer(load_config(TINY_CONFIG, ["summarizer.kind=none"]))
    assert none is None and info == {"kind": "none"}


def test_run_device_flag_sets_both_models(tiny_models, tmp_path):
    """`--device` reaches the translator and the summarizer (cuda without a GPU is one clear line)."""
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: the error path cannot be shown here")
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(tmp_path), "--no-cache", "-q",
                   "--device", "cuda")
    assert res.returncode == 3 and "translator.device: 'cuda' asked for" in res.stderr
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(tmp_path), "--no-cache", "-q",
                   "--device", "cuda", "--set", "translator.device=cpu")
    assert res.returncode == 3 and "summarizer.device: 'cuda' asked for" in res.stderr


def _segs(texts: list[str]) -> list[Segment]:
    return [Segment(id=f"s{i}", zh=t, en=f"English of sentence {i} " * (1 + i % 3)) for i, t in enumerate(texts)]


def test_select_keeps_the_most_central_sentences_in_order_within_the_budget():
    from pipeline.summarize.selection import centrality, select_within

    texts = ["全市经济运行稳中向好，工业经济增长较快。", "工业经济和服务业经济增长较快，经济运行稳定。",
             "今天天气晴朗。", "全市经济运行总体平稳，服务业经济增长。", "小猫在花园里玩耍。"]
    scores = centrality(texts)
    assert min(scores[0], scores[1], scores[3]) > max(scores[2], scores[4])  # the off-topic ones rank last
    segs = _segs(texts)
    count = lambda t: len(t.split())  # noqa: E731
    assert select_within(segs, 10_000, count, lambda s: s.en) == segs  # everything fits: all of it
    budget = sum(count(s.en) for s in (segs[0], segs[1], segs[3]))
    chosen = select_within(segs, budget, count, lambda s: s.en)
    assert [s.id for s in chosen] == ["s0", "s1", "s3"]  # the central ones, in document order
    assert sum(count(s.en) for s in chosen) <= budget
    assert select_within(segs, 1, count, lambda s: s.en) == []  # not one fits alone


def test_select_mode_summarizes_a_long_input_in_one_model_input(translated, bart_generator):
    segments = list(translated.all_segments())
    selecting = AbstractiveSummarizer(bart_generator, num_beams=1, max_new_tokens=24, long_inputs="select")
    mapping = AbstractiveSummarizer(bart_generator, num_beams=1, max_new_tokens=24)
    from pipeline.summarize import SummaryRequest

    request = SummaryRequest(segments=segments, key="document")
    [selected] = selecting.summarize([request])
    mapping.summarize([request])
    assert selecting.stats.selected == 1 and selecting.stats.map_reduce == 0 and selecting.stats.model_calls == 1
    assert mapping.stats.map_reduce >= 1 and mapping.stats.chunks >= 3  # the same input, map-reduce
    chosen = selecting._input_segments(segments)
    assert 1 < len(chosen) < len(segments)
    assert bart_generator.count_tokens(" ".join(s.en for s in chosen)) <= bart_generator.max_input_tokens
    ids = [s.id for s in chosen]
    assert all(src in ids for sent in selected.sentences for src in sent.sources)  # linked to what it read
    fits = [s for s in segments if bart_generator.count_tokens(s.en) < 60][:3]  # within the limit together
    assert len(fits) == 3
    short = SummaryRequest(segments=fits, key="s")  # read whole, as map_reduce reads it
    assert selecting._input_segments(short.segments) == short.segments
    assert selecting.summarize([short])[0].to_dict() == mapping.summarize([short])[0].to_dict()


def test_summarizer_parallel_batches_give_the_same_summaries(tiny_models, two_torch_threads):
    import torch

    texts = [("The province will build roads and schools in every county. " * (k + 2)).strip() for k in range(6)]
    bounds = [(4, 12)] * len(texts)
    path = str(tiny_models["bart-summarizer"])
    one = TransformersGenerator(path, max_input_tokens=256)
    two = TransformersGenerator(path, max_input_tokens=256, parallel_batches=2)
    kwargs = dict(num_beams=2, no_repeat_ngram_size=3, batch_tokens=160)
    expected, calls = one.generate(texts, bounds, **kwargs)
    assert calls > 2
    assert two.generate(texts, bounds, **kwargs) == (expected, calls)
    assert torch.get_num_threads() == 2
