from __future__ import annotations

import math
import re

import pytest

from pipeline.translate import (
    GenerationSettings,
    IdentityTranslator,
    TranslationService,
    TranslationStats,
    find_degeneration,
    plan_batches,
    translate_texts,
)
from pipeline.translate.cache import TranslationCache
from pipeline.translate.stage import TranslatedText


class CountingTranslator:
    """Wraps a translator and counts its ``translate_batch`` calls (the test's own instrument)."""

    def __init__(self, inner):
        self.inner = inner
        self.calls = 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def translate_batch(self, texts, settings=None):
        self.calls += 1
        return self.inner.translate_batch(texts, settings)


@pytest.fixture(scope="module")
def sentences(sample_text) -> list[str]:
    parts = [s.strip() for s in re.split(r"(?<=[。；])", sample_text) if s.strip()]
    return [s for s in parts if 4 <= len(s) <= 60][:24]


@pytest.mark.parametrize("num_beams", [1, 2])
def test_batched_translation_equals_one_by_one(tiny_translator, sentences, num_beams):
    settings = GenerationSettings(num_beams=num_beams, max_length_ratio=1.0, max_length_slack=4)
    batched = tiny_translator.translate_batch(sentences, settings)
    alone = [tiny_translator.translate_batch([s], settings)[0] for s in sentences]
    assert [b.token_ids for b in batched] == [a.token_ids for a in alone]
    assert [b.text for b in batched] == [a.text for a in alone]
    # several sentences really were decoded together
    assert len(plan_batches([tiny_translator.count_tokens(s) for s in sentences], tiny_translator.batch_tokens,
                            num_beams)) < len(sentences)


def test_output_length_is_bounded_relative_to_input(tiny_translator, sentences):
    settings = GenerationSettings(num_beams=1, max_length_ratio=0.5, max_length_slack=2)
    for s, out in zip(sentences, tiny_translator.translate_batch(sentences, settings)):
        _, hi = settings.length_bounds(tiny_translator.count_tokens(s))
        assert len(out.token_ids) <= hi


def test_equal_min_and_max_ratios_give_exact_lengths(tiny_translator, sentences):
    # What the benchmarks use: fixed lengths through the ordinary settings, not a special hook.
    settings = GenerationSettings(num_beams=2, min_length_ratio=1.3, max_length_ratio=1.3, max_length_slack=0)
    outs = tiny_translator.translate_batch(sentences[:6], settings)
    for s, out in zip(sentences[:6], outs):
        assert len(out.token_ids) == math.ceil(1.3 * tiny_translator.count_tokens(s))
        assert not out.hit_limit  # a forced length is not a runaway


def test_min_length_ratio_is_part_of_the_cache_key_only_when_set():
    assert "min_length_ratio" not in GenerationSettings().to_dict()
    assert GenerationSettings(min_length_ratio=0.5).to_dict()["min_length_ratio"] == 0.5


@pytest.mark.parametrize(
    "lengths, budget, beams",
    [([5, 50, 7, 7, 100, 3], 120, 1), ([10] * 30, 100, 2), ([400, 1, 1], 50, 4), ([], 10, 1)],
)
def test_plan_batches_covers_every_index_once_within_budget(lengths, budget, beams):
    batches = plan_batches(lengths, budget, beams)
    flat = sorted(i for b in batches for i in b)
    assert flat == list(range(len(lengths)))
    for b in batches:
        if len(b) > 1:
            assert max(lengths[i] for i in b) * len(b) * beams <= budget


@pytest.mark.parametrize(
    "ids, hit_limit, expected",
    [
        ([1, 2, 3, 4, 5, 6], False, None),
        ([7, 7, 7, 7], False, "repetition"),
        ([1, 2, 9, 8, 9, 8, 9, 8, 3], False, "repetition"),
        ([5, 6, 7, 5, 6, 7, 5, 6, 7], False, "repetition"),
        ([1, 2, 3, 1, 2, 3], False, None),
        ([1, 2, 3, 4], True, "runaway-length"),
    ],
)
def test_find_degeneration(ids, hit_limit, expected):
    assert find_degeneration(ids, hit_limit) == expected


