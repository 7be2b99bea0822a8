"""The document model shared by every stage: plain dataclasses, no behaviour beyond (de)serialisation.

A :class:`Document` is what segmentation produces and what every later stage enriches: translation
fills ``en`` fields, summarisation fills ``summary`` fields, the fidelity checker adds ``flags``.
Stages return new or updated documents; they never read files or global state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator


@dataclass
class Flag:
    """Something a reader must know about a segment or a summary sentence (never hidden)."""

    kind: str  # "degenerate", "number", "term", "unsupported-number", ...
    reason: str  # short machine-readable reason, e.g. "magnitude", "repetition"
    detail: str = ""  # human-readable explanation

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "reason": self.reason, "detail": self.detail}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Flag":
        return cls(kind=d["kind"], reason=d["reason"], detail=d.get("detail", ""))


@dataclass
class TableCell:
    """One cell of a table: its text in both languages, whether it heads its column or row, and how many
    grid columns and rows it spans (a merged cell is one cell with a span, never repeated)."""

    zh: str
    en: str | None = None
    header: bool = False
    colspan: int = 1
    rowspan: int = 1

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"zh": self.zh, "en": self.en}
        if self.header:
            d["header"] = True
        if self.colspan > 1:
            d["colspan"] = self.colspan
        if self.rowspan > 1:
            d["rowspan"] = self.rowspan
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "TableCell":
        return cls(zh=d.get("zh", ""), en=d.get("en"), header=bool(d.get("header", False)),
                   colspan=int(d.get("colspan", 1)), rowspan=int(d.get("rowspan", 1)))


@dataclass
class Table:
    """A table kept as a table: rows of cells (header rows first where the source marks them)."""

    rows: list[list[TableCell]] = field(default_factory=list)

    def positions(self) -> Iterator[tuple[int, int, TableCell]]:
        """``(row, column, cell)`` for every cell, the column counted on the grid (spans taken into
        account), 0-based, in reading order."""
        taken: dict[tuple[int, int], bool] = {}
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while taken.get((r, c)):
                    c += 1
                yield r, c, cell
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken[(r + dr, c + dc)] = True
                c += cell.colspan

    def cells(self) -> Iterator[TableCell]:
        for row in self.rows:
            yield from row

    def text(self, lang: str = "zh") -> str:
        """The table as lines of ``a | b | c`` (English cells fall back to their Chinese when missing)."""
        return "\n".join(
            TABLE_CELL_SEPARATOR.join((cell.en if lang == "en" and cell.en is not None else cell.zh) for cell in row)
            for row in self.rows
        )

    def to_dict(self) -> dict[str, Any]:
        return {"rows": [[cell.to_dict() for cell in row] for row in self.rows]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Table":
        return cls(rows=[[TableCell.from_dict(c) for c in row] for row in d.get("rows", [])])


# How a reader hands a table to segmentation inside the text: one line, "⟦表格⟧" then rows separated by
# " ⟦行⟧ " and cells by " | ⟦格⟧ " (the " | " keeps the line apart from its neighbours, as a table row
# always was); a cell may start with attributes: ⟦h⟧ (a header cell), ⟦c2⟧ (spans two columns), ⟦r3⟧
# (spans three rows). Segmentation makes such a line one segment with a :class:`Table`.
TABLE_MARK = "⟦表格⟧"
TABLE_ROW_MARK = "⟦行⟧"
TABLE_COLUMN_MARK = "⟦格⟧"
TABLE_CELL_SEPARATOR = " | "
_TABLE_COLUMN_SPLIT = re.compile(r"\s*\|?\s*⟦格⟧")
_TABLE_ATTRIBUTE = re.compile(r"⟦(h|c\d{1,3}|r\d{1,4})⟧")


def encode_table(rows: list[list[TableCell]]) -> str:
    """A table as the one line of text readers hand to segmentation (cells' own line breaks become spaces)."""

    def cell_text(cell: TableCell) -> str:
        attributes = ("⟦h⟧" if cell.header else "") + (f"⟦c{cell.colspan}⟧" if cell.colspan > 1 else "")
        attributes += f"⟦r{cell.rowspan}⟧" if cell.rowspan > 1 else ""
        return attributes + " ".join(cell.zh.split()).replace(TABLE_CELL_SEPARATOR, " ｜ ")

    body = f" {TABLE_ROW_MARK} ".join(f" | {TABLE_COLUMN_MARK} ".join(cell_text(c) for c in row) for row in rows)
    return TABLE_MARK + body


def is_table_line(text: str) -> bool:
    return text.lstrip().startswith(TABLE_MARK)


def decode_table(text: str) -> Table:
    """The :class:`Table` of a line made by :func:`encode_table`."""
    rows = []
    for row_text in text.strip()[len(TABLE_MARK) :].split(TABLE_ROW_MARK):
        row = []
        for cell_text in _TABLE_COLUMN_SPLIT.split(row_text):
            cell, cell_text = TableCell(""), cell_text.strip()
            while (match := _TABLE_ATTRIBUTE.match(cell_text)) is not None:
                value = match.group(1)
                if value == "h":
                    cell.header = True
                elif value[0] == "c":
                    cell.colspan = max(1, int(value[1:]))
                else:
                    cell.rowspan = max(1, int(value[1:]))
                cell_text = cell_text[match.end() :]
            cell.zh = cell_text.strip()
            row.append(cell)
        rows.append(row)
    return Table(rows)


@dataclass
class Segment:
    """One source sentence (the unit of alignment) and its translation.

    ``pieces`` is non-empty only when the sentence was too long for the translator and was split at
    clause boundaries; the pieces concatenate to ``zh`` exactly and are translated one by one, and
    ``en`` is their translations joined, so the reader still sees one aligned source sentence.
    """

    id: str
    zh: str
    en: str | None = None
    pieces: list[str] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    # A table kept as a table: ``zh``/``en`` are its rows as text (``a | b``), its cells are translated
    # one by one (see :func:`pipeline.translate.stage.texts_to_translate`).
    table: Table | None = None
    # Where ``en`` came from: "model", "tm" (a translation memory's exact or accepted fuzzy match) or
    # "human" (a correction brought back with ``import-edits``); None before translation.
    origin: str | None = None
    # A translation memory's match offered for this sentence (see pipeline/translate/memory.py):
    # {"kind": "exact"|"fuzzy", "score", "zh", "en", "source"}; None when the memory has none.
    tm: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "zh": self.zh, "en": self.en}
        if self.origin:
            d["origin"] = self.origin
        if self.tm:
            d["tm"] = dict(self.tm)
        if self.pieces:
            d["pieces"] = list(self.pieces)
        if self.flags:
            d["flags"] = [f.to_dict() for f in self.flags]
        if self.table is not None:
            d["table"] = self.table.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Segment":
        return cls(
            id=d["id"],
            zh=d["zh"],
            en=d.get("en"),
            pieces=list(d.get("pieces", [])),
            flags=[Flag.from_dict(f) for f in d.get("flags", [])],
            table=Table.from_dict(d["table"]) if d.get("table") else None,
            origin=d.get("origin"),
            tm=dict(d["tm"]) if d.get("tm") else None,
        )

    @classmethod
    def of_table(cls, id: str, table: Table) -> "Segment":
        return cls(id=id, zh=table.text("zh"), table=table)


