"""Segmentation: report text -> :class:`Document` (front matter, heading tree, sentences).

The stage is a pure function over text, in four steps:

1. :func:`clean_text` turns the shapes reports come in (scraped HTML, Markdown, PDF extraction) into
   plain lines; markup, page chrome (page numbers and the running header printed next to them) and
   invisible characters are the only things it removes.
2. :func:`split_front_matter` takes the metadata table, title, issuer/date line and salutation off the top,
   and a notice's signature (issuer and date lines, usually at the bottom) and the site footer off the end.
3. :func:`segment_body` rejoins hard-wrapped lines into paragraphs, finds headings and splits the text
   between them into sentences, numbering segments ("s1", ...) and sections ("sec-1-2") by position. It
   never drops or reorders a visible character: the markers, titles and segments it returns,
   concatenated, are the body without its whitespace.
4. :func:`segment` wires the three together into a :class:`Document`.

Heading levels come from the document itself, not from a fixed table: a stack holds the open headings;
a marker kind already on the stack closes everything below it (a sibling), a new kind opens a child.
A marker counts only at a paragraph start or right after a sentence end, and only if it continues its
sequence (二 after 一) or starts one; that is what keeps ``3月10日``, ``1.2%`` or ``第8、`` in the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from pipeline.document import Bilingual, Document, Section, Segment

from .cleanup import (
    _ENDS_WITH_HALF_WIDTH_FULL_STOP,
    _HALF_WIDTH_FULL_STOP,
    _LINE_END_MARKS,
    _MARKER_MAY_FOLLOW,
    _SENTENCE_END_INSIDE,
    _WIDE_CHARS,
    CLOSING_MARKS,
)
from .sentences import split_long_sentence, split_sentences

# --- step 3: the body ----------------------------------------------------------------------------

_CN = "[一二三四五六七八九十]{1,3}"
# Formal numerals, used for the top level of Traditional Chinese documents ("壹、", "貳、").
_CN_FORMAL = "[壹贰貳叁參叄肆伍陆陸柒捌玖拾]{1,3}"
_DIGITS = "[0-9０-９]{1,2}"
_MARKER = re.compile(
    # Every marker starts with one of these; checking that first keeps the scan fast on long text.
    r"(?=[第（(一二三四五六七八九十0-9０-９①-⑳⑴-⒇⒈-⒛壹贰貳叁參叄肆伍陆陸柒捌玖拾])"
    rf"(?:(?P<chapter>第(?P<chapter_n>{_CN}|[0-9０-９]{{1,3}})(?P<chapter_unit>章|节|節|条|條|部分|篇|编|編))"
    rf"|(?P<cn_paren>[（(](?P<cn_paren_n>{_CN})[）)])"
    # Not a run of numerals ("一、二季度", "二、三产业").
    rf"|(?<![一二三四五六七八九十])(?P<cn_dun>(?P<cn_dun_n>{_CN})(?:、(?!{_CN}(?:季度|产业|[、和及至到]))|[．.]))"
    rf"|(?<![一二三四五六七八九十])(?P<cn_shi>(?P<cn_shi_n>{_CN})是)"
    rf"|(?P<cn_formal>(?P<cn_formal_n>{_CN_FORMAL})[、．.])"
    # A numeral alone on its line ("## 四" in Markdown): the title follows on the next line.
    rf"|(?<![一二三四五六七八九十])(?P<cn_bare>(?P<cn_bare_n>{_CN}))(?=[ \t]*$)"
    rf"|(?P<num_paren>[（(](?P<num_paren_n>{_DIGITS})[）)])"
    # Not a decimal point (1.2%) and not a run of months, days or quarters ("1、2月份", "1、2季度").
    rf"|(?<![0-9０-９.．])(?P<num_dot>(?P<num_dot_n>{_DIGITS})(?:、(?![0-9０-９]+(?:[月日号季]|、))|[.．](?![0-9０-９])))"
    r"|(?P<circled>[①-⑳])"
    r"|(?P<paren_digit>[⑴-⒇])"
    r"|(?P<digit_stop>[⒈-⒛]))"
)
_CN_DIGIT_VALUES = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_FORMAL_DIGITS = str.maketrans("壹贰貳叁參叄肆伍陆陸柒捌玖拾", "一二二三三三四五六六七八九十")
_UNIT_KIND = {"節": "节", "條": "条", "編": "编"}
# Articles of a regulation ("第五条　有下列情形之一的……：（一）……") have no title: their text is body,
# and the clauses inside them are list items, not headings. So are the items of an amending decision
# ("一、将第五条修改为：……").
ARTICLE_KIND = "chapter:条"
_AMENDMENT = re.compile(r"(?:将|把|在|删去|删除|增加|增设|第[一二三四五六七八九十百零]+条)[^。]{0,40}?(?:修改为|改为|增加|删去|删除|中的|之后|后增加|作为|合并)|删去第|删除第")
# A heading's title ends at its first sentence end (kept, with closing quotes) or, in text scraped onto
# one line, at a space between two Chinese characters ("一、上半年工作回顾 今年以来,...").
_TITLE_END = re.compile(
    rf"(?:[。！？!?；;]|{_HALF_WIDTH_FULL_STOP})[{CLOSING_MARKS}]*"
    r"|(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f\s])"
)
# Titles are often spaced out for typography ("总　　则"); the spaces are not part of the title.
_SPACE_BETWEEN_CHINESE = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")
# A paragraph opening an attachment list, notes or a box ("专栏2　主要指标"); the numbered items after it
# are list items, not headings.
_LIST_INTRO = re.compile(r"(?:(?:附件|附表|附录|注|备注|说明)\s*[0-9０-９]{0,2}\s*[:：]|专栏\s*[0-9０-９]{1,3}(?![0-9０-９]))\s*")
MAX_TITLE_FROM_NEXT_LINE_CHARS = 40
MIN_TITLE_CHARS_BEFORE_A_SPACE = 3
HARD_WRAP_MIN_FULL_LINE_SHARE = 0.2
HARD_WRAP_MIN_FULL_LINES = 3
HARD_WRAP_MAX_LINE_WIDTH = 120
HARD_WRAP_MIN_LINE_WIDTH = 20  # characters; narrower "wraps" are a list of short lines
HARD_WRAP_OVERFLOW_RATIO = 1.1
HARD_WRAP_MAX_OVERFLOW_SHARE = 0.1
HARD_WRAP_FULL_LINE_RATIO = 0.85
RAGGED_MIN_CUT_LINES = 3
RAGGED_MIN_CUT_SHARE = 0.5
RAGGED_MIN_LINE_CHARS = 4


def segment_body(
    body: str,
    *,
    max_tokens: int | None = None,
    count_tokens: Callable[[str], int] | None = None,
) -> tuple[list[Segment], list[Section]]:
    """The preamble segments and the heading tree of a body, numbered ("s1", "sec-1-2").

    Invariant: the non-whitespace characters of ``body`` equal, in order, the concatenation of the
    preamble segments, then for each section in document order its marker, title and segments.
    """
    outline = _OutlineBuilder()
    paragraphs = join_wrapped_lines(body.splitlines())
    for paragraph, next_paragraph in zip(paragraphs, paragraphs[1:] + [""]):
        outline.add_paragraph(paragraph, next_paragraph)
    make_segment = _SegmentMaker(max_tokens, count_tokens)
    preamble = [make_segment(sentence) for sentence in outline.preamble]
    sections = [_to_section(heading, str(i), 1, make_segment) for i, heading in enumerate(outline.headings, 1)]
    return preamble, sections



def join_wrapped_lines(lines: list[str]) -> list[str]:
    """Paragraphs from lines, rejoining lines that PDF extraction broke at a fixed width.

    A line continues into the next one only when the document is hard-wrapped (most lines have about
    the same, short width and stop mid-sentence), the line is full width and does not end a sentence.
    Headings are short lines, so they stay paragraphs of their own.
    """
    lines = [line.strip() for line in lines]
    is_full_width = _full_width_test([line for line in lines if line])
    ragged = is_full_width is None and _is_ragged([line for line in lines if line])
    paragraphs: list[str] = []
    current: list[str] = []
    for index, line in enumerate(lines):
        if line:
            current.append(line)
        if ragged:
            following = lines[index + 1] if index + 1 < len(lines) else ""
            wrapped = bool(line and following) and _continues_ragged(line, following)
        else:
            wrapped = line and is_full_width is not None and is_full_width(line) and not _ends_sentence(line)
        wrapped = wrapped and " | " not in line  # a table row is a line of its own, whatever its width
        # "…（责任单位：市发改委）" then "2.降低…": the bracket closed the item, the next one starts.
        if wrapped and line[-1] in CLOSING_MARKS and index + 1 < len(lines) and _MARKER.match(lines[index + 1]):
            wrapped = False
        if current and not wrapped:
            paragraphs.append("".join(current))
            current = []
    if current:
        paragraphs.append("".join(current))
    return paragraphs


def _is_heading_line(line: str) -> bool:
    return bool(_MARKER.match(line)) and len(line) <= MAX_TITLE_FROM_NEXT_LINE_CHARS and not _ends_sentence(line)


def _is_ragged(lines: list[str]) -> bool:
    """Whether lines were broken at no fixed width (PDF extraction of justified or ragged text): many
    lines of running text stop mid-sentence."""
    text_lines = [line for line in lines if " | " not in line and not _is_heading_line(line)]
    cut = [line for line in text_lines if not _ends_sentence(line) and len(line) >= RAGGED_MIN_LINE_CHARS]
    return len(cut) >= RAGGED_MIN_CUT_LINES and len(cut) >= RAGGED_MIN_CUT_SHARE * len(text_lines)


def _continues_ragged(line: str, following: str) -> bool:
    """In ragged text, a line continues into the next unless it ends a sentence or is a heading, or the
    next line is a heading or a table row."""
    if _ends_sentence(line) or _is_heading_line(line) or len(line) < RAGGED_MIN_LINE_CHARS or " | " in line:
        return False
    return not (_MARKER.match(following) or " | " in following)


def _full_width_test(lines: list[str]) -> Callable[[str], bool] | None:
    """A test for "this line was cut at the wrap width", or None if the text is not hard-wrapped."""
    if len(lines) < 4:
        return None
    # PDF extractors wrap at a display width (a half-width digit takes half a column), other tools at a
    # number of characters; the measure under which more lines are full is the one the text was cut by.
    best: tuple[int, Callable[[str], bool]] | None = None
    for measure in (_display_width, len):
        sizes = [measure(line) for line in lines]
        wrap_width = _wrap_width(sorted(sizes))
        threshold = HARD_WRAP_FULL_LINE_RATIO * wrap_width
        full_lines = [line for line, size in zip(lines, sizes) if size >= threshold]
        # One paragraph per line: full lines end sentences. Hard wraps: they mostly stop mid-sentence.
        cut_mid_sentence = sum(1 for line in full_lines if not _ends_sentence(line))
        # Nothing much is wider than the wrap width (a cluster of short headings is not a wrap width).
        wider = sum(1 for size in sizes if size > HARD_WRAP_OVERFLOW_RATIO * wrap_width)
        if (
            HARD_WRAP_MIN_LINE_WIDTH * (2 if measure is _display_width else 1) <= wrap_width <= HARD_WRAP_MAX_LINE_WIDTH
            and wider <= HARD_WRAP_MAX_OVERFLOW_SHARE * len(lines)
            and len(full_lines) >= max(HARD_WRAP_MIN_FULL_LINES, HARD_WRAP_MIN_FULL_LINE_SHARE * len(lines))
            and cut_mid_sentence * 2 >= len(full_lines)
            and (best is None or len(full_lines) > best[0])
        ):
            best = (len(full_lines), lambda line, measure=measure, threshold=threshold: measure(line) >= threshold)
    return best[1] if best else None


def _wrap_width(sizes: list[int]) -> int:
    """The width most lines were cut at: the size with the most lines just below it (sizes sorted).

    Short lines (headings, paragraph ends) do not drag the estimate down, nor a few long lines up.
    """
    best_count, best_size = 0, sizes[-1]
    low = 0
    for high, size in enumerate(sizes):
        if high + 1 < len(sizes) and sizes[high + 1] == size:
            continue
        while sizes[low] < HARD_WRAP_FULL_LINE_RATIO * size:
            low += 1
        if high - low + 1 >= best_count:
            best_count, best_size = high - low + 1, size
    return best_size


def _display_width(line: str) -> int:
    return len(line) + len(_WIDE_CHARS.findall(line))


def _ends_sentence(line: str) -> bool:
    line = line.rstrip(CLOSING_MARKS)
    return line[-1:] in _LINE_END_MARKS or bool(_ENDS_WITH_HALF_WIDTH_FULL_STOP.search(line))


@dataclass
class _Heading:
    kind: str
    number: int
    marker: str
    title: str = ""
    sentences: list[str] = field(default_factory=list)
    children: list[_Heading] = field(default_factory=list)
    body_only: bool = False  # an article or an amending item: no title, and no headings inside


# A table of contents: "目录" (or "目　录") alone or followed by its entries on the same line.
_TOC_HEAD = re.compile(r"目\s*录\s*[:：]?\s*")
_TOC_LEADER_AND_PAGE = re.compile(r"(?:[.…·．_—\-]{2,}|\s)\s*[0-9０-９]{1,4}\s*$|[.…·．_]+\s*$")
MAX_TOC_ENTRY_CHARS = 60
# Unmarked paragraphs that close a list rather than continue its last item: "总之，……", "一年来，……"
# (they belong to the list's parent), and the speaker's closing address (to the document).
_CLOSES_THE_LIST = re.compile(r"(?:总之|综上|总的来看|总体来看|总体上看|一年来|过去一年|回顾过去|实践证明|在看到成绩的同时)")
_CLOSES_THE_DOCUMENT = re.compile(
    r"(?:各位代表|各位委员|同志们|让我们)[，,！!]|本(?:决定|办法|规定|细则|意见|通知|方案|条例|措施)(?:自|从)"
)
MAX_LIST_TITLE_CHARS = 40
_NOT_IN_A_LIST_TITLE = re.compile(r"[。！？；，,:：!?;]")


def _toc_key(text: str) -> str:
    """A TOC entry or heading without leader dots, page number and spaces, to find the body's start."""
    return "".join(_TOC_LEADER_AND_PAGE.sub("", text.strip()).split())


