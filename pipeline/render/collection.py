"""The batch files: ``index.md`` (every report, its status and files), ``digest.md`` and ``digest.html``
(the English summaries of every report, linked into each report's reader).

They are built from the per-document JSON, one report at a time: every function takes an iterable of
:class:`ReportEntry` (a generator that loads one JSON file per step keeps memory flat for thousands of
reports) and yields the output text piece by piece (``iter_*``); ``render_*`` joins the pieces.
Links are relative to the output folder and percent-encoded; every title, name and summary is escaped.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ..document import Document, Section, Summary
from .flags import clean_text, flag_lines, notices, qa_sentence, source_link
from .html import asset, environment
from .markdown import escape_markdown

DIGESTS = ("digest.html", "digest.md")


@dataclass
class ReportEntry:
    """One report of a batch, as the collection files show it.

    ``data`` is the report's JSON (``render_json``'s output, parsed), or None when there is none (a
    failed report). ``links`` maps "html", "md", "json" to paths relative to the output folder.
    """

    stem: str
    source: str
    status: str = "ok"
    data: dict[str, Any] | None = None
    links: dict[str, str] = field(default_factory=dict)
    error: str = ""


@dataclass
class _Report:
    """What the index and the digests show of one entry (the full JSON is not kept)."""

    entry: ReportEntry
    doc: Document | None

    @property
    def ok(self) -> bool:
        return self.doc is not None and self.entry.status == "ok"

    @property
    def title_en(self) -> str:
        return clean_text(self.doc.title.en) if self.doc else ""

    @property
    def title_zh(self) -> str:
        return clean_text(self.doc.title.zh) if self.doc else ""

    @property
    def name(self) -> str:
        """The report's name for a reader: its English title, else its Chinese title, else its stem."""
        return self.title_en or self.title_zh or clean_text(self.entry.stem)

    @property
    def byline(self) -> str:
        if self.doc is None:
            return ""
        date = self.doc.date or self.doc.meta.get("发布日期") or ""
        return " · ".join(clean_text(str(x)) for x in (self.doc.issuer, date) if x)

    def href(self, *kinds: str) -> str | None:
        """The first of the report's files that exists among ``kinds``, as a relative, encoded URL."""
        for kind in kinds:
            path = self.entry.links.get(kind)
            if path:
                return quote(clean_text(path).replace("\\", "/"), safe="/")
        return None

    def flags(self) -> str:
        qa = self.doc.qa if self.doc else {}
        if not qa or "segments_checked" not in qa:
            return "not checked" if self.doc else ""
        return f"{qa.get('segments_flagged', 0)} of {qa['segments_checked']}"

    def summarised_sections(self) -> Iterator[Section]:
        if self.doc is not None:
            for sec in self.doc.walk_sections():
                if sec.summary is not None and sec.summary.sentences:
                    yield sec


def _report(entry: ReportEntry) -> _Report:
    doc = None
    if entry.data is not None:
        try:
            doc = Document.from_dict(entry.data)
        except (KeyError, TypeError, ValueError, AttributeError):
            doc = None  # an unreadable JSON shows as such in the index; the runner reports it
    return _Report(entry, doc)


def _md_link(text: str, href: str | None) -> str:
    return f"[{escape_markdown(text)}]({href})" if href else escape_markdown(text)


def _status(report: _Report) -> str:
    if report.entry.status == "ok" and report.doc is None:
        return "output unreadable"
    status = clean_text(report.entry.status)
    if report.entry.error:
        return f"{status}: {clean_text(report.entry.error)}"
    preview = (report.doc.provenance or {}).get("preview") if report.doc is not None else None
    if isinstance(preview, dict) and preview.get("first_segments"):
        return f"{status}, partial preview (first {preview['first_segments']} segments)"
    if report.doc is not None and (report.doc.provenance or {}).get("tiny_models"):
        return f"{status}, tiny test models (gibberish)"
    return status


# --------------------------------------------------------------------------------------------------------
# index.md


