"""Summaries: section summaries (down to ``SummaryPolicy.depth``) and an executive summary built from the
top-level ones, for one document or for a group of documents at once (all their inputs in the same
length-sorted batches). Every summary sentence lists the segment ids it rests on (none when they do not back
it: :mod:`pipeline.fidelity.grounding`); its checks (support, names, figures) are the fidelity stage's
(:func:`pipeline.fidelity.check_document`, behind ``fidelity.enabled``).

Rooms: ``linking`` (sentence splitting, source linking), ``extractive`` (TextRank), ``abstractive``
(seq2seq with map-reduce, on the transformers or CTranslate2 backend).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..document import Document, Section, Segment, Summary, SummarySentence
from .base import Summarizer, SummarizerStats, SummaryRequest
from .extractive import ExtractiveSummarizer
from .linking import best_sources, link_sentences, split_english_sentences

__all__ = [
    "ExtractiveSummarizer",
    "Summarizer",
    "SummarizerStats",
    "SummaryPolicy",
    "SummaryRequest",
    "best_sources",
    "link_sentences",
    "build_summarizer",
    "split_english_sentences",
    "summarize_document",
    "summarize_documents",
]


@dataclass(frozen=True)
class SummaryPolicy:
    depth: int = 1  # summarize sections of level <= depth
    min_chars: int = 120  # sections with less Chinese text than this are shown as they are

    @classmethod
    def from_config(cls, sc: Any) -> SummaryPolicy:
        return cls(sc.depth, sc.min_chars)


def build_summarizer(
    config: Any, translate: Callable[[list[str]], list[str]] | None = None
) -> tuple[Summarizer | None, dict[str, Any]]:
    """The summarizer of ``config.summarizer`` and the facts that identify it (provenance, run signature).

    ``translate`` turns Chinese summaries into English (needed for ``input: zh``)."""
    sc = config.summarizer
    if sc.kind == "none":
        return None, {"kind": "none"}
    if sc.kind == "extractive":
        info = {"kind": "extractive", "method": "textrank-jieba", "sentences": sc.extractive_sentences,
                "chars": sc.extractive_chars}
        return ExtractiveSummarizer(sc.extractive_sentences, sc.extractive_chars), info
    from ..translate.registry import summarizer_backend_class
    from .abstractive import AbstractiveSummarizer, resolve_summarizer_model

    generator = summarizer_backend_class(sc.backend).from_config(config)
    summarizer = AbstractiveSummarizer(
        generator, input_lang=sc.input, num_beams=sc.num_beams, min_length_ratio=sc.min_length_ratio,
        max_length_ratio=sc.max_length_ratio, min_new_tokens=sc.min_new_tokens, max_new_tokens=sc.max_new_tokens,
        batch_tokens=sc.batch_tokens, translate=translate, long_inputs=sc.long_inputs,
    )
    model = resolve_summarizer_model(config)
    info = {"kind": "abstractive", "model": model.name, "revision": model.revision, "input": sc.input,
            "num_beams": sc.num_beams, "max_input_tokens": summarizer.max_input_tokens, "long_inputs": sc.long_inputs,
            "no_repeat_ngram_size": summarizer.no_repeat_ngram_size,
            "length_ratio": [sc.min_length_ratio, sc.max_length_ratio], "new_tokens": [sc.min_new_tokens, sc.max_new_tokens]}
    if getattr(generator, "dtype", "float32") != "float32":  # float32 unsigned: earlier runs stay valid
        info["dtype"] = generator.dtype
    if generator.backend != "transformers":  # backend auto: the one it chose
        from ..models import folder_fingerprint

        ct2 = config.resolve_path(sc.ct2_model)
        info["backend"] = f"{generator.backend}-{sc.ct2_compute_type}+{folder_fingerprint(ct2)}"
    return summarizer, info


def _section_chars(sec: Section) -> int:
    return sum(len(s.zh) for s in sec.all_segments())


def _verbatim(segments: list[Segment]) -> Summary:
    return Summary(sentences=[SummarySentence(text=s.en or "", sources=[s.id]) for s in segments], method="verbatim")


def _section_requests(doc: Document, policy: SummaryPolicy) -> list[tuple[Section, SummaryRequest]]:
    """Requests for the sections to summarize; sections too short for a summary get a verbatim one."""
    out = []
    for sec in doc.walk_sections():
        if sec.level > policy.depth:
            continue
        segments = list(sec.all_segments())
        if not segments:
            continue
        if _section_chars(sec) < policy.min_chars:
            sec.summary = _verbatim(segments)
            continue
        out.append((sec, SummaryRequest(segments=segments, key=sec.id)))
    return out


def _cited_segments(doc: Document, top: list[Summary]) -> list[Segment]:
    """The segments the top-level summaries cite, once each, in document order."""
    cited = {sid for summ in top for s in summ.sentences for sid in s.sources}
    return [s for s in doc.all_segments() if s.id in cited]


def _executive_request(doc: Document, summarizer: Summarizer, policy: SummaryPolicy) -> SummaryRequest | None:
    """The executive summary's request, never on a truncated document, always grounded on the document's
    segments: an English summarizer reads the top-level section summaries (their sentences linked to the
    real segments, not to the summaries); a Chinese one (``input: zh``) and the extractive one read the
    segments those summaries cite, with their Chinese. A document without sections is summarized whole
    (map-reduce keeps it within the model)."""
    top = [sec.summary for sec in doc.sections if sec.summary and sec.summary.sentences]
    cited = _cited_segments(doc, top) if top else []
    if summarizer.kind == "extractive" and cited:
        return SummaryRequest(segments=cited, key="document")
    if top and getattr(summarizer, "input_lang", "en") == "zh" and cited:
        return SummaryRequest(segments=cited, key="document", ground_on=list(doc.all_segments()))
    if top and summarizer.kind != "extractive" and getattr(summarizer, "input_lang", "en") != "zh":
        read = [Segment(id=f"summary-{i}", zh="", en=s.text)
                for i, s in enumerate(s for summ in top for s in summ.sentences)]
        return SummaryRequest(segments=read, key="document", ground_on=list(doc.all_segments()))
    segments = list(doc.all_segments())
    if sum(len(s.zh) for s in segments) >= policy.min_chars:
        return SummaryRequest(segments=segments, key="document")
    if segments:
        doc.summary = _verbatim(segments)
    return None


def summarize_documents(
    docs: Sequence[Document], summarizer: Summarizer, policy: SummaryPolicy = SummaryPolicy()
) -> list[Document]:
    """Summaries of every document of ``docs`` (in place; returned): the section inputs of all documents in
    one summarizer call, then all executive summaries in a second one. Same output as one by one."""
    sections = [pair for doc in docs for pair in _section_requests(doc, policy)]
    for (sec, _), summary in zip(sections, summarizer.summarize([req for _, req in sections])):
        sec.summary = summary
    executive = [(doc, _executive_request(doc, summarizer, policy)) for doc in docs]
    executive = [(doc, req) for doc, req in executive if req is not None]
    for (doc, _), summary in zip(executive, summarizer.summarize([req for _, req in executive])):
        doc.summary = summary
    return list(docs)


def summarize_document(doc: Document, summarizer: Summarizer, policy: SummaryPolicy = SummaryPolicy()) -> Document:
    """Summaries of one document's sections and its executive summary (in place; returned)."""
    return summarize_documents([doc], summarizer, policy)[0]
