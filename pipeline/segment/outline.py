"""Step 3 of segmentation: the body -> preamble and heading tree of numbered segments.

Heading levels come from the document itself, not from a fixed table: a stack holds the open headings;
a marker kind already on the stack closes everything below it (a sibling), a new kind opens a child.
A marker counts only at a paragraph start or right after a sentence end, and only if it continues its
sequence (二 after 一) or starts one; that is what keeps ``3月10日``, ``1.2%`` or ``第8、`` in the text.
Tables of contents, articles and their clauses, amending items, text after a list's last item and
restarted lists are handled here (see :class:`_OutlineBuilder`). Nothing is dropped or reordered.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from pipeline.document import Bilingual, Document, Section, Segment, decode_table, is_table_line

from .cleanup import _HALF_WIDTH_FULL_STOP, _SENTENCE_END_INSIDE, CLOSING_MARKS
from .markers import _MARKER, _marker_identity, _may_start_heading
from .paragraphs import join_wrapped_lines
from .sentences import split_long_sentence, split_sentences

# --- step 3: the body ----------------------------------------------------------------------------

# Articles of a regulation ("第五条　有下列情形之一的……：（一）……") have no title: their text is body,
# and the clauses inside them are list items, not headings. So are the items of an amending decision
# ("一、将第五条修改为：……").
ARTICLE_KIND = "chapter:条"
# An item amends when it names what it changes (an article, a clause, a law) or says "修改为": "把铸牢……作为
# ……的主线" is a part's title, not an amendment.
_AMENDED = r"(?:第[一二三四五六七八九十百零〇0-9]+[条款项章节目]|《[^》]{1,40}》|本(?:条例|办法|规定|细则|决定))"
_AMENDMENT = re.compile(
    rf"(?:将|把|在|删去|删除|增加|增设)[^。]{{0,40}}?{_AMENDED}[^。]{{0,40}}?(?:修改为|改为|增加|删去|删除|中的|之后|后增加|作为|合并)"
    r"|(?:将|把)[^。]{0,40}?(?:修改为|改为)"
    r"|第[一二三四五六七八九十百零]+条[^。]{0,40}?(?:修改为|改为|增加|删去|删除|中的|之后|后增加|作为|合并)"
    r"|删去第|删除第"
)
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



@dataclass(frozen=True)
class OutlineParse:
    """A body's parse: preamble, heading tree, and how consistent the tree is.

    ``confidence`` is 1.0 for an outline whose every level numbers its headings 1, 2, 3 … with nothing
    unmarked between them, and falls with each inconsistency (a gap, a restart, an unmarked section
    between numbered ones, a heading that reads like a paragraph), counted twice at the top level.
    ``shape`` is ``"deep"``, or ``"shallow"`` when the levels below the top were too inconsistent to
    trust: then only the top-level parts are headings, and everything inside them is their text."""

    preamble: list[Segment]
    sections: list[Section]
    confidence: float
    shape: str
    problems: int


def segment_body(
    body: str,
    *,
    max_tokens: int | None = None,
    count_tokens: Callable[[str], int] | None = None,
    rejoin_lines: bool = True,
) -> tuple[list[Segment], list[Section]]:
    """The preamble segments and the heading tree of a body, numbered ("s1", "sec-1-2").

    ``rejoin_lines=False``: every non-empty line is a paragraph already (text a PDF reader rejoined by
    its layout), so no hard-wrap or ragged-line joining is tried.

    Invariant: the non-whitespace characters of ``body`` equal, in order, the concatenation of the
    preamble segments, then for each section in document order its marker, title and segments.
    """
    parse = parse_outline(body, max_tokens=max_tokens, count_tokens=count_tokens, rejoin_lines=rejoin_lines)
    return parse.preamble, parse.sections


def parse_outline(
    body: str,
    *,
    max_tokens: int | None = None,
    count_tokens: Callable[[str], int] | None = None,
    rejoin_lines: bool = True,
) -> OutlineParse:
    """:func:`segment_body` with the outline's confidence: the document-wide parse, scored against the
    shallow outline made from it (top-level parts only); the deep one is kept unless the shallow one is
    clearly more consistent."""
    if rejoin_lines:
        paragraphs = join_wrapped_lines(body.splitlines())
    else:
        paragraphs = [line.strip() for line in body.splitlines() if line.strip()]
    outline = _OutlineBuilder(part_titles=_unmarked_part_titles(paragraphs), spanning_items=_spanning_items(paragraphs),
                              paragraphs=paragraphs)
    for index, (paragraph, next_paragraph) in enumerate(zip(paragraphs, paragraphs[1:] + [""])):
        outline.add_paragraph(paragraph, next_paragraph, index)
    outline.finish()
    preamble, headings, shape = outline.preamble, outline.headings, "deep"
    problems, count = _problems(headings, top=True), _count_headings(headings)
    if problems and count:
        shallow_preamble, shallow = _shallow(preamble, headings)
        shallow_problems = _problems(shallow, top=True)
        # Inner levels with more problems than a quarter of their headings: the top level alone is honest.
        if shallow_problems < problems and (problems - shallow_problems) * 4 > count - len(shallow):
            preamble, headings, shape, problems = shallow_preamble, shallow, "shallow", shallow_problems
            count = len(shallow)
    make_segment = _SegmentMaker(max_tokens, count_tokens)
    segments = [make_segment(sentence) for sentence in preamble]
    sections = [_to_section(heading, str(i), 1, make_segment) for i, heading in enumerate(headings, 1)]
    confidence = round(max(0.0, 1.0 - problems / max(4, count)), 2)
    return OutlineParse(segments, sections, confidence, shape, problems)


# Heading kinds that are not numbered and may stand anywhere in a level: an annex, a titled part.
_UNNUMBERED_KINDS = frozenset({"annex", "part", "title"})


def _problems(headings: list[_Heading], *, top: bool = False, last: dict[str, int] | None = None) -> int:
    """Inconsistencies of a heading tree (see :class:`OutlineParse`); the top level's count twice.
    ``last``: the last number each kind reached before, in document order (items may number on
    through their parents: "3." under "二、" after "2." under "一、")."""
    last = {} if last is None else last
    found = 0
    kinds = [h.kind for h in headings if h.kind and h.kind not in _UNNUMBERED_KINDS]
    main = max(set(kinds), key=kinds.count) if kinds else None
    numbered = [i for i, h in enumerate(headings) if h.kind == main]
    if numbered:
        first = headings[numbered[0]].number
        expected = first if first == last.get(main, 0) + 1 else 1
        for i in numbered:
            number = headings[i].number
            if number != expected and not (main == "cn_shi" and number == 1):
                found += 1
            expected = number + 1
        for i in range(numbered[0] + 1, numbered[-1]):
            following = next((h for h in headings[i + 1 :] if h.kind == main), None)
            if main == "cn_shi" and following is not None and following.number == 1:
                continue  # text between two 一是 lists
            if headings[i].kind != main and headings[i].kind not in _UNNUMBERED_KINDS:
                found += 1
    found += sum(1 for h in headings if len(h.marker) + len(h.title) > MAX_HEADING_CHARS)
    found *= 2 if top else 1
    for heading in headings:
        if heading.kind:
            last[heading.kind] = heading.number
        found += _problems(heading.children, last=last)
    return found


def _count_headings(headings: list[_Heading]) -> int:
    return sum(1 + _count_headings(h.children) for h in headings)


def _shallow(preamble: list[str], headings: list[_Heading]) -> tuple[list[str], list[_Heading]]:
    """The outline with only the top level's main kind (and annexes, titled parts) as headings; every
    other heading's marker and title become a sentence of the text it stands in, in document order."""
    kinds = [h.kind for h in headings if h.kind and h.kind not in _UNNUMBERED_KINDS]
    main = max(set(kinds), key=kinds.count) if kinds else None
    new_preamble, top = list(preamble), []
    for heading in headings:
        if heading.kind == main or heading.kind in _UNNUMBERED_KINDS:
            flat = _Heading(kind=heading.kind, number=heading.number, marker=heading.marker, title=heading.title)
            flat.sentences = _flatten_text(heading, include_heading=False)
            top.append(flat)
        else:
            (top[-1].sentences if top else new_preamble).extend(_flatten_text(heading, include_heading=True))
    return new_preamble, top


