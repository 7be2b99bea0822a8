"""Abstractive summaries: a seq2seq model (BART family) on the English translation (or, with ``input: zh``,
on the Chinese text, the summary then translated). Inputs over the model's limit go map-reduce: every chunk
of every long input in one length-sorted batched call, then a reduce only when the joined chunk summaries
are longer than one summary may be.

The model runs behind a *generator* (``TransformersGenerator`` here, ``CTranslate2Generator`` in
:mod:`pipeline.translate.ct2`), chosen by ``summarizer.backend``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ..document import Segment, Summary, SummarySentence
from ..translate.generation import generate, pick_device, set_torch_threads
from .base import SummarizerStats, SummaryRequest
from .linking import link_sentences, split_english_sentences

log = logging.getLogger(__name__)


class Generator(Protocol):
    backend: str
    max_input_tokens: int

    def count_tokens(self, text: str) -> int: ...

    def generate(self, texts: list[str], bounds: list[tuple[int, int]], *, num_beams: int,
                 no_repeat_ngram_size: int, batch_tokens: int) -> tuple[list[str], int]: ...


def resolve_summarizer_model(config: Any) -> Any:
    from ..models import resolve_model

    sc = config.summarizer
    return resolve_model(sc.model, sc.revision, root=config.root, role="summarizer")


class TransformersGenerator:
    """``AutoModelForSeq2SeqLM`` decoded by the shared :func:`pipeline.translate.generation.generate`."""

    backend = "transformers"

    def __init__(self, path: str, *, max_input_tokens: int = 1024, threads: int = 0, device: str = "cpu",
                 dtype: str = "float32", parallel_batches: int = 1):
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        from ..translate.fastest import resolve_dtype, torch_dtype

        set_torch_threads(threads)
        self.device = pick_device(device, "summarizer")
        self.dtype = resolve_dtype(dtype, self.device)  # float32 | bfloat16 | float16 (auto resolved here)
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForSeq2SeqLM.from_pretrained(path, dtype=torch_dtype(self.dtype)).to(self.device).eval()
        limit = getattr(self.model.config, "max_position_embeddings", 1024) or 1024
        self.max_input_tokens = min(max_input_tokens, limit)
        self.parallel_batches = parallel_batches  # batches decoded at once (CPU; same output)

    @classmethod
    def from_config(cls, config: Any) -> TransformersGenerator:
        sc = config.summarizer
        model = resolve_summarizer_model(config)
        return cls(model.path, max_input_tokens=sc.max_input_tokens, threads=sc.threads, device=sc.device,
                   dtype=sc.dtype, parallel_batches=sc.parallel_batches)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text)["input_ids"])

    def generate(self, texts: list[str], bounds: list[tuple[int, int]], *, num_beams: int,
                 no_repeat_ngram_size: int, batch_tokens: int) -> tuple[list[str], int]:
        enc = [self.tokenizer(t, truncation=False)["input_ids"] for t in texts]
        seqs, calls = generate(
            self.model, self.tokenizer.pad_token_id, enc, bounds, num_beams=num_beams, batch_tokens=batch_tokens,
            device=self.device, no_repeat_ngram_size=no_repeat_ngram_size, workers=self.parallel_batches,
        )
        return [self.tokenizer.decode(s, skip_special_tokens=True).strip() for s in seqs], calls


class AbstractiveSummarizer:
    """Summaries by a seq2seq ``generator``; long inputs map-reduce; sentences linked to their sources."""

    kind = "abstractive"
    no_repeat_ngram_size = 3  # summaries must not loop; recorded in the provenance

    def __init__(
        self,
        generator: Generator,
        *,
        input_lang: str = "en",
        num_beams: int = 2,
        min_length_ratio: float = 0.05,
        max_length_ratio: float = 0.25,
        min_new_tokens: int = 8,
        max_new_tokens: int = 142,
        batch_tokens: int = 8192,
        translate: Callable[[list[str]], list[str]] | None = None,
        long_inputs: str = "map_reduce",
    ):
        self.generator = generator
        self.input_lang = input_lang
        self.num_beams = num_beams
        self.min_length_ratio = min_length_ratio
        self.max_length_ratio = max_length_ratio
        self.min_new_tokens = min_new_tokens
        self.max_new_tokens = max_new_tokens
        self.batch_tokens = batch_tokens
        self.translate = translate
        self.long_inputs = long_inputs  # map_reduce | select (see .selection)
        self.stats = SummarizerStats()

    @property
    def max_input_tokens(self) -> int:
        return self.generator.max_input_tokens

    def count_tokens(self, text: str) -> int:
        return self.generator.count_tokens(text)

    def bounds(self, n_tokens: int) -> tuple[int, int]:
        """(min, max) new tokens of the summary of an input of ``n_tokens`` tokens."""
        hi = max(self.min_new_tokens + 1, min(self.max_new_tokens, round(self.max_length_ratio * n_tokens)))
        lo = min(hi - 1, max(self.min_new_tokens, round(self.min_length_ratio * n_tokens)))
        return lo, hi

    def generate(self, texts: list[str]) -> list[str]:
        """One summary per text (each within the input limit), batched by similar length."""
        if not texts:
            return []
        bounds = [self.bounds(self.count_tokens(t)) for t in texts]
        out, calls = self.generator.generate(
            texts, bounds, num_beams=self.num_beams, no_repeat_ngram_size=self.no_repeat_ngram_size,
            batch_tokens=self.batch_tokens,
        )
        self.stats.model_calls += calls
        return out

    def _chunks(self, sentences: list[str]) -> list[str]:
        """Consecutive sentences packed into chunks under the input limit (a lone long sentence is split)."""
        limit = self.max_input_tokens - 2
        chunks, current, size = [], [], 0
        for s in sentences:
            n = self.count_tokens(s)
            if n > limit:  # one sentence longer than the limit: split it, never truncate
                from ..segment import split_long_sentence

                pieces = [p.strip() for p in split_long_sentence(s, limit, self.count_tokens) if p.strip()]
            else:
                pieces = [s]
            for p in pieces:
                n = self.count_tokens(p)
                if current and size + n > limit:
                    chunks.append(" ".join(current))
                    current, size = [], 0
                current.append(p)
                size += n
        if current:
            chunks.append(" ".join(current))
        return chunks

    def _sentences(self, text: str) -> list[str]:
        if self.input_lang == "zh":
            from ..segment import split_sentences

            return split_sentences(text)
        return split_english_sentences(text)

    def summarize_texts(self, texts: list[str]) -> list[str]:
        """Summaries of arbitrarily long texts. Texts within the limit: one batched call. Longer ones: all
        their chunks in one batched call (map); the joined chunk summaries are the summary when they fit
        in ``max_new_tokens``, else they are summarized again (reduce)."""
        results: list[str | None] = [None] * len(texts)
        pending = {i: t for i, t in enumerate(texts)}
        reducing = False
        while pending:
            sizes = {i: self.count_tokens(t) for i, t in pending.items()}
            direct = {i: t for i, t in pending.items() if sizes[i] <= self.max_input_tokens}
            for i, s in zip(direct, self.generate(list(direct.values()))):
                results[i] = s
            if reducing:
                self.stats.reduces += len(direct)
            long = {i: t for i, t in pending.items() if i not in direct}
            pending, reducing = {}, True
            if not long:
                break
            chunk_lists = {i: self._chunks(self._sentences(t) or [t]) for i, t in long.items()}
            flat = [c for cs in chunk_lists.values() for c in cs]
            self.stats.map_reduce += len(long)
            self.stats.chunks += len(flat)
            log.info("map-reduce: %d inputs over %d tokens -> %d chunks", len(long), self.max_input_tokens, len(flat))
            partial = iter(self.generate(flat))
            for i, cs in chunk_lists.items():
                joined = " ".join(next(partial) for _ in cs)
                n = self.count_tokens(joined)
                if len(cs) == 1 or n <= self.max_new_tokens or n >= sizes[i]:
                    results[i] = joined  # short enough already (or cannot shrink further): no reduce
                else:
                    pending[i] = joined
        return [r or "" for r in results]

    def _input_segments(self, segments: list[Segment]) -> list[Segment]:
        """What the model reads of a request: all of it (``map_reduce``), or with ``select`` its most central
        segments within the input limit when all of it is over the limit."""
        if self.long_inputs != "select" or len(segments) < 2:
            return segments
        from .selection import select_within

        field = (lambda s: s.zh) if self.input_lang == "zh" else (lambda s: s.en or "")
        chosen = select_within(segments, self.max_input_tokens, self.count_tokens, field)
        if not chosen:  # not one segment fits alone: map-reduce over all of it
            return segments
        if len(chosen) < len(segments):
            self.stats.selected += 1
        return chosen

    def summarize(self, requests: Sequence[SummaryRequest]) -> list[Summary]:
        texts, inputs = [], []
        for req in requests:
            self.stats.requests += 1
            segments = self._input_segments(req.segments)
            inputs.append(segments)
            if self.input_lang == "zh":
                texts.append("".join(s.zh for s in segments))
            else:
                texts.append(" ".join(s.en or "" for s in segments))
        summaries = self.summarize_texts(texts)
        if self.input_lang == "zh" and self.translate is not None:
            summaries = self.translate(summaries)
        method = "abstractive" + ("-zh" if self.input_lang == "zh" else "")
        out = []
        for req, segments, text in zip(requests, inputs, summaries):
            split = split_english_sentences(text)
            # linked to what the model read, or to the real segments the request names (executive summary)
            links = link_sentences(split, req.ground_on if req.ground_on is not None else segments)
            sentences = [SummarySentence(text=s, sources=sources, support=support)
                         for s, (sources, support) in zip(split, links)]
            out.append(Summary(sentences=sentences, method=method))
        return out
