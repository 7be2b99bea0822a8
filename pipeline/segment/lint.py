"""Label-free structure checks of a segmented document (``segment --lint``, and ``qa.lint`` of a run).

None of these needs a reference outline: each finding is a shape that a report's own structure does not
have — a title that is site chrome, a tool bar translated as text, a level whose numbers skip or restart,
an unmarked part between numbered parts, a preamble that swallowed the body, a heading that is a paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.document import Document, Section

from .chrome import is_chrome_line
from .markers import _MARKER, _marker_identity
from .outline import MAX_HEADING_CHARS

MAX_PREAMBLE_SEGMENTS = 20
# What a title of a report names: its kind ("…政府工作报告", "…的通知", "…规划").
TITLE_NAMES_A_DOCUMENT = re.compile(
    r"(?:报告|通知|意见|决定|办法|方案|规定|细则|纲要|公报|批复|函|请示|通报|公告|通告|规划|要点|总结|讲话|决议|条例|计划|预算|决算"
    r"|報告|規劃|條例)(?:[（(][^（()）]{1,12}[）)])?$"
)
# Where a subtitle joined to the title starts ("——2026年1月26日在…会议上", "（2026年…）").
SUBTITLE_START = re.compile(r"——|－－|―|--|[（(](?=\d{4}年)")
# Sections that may follow the numbered parts without a number of their own: annexes and notes.
ANNEX_TITLE = re.compile(r"(?:附件|附表|附录|附：|注释|名词解释|名词注释|注：|说明|[^\s]{0,30}名词(?:解释|注释)$)")


@dataclass(frozen=True)
class LintFinding:
    check: str  # "title", "issuer", "date", "chrome", "sequence", "unmarked", "preamble", "heading"
    where: str  # "title", a segment id or a section id
    detail: str

    def line(self, source: str = "") -> str:
        prefix = f"{source}: " if source else ""
        return f"{prefix}{self.check}: {self.where}: {self.detail}"

    def to_dict(self) -> dict[str, str]:
        return {"check": self.check, "where": self.where, "detail": self.detail}


def lint_document(doc: Document) -> list[LintFinding]:
    """The structure findings of one document, in document order (title first)."""
    found: list[LintFinding] = []
    title = doc.title.zh.strip()
    if not title:
        found.append(LintFinding("title", "title", "no title"))
    elif is_chrome_line(title) or not TITLE_NAMES_A_DOCUMENT.search(SUBTITLE_START.split(title, 1)[0]):
        found.append(LintFinding("title", "title", f"title looks like site chrome or a fragment: {title[:40]!r}"))
    if not doc.issuer:
        found.append(LintFinding("issuer", "title", "no issuer found"))
    if not doc.date:
        found.append(LintFinding("date", "title", "no date found"))
    if len(doc.preamble) > MAX_PREAMBLE_SEGMENTS:
        found.append(
            LintFinding("preamble", "preamble", f"{len(doc.preamble)} segments before the first heading (over {MAX_PREAMBLE_SEGMENTS})")
        )
    for seg in doc.preamble:
        if is_chrome_line(seg.zh):
            found.append(LintFinding("chrome", seg.id, f"site chrome as text: {seg.zh[:30]!r}"))
    last: dict[str, int] = {}  # the last number each marker kind reached, in document order
    _lint_level(doc.sections, "top level", found, last)
    for section in doc.walk_sections():
        heading = f"{section.marker}{section.title.zh}"
        if len(heading) > MAX_HEADING_CHARS:
            found.append(LintFinding("heading", section.id, f"heading of {len(heading)} characters: {heading[:30]!r}…"))
        if is_chrome_line(heading) and heading.strip():
            found.append(LintFinding("chrome", section.id, f"site chrome as a heading: {heading[:30]!r}"))
        for seg in section.segments:
            if is_chrome_line(seg.zh):
                found.append(LintFinding("chrome", seg.id, f"site chrome as text: {seg.zh[:30]!r}"))
        kind, number = marker_kind(section.marker)
        if kind:
            last[kind] = number or 0
        if section.sections:
            _lint_level(section.sections, section.id, found, last)
    return found


def marker_kind(marker: str) -> tuple[str, int | None]:
    """(kind, number) of a section's marker as written ("一、" -> ("cn_dun", 1)); ("", None) when unmarked."""
    marker = marker.strip()
    found = _MARKER.match(marker) if marker else None
    if not found:
        return "", None
    return _marker_identity(found)


def _lint_level(sections: list[Section], where: str, found: list[LintFinding], last: dict[str, int]) -> None:
    """One level: its numbered kind's numbers run 1, 2, 3 … without gaps or restarts, and no unmarked
    section stands between two numbered ones (annexes and a closing after the last are fine)."""
    kinds = [marker_kind(s.marker) for s in sections]
    counts: dict[str, int] = {}
    for kind, _ in kinds:
        if kind:
            counts[kind] = counts.get(kind, 0) + 1
    if not counts:
        return
    main = max(counts, key=lambda k: counts[k])
    numbered = [i for i, (kind, _) in enumerate(kinds) if kind == main]
    # Items may number on through their parents ("3." under "二、" after "2." under "一、").
    first = kinds[numbered[0]][1] or 0
    expected = first if first == last.get(main, 0) + 1 else 1
    for i in numbered:
        number = kinds[i][1]
        if number != expected and not (main == "cn_shi" and number == 1):  # "一是" lists restart in a section
            label = "restart" if number == 1 else "gap"
            found.append(LintFinding("sequence", sections[i].id, f"{where}: {sections[i].marker} after number {expected - 1} ({label})"))
        expected = (number or 0) + 1
    first, last = numbered[0], numbered[-1]
    for i in range(first + 1, last):
        kind = kinds[i][0]
        if kind == main:
            continue
        following = next((number for k, number in kinds[i + 1 :] if k == main), None)
        if main == "cn_shi" and following == 1:
            continue  # text between two 一是 lists
        section = sections[i]
        what = f"{section.marker}{section.title.zh}".strip() or "(continued)"
        if not kind:
            found.append(LintFinding("unmarked", section.id, f"{where}: unmarked section {what[:30]!r} between numbered ones"))
        else:
            found.append(LintFinding("unmarked", section.id, f"{where}: {what[:30]!r} of another kind between {main} ones"))