def _flatten_text(heading: _Heading, *, include_heading: bool) -> list[str]:
    sentences = []
    if include_heading and (heading.marker or heading.title):
        sentences.append(f"{heading.marker}{heading.title}")
    sentences.extend(heading.sentences)
    for child in heading.children:
        sentences.extend(_flatten_text(child, include_heading=True))
    return sentences


def _unmarked_part_titles(paragraphs: list[str]) -> frozenset[int]:
    """Where a report's parts have titles but no numbers ("“十四五”时期发展成就和2025年工作回顾" … "“十五五”时期
    主要目标和2026年重点工作", the numbered headings inside them): the indexes of two or more short title
    lines, each followed by running text, before the first "一、". One such line is not enough: a covering
    notice's attached document has one title line too."""
    found = []
    for index in range(1, len(paragraphs) - 1):
        paragraph, following = paragraphs[index].strip(), paragraphs[index + 1].strip()
        first = _MARKER.match(paragraph)
        if first and _marker_identity(first)[0] in _HEADING_FAMILIES:
            break
        if (
            _PART_TITLE.fullmatch(paragraph)
            and not first
            and len(following) >= 2 * len(paragraph)
            and _SENTENCE_END_INSIDE.search(following)
            and not _MARKER.match(following)
        ):
            found.append(index)
    return frozenset(found) if len(found) >= 2 else frozenset()


