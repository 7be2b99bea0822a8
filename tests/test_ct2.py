"""The CTranslate2 summarizer backend on the tiny BART: conversion, same output as transformers (float32,
greedy), and a run selected by config."""

from __future__ import annotations

import json

import pytest

from .conftest import SAMPLE, TINY_CONFIG, run_main

pytestmark = [pytest.mark.ct2]


@pytest.fixture(scope="module")
def bart_ct2(tiny_models, tmp_path_factory):
    pytest.importorskip("ctranslate2", reason="pip install -e '.[fast]'")
    from pipeline.translate.ct2 import convert_to_ctranslate2

    return convert_to_ctranslate2(str(tiny_models["bart-summarizer"]), tmp_path_factory.mktemp("ct2") / "bart",
                                  quantization="float32")


def test_ctranslate2_summaries_equal_transformers_in_float32(tiny_models, bart_ct2):
    from pipeline.summarize.abstractive import AbstractiveSummarizer, TransformersGenerator
    from pipeline.translate.ct2 import CTranslate2Generator

    path = str(tiny_models["bart-summarizer"])
    texts = ["The economy grew by 5 percent. Jobs were stable.", "Grain output reached a record this year.",
             " ".join(f"Item {i} of the plan was done in district {i}." for i in range(40))]
    hf = AbstractiveSummarizer(TransformersGenerator(path, max_input_tokens=256, threads=1), num_beams=1,
                               max_new_tokens=16)
    ct2 = AbstractiveSummarizer(CTranslate2Generator(str(bart_ct2), path, compute_type="float32", threads=1,
                                                     max_input_tokens=256), num_beams=1, max_new_tokens=16)
    a, b = hf.summarize_texts(texts), ct2.summarize_texts(texts)
    assert all(a) and a == b
    assert (hf.stats.chunks, hf.stats.reduces) == (ct2.stats.chunks, ct2.stats.reduces) and hf.stats.chunks > 1


def test_summarizer_backend_chosen_by_config(tiny_models, tmp_path):
    pytest.importorskip("ctranslate2", reason="pip install -e '.[fast]'")
    convert = run_main("models", "convert", str(tiny_models["bart-summarizer"]), "--out", str(tmp_path / "bart-ct2"))
    assert convert.returncode == 0, convert.stderr
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(tmp_path / "o"), "--no-cache",
                   "-q", "--set", "summarizer.backend=ctranslate2", "--set", f"summarizer.ct2_model={tmp_path / 'bart-ct2'}")
    assert res.returncode == 0, res.stderr
    data = json.loads((tmp_path / "o" / "yuyao-2020-h1-report.json").read_text(encoding="utf-8"))
    assert data["provenance"]["summarizer"]["backend"].startswith("ctranslate2-int8+")
    assert data["sections"][0]["summary"]["method"] == "abstractive" and data["summary"]["sentences"]


def test_missing_ct2_summarizer_model_is_one_clear_line(tiny_models, tmp_path):
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(tmp_path), "--no-cache", "-q",
                   "--set", "summarizer.backend=ctranslate2", "--set", "summarizer.ct2_model=nowhere")
    assert res.returncode == 4  # a missing model (issue 25: it said 3, a bad config)
    assert "summarizer CTranslate2 model folder 'nowhere' not found" in res.stderr
    assert "`python -m pipeline models convert " in res.stderr and "--out nowhere`" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1



def test_ctranslate2_summary_does_not_depend_on_its_batch_mates(tiny_models, bart_ct2):
    from pipeline.summarize.abstractive import AbstractiveSummarizer
    from pipeline.translate.ct2 import CTranslate2Generator

    generator = CTranslate2Generator(str(bart_ct2), str(tiny_models["bart-summarizer"]), compute_type="int8",
                                     threads=1, max_input_tokens=256)
    summarizer = AbstractiveSummarizer(generator, num_beams=2, max_new_tokens=16)
    texts = ["Grain output reached a record this year.",
             " ".join(f"District {i} built {i} new schools and {i + 3} clinics." for i in range(12)),
             "The economy grew by 5 percent. Jobs were stable. Prices rose by 2 percent."]
    together = summarizer.summarize_texts(texts)
    assert together == [summarizer.summarize_texts([t])[0] for t in texts]


@pytest.fixture(scope="module")
def marian_ct2(tiny_models, tmp_path_factory):
    pytest.importorskip("ctranslate2", reason="pip install -e '.[fast]'")
    from pipeline.translate.ct2 import convert_to_ctranslate2

    return convert_to_ctranslate2(str(tiny_models["marian-zh-en"]), tmp_path_factory.mktemp("ct2") / "marian",
                                  quantization="int8")


def _zh_sentences(n: int) -> list[str]:
    return [f"全市第{i}个项目完成投资{i * 3}亿元，" + "同比增长百分之五，" * (i % 4) + "就业保持稳定。" for i in range(n)]


def test_parallel_batches_decode_exactly_what_one_worker_decodes(tiny_models, marian_ct2, bart_ct2):
    from pipeline.summarize.abstractive import AbstractiveSummarizer
    from pipeline.translate import GenerationSettings
    from pipeline.translate.ct2 import CTranslate2Generator, CTranslate2Translator

    path = str(tiny_models["marian-zh-en"])
    one = CTranslate2Translator(str(marian_ct2), path, threads=1, batch_tokens=256)
    two = CTranslate2Translator(str(marian_ct2), path, threads=2, parallel_batches=2, batch_tokens=256)
    assert (one.inter, two.inter) == (1, 2) and two.translator.num_translators == 2
    texts, settings = _zh_sentences(24), GenerationSettings(num_beams=2, max_length_slack=4)
    assert [t.text for t in two.translate_batch(texts, settings)] == [t.text for t in one.translate_batch(texts, settings)]
    bart = str(tiny_models["bart-summarizer"])
    summaries = [AbstractiveSummarizer(CTranslate2Generator(str(bart_ct2), bart, compute_type="float32", threads=t,
                                                            parallel_batches=t, max_input_tokens=256),
                                       num_beams=1, max_new_tokens=12, batch_tokens=256)
                 for t in (1, 2)]
    texts = [" ".join(f"District {i} built {i + k} schools." for k in range(3 + i % 5)) for i in range(10)]
    assert summaries[0].summarize_texts(texts) == summaries[1].summarize_texts(texts)


def test_a_fixed_length_holds_per_row_in_a_batch_with_greedy_search(tiny_models, marian_ct2):
    from pipeline.translate import GenerationSettings
    from pipeline.translate.ct2 import CTranslate2Translator

    tr = CTranslate2Translator(str(marian_ct2), str(tiny_models["marian-zh-en"]), threads=1, batch_tokens=4096)
    fixed = GenerationSettings(num_beams=1, min_length_ratio=1.3, max_length_ratio=1.3, max_length_slack=0)
    texts = _zh_sentences(12)
    batched = tr.translate_batch(texts, fixed)
    for text, out in zip(texts, batched):
        lo, hi = fixed.length_bounds(tr.count_tokens(text))
        assert lo == hi and len(out.token_ids) == hi  # its own length, not its longest batch mate's
    assert [t.token_ids for t in batched] == [tr.translate_batch([t], fixed)[0].token_ids for t in texts]