def iter_index(entries: Iterable[ReportEntry], *, digests: Iterable[str] = DIGESTS) -> Iterator[str]:
    """``index.md`` piece by piece: one table row per report (titles, issuer/date, flags, status, files)."""
    yield "# Reports\n\n"
    digest_links = [_md_link(name, quote(name)) for name in digests]
    if digest_links:
        yield "English summaries of every report: " + " · ".join(digest_links) + "\n\n"
    yield "| # | Report | 中文标题 | Issuer · date | Flagged segments | Status | Files | Source |\n"
    yield "| --- | --- | --- | --- | --- | --- | --- | --- |\n"
    counts = {"ok": 0, "other": 0}
    for n, entry in enumerate(entries, 1):
        report = _report(entry)
        counts["ok" if report.ok else "other"] += 1
        files = " · ".join(_md_link(kind, report.href(kind)) for kind in ("html", "md", "json", "docx", "xliff", "tmx") if report.href(kind))
        cells = [
            str(n),
            _md_link(report.name, report.href("html", "md", "json")) if report.ok else escape_markdown(report.name),
            escape_markdown(report.title_zh),
            escape_markdown(report.byline),
            escape_markdown(report.flags()),
            escape_markdown(_status(report)),
            files,
            _source_cell(entry.source, report),
        ]
        yield "| " + " | ".join(cells) + " |\n"
    total = counts["ok"] + counts["other"]
    yield f"\n{total} report{'s' if total != 1 else ''}: {counts['ok']} ok, {counts['other']} not ok.\n"


def _source_cell(source: str, report: _Report) -> str:
    """The input's name, linked to the page it was scraped from when a table input gave its URL."""
    url = source_link(report.doc.meta) if report.doc else ""
    return f"[{escape_markdown(source)}]({url})" if url else escape_markdown(source)


def render_index(entries: Iterable[ReportEntry], *, digests: Iterable[str] = DIGESTS) -> str:
    return "".join(iter_index(entries, digests=digests))


# --------------------------------------------------------------------------------------------------------
# digest.md


def _md_sentences(summary: Summary) -> str:
    parts = []
    for sent in summary.sentences:
        text = escape_markdown(sent.text)
        for line in flag_lines(sent.flags):
            text += f" ⚠ *{escape_markdown(line.text)}*"
        parts.append(text)
    return " ".join(parts)


def _digest_entry_md(report: _Report) -> str:
    doc = report.doc
    assert doc is not None
    reader = report.href("html", "md")
    lines = [f"## {_md_link(report.name, reader)}", ""]
    facts = [escape_markdown(x) for x in (report.title_zh if report.title_en else "", report.byline) if x]
    if report.href("md") and reader != report.href("md"):
        facts.append(_md_link("Markdown", report.href("md")))
    if facts:
        lines += [" · ".join(facts), ""]
    lines += [f"> **Note:** {escape_markdown(notice)}\n" for notice in notices(doc.provenance)]
    if doc.qa:
        lines += [f"**Checks:** {escape_markdown(qa_sentence(doc.qa))}", ""]
    if doc.summary and doc.summary.sentences:
        lines += ["**Executive summary:** " + _md_sentences(doc.summary), ""]
    sections = list(report.summarised_sections())
    if sections:
        lines += ["**Sections:**", ""]
        for sec in sections:
            title = clean_text(f"{sec.marker}{sec.title.en or sec.title.zh}")
            target = f"{reader}#{quote(sec.id)}" if reader else None
            lines.append(f"- {_md_link(title, target)}: {_md_sentences(sec.summary)}")
        lines.append("")
    return "\n".join(lines) + "\n"


def iter_digest_markdown(entries: Iterable[ReportEntry]) -> Iterator[str]:
    """``digest.md`` piece by piece: for every report, its titles, checks, executive and section summaries."""
    yield ("# Digest\n\nEnglish summaries of every report in this batch, machine-generated from machine "
           "translations. ⚠ marks a figure or a term to check against the Chinese; each title opens the "
           "report, each section its place in the report.\n\n")
    shown, not_shown = 0, []
    for entry in entries:
        report = _report(entry)
        if report.ok:
            shown += 1
            yield _digest_entry_md(report)
        else:
            not_shown.append(f"- {escape_markdown(entry.source)}: {escape_markdown(_status(report))}")
    yield f"{shown} report{'s' if shown != 1 else ''} summarised.\n"
    if not_shown:
        yield "\nNot summarised:\n\n" + "\n".join(not_shown) + "\n"


