"""Translation: the ``Translator`` interface, its backends, the degenerate-output guard and the stage function.

A backend turns a list of Chinese strings into English strings; everything else (deduplication, the
persistent cache, length-sorted token-budget batching, retries of degenerate output, writing ``en`` back
into the document) happens here, once, for every backend.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator, Protocol, Sequence

from .document import Document, Flag

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int], None]  # called with the number of newly finished texts


@dataclass(frozen=True)
class GenerationSettings:
    """Decoding settings that shape the output (they are part of the cache key and the provenance)."""

    num_beams: int = 4
    max_length_ratio: float = 2.0
    max_length_slack: int = 10
    no_repeat_ngram_size: int = 0
    repetition_penalty: float = 1.0
    # Fixed output lengths (benchmarks only): when set, every output has exactly round(ratio * source) tokens.
    fixed_length_ratio: float | None = None

    def length_bounds(self, source_tokens: int) -> tuple[int, int]:
        """(min, max) new tokens for a source of ``source_tokens`` tokens: bounded relative to the input."""
        if self.fixed_length_ratio is not None:
            n = max(1, round(self.fixed_length_ratio * source_tokens))
            return n, n
        return 0, int(math.ceil(self.max_length_ratio * source_tokens)) + self.max_length_slack

    def stricter(self) -> "GenerationSettings":
        """Settings for a retry after a repetition loop or runaway length."""
        return replace(
            self,
            no_repeat_ngram_size=self.no_repeat_ngram_size or 3,
            repetition_penalty=max(self.repetition_penalty, 1.3),
        )

    def to_dict(self) -> dict[str, Any]:
        d = {
            "num_beams": self.num_beams,
            "max_length_ratio": self.max_length_ratio,
            "max_length_slack": self.max_length_slack,
            "no_repeat_ngram_size": self.no_repeat_ngram_size,
            "repetition_penalty": self.repetition_penalty,
        }
        if self.fixed_length_ratio is not None:
            d["fixed_length_ratio"] = self.fixed_length_ratio
        return d


@dataclass
class Translation:
    text: str
    token_ids: list[int] = field(default_factory=list)  # output tokens, specials removed
    hit_limit: bool = False  # stopped by the length bound, not by end-of-sentence


class Translator(Protocol):
    """What every translation backend provides."""

    backend: str
    model_name: str
    revision: str
    max_input_tokens: int

    def count_tokens(self, text: str) -> int: ...

    def translate_batch(
        self, texts: Sequence[str], settings: GenerationSettings | None = None
    ) -> list[Translation]: ...


class IdentityTranslator:
    """The trivial translator: returns the source unchanged (for structure-only runs and for reference)."""

    backend = "identity"
    model_name = "identity"
    revision = "0"
    max_input_tokens = 1_000_000

    def count_tokens(self, text: str) -> int:
        return len(text)

    def translate_batch(self, texts: Sequence[str], settings: GenerationSettings | None = None) -> list[Translation]:
        return [Translation(t) for t in texts]


def plan_batches(lengths: Sequence[int], token_budget: int, num_beams: int = 1) -> list[list[int]]:
    """Group indices into batches of similar length whose padded size fits ``token_budget``.

    Longest first, so the first batch shows the worst-case memory at once. The cost of a batch is
    (batch size x beams x longest input), padding included, which is what the encoder really computes.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        n = max(1, lengths[i])
        new_longest = max(longest, n)
        if current and new_longest * (len(current) + 1) * num_beams > token_budget:
            batches.append(current)
            current, new_longest = [], n
        current.append(i)
        longest = new_longest
    if current:
        batches.append(current)
    return batches


def find_degeneration(token_ids: Sequence[int], hit_limit: bool) -> str | None:
    """Why an output looks degenerate (a known failure of OPUS-MT zh->en), or None.

    - "repetition": an n-gram (n = 1..4) repeated back to back (4 times for n=1, 3 times for n>=2);
    - "runaway-length": decoding was stopped by the length bound instead of ending the sentence.
    """
    ids = list(token_ids)
    for n in range(1, 5):
        need = 4 if n == 1 else 3
        span = n * need
        for start in range(0, len(ids) - span + 1):
            gram = ids[start : start + n]
            if all(ids[start + k * n : start + (k + 1) * n] == gram for k in range(1, need)):
                return "repetition"
    if hit_limit:
        return "runaway-length"
    return None


