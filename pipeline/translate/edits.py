"""Corrected translations brought back from a translation tool: the units of an XLIFF (1.2 or 2.x) or TMX
file, and where they go in a report (``import-edits``; the rendering side is pipeline/batch/edits.py).

A unit is matched to a segment by its id when the id names a segment with the same Chinese, else by its
Chinese (normalised as the translation memory normalises it) when exactly one segment has it. A unit whose
English differs from the segment's is a correction: the segment's English becomes it, ``origin: human``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..document import Bilingual, Document, Segment
from ..errors import InputError
from .memory import normalize

XLIFF_12 = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF_20 = "urn:oasis:names:tc:xliff:document:2.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class EditedUnit:
    id: str | None
    zh: str
    en: str


@dataclass
class EditedFile:
    path: Path
    format: str  # "xliff-1.2" | "xliff-2" | "tmx"
    report: str | None  # the report's input name as the file records it (XLIFF original, TMX x-report)
    units: list[EditedUnit] = field(default_factory=list)


def _text(el) -> str:
    """An element's text with inline markup (g, mrk, ph ...) flattened to its text content."""
    return "".join(el.itertext()).strip() if el is not None else ""


def read_edited_file(path: str | Path) -> EditedFile:
    """The units of an edited XLIFF or TMX file; a file that is neither is one clear :class:`InputError`."""
    from lxml import etree

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file", hint="give the XLIFF or TMX file saved by the translation tool")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except (etree.XMLSyntaxError, OSError) as exc:
        raise InputError(f"{path}: not a readable XLIFF or TMX file ({exc})") from None
    tag = etree.QName(root).localname if isinstance(root.tag, str) else ""
    ns = etree.QName(root).namespace if isinstance(root.tag, str) else None
    if tag == "xliff" and ns == XLIFF_20:
        return _xliff_2(path, root)
    if tag == "xliff":
        return _xliff_12(path, root, ns)
    if tag == "tmx":
        return _tmx(path, root)
    raise InputError(f"{path}: not an XLIFF or TMX file (root element <{tag}>)",
                     hint="export the translated file as XLIFF or TMX from the translation tool")


def _xliff_12(path: Path, root, ns: str | None) -> EditedFile:
    q = (lambda t: f"{{{ns}}}{t}") if ns else (lambda t: t)
    files = root.findall(q("file"))
    report = files[0].get("original") if files else None
    units = []
    for tu in root.iter(q("trans-unit")):
        source = tu.find(q("seg-source"))  # Trados and memoQ keep segmented source here
        units.append(EditedUnit(tu.get("id"), _text(source if source is not None else tu.find(q("source"))),
                                _text(tu.find(q("target")))))
    return EditedFile(path, "xliff-1.2", report, units)


def _xliff_2(path: Path, root) -> EditedFile:
    q = lambda t: f"{{{XLIFF_20}}}{t}"  # noqa: E731
    files = root.findall(q("file"))
    report = files[0].get("original") if files else None
    units = []
    for unit in root.iter(q("unit")):
        zh = " ".join(_text(s.find(q("source"))) for s in unit.findall(q("segment"))).strip()
        en = " ".join(_text(s.find(q("target"))) for s in unit.findall(q("segment"))).strip()
        units.append(EditedUnit(unit.get("id"), zh, en))
    return EditedFile(path, "xliff-2", report, units)


def _tmx(path: Path, root) -> EditedFile:
    header = root.find("header")
    report = None
    if header is not None:
        prop = header.find("prop[@type='x-report']")
        report = prop.text if prop is not None else None
    units = []
    for tu in root.iter("tu"):
        sides: dict[str, str] = {}
        for tuv in tu.findall("tuv"):
            lang = (tuv.get(XML_LANG) or tuv.get("lang") or "").lower()[:2]
            sides.setdefault(lang, _text(tuv.find("seg")))
        units.append(EditedUnit(tu.get("tuid"), sides.get("zh", ""), sides.get("en", "")))
    return EditedFile(path, "tmx", report, units)


@dataclass
class EditOutcome:
    changed: list[tuple[str, Segment | Bilingual]] = field(default_factory=list)  # (unit id, segment or title)
    unchanged: int = 0  # units matched with the same English (or none)
    unmatched: list[EditedUnit] = field(default_factory=list)  # units that match no segment of the report


def apply_edits(doc: Document, units: list[EditedUnit]) -> EditOutcome:
    """Write the corrections of ``units`` into ``doc`` (in place): English, ``origin: human``, the flags of
    the old English dropped (the checks are redone on the new one). Units are segments, or the title and
    headings (ids ``title``, ``sec-N-title``, as the XLIFF and TMX outputs name them)."""
    from ..render.exchange import iter_units

    items = {u.id: u.segment for u in iter_units(doc)}
    by_id = items
    by_zh: dict[str, list[Segment | Bilingual]] = {}
    for item in items.values():
        by_zh.setdefault(normalize(item.zh), []).append(item)
    ids = {id(item): uid for uid, item in items.items()}
    outcome = EditOutcome()
    for unit in units:
        key = normalize(unit.zh)
        seg = by_id.get(unit.id or "")
        if seg is None or normalize(seg.zh) != key:
            same = by_zh.get(key, [])
            seg = same[0] if len(same) == 1 else None
        if seg is None:
            outcome.unmatched.append(unit)
            continue
        if not unit.en or " ".join(unit.en.split()) == " ".join((seg.en or "").split()):
            outcome.unchanged += 1
            continue
        seg.en, seg.origin, seg.flags = unit.en, "human", []
        if isinstance(seg, Segment):
            seg.tm = None
        outcome.changed.append((ids[id(seg)], seg))
    return outcome
