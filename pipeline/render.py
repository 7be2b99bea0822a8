"""Rendering: a translated document to bilingual Markdown and to its JSON twin (pure functions, no I/O).

Markdown is escaped so that text containing ``|``, ``*``, ``#``, ``<``, ``&``... renders as text, and
every segment has an anchor (``#s12``) that summary sentences link to.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import yaml

from .document import Document, Flag, Section, Segment, Summary

_ESCAPE = re.compile(r"([\\`*_\[\]<>#|~&!{}])")
_LIST_START = re.compile(r"^(\d+)([.)])")


def escape_markdown(text: str) -> str:
    """Text that renders literally in Markdown (inline context: a paragraph, a heading or a table cell)."""
    text = " ".join((text or "").split())  # no line breaks inside a cell, a heading or a pair
    text = _ESCAPE.sub(r"\\\1", text)
    # At the start of a block, "- x", "+ x" or "1. x" would turn into a list.
    text = _LIST_START.sub(r"\1\\\2", text)
    if text[:1] in ("-", "+", "="):
        text = "\\" + text
    return text


def _flag_marks(flags: list[Flag]) -> str:
    if not flags:
        return ""
    counts = Counter(f"⚠ {f.kind}: {f.reason}" for f in flags)
    parts = [mark if n == 1 else f"{mark} ×{n}" for mark, n in counts.items()]
    return " <mark>" + escape_markdown("; ".join(parts)) + "</mark>"


def _flag_details(flags: list[Flag]) -> str:
    return "; ".join(f"{f.kind}/{f.reason}: {f.detail}" if f.detail else f"{f.kind}/{f.reason}" for f in flags)


def _summary_block(summary: Summary | None, label: str) -> list[str]:
    if summary is None or not summary.sentences:
        return []
    lines = [f"**{label}** *({escape_markdown(summary.method)})*", ""]
    for sent in summary.sentences:
        links = ", ".join(f"[{escape_markdown(sid)}](#{sid})" for sid in sent.sources)
        src = f" <sub>{links}</sub>" if links else ""
        lines.append(f"> {escape_markdown(sent.text) or '∅'}{src}{_flag_marks(sent.flags)}")
        lines.append(">")
    lines[-1] = ""
    return lines


def _segments_block(segments: list[Segment], alignment: str) -> list[str]:
    if not segments:
        return []
    lines: list[str] = []
    if alignment == "table":
        lines += ["| # | 中文 | English |", "| --- | --- | --- |"]
        for seg in segments:
            en = escape_markdown(seg.en or "")
            lines.append(
                f'| <a id="{seg.id}"></a>{escape_markdown(seg.id)} | {escape_markdown(seg.zh)} | {en}{_flag_marks(seg.flags)} |'
            )
        lines.append("")
    else:
        for seg in segments:
            lines.append(f'<a id="{seg.id}"></a>**{escape_markdown(seg.id)}** {escape_markdown(seg.zh)}')
            lines.append("")
            lines.append(f"> {escape_markdown(seg.en or '')}{_flag_marks(seg.flags)}")
            lines.append("")
    return lines


def _heading(level: int, zh: str, en: str | None, anchor: str, flags: list[Flag] = ()) -> list[str]:
    hashes = "#" * min(6, level)
    title = escape_markdown(zh)
    if en:
        title += " · " + escape_markdown(en)
    return [f'{hashes} {title} <a id="{anchor}"></a>{_flag_marks(list(flags))}', ""]


def _section_block(sec: Section, alignment: str) -> list[str]:
    lines = _heading(sec.level + 1, f"{sec.marker}{sec.title.zh}", sec.title.en, sec.id, sec.title.flags)
    if not (sec.marker or sec.title.zh):  # the text after a list's last item: no heading of its own
        lines = [f'<a id="{sec.id}"></a>', ""]
    lines += _summary_block(sec.summary, "Summary")
    lines += _segments_block(sec.segments, alignment)
    for child in sec.sections:
        lines += _section_block(child, alignment)
    return lines


def render_markdown(doc: Document, *, alignment: str = "table") -> str:
    """The bilingual Markdown file: front matter (provenance, QA), titles, summaries, aligned text."""
    front: dict[str, Any] = {"source": doc.source}
    if doc.issuer or doc.date:
        front["issuer"] = doc.issuer
        front["date"] = doc.date
    if doc.meta:
        front["meta"] = dict(doc.meta)
    front.update(doc.provenance)
    if doc.qa:
        front["qa"] = doc.qa
    lines = ["---", yaml.safe_dump(front, allow_unicode=True, sort_keys=False).rstrip(), "---", ""]
    lines += [f"# {escape_markdown(doc.title.zh or doc.source)}", ""]
    if doc.title.en:
        lines += [f"*{escape_markdown(doc.title.en)}*{_flag_marks(doc.title.flags)}", ""]
    byline = " ".join(x for x in (doc.issuer, f"({doc.date})" if doc.date else None) if x)
    if byline:
        lines += [escape_markdown(byline), ""]
    lines += _summary_block(doc.summary, "Executive summary")
    flagged = [s for s in doc.all_segments() if s.flags]
    if flagged:
        lines += [f"**Flags:** {len(flagged)} segment(s) need a reader's attention (marked ⚠ below).", ""]
    if doc.salutation:
        lines += [escape_markdown(doc.salutation), ""]
    lines += _segments_block(doc.preamble, alignment)
    for sec in doc.sections:
        lines += _section_block(sec, alignment)
    if flagged:
        lines += ["## Flags", ""]
        for seg in flagged:
            lines.append(f"- [{seg.id}](#{seg.id}): {escape_markdown(_flag_details(seg.flags))}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_json(doc: Document) -> str:
    """The JSON twin: the contract for tools (see README, "Output")."""
    return json.dumps(doc.to_dict(), ensure_ascii=False, indent=2) + "\n"
