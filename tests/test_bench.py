"""Smoke tests of the benchmarks (benchmarks/) in quick mode on the tiny models, in this process."""

from __future__ import annotations

import json

import pytest

from benchmarks import batch as bench_batch
from benchmarks import memory as bench_memory
from benchmarks import pipeline as bench_pipeline
from benchmarks import segment as bench_segment
from benchmarks import summarize as bench_summarize
from benchmarks import translate as bench_translate
from pipeline.cli.bench import run_bench
from pipeline.errors import PipelineError

from .conftest import run_cli


@pytest.mark.slow
@pytest.mark.ct2
def test_translate_quick_on_tiny_model(tiny_models, tmp_path):
    pytest.importorskip("ctranslate2", reason="the translate benchmark compares with CTranslate2: pip install -e '.[fast]'")
    result = bench_translate.run(tmp_path, quick=True, num_beams=2, threads=1, arch="tiny", isolate=False)
    assert json.loads((tmp_path / "translate.json").read_text(encoding="utf-8")) == result
    assert result["sentences"] == 12 and result["num_beams"] == 2 and result["machine"]["threads"] == 1
    backends = result["backends"]
    assert set(backends) == {"a_naive_generate", "b_transformers_translator", "b_transformers_bfloat16",
                             "c_ctranslate2_int8", "c_ctranslate2_int8_target_vocab"}
    for backend in backends.values():
        assert backend["output_tokens"] == result["output_tokens"] > 0 and backend["peak_rss_mb"] > 0
        assert backend["batch_positions"] >= result["output_tokens"] * 2  # beams x rows, at least the output
    # The project's batched translator decodes exactly what the one-by-one loop decodes.
    assert result["identical_a_b"] is True
    assert backends["b_transformers_translator"]["identical_sentences"] == 12
    assert 0 <= backends["b_transformers_bfloat16"]["same_token_share"] <= 1  # agreement reported, not required
    # every row writes the same tokens; what CTranslate2 decodes past a row's own end (one bound per call) is
    # counted: the 12 sentences differ in length, so a batch's shorter rows are decoded further and cut
    assert backends["b_transformers_translator"]["tokens_past_row_end"] == 0
    assert backends["c_ctranslate2_int8"]["tokens_past_row_end"] > 0
    assert result["machine"]["cpu_features"] is not None and result["machine"]["fast_path"]["backend"]


@pytest.mark.slow
@pytest.mark.ct2
def test_summarize_quick_on_tiny_model(tiny_models, tmp_path):
    pytest.importorskip("ctranslate2", reason="the summarize benchmark measures CTranslate2 too: pip install -e '.[fast]'")
    result = bench_summarize.run(tmp_path, quick=True, threads=1, isolate=False)
    assert (tmp_path / "summarize.json").exists() and result["arch"] == "tiny" and result["en_words"] > 0
    runs = result["summarizers"]
    assert set(runs) == {"abstractive_transformers", "abstractive_ctranslate2_int8", "extractive"}
    # both backends do the same work: same requests, same map-reduce chunks
    hf, ct2 = runs["abstractive_transformers"], runs["abstractive_ctranslate2_int8"]
    assert (hf["requests"], hf["chunks"]) == (ct2["requests"], ct2["chunks"])
    assert hf["model_calls"] >= 1 and runs["extractive"]["model_calls"] == 0
    assert runs["extractive"]["summary_sentences"] >= 1


def test_segment_quick(tmp_path):
    result = bench_segment.run(tmp_path, quick=True)
    for shape in result["variants"].values():
        assert shape["megabytes"] >= 0.05 and shape["segments"] > 100 and shape["chars_per_second"] > 0


@pytest.mark.slow
def test_batch_quick_on_tiny_model(tiny_models, tmp_path):
    result = bench_batch.run(tmp_path, quick=True, num_beams=1, threads=1, isolate=False)
    runs = result["backends"]
    assert runs["local_per_document"]["documents"] == runs["local_cross_document"]["documents"] == result["reports"]
    # every sentence is unique, so both modes translate exactly the same texts
    assert runs["local_per_document"]["sentences"] == runs["local_cross_document"]["sentences"]
    assert set(result["peak_rss_mb_by_report_count"]) == {"6", "12"}


@pytest.mark.slow
@pytest.mark.ct2
def test_pipeline_quick_reports_every_stage_of_every_variant(tiny_models, tmp_path):
    pytest.importorskip("ctranslate2", reason="configs/fast.yaml runs on CTranslate2: pip install -e '.[fast]'")
    result = bench_pipeline.run(tmp_path, quick=True, threads=1, isolate=False)
    assert json.loads((tmp_path / "pipeline.json").read_text(encoding="utf-8")) == result
    assert set(result["inputs"]) == {"sample", "batch3"}
    for rows in result["inputs"].values():
        assert set(rows) == {"a_naive", "b_default", "c_fast"}
        for row in rows.values():
            assert set(bench_pipeline.STAGES) <= set(row) and row["translate"] > 0 and row["summarize"] > 0
            assert row["total_seconds"] == pytest.approx(sum(row[s] for s in bench_pipeline.STAGES), abs=0.01)
    assert result["inputs"]["batch3"]["c_fast"]["documents"] == 3
    assert set(result["checks"]) == {"c_seconds", "c_over_a", "b_over_a", "c_peak_rss"}
    # issue 27: each stage's own peak, the stage holding it, % of the compute limit, the path (c) took
    from pipeline.translate.fastest import fastest_path

    assert result["machine"]["fast_path"]["backend"] == fastest_path().backend
    assert result["compute_limit"]["gflop_per_second"]["float32"] > 0  # Linux: /proc/cpuinfo has the clock
    for name, row in result["variants"].items():
        assert set(row["stage_peak_rss_mb"]) >= {"load", "translate", "summarize"}
        assert row["peak_stage"] in row["stage_peak_rss_mb"]
        assert max(row["stage_peak_rss_mb"].values()) <= row["peak_rss_mb"] + 0.1
        assert row["translate_percent_of_compute_limit"] > 0 and row["summarize_percent_of_compute_limit"] > 0
    assert result["variants"]["c_fast"]["path"]["translator"]["backend"] == fastest_path().backend


def test_bench_entry_runs_a_benchmark_script(tmp_path):
    res = run_cli("bench", "--stage", "segment", "--quick", "--out", str(tmp_path), timeout=120)
    assert res.returncode == 0, res.stderr
    assert json.loads((tmp_path / "segment.json").read_text(encoding="utf-8"))["stage"] == "segment"


def test_unknown_stage_is_one_clear_error(tmp_path):
    with pytest.raises(PipelineError, match="unknown stage 'nonsense'"):
        run_bench("nonsense", tmp_path)


def test_memory_quick_measures_one_big_report(tmp_path):
    result = bench_memory.run(tmp_path, quick=True, isolate=False)  # identity translator: no model
    assert json.loads((tmp_path / "memory.json").read_text(encoding="utf-8")) == result
    [row] = result["variants"].values()
    assert row["input_bytes"] >= bench_memory.QUICK_MEGABYTES * 1_000_000 and row["peak_rss_mb"] > 0
    assert result["target_peak_rss_mb"] == 1536


def test_bench_entry_runs_the_memory_benchmark(tmp_path):
    res = run_cli("bench", "--stage", "memory", "--quick", "--out", str(tmp_path), timeout=120)
    assert res.returncode == 0, res.stderr
    assert json.loads((tmp_path / "memory.json").read_text(encoding="utf-8"))["stage"] == "memory"
