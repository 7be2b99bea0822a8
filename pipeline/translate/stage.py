"""The translation stage: which strings of a document need English, the service that translates them
(deduplication, persistent cache, chunking, retries of degenerate output) and writing ``en`` back.

Every engine goes through :class:`TranslationService`; the Ray engine only swaps its ``produce`` step.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..document import Document, Flag
from .base import GenerationSettings, Translator, find_degeneration
from .memory import recalled

if TYPE_CHECKING:
    from .cache import TranslationCache

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
ProgressCallback = Callable[[int], None]  # called with the number of newly finished texts


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
    human: int = 0  # segments whose English is a person's (import-edits), not translated
    memory: int = 0  # segments whose English came from the translation memory, not translated
    offered: int = 0  # fuzzy memory matches offered beside the model's English

    def add_recall(self, counts: Any) -> None:
        """Count what :func:`pipeline.translate.memory.recall` filled in or offered for a document."""
        self.human += counts.human
        self.memory += counts.exact + counts.fuzzy_used
        self.offered += counts.fuzzy_offered


# Turns texts missing from the cache (shortest first) into results, chunk by chunk.
Produce = Callable[[list[str], TranslationStats], Iterable[dict[str, TranslatedText]]]


def translator_signature(translator: Translator, settings: GenerationSettings, guard: bool) -> dict[str, Any]:
    """The facts that decide a translation: the cache key and the provenance both use them."""
    sign = getattr(translator, "signature", None)
    sig = dict(sign()) if callable(sign) else {
        "model": translator.model_name, "revision": translator.revision, "backend": translator.backend,
        "max_input_tokens": translator.max_input_tokens,
    }
    sig["generation"] = settings.to_dict()
    sig["repetition_guard"] = guard
    return sig


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
    cache: TranslationCache | None = None,
    progress: ProgressCallback | None = None,
    stats: TranslationStats | None = None,
) -> dict[str, TranslatedText]:
    """Unique ``texts`` translated once: from ``cache`` when there, else by ``produce`` (which yields
    results chunk by chunk, shortest texts first); each chunk is written to the cache as it arrives, so a
    killed run loses at most one chunk."""
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


class TranslationService:
    """A translator with its decoding settings, repetition guard and (optional) cache: the one way texts
    are translated. ``produce`` replaces the local model calls (the Ray engine passes its actor pool);
    by default texts go to ``translator`` ``chunk_size`` at a time."""

    def __init__(
        self,
        translator: Translator,
        settings: GenerationSettings | None = None,
        *,
        guard: bool = True,
        cache: TranslationCache | None = None,
        produce: Produce | None = None,
        chunk_size: int = 64,
    ):
        self.translator = translator
        self.settings = settings or GenerationSettings()
        self.guard = guard
        self.cache = cache
        self.produce = produce or self.produce_locally
        self.chunk_size = chunk_size

    def signature(self) -> dict[str, Any]:
        return translator_signature(self.translator, self.settings, self.guard)

    def produce_locally(self, todo: list[str], stats: TranslationStats) -> Iterator[dict[str, TranslatedText]]:
        for start in range(0, len(todo), self.chunk_size):
            chunk = todo[start : start + self.chunk_size]
            yield translate_guarded(chunk, self.translator, self.settings, guard=self.guard, stats=stats)

    def translate(
        self, texts: Iterable[str], progress: ProgressCallback | None = None, stats: TranslationStats | None = None
    ) -> dict[str, TranslatedText]:
        """Unique non-blank ``texts`` (each within the translator's input limit) -> their translations."""
        stats = stats if stats is not None else TranslationStats()
        return translate_cached(
            texts, self.signature(), lambda todo: self.produce(todo, stats),
            cache=self.cache, progress=progress, stats=stats,
        )

    def translate_list(self, texts: list[str]) -> list[str]:
        """Plain strings in, plain strings out (long texts split to fit and joined again); no flags."""
        pieces = {t: split_for_translator(t, self.translator) for t in texts}
        done = self.translate([p for ps in pieces.values() for p in ps])
        return [_join_en([done[p].en for p in pieces[t] if p in done]) for t in texts]


def translate_texts(
    texts: Iterable[str],
    translator: Translator,
    settings: GenerationSettings,
    *,
    cache: TranslationCache | None = None,
    guard: bool = True,
    progress: ProgressCallback | None = None,
    stats: TranslationStats | None = None,
    chunk_size: int = 64,
) -> dict[str, TranslatedText]:
    """Shorthand for ``TranslationService(translator, settings, guard=..., cache=...).translate(texts)``."""
    service = TranslationService(translator, settings, guard=guard, cache=cache, chunk_size=chunk_size)
    return service.translate(texts, progress=progress, stats=stats)


def split_for_translator(text: str, translator: Translator) -> list[str]:
    """Pieces of ``text`` that each fit the translator (clause boundaries first; never truncated)."""
    if translator.count_tokens(text) <= translator.max_input_tokens:
        return [text]
    from ..segment import split_long_sentence

    return split_long_sentence(text, translator.max_input_tokens, translator.count_tokens)


def texts_to_translate(doc: Document, translator: Translator) -> list[str]:
    """Every string of ``doc`` that needs an English version, split to fit the translator, in order
    (segments whose English came from a translation memory or a person are left out)."""
    out: list[str] = []
    if doc.title.zh and not recalled(doc.title):
        out.extend(split_for_translator(doc.title.zh, translator))
    for sec in doc.walk_sections():
        if sec.title.zh and not recalled(sec.title):
            out.extend(split_for_translator(sec.title.zh, translator))
    for seg in doc.all_segments():
        if recalled(seg):
            continue  # English from the translation memory or a person (pipeline/translate/memory.py)
        if seg.table is not None:  # a table: its cells, each a short text of its own (repeated ones once)
            for cell in seg.table.cells():
                if cell_needs_translation(cell.zh):
                    out.extend(split_for_translator(cell.zh, translator))
            continue
        for piece in seg.pieces or [seg.zh]:
            out.extend(split_for_translator(piece, translator))
    return out


def cell_needs_translation(text: str) -> bool:
    """A table cell goes to the translator when it holds Chinese; figures, units in Latin letters and
    dashes are the same in English and stay as they are."""
    return bool(_CJK.search(text))


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

    for title in [doc.title] + [sec.title for sec in doc.walk_sections()]:
        if title.zh and not recalled(title):
            title.en, _ = english(title.zh)
            title.origin = "model"
    for seg in doc.all_segments():
        if recalled(seg):
            continue
        parts, flags = [], []
        if seg.table is not None:
            for cell in seg.table.cells():
                cell.en, fl = english(cell.zh) if cell_needs_translation(cell.zh) else (cell.zh, [])
                flags.extend(fl)
            seg.en = seg.table.text("en")
            seg.flags = [f for f in seg.flags if f.kind != "degenerate"] + _dedupe_flags(flags)
            continue
        for piece in seg.pieces or [seg.zh]:
            en, fl = english(piece)
            parts.append(en)
            flags.extend(fl)
        seg.en = _join_en(parts)
        seg.origin = "model"
        seg.flags = [f for f in seg.flags if f.kind != "degenerate"] + _dedupe_flags(flags)
    return doc


def translate_document(doc: Document, service: TranslationService, progress: ProgressCallback | None = None,
                       stats: TranslationStats | None = None) -> Document:
    """The translation stage for one document (in place; returned): every string, through ``service``."""
    done = service.translate(texts_to_translate(doc, service.translator), progress=progress, stats=stats)
    return apply_translations(doc, service.translator, done)


def _dedupe_flags(flags: list[Flag]) -> list[Flag]:
    seen, out = set(), []
    for f in flags:
        key = (f.kind, f.reason)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