MAX_DEPTH = 8  # continuations nest lists at most this deep (each marker kind is on the stack once anyway)
MAX_ITEM_PARAGRAPHS = 200  # how far "二是" is looked for after "一是" (keeps a huge document linear)


def _spanning_items(paragraphs: list[str]) -> frozenset[int]:
    """The indexes of paragraphs opening a "一是" item whose text runs over the following paragraphs: the
    next item ("二是") opens a later paragraph, with text between and no numbered heading before it. The
    last item of such a list spans too. Other "一是" items are one paragraph each."""
    numbers: list[int | None] = []
    heading_at: list[bool] = []
    for paragraph in paragraphs:
        first = _MARKER.match(paragraph)
        kind, number = _marker_identity(first) if first else ("", None)
        numbers.append(number if kind == "cn_shi" else None)
        heading_at.append(kind in _HEADING_FAMILIES)
    # The index of the next numbered heading at or after each paragraph (one pass from the end).
    next_heading = [len(paragraphs)] * (len(paragraphs) + 1)
    for index in range(len(paragraphs) - 1, -1, -1):
        next_heading[index] = index if heading_at[index] else next_heading[index + 1]
    where: dict[int, list[int]] = {}  # each item number -> the paragraphs it opens, in order
    for index, number in enumerate(numbers):
        if number is not None:
            where.setdefault(number, []).append(index)
    spanning: set[int] = set()
    previous_spanned: dict[int, bool] = {}
    for index, number in enumerate(numbers):
        if number is None:
            continue
        later = where.get(number + 1, [])
        position = bisect.bisect_right(later, index)
        following = later[position] if position < len(later) else None
        if following is not None and following < next_heading[index + 1] and following - index < MAX_ITEM_PARAGRAPHS:
            spans = following > index + 1
        else:  # the list's last item spans as the items before it did
            spans = previous_spanned.get(number - 1, False)
        previous_spanned[number] = spans
        if spans:
            spanning.add(index)
    return frozenset(spanning)


def _shi_number(paragraph: str) -> int | None:
    first = _MARKER.match(paragraph)
    if not first:
        return None
    kind, number = _marker_identity(first)
    return number if kind == "cn_shi" else None


@dataclass
class _Heading:
    kind: str
    number: int
    marker: str
    title: str = ""
    sentences: list[str] = field(default_factory=list)
    children: list[_Heading] = field(default_factory=list)
    body_only: bool = False  # an article or an amending item: no title, and no headings inside
    spans: bool = False  # a "一是" item whose text runs over the paragraphs up to "二是"