@dataclass
class Bilingual:
    """A title or heading in both languages (with the fidelity flags of its figures and terms)."""

    zh: str
    en: str | None = None
    flags: list[Flag] = field(default_factory=list)
    origin: str | None = None  # as Segment.origin: "model", "tm" or "human"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"zh": self.zh, "en": self.en}
        if self.origin:
            d["origin"] = self.origin
        if self.flags:
            d["flags"] = [f.to_dict() for f in self.flags]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "Bilingual":
        d = d or {}
        return cls(zh=d.get("zh", ""), en=d.get("en"), flags=[Flag.from_dict(f) for f in d.get("flags", [])],
                   origin=d.get("origin"))


@dataclass
class SummarySentence:
    """One English summary sentence and the ids of the source segments it rests on."""

    text: str
    sources: list[str] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    support: float | None = None  # share of the sentence its sources back (0..1); None: not measured (extractive)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.text, "sources": list(self.sources)}
        if self.support is not None:
            d["support"] = round(self.support, 3)
        if self.flags:
            d["flags"] = [f.to_dict() for f in self.flags]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SummarySentence":
        return cls(
            text=d["text"],
            sources=list(d.get("sources", [])),
            flags=[Flag.from_dict(f) for f in d.get("flags", [])],
            support=d.get("support"),
        )


