"""Number formats of the transformers backends (translator.dtype, summarizer.dtype) and the fastest path
per CPU (backend: auto): real tiny models, real config files."""

from __future__ import annotations

import pytest

from pipeline.config import load_config
from pipeline.errors import ConfigError
from pipeline.translate.fastest import FAST_PATHS, cpu_flags, fastest_path, resolve_dtype
from tests.conftest import TINY_CONFIG


def _cpuinfo(tmp_path, flags: str):
    path = tmp_path / "cpuinfo"
    path.write_text(f"processor\t: 0\nmodel name\t: test\nflags\t\t: fpu sse2 {flags}\n\n", encoding="utf-8")
    return cpu_flags(path)


@pytest.mark.parametrize("flags, backend, fmt", [
    ("avx2 avx512f amx_bf16 amx_int8 avx512_bf16", "ctranslate2", "int8"),  # Intel with AMX (2 workers)
    ("avx2 avx512f avx512_bf16 avx512_vnni", "ctranslate2", "int8"),  # AMD EPYC here: int8 measured fastest
    ("avx2 fma", "ctranslate2", "int8"),  # AVX2 only
    ("", "ctranslate2", "int8"),  # unknown CPU (no /proc/cpuinfo)
])
def test_fastest_path_per_cpu_kind(tmp_path, flags, backend, fmt):
    path = fastest_path(_cpuinfo(tmp_path, flags))
    assert (path.backend, path.number_format) == (backend, fmt)
    assert path in FAST_PATHS and path.why


def test_dtype_auto_resolves_per_cpu(tmp_path):
    assert resolve_dtype("auto", "cpu", _cpuinfo(tmp_path, "avx2 amx_bf16")) == "bfloat16"
    assert resolve_dtype("auto", "cpu", _cpuinfo(tmp_path, "avx2 avx512_bf16")) == "bfloat16"
    assert resolve_dtype("auto", "cpu", _cpuinfo(tmp_path, "avx2 avx512f")) == "float32"
    assert resolve_dtype("float16", "cpu", _cpuinfo(tmp_path, "avx2")) == "float16"  # asked for: kept
    assert cpu_flags(tmp_path / "missing") == frozenset()


def test_dtype_is_validated_and_float32_keeps_the_config_hash(tiny_models):
    base = load_config(TINY_CONFIG)
    assert base.translator.dtype == "float32" and base.summarizer.dtype == "float32"
    assert load_config(TINY_CONFIG, ["translator.dtype=float32"]).hash() == base.hash()  # old hashes stay
    assert load_config(TINY_CONFIG, ["translator.dtype=bfloat16"]).hash() != base.hash()
    assert load_config(TINY_CONFIG, ["summarizer.dtype=auto"]).summarizer.dtype == "auto"
    with pytest.raises(ConfigError, match="translator.dtype.*int4"):
        load_config(TINY_CONFIG, ["translator.dtype=int4"])
    assert load_config(TINY_CONFIG, ["translator.backend=auto"]).translator.backend == "auto"


def _agreement(a: list[list[int]], b: list[list[int]]) -> float:
    positions = sum(max(len(x), len(y)) for x, y in zip(a, b))
    return sum(p == q for x, y in zip(a, b) for p, q in zip(x, y)) / positions


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_translator_half_precision_runs_and_is_signed(tiny_models, sample_text, dtype):
    """The same sentences in float32 and in half precision: weights really in that format, every sentence
    translated, agreement with float32 reported (not required identical), dtype in the cache key."""
    import torch

    from pipeline.translate import GenerationSettings, TransformersTranslator, translator_signature

    path = str(tiny_models["marian-zh-en"])
    ref = TransformersTranslator(path, max_input_tokens=64, threads=1)
    half = TransformersTranslator(path, max_input_tokens=64, threads=1, dtype=dtype)
    assert next(half.model.parameters()).dtype == getattr(torch, dtype)
    sentences = [s.strip()[:40] + "。" for s in sample_text.split("。")[5:40] if len(s.strip()) > 4][:12]
    settings = GenerationSettings(num_beams=2)
    a = ref.translate_batch(sentences, settings)
    b = half.translate_batch(sentences, settings)
    assert len(b) == len(sentences) and all(t.token_ids for t in b)
    share = _agreement([t.token_ids for t in a], [t.token_ids for t in b])
    print(f"\n{dtype}: {share:.1%} of token positions as in float32 ({len(sentences)} sentences)")
    assert 0.0 <= share <= 1.0
    sig_ref, sig_half = (translator_signature(t, settings, True) for t in (ref, half))
    assert "dtype" not in sig_ref  # float32: the key caches made before dtype existed were stored under
    assert sig_half["dtype"] == dtype and sig_half != sig_ref