# --------------------------------------------------------------------------------------------------------
# Backends


def set_torch_threads(threads: int) -> None:
    if threads > 0:
        import torch

        torch.set_num_threads(threads)


def pick_device(device: str) -> str:
    """``auto`` means CUDA when there is one; asking for CUDA without one is a clear error."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        from .errors import ConfigError

        raise ConfigError("translator.device: 'cuda' asked for, but this PyTorch sees no CUDA device",
                          hint="use --set translator.device=cpu (or auto)")
    return device


def quiet_transformers() -> None:
    """Library noise (weight-loading bars, advisory warnings) is not for our users' consoles.

    Called by the CLI (and the benchmarks), not by library code: logging belongs to the application."""
    import warnings

    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    warnings.filterwarnings("ignore", message=".*sacremoses.*")


class PerRowLengthProcessor:
    """A logits processor that bounds each row's length on its own (min and max new tokens per row).

    ``generate`` only knows one length limit per batch; with this, a sentence decoded in a batch stops
    exactly where it would stop alone, so batched output equals unbatched output.
    """

    def __init__(self, bounds: list[tuple[int, int]], eos_token_id: int, num_beams: int, start_len: int):
        import torch

        self.lo = torch.tensor([lo for lo, _ in bounds]).repeat_interleave(num_beams)
        self.hi = torch.tensor([hi for _, hi in bounds]).repeat_interleave(num_beams)
        self.eos = eos_token_id
        self.start_len = start_len

    def __call__(self, input_ids, scores):
        step = input_ids.shape[1] - self.start_len  # new tokens generated so far
        too_short = self.lo > step
        if too_short.any():
            scores[too_short, self.eos] = -math.inf
        done = self.hi <= step
        if done.any():
            scores[done] = -math.inf
            scores[done, self.eos] = 0.0
        return scores


class TransformersTranslator:
    """MarianMT (or any seq2seq model) through ``AutoTokenizer`` + ``AutoModelForSeq2SeqLM.generate``."""

    backend = "transformers"

    def __init__(
        self,
        path: str,
        *,
        model_name: str | None = None,
        revision: str = "",
        max_input_tokens: int = 256,
        batch_tokens: int = 4096,
        threads: int = 0,
        device: str = "cpu",
    ):
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        set_torch_threads(threads)
        device = pick_device(device)
        self.model_name = model_name or path
        self.revision = revision
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForSeq2SeqLM.from_pretrained(path).to(device).eval()
        self.device = device
        limit = getattr(self.model.config, "max_position_embeddings", 512) or 512
        self.max_input_tokens = min(max_input_tokens, limit)
        self.batch_tokens = batch_tokens
        self.generate_calls = 0  # counted, so tests can prove a cache hit made no model call

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=True)["input_ids"])

    def _encode(self, texts: Sequence[str]) -> list[list[int]]:
        ids = self.tokenizer(list(texts), add_special_tokens=True, truncation=False)["input_ids"]
        for text, row in zip(texts, ids):
            if len(row) > self.max_input_tokens:
                # The stage splits long sentences before they get here; reaching this is a bug, not input.
                raise ValueError(f"input of {len(row)} tokens exceeds max_input_tokens: {text[:30]}...")
        return ids

    def translate_batch(self, texts: Sequence[str], settings: GenerationSettings | None = None) -> list[Translation]:
        import torch
        from transformers import LogitsProcessorList

        settings = settings or GenerationSettings()
        if not texts:
            return []
        encoded = self._encode(texts)
        results: list[Translation | None] = [None] * len(texts)
        pad = self.tokenizer.pad_token_id
        eos = self.model.generation_config.eos_token_id
        eos = eos[0] if isinstance(eos, list) else eos
        specials = set(self.tokenizer.all_special_ids)
        for batch in plan_batches([len(e) for e in encoded], self.batch_tokens, settings.num_beams):
            width = max(len(encoded[i]) for i in batch)
            input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, i in enumerate(batch):
                input_ids[row, : len(encoded[i])] = torch.tensor(encoded[i])
                mask[row, : len(encoded[i])] = 1
            bounds = [settings.length_bounds(len(encoded[i])) for i in batch]
            start_len = 1  # the decoder starts from decoder_start_token_id
            processor = PerRowLengthProcessor(bounds, eos, settings.num_beams, start_len)
            gen_kwargs: dict[str, Any] = dict(
                num_beams=settings.num_beams,
                do_sample=False,
                max_new_tokens=max(hi for _, hi in bounds) + 1,
                max_length=None,
                min_length=0,
                logits_processor=LogitsProcessorList([processor]),
            )
            if settings.no_repeat_ngram_size:
                gen_kwargs["no_repeat_ngram_size"] = settings.no_repeat_ngram_size
            if settings.repetition_penalty != 1.0:
                gen_kwargs["repetition_penalty"] = settings.repetition_penalty
            with torch.inference_mode():
                out = self.model.generate(
                    input_ids=input_ids.to(self.device), attention_mask=mask.to(self.device), **gen_kwargs
                )
            self.generate_calls += 1
            for row, i in enumerate(batch):
                seq = out[row].tolist()
                ended = eos in seq[1:]
                ids = [t for t in seq[1:] if t not in specials]
                if ended:
                    ids = [t for t in seq[1 : seq.index(eos, 1)] if t not in specials]
                hit = len(ids) >= bounds[row][1] and settings.fixed_length_ratio is None
                text = self.tokenizer.decode(ids, skip_special_tokens=True).strip()
                results[i] = Translation(text=text, token_ids=ids, hit_limit=hit)
        return [r for r in results if r is not None]


class CTranslate2Translator:
    """A CTranslate2 model (converted with `models convert`), with the original model's tokenizer."""

    backend = "ctranslate2"

    def __init__(
        self,
        ct2_path: str,
        tokenizer_path: str,
        *,
        model_name: str | None = None,
        revision: str = "",
        compute_type: str = "int8",
        max_input_tokens: int = 256,
        batch_tokens: int = 4096,
        threads: int = 0,
        device: str = "cpu",
    ):
        try:
            import ctranslate2
        except ImportError:
            from .errors import PipelineError

            raise PipelineError(
                "the ctranslate2 backend needs the ctranslate2 package",
                hint="pip install -e '.[fast]'",
            ) from None
        from transformers import AutoTokenizer

        self.model_name = model_name or tokenizer_path
        self.revision = f"{revision}+ct2-{compute_type}"
        self.tokenizer = AutoTokenizer.from_pretrained(tokenizer_path)
        device = pick_device(device)
        self.translator = ctranslate2.Translator(
            ct2_path, device=device, compute_type=compute_type, intra_threads=threads, inter_threads=1
        )
        self.max_input_tokens = max_input_tokens
        self.batch_tokens = batch_tokens
        self.generate_calls = 0

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=True)["input_ids"])

    def translate_batch(self, texts: Sequence[str], settings: GenerationSettings | None = None) -> list[Translation]:
        settings = settings or GenerationSettings()
        if not texts:
            return []
        ids = self.tokenizer(list(texts), add_special_tokens=True, truncation=False)["input_ids"]
        tokens = [self.tokenizer.convert_ids_to_tokens(row) for row in ids]
        results: list[Translation | None] = [None] * len(texts)
        specials = set(self.tokenizer.all_special_tokens)
        # CTranslate2 takes one length bound per call: decode each batch (similar lengths) to its longest
        # bound and cut every row to its own bound. For greedy search that is exactly the row's own output;
        # with fixed lengths (benchmarks) it decodes a little more than needed, never less.
        bounds = [settings.length_bounds(len(row)) for row in ids]
        for batch in plan_batches([len(row) for row in ids], self.batch_tokens, settings.num_beams):
            hi = max(bounds[i][1] for i in batch)
            lo = hi if settings.fixed_length_ratio is not None else max(bounds[i][0] for i in batch)
            out = self.translator.translate_batch(
                [tokens[i] for i in batch],
                beam_size=settings.num_beams,
                max_decoding_length=hi,
                min_decoding_length=lo,
                no_repeat_ngram_size=settings.no_repeat_ngram_size,
                repetition_penalty=settings.repetition_penalty,
                return_end_token=False,
            )
            self.generate_calls += 1
            for i, res in zip(batch, out):
                own_hi = bounds[i][1]
                toks = [t for t in res.hypotheses[0] if t not in specials][:own_hi]
                out_ids = self.tokenizer.convert_tokens_to_ids(toks)
                text = self.tokenizer.convert_tokens_to_string(toks).strip()
                hit = len(toks) >= own_hi and settings.fixed_length_ratio is None
                results[i] = Translation(text=text, token_ids=list(out_ids), hit_limit=hit)
        return [r for r in results if r is not None]