class _OutlineBuilder:
    """Reads paragraphs in order and grows the heading tree with a stack of open headings."""

    def __init__(self) -> None:
        self.preamble: list[str] = []
        self.headings: list[_Heading] = []
        self._open: list[_Heading] = []
        # The last number each marker kind reached, so that 第十一条 may follow 第十条 across a new 第二章.
        self._last_number: dict[str, int] = {}
        self._waiting_for_title: _Heading | None = None
        # Inside an attachment list or notes ("附件：1.…", "注：1.…"): the marker kind its items use
        # ("" until the first item), or None outside one.
        self._list_kind: str | None = None
        # Inside a table of contents (None) or not (False), and the entries it listed so far.
        self._toc: None | bool = False
        self._toc_keys: set[str] = set()
        # Unmarked text after a list's last item: an untitled section after the items, in their parent.
        self._continuation: _Heading | None = None

    def add_paragraph(self, paragraph: str, next_paragraph: str = "") -> None:
        if self._in_toc(paragraph):
            self._add_toc_entries(paragraph)
            return
        if self._in_list(paragraph):
            self._add_text(paragraph)
            return
        if self._waiting_for_title is not None:
            heading, self._waiting_for_title = self._waiting_for_title, None
            if len(paragraph) <= MAX_TITLE_FROM_NEXT_LINE_CHARS and not _SENTENCE_END_INSIDE.search(paragraph[:-1]):
                first_marker = _MARKER.match(paragraph)
                if not (first_marker and self._depth_for(*_marker_identity(first_marker)) is not None):
                    heading.title = _SPACE_BETWEEN_CHINESE.sub("", paragraph)  # "第一章", then "总则"
                    return
        if self._opens_a_restarted_list(paragraph, next_paragraph):
            return
        candidates = [m for m in _MARKER.finditer(paragraph) if _may_start_heading(paragraph, m.start())]
        if not (candidates and candidates[0].start() == 0 and self._depth_for(*_marker_identity(candidates[0])) is not None):
            self._close_the_list(paragraph)
        position = 0
        for index, marker in enumerate(candidates):
            if marker.start() < position:
                continue  # inside the title just taken
            kind, number = _marker_identity(marker)
            depth = self._depth_for(kind, number)
            if depth is None:
                continue
            self._add_text(paragraph[position : marker.start()])
            heading = self._open_heading(depth, kind, number, marker.group())
            if kind == ARTICLE_KIND or (kind in ("cn_dun", "num_dot") and _AMENDMENT.match(paragraph, marker.end())):
                heading.body_only, position = True, marker.end()
                break  # the rest of the paragraph is the article's text, clauses included
            title_end = self._title_end(paragraph, marker.end(), candidates[index + 1 :])
            heading.title = _SPACE_BETWEEN_CHINESE.sub("", paragraph[marker.end() : title_end]).strip()
            position = title_end
            if not heading.title and marker.lastgroup != "cn_bare":  # "## 四" is a whole Markdown heading
                self._waiting_for_title = heading
        self._add_text(paragraph[position:])

    def _in_toc(self, paragraph: str) -> bool:
        """Whether a paragraph is (part of) a table of contents, whose entries are text, not headings;
        the TOC ends at the body's first heading (its first entry again) or at a line of running text."""
        head = _TOC_HEAD.match(paragraph)
        if head and (head.end() == len(paragraph) or _MARKER.match(paragraph, head.end())):
            entries = [m.start() for m in _MARKER.finditer(paragraph, head.end()) if _may_start_heading(paragraph, m.start())]
            self._toc = None if not entries else False  # entries on the same line: the TOC is this line
            self._toc_keys = set()
            return True
        if self._toc is False:
            return False
        key = _toc_key(paragraph)
        if key in self._toc_keys or len(paragraph) > MAX_TOC_ENTRY_CHARS or _SENTENCE_END_INSIDE.search(paragraph):
            self._toc = False  # the body starts again at a heading the TOC listed, or running text begins
            return False
        self._toc_keys.add(key)
        return True

    def _add_toc_entries(self, paragraph: str) -> None:
        """TOC text, one segment per entry (entries on one line are cut where each marker starts)."""
        starts = [m.start() for m in _MARKER.finditer(paragraph) if m.start() and paragraph[m.start() - 1].isspace()]
        target = self._continuation or (self._open[-1] if self._open else None)
        sentences = target.sentences if target is not None else self.preamble
        for start, end in zip([0, *starts], [*starts, len(paragraph)]):
            if paragraph[start:end].strip():
                sentences.append(paragraph[start:end].strip())

    def _opens_a_restarted_list(self, paragraph: str, next_paragraph: str) -> bool:
        """A short title line followed by a list that starts again at 一 (a page holding two articles):
        the title opens an unmarked top-level heading, and the new list goes under it."""
        if not self._open or len(paragraph) > MAX_LIST_TITLE_CHARS or _NOT_IN_A_LIST_TITLE.search(paragraph):
            return False
        if _MARKER.match(paragraph):
            return False
        first = _MARKER.match(next_paragraph)
        if not first:
            return False
        kind, number = _marker_identity(first)
        if number != 1 or kind == "cn_shi" or not any(h.kind == kind for h in self._open) or self._depth_for(kind, number) is not None:
            return False
        heading = self._open_heading(0, "title", 0, "")
        heading.title = _SPACE_BETWEEN_CHINESE.sub("", paragraph).strip()
        self._last_number.clear()
        return True

    def _close_the_list(self, paragraph: str) -> None:
        """An unmarked paragraph after a list's last item: after a "一是" paragraph, or opening like
        "总之，", it belongs to the item's parent; a closing address ("各位代表，") to the document."""
        if not self._open or self._waiting_for_title is not None:
            return
        if self._continuation is not None and not _CLOSES_THE_DOCUMENT.match(paragraph):
            return
        item = self._open[-1]
        if self._continuation is None and not (item.sentences or item.children or (item.kind == "cn_shi" and item.title)):
            return  # the item's first paragraph (a "一是" paragraph is whole with its title alone)
        if _CLOSES_THE_DOCUMENT.match(paragraph):
            depth = 0
        elif len(self._open) >= 2 and (self._open[-1].kind == "cn_shi" or _CLOSES_THE_LIST.match(paragraph)):
            depth = len(self._open) - 1
        else:
            return
        if self._open[-1].body_only and depth > 0:
            return  # the text of an article stays in the article
        del self._open[depth:]
        self._continuation = _Heading(kind="", number=0, marker="")
        (self._open[-1].children if self._open else self.headings).append(self._continuation)

    def _in_list(self, paragraph: str) -> bool:
        """Whether a paragraph belongs to an attachment list or notes, whose numbers are not headings."""
        intro = _LIST_INTRO.match(paragraph)
        first_item = _MARKER.match(paragraph, intro.end()) if intro else None
        # "附件：" / "附件：1.…" / "专栏2　…" open a list; "注：本表为快报数。" is just a note.
        if intro and (first_item or intro.end() == len(paragraph) or paragraph.startswith("专栏")):
            self._waiting_for_title = None
            self._list_kind = _marker_identity(first_item)[0] if first_item else ""
            return True
        if self._list_kind is None:
            return False
        item = _MARKER.match(paragraph)
        if item and self._list_kind in ("", _marker_identity(item)[0]):
            self._list_kind = _marker_identity(item)[0]
            return True
        self._list_kind = None
        return False

    def _depth_for(self, kind: str, number: int | None) -> int | None:
        """Where a marker would open a heading (0 = top level), or None if it is not a plausible heading."""
        if number is None:
            return None
        for depth, heading in enumerate(self._open):
            if heading.kind == kind:
                if number == heading.number + 1:
                    return depth
                # "一是…二是…" lists restart freely within one section; numbered headings do not.
                if kind == "cn_shi" and number == 1:
                    return depth
                return None
        if self._open and self._open[-1].body_only and not kind.startswith("chapter:"):
            return None  # a clause inside an article, a quoted item inside an amendment
        if number == 1 or (kind != "cn_shi" and number == self._last_number.get(kind, -1) + 1):
            return len(self._open)
        return None

    def _open_heading(self, depth: int, kind: str, number: int, marker: str) -> _Heading:
        heading = _Heading(kind=kind, number=number, marker=marker)
        self._waiting_for_title = None
        self._continuation = None
        del self._open[depth:]
        (self._open[-1].children if self._open else self.headings).append(heading)
        self._open.append(heading)
        self._last_number[kind] = number
        return heading

    def _title_end(self, paragraph: str, start: int, later_candidates: list[re.Match[str]]) -> int:
        while start < len(paragraph) and paragraph[start].isspace():
            start += 1
        end = len(paragraph)
        for end_match in _TITLE_END.finditer(paragraph, start):
            if not end_match.group()[0].isspace():
                end = end_match.end()
                break
            # "第一章　总　则" spaces out a short title; a space after a real title starts the paragraph.
            if len("".join(paragraph[start : end_match.start()].split())) >= MIN_TITLE_CHARS_BEFORE_A_SPACE:
                end = end_match.start()
                break
        # A heading that opens a list ("（一）总体要求：一是…") ends where the list starts.
        for marker in later_candidates:
            if marker.start() >= end:
                break
            if marker.start() > start and self._depth_for(*_marker_identity(marker)) is not None:
                return marker.start()
        return end

    def _add_text(self, text: str) -> None:
        sentences = split_sentences(text)
        if self._waiting_for_title is not None and sentences:
            self._waiting_for_title = None
        if self._continuation is not None:
            self._continuation.sentences.extend(sentences)
        else:
            (self._open[-1].sentences if self._open else self.preamble).extend(sentences)