# An annex's label on a line of its own: "附件1", "附件", "名词解释", "注释", "《政府工作报告》有关内容名词注释".
_ANNEX_NUMBER = re.compile(r"附\s*件\s*[0-9０-９]{0,2}|附\s*表\s*[0-9０-９]{0,2}|附\s*录\s*[0-9０-９]{0,2}")
_ANNEX_LABEL = re.compile(rf"{_ANNEX_NUMBER.pattern}|名词解释|名词注释|注\s*释|[^\s。！？；，,:：]{{2,30}}名词(?:解释|注释)")
# A part's title without a number: short, no punctuation but quotes, titles' brackets and 、.
_PART_TITLE = re.compile(r"[^\s。！？；，,:：!?;（）()]{6,40}")
# A table of contents: "目录" (or "目　录") alone or followed by its entries on the same line.
_TOC_HEAD = re.compile(r"目\s*录\s*[:：]?\s*")
_TOC_LEADER_AND_PAGE = re.compile(r"(?:[.…·．_—\-]{2,}|\s)\s*[0-9０-９]{1,4}\s*$|[.…·．_]+\s*$")
MAX_TOC_ENTRY_CHARS = 60
# Unmarked paragraphs that close a list rather than continue its last item: "总之，……", "一年来，……"
# (they belong to the list's parent), and the speaker's closing address (to the document).
# ("一年来，" or "过去一年，" open an item's paragraph as often as they close a list: only after a "一是"
# paragraph, which closes on any unmarked paragraph, do they close it.)
_CLOSES_THE_LIST = re.compile(r"(?:总之|综上|总的来看|总体来看|总体上看|实践证明|在看到成绩的同时)")
_CLOSES_THE_DOCUMENT = re.compile(r"本(?:决定|办法|规定|细则|意见|通知|方案|条例|措施)(?:自|从)")
# The speaker's address ("各位代表！", "各位代表，……"): a work report turns to its audience at the end of
# each part, not only at the end of the report. It closes the part's subsections (the text after it stays
# in the part), and the document only when nothing but text follows it to the end.
_ADDRESS = re.compile(r"(?:各位代表|各位委员|同志们|让我们)[，,！!]")
# Paragraphs that close the document when nothing but text follows them to its end.
_MAY_CLOSE_THE_DOCUMENT = re.compile(r"(?:过去一年|一年来|回顾过去|展望未来|新的一年|面向未来|新征程)[，,]")
MAX_LIST_TITLE_CHARS = 40
# A heading (marker and title) is at most this long; a longer first sentence is the item's text.
MAX_HEADING_CHARS = 60
_TERM_BEFORE_COLON = re.compile(r"\s*[^。！？；，,:：]{1,40}[:：]")
# Marker kinds that number a document's parts (as opposed to the items of a list inside a part).
_HEADING_FAMILIES = frozenset({"cn_dun", "cn_paren", "cn_formal", "chapter:章", "chapter:节", "chapter:部分", "chapter:篇", "chapter:编"})
MAX_ARTICLE_TITLE_CHARS = 20
_NOT_IN_A_LIST_TITLE = re.compile(r"[。！？；，,:：!?;]")


def _is_short_title(text: str) -> bool:
    """"第一条　总体要求": a 条 used as a titled heading (a plan's, not a regulation's article)."""
    text = text.strip()
    return bool(text) and len(text) <= MAX_ARTICLE_TITLE_CHARS and not _NOT_IN_A_LIST_TITLE.search(text)


def _toc_key(text: str) -> str:
    """A TOC entry or heading without leader dots, page number and spaces, to find the body's start."""
    return "".join(_TOC_LEADER_AND_PAGE.sub("", text.strip()).split())