# --------------------------------------------------------------------------------------------------------
# The stage


@dataclass
class TranslatedText:
    en: str
    flags: list[Flag] = field(default_factory=list)


@dataclass
class TranslationStats:
    texts: int = 0  # unique texts asked for
    cached: int = 0  # served from the cache
    translated: int = 0  # sent to the model
    retried: int = 0  # degenerate outputs retried with stricter settings
    flagged: int = 0  # still degenerate after the retry
    seconds: float = 0.0


def translator_signature(translator: Translator, settings: GenerationSettings, guard: bool) -> dict[str, Any]:
    """The facts that decide a translation: the cache key and the provenance both use them."""
    return {
        "model": translator.model_name,
        "revision": translator.revision,
        "backend": translator.backend,
        "generation": settings.to_dict(),
        "max_input_tokens": translator.max_input_tokens,
        "repetition_guard": guard,
    }


def split_for_translator(text: str, translator: Translator) -> list[str]:
    """Pieces of ``text`` that each fit the translator (clause boundaries first; never truncated)."""
    if translator.count_tokens(text) <= translator.max_input_tokens:
        return [text]
    from .segment import split_long_sentence

    return split_long_sentence(text, translator.max_input_tokens, translator.count_tokens)


def translate_guarded(
    texts: Sequence[str],
    translator: Translator,
    settings: GenerationSettings,
    *,
    guard: bool = True,
    stats: TranslationStats | None = None,
) -> dict[str, TranslatedText]:
    """One batch through the translator; degenerate outputs retried with stricter settings, then flagged."""
    outputs = translator.translate_batch(texts, settings)
    done: dict[str, TranslatedText] = {}
    retry = []
    for text, out in zip(texts, outputs):
        if guard and find_degeneration(out.token_ids, out.hit_limit):
            retry.append(text)
        done[text] = TranslatedText(out.text)
    if retry:
        if stats is not None:
            stats.retried += len(retry)
        strict = settings.stricter()
        for text, out in zip(retry, translator.translate_batch(retry, strict)):
            reason = find_degeneration(out.token_ids, out.hit_limit)
            flags = []
            if reason:
                flags.append(
                    Flag(
                        "degenerate",
                        reason,
                        "machine translation still degenerate after a stricter retry "
                        f"(no_repeat_ngram_size={strict.no_repeat_ngram_size}, "
                        f"repetition_penalty={strict.repetition_penalty}); check this sentence",
                    )
                )
            done[text] = TranslatedText(out.text, flags)
    return done


