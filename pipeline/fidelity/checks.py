"""Check that a translation keeps the source's figures, names with numbers, identifiers and fixed terms.

Figures are compared after normalisation (:mod:`.quantities`), so ``551.2亿元`` and ``55.12
billion yuan`` agree while ``5.512 billion`` is reported as a magnitude error. A figure is reported
only when the other side has nothing that matches it; forms that translators legitimately add or drop
(spelled-out small numbers, ordinals of names the Chinese abbreviates, "this year" for 2025年) support a
match but are not reported themselves. Ordinals of plans, congresses and sessions (:mod:`.names`) are
figures with their name's class as unit; identifiers (:mod:`.identifiers`) must be written the same way.
Terms come from a curated :class:`Glossary`: a term in the source whose renderings are all absent from
the translation (across inflection and word order) is reported as ``term-missing``.

Every flag is of kind "number" (reasons ``magnitude``, ``percent-vs-points``, ``unit``, ``value``,
``missing``, ``extra``, ``identifier``; in summaries ``unsupported-number``, ``unsupported-identifier``)
or "term" (``term-missing``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from pipeline.document import Document, Flag, Segment, Summary

from .glossary import Glossary, english_stems, rendering_present
from .identifiers import check_identifiers, extract_identifiers
from .matching import FigurePool, diagnosis_candidates, first_loose_candidate, unmatched
from .quantities import NAME_UNITS, Quantity, format_quantity, kinds_compatible, units_compatible, values_match
from .quantities_en import extract_en
from .quantities_zh import extract_zh

__all__ = [
    "check_numbers",
    "check_terms",
    "check_pair",
    "check_document",
    "check_summary_sentence",
    "check_summary",
    "relative_years_zh",
    "relative_years_en",
    "report_year_of",
]


def check_terms(zh: str, en: str, glossary: Glossary) -> list[Flag]:
    """One ``term-missing`` flag per glossary term in ``zh`` none of whose renderings is in ``en``.

    Terms are found with :meth:`Glossary.terms_in` (a longer term hides the shorter ones inside it:
    新型城镇化 vs 城镇化); renderings match across inflection and word order (:func:`rendering_present`).
    """
    en_stems = english_stems(en)
    flags = []
    for entry in glossary.terms_in(zh):
        if any(rendering_present(r, en_stems) for r in entry.renderings):
            continue
        expected = " | ".join(entry.renderings)
        flags.append(Flag("term", "term-missing", f"{entry.zh} should appear as one of: {expected}"))
    return flags


# --------------------------------------------------------------------------------------------------
# Numbers

# Relative years, and which year each denotes relative to the year the report was given (a work
# report given in 2025 reviews 2024 as 过去一年 and plans 2025 as 今年; 全年 and 同期 can be either).
_ZH_RELATIVE_YEARS = {
    "去年": (-1,), "上年": (-1,), "过去一年": (-1,), "一年来": (-1,), "前年": (-2,), "今年": (0,), "本年": (0,),
    "新的一年": (0,), "明年": (1,), "全年": (-1, 0), "当年": (-1, 0), "年内": (0,), "上半年": (-1, 0),
    "下半年": (-1, 0), "年初": (-1, 0), "年底": (-1, 0), "同期": (-1, 0),
}
_EN_RELATIVE_YEARS = {
    r"\blast\s+year\b": (-1,), r"\bpast\s+year\b": (-1,), r"\bprevious\s+year\b": (-1,),
    r"\ba\s+year\s+(?:earlier|ago)\b": (-1,), r"\bthis\s+year\b": (0,), r"\bcoming\s+year\b": (0, 1),
    r"\bnext\s+year\b": (1,), r"\byear[\s-]on[\s-]year\b": (-1, 0), r"\bthe\s+year\b": (-1, 0),
    r"\b(?:first|second)\s+half\b": (-1, 0), r"\bsame\s+period\b": (-1, 0),
}
_EN_RELATIVE_YEAR_PATTERNS = [(re.compile(p, re.I), offsets) for p, offsets in _EN_RELATIVE_YEARS.items()]


def relative_years_zh(zh: str, report_year: int | None) -> set[float] | None:
    """The years 今年/去年/... in ``zh`` can denote: empty if none is named, None if any year would do."""
    found = [offsets for word, offsets in _ZH_RELATIVE_YEARS.items() if word in zh]
    return _resolve(found, report_year)


def relative_years_en(en: str, report_year: int | None) -> set[float] | None:
    """The years "this year"/"last year"/... in ``en`` can denote: empty if none, None if any year would do."""
    found = [offsets for pattern, offsets in _EN_RELATIVE_YEAR_PATTERNS if pattern.search(en)]
    return _resolve(found, report_year)


def _resolve(found: list[tuple[int, ...]], report_year: int | None) -> set[float] | None:
    if not found:
        return set()
    if report_year is None:
        return None  # without the report's date a relative year can be any year
    return {float(report_year + offset) for offsets in found for offset in offsets}


def _excused_year(q: Quantity, relative: set[float] | None) -> bool:
    """A year the other side names relatively (今年 for 2025 in a report of 2025) is not missing."""
    return q.kind == "year" and (relative is None or q.value in relative)


def _is_power_of_ten_apart(a: float, b: float) -> bool:
    if a == 0 or b == 0 or a == b:
        return False
    ratio = max(a, b) / min(a, b)
    for exponent in range(1, 13):
        if abs(ratio / 10**exponent - 1) < 0.02:
            return True
    return False


_NAME_CLASSES = {"plan": "a plan", "edition": "an edition", "plenary": "a plenary session", "session": "a session",
                 "anniversary": "an anniversary"}


def _unit_name(q: Quantity) -> str:
    if q.unit in _NAME_CLASSES:
        return f"the ordinal of {_NAME_CLASSES[q.unit]}"
    return q.unit or "a plain count"


def _mismatch(z: Quantity, e: Quantity, loose: bool) -> Flag | None:
    """Why ``e`` looks like a wrong rendering of ``z``, or None if they look unrelated.

    The specific diagnoses come first; ``loose`` allows the last resort, "a different value of the
    same sort", which is only tried once no English figure explains ``z`` more specifically.
    """
    if {z.kind, e.kind} == {"percent", "points"} and values_match(z, e):
        what = "a percent" if z.kind == "percent" else "a percentage-point"
        return Flag("number", "percent-vs-points", f"{z.text} is {what} figure but English has {e.text}")
    if not kinds_compatible(z, e):
        return None
    if units_compatible(z, e) and _is_power_of_ten_apart(z.value, e.value):
        return Flag("number", "magnitude",
                    f"{format_quantity(z)} appears as {format_quantity(e)} in English: off by a power of ten")
    if not units_compatible(z, e) and values_match(z, e):
        return Flag("number", "unit", f"{z.text} ({_unit_name(z)}) appears with another unit in English: "
                                      f"{e.text} ({_unit_name(e)})")
    if loose and units_compatible(z, e):
        return Flag("number", "value", f"{format_quantity(z)} appears as {format_quantity(e)} in English")
    return None


def _without_year_named_editions(unmatched_zh: list[Quantity], en_quantities: list[Quantity]) -> list[Quantity]:
    """第十二届世界运动会 may be "the World Games 2025": each year naming an edition excuses one edition ordinal."""
    years = sum(1 for e in en_quantities if e.kind == "year" and e.unit == "edition")
    kept = []
    for z in unmatched_zh:
        if years and z.kind == "ordinal" and z.unit == "edition":
            years -= 1
            continue
        kept.append(z)
    return kept


def _diagnose(
    unmatched_zh: list[Quantity], unmatched_en: list[Quantity], optional_en: list[Quantity], zh_names: list[Quantity]
) -> list[Flag]:
    """One flag per unmatched Chinese figure (what the English made of it, or missing), then the extras.

    Each Chinese figure takes the first English figure that explains it specifically (percent vs points,
    a power of ten, another unit), else the first of the same sort ("value"); an English figure explains
    one Chinese figure at most. ``optional_en`` (unmatched name ordinals: "the 19th Five-Year Plan") may
    explain a Chinese figure; left over, they are reported as extra only where the Chinese numbers names of
    that class itself (``zh_names``): 二十大 and 二十届 for "the 20th ... and the 21st ...". Candidates come
    from a :class:`FigurePool`, so this is linear, not quadratic.
    """
    candidates = unmatched_en + optional_en
    pool = FigurePool(candidates)
    flags: list[Flag] = []
    for z in unmatched_zh:
        flag = None
        for i in diagnosis_candidates(z, pool):
            flag = _mismatch(z, candidates[i], loose=False)
            if flag is not None:
                break
        if flag is None:
            i = first_loose_candidate(z, pool)
            flag = _mismatch(z, candidates[i], loose=True) if i is not None else None
        if flag is None:
            flag = Flag("number", "missing", f"{format_quantity(z)} has no counterpart in English")
        else:
            pool.remove(i)
        flags.append(flag)
    named = {z.unit for z in zh_names}
    for i in pool.remaining():
        if i >= len(unmatched_en) and candidates[i].unit not in named:
            continue  # a name the Chinese gives without its number ("全会", "the third plenary session")
        flags.append(Flag("number", "extra", f"English has {format_quantity(candidates[i])} with no counterpart in Chinese"))
    return flags


def check_numbers(zh: str, en: str, report_year: int | None = None) -> list[Flag]:
    """Flags for figures in ``zh`` without a counterpart in ``en`` and the other way round.

    ``report_year`` (the year the report was given) lets a year on one side be checked against 今年 or
    "last year" on the other; without it any year is accepted against a relative one.
    """
    zh_quantities = extract_zh(zh)
    en_quantities = extract_en(en)
    unmatched_zh = unmatched(zh_quantities, en_quantities)
    # Spelled-out and other optional English figures support matches but never explain a mismatch:
    # "one of the ten" must not turn a missing 10个 into a magnitude error.
    unmatched_en = unmatched(en_quantities, zh_quantities)

    en_relative, zh_relative = relative_years_en(en, report_year), relative_years_zh(zh, report_year)
    unmatched_zh = [z for z in unmatched_zh if not _excused_year(z, en_relative)]
    unmatched_en = [e for e in unmatched_en if not _excused_year(e, zh_relative)]
    unmatched_zh = _without_year_named_editions(unmatched_zh, en_quantities)
    zh_pool = FigurePool(zh_quantities)  # name ordinals of the English that render none of the Chinese figures
    optional_en = [e for e in en_quantities
                   if e.kind == "ordinal" and e.unit in NAME_UNITS and not e.must_match and not zh_pool.has_match(e)]
    zh_names = [z for z in zh_quantities if z.unit in NAME_UNITS]
    flags = _diagnose(unmatched_zh, unmatched_en, optional_en, zh_names)
    return flags + check_identifiers(zh, en)


def check_pair(zh: str, en: str, glossary: Glossary | None = None, report_year: int | None = None) -> list[Flag]:
    """Number flags, then term flags (when a glossary is given), for one source sentence and its translation."""
    flags = check_numbers(zh, en, report_year)
    if glossary is not None:
        flags += check_terms(zh, en, glossary)
    return flags


def _summary_of(checked: list[Segment], flagged: list[Segment]) -> dict:
    by_reason: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    for segment in flagged:
        for flag in segment.flags:  # every kind, so the QA summary agrees with what the reader sees
            by_reason[flag.reason] += 1
            by_kind[flag.kind] += 1
    return {
        "segments_checked": len(checked),
        "segments_flagged": len(flagged),
        "flags_by_kind": dict(sorted(by_kind.items())),
        "flags_by_reason": dict(sorted(by_reason.items())),
        "flagged_segments": [s.id for s in flagged],
    }


def report_year_of(doc: Document) -> int | None:
    """The year the report was issued, from its date line (2020年8月) or its 发布日期-like metadata."""
    for text in [doc.date or "", *doc.meta.values()]:
        match = re.search(r"(19|20)\d{2}(?=\s*年|[-/.])", str(text))
        if match:
            return int(match.group(0))
    return None


def check_document(doc: Document, glossary: Glossary | None = None, report_year: int | None = None) -> dict:
    """Add number/term flags to every translated segment (in place) and return the QA summary for ``doc.qa``.

    Flags of other kinds (e.g. "degenerate" from the translator) are kept; earlier number/term flags
    are replaced, so checking twice gives the same result. ``report_year`` defaults to the year in
    the document's date line.
    """
    if report_year is None:
        report_year = report_year_of(doc)
    checked: list[Segment] = []
    flagged: list[Segment] = []
    for segment in doc.all_segments():
        if not segment.en:
            continue
        checked.append(segment)
        kept = [f for f in segment.flags if f.kind not in {"number", "term"}]
        if segment.table is not None:  # a table: each cell checked like a sentence, the flag naming it
            new = [Flag(f.kind, f.reason, f"row {r + 1}, column {c + 1}: {f.detail}")
                   for r, c, cell in segment.table.positions() if cell.en
                   for f in check_pair(cell.zh, cell.en, glossary, report_year)]
        else:
            new = check_pair(segment.zh, segment.en, glossary, report_year)
        segment.flags = kept + new
        if segment.flags:
            flagged.append(segment)
    summary = _summary_of(checked, flagged)
    # Headings carry figures too (（一）新增城镇就业3万人以上。): checked the same way.
    titles = [doc.title] + [sec.title for sec in doc.walk_sections()]
    titles_flagged = 0
    for title in titles:
        if title.en:  # flags of other kinds (a heading marker repaired after OCR) are kept
            title.flags = [f for f in title.flags if f.kind not in {"number", "term"}] + check_pair(
                title.zh, title.en, glossary, report_year)
            titles_flagged += bool(title.flags)
    summary["titles_checked"] = sum(1 for t in titles if t.en)
    summary["titles_flagged"] = titles_flagged
    _check_summaries(doc, glossary, report_year)
    summary["glossary"] = glossary.source if glossary is not None else None
    summary["report_year"] = report_year
    return summary


SUMMARY_FLAG_KINDS = frozenset({"number", "unsupported", "name"})


def check_summary(summary: Summary, segments: list[Segment], glossary: Glossary | None = None,
                  report_year: int | None = None) -> None:
    """Check every sentence of ``summary`` against ``segments`` (what it summarizes), in place.

    An abstractive sentence is grounded again (:mod:`.grounding`, with the glossary's renderings of the
    sources' Chinese): its sources and support are replaced, below the threshold it loses its sources and is
    flagged ``unsupported``, its names absent from its sources are flagged ``name``. Every sentence's figures
    and identifiers are checked against its sources (:func:`check_summary_sentence`). Earlier flags of
    these kinds are replaced (checking twice gives the same result); others (``degenerate``) are kept."""
    from .grounding import SourceIndex

    index_by_id = {s.id: s for s in segments}
    grounding = SourceIndex(segments, glossary) if summary.method.startswith("abstractive") else None
    for sent in summary.sentences:
        kept = [f for f in sent.flags if f.kind not in SUMMARY_FLAG_KINDS]
        new: list[Flag] = []
        if grounding is not None:
            g = grounding.ground(sent.text)
            sent.sources, sent.support = g.sources, g.support
            new += g.flags
        sources = [index_by_id[i] for i in sent.sources if i in index_by_id]
        if sources or grounding is None:
            new += check_summary_sentence(sent.text, sources, report_year)
        sent.flags = kept + new


def _check_summaries(doc: Document, glossary: Glossary | None, report_year: int | None) -> None:
    """Every summary of ``doc``: a section's against its own segments, the executive one against all."""
    everything = list(doc.all_segments())
    for sec in doc.walk_sections():
        if sec.summary:
            check_summary(sec.summary, list(sec.all_segments()), glossary, report_year)
    if doc.summary:
        check_summary(doc.summary, everything, glossary, report_year)


def check_summary_sentence(
    text_en: str, source_segments: Iterable[Segment], report_year: int | None = None
) -> list[Flag]:
    """Flag every figure in an English summary sentence that its source segments do not support.

    A figure is supported when it matches (after normalisation) a figure in a source segment's
    translation or in its Chinese source; spelled-out small numbers are supported by anything. A year
    may stand for 今年/去年 in the sources: pass ``report_year`` (as :func:`check_document` does, from
    :func:`report_year_of`) so that only the year meant is accepted. An identifier (C919, G20) must be
    written the same way in a source.
    """
    segments = list(source_segments)
    support = FigurePool([q for s in segments for q in extract_zh(s.zh)]
                         + [q for s in segments if s.en for q in extract_en(s.en)])
    relative: set[float] | None = set()
    for s in segments:
        for years in (relative_years_zh(s.zh, report_year), relative_years_en(s.en or "", report_year)):
            relative = None if relative is None or years is None else relative | years
    flags = []
    where = ", ".join(s.id for s in segments) or "no source segments"
    for q in extract_en(text_en):
        named = q.unit in NAME_UNITS and any(c.isdigit() for c in q.text)  # "the 14th Five-Year Plan"
        if not (q.must_match or named) or support.has_match(q):
            continue
        if _excused_year(q, relative):
            continue
        flags.append(Flag("number", "unsupported-number", f"{format_quantity(q)} is not in its sources ({where})"))
    known = {i.parts[0] for s in segments for text in (s.zh, s.en or "") for i in extract_identifiers(text) if i.code}
    for i in extract_identifiers(text_en):
        if i.code and i.parts[0] not in known:
            flags.append(Flag("number", "unsupported-identifier", f"{i.text} is not in its sources ({where})"))
    return flags

