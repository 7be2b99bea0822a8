"""The transformers backend: MarianMT (or any seq2seq model) through ``AutoModelForSeq2SeqLM.generate``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .base import GenerationSettings, Translation, backend_signature
from .generation import SequenceBiasProcessor, first_eos, generate, pick_device, set_torch_threads
from .vocab import excluded_ids, no_target_vocab


def terms_in(glossary: Any, zh: str) -> list[Any]:
    """The glossary entries whose Chinese term occurs in ``zh`` (``Glossary.terms_in`` when it has one)."""
    if glossary is None:
        return []
    if hasattr(glossary, "terms_in"):
        return list(glossary.terms_in(zh))
    return [e for e in glossary.entries if e.zh and e.zh in zh]


def glossary_fingerprint(glossary: Any) -> str | None:
    """A short hash of the glossary's entries: the bias depends on them, so the cache key must too."""
    if glossary is None:
        return None
    import hashlib
    import json

    blob = json.dumps(sorted((e.zh, list(e.renderings)) for e in glossary.entries), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


class TransformersTranslator:
    """``AutoTokenizer`` + ``AutoModelForSeq2SeqLM``, decoded by the shared :func:`generate` loop.

    With ``settings.glossary_weight > 0`` and a ``glossary``, decoding of each sentence is biased towards
    the renderings of the glossary terms found in it (weight 0: the output is exactly the unbiased one).
    """

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
        parallel_batches: int = 1,
        device: str = "cpu",
        glossary: Any = None,
        src_lang: str | None = None,
        tgt_lang: str | None = None,
        dtype: str = "float32",
    ):
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        from .fastest import resolve_dtype, torch_dtype
        from .languages import setup_languages

        set_torch_threads(threads)
        device = pick_device(device)
        self.dtype = resolve_dtype(dtype, device)  # float32 | bfloat16 | float16 (auto resolved here)
        self.model_name = model_name or path
        self.revision = revision
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.languages = setup_languages(self.tokenizer, src_lang, tgt_lang, self.model_name)
        self.model = AutoModelForSeq2SeqLM.from_pretrained(path, dtype=torch_dtype(self.dtype)).to(device).eval()
        self.never_ids: set[int] = set()  # NLLB / M2M100: language tokens and embedding rows without a token
        if self.languages is not None:  # decoding starts with the target-language token
            self.model.generation_config.forced_bos_token_id = self.languages.forced_bos_id
            known = max([*self.tokenizer.get_vocab().values(), *self.languages.code_ids])
            self.never_ids = set(self.languages.code_ids - {self.languages.forced_bos_id})
            self.never_ids |= set(range(known + 1, self.model.config.vocab_size))  # M2M100's "made-up words"
        self.device = device
        limit = getattr(self.model.config, "max_position_embeddings", 512) or 512
        self.max_input_tokens = min(max_input_tokens, limit)
        self.batch_tokens = batch_tokens
        self.parallel_batches = parallel_batches  # batches decoded at once (CPU; same output)
        self.glossary = glossary
        self._rendering_ids: dict[str, tuple[int, ...]] = {}
        self.source_only_ids = excluded_ids(self.tokenizer)  # what output_vocab: target suppresses

    @classmethod
    def from_config(cls, config: Any, glossary: Any = None) -> TransformersTranslator:
        from ..models import resolve_model

        tc = config.translator
        model = resolve_model(tc.model, tc.revision, root=config.root, role="translator")
        translator = cls(
            model.path, model_name=model.name, revision=model.revision, max_input_tokens=tc.max_input_tokens,
            batch_tokens=tc.batch_tokens, threads=tc.threads, parallel_batches=tc.parallel_batches,
            device=tc.device, glossary=glossary if tc.glossary_weight else None, src_lang=tc.src_lang,
            tgt_lang=tc.tgt_lang, dtype=tc.dtype,
        )
        if tc.output_vocab == "target" and translator.source_only_ids is None:
            raise no_target_vocab(tc.model)
        return translator

    def signature(self) -> dict[str, Any]:
        sig = backend_signature(self)
        if self.languages is not None:
            sig["languages"] = [self.languages.src_lang, self.languages.tgt_lang]
        if self.dtype != "float32":  # float32 unsigned: caches made before dtype existed stay valid
            sig["dtype"] = self.dtype
        if self.glossary is not None:
            sig["glossary"] = glossary_fingerprint(self.glossary)
        return sig

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=True)["input_ids"])

    def _encode(self, texts: Sequence[str]) -> list[list[int]]:
        ids = self.tokenizer(list(texts), add_special_tokens=True, truncation=False)["input_ids"]
        for text, row in zip(texts, ids):
            if len(row) > self.max_input_tokens:
                # The stage splits long sentences before they get here; reaching this is a bug, not input.
                raise ValueError(f"input of {len(row)} tokens exceeds max_input_tokens: {text[:30]}...")
        return ids

    def _renderings(self, zh: str) -> list[list[tuple[int, ...]]]:
        """Per glossary term found in ``zh``: the target-side token ids of its renderings."""
        out = []
        for entry in terms_in(self.glossary, zh):
            group = []
            for rendering in entry.renderings:
                if rendering not in self._rendering_ids:
                    ids = self.tokenizer(text_target=rendering, add_special_tokens=False)["input_ids"]
                    self._rendering_ids[rendering] = tuple(ids)
                if self._rendering_ids[rendering]:
                    group.append(self._rendering_ids[rendering])
            if group:
                out.append(group)
        return out

    def translate_batch(self, texts: Sequence[str], settings: GenerationSettings | None = None) -> list[Translation]:
        settings = settings or GenerationSettings()
        if not texts:
            return []
        encoded = self._encode(texts)
        bounds = [settings.length_bounds(len(e)) for e in encoded]
        row_processors = None
        if settings.glossary_weight and self.glossary is not None:
            wanted = [self._renderings(t) for t in texts]
            if any(wanted):
                def row_processors(batch: list[int], start_len: int) -> list[Any]:
                    rows = [wanted[i] for i in batch]
                    return [SequenceBiasProcessor(rows, settings.glossary_weight, settings.num_beams, start_len)]

        suppress = None
        if settings.output_vocab == "target":
            if self.source_only_ids is None:
                raise no_target_vocab(self.model_name)
            suppress = self.source_only_ids
        if self.never_ids:  # a language token inside a sentence is never wanted
            suppress = sorted(set(suppress or ()) | self.never_ids)
        sequences, _ = generate(
            self.model, self.tokenizer.pad_token_id, encoded, bounds,
            num_beams=settings.num_beams, batch_tokens=self.batch_tokens, device=self.device,
            no_repeat_ngram_size=settings.no_repeat_ngram_size, repetition_penalty=settings.repetition_penalty,
            row_processors=row_processors, suppress_ids=suppress, workers=self.parallel_batches,
        )
        eos = first_eos(self.model.generation_config)
        specials = set(self.tokenizer.all_special_ids) | (self.languages.code_ids if self.languages else set())
        results = []
        for seq, (lo, hi) in zip(sequences, bounds):
            if self.languages is not None and seq[:1] == [self.languages.forced_bos_id]:
                seq = seq[1:]
            if eos in seq:
                seq = seq[: seq.index(eos)]
            ids = [t for t in seq if t not in specials]
            text = self.tokenizer.decode(ids, skip_special_tokens=True).strip()
            results.append(Translation(text=text, token_ids=ids, hit_limit=len(ids) >= hi and lo < hi))
        return results
