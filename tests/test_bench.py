"""Smoke tests of the benchmarks on the tiny models (the production-shaped models are for real runs only)."""

from __future__ import annotations

import json

import pytest

from pipeline.bench import run_bench
from pipeline.errors import PipelineError


def test_translate_quick_on_tiny_model(tiny_models, tmp_path):
    result = run_bench("translate", tmp_path, quick=True, num_beams=2, threads=1, arch="tiny", isolate=False)
    assert json.loads((tmp_path / "translate.json").read_text(encoding="utf-8")) == result
    assert result["sentences"] == 12 and result["num_beams"] == 2 and result["threads"] == 1
    for key in ("platform", "processor", "cpu_count", "torch", "transformers", "ctranslate2", "threads"):
        assert key in result["machine"]
    assert set(result["backends"]) == {"a_naive_generate", "b_transformers_translator", "c_ctranslate2_int8"}
    for backend in result["backends"].values():
        assert backend["output_tokens"] == result["output_tokens"] > 0
        assert backend["tokens_per_second"] > 0 and backend["peak_rss_mb"] > 0
    assert result["b_over_a"] > 0 and result["c_over_a"] > 0
    # The project's batched translator decodes exactly what the one-by-one loop decodes.
    assert result["identical_a_b"] is True, result["identical_a_b_count"]
    assert 0 <= result["agreement_a_c"]["c_ctranslate2_int8"]["same_token_share"] <= 1


def test_summarize_quick_on_tiny_model(tiny_models, tmp_path):
    result = run_bench("summarize", tmp_path, quick=True, threads=1, isolate=False)
    assert (tmp_path / "summarize.json").exists()
    assert result["arch"] == "tiny" and "input_note" in result and result["num_beams"] == 2
    assert result["en_words"] > 0
    abstractive, extractive = result["summarizers"]["abstractive"], result["summarizers"]["extractive"]
    assert abstractive["model_calls"] >= 1 and abstractive["peak_rss_mb"] > 0
    assert extractive["model_calls"] == 0 and extractive["summary_sentences"] >= 1
    assert abstractive["seconds"] > 0 and extractive["seconds"] > 0


def test_segment_quick(tmp_path):
    result = run_bench("segment", tmp_path, quick=True)
    assert result["bytes"] >= 90_000 and result["segments"] > 0 and result["chars_per_second"] > 0


def test_unknown_stage_fails_with_one_line(tmp_path):
    with pytest.raises(PipelineError):
        run_bench("nonsense", tmp_path)


def test_batch_quick_on_tiny_model(tiny_models, tmp_path):
    result = run_bench("batch", tmp_path, quick=True, num_beams=1, threads=1, isolate=False)
    runs = result["backends"]
    assert runs["local_per_document"]["documents"] == runs["local_cross_document"]["documents"] == result["reports"]
    # every sentence is unique, so both modes translate exactly the same texts
    assert runs["local_per_document"]["sentences"] == runs["local_cross_document"]["sentences"]
    assert result["cross_over_per_document"] > 0 and result["peak_rss_mb_by_report_count"]