def translate_cached(
    texts: Iterable[str],
    signature: dict[str, Any],
    produce: Callable[[list[str]], Iterable[dict[str, TranslatedText]]],
    *,
    cache: Any = None,
    progress: ProgressCallback | None = None,
    stats: TranslationStats | None = None,
) -> dict[str, TranslatedText]:
    """Unique ``texts`` translated once: from ``cache`` when there, else by ``produce`` (which yields
    results chunk by chunk, shortest texts first); each chunk is written to the cache as it arrives, so a
    killed run loses at most one chunk. Every engine (local, Ray) goes through here."""
    stats = stats if stats is not None else TranslationStats()
    started = time.perf_counter()
    unique = list(dict.fromkeys(t for t in texts if t.strip()))
    stats.texts += len(unique)
    results: dict[str, TranslatedText] = {}
    if cache is not None:
        results.update(cache.get_many(signature, unique))
        stats.cached += len(results)
        if progress and results:
            progress(len(results))
    todo = sorted((t for t in unique if t not in results), key=len)  # length order keeps batches dense
    if todo:
        for done in produce(todo):
            if cache is not None:
                cache.put_many(signature, done)
            results.update(done)
            stats.translated += len(done)
            stats.flagged += sum(1 for t in done.values() if any(f.kind == "degenerate" for f in t.flags))
            if progress:
                progress(len(done))
    stats.seconds += time.perf_counter() - started
    return results