def test_summarizer_bfloat16_from_config_and_provenance(tiny_models):
    import torch

    from pipeline.summarize import build_summarizer

    config = load_config(TINY_CONFIG, ["summarizer.dtype=bfloat16"])
    summarizer, info = build_summarizer(config)
    assert next(summarizer.generator.model.parameters()).dtype == torch.bfloat16
    assert info["dtype"] == "bfloat16" and "backend" not in info
    text = "The city's economy grew steadily in the first half of the year. " * 6
    ref, _ = build_summarizer(load_config(TINY_CONFIG))
    a, b = ref.summarize_texts([text]), summarizer.summarize_texts([text])
    assert b[0].strip()
    same = sum(x == y for x, y in zip(a[0].split(), b[0].split())) / max(len(a[0].split()), len(b[0].split()))
    print(f"\nsummarizer bfloat16: {same:.1%} of words as in float32")
    _, info32 = build_summarizer(load_config(TINY_CONFIG))
    assert "dtype" not in info32


def test_backend_auto_builds_the_table_s_choice(tiny_models, tmp_path):
    """backend: auto on this machine: the row of the table for its CPU, recorded in the signature (and so in
    the provenance and the cache key) as the backend and number format it runs; the summarizer likewise."""
    from pipeline.summarize import build_summarizer
    from pipeline.translate import build_translator

    path = fastest_path()
    sets = ["translator.backend=auto", "translator.dtype=auto", "summarizer.backend=auto", "summarizer.dtype=auto"]
    if path.backend == "ctranslate2":
        pytest.importorskip("ctranslate2")
        from pipeline.translate.ct2 import convert_to_ctranslate2

        with pytest.raises(ConfigError, match="translator.ct2_model"):  # auto chose CTranslate2: needs its model
            build_translator(load_config(TINY_CONFIG, sets))
        for name, section in (("marian-zh-en", "translator"), ("bart-summarizer", "summarizer")):
            convert_to_ctranslate2(str(tiny_models[name]), tmp_path / name)
            sets.append(f"{section}.ct2_model={tmp_path / name}")
    config = load_config(TINY_CONFIG, sets)
    translator = build_translator(config)
    sig = translator.signature()
    assert sig["backend"] == path.backend and translator.chosen_path == path
    if path.backend == "transformers":
        assert sig["dtype"] == path.number_format
    else:
        assert sig["revision"].endswith("+ct2-int8") and "dtype" not in sig
    assert translator.translate_batch(["各位代表。"])[0].token_ids
    summarizer, info = build_summarizer(config)
    assert summarizer.generator.chosen_path == path
    if path.backend == "ctranslate2":
        assert info["backend"].startswith("ctranslate2-int8+")
    assert summarizer.summarize_texts(["The city's economy grew steadily in the first half of the year."])[0]


def test_models_list_checks_what_fast_yaml_s_auto_path_needs(tmp_path):
    """`models list --config fast` names the converted folders exactly where this CPU's path reads them."""
    from tests.conftest import ROOT, run_main

    res = run_main("models", "--config", str(ROOT / "configs" / "fast.yaml"), cwd=tmp_path)
    assert res.returncode == 4  # the model folders are not here
    wants_ct2 = fastest_path().backend == "ctranslate2"
    assert ("translator ctranslate2 model: models/opus-mt-zh-en-ct2-int8 MISSING" in res.stdout) == wants_ct2
    assert ("summarizer ctranslate2 model: models/distilbart-cnn-12-6-ct2-int8 MISSING" in res.stdout) == wants_ct2
