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
    assert res.returncode == 3
    assert "summarizer.ct2_model: 'nowhere' is not a CTranslate2 model folder" in res.stderr
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
