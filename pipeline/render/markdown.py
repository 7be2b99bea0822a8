"""A translated document as bilingual Markdown (a pure function, no I/O).

The page reads top-down as a report: a short front matter (source, models, config hash, QA counts; the
full provenance stays in the JSON), the title in both languages, the executive summary, then every
section with its summary (a labelled list, never styled like a translation) above its aligned sentences.
Deep outline levels (一是, 1、 inside （一）) become heading rows inside their parent's table rather than a
string of one-row tables. Every segment has an anchor (``#s12``) that summary sentences and flag lines
link to. Everything that comes from the input is escaped so that it renders as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

from ..document import Bilingual, Document, Flag, Section, Segment, Summary
from .flags import clean_text, flag_lines, notices, ocr_note, qa_counts, qa_sentence, settings_note, short_marks

_ESCAPE = re.compile(r"([\\`*_\[\]<>#|~&!{}])")
_LIST_START = re.compile(r"^(\d+)([.)])")
_PLAIN_YAML = re.compile(r"^[a-z][a-z_]*$")
_FRONT_MATTER_MARKUP = re.compile(r"[<>&\[\]`]")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}

# Sections at this outline level or deeper, without a summary of their own, are heading rows in the
# table of their parent (a level-1 section is a "一、" chapter; level 3 is typically 一是 or 1、).
FOLD_LEVEL = 3


def escape_markdown(text: str | None) -> str:
    """Text that renders literally in Markdown (inline context: a paragraph, a heading or a table cell)."""
    text = " ".join(clean_text(text).split())  # no line breaks inside a cell, a heading or a pair
    text = _ESCAPE.sub(r"\\\1", text)
    # At the start of a block, "- x", "+ x" or "1. x" would turn into a list.
    text = _LIST_START.sub(r"\1\\\2", text)
    if text[:1] in ("-", "+", "="):
        text = "\\" + text
    return text


def anchor(anchor_id: str) -> str:
    """An HTML anchor whose id is safe in an attribute (ids come from the segmenter, but stay escaped)."""
    return f'<a id="{_attr(anchor_id)}"></a>'


def link(text: str, target: str) -> str:
    """A Markdown link to ``#target`` or to a relative path; the text escaped, the target percent-encoded."""
    from urllib.parse import quote

    return f"[{escape_markdown(text)}]({quote(clean_text(target), safe='/#')})"


def _attr(value: str) -> str:
    return clean_text(value).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


# --------------------------------------------------------------------------------------------------------
# Front matter