@dataclass
class Summary:
    sentences: list[SummarySentence] = field(default_factory=list)
    method: str = ""  # "abstractive", "extractive", "verbatim" (short section shown as is), ...

    @property
    def en(self) -> str:
        return " ".join(s.text for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        return {
            "en": self.en,
            "method": self.method,
            "sentences": [s.to_dict() for s in self.sentences],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "Summary | None":
        if not d:
            return None
        return cls(
            sentences=[SummarySentence.from_dict(s) for s in d.get("sentences", [])],
            method=d.get("method", ""),
        )


@dataclass
class Section:
    """A heading (``marker`` + ``title``) with its own sentences and its sub-sections."""

    id: str  # stable anchor, e.g. "sec-2-3"
    level: int  # 1 = top level, decided by the document's own marker order
    marker: str  # the heading marker as written, e.g. "一、", "（三）", "1、", "一是"
    title: Bilingual
    segments: list[Segment] = field(default_factory=list)
    sections: list["Section"] = field(default_factory=list)
    summary: Summary | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level,
            "marker": self.marker,
            "title": self.title.to_dict(),
            "summary": self.summary.to_dict() if self.summary else None,
            "segments": [s.to_dict() for s in self.segments],
            "sections": [s.to_dict() for s in self.sections],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Section":
        return cls(
            id=d["id"],
            level=d["level"],
            marker=d["marker"],
            title=Bilingual.from_dict(d["title"]),
            segments=[Segment.from_dict(s) for s in d.get("segments", [])],
            sections=[Section.from_dict(s) for s in d.get("sections", [])],
            summary=Summary.from_dict(d.get("summary")),
        )

    def walk(self) -> Iterator["Section"]:
        """This section and all its descendants, in document order."""
        yield self
        for child in self.sections:
            yield from child.walk()

    def all_segments(self) -> Iterator[Segment]:
        """Every segment under this section (its own, then its sub-sections'), in document order."""
        for sec in self.walk():
            yield from sec.segments


@dataclass
class Document:
    source: str  # file name (or id) the document came from
    title: Bilingual = field(default_factory=lambda: Bilingual(""))
    meta: dict[str, str] = field(default_factory=dict)  # normalised metadata fields (发布日期, 索引号, ...)
    issuer: str | None = None  # e.g. 余姚市人民政府
    date: str | None = None  # e.g. 2020年8月, as written in the issuer line
    salutation: str | None = None  # e.g. 各位代表:
    preamble: list[Segment] = field(default_factory=list)  # body text before the first heading
    sections: list[Section] = field(default_factory=list)
    summary: Summary | None = None  # executive summary of the whole document
    provenance: dict[str, Any] = field(default_factory=dict)
    qa: dict[str, Any] = field(default_factory=dict)  # fidelity summary, filled by the checker

    def walk_sections(self) -> Iterator[Section]:
        for sec in self.sections:
            yield from sec.walk()

    def all_segments(self) -> Iterator[Segment]:
        """Every segment of the body, in document order (preamble first)."""
        yield from self.preamble
        for sec in self.sections:
            yield from sec.all_segments()

    def keep_first_segments(self, n: int) -> Document:
        """Cut the body after its first ``n`` segments (a preview: ``run --limit N``); sections left
        without segments are dropped. In place; returned."""
        budget = [n]

        def cut(segments: list[Segment]) -> list[Segment]:
            kept = segments[: max(0, budget[0])]
            budget[0] -= len(kept)
            return kept

        def prune(sections: list[Section]) -> list[Section]:
            out = []
            for sec in sections:
                if budget[0] <= 0:
                    break
                sec.segments = cut(sec.segments)
                sec.sections = prune(sec.sections)
                out.append(sec)
            return out

        self.preamble = cut(self.preamble)
        self.sections = prune(self.sections)
        return self

    def segment_index(self) -> dict[str, Segment]:
        return {s.id: s for s in self.all_segments()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "meta": {
                "source": self.source,
                "issuer": self.issuer,
                "date": self.date,
                "salutation": self.salutation,
                "fields": dict(self.meta),
            },
            "title": self.title.to_dict(),
            "summary": self.summary.to_dict() if self.summary else None,
            "preamble": [s.to_dict() for s in self.preamble],
            "sections": [s.to_dict() for s in self.sections],
            "qa": self.qa,
            "provenance": self.provenance,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Document":
        meta = d.get("meta", {})
        return cls(
            source=meta.get("source", ""),
            title=Bilingual.from_dict(d.get("title")),
            meta=dict(meta.get("fields", {})),
            issuer=meta.get("issuer"),
            date=meta.get("date"),
            salutation=meta.get("salutation"),
            preamble=[Segment.from_dict(s) for s in d.get("preamble", [])],
            sections=[Section.from_dict(s) for s in d.get("sections", [])],
            summary=Summary.from_dict(d.get("summary")),
            provenance=dict(d.get("provenance", {})),
            qa=dict(d.get("qa", {})),
        )
