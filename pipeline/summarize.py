"""Summaries: the ``Summarizer`` interface, an abstractive (seq2seq) and an extractive implementation,
and the stage function that summarizes sections and the whole document.

Every summary sentence lists the segment ids it rests on (exact for extractive, best lexical/numeric
overlap for abstractive), and every number in it is checked against those segments.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import Callable, Protocol, Sequence

from .document import Document, Section, Segment, Summary, SummarySentence

log = logging.getLogger(__name__)


@dataclass
class SummaryRequest:
    """What to summarize: the segments of one section (or of the document), in order."""

    segments: list[Segment]
    key: str  # section id, or "document"


@dataclass
class SummarizerStats:
    requests: int = 0
    model_calls: int = 0  # generate() calls
    map_reduce: int = 0  # inputs over the model's limit, summarized chunk by chunk then combined
    chunks: int = 0


class Summarizer(Protocol):
    kind: str

    def summarize(self, requests: Sequence[SummaryRequest]) -> list[Summary]: ...


_SENTENCE_END_EN = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_WORD = re.compile(r"[a-z]+|\d+(?:[.,]\d+)*")
_STOP = set(
    "the a an and or of to in on for with by at from as is are was were be been will we our this that "
    "it its their has have had more than also all which who not into".split()
)


def split_english_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END_EN.split(text.strip()) if s.strip()]


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def best_sources(sentence: str, segments: Sequence[Segment], k: int = 2) -> list[str]:
    """The ids of the segments an abstractive sentence most likely rests on (word + number overlap)."""
    words = _content_words(sentence)
    numbers = {w for w in words if w[0].isdigit()}
    scored = []
    for seg in segments:
        other = _content_words(seg.en or "")
        if not other:
            continue
        overlap = len(words & other) + 2 * len(numbers & other)
        if overlap:
            scored.append((overlap / math.sqrt(len(other)), seg.id))
    scored.sort(key=lambda x: -x[0])
    return [sid for _, sid in scored[:k]] or ([segments[0].id] if segments else [])


# --------------------------------------------------------------------------------------------------------
# Extractive


class ExtractiveSummarizer:
    """TextRank over jieba tokens of the Chinese sentences; keeps the top ones, in document order, within
    a sentence and character budget, and uses their translations. Deterministic; cannot invent facts."""

    kind = "extractive"

    def __init__(self, max_sentences: int = 3, max_chars: int = 400):
        self.max_sentences = max_sentences
        self.max_chars = max_chars
        self.stats = SummarizerStats()

    @staticmethod
    def _tokens(text: str) -> set[str]:
        import jieba

        jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter
        return {w for w in jieba.lcut(text) if len(w.strip()) > 1 or w.isdigit()}

    def rank(self, segments: Sequence[Segment]) -> list[float]:
        """TextRank scores (PageRank over the sentence-similarity graph)."""
        toks = [self._tokens(s.zh) for s in segments]
        n = len(toks)
        if n == 0:
            return []
        weights = [[0.0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                common = len(toks[i] & toks[j])
                if common and len(toks[i]) > 1 and len(toks[j]) > 1:
                    w = common / (math.log(len(toks[i])) + math.log(len(toks[j])))
                    weights[i][j] = weights[j][i] = w
        out = [sum(row) for row in weights]
        scores = [1.0] * n
        for _ in range(50):
            new = [
                0.15 + 0.85 * sum(weights[j][i] / out[j] * scores[j] for j in range(n) if weights[j][i])
                for i in range(n)
            ]
            if max(abs(a - b) for a, b in zip(new, scores)) < 1e-6:
                scores = new
                break
            scores = new
        return scores

    def select(self, segments: Sequence[Segment]) -> list[Segment]:
        scores = self.rank(segments)
        order = sorted(range(len(segments)), key=lambda i: (-scores[i], i))
        chosen: list[int] = []
        used = 0
        for i in order:
            if len(chosen) >= self.max_sentences:
                break
            size = len(segments[i].zh)
            if chosen and used + size > self.max_chars:
                continue
            chosen.append(i)
            used += size
        return [segments[i] for i in sorted(chosen)]

    def summarize(self, requests: Sequence[SummaryRequest]) -> list[Summary]:
        out = []
        for req in requests:
            self.stats.requests += 1
            picked = self.select(req.segments)
            out.append(
                Summary(
                    sentences=[SummarySentence(text=s.en or "", sources=[s.id]) for s in picked],
                    method="extractive",
                )
            )
        return out


# --------------------------------------------------------------------------------------------------------
# Abstractive


class AbstractiveSummarizer:
    """A seq2seq summarizer (BART family) on the English translation (or, with ``input: zh``, on the
    Chinese text, the summary then translated). Inputs over the model's limit are summarized map-reduce."""

    kind = "abstractive"

    def __init__(
        self,
        path: str,
        *,
        model_name: str | None = None,
        revision: str = "",
        input_lang: str = "en",
        max_input_tokens: int = 1024,
        num_beams: int = 2,
        min_length_ratio: float = 0.05,
        max_length_ratio: float = 0.25,
        min_new_tokens: int = 8,
        max_new_tokens: int = 142,
        threads: int = 0,
        translate: Callable[[list[str]], list[str]] | None = None,
    ):
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        from .translate import set_torch_threads

        set_torch_threads(threads)
        self.model_name = model_name or path
        self.revision = revision
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForSeq2SeqLM.from_pretrained(path).eval()
        limit = getattr(self.model.config, "max_position_embeddings", 1024) or 1024
        self.max_input_tokens = min(max_input_tokens, limit)
        self.input_lang = input_lang
        self.num_beams = num_beams
        self.min_length_ratio = min_length_ratio
        self.max_length_ratio = max_length_ratio
        self.min_new_tokens = min_new_tokens
        self.max_new_tokens = max_new_tokens
        self.translate = translate
        self.stats = SummarizerStats()
        self.fixed_new_tokens: int | None = None  # benchmarks: fixed output length
        self.no_repeat_ngram_size = 3  # summaries must not loop; recorded in the provenance

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text)["input_ids"])

    def _bounds(self, n_tokens: int) -> tuple[int, int]:
        if self.fixed_new_tokens is not None:
            return self.fixed_new_tokens, self.fixed_new_tokens
        hi = max(self.min_new_tokens + 1, min(self.max_new_tokens, round(self.max_length_ratio * n_tokens)))
        lo = min(hi - 1, max(self.min_new_tokens, round(self.min_length_ratio * n_tokens)))
        return lo, hi

    def generate(self, texts: list[str]) -> list[str]:
        """One summary per text (each within the input limit), batched by similar length."""
        import torch
        from transformers import LogitsProcessorList

        from .translate import PerRowLengthProcessor, plan_batches

        if not texts:
            return []
        enc = [self.tokenizer(t, truncation=False)["input_ids"] for t in texts]
        out: list[str] = [""] * len(texts)
        pad = self.tokenizer.pad_token_id
        eos = self.model.generation_config.eos_token_id
        eos = eos[0] if isinstance(eos, list) else eos
        for batch in plan_batches([len(e) for e in enc], 8192, self.num_beams):
            width = max(len(enc[i]) for i in batch)
            ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros_like(ids)
            for row, i in enumerate(batch):
                ids[row, : len(enc[i])] = torch.tensor(enc[i])
                mask[row, : len(enc[i])] = 1
            bounds = [self._bounds(len(enc[i])) for i in batch]
            forced_bos = self.model.generation_config.forced_bos_token_id
            start_len = 2 if forced_bos is not None else 1
            proc = PerRowLengthProcessor([(lo, hi) for lo, hi in bounds], eos, self.num_beams, start_len)
            with torch.inference_mode():
                gen = self.model.generate(
                    input_ids=ids,
                    attention_mask=mask,
                    num_beams=self.num_beams,
                    do_sample=False,
                    max_new_tokens=max(hi for _, hi in bounds) + 2,
                    max_length=None,
                    min_length=0,
                    no_repeat_ngram_size=self.no_repeat_ngram_size,
                    logits_processor=LogitsProcessorList([proc]),
                )
            self.stats.model_calls += 1
            for row, i in enumerate(batch):
                out[i] = self.tokenizer.decode(gen[row], skip_special_tokens=True).strip()
        return out

    def _chunks(self, sentences: list[str]) -> list[str]:
        """Consecutive sentences packed into chunks under the input limit (a lone long sentence is split)."""
        limit = self.max_input_tokens - 2
        chunks, current, size = [], [], 0
        for s in sentences:
            n = self.count_tokens(s)
            if n > limit:  # one sentence longer than the limit: split it, never truncate
                from .segment import split_long_sentence

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
            from .segment import split_sentences

            return split_sentences(text)
        return split_english_sentences(text)

    def summarize_texts(self, texts: list[str]) -> list[str]:
        """Summaries of arbitrarily long texts: map-reduce over chunks for those over the limit."""
        results: list[str | None] = [None] * len(texts)
        pending = {i: t for i, t in enumerate(texts)}
        while pending:
            direct = {i: t for i, t in pending.items() if self.count_tokens(t) <= self.max_input_tokens}
            for i, s in zip(direct, self.generate(list(direct.values()))):
                results[i] = s
            long = {i: t for i, t in pending.items() if i not in direct}
            pending = {}
            if not long:
                break
            # Map: summarize every chunk of every long input (all in one batched call), then reduce.
            chunk_lists = {i: self._chunks(self._sentences(t) or [t]) for i, t in long.items()}
            flat = [c for cs in chunk_lists.values() for c in cs]
            self.stats.map_reduce += len(long)
            self.stats.chunks += len(flat)
            log.info("map-reduce: %d inputs over %d tokens -> %d chunks", len(long), self.max_input_tokens, len(flat))
            partial = iter(self.generate(flat))
            for i, cs in chunk_lists.items():
                joined = " ".join(next(partial) for _ in cs)
                if len(cs) == 1 or self.count_tokens(joined) >= self.count_tokens(long[i]):
                    results[i] = joined  # cannot shrink further (degenerate model); keep the partials
                else:
                    pending[i] = joined
        return [r or "" for r in results]

    def summarize(self, requests: Sequence[SummaryRequest]) -> list[Summary]:
        texts = []
        for req in requests:
            self.stats.requests += 1
            if self.input_lang == "zh":
                texts.append("".join(s.zh for s in req.segments))
            else:
                texts.append(" ".join(s.en or "" for s in req.segments))
        summaries = self.summarize_texts(texts)
        if self.input_lang == "zh" and self.translate is not None:
            summaries = self.translate(summaries)
        out = []
        for req, text in zip(requests, summaries):
            sentences = [
                SummarySentence(text=s, sources=best_sources(s, req.segments)) for s in split_english_sentences(text)
            ]
            out.append(Summary(sentences=sentences, method="abstractive" + ("-zh" if self.input_lang == "zh" else "")))
        return out