def render_digest_markdown(entries: Iterable[ReportEntry]) -> str:
    return "".join(iter_digest_markdown(entries))


# --------------------------------------------------------------------------------------------------------
# digest.html


def _sentence_views(summary: Summary, reader: str | None) -> list[dict[str, Any]]:
    return [{"text": clean_text(s.text), "flags": flag_lines(s.flags),
             "sources": [(sid, f"{reader}#{quote(sid)}" if reader else None) for sid in s.sources]}
            for s in summary.sentences]


def _digest_view(report: _Report, n: int) -> dict[str, Any]:
    doc = report.doc
    assert doc is not None
    reader = report.href("html", "md")
    return {
        "n": n,
        "name": report.name,
        "title_zh": report.title_zh if report.title_en else "",
        "byline": report.byline,
        "reader": reader,
        "markdown": report.href("md"),
        "source_url": source_link(doc.meta),
        "checks": qa_sentence(doc.qa) if doc.qa else "",
        "notices": notices(doc.provenance),
        "flagged": int(doc.qa.get("segments_flagged", 0) or 0) if doc.qa else 0,
        "method": doc.summary.method if doc.summary else "",
        "executive": _sentence_views(doc.summary, reader) if doc.summary else [],
        "sections": [{"title": clean_text(f"{sec.marker}{sec.title.en or sec.title.zh}"),
                      "zh": clean_text(f"{sec.marker}{sec.title.zh}") if sec.title.en else "",
                      "level": sec.level,
                      "href": f"{reader}#{quote(sec.id)}" if reader else None,
                      "sentences": _sentence_views(sec.summary, reader)}
                     for sec in report.summarised_sections()],
    }


def iter_digest_html(entries: Iterable[ReportEntry]) -> Iterator[str]:
    """``digest.html`` piece by piece: a self-contained page with one article per report."""
    macros = environment().get_template("digest.html.j2").module
    yield macros.head(css=asset("base.css") + asset("digest.css"))
    shown, not_shown = 0, []
    for entry in entries:
        report = _report(entry)
        if report.ok:
            shown += 1
            yield macros.entry(_digest_view(report, shown))
        else:
            not_shown.append((clean_text(entry.source), _status(report)))
    yield macros.tail(shown=shown, not_shown=not_shown, js=asset("digest.js"))


def render_digest_html(entries: Iterable[ReportEntry]) -> str:
    return "".join(iter_digest_html(entries))


# --------------------------------------------------------------------------------------------------------
# All three in one pass


def render_collection(entries: Iterable[ReportEntry], *, digest_html: bool = True) -> dict[str, str]:
    """``index.md``, ``digest.md`` and (unless ``digest_html`` is false) ``digest.html``, by file name,
    from one pass over ``entries``: the three writers advance in turn, so only the few entries between
    them are held at a time (``itertools.tee`` keeps what one has read and another has not yet)."""
    names = ["index.md", "digest.md"] + (["digest.html"] if digest_html else [])
    streams = itertools.tee(entries, len(names))
    digests = [n for n in ("digest.html", "digest.md") if n in names]
    writers = {"index.md": lambda e: iter_index(e, digests=digests), "digest.md": iter_digest_markdown,
               "digest.html": iter_digest_html}
    active = {name: writers[name](stream) for name, stream in zip(names, streams)}
    pieces: dict[str, list[str]] = {name: [] for name in names}
    while active:
        for name, writer in list(active.items()):
            try:
                pieces[name].append(next(writer))
            except StopIteration:
                del active[name]
    return {name: "".join(parts) for name, parts in pieces.items()}