def _may_start_heading(paragraph: str, start: int) -> bool:
    before = start - 1
    while before >= 0 and paragraph[before].isspace():
        before -= 1
    if before < 0 or before < start - 1:
        return True  # paragraph start, or after whitespace
    while before >= 0 and paragraph[before] in CLOSING_MARKS:
        before -= 1  # 。” then the marker
    return before >= 0 and paragraph[before] in _MARKER_MAY_FOLLOW


def _marker_identity(marker: re.Match[str]) -> tuple[str, int | None]:
    """(kind, number) of a marker match; kinds that differ only in width or bracket shape are one kind."""
    kind = marker.lastgroup or ""
    groups = marker.groupdict()
    if kind == "chapter":
        unit = groups["chapter_unit"]
        return f"chapter:{_UNIT_KIND.get(unit, unit)}", _numeral_value(groups["chapter_n"])
    if kind == "circled":
        return kind, ord(marker.group()) - ord("①") + 1
    if kind == "paren_digit":
        return kind, ord(marker.group()) - ord("⑴") + 1
    if kind == "digit_stop":
        return kind, ord(marker.group()) - ord("⒈") + 1
    # The kind's own group is the whole marker; the number is in a group named after it.
    if kind == "cn_formal":
        return kind, _numeral_value(groups["cn_formal_n"].translate(_FORMAL_DIGITS))
    if kind == "cn_bare":
        return "cn_dun", _numeral_value(groups["cn_bare_n"])
    for name in ("cn_paren", "cn_dun", "cn_shi", "num_paren", "num_dot"):
        if groups[name] is not None:
            return name, _numeral_value(groups[f"{name}_n"])
    return kind, None