class _OutlineBuilder:
    """Reads paragraphs in order and grows the heading tree with a stack of open headings."""

    def __init__(self, part_titles: frozenset[int] = frozenset(), spanning_items: frozenset[int] = frozenset(),
                 paragraphs: list[str] | None = None) -> None:
        # Each paragraph-opening marker's paragraphs, and the paragraphs after one ending with a colon: what
        # tells a list quoted inside a part from the part's own sequence going on.
        self._starts: dict[tuple[str, int], list[int]] = {}
        self._after_colon: set[int] = set()
        for index, paragraph in enumerate(paragraphs or []):
            first = _MARKER.match(paragraph)
            if first and _marker_identity(first)[1] is not None:
                self._starts.setdefault(_marker_identity(first), []).append(index)
            if paragraph.rstrip().endswith(("：", ":")):
                self._after_colon.add(index + 1)
        self._part_titles = part_titles  # paragraph indexes that title an unnumbered part
        self._spanning_items = spanning_items  # paragraph indexes of "一是" items running over paragraphs
        self._index = -1
        self.preamble: list[str] = []
        self.headings: list[_Heading] = []
        self._open: list[_Heading] = []
        # The last number each marker kind reached, so that 第十一条 may follow 第十条 across a new 第二章.
        self._last_number: dict[str, int] = {}
        self._last_depth: dict[str, int] = {}  # the depth each marker kind was last opened at
        self._waiting_for_title: _Heading | None = None
        # Inside an attachment list or notes ("附件：1.…", "注：1.…"): the marker kind its items use
        # ("" until the first item), or None outside one.
        self._list_kind: str | None = None
        # Inside a table of contents (None) or not (False), and the entries it listed so far.
        self._toc: None | bool = False
        self._toc_keys: set[str] = set()
        # Unmarked text after a list's last item: an untitled section after the items, in their parent.
        self._continuation: _Heading | None = None
        # Where a paragraph that may close the document began (heading, sentence index), until a heading
        # opens after it.
        self._trailing: tuple[_Heading, int] | None = None
        self._annex_title: str | None = None  # the paragraph taken as the title of the annex just opened

    def add_paragraph(self, paragraph: str, next_paragraph: str = "", index: int = -1) -> None:
        self._index = index
        if is_table_line(paragraph):  # a reader's table: one segment, never split into sentences
            self._add_sentences([paragraph])
            return
        if self._in_toc(paragraph):
            self._add_toc_entries(paragraph)
            return
        if self._in_list(paragraph):
            self._add_text(paragraph)
            return
        if self._opens_an_annex(paragraph, next_paragraph):
            return
        if index in self._part_titles:
            self._open_heading(0, "part", 0, "").title = paragraph.strip()
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
        # "一是注重对标对表，认真贯彻……。" is a sentence of its section that counts, not a titled item.
        candidates = [
            m for i, m in enumerate(candidates)
            if _marker_identity(m)[0] != "cn_shi" or self._short_item_title(paragraph, m, candidates[i + 1 :])
        ]  # fmt: skip
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
            if (kind == ARTICLE_KIND and not _is_short_title(paragraph[marker.end() :])) or (
                kind in ("cn_dun", "num_dot") and _AMENDMENT.match(paragraph, marker.end())
            ):
                # The text up to the next article run in after a sentence end ("…。第二条…") is the
                # article's, clauses included: only the next article (or chapter) opens a heading there.
                heading.body_only, position = True, marker.end()
                continue
            title_end = self._title_end(paragraph, marker.end(), candidates[index + 1 :])
            title = paragraph[marker.end() : title_end]
            if len(marker.group()) + len(title.strip()) > MAX_HEADING_CHARS:
                # An item whose first sentence is long ("（7）助力乡村振兴发展，在……。") has no title: the
                # sentence is its text. A glossary entry keeps its term ("7.“三大高地”：……").
                term = _TERM_BEFORE_COLON.match(paragraph, marker.end())
                title_end = term.end() if term else marker.end()
                title = paragraph[marker.end() : title_end]
                heading.title = _SPACE_BETWEEN_CHINESE.sub("", title).strip()
                position = title_end
                continue
            heading.title = _SPACE_BETWEEN_CHINESE.sub("", title).strip()
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

    def _opens_an_annex(self, paragraph: str, next_paragraph: str) -> bool:
        """"附件1" / "名词解释" / "注释" on a line of its own: an annex of the report, a top-level part of
        its own after the numbered ones, whose lists start again at 一 or 1."""
        if self._annex_title is not None and paragraph is self._annex_title:
            return True  # the annex's title, taken with its label
        label = _ANNEX_LABEL.fullmatch(paragraph.strip())
        if not label or not self.headings:
            return False
        heading = self._open_heading(0, "annex", 0, "")
        heading.title = paragraph.strip()
        following = next_paragraph.strip()
        if (
            _ANNEX_NUMBER.fullmatch(heading.title)
            and following
            and len(following) <= MAX_LIST_TITLE_CHARS
            and not _SENTENCE_END_INSIDE.search(following)
            and not _MARKER.match(following)
        ):
            heading.marker, heading.title = heading.title, following  # "附件1" then "2026年省十件民生实事"
            self._annex_title = next_paragraph
        del self._open[:]
        self._open.append(heading)
        self._last_number.clear()
        return True

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
        address = bool(_ADDRESS.match(paragraph))
        self._close_before(paragraph, address)
        if address and self._trailing is None and self._open:
            # Where the closing would start, should no heading follow.
            target = self._continuation or self._open[-1]
            self._trailing = (target, len(target.sentences))

    def _close_before(self, paragraph: str, address: bool) -> None:
        if self._continuation is not None and not _CLOSES_THE_DOCUMENT.match(paragraph):
            if not (address and len(self._open) >= 2):
                return
        item = self._open[-1]
        if self._continuation is None and not (item.sentences or item.children or (item.kind == "cn_shi" and item.title)):
            return  # the item's first paragraph (a "一是" paragraph is whole with its title alone)
        if _CLOSES_THE_DOCUMENT.match(paragraph):
            depth = 0
        elif address:
            if len(self._open) < 2:
                return  # the part's own text
            depth = 1
        elif len(self._open) >= 2 and (
            (self._open[-1].kind == "cn_shi" and not self._open[-1].spans) or _CLOSES_THE_LIST.match(paragraph)
        ):
            depth = len(self._open) - 1
        else:
            if self._trailing is None and len(self._open) >= 2 and _MAY_CLOSE_THE_DOCUMENT.match(paragraph):
                target = self._continuation or item
                self._trailing = (target, len(target.sentences))
            return
        if self._open[-1].body_only and depth > 0:
            return  # the text of an article stays in the article
        del self._open[depth:]
        self._continuation = _Heading(kind="", number=0, marker="")
        (self._open[-1].children if self._open else self.headings).append(self._continuation)

    def finish(self) -> None:
        """Text from a paragraph opening like "过去一年，" to the end of the document, with no heading after
        it, closes the document rather than its last item (a work report's closing after its last task).
        Then text left between two numbered siblings joins the first of them (see :func:`_fold_continuations`)."""
        self._close_trailing()
        _fold_continuations(self.headings)

    def _close_trailing(self) -> None:
        if self._trailing is None:
            return
        heading, start = self._trailing
        self._trailing = None
        if start == 0 and heading.kind and not heading.children:
            return  # a part whose whole text is its closing words ("三、加强党的领导" / "同志们，让我们……")
        if heading in self.headings:
            return  # already at the top level
        closing = _Heading(kind="", number=0, marker="", sentences=heading.sentences[start:])
        del heading.sentences[start:]
        if not heading.kind and not heading.sentences and not heading.children:
            self._remove(heading)  # an untitled continuation that held nothing but the closing
        self.headings.append(closing)

    def _remove(self, heading: _Heading) -> None:
        stack = [self.headings]
        while stack:
            siblings = stack.pop()
            if heading in siblings:
                siblings.remove(heading)
                return
            stack.extend(h.children for h in siblings)

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

    def _short_item_title(self, paragraph: str, marker: re.Match[str], later: list[re.Match[str]]) -> bool:
        end = self._title_end(paragraph, marker.end(), later)
        return len(paragraph[marker.end() : end].strip()) <= MAX_LIST_TITLE_CHARS

    def _depth_for(self, kind: str, number: int | None) -> int | None:
        """Where a marker would open a heading (0 = top level), or None if it is not a plausible heading."""
        if number is None:
            return None
        if kind == "cn_shi" and not self._open:
            return None  # "一是…" lists items of a section; before the first heading they are text
        shi = next((depth for depth, heading in enumerate(self._open) if heading.kind == "cn_shi"), None)
        if shi is not None and kind in _HEADING_FAMILIES and all(h.kind != kind for h in self._open):
            # A numbered heading never nests under a "一是" item: it closes the item's list.
            return shi if (number == 1 or number == self._last_number.get(kind, -1) + 1) else None
        same = [depth for depth, heading in enumerate(self._open) if heading.kind == kind]
        if same and kind != "cn_shi":
            outer, inner = same[0], same[-1]
            continues_outer = number == self._open[outer].number + 1
            if inner != outer and number == self._open[inner].number + 1:
                # A quoted list ("一、…二、…" inside "三、") goes on, unless its next number is the outer
                # sequence's and no later paragraph opens with it: then the outer sequence goes on here.
                return outer if continues_outer and not self._starts_later(kind, number) else inner
            if continues_outer:
                return outer
            if number == 1 and kind in _HEADING_FAMILIES and len(self._open) < MAX_DEPTH and self._quoted_list_here(kind):
                return len(self._open)  # a second 一、二、三 quoted inside a part nests under it
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
        if kind != "cn_shi" and number == self._last_number.get(kind, -1) + 1 and number > 1:
            # "（十）" after a list nested in "（九）" (1.…10.): back to the level "（九）" had; but "第十一条"
            # under a new "第二节" continues its numbering inside it.
            last = min(self._last_depth.get(kind, len(self._open)), len(self._open))
            if all(h.kind not in _HEADING_FAMILIES for h in self._open[last:]):
                return last
            return len(self._open)
        if number == 1:
            return len(self._open)
        return None

    def _starts_later(self, kind: str, number: int) -> bool:
        """Whether a paragraph after this one opens with the marker (kind, number)."""
        later = self._starts.get((kind, number), [])
        return bisect.bisect_right(later, self._index) < len(later)

    def _quoted_list_here(self, kind: str) -> bool:
        """Whether a "一、" at this paragraph, with "三、" open, starts a list quoted inside the part: the
        paragraph before introduces it ("……如下：") or the outer sequence goes on after it."""
        outer = next(h for h in self._open if h.kind == kind)
        return self._index in self._after_colon or self._starts_later(kind, outer.number + 1)

    def _open_heading(self, depth: int, kind: str, number: int, marker: str) -> _Heading:
        heading = _Heading(kind=kind, number=number, marker=marker)
        self._waiting_for_title = None
        if (
            self._continuation is not None
            and depth == len(self._open) < MAX_DEPTH
            and number == 1
            and kind not in _HEADING_FAMILIES
            and self._continued_kind() != kind
        ):
            # A new kind of list right after the text that closed the last one ("今年要办好十方面民生实事。"
            # / "1.…"), is that text's list; the same kind again restarts beside the list it closed.
            self._open.append(self._continuation)
            depth += 1
        self._continuation = self._trailing = None
        del self._open[depth:]
        (self._open[-1].children if self._open else self.headings).append(heading)
        self._open.append(heading)
        self._last_number[kind] = number
        self._last_depth[kind] = depth
        heading.spans = kind == "cn_shi" and self._index in self._spanning_items
        return heading

    def _continued_kind(self) -> str:
        """The kind of the heading just before the open continuation (the list it closed), or ""."""
        siblings = self._open[-1].children if self._open else self.headings
        return siblings[-2].kind if len(siblings) >= 2 and siblings[-1] is self._continuation else ""

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
        self._add_sentences(split_sentences(text))

    def _add_sentences(self, sentences: list[str]) -> None:
        if self._waiting_for_title is not None and sentences:
            self._waiting_for_title = None
        if self._continuation is not None:
            self._continuation.sentences.extend(sentences)
        else:
            (self._open[-1].sentences if self._open else self.preamble).extend(sentences)