class _FrontMatterDumper(yaml.SafeDumper):
    """Every string double-quoted (escaped, on one line) unless it is a plain lower-case word."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    value = clean_text(value)
    plain = _PLAIN_YAML.match(value) and value not in _YAML_WORDS
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=None if plain else '"')


_FrontMatterDumper.add_representer(str, _represent_str)


def _model_ref(info: Any) -> str | None:
    """``model@revision`` (or the kind, for a method without a model) from a provenance entry."""
    if not isinstance(info, dict):
        return str(info) if info else None
    model = info.get("model")
    if not model:
        return str(info.get("kind") or "") or None
    ref = f"{model}@{info['revision']}" if info.get("revision") else str(model)
    return f"{ref} ({info['kind']})" if info.get("kind") else ref


def front_matter(doc: Document) -> str:
    """The short YAML front matter: source, issuer/date, models with revisions, config hash, QA counts."""
    prov = doc.provenance or {}
    front: dict[str, Any] = {"source": doc.source}
    if doc.issuer:
        front["issuer"] = doc.issuer
    if doc.date:
        front["date"] = doc.date
    # Where the report was published: a table input's columns, or the page's own fields.
    published = doc.meta.get("publish_date") or doc.meta.get("date") or doc.meta.get("发布时间") or doc.meta.get("发布日期")
    if published:
        front["published"] = published
    outlet = doc.meta.get("来源")
    if outlet:
        front["outlet"] = outlet
    url = doc.meta.get("source_url") or doc.meta.get("url")
    if url:
        front["url"] = url
    for key in ("translator", "summarizer"):
        ref = _model_ref(prov.get(key))
        if ref:
            front[key] = ref
    config = prov.get("config")
    if isinstance(config, dict) and config.get("hash"):
        front["config_hash"] = str(config["hash"])
    counts = qa_counts(doc.qa or {})
    if counts:
        front["qa"] = counts
    note = ocr_note(prov)
    if note:
        front["ocr"] = note
    text = yaml.dump(front, Dumper=_FrontMatterDumper, allow_unicode=True, sort_keys=False, width=1_000_000)
    # A Markdown renderer that does not know front matter shows it as text: markup characters (only ever
    # inside double-quoted values here) become YAML escapes, the same string to a YAML reader, inert text
    # to a Markdown one (a file named `x><img onerror=...>.txt` stays a name).
    text = _FRONT_MATTER_MARKUP.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return "---\n" + text.rstrip() + "\n---\n"


# --------------------------------------------------------------------------------------------------------
# Body


def _marks(flags: list[Flag], target: str | None = None) -> str:
    """A short flag mark after a sentence, linked to its line in the Flags list when there is one."""
    if not flags:
        return ""
    text = "⚠ " + short_marks(flags)
    return " <mark>" + (link(text, f"#{target}") if target else escape_markdown(text)) + "</mark>"


def _summary_block(summary: Summary | None, known: set[str], heading: str | None) -> list[str]:
    if summary is None or not summary.sentences:
        return []
    method = f", {escape_markdown(summary.method)}" if summary.method else ""
    if heading:  # the executive summary: said once what a summary is
        lines = [heading, "", f"*Machine-generated{method}; each sentence links to the source sentences that back it, or is flagged when none does.*", ""]
    else:
        lines = [f"**Summary**{f' *({escape_markdown(summary.method)})*' if summary.method else ''}:", ""]
    for sent in summary.sentences:
        cites = [link(sid, f"#{sid}") if sid in known else escape_markdown(sid) for sid in sent.sources]
        text = escape_markdown(sent.text) or "∅"
        if cites:
            text += " (" + ", ".join(cites) + ")"
        for line in flag_lines(sent.flags):
            text += f" <mark>⚠ {escape_markdown(line.text)}</mark>"
        lines.append(f"- {text}")
    return lines + [""]


def _title(marker: str, title: Bilingual) -> tuple[str, str]:
    return escape_markdown(f"{marker}{title.zh}"), escape_markdown(title.en or "")


def _untitled(sec: Section) -> bool:
    """The text after a list's last item (the segmenter's section without marker or title)."""
    return not (sec.marker or sec.title.zh)


def _table(run: list[Section | Segment]) -> list[str]:
    lines = ["| # | 中文 | English |", "| --- | --- | --- |"]
    for item in run:
        if isinstance(item, Section) and _untitled(item):
            continue
        if isinstance(item, Section):
            zh, en = _title(item.marker, item.title)
            lines.append(f"| {anchor(item.id)} | **{zh}** | {f'**{en}**' if en else ''}{_marks(item.title.flags)} |")
        else:
            mark = _marks(item.flags, f"flag-{item.id}")
            lines.append(f"| {anchor(item.id)}{escape_markdown(item.id)} | {escape_markdown(item.zh)} | "
                         f"{escape_markdown(item.en)}{mark} |")
    return lines + [""]


def _interleaved(run: list[Section | Segment]) -> list[str]:
    lines: list[str] = []
    for item in run:
        if isinstance(item, Section) and _untitled(item):
            lines += [anchor(item.id), ""]
        elif isinstance(item, Section):
            zh, en = _title(item.marker, item.title)
            lines += [f"{anchor(item.id)}**{zh}**" + (f" · **{en}**" if en else "") + _marks(item.title.flags), ""]
        else:
            lines += [f"{anchor(item.id)}`{escape_markdown(item.id)}` {escape_markdown(item.zh)}", ""]
            lines += [f"> {escape_markdown(item.en)}{_marks(item.flags, f'flag-{item.id}')}", ""]
    return lines


def _run_block(run: list[Section | Segment], alignment: str) -> list[str]:
    """A run of sentences and folded sub-headings: one table (or interleaved pairs); a table segment
    breaks the run and is shown as a table of its own."""
    lines: list[str] = []
    start = 0
    for index, item in enumerate(run + [None]):
        if item is None or (isinstance(item, Segment) and item.table is not None):
            part = run[start:index]
            if part:
                table_run = alignment == "table" and any(isinstance(x, Segment) for x in part)
                lines += _table(part) if table_run else _interleaved(part)
            if item is not None:
                lines += _data_table(item)
            start = index + 1
    return lines


def _data_table(seg: Segment) -> list[str]:
    """A table segment as a Markdown table: each cell's Chinese with its English under it; a merged cell
    is written once, in its first grid cell (the cells it covers stay empty), the header row first."""
    table = seg.table
    assert table is not None
    placed = list(table.positions())
    width = max((c + cell.colspan for _, c, cell in placed), default=1)
    height = max((r + cell.rowspan for r, _, cell in placed), default=1)
    grid = [[""] * width for _ in range(height)]
    for r, c, cell in placed:
        en = cell.en if cell.en is not None else "(not translated)"
        text = escape_markdown(cell.zh) + (f"<br>{escape_markdown(en)}" if en != cell.zh else "")
        grid[r][c] = f"**{text}**" if cell.header and text else text
    mark = _marks(seg.flags, f"flag-{seg.id}")
    lines = [f"{anchor(seg.id)}`{escape_markdown(seg.id)}` *table, {height} × {width}*{mark}", ""]
    lines.append("| " + " | ".join(grid[0]) + " |")
    lines.append("|" + " --- |" * width)
    lines += ["| " + " | ".join(row) + " |" for row in grid[1:]]
    return lines + [""]


def _items(sec: Section, top: bool) -> Iterator[Section | Segment | tuple[str, Section]]:
    """A section in reading order: ("heading", sec) for a real heading, a Section for a folded one."""
    if top or sec.level < FOLD_LEVEL or sec.summary is not None:
        yield ("heading", sec)
    else:
        yield sec
    yield from sec.segments
    for child in sec.sections:
        yield from _items(child, False)


def _sections_block(doc: Document, alignment: str, known: set[str]) -> list[str]:
    lines: list[str] = []
    run: list[Section | Segment] = []
    for sec in doc.sections:
        for item in _items(sec, True):
            if isinstance(item, tuple):
                lines += _run_block(run, alignment)
                run = []
                heading = item[1]
                if _untitled(heading):  # no heading of its own: the text continues its parent
                    lines += [anchor(heading.id), ""]
                else:
                    zh, en = _title(heading.marker, heading.title)
                    level = "#" * min(6, heading.level + 1)
                    title = f"{zh} · {en}" if en else zh
                    lines += [f"{level} {title} {anchor(heading.id)}{_marks(heading.title.flags)}", ""]
                lines += _summary_block(heading.summary, known, None)
            else:
                run.append(item)
    return lines + _run_block(run, alignment)


def _flags_block(doc: Document) -> list[str]:
    flagged = [s for s in doc.all_segments() if s.flags]
    if not flagged:
        return []
    lines = [f"## Flags {anchor('flags')}", ""]
    per_segment = [(seg, flag_lines(seg.flags)) for seg in flagged]
    note = settings_note(line.settings for _, fl in per_segment for line in fl)
    if note:
        lines += [escape_markdown(note), ""]
    for seg, fl in per_segment:
        details = " · ".join(escape_markdown(line.text) for line in fl)
        lines.append(f"- {anchor('flag-' + seg.id)}{link(seg.id, '#' + seg.id)}: {details}")
    return lines + [""]


def render_markdown(doc: Document, *, alignment: str = "table") -> str:
    """The bilingual Markdown file: short front matter, titles, summaries, aligned text, flag list."""
    known = {s.id for s in doc.all_segments()}
    lines = [front_matter(doc)]
    lines += [f"> **Note:** {escape_markdown(notice)}\n" for notice in notices(doc.provenance)]
    lines += [f"# {escape_markdown(doc.title.zh or doc.source)}", ""]
    if doc.title.en:
        lines += [f"**{escape_markdown(doc.title.en)}**{_marks(doc.title.flags)}", ""]
    byline = " · ".join(x for x in (clean_text(doc.issuer), clean_text(doc.date)) if x)
    if byline:
        lines += [escape_markdown(byline), ""]
    lines += _summary_block(doc.summary, known, "## Executive summary")
    if doc.qa:
        flagged = any(s.flags for s in doc.all_segments())
        lines += [f"**Checks:** {escape_markdown(qa_sentence(doc.qa))}" + (" See " + link("Flags", "#flags") + "."
                                                                           if flagged else ""), ""]
    if doc.salutation:
        lines += [escape_markdown(doc.salutation), ""]
    lines += _run_block(list(doc.preamble), alignment)
    lines += _sections_block(doc, alignment, known)
    lines += _flags_block(doc)
    return "\n".join(lines).rstrip() + "\n"
