"""Step 3 of segmentation: the body -> preamble and heading tree of numbered segments.

Heading levels come from the document itself, not from a fixed table: a stack holds the open headings;
a marker kind already on the stack closes everything below it (a sibling), a new kind opens a child.
A marker counts only at a paragraph start or right after a sentence end, and only if it continues its
sequence (二 after 一) or starts one; that is what keeps ``3月10日``, ``1.2%`` or ``第8、`` in the text.
Tables of contents, articles and their clauses, amending items, text after a list's last item and
restarted lists are handled here (see :class:`_OutlineBuilder`). Nothing is dropped or reordered.
"""

from __future__ import annotations

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
    outline = _OutlineBuilder()
    if rejoin_lines:
        paragraphs = join_wrapped_lines(body.splitlines())
    else:
        paragraphs = [line.strip() for line in body.splitlines() if line.strip()]
    for paragraph, next_paragraph in zip(paragraphs, paragraphs[1:] + [""]):
        outline.add_paragraph(paragraph, next_paragraph)
    outline.finish()
    make_segment = _SegmentMaker(max_tokens, count_tokens)
    preamble = [make_segment(sentence) for sentence in outline.preamble]
    sections = [_to_section(heading, str(i), 1, make_segment) for i, heading in enumerate(outline.headings, 1)]
    return preamble, sections



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
# ("一年来，" or "过去一年，" open an item's paragraph as often as they close a list: only after a "一是"
# paragraph, which closes on any unmarked paragraph, do they close it.)
_CLOSES_THE_LIST = re.compile(r"(?:总之|综上|总的来看|总体来看|总体上看|实践证明|在看到成绩的同时)")
_CLOSES_THE_DOCUMENT = re.compile(
    r"(?:各位代表|各位委员|同志们|让我们)[，,！!]|本(?:决定|办法|规定|细则|意见|通知|方案|条例|措施)(?:自|从)"
)
# Paragraphs that close the document when nothing but text follows them to its end.
_MAY_CLOSE_THE_DOCUMENT = re.compile(r"(?:过去一年|一年来|回顾过去|展望未来|新的一年|面向未来|新征程)[，,]")
MAX_LIST_TITLE_CHARS = 40
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
        # Where a paragraph that may close the document began (heading, sentence index), until a heading
        # opens after it.
        self._trailing: tuple[_Heading, int] | None = None

    def add_paragraph(self, paragraph: str, next_paragraph: str = "") -> None:
        if is_table_line(paragraph):  # a reader's table: one segment, never split into sentences
            self._add_sentences([paragraph])
            return
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
            if (kind == ARTICLE_KIND and not _is_short_title(paragraph[marker.end() :])) or (
                kind in ("cn_dun", "num_dot") and _AMENDMENT.match(paragraph, marker.end())
            ):
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
        it, closes the document rather than its last item (a work report's closing after its last task)."""
        if self._trailing is None:
            return
        heading, start = self._trailing
        closing = _Heading(kind="", number=0, marker="", sentences=heading.sentences[start:])
        del heading.sentences[start:]
        self.headings.append(closing)
        self._trailing = None

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
        self._continuation = self._trailing = None
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
        self._add_sentences(split_sentences(text))

    def _add_sentences(self, sentences: list[str]) -> None:
        if self._waiting_for_title is not None and sentences:
            self._waiting_for_title = None
        if self._continuation is not None:
            self._continuation.sentences.extend(sentences)
        else:
            (self._open[-1].sentences if self._open else self.preamble).extend(sentences)


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