def test_repetition_guard_retries_and_flags(tiny_translator, sentences):
    # Random tiny weights loop on almost every input: a crafted case that real OPUS-MT hits now and then.
    stats = TranslationStats()
    settings = GenerationSettings(num_beams=1, max_length_ratio=1.0, max_length_slack=4)
    raw = tiny_translator.translate_batch(sentences[:5], settings)
    assert any(find_degeneration(r.token_ids, r.hit_limit) for r in raw)
    done = translate_texts(sentences[:5], tiny_translator, settings, guard=True, stats=stats)
    assert stats.retried >= 1
    flagged = [t for t in done.values() if t.flags]
    assert len(flagged) == stats.flagged
    for t in flagged:
        assert t.flags[0].kind == "degenerate" and t.flags[0].reason in ("repetition", "runaway-length")
    # without the guard nothing is retried or flagged
    stats2 = TranslationStats()
    translate_texts(sentences[:5], tiny_translator, settings, guard=False, stats=stats2)
    assert stats2.retried == 0 and stats2.flagged == 0


def test_cache_hit_makes_no_model_call(tiny_translator, sentences, tmp_path):
    counting = CountingTranslator(tiny_translator)
    settings = GenerationSettings(num_beams=1, max_length_ratio=1.0, max_length_slack=4)
    cache = TranslationCache(tmp_path / "c.sqlite")
    service = TranslationService(counting, settings, cache=cache)
    first = service.translate(sentences)
    calls = counting.calls
    assert calls >= 1
    stats = TranslationStats()
    second = service.translate(sentences, stats=stats)
    assert counting.calls == calls and stats.cached == len(set(sentences))  # nothing reached the model
    assert {k: (v.en, v.flags) for k, v in first.items()} == {k: (v.en, v.flags) for k, v in second.items()}
    # another setting is another key: no stale text
    TranslationService(counting, GenerationSettings(num_beams=2, max_length_ratio=1.0), cache=cache).translate(sentences[:2])
    assert counting.calls > calls
    cache.close()
    # the cache survives a reopen
    reopened = TranslationCache(tmp_path / "c.sqlite")
    assert len(reopened) >= len(sentences)


def test_produce_seam_replaces_the_model_calls_and_keeps_the_cache(tmp_path):
    """The Ray engine's way in: its own produce step, the service's dedup, cache and stats."""
    asked: list[list[str]] = []

    def produce(todo, stats):
        asked.append(list(todo))
        yield {t: TranslatedText(t.upper()) for t in todo}

    cache = TranslationCache(tmp_path / "c.sqlite")
    service = TranslationService(IdentityTranslator(), GenerationSettings(), cache=cache, produce=produce)
    assert {k: v.en for k, v in service.translate(["bb", "a", "bb", " "]).items()} == {"a": "A", "bb": "BB"}
    assert asked == [["a", "bb"]]  # unique, non-blank, shortest first
    service.translate(["a", "ccc"])
    assert asked[-1] == ["ccc"]  # "a" came from the cache
    assert service.signature()["backend"] == "identity"


def test_identity_translator_is_a_translator():
    out = IdentityTranslator().translate_batch(["一。", "二。"])
    assert [o.text for o in out] == ["一。", "二。"]


def test_backends_come_from_the_registry_and_build_from_config(sample_text):
    from pipeline.config import config_from_dict
    from pipeline.errors import ConfigError
    from pipeline.segment import segment
    from pipeline.translate import build_translator, translate_document
    from pipeline.translate.registry import TRANSLATORS

    with pytest.raises(ConfigError, match="translator.backend: got 'nope', expected one of 'transformers', "
                                         "'ctranslate2', 'identity', 'auto'"):
        config_from_dict({"translator": {"backend": "nope"}})
    assert set(TRANSLATORS) == {"transformers", "ctranslate2", "identity", "auto"}
    translator = build_translator(config_from_dict({"translator": {"backend": "identity", "max_input_tokens": 64}}))
    assert isinstance(translator, IdentityTranslator) and translator.max_input_tokens == 64
    doc = segment(sample_text, max_tokens=64, count_tokens=translator.count_tokens)
    translate_document(doc, TranslationService(translator, GenerationSettings()))
    segments = list(doc.all_segments())
    assert segments and all(s.en == " ".join(s.pieces or [s.zh]) for s in segments)
    assert doc.title.en == doc.title.zh