def translate_texts(
    texts: Iterable[str],
    translator: Translator,
    settings: GenerationSettings,
    *,
    cache: Any = None,
    guard: bool = True,
    progress: ProgressCallback | None = None,
    stats: TranslationStats | None = None,
    chunk_size: int = 64,
) -> dict[str, TranslatedText]:
    """Translate unique ``texts`` (each already within the translator's input limit) with this process's
    translator, ``chunk_size`` texts per chunk, through the cache."""
    stats = stats if stats is not None else TranslationStats()

    def produce(todo: list[str]) -> Iterator[dict[str, TranslatedText]]:
        for start in range(0, len(todo), chunk_size):
            yield translate_guarded(todo[start : start + chunk_size], translator, settings, guard=guard, stats=stats)

    signature = translator_signature(translator, settings, guard)
    return translate_cached(texts, signature, produce, cache=cache, progress=progress, stats=stats)


def texts_to_translate(doc: Document, translator: Translator) -> list[str]:
    """Every string of ``doc`` that needs an English version, split to fit the translator, in order."""
    out: list[str] = []
    if doc.title.zh:
        out.extend(split_for_translator(doc.title.zh, translator))
    for sec in doc.walk_sections():
        if sec.title.zh:
            out.extend(split_for_translator(sec.title.zh, translator))
    for seg in doc.all_segments():
        for piece in seg.pieces or [seg.zh]:
            out.extend(split_for_translator(piece, translator))
    return out


def _join_en(parts: list[str]) -> str:
    return " ".join(p for p in parts if p)


def apply_translations(doc: Document, translator: Translator, done: dict[str, TranslatedText]) -> Document:
    """Write English text (and degenerate-output flags) from ``done`` into ``doc`` (in place; returned)."""

    def english(text: str) -> tuple[str, list[Flag]]:
        parts, flags = [], []
        for piece in split_for_translator(text, translator):
            if not piece.strip():
                continue
            t = done[piece]
            parts.append(t.en)
            flags.extend(t.flags)
        return _join_en(parts), flags

    if doc.title.zh:
        doc.title.en, _ = english(doc.title.zh)
    for sec in doc.walk_sections():
        if sec.title.zh:
            sec.title.en, _ = english(sec.title.zh)
    for seg in doc.all_segments():
        parts, flags = [], []
        for piece in seg.pieces or [seg.zh]:
            en, fl = english(piece)
            parts.append(en)
            flags.extend(fl)
        seg.en = _join_en(parts)
        seg.flags = [f for f in seg.flags if f.kind != "degenerate"] + _dedupe_flags(flags)
    return doc


def _dedupe_flags(flags: list[Flag]) -> list[Flag]:
    seen, out = set(), []
    for f in flags:
        key = (f.kind, f.reason)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def translate_document(
    doc: Document,
    translator: Translator,
    settings: GenerationSettings,
    *,
    cache: Any = None,
    guard: bool = True,
    progress: ProgressCallback | None = None,
    stats: TranslationStats | None = None,
) -> Document:
    """The translation stage for one document."""
    done = translate_texts(
        texts_to_translate(doc, translator),
        translator,
        settings,
        cache=cache,
        guard=guard,
        progress=progress,
        stats=stats,
    )
    return apply_translations(doc, translator, done)
