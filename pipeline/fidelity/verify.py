"""Verify any English text about a report (a summary, a briefing, an article) against the report's pairs.

Each English sentence is grounded (:mod:`.grounding`) on the report's segments and its figures and
identifiers checked against the sources it rests on (:func:`.checks.check_summary_sentence`): the
``verify`` command. Pure functions over plain data; the CLI reads the files and prints.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pipeline.document import Flag, Segment

from .checks import check_summary_sentence
from .glossary import Glossary
from .grounding import SUPPORT_THRESHOLD, SourceIndex
from .pairs import Pair

__all__ = ["Verdict", "markdown_sentences", "verify_sentences", "verify_summary", "verdicts_markdown"]


@dataclass
class Verdict:
    """One English sentence of the text: its sources (best first), support, and flags."""

    sentence: str
    sources: list[str]
    support: float
    supported: bool
    flags: list[Flag] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "sources": list(self.sources), "support": round(self.support, 3),
                "supported": self.supported, "flags": [f.to_dict() for f in self.flags]}


_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
_QUOTE = re.compile(r"^\s*>\s?")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")


def markdown_sentences(text: str) -> list[str]:
    """The English sentences of plain or Markdown ``text``, in order: list items, table rows and paragraphs are
    blocks of their own; markup (emphasis, links, images, HTML tags, quotes, table bars) is dropped, the words
    kept; Markdown headings (labels, not claims) and fenced code are left out. Sentences are split by pysbd (:func:`split_english_sentences`)."""
    from pipeline.summarize.linking import split_english_sentences

    blocks: list[str] = []
    current: list[str] = []
    in_fence = False

    def flush() -> None:
        if current:
            blocks.append(" ".join(current))
            current.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if _FENCE.match(raw):
            in_fence = not in_fence
            flush()
            continue
        if in_fence:
            continue
        line = _QUOTE.sub("", raw)
        if not line.strip() or _RULE.match(line) or _TABLE_RULE.match(line):
            flush()
            continue
        if _HEADING.match(line):  # a label, not a claim
            flush()
            continue
        item = _ITEM.match(line)
        if item:
            flush()
            line = item.group(1)
        line = _EMPHASIS.sub("", _TAG.sub("", _LINK.sub(r"\1", _IMAGE.sub(r"\1", line))))
        if line.strip().startswith("|"):  # a table row: its cells as one sentence of its own
            flush()
            blocks.append("; ".join(c.strip() for c in line.strip().strip("|").split("|") if c.strip()))
            continue
        current.append(line.strip())
    flush()
    return [s for block in blocks for s in split_english_sentences(block)]


def verify_sentences(sentences: list[str], segments: list[Segment], glossary: Glossary | None = None,
                     report_year: int | None = None) -> list[Verdict]:
    """A :class:`Verdict` per sentence: grounded on ``segments``, figures checked against its sources."""
    index = SourceIndex(segments, glossary)
    by_id = {s.id: s for s in segments}
    out = []
    for sentence in sentences:
        g = index.ground(sentence)
        flags = list(g.flags)
        if g.supported:
            flags = check_summary_sentence(sentence, [by_id[i] for i in g.sources], report_year) + flags
        out.append(Verdict(sentence, g.sources, g.support, g.supported, flags, g.candidates))
    return out


def segments_of(pairs: list[Pair]) -> list[Segment]:
    return [Segment(id=p.id, zh=p.zh, en=p.en) for p in pairs]


def verify_summary(verdicts: list[Verdict]) -> dict[str, Any]:
    """Counts: sentences, supported, flagged, flags by kind."""
    kinds = Counter(f.kind for v in verdicts for f in v.flags)
    return {"sentences": len(verdicts), "supported": sum(v.supported for v in verdicts),
            "flagged": sum(bool(v.flags) for v in verdicts), "flags_by_kind": dict(sorted(kinds.items())),
            "threshold": SUPPORT_THRESHOLD}


def _quote(text: str) -> str:
    from pipeline.render.markdown import escape_markdown

    return escape_markdown(" ".join(text.split()))


def verdicts_markdown(verdicts: list[Verdict], segments: list[Segment], *, source: str, text: str) -> str:
    """A readable report: each sentence, its support and flags, and its sources' Chinese and English."""
    from pipeline.render.flags import flag_line

    by_id = {s.id: s for s in segments}
    summary = verify_summary(verdicts)
    kinds = ", ".join(f"{k} {n}" for k, n in summary["flags_by_kind"].items())
    lines = [f"# Verification of {_quote(text)}", "",
             f"Against **{_quote(source)}** ({len(segments)} segments). {summary['sentences']} sentences: "
             f"{summary['supported']} backed by the report, {summary['flagged']} flagged"
             + (f" ({kinds})" if kinds else "") + ". A sentence is backed when its sources share at least "
             f"{SUPPORT_THRESHOLD:.0%} of its content (words, names, figures).", ""]
    for n, v in enumerate(verdicts, start=1):
        mark = "⚠ " if v.flags else "✓ "
        lines += [f"## {n}. {mark}{_quote(v.sentence)}", ""]
        cited = ", ".join(v.sources) if v.sources else "none"
        lines += [f"Support {v.support:.0%} · sources: {cited}", ""]
        for f in v.flags:
            lines.append(f"- ⚠ {_quote(flag_line(f).text)}")
        if v.flags:
            lines.append("")
        shown = v.sources or v.candidates[:1]
        for sid in shown:
            seg = by_id.get(sid)
            if seg is None:
                continue
            label = sid if sid in v.sources else f"{sid} (best candidate, not cited)"
            lines += [f"> **{_quote(label)}** {_quote(seg.zh)}", ">",
                      f"> {_quote(seg.en or '(not translated)')}", ""]
    return "\n".join(lines).rstrip() + "\n"