def _numeral_value(numeral: str) -> int | None:
    if numeral.isdigit():
        return int(numeral)  # int() reads full-width digits too
    if "十" not in numeral:
        return _CN_DIGIT_VALUES.get(numeral)
    tens, _, ones = numeral.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    return (_CN_DIGIT_VALUES.get(tens, 0) if tens else 1) * 10 + (_CN_DIGIT_VALUES.get(ones, 0) if ones else 0)



class _SegmentMaker:
    """Numbers segments in the order they are made and splits the ones too long to translate."""

    def __init__(self, max_tokens: int | None, count_tokens: Callable[[str], int] | None):
        self._max_tokens = max_tokens
        self._count_tokens = count_tokens
        self._made = 0

    def __call__(self, sentence: str) -> Segment:
        self._made += 1
        pieces: list[str] = []
        if self._max_tokens is not None and self._count_tokens is not None:
            if self._count_tokens(sentence) > self._max_tokens:
                pieces = split_long_sentence(sentence, self._max_tokens, self._count_tokens)
        return Segment(id=f"s{self._made}", zh=sentence, pieces=pieces)


def _to_section(heading: _Heading, number_path: str, level: int, make_segment: _SegmentMaker) -> Section:
    # Own segments are made before the children's, so ids follow document order.
    segments = [make_segment(sentence) for sentence in heading.sentences]
    children = [
        _to_section(child, f"{number_path}-{i}", level + 1, make_segment) for i, child in enumerate(heading.children, 1)
    ]
    return Section(
        id=f"sec-{number_path}",
        level=level,
        marker=heading.marker,
        title=Bilingual(heading.title),
        segments=segments,
        sections=children,
    )


