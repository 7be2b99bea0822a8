"""A translated document as a self-contained bilingual HTML reader (a pure function, no I/O).

One file: inline CSS and a little vanilla JavaScript, no network, opens from ``file://`` and prints.
The template (``templates/reader.html.j2``) gets a small view of the document built here: summary
sentences with ids and the segments they cite, segments with the summary sentences that cite them and
their flags as readable lines. Jinja2 autoescapes everything, so text from the input renders as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..document import Document, Section, Segment, Summary
from .flags import FlagLine, clean_text, flag_lines, notices, ocr_note, qa_sentence, settings_note, source_link

ALIGNMENTS = ("table", "interleaved")


@cache
def environment() -> Environment:
    """The Jinja2 environment of the package's templates (autoescaped, strict about undefined names)."""
    env = Environment(
        loader=PackageLoader("pipeline.render", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters["text"] = clean_text
    return env


@cache
def asset(name: str) -> Markup:
    """A CSS or JavaScript file of the templates folder, inlined as is (our own code, not input)."""
    return Markup((resources.files("pipeline.render") / "templates" / name).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------------------
# The view the template reads


@dataclass
class SentenceView:
    """One summary sentence: its id in the page, its label ("Executive summary, sentence 2"), its sources."""

    id: str
    label: str
    text: str
    sources: list[tuple[str, bool]]  # (segment id, present in this document)
    flags: list[FlagLine]


@dataclass
class PairView:
    segment: Segment
    flags: list[FlagLine]
    cited_by: list[SentenceView] = field(default_factory=list)


@dataclass
class SectionView:
    id: str
    level: int
    marker: str
    zh: str
    en: str
    title_flags: list[FlagLine]
    method: str
    summary: list[SentenceView]
    pairs: list[PairView]
    children: list[SectionView]
    flagged: int  # flagged segments in this section and its sub-sections

    @property
    def heading(self) -> int:
        return min(6, self.level + 1)


class _Builder:
    """Builds the view in two passes: summaries first (ids, labels), then segments (who cites them)."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.known = {s.id for s in doc.all_segments()}
        self.cited_by: dict[str, list[SentenceView]] = {}

    def sentences(self, summary: Summary | None, prefix: str, label: str) -> list[SentenceView]:
        if summary is None:
            return []
        views = []
        for n, sent in enumerate(summary.sentences, 1):
            view = SentenceView(
                id=f"{prefix}{n}",
                label=f"{label} sentence {n}",
                text=clean_text(sent.text),
                sources=[(sid, sid in self.known) for sid in sent.sources],
                flags=flag_lines(sent.flags),
            )
            for sid in dict.fromkeys(sent.sources):
                self.cited_by.setdefault(sid, []).append(view)
            views.append(view)
        return views

    def summaries(self, sec: Section) -> dict[str, list[SentenceView]]:
        """Every section's summary sentences, by section id (built before the pairs that they cite)."""
        out = {}
        for s in sec.walk():
            name = clean_text(s.marker).strip().rstrip("、.．:：") or clean_text(s.title.en or s.title.zh)[:30] or s.id
            out[s.id] = self.sentences(s.summary, f"{s.id}.s", f"Section {name} summary,")
        return out

    def pairs(self, segments: list[Segment]) -> list[PairView]:
        return [PairView(seg, flag_lines(seg.flags), self.cited_by.get(seg.id, [])) for seg in segments]

    def section(self, sec: Section, summaries: dict[str, list[SentenceView]]) -> SectionView:
        children = [self.section(c, summaries) for c in sec.sections]
        pairs = self.pairs(sec.segments)
        return SectionView(
            id=sec.id,
            level=sec.level,
            marker=clean_text(sec.marker),
            zh=clean_text(sec.title.zh),
            en=clean_text(sec.title.en),
            title_flags=flag_lines(sec.title.flags),
            method=sec.summary.method if sec.summary else "",
            summary=summaries.get(sec.id, []),
            pairs=pairs,
            children=children,
            flagged=sum(1 for p in pairs if p.flags) + sum(c.flagged for c in children),
        )


def _provenance_lines(doc: Document) -> list[tuple[str, str]]:
    """Models, config and source hash as (label, value) lines for the page's details box."""
    prov = doc.provenance or {}
    lines = []
    for key in ("translator", "summarizer"):
        info = prov.get(key)
        if isinstance(info, dict) and (info.get("model") or info.get("kind")):
            model = info.get("model") or info.get("kind")
            lines.append((key.capitalize(), f"{model}" + (f" @ {info['revision']}" if info.get("revision") else "")))
    config = prov.get("config")
    if isinstance(config, dict):
        lines.append(("Config", " ".join(str(x) for x in (config.get("file"), config.get("hash")) if x)))
    source = prov.get("source")
    if isinstance(source, dict) and source.get("sha256"):
        lines.append(("Source SHA-256", str(source["sha256"])))
    note = ocr_note(prov)
    if note:
        lines.append(("Read by OCR", note.split(": ", 1)[1] if ": " in note else note))
    return lines


def reader_view(doc: Document, alignment: str = "table") -> dict[str, Any]:
    """Everything the reader template shows, computed once."""
    if alignment not in ALIGNMENTS:
        raise ValueError(f"alignment must be one of {', '.join(ALIGNMENTS)}, not {alignment!r}")
    build = _Builder(doc)
    executive = build.sentences(doc.summary, "sum-", "Executive summary,")
    summaries: dict[str, list[SentenceView]] = {}
    for sec in doc.sections:
        summaries.update(build.summaries(sec))
    sections = [build.section(sec, summaries) for sec in doc.sections]
    preamble = build.pairs(doc.preamble)
    all_flags = [line for p in preamble for line in p.flags]
    stack = list(sections)
    while stack:
        sec = stack.pop()
        all_flags += [line for p in sec.pairs for line in p.flags]
        stack += sec.children
    return {
        "doc": doc,
        "alignment": alignment,
        "title_zh": clean_text(doc.title.zh) or clean_text(doc.source),
        "title_en": clean_text(doc.title.en),
        "title_flags": flag_lines(doc.title.flags),
        "notices": notices(doc.provenance),
        "byline": [x for x in (clean_text(doc.issuer), clean_text(doc.date)) if x],
        "source_url": source_link(doc.meta),
        "executive": executive,
        "executive_method": doc.summary.method if doc.summary else "",
        "checks": qa_sentence(doc.qa) if doc.qa else "",
        "settings_note": settings_note(line.settings for line in all_flags),
        "flagged": sum(1 for p in preamble if p.flags) + sum(s.flagged for s in sections),
        "preamble": preamble,
        "sections": sections,
        "meta": [(clean_text(k), clean_text(str(v))) for k, v in (doc.meta or {}).items()],
        "provenance": _provenance_lines(doc),
    }


def render_html(doc: Document, *, alignment: str = "table") -> str:
    """The HTML reader of one document; ``alignment`` is the initial layout ("table" or "interleaved")."""
    template = environment().get_template("reader.html.j2")
    return template.render(**reader_view(doc, alignment), css=asset("base.css") + asset("reader.css"),
                           js=asset("reader.js"))

