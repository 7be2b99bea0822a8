"""Flags and figures as a reader reads them: shared by the Markdown, HTML and collection renderers.

A :class:`~pipeline.document.Flag` carries a machine reason (``number/magnitude``) and a detail written
by the stage that raised it. Here they become one line a person understands ("Figure off by a power of
ten: 551.2亿元 appears as 55.12 million in English"), with figures written out (``55.12 billion``, never
``5.512e+10``) and generation settings pulled out so that a page can state them once.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..document import Flag

# Text direction controls (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI) reorder what a reader sees without
# being visible; they never belong in a rendered report. Zero-width joiners are kept (emoji sequences).
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")

# What each (kind, reason) means for a reader; unknown pairs fall back to "kind: reason" in words.
REASONS: dict[tuple[str, str], str] = {
    ("number", "missing"): "Figure missing in the English",
    ("number", "extra"): "Figure in the English only",
    ("number", "magnitude"): "Figure off by a power of ten",
    ("number", "unit"): "Unit differs",
    ("number", "value"): "Figure differs",
    ("number", "percent-vs-points"): "Percent vs percentage points",
    ("number", "unsupported-number"): "Figure not in the cited sources",
    ("number", "unsupported-identifier"): "Identifier not in the cited sources",
    ("unsupported", "below-threshold"): "Not backed by the report",
    ("unsupported", "no-content"): "Nothing to check",
    ("name", "unsupported-name"): "Name not in the cited sources",
    ("term", "term-missing"): "Glossary term not used",
    ("degenerate", "repetition"): "Translation repeats itself",
    ("degenerate", "runaway-length"): "Translation ran to its length limit",
    ("ocr", "low-confidence"): "Figure read by OCR with low confidence",
    ("ocr", "marker-repaired"): "Heading marker repaired after OCR",
}


def ocr_note(provenance: dict | None) -> str:
    """"Read by OCR (tesseract 5.3.0, chi_sim): 10 pages, mean confidence 89 (p. 1: 90, p. 2: 88, …)", then
    the figures read with low confidence and the heading markers repaired, if any; empty when no page was
    read by OCR."""
    source = (provenance or {}).get("source")
    ocr = source.get("ocr") if isinstance(source, dict) else None
    if not isinstance(ocr, dict) or not ocr.get("pages"):
        return ""
    pages = [p for p in ocr["pages"] if isinstance(p, dict)]
    known = [float(p["confidence"]) for p in pages if p.get("confidence") is not None]
    mean = f", mean confidence {sum(known) / len(known):.0f}" if known else ""
    each = ", ".join(f"p. {p.get('page')}: {p['confidence']:.0f}" for p in pages if p.get("confidence") is not None)
    uncertain = len(ocr.get("uncertain_figures") or [])
    figures = f"; {uncertain} figure{'s' if uncertain != 1 else ''} read with low confidence" if uncertain else ""
    repaired = [r for r in ocr.get("repaired_markers") or [] if isinstance(r, dict)]
    markers = "; heading markers repaired from the markers around them: " + ", ".join(
        f"p. {r.get('page')}: {clean_text(str(r.get('read')))} as {clean_text(str(r.get('marker')))}" for r in repaired)
    engine = ", ".join(str(x) for x in (ocr.get("engine"), ocr.get("languages")) if x)
    return (f"Read by OCR ({clean_text(engine)}): {len(pages)} page{'s' if len(pages) != 1 else ''}{mean}"
            f"{f' ({each})' if each else ''}{figures}{markers if repaired else ''}")

_SCIENTIFIC = re.compile(r"(?<![\w.])([-+]?\d+(?:\.\d+)?[eE][-+]?\d+)(?![\w.])")
# "(no_repeat_ngram_size=3, repetition_penalty=1.2)": settings a stage wrote into a detail.
_SETTINGS = re.compile(r"\s*\((\s*[A-Za-z_][\w.]*=[^,()=]+(?:,\s*[A-Za-z_][\w.]*=[^,()=]+)*)\)")
_REPEATED = re.compile(r"(?<![\w.])(\d[\d,.]*(?: (?:trillion|billion|million))?) \(\1\)")
_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


def clean_text(text: str | None) -> str:
    """Input text as it may be shown: direction controls removed, ``None`` as empty."""
    return _BIDI.sub("", text or "")


def readable_number(value: float) -> str:
    """A figure as a reader writes it: ``55.12 billion``, ``34,381``, ``1.5``, ``-3.2 million``."""
    if not math.isfinite(value):
        return str(value)
    sign = "-" if value < 0 else ""
    value = abs(value)
    for scale, word in _SCALES:
        if value >= scale:
            return f"{sign}{_significant(value / scale)} {word}"
    if value >= 1000:
        if value >= 10_000 or value == int(value):
            return f"{sign}{round(value):,}"
        return sign + f"{value:,.2f}".rstrip("0").rstrip(".")
    return sign + _significant(value)


def _significant(value: float, digits: int = 4) -> str:
    """At most ``digits`` significant digits, no trailing zeros, no exponent (for values below 10,000)."""
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(value)))
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def readable_detail(detail: str) -> str:
    """A flag detail with every exponent figure (``5.512e+10``) written out (``55.12 billion``); a figure
    followed by the same figure in parentheses ("55.12 million (55.12 million)") is said once."""
    text = _SCIENTIFIC.sub(lambda m: readable_number(float(m.group(1))), clean_text(detail))
    return _REPEATED.sub(r"\1", text)


def split_settings(detail: str) -> tuple[str, str | None]:
    """A detail without its parenthesised ``key=value`` settings, and those settings (or None)."""
    match = _SETTINGS.search(detail)
    if match is None:
        return detail, None
    return (detail[: match.start()] + detail[match.end():]).strip(), match.group(1).strip()


def reason_label(flag: Flag) -> str:
    """The reader's name for a flag's reason, e.g. "Figure missing in the English"."""
    label = REASONS.get((flag.kind, flag.reason))
    if label:
        return label
    kind = clean_text(flag.kind).replace("-", " ").strip() or "flag"
    reason = clean_text(flag.reason).replace("-", " ").strip()
    return f"{kind.capitalize()}: {reason}" if reason else kind.capitalize()


@dataclass(frozen=True)
class FlagLine:
    """One flag ready to show: its reason label, a readable detail and the settings taken out of it."""

    kind: str
    label: str
    detail: str
    settings: str | None = None

    @property
    def text(self) -> str:
        return f"{self.label}: {self.detail}" if self.detail else self.label


def flag_line(flag: Flag) -> FlagLine:
    detail, settings = split_settings(readable_detail(flag.detail))
    return FlagLine(kind=clean_text(flag.kind), label=reason_label(flag), detail=detail, settings=settings)


def flag_lines(flags: Iterable[Flag]) -> list[FlagLine]:
    return [flag_line(f) for f in flags]


def short_marks(flags: Iterable[Flag]) -> str:
    """The reasons of a list of flags in a few words, repeated ones counted: "Figure missing in the English ×2"."""
    counts = Counter(reason_label(f) for f in flags)
    return "; ".join(label if n == 1 else f"{label} ×{n}" for label, n in counts.items())


def settings_note(settings: Iterable[str | None]) -> str | None:
    """One sentence for the settings pulled out of flag details (said once per page, not on every line)."""
    unique = sorted({s for s in settings if s})
    if not unique:
        return None
    return "Flagged translations were retried once with stricter settings: " + "; ".join(unique) + "."


def notices(provenance: dict | None) -> list[str]:
    """What a reader must know before reading a report at all, from its provenance: made with the tiny
    test models (gibberish by design), or a partial preview (``run --limit``). Shown on every output."""
    provenance = provenance if isinstance(provenance, dict) else {}
    out = []
    if provenance.get("tiny_models"):
        out.append("Made with the tiny test models (random weights): the English and the summaries are gibberish "
                   "by design. Use a real config for real translations (README, \"The real models\").")
    preview = provenance.get("preview")
    if isinstance(preview, dict) and preview.get("first_segments"):
        out.append(f"Partial preview: only the first {preview['first_segments']} segments of this report "
                   "(run --limit); the rest of the report is not here.")
    return out


def qa_counts(qa: dict) -> dict[str, object]:
    """The counts of a document's QA summary (no id lists): what a reader or a front matter shows."""
    keep = ("segments_checked", "segments_flagged", "flags_by_kind", "titles_checked", "titles_flagged",
            "summary_sentences", "summary_sentences_flagged")
    return {k: qa[k] for k in keep if k in qa and not isinstance(qa[k], list)}


