"""``translator.output_vocab: target``: the output is written with target-side tokens only, on both
backends (transformers suppresses the source-only pieces, CTranslate2 leaves them out of its output layer
through the vocabulary map `models convert` writes); and the bench model's SentencePiece padding."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import replace
from pathlib import Path

import pytest

from .conftest import SAMPLE, TINY_CONFIG, run_main

SENTENCES = ["上半年，实现地区生产总值551.2亿元，增长1.2%。", "一是盯牢重点项目推进。", "全市无扩散性病例发生。",
             "加快建设现代化经济体系，推动高质量发展。"]


def _compare_full_and_target(translator, settings, tokenizer) -> list:
    """Translate SENTENCES under both vocabularies; check that only ``full`` writes source-only pieces (the
    random-weight model does write them, so the restriction has something to remove). Returns ``target``."""
    from pipeline.translate.vocab import excluded_ids

    source_only = set(excluded_ids(tokenizer))
    full = translator.translate_batch(SENTENCES, settings)
    target = translator.translate_batch(SENTENCES, replace(settings, output_vocab="target"))
    assert any(i in source_only for t in full for i in t.token_ids)
    assert all(t.token_ids for t in target)
    assert not any(i in source_only for t in target for i in t.token_ids)
    return target


def test_target_tokens_are_the_vocabulary_less_the_source_only_pieces(tiny_translator):
    from pipeline.translate.vocab import source_only_tokens, target_tokens

    tok = tiny_translator.tokenizer
    vocab = tok.get_vocab()
    source = {tok.spm_source.id_to_piece(i) for i in range(tok.spm_source.get_piece_size())}
    target = {tok.spm_target.id_to_piece(i) for i in range(tok.spm_target.get_piece_size())}
    kept = target_tokens(tok)
    assert source_only_tokens(tok) == (source - target) & set(vocab)
    assert set(kept) == set(vocab) - (source - target)
    assert target & set(vocab) <= set(kept)  # everything the English side writes
    assert {"</s>", "<unk>", "<pad>"} <= set(kept)
    assert [vocab[t] for t in kept] == sorted(vocab[t] for t in kept)  # id order
    assert len(kept) < len(vocab) / 2  # the tiny model: many more Chinese pieces than English ones


def test_a_tokenizer_without_two_sentencepiece_models_has_no_target_vocabulary(tiny_models):
    from transformers import AutoTokenizer

    from pipeline.translate.vocab import excluded_ids, target_tokens

    bart = AutoTokenizer.from_pretrained(tiny_models["bart-summarizer"])
    assert target_tokens(bart) is None and excluded_ids(bart) is None


def test_transformers_backend_writes_no_source_only_token(tiny_translator):
    from pipeline.translate import GenerationSettings

    settings = GenerationSettings(num_beams=2, max_length_ratio=1.5, max_length_slack=4)
    _compare_full_and_target(tiny_translator, settings, tiny_translator.tokenizer)


def test_output_vocab_is_part_of_the_cache_key_only_when_set():
    from pipeline.translate import GenerationSettings

    assert "output_vocab" not in GenerationSettings().to_dict()  # the keys of existing caches stay valid
    assert GenerationSettings(output_vocab="target").to_dict()["output_vocab"] == "target"


@pytest.fixture(scope="module")
def marian_ct2_f32(tiny_models, tmp_path_factory):
    pytest.importorskip("ctranslate2", reason="pip install -e '.[fast]'")
    from pipeline.translate.ct2 import convert_to_ctranslate2

    return convert_to_ctranslate2(str(tiny_models["marian-zh-en"]), tmp_path_factory.mktemp("ct2") / "marian",
                                  quantization="float32")


@pytest.mark.ct2
def test_convert_writes_the_target_vocabulary_map(tiny_translator, tiny_models, marian_ct2_f32, tmp_path):
    from pipeline.translate.ct2 import convert_to_ctranslate2, vmap_size
    from pipeline.translate.vocab import target_tokens

    assert vmap_size(marian_ct2_f32) == len(target_tokens(tiny_translator.tokenizer))
    line = (marian_ct2_f32 / "vmap.txt").read_text(encoding="utf-8")
    assert line.startswith("\t") and line.count("\n") == 1  # one rule: the empty n-gram, always candidates
    bart = convert_to_ctranslate2(str(tiny_models["bart-summarizer"]), tmp_path / "bart", quantization="int8")
    assert vmap_size(bart) is None  # one vocabulary, one language: nothing to leave out


@pytest.mark.ct2
def test_ctranslate2_with_the_map_writes_no_source_only_token_and_equals_transformers(
        tiny_translator, tiny_models, marian_ct2_f32):
    from pipeline.translate import GenerationSettings
    from pipeline.translate.ct2 import CTranslate2Translator

    ct2 = CTranslate2Translator(str(marian_ct2_f32), str(tiny_models["marian-zh-en"]), compute_type="float32",
                                threads=1, max_input_tokens=64)
    greedy = GenerationSettings(num_beams=1, max_length_ratio=1.5, max_length_slack=4)
    target = _compare_full_and_target(ct2, greedy, tiny_translator.tokenizer)
    # the same decoding as the transformers backend's suppression (float32, greedy)
    ref = tiny_translator.translate_batch(SENTENCES, replace(greedy, output_vocab="target"))
    assert [t.token_ids for t in target] == [r.token_ids for r in ref]


@pytest.mark.ct2
def test_a_conversion_without_the_map_is_one_clear_line(tiny_models, marian_ct2_f32, tmp_path):
    import shutil

    old = tmp_path / "converted-before"  # as `models convert` of the previous release left it
    shutil.copytree(marian_ct2_f32, old)
    (old / "vmap.txt").unlink()
    args = ("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(tmp_path / "o"), "--no-cache", "-q",
            "--set", "translator.backend=ctranslate2", "--set", f"translator.ct2_model={old}",
            "--set", "translator.ct2_compute_type=float32", "--set", "summarizer.kind=none")
    res = run_main(*args, "--set", "translator.output_vocab=target")
    assert res.returncode == 3, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert "has none" in res.stderr and "models convert" in res.stderr and "output_vocab: full" in res.stderr
    assert run_main(*args).returncode == 0  # the full vocabulary still works with it
    listing = run_main("models", "--config", str(TINY_CONFIG), "--set", "translator.backend=ctranslate2",
                       "--set", f"translator.ct2_model={old}", "--set", "translator.output_vocab=target")
    assert listing.returncode == 4 and "NO VOCABULARY MAP" in listing.stdout, listing.stdout + listing.stderr


@pytest.mark.ct2
def test_convert_says_what_the_map_keeps_and_a_run_records_the_setting(tiny_models, tmp_path):
    convert = run_main("models", "convert", str(tiny_models["marian-zh-en"]), "--out", str(tmp_path / "ct2"))
    assert convert.returncode == 0 and "target vocabulary map:" in convert.stdout, convert.stderr
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(tmp_path / "o"), "--no-cache",
                   "-q", "--set", "translator.backend=ctranslate2", "--set", f"translator.ct2_model={tmp_path / 'ct2'}",
                   "--set", "translator.output_vocab=target", "--set", "summarizer.kind=none")
    assert res.returncode == 0, res.stderr
    data = json.loads((tmp_path / "o" / "yuyao-2020-h1-report.json").read_text(encoding="utf-8"))
    assert data["provenance"]["translator"]["generation"]["output_vocab"] == "target"


def test_padded_sentencepiece_models_have_the_asked_sizes_and_encode_the_same(tmp_path):
    from pipeline.models import TINY_MARIAN, build_marian
    from pipeline.translate.vocab import target_tokens

    build_marian(tmp_path / "padded", 0, replace(TINY_MARIAN, source_pieces=3000, target_pieces=2000))
    build_marian(tmp_path / "plain", 0)  # trained here, as without opus-mt-zh-en's tokenizer
    from transformers import AutoTokenizer

    padded, plain = (AutoTokenizer.from_pretrained(tmp_path / name) for name in ("padded", "plain"))
    assert (padded.spm_source.get_piece_size(), padded.spm_target.get_piece_size()) == (3000, 2000)
    for text in SENTENCES:
        assert padded.convert_ids_to_tokens(padded(text)["input_ids"]) == \
            plain.convert_ids_to_tokens(plain(text)["input_ids"])
    english = "The economy grew by 5.2 percent in the first half."
    assert padded.spm_target.encode(english, out_type=str) == plain.spm_target.encode(english, out_type=str)
    assert 2000 <= len(target_tokens(padded)) < 2000 + 10  # the target pieces and the specials


@pytest.mark.ct2
@pytest.mark.parametrize("content, why", [
    ("", "empty"),  # CTranslate2 itself crashes the process loading this one (a segfault), even unused
    ("\t▁the ▁of", "its last line is cut"),
    ("garbage without a tab\n", "line 1 has no tab"),
    ("\t▁the ▁NOT-A-TOKEN ▁of\n", "not in the tokenizer's vocabulary"),
])
@pytest.mark.parametrize("output_vocab", ["full", "target"])
def test_a_broken_vocabulary_map_is_one_clear_line_not_a_crash(tiny_models, marian_ct2_f32, tmp_path, content, why,
                                                                 output_vocab):
    import shutil

    broken = tmp_path / "ct2"
    shutil.copytree(marian_ct2_f32, broken)
    (broken / "vmap.txt").write_text(content, encoding="utf-8")
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(tmp_path / "o"), "--no-cache", "-q",
                   "--set", "translator.backend=ctranslate2", "--set", f"translator.ct2_model={broken}",
                   "--set", f"translator.output_vocab={output_vocab}", "--set", "summarizer.kind=none")
    assert res.returncode == 3, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert "not a whole vocabulary map" in res.stderr and why in res.stderr and "--force" in res.stderr
    listing = run_main("models", "--config", str(TINY_CONFIG), "--set", "translator.backend=ctranslate2",
                       "--set", f"translator.ct2_model={broken}")
    assert listing.returncode == 4 and "BROKEN" in listing.stdout and why in listing.stdout


def test_a_tiny_translator_on_opus_mt_s_real_tokenizer_has_its_vocabulary_and_map(opus_vocab_translator, tmp_path):
    """`models build-tiny --tokenizer ../shared/data/opus-mt-zh-en-tokenizer` (issue 27): the tiny shapes on the
    production tokenizer: its 65,001 entries and token counts, the real target-vocabulary map (34,851 entries,
    in the converted model too), English-side output only; a folder that is not a tokenizer is one line."""
    from transformers import MarianTokenizer

    from pipeline.errors import InputError
    from pipeline.models import build_tiny_models
    from pipeline.translate.ct2 import vmap_size
    from tests.conftest import REAL_TOKENIZER

    real = MarianTokenizer.from_pretrained(str(REAL_TOKENIZER))
    translator = opus_vocab_translator
    tok = translator.tokenizer
    assert tok.get_vocab() == real.get_vocab() and translator.model.config.vocab_size == 65001
    text = "地区生产总值增长6.2%，一般公共预算收入64.34亿元。"
    assert tok(text)["input_ids"] == real(text)["input_ids"]
    assert translator.count_tokens(text) == len(real(text)["input_ids"])
    assert len(translator.source_only_ids) == 65001 - 34851  # the map keeps the real 34,851 entries
    from pipeline.translate import GenerationSettings

    [out] = translator.translate_batch([text], GenerationSettings(num_beams=2, output_vocab="target", max_length_slack=4))
    assert out.token_ids and not set(out.token_ids) & set(translator.source_only_ids)
    if importlib.util.find_spec("ctranslate2") is not None:  # the converted model keeps the same map
        res = run_main("models", "convert", str(Path(translator.model.name_or_path)), "--out", str(tmp_path / "ct2"))
        assert res.returncode == 0, res.stderr
        assert vmap_size(tmp_path / "ct2") == 34851
    with pytest.raises(InputError, match="not a Marian tokenizer folder"):
        build_tiny_models(tmp_path / "m", only=("marian-zh-en",), tokenizer=tmp_path)