def test_importing_the_interfaces_loads_no_model_library():
    import subprocess
    import sys

    from .conftest import ROOT

    code = ("import sys, pipeline.translate, pipeline.summarize, pipeline.config; "
            "print(sorted(m for m in ('torch', 'transformers', 'ctranslate2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_parallel_batches_decode_what_one_batch_at_a_time_decodes(tiny_models, sentences, two_torch_threads):
    import threading

    import torch

    from pipeline.translate import TransformersTranslator
    from pipeline.translate.generation import generate

    settings = GenerationSettings(num_beams=2, max_length_ratio=1.0, max_length_slack=4)
    one = TransformersTranslator(str(tiny_models["marian-zh-en"]), max_input_tokens=64, batch_tokens=96)
    two = TransformersTranslator(str(tiny_models["marian-zh-en"]), max_input_tokens=64, batch_tokens=96,
                                 parallel_batches=2)
    assert [t.token_ids for t in two.translate_batch(sentences, settings)] == [
        t.token_ids for t in one.translate_batch(sentences, settings)]
    assert torch.get_num_threads() == 2  # the workers' one thread each is not left behind

    # the batches really ran in two worker threads, one torch thread each
    encoded = one._encode(sentences)
    bounds = [settings.length_bounds(len(e)) for e in encoded]
    seen: list[tuple[str, int]] = []

    def record(batch, start_len):
        seen.append((threading.current_thread().name, torch.get_num_threads()))
        return []

    out, calls = generate(one.model, one.tokenizer.pad_token_id, encoded, bounds, num_beams=2, batch_tokens=96,
                          row_processors=record, workers=2)
    assert calls == len(seen) > 2
    assert {name.startswith("decode") for name, _ in seen} == {True}
    assert len({name for name, _ in seen}) == 2 and {n for _, n in seen} == {1}
    assert out == generate(one.model, one.tokenizer.pad_token_id, encoded, bounds, num_beams=2,
                           batch_tokens=96)[0]

    # one torch thread (a Ray actor's one CPU): one batch at a time, in the caller's thread
    torch.set_num_threads(1)
    seen.clear()
    assert generate(one.model, one.tokenizer.pad_token_id, encoded, bounds, num_beams=2, batch_tokens=96,
                    row_processors=record, workers=2)[0] == out
    assert {name for name, _ in seen} == {threading.current_thread().name}


def test_a_failing_parallel_batch_raises_and_leaves_threads_as_they_were(tiny_translator, sentences,
                                                                         two_torch_threads):
    import torch

    from pipeline.translate.generation import generate

    encoded = tiny_translator._encode(sentences)
    bounds = [(1, 4)] * len(encoded)
    started: list[int] = []

    def fail_third(batch, start_len):
        started.append(len(batch))
        if len(started) == 3:
            raise RuntimeError("out of memory in batch 3")
        return []

    with pytest.raises(RuntimeError, match="batch 3"):
        generate(tiny_translator.model, tiny_translator.tokenizer.pad_token_id, encoded, bounds, num_beams=1,
                 batch_tokens=24, row_processors=fail_third, workers=2)
    assert torch.get_num_threads() == 2
    assert len(started) < len(plan_batches([len(e) for e in encoded], 24, 1))  # the rest was not decoded


@pytest.mark.parametrize("threads, parallel, expected", [(2, 2, (2, 1)), (8, 2, (2, 4)), (1, 2, (1, 1)), (3, 1, (1, 3))])
def test_parallel_batches_never_outnumber_threads(threads, parallel, expected):
    # a Ray actor given one CPU runs one worker, not two on one core (CTranslate2's inter/intra split; the
    # transformers backend takes min(parallel_batches, torch threads) workers the same way)
    from pipeline.translate.ct2 import thread_split

    assert thread_split(threads, parallel) == expected