def _fold_continuations(siblings: list[_Heading]) -> None:
    """An untitled continuation between two numbered siblings of one kind ("（七）…", text after its list,
    "（八）…") is the end of the first one's text: it joins it, so that a level reads （一）…（十） with
    nothing unmarked between. Recursively, children first."""
    for heading in siblings:
        _fold_continuations(heading.children)
    index = 1
    while index < len(siblings):  # two untitled continuations in a row are one
        first, second = siblings[index - 1], siblings[index]
        if not (first.kind or first.title or second.kind or second.title or first.children):
            first.sentences.extend(second.sentences)
            first.children.extend(second.children)
            del siblings[index]
        else:
            index += 1
    # The kind of the nearest marked sibling after each position (one pass from the end).
    next_kind: list[str] = [""] * (len(siblings) + 1)
    next_number: list[int] = [0] * (len(siblings) + 1)
    for index in range(len(siblings) - 1, -1, -1):
        marked = bool(siblings[index].kind)
        next_kind[index] = siblings[index].kind if marked else next_kind[index + 1]
        next_number[index] = siblings[index].number if marked else next_number[index + 1]
    kept: list[_Heading] = []
    previous_kind = ""
    for index, heading in enumerate(siblings):
        if (
            not heading.kind
            and kept
            and previous_kind
            and previous_kind == next_kind[index + 1]
            and previous_kind not in _UNNUMBERED_KINDS
            and not (previous_kind == "cn_shi" and next_number[index + 1] == 1)  # text between two 一是 lists
        ):
            previous = kept[-1]
            if previous.children:
                previous.children.append(heading)
            else:
                previous.sentences.extend(heading.sentences)
                previous.children.extend(heading.children)
            continue
        kept.append(heading)
        previous_kind = heading.kind or previous_kind
    siblings[:] = kept


class _SegmentMaker:
    """Numbers segments in the order they are made and splits the ones too long to translate."""

    def __init__(self, max_tokens: int | None, count_tokens: Callable[[str], int] | None):
        self._max_tokens = max_tokens
        self._count_tokens = count_tokens
        self._made = 0

    def __call__(self, sentence: str) -> Segment:
        self._made += 1
        if is_table_line(sentence):
            return Segment.of_table(f"s{self._made}", decode_table(sentence))
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
