"""Other translation models by config: NLLB-200 and M2M100 (tiny, random weights, built here) through the
transformers and CTranslate2 backends, with translator.src_lang/tgt_lang and the forced first token."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import SAMPLE, TINY_CONFIG, run_main
from .test_exchange import all_segments

FAMILIES = {"nllb-zh-en": ("zho_Hans", "eng_Latn"), "m2m100-zh-en": ("zh", "en")}


@pytest.fixture(scope="module")
def multilingual(tiny_models, tmp_path_factory) -> dict[str, Path]:
    from pipeline.models import build_tiny_models

    folder = tmp_path_factory.mktemp("multilingual")
    return {p.name: p for p in build_tiny_models(folder, only=tuple(FAMILIES))}


def _settings(path: Path, src: str, tgt: str) -> list[str]:
    return ["--set", f"translator.model={path}", "--set", f"translator.src_lang={src}",
            "--set", f"translator.tgt_lang={tgt}"]


@pytest.mark.parametrize("family", list(FAMILIES))
def test_tokenizer_and_forced_first_token(multilingual, family):
    from pipeline.translate import GenerationSettings, TransformersTranslator

    src, tgt = FAMILIES[family]
    translator = TransformersTranslator(str(multilingual[family]), src_lang=src, tgt_lang=tgt, max_input_tokens=64)
    ids = translator.tokenizer("全市生产总值增长5.5%。")["input_ids"]
    assert ids[0] in translator.languages.code_ids and ids[-1] == translator.tokenizer.eos_token_id  # source code
    assert translator.model.generation_config.forced_bos_token_id == translator.languages.forced_bos_id
    assert translator.tokenizer.convert_ids_to_tokens(translator.languages.forced_bos_id) in (tgt, f"__{tgt}__")
    out = translator.translate_batch(["全市生产总值增长5.5%。", "就业保持稳定。"], GenerationSettings(num_beams=2))
    assert all(o.text and not (set(o.token_ids) & translator.languages.code_ids) for o in out)
    assert translator.signature()["languages"] == [src, tgt]


@pytest.mark.parametrize("family", list(FAMILIES))
def test_run_end_to_end(multilingual, family, tmp_path):
    src, tgt = FAMILIES[family]
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(tmp_path), "-q", "--limit", "12",
                   *_settings(multilingual[family], src, tgt))
    assert res.returncode == 0, res.stderr
    data = json.loads((tmp_path / f"{SAMPLE.stem}.json").read_text(encoding="utf-8"))
    segments = all_segments(data)
    assert len(segments) == 12 and all(s["en"] for s in segments) and data["title"]["en"]
    assert data["provenance"]["translator"]["languages"] == [src, tgt]
    assert data["provenance"]["translator"]["model"] == str(multilingual[family])


def test_wrong_or_missing_language_settings_are_config_errors(multilingual, tiny_models, tmp_path):
    nllb = multilingual["nllb-zh-en"]
    cases = [
        (["--set", f"translator.model={nllb}"], "both are needed (zho_Hans/eng_Latn for NLLB-200)"),
        (_settings(nllb, "zh", "eng_Latn"), "translator.src_lang: 'zh' is not a language code of"),
        (_settings(multilingual["m2m100-zh-en"], "zh", "english"), "translator.tgt_lang: 'english' is not a language code"),
        (["--set", "translator.src_lang=zh", "--set", "translator.tgt_lang=en"], "translates one language pair"),
    ]
    for extra, message in cases:
        res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(tmp_path), "-q", *extra)
        assert res.returncode == 3 and res.stderr.count("\n") == 1, res.stderr
        assert message in res.stderr


@pytest.mark.ct2
@pytest.mark.parametrize("family", list(FAMILIES))
def test_ctranslate2_backend_matches_transformers(multilingual, family, tmp_path):
    pytest.importorskip("ctranslate2", reason="needs ctranslate2 (pip install -e '.[fast]')")
    from pipeline.translate import (
        CTranslate2Translator,
        GenerationSettings,
        TransformersTranslator,
        convert_to_ctranslate2,
    )

    src, tgt = FAMILIES[family]
    ct2 = convert_to_ctranslate2(str(multilingual[family]), tmp_path / "ct2", quantization="float32")
    texts = ["全市生产总值增长5.5%。", "就业保持稳定。", "新增城镇就业3万人。"]
    settings = GenerationSettings(num_beams=1, max_length_ratio=1.0, max_length_slack=4)
    fast = CTranslate2Translator(str(ct2), str(multilingual[family]), compute_type="float32", src_lang=src, tgt_lang=tgt)
    ref = TransformersTranslator(str(multilingual[family]), src_lang=src, tgt_lang=tgt)
    got, want = fast.translate_batch(texts, settings), ref.translate_batch(texts, settings)
    assert [g.text for g in got] == [w.text for w in want] and all(g.text for g in got)


def test_a_run_names_every_missing_model_at_once(tmp_path):
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(tmp_path / "o"), "-q",
                   "--set", "translator.model=models/nope-translator", "--set", "summarizer.model=models/nope-summarizer",
                   cwd=tmp_path)
    assert res.returncode == 4 and res.stderr.count("\n") == 1, res.stderr
    assert "2 models not found locally: model folder 'models/nope-translator' (translator) not found; " \
           "model folder 'models/nope-summarizer' (summarizer) not found" in res.stderr
    assert f"`python -m pipeline models download --config {TINY_CONFIG}`" in res.stderr
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())  # nothing loaded, nothing written


def test_hub_models_not_here_are_not_found_locally_never_unreachable(tmp_path):
    from .conftest import run_cli

    res = run_cli("run", str(SAMPLE), "--config", "nllb", "--out", str(tmp_path / "o"), cwd=tmp_path,
                  env={"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}, timeout=120)
    assert res.returncode == 4 and res.stderr.count("\n") == 1, res.stderr
    assert "2 models not found locally: model 'facebook/nllb-200-distilled-600M' (translator) not found locally" in res.stderr
    assert "unreachable" not in res.stderr and "`python -m pipeline models download --config nllb`" in res.stderr
    assert "`python -m pipeline models download facebook/nllb-200-distilled-600M`" in res.stderr
    offline = run_cli("models", "download", "--config", "nllb", "--dir", str(tmp_path / "models"), cwd=tmp_path,
                      env={"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}, timeout=120)
    assert offline.returncode == 4 and "could not download 'facebook/nllb-200-distilled-600M'" in offline.stderr
    assert offline.stderr.count("error:") == 1 and "Traceback" not in offline.stderr


def test_models_download_with_a_config_fetches_everything_it_needs(tmp_path):
    """With the tiny config, `models download --config` builds what is missing (no network needed), then
    the config's models are all here."""
    from .conftest import ROOT

    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "tiny.yaml").write_text((ROOT / "configs" / "tiny.yaml").read_text(encoding="utf-8"),
                                                    encoding="utf-8")
    res = run_main("models", "download", "--config", "configs/tiny.yaml", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "models" / "tiny" / "marian-zh-en" / "config.json").is_file()
    assert (tmp_path / "models" / "tiny" / "bart-summarizer" / "config.json").is_file()
    listing = run_main("models", "list", "--config", "configs/tiny.yaml", cwd=tmp_path)
    assert listing.returncode == 0 and "MISSING" not in listing.stdout, listing.stdout


def test_build_tiny_only_builds_the_named_family(tmp_path):
    res = run_main("models", "build-tiny", "--dir", str(tmp_path), "--only", "m2m100-zh-en")
    assert res.returncode == 0, res.stderr
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == ["m2m100-zh-en"]
    assert res.stdout.strip() == str(tmp_path / "m2m100-zh-en")
    bad = run_main("models", "build-tiny", "--only", "gpt")
    assert bad.returncode == 64 and "invalid choice" in bad.stderr