# --------------------------------------------------------------------------------------------------------
# The stage


@dataclass(frozen=True)
class SummaryPolicy:
    depth: int = 1  # summarize sections of level <= depth
    min_chars: int = 120  # sections with less Chinese text than this are shown as they are


def _section_chars(sec: Section) -> int:
    return sum(len(s.zh) for s in sec.all_segments())


def _verbatim(segments: list[Segment]) -> Summary:
    return Summary(sentences=[SummarySentence(text=s.en or "", sources=[s.id]) for s in segments], method="verbatim")


def _check_numbers(summary: Summary, index: dict[str, Segment]) -> None:
    from .fidelity import check_summary_sentence

    for sent in summary.sentences:
        sources = [index[i] for i in sent.sources if i in index]
        sent.flags = [f for f in sent.flags if f.kind != "number"] + check_summary_sentence(sent.text, sources)


def summarize_document(doc: Document, summarizer: Summarizer, policy: SummaryPolicy = SummaryPolicy()) -> Document:
    """Summaries of sections (down to ``policy.depth``) and an executive summary built from them."""
    index = doc.segment_index()
    targets = [sec for sec in doc.walk_sections() if sec.level <= policy.depth]
    requests, owners = [], []
    for sec in targets:
        segments = list(sec.all_segments())
        if not segments:
            continue
        if _section_chars(sec) < policy.min_chars:
            sec.summary = _verbatim(segments)
            continue
        requests.append(SummaryRequest(segments=segments, key=sec.id))
        owners.append(sec)
    for sec, summary in zip(owners, summarizer.summarize(requests)):
        sec.summary = summary
    # The executive summary rests on the top-level section summaries, never on a truncated document.
    top = [sec.summary for sec in doc.sections if sec.summary and sec.summary.sentences]
    if top:
        if summarizer.kind == "extractive":
            chosen = [index[s.sources[0]] for summ in top for s in summ.sentences if s.sources]
            doc.summary = summarizer.summarize([SummaryRequest(segments=chosen, key="document")])[0]
        else:
            pseudo = [
                Segment(id=",".join(s.sources), zh="", en=s.text) for summ in top for s in summ.sentences
            ]
            exec_summary = summarizer.summarize([SummaryRequest(segments=pseudo, key="document")])[0]
            # Map each executive sentence back to the real segments behind the section sentences it rests on.
            for sent in exec_summary.sentences:
                ids = []
                for pid in sent.sources:
                    ids.extend(x for x in pid.split(",") if x and x not in ids)
                sent.sources = ids
            doc.summary = exec_summary
    else:  # no sections (or depth 0): summarize the whole text; map-reduce keeps it within the model
        segments = list(doc.all_segments())
        if sum(len(s.zh) for s in segments) >= policy.min_chars:
            doc.summary = summarizer.summarize([SummaryRequest(segments=segments, key="document")])[0]
        elif segments:
            doc.summary = _verbatim(segments)
    for sec in targets:
        if sec.summary:
            _check_numbers(sec.summary, index)
    if doc.summary:
        _check_numbers(doc.summary, index)
    return doc