# --- outline -------------------------------------------------------------------------------------


def format_outline(doc: Document, *, show_segments: bool = False) -> str:
    """A human-readable outline: front matter, then one indented line per heading with its marker,
    title, id and segment count; with ``show_segments``, each segment (and its pieces) under it."""
    lines = []
    if doc.title.zh:
        lines.append(f"title: {doc.title.zh}")
    for label, value in (("issuer", doc.issuer), ("date", doc.date), ("salutation", doc.salutation)):
        if value:
            lines.append(f"{label}: {value}")
    for key, value in doc.meta.items():
        lines.append(f"meta {key}: {value}")
    lines.append(f"preamble: {_count(len(doc.preamble), 'segment')}")
    if show_segments:
        lines.extend(_segment_lines(doc.preamble, "  "))
    for section in doc.walk_sections():
        indent = "  " * (section.level - 1)
        # An untitled section holds the text after a list's last item.
        heading = f"{section.marker} {section.title.zh}" if section.marker or section.title.zh else "(continued)"
        lines.append(f"{indent}{heading}  [{section.id}, {_count(len(section.segments), 'segment')}]")
        if show_segments:
            lines.extend(_segment_lines(section.segments, indent + "    "))
    return "\n".join(lines) + "\n"


def _segment_lines(segments: list[Segment], indent: str) -> Iterator[str]:
    for seg in segments:
        yield f"{indent}{seg.id}: {seg.zh}"
        for piece in seg.pieces:
            yield f"{indent}  + {piece}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
