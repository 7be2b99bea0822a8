"""Decoding biased towards the glossary's renderings of terms in the source (transformers backend)."""

from __future__ import annotations

import pytest

from pipeline.fidelity import Glossary, GlossaryEntry
from pipeline.translate import GenerationSettings, TranslationService
from pipeline.translate.hf import TransformersTranslator

GLOSSARY = Glossary((GlossaryEntry("生产总值", ("gross domestic product",)), GlossaryEntry("稳就业", ("jobs",))), "test")
SENTENCES = ["上半年，实现地区生产总值551.2亿元，增长1.2%。", "一是盯牢重点项目推进。", "全市生产总值增长5.2%。"]


@pytest.fixture(scope="module")
def biased(tiny_models):
    return TransformersTranslator(str(tiny_models["marian-zh-en"]), max_input_tokens=64, threads=1, glossary=GLOSSARY)


def _contains(ids, seq):
    return any(tuple(ids[i : i + len(seq)]) == tuple(seq) for i in range(len(ids) - len(seq) + 1))


@pytest.mark.parametrize("num_beams", [1, 2])
def test_strong_weight_puts_the_rendering_in_the_output(biased, tiny_translator, num_beams):
    settings = GenerationSettings(num_beams=num_beams, max_length_ratio=1.5, max_length_slack=4)
    wanted = tuple(biased.tokenizer(text_target="gross domestic product", add_special_tokens=False)["input_ids"])
    plain = tiny_translator.translate_batch(SENTENCES, settings)
    assert not any(_contains(p.token_ids, wanted) for p in plain)  # the random model never writes it alone
    out = biased.translate_batch(SENTENCES, GenerationSettings(**{**settings.__dict__, "glossary_weight": 50.0}))
    assert _contains(out[0].token_ids, wanted) and _contains(out[2].token_ids, wanted)
    assert "gross domestic product" in out[0].text
    assert not _contains(out[1].token_ids, wanted)  # no term in that sentence: nothing pushed


def test_weight_zero_gives_exactly_todays_output(biased, tiny_translator):
    settings = GenerationSettings(num_beams=2, max_length_ratio=1.5, max_length_slack=4)
    assert [o.token_ids for o in biased.translate_batch(SENTENCES, settings)] == [
        o.token_ids for o in tiny_translator.translate_batch(SENTENCES, settings)
    ]


def test_bias_is_part_of_the_cache_key(biased, tiny_translator):
    plain = TranslationService(tiny_translator, GenerationSettings()).signature()
    weighted = TranslationService(biased, GenerationSettings(glossary_weight=5.0)).signature()
    assert "glossary_weight" not in plain["generation"] and "glossary" not in plain
    assert weighted["generation"]["glossary_weight"] == 5.0 and weighted["glossary"]


def test_config_weight_reaches_the_translator(tiny_models):
    from pipeline.config import load_config
    from pipeline.translate import build_translator

    from .conftest import TINY_CONFIG

    off = build_translator(load_config(TINY_CONFIG), GLOSSARY)
    on = build_translator(load_config(TINY_CONFIG, ["translator.glossary_weight=3"]), GLOSSARY)
    assert off.glossary is None and on.glossary is GLOSSARY


def test_one_rendering_per_term_is_enough(tiny_models):
    two = Glossary((GlossaryEntry("生产总值", ("gross domestic product", "economic output")),), "test")
    t = TransformersTranslator(str(tiny_models["marian-zh-en"]), max_input_tokens=64, threads=1, glossary=two)
    settings = GenerationSettings(num_beams=2, max_length_ratio=2.0, max_length_slack=8, glossary_weight=50.0)
    for out in t.translate_batch([SENTENCES[0], SENTENCES[2]], settings):
        found = [r for r in two.entries[0].renderings if r in out.text]
        assert len(found) == 1, out.text  # the first rendering written ends the push for the term