def qa_sentence(qa: dict) -> str:
    """The QA counts in one sentence: "12 of 135 segments flagged (number 10, term 2); ..."."""
    if not qa:
        return "Not checked."
    parts = []
    if "segments_checked" in qa:
        text = f"{qa.get('segments_flagged', 0)} of {qa['segments_checked']} segments flagged"
        kinds = qa.get("flags_by_kind") or {}
        if isinstance(kinds, dict) and kinds:
            text += " (" + ", ".join(f"{clean_text(str(k))} {v}" for k, v in kinds.items()) + " flags)"
        parts.append(text)
    if qa.get("summary_sentences"):
        parts.append(f"{qa.get('summary_sentences_flagged', 0)} of {qa['summary_sentences']} summary sentences flagged")
    if qa.get("titles_flagged"):
        parts.append(f"{qa['titles_flagged']} of {qa.get('titles_checked', '?')} headings flagged")
    return "; ".join(parts) + "." if parts else "Not checked."


_URL_SAFE = ":/?&=#%~+.,;@!$*-_"  # what stays as it is in a linked URL ("|", brackets, spaces are encoded)


def source_link(meta: dict | None) -> str:
    """The page a report was scraped from (a table input's ``source_url``/``url`` column), as a link target:
    http(s) only (never ``javascript:`` or a local path), percent-encoded; "" when there is none."""
    from urllib.parse import quote

    url = str((meta or {}).get("source_url") or (meta or {}).get("url") or "").strip()
    return quote(url, safe=_URL_SAFE) if url.startswith(("https://", "http://")) else ""
