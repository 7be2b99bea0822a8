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

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterator

from pipeline.document import Bilingual, Document, Section, Segment

# --- characters ----------------------------------------------------------------------------------

SENTENCE_TERMINATORS = "。！？；…!?;"
CLOSING_MARKS = "”’」』）)》】〕"
_OPENER_FOR_CLOSER = {"”": "“", "’": "‘", "」": "「", "』": "『", "）": "（", ")": "(", "》": "《", "】": "【", "〕": "〔"}
_OPENERS = frozenset(_OPENER_FOR_CLOSER.values())
# After these a heading marker may start (besides a paragraph start or whitespace): a sentence end or a
# colon introducing a list ("以下六个方面: 1、...").
_MARKER_MAY_FOLLOW = "。！？；!?;:：."

# A "." ends a sentence unless it is inside a number, a name or an ellipsis ("2.0版", "gov.cn", "...").
_HALF_WIDTH_FULL_STOP = r"(?<![0-9A-Za-z.])\.(?![0-9A-Za-z.])"
# A line ending in one of these ends its paragraph even in hard-wrapped text.
_LINE_END_MARKS = frozenset(SENTENCE_TERMINATORS + ":：")
_ENDS_WITH_HALF_WIDTH_FULL_STOP = re.compile(rf"{_HALF_WIDTH_FULL_STOP}$")
# Characters that occupy two columns; hard-wrapped lines are recognised by their display width, so that
# a line with many half-width digits counts as full as well.
_WIDE_CHARS = re.compile(
    r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
)

# --- step 1: cleaning ----------------------------------------------------------------------------

_LOOKS_LIKE_HTML = re.compile(r"<(?:p|br|div|span|h[1-6]|td|tr|table|li|html|body|font|strong|b)\b[^<>]*>|&nbsp;", re.I)
_HTML_DROPPED_BLOCKS = re.compile(r"<!--.*?-->|<(script|style|head)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_HTML_LINE_BREAK = re.compile(r"<br\s*/?>", re.I)
_HTML_BLOCK_TAG = re.compile(
    r"</?(?:p|div|h[1-6]|li|ul|ol|tr|table|tbody|thead|section|article|blockquote|title|header|footer|pre)\b[^<>]*>",
    re.I,
)
_HTML_CELL_END = re.compile(r"</t[dh]\s*>", re.I)
_HTML_ANY_TAG = re.compile(r"<[^<>]*>")

_MARKDOWN_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+|[ \t]+#+[ \t]*$", re.M)
_MARKDOWN_BLOCKQUOTE_OR_BULLET = re.compile(r"^ {0,3}>[ \t]?|^[ \t]*[-*+][ \t]+", re.M)
_MARKDOWN_RULE = re.compile(
    r"^ {0,3}(?:[-*_][ \t]*){3,}$"
    r"|^ {0,3}\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+(?:[ \t]*:?-{3,}:?[ \t]*)?$",  # a table's "|---|---:|" row
    re.M,
)
_MARKDOWN_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<![_\w])__(?=[^_\s])(.+?)(?<=[^_\s])__(?![_\w])")
# Markdown is recognised by its block syntax; plain text keeps its * and _ (blanks such as "____年").
_LOOKS_LIKE_MARKDOWN = re.compile(r"^ {0,3}#{1,6}[ \t]+\S|^ {0,3}\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+", re.M)
_MARKDOWN_EMPHASIS = re.compile(r"(?<!\*)\*(?![\s*])([^*\n]+?)(?<![\s*])\*(?!\*)")
_MARKDOWN_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\n]*\)")

_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_HORIZONTAL_SPACE = re.compile(r"[\t\x0b\x0c\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Table borders left by scraping ("... 政务环境。 |", "| |") belong to the page, not the text.
_EDGE_PIPES = re.compile(r"^[\s|]+|[\s|]+$")
# A line printed on every page next to the page number ("某市人民政府公报　2023年第2期") is page chrome.
MAX_RUNNING_HEADER_CHARS = 40
_PAGE_NUMBER_LINE = re.compile(
    r"[-—–－\s]*(?:第\s*)?\d{1,3}\s*(?:页)?[-—–－\s]*|[-—–－]\s*\d{1,3}\s*[-—–－]"
    r"|第\s*\d{1,3}\s*页\s*[,，/／]?\s*共\s*\d{1,3}\s*页|共\s*\d{1,3}\s*页\s*[,，/／]?\s*第\s*\d{1,3}\s*页"
    r"|(?:[Pp]age\s*)?\d{1,3}\s*(?:/|of)\s*\d{1,3}"
)


def clean_text(text: str, *, markdown: bool | None = None) -> str:
    """Plain lines from raw input: HTML and Markdown markup, page numbers and invisible characters go,
    line breaks and every visible character of the text stay.

    ``markdown``: whether the text is Markdown (a ``.md`` file); None decides by its block syntax
    (``#`` headings, table rules), so that plain text keeps its ``*``, ``_`` and ``[...](...)``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _LOOKS_LIKE_HTML.search(text):
        text = _html_to_text(text)
    if markdown if markdown is not None else bool(_LOOKS_LIKE_MARKDOWN.search(text)):
        text = _markdown_to_text(text)
    text = _INVISIBLE.sub("", text)
    text = _HORIZONTAL_SPACE.sub(" ", text)
    lines = [_EDGE_PIPES.sub("", line) for line in text.split("\n")]
    return "\n".join(_drop_page_chrome(lines))


def _drop_page_chrome(lines: list[str]) -> list[str]:
    """Lines without page numbers ("— 3 —"), the blank lines around them and the running header or
    footer printed next to them on several pages, so that a sentence broken by a page end rejoins."""
    is_page_number = [bool(line.strip()) and bool(_PAGE_NUMBER_LINE.fullmatch(line.strip())) for line in lines]
    if not any(is_page_number):
        return lines
    dropped = [False] * len(lines)
    neighbours: dict[int, str] = {}  # the nearest text line on each side of a page number
    for index, page_number in enumerate(is_page_number):
        if not page_number:
            continue
        dropped[index] = True
        for step in (-1, 1):
            other = index + step
            while 0 <= other < len(lines) and not lines[other].strip():
                dropped[other] = True
                other += step
            if 0 <= other < len(lines) and not is_page_number[other]:
                neighbours[other] = " ".join(lines[other].split())
    counts = Counter(neighbours.values())
    for index, text in neighbours.items():
        if counts[text] >= 2 and len(text) <= MAX_RUNNING_HEADER_CHARS and not _SENTENCE_END_INSIDE.search(text):
            dropped[index] = True
            other = index + 1
            while other < len(lines) and not lines[other].strip():
                dropped[other] = True
                other += 1
    return [line for line, drop in zip(lines, dropped) if not drop]


def _html_to_text(text: str) -> str:
    text = _HTML_DROPPED_BLOCKS.sub("", text)
    # Scraped pages break lines with tags; the source's own newlines are layout and would cut sentences.
    text = re.sub(r"(?<=[^\x00-\x7f])[ \t]*\n\s*(?=[^\x00-\x7f])", "", text)
    text = re.sub(r"\s*\n\s*", " ", text)
    text = _HTML_LINE_BREAK.sub("\n", text)
    text = _HTML_BLOCK_TAG.sub("\n", text)
    text = _HTML_CELL_END.sub(" | ", text)
    text = _HTML_ANY_TAG.sub("", text)
    return html.unescape(text)


def _markdown_to_text(text: str) -> str:
    text = _MARKDOWN_RULE.sub("", text)
    text = _MARKDOWN_HEADING.sub("", text)
    text = _MARKDOWN_BLOCKQUOTE_OR_BULLET.sub("", text)
    text = _MARKDOWN_LINK.sub(r"\1", text)
    text = _MARKDOWN_STRONG.sub(lambda m: m.group(1) or m.group(2), text)
    return _MARKDOWN_EMPHASIS.sub(r"\1", text)


# --- step 2: front matter ------------------------------------------------------------------------

META_FIELDS = (
    "发布日期", "发布时间", "成文日期", "生成日期", "索引号", "发布机构", "发文机关", "发文机构", "信息来源",
    "主题分类", "组配分类", "体裁分类", "服务对象分类", "公开方式", "公开范围", "公开时限", "公开形式",
    "发文字号", "文号", "有效性", "主题词", "所属机构", "信息分类", "责任部门", "来源", "标题",
)  # fmt: skip
# Tables space keys out to align them ("索　引　号：", "标　　题：").
_META_KEY_ALTERNATION = "|".join("[ \t]*".join(key) for key in sorted(META_FIELDS, key=len, reverse=True))
_META_KEY_WITH_COLON = re.compile(rf"({_META_KEY_ALTERNATION})\s*[:：]")
_META_KEY_ALONE = re.compile(rf"({_META_KEY_ALTERNATION})\s*[:：]?")
_PAGE_CHROME_CELL = re.compile(
    r"(?:浏览次数|访问次数|点击数|阅读次数|浏览量)\s*[:：]?\s*\d*"
    r"|(?:字体|字号)\s*[:：]?\s*[\[【]?\s*大\s*中\s*小\s*[\]】]?"
    r"|(?:[【\[]?\s*(?:打印本页|打印|关闭窗口|关闭|返回顶部|收藏|分享到|保存本页)\s*[】\]]?\s*)+"
    r"|(?:当前位置|您的位置|你的位置)\s*[:：].*"
    r"|(?:[^\s>»›。，]{1,20}\s*[>»›]\s*)+[^\s>»›。，]{1,20}"  # breadcrumbs: 首页 > 政务公开
    r"|\d+"  # the count next to "浏览次数" in its own cell
)
_CHROME_AFTER_VALUE = re.compile(r"\s(?:浏览次数|访问次数|点击数|阅读次数|浏览量|字体|字号|【|\[)")
_DATE_TIME = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})\s*分?(?:\s*[:：]\s*(\d{1,2})\s*秒?)?)?"
)
_DATE_IN_TEXT = r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?"
_ISSUER_NAME = r"[^\s，。,；;:：()（）、]{2,30}(?:[ \t][^\s，。,；;:：()（）、]{1,10})?"
_ISSUER_AND_DATE = re.compile(rf"\s*(?P<issuer>{_ISSUER_NAME})?\s*[（(]\s*(?P<date>{_DATE_IN_TEXT})\s*[）)]")
_ISSUER_LINE_THEN_DATE_LINE = re.compile(
    rf"\s*(?P<issuer>[^\s，。,；;:：()（）]{{2,30}}(?:政府|委员会|办公室|办公厅|国务院|局|厅|委))[ \t]*\n"
    rf"\s*(?P<date>{_DATE_IN_TEXT})[ \t]*(?=\n|$)"
)
_ORGANISATION_SUFFIX = r"(?:政府|委员会|办公室|办公厅|国务院|局|厅|委|部门|单位|机构|公司|街道办事处|办事处|学校)"
# Under a title: "某市统计局　2023年3月15日", or the date alone.
_ISSUER_AND_DATE_ON_ONE_LINE = re.compile(
    rf"\s*(?:(?P<issuer>[^\s，。,；;:：()（）、]{{2,30}}{_ORGANISATION_SUFFIX})[ \t]+)?(?P<date>{_DATE_IN_TEXT})[ \t]*(?=\n|$)"
)
_SALUTATION = re.compile(
    r"\s*(?P<salutation>(?:各位|尊敬的)[^\s，。,；;:：!！?？]{1,20}[:：]|(?:同志们|朋友们)[:：]"
    # a notice's addressees: "各有关单位：", "各区县人民政府，市政府各部门：", "县政府各部门："
    rf"|(?:各[^\s。！？!?；;:：]{{1,60}}|[^\s。！？!?；;:：]{{1,60}}{_ORGANISATION_SUFFIX})[:：](?=\s|$))"
)
# Labels and headings that end like an addressee list ("（一）责任单位：", "牵头单位：").
_NOT_A_SALUTATION = re.compile(r"[（(]?[一二三四五六七八九十0-9０-９]+[、.．)）]|.*(?:牵头|责任|配合|实施|主办|承办|协办)单位[:：]$")
# The speaker's byline under a report's title ("县长　张某某", "代市长 李某").
_BYLINE = re.compile(
    r"\s*(?![一二三四五六七八九十]+[、是]|第)"  # "一、推动经济增长 提质" is a heading
    r"(?P<issuer>[^\s，。,；;:：()（）、]{0,12}(?:长|主任|书记|主席|总理)[ \t]+[^\s，。,；;:：()（）、]{2,4})[ \t]*(?=\n|$)"
)
_PARENTHESISED_SUBTITLE = re.compile(r"[（(](?=[^（()）\n]*(?:会议|大会|会上))[^（()）\n]{4,80}[）)][ \t]*(?:\n|$)")
_SUBTITLE_END_LINE = re.compile(r"[ \t]*([^\s，。,；;:：!！?？]{0,20}(?:上|讲话|报告))[ \t]*(?:\n|$)")
_DATE_IN_SUBTITLE = re.compile(_DATE_IN_TEXT + r"(?:\s*\d{1,2}\s*日)?")
# A document number ("某政办发〔2023〕5号") on its own line, above or below the title.
_DOCUMENT_NUMBER = re.compile(r"[^\s，。,；;:：]{1,20}[〔［\[(（【]\s*\d{4}\s*[〕］\])）】]\s*第?\s*\d{1,5}\s*号")
# The signature at the bottom of a notice: issuer line(s), then the date, then notes like "（此件公开发布）".
_CN_DATE = r"[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月(?:[一二三四五六七八九十]{1,3}日)?"
_SIGNATURE_ISSUER = re.compile(rf"[^\s，。,；;:：()（）、]{{2,30}}{_ORGANISATION_SUFFIX}")
_SIGNATURE_DATE = re.compile(rf"{_DATE_IN_TEXT}|{_CN_DATE}")
_SIGNATURE_ON_ONE_LINE = re.compile(
    rf"(?P<issuer>[^\s，。,；;:：()（）、]{{2,30}}{_ORGANISATION_SUFFIX})[ \t]+(?P<date>{_DATE_IN_TEXT}|{_CN_DATE})"
)
_SIGNATURE_AFTER_TEXT = re.compile(
    rf"(?<=[。！？!?])[ \t]+(?P<issuer>[^\s，。,；;:：()（）、]{{2,30}}{_ORGANISATION_SUFFIX})[ \t]+"
    rf"(?P<date>{_DATE_IN_TEXT}|{_CN_DATE})[ \t]*$"
)
_SIGNATURE_NOTE = re.compile(
    r"[（(][^（()）\n]{1,40}[）)]"  # （此件公开发布）
    r"|(?:抄送|抄报|主送|联系人|联系电话)\s*[:：].*"  # the record block below a signature
    r"|[^。！？!?；;]{2,60}印发"  # 某市人民政府办公室　2023年5月9日印发
)
# Site footer lines below the text ("主办单位：…", "网站标识码：…", "ICP备…").
MAX_SITE_FOOTER_CHARS = 200
_SITE_FOOTER = re.compile(
    r"主办单位|承办单位|网站标识码|ICP备|公网安备|版权所有|Copyright|©|技术支持|网站地图|联系我们"
    r"|^\W*(?:上一篇|下一篇|相关链接|相关阅读|相关文件|扫一扫|打印本页|关闭窗口|返回顶部|分享到)"
    r"|^\W*(?:责任编辑|编辑|审核|校对|终审)\s*[:：]",
    re.I,
)
_SENTENCE_END_INSIDE = re.compile(r"[。！？!?；;]")
MAX_TITLE_CHARS = 100
MAX_TITLE_LINES = 3
# The kind of document a title names, at its end ("…的通知", "…实施方案", "…统计公报").
_TITLE_KIND_AT_END = re.compile(
    r"(?:通知|意见|报告|决定|办法|方案|规定|细则|纲要|公报|批复|函|请示|通报|公告|通告|规划|要点|总结|讲话|决议|条例)"
    r"(?:[（(][^（()）]{1,10}[）)])?$"
)


@dataclass(frozen=True)
class FrontMatter:
    meta: dict[str, str] = field(default_factory=dict)
    title: str = ""
    issuer: str | None = None
    date: str | None = None
    salutation: str | None = None
    body: str = ""


def split_front_matter(text: str) -> FrontMatter:
    """Take the metadata table, title, issuer/date and salutation off the top of cleaned text."""
    meta: dict[str, str] = {}
    rest = _take_metadata_rows(text, meta)

    title = subtitles = ""
    first_line, _, after_first_line = rest.partition("\n")
    if _could_be_title(first_line):
        title, rest = first_line.strip(), after_first_line.lstrip()
        # A long title wrapped onto a second line ("关于印发《…》" / "的通知").
        for _ in range(MAX_TITLE_LINES - 1):
            next_line, _, after_next_line = rest.partition("\n")
            if not _continues_title(title, next_line.strip()):
                break
            title, rest = title + next_line.strip(), after_next_line.lstrip()
        # A subtitle on its own line ("——在第十四届全国人民代表大会第三次会议上", "（2023年1月10日在…
        # 会议上）") belongs to the title.
        while rest.startswith(("——", "—", "－－")) or _PARENTHESISED_SUBTITLE.match(rest):
            subtitle, _, rest = rest.partition("\n")
            subtitles, rest = subtitles + subtitle.strip(), rest.lstrip()
            # "——2023年1月12日在某市第十七届人民代表大会第二次" / "会议上"
            wrapped = _SUBTITLE_END_LINE.match(rest)
            if subtitles.startswith(("—", "－")) and wrapped and not subtitles.endswith(("上", "讲话", "报告")):
                subtitles, rest = subtitles + wrapped.group(1), rest[wrapped.end() :].lstrip()
        title += subtitles
        rest = _take_metadata_rows(rest, meta)  # pages that put "发布日期：… 来源：…" under the title

    issuer = date = None
    found = (
        _ISSUER_AND_DATE.match(rest)
        or _ISSUER_LINE_THEN_DATE_LINE.match(rest)
        or (_ISSUER_AND_DATE_ON_ONE_LINE.match(rest) if title else None)
    )
    if found:
        issuer = (found.group("issuer") or "").strip() or None
        date = "".join(found.group("date").split())
        rest = rest[found.end() :]
    elif title:
        found = _BYLINE.match(rest)
        if found:
            issuer = " ".join(found.group("issuer").split())
            rest = _take_metadata_rows(rest[found.end() :], meta)
        # "——2023年1月10日在…会议上": the subtitle dates the report.
        subtitle_date = _DATE_IN_SUBTITLE.search(subtitles)
        if subtitle_date:
            date = "".join(subtitle_date.group().split())

    salutation = None
    found = _SALUTATION.match(rest)
    if found and not _NOT_A_SALUTATION.match(found.group("salutation")):
        salutation = found.group("salutation")
        rest = rest[found.end() :]
    rest, signature = _take_back_matter(rest, take_signature=issuer is None and date is None)
    if signature:
        issuer, date = signature
    return FrontMatter(meta=meta, title=title, issuer=issuer, date=date, salutation=salutation, body=rest.strip())


def _take_back_matter(text: str, *, take_signature: bool) -> tuple[str, tuple[str, str] | None]:
    """Drop the site footer below the text and, if ``take_signature``, take a notice's signature (issuer
    line and date line, or both on one line) out of the text: the one at its end, where notes like
    "（此件公开发布）" may follow it, else the first one after a sentence end (a covering notice
    "关于印发…的通知" signs before the text it issues)."""
    lines = text.rstrip().split("\n")
    filled = [index for index, line in enumerate(lines) if line.strip()]
    # A footer line carries no sentence end: "加强技术支持。" is the report's last sentence, not chrome.
    while (
        filled
        and len(lines[filled[-1]]) <= MAX_SITE_FOOTER_CHARS
        and _SITE_FOOTER.search(lines[filled[-1]])
        and not _SENTENCE_END_INSIDE.search(lines[filled[-1]])
    ):
        del lines[filled.pop() :]
    if not take_signature:
        return "\n".join(lines), None
    notes = 0
    while notes < len(filled) and _SIGNATURE_NOTE.fullmatch(lines[filled[-1 - notes]].strip()):
        notes += 1
    candidates = [len(filled) - 1 - notes] + list(range(1, len(filled) - 1 - notes))
    for position, k in enumerate(candidates):
        if k < 1 or (position > 0 and not _ends_sentence(lines[filled[k - 1]].strip())):
            continue
        line = lines[filled[k]].strip()
        one_line = _SIGNATURE_ON_ONE_LINE.fullmatch(line)
        if one_line:
            del lines[filled[k]]
            return "\n".join(lines), (one_line.group("issuer"), "".join(one_line.group("date").split()))
        first = k if position > 0 else k - 1  # the candidate is the date line at the end, the issuer line inside
        if first < 1 or first + 1 >= len(filled):
            continue
        issuer_line, date_line = lines[filled[first]].strip(), lines[filled[first + 1]].strip()
        if _SIGNATURE_ISSUER.fullmatch(issuer_line) and _SIGNATURE_DATE.fullmatch(date_line):
            del lines[filled[first] : filled[first + 1] + 1]
            return "\n".join(lines), (issuer_line, "".join(date_line.split()))
    if len(filled) > notes:  # text scraped onto one line: "…请认真贯彻执行。 某市人民政府 2023年4月15日"
        last = filled[-1 - notes]
        found = _SIGNATURE_AFTER_TEXT.search(lines[last])
        if found:
            lines[last] = lines[last][: found.start()]
            return "\n".join(lines), (found.group("issuer"), "".join(found.group("date").split()))
    return "\n".join(lines), None


def _take_metadata_rows(text: str, meta: dict[str, str]) -> str:
    """Read the metadata and chrome rows at the top of ``text`` into ``meta``; return what follows."""
    lines = text.split("\n")
    first = 0
    while first < len(lines):
        line = lines[first].strip()
        if _DOCUMENT_NUMBER.fullmatch(line):
            meta.setdefault("发文字号", line)
        elif line and not _read_front_matter_row(line, meta):
            break
        first += 1
    return "\n".join(lines[first:]).lstrip()


def _read_front_matter_row(line: str, meta: dict[str, str]) -> bool:
    """Add a metadata row's fields to ``meta``; False if the line is not metadata or page chrome."""
    cells = [cell.strip() for cell in line.split("|")]
    fields: dict[str, str] = {}
    recognised = False
    index = 0
    while index < len(cells):
        cell = cells[index]
        index += 1
        if not cell:
            continue
        if _PAGE_CHROME_CELL.fullmatch(cell):
            recognised = True
            continue
        keys = list(_META_KEY_WITH_COLON.finditer(cell))
        alone = _META_KEY_ALONE.fullmatch(cell)
        if keys and keys[0].start() == 0 and not alone:
            # "key: value", possibly several on one line ("发布日期：2020-08-27　来源：市政府办公室").
            for key, next_key in zip(keys, keys[1:] + [None]):
                value = cell[key.end() : next_key.start() if next_key else len(cell)]
                chrome = _CHROME_AFTER_VALUE.search(value)  # "来源：市发改委　浏览次数：1532"
                value = value[: chrome.start()] if chrome else value
                fields["".join(key.group(1).split())] = value
            recognised = True
            continue
        if alone:
            # "key | value": the value is the next cell, even when it is empty.
            fields["".join(alone.group(1).split())] = cells[index] if index < len(cells) else ""
            index += 1
            recognised = True
            continue
        return False  # anything else means the front matter table has ended
    for key, value in fields.items():
        value = _normalise_meta_value(value)
        if value and not _PAGE_CHROME_CELL.fullmatch(value):
            meta[key] = value
    return recognised


def _normalise_meta_value(value: str) -> str:
    value = " ".join(value.split())
    date = _DATE_TIME.fullmatch(value)
    if not date:
        return value
    year, month, day, hour, minute, second = date.groups()
    normalised = f"{year}-{int(month):02d}-{int(day):02d}"
    if hour is not None:
        normalised += f" {int(hour):02d}:{int(minute):02d}"
        if second is not None:
            normalised += f":{int(second):02d}"
    return normalised


def _continues_title(title: str, line: str) -> bool:
    """Whether ``line`` is the rest of a title wrapped after ``title`` ("关于印发《…》" / "的通知")."""
    if not line or len(title) + len(line) > MAX_TITLE_CHARS or not _could_be_title(line):
        return False
    unclosed = any(title.count(opener) > title.count(closer) for closer, opener in _OPENER_FOR_CLOSER.items())
    if not unclosed and (
        _TITLE_KIND_AT_END.search(title) or not (line.startswith("的") or _TITLE_KIND_AT_END.search(line))
    ):
        return False
    return not (_MARKER.match(line) or _DOCUMENT_NUMBER.fullmatch(line) or _BYLINE.fullmatch(line))


def _could_be_title(line: str) -> bool:
    line = line.strip()
    if not line or len(line) > MAX_TITLE_CHARS or _SENTENCE_END_INSIDE.search(line):
        return False
    if _SALUTATION.match(line) or _ISSUER_AND_DATE.match(line) or _PAGE_CHROME_CELL.fullmatch(line):
        return False
    # A document that opens with its first heading has no title line.
    marker = _MARKER.match(line)
    return not (marker and _marker_identity(marker)[1] == 1)


# --- step 3: the body ----------------------------------------------------------------------------

_CN = "[一二三四五六七八九十]{1,3}"
_DIGITS = "[0-9０-９]{1,2}"
_MARKER = re.compile(
    # Every marker starts with one of these; checking that first keeps the scan fast on long text.
    r"(?=[第（(一二三四五六七八九十0-9０-９①-⑳⑴-⒇⒈-⒛])"
    rf"(?:(?P<chapter>第(?P<chapter_n>{_CN}|[0-9０-９]{{1,3}})(?P<chapter_unit>章|节|条|部分|篇|编))"
    rf"|(?P<cn_paren>[（(](?P<cn_paren_n>{_CN})[）)])"
    # Not a run of numerals ("一、二季度", "二、三产业").
    rf"|(?<![一二三四五六七八九十])(?P<cn_dun>(?P<cn_dun_n>{_CN})(?:、(?!{_CN}(?:季度|产业|[、和及至到]))|[．.]))"
    rf"|(?<![一二三四五六七八九十])(?P<cn_shi>(?P<cn_shi_n>{_CN})是)"
    rf"|(?P<num_paren>[（(](?P<num_paren_n>{_DIGITS})[）)])"
    # Not a decimal point (1.2%) and not a run of months, days or quarters ("1、2月份", "1、2季度").
    rf"|(?<![0-9０-９.．])(?P<num_dot>(?P<num_dot_n>{_DIGITS})(?:、(?![0-9０-９]+(?:[月日号季]|、))|[.．](?![0-9０-９])))"
    r"|(?P<circled>[①-⑳])"
    r"|(?P<paren_digit>[⑴-⒇])"
    r"|(?P<digit_stop>[⒈-⒛]))"
)
_CN_DIGIT_VALUES = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
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
    for paragraph in join_wrapped_lines(body.splitlines()):
        outline.add_paragraph(paragraph)
    make_segment = _SegmentMaker(max_tokens, count_tokens)
    preamble = [make_segment(sentence) for sentence in outline.preamble]
    sections = [_to_section(heading, str(i), 1, make_segment) for i, heading in enumerate(outline.headings, 1)]
    return preamble, sections


def segment(
    text: str,
    *,
    source: str = "",
    max_tokens: int | None = None,
    count_tokens: Callable[[str], int] | None = None,
) -> Document:
    """Segment a report's text into a :class:`Document` with every ``en`` field left None.

    When ``max_tokens`` and ``count_tokens`` are given, a sentence longer than the translator accepts
    keeps ``zh`` whole and gets ``pieces`` split at clause boundaries (see :func:`split_long_sentence`).
    """
    if (max_tokens is None) != (count_tokens is None):
        raise ValueError("segment: max_tokens and count_tokens must be given together")
    suffix = source.rsplit(".", 1)[-1].lower() if "." in source else ""
    markdown = True if suffix in ("md", "markdown") else None
    front = split_front_matter(clean_text(text, markdown=markdown))
    preamble, sections = segment_body(front.body, max_tokens=max_tokens, count_tokens=count_tokens)
    return Document(
        source=source,
        title=Bilingual(front.title),
        meta=dict(front.meta),
        issuer=front.issuer,
        date=front.date,
        salutation=front.salutation,
        preamble=preamble,
        sections=sections,
    )


def join_wrapped_lines(lines: list[str]) -> list[str]:
    """Paragraphs from lines, rejoining lines that PDF extraction broke at a fixed width.

    A line continues into the next one only when the document is hard-wrapped (most lines have about
    the same, short width and stop mid-sentence), the line is full width and does not end a sentence.
    Headings are short lines, so they stay paragraphs of their own.
    """
    lines = [line.strip() for line in lines]
    is_full_width = _full_width_test([line for line in lines if line])
    paragraphs: list[str] = []
    current: list[str] = []
    for index, line in enumerate(lines):
        if line:
            current.append(line)
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
    children: list["_Heading"] = field(default_factory=list)


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

    def add_paragraph(self, paragraph: str) -> None:
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
        candidates = [m for m in _MARKER.finditer(paragraph) if _may_start_heading(paragraph, m.start())]
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
            title_end = self._title_end(paragraph, marker.end(), candidates[index + 1 :])
            heading.title = _SPACE_BETWEEN_CHINESE.sub("", paragraph[marker.end() : title_end]).strip()
            position = title_end
            if not heading.title:
                self._waiting_for_title = heading
        self._add_text(paragraph[position:])

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
        if number == 1 or (kind != "cn_shi" and number == self._last_number.get(kind, -1) + 1):
            return len(self._open)
        return None

    def _open_heading(self, depth: int, kind: str, number: int, marker: str) -> _Heading:
        heading = _Heading(kind=kind, number=number, marker=marker)
        self._waiting_for_title = None
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
        return f"chapter:{groups['chapter_unit']}", _numeral_value(groups["chapter_n"])
    if kind == "circled":
        return kind, ord(marker.group()) - ord("①") + 1
    if kind == "paren_digit":
        return kind, ord(marker.group()) - ord("⑴") + 1
    if kind == "digit_stop":
        return kind, ord(marker.group()) - ord("⒈") + 1
    # The kind's own group is the whole marker; the number is in a group named after it.
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


# --- sentences -----------------------------------------------------------------------------------

_SENTENCE_EVENT = re.compile(
    rf"[{re.escape(SENTENCE_TERMINATORS)}{re.escape(CLOSING_MARKS)}{re.escape(''.join(_OPENERS))}\"]"
    rf"|{_HALF_WIDTH_FULL_STOP}"
)


def split_sentences(text: str) -> list[str]:
    """Sentences of a text, split after 。！？；… and their half-width forms.

    Closing quotes and brackets stay with their sentence, and nothing splits inside a matched pair of
    quotes or brackets (“…” （…） 《…》 ...); unmatched ones are ignored rather than swallowing the rest.
    """
    events = list(_SENTENCE_EVENT.finditer(text))
    quoted_spans = _matched_pair_spans(events)
    cuts: list[int] = []
    span_index = 0
    for event in events:
        position, char = event.start(), event.group()
        while span_index < len(quoted_spans) and quoted_spans[span_index][1] < position:
            span_index += 1
        span = quoted_spans[span_index] if span_index < len(quoted_spans) else None
        inside = span is not None and span[0] < position <= span[1]
        if char in SENTENCE_TERMINATORS or char == ".":
            if not inside:
                cuts.append(_after_closing_marks(text, position + 1))
        elif span is not None and position == span[1] and text[position - 1] in SENTENCE_TERMINATORS:
            cuts.append(_after_closing_marks(text, position + 1))  # “……。” ends the sentence
    sentences = []
    start = 0
    for cut in cuts + [len(text)]:
        if cut > start:
            sentence = text[start:cut].strip()
            if sentence:
                sentences.append(sentence)
            start = cut
    return sentences


def _after_closing_marks(text: str, position: int) -> int:
    while position < len(text) and (text[position] in CLOSING_MARKS or text[position] in SENTENCE_TERMINATORS):
        position += 1
    return position


def _matched_pair_spans(events: list[re.Match[str]]) -> list[tuple[int, int]]:
    """Outermost (open, close) positions of matched quote/bracket pairs, sorted and non-overlapping."""
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    for event in events:
        char, position = event.group(), event.start()
        if char == '"':
            if stack and stack[-1][0] == '"':
                pairs.append((stack.pop()[1], position))
            else:
                stack.append((char, position))
        elif char in _OPENERS:
            stack.append((char, position))
        elif char in _OPENER_FOR_CLOSER:
            opener = _OPENER_FOR_CLOSER[char]
            # Tolerate one or two unmatched openers above the match; further down is a different pair.
            for depth in range(len(stack) - 1, max(len(stack) - 4, -1), -1):
                if stack[depth][0] == opener:
                    pairs.append((stack[depth][1], position))
                    del stack[depth:]
                    break
    pairs.sort()
    outermost: list[tuple[int, int]] = []
    for start, end in pairs:
        if outermost and start < outermost[-1][1]:
            continue
        outermost.append((start, end))
    return outermost


# --- long sentences ------------------------------------------------------------------------------

# Boundaries tried in order when a sentence is too long: clauses first, then list items and closing
# brackets, then (split_long_sentence's last resort) anywhere.
_CLAUSE_BOUNDARIES = (
    re.compile(r"(?<=[，,：:；;])"),
    re.compile(rf"(?<=[、{CLOSING_MARKS}])|(?<=\s)(?=\S)"),
)


def split_long_sentence(sentence: str, max_tokens: int, count_tokens: Callable[[str], int]) -> list[str]:
    """Pieces of a sentence, each within ``max_tokens`` where possible, that concatenate to the sentence.

    Clauses are packed greedily; a clause still too long is split at finer boundaries and, as a last
    resort, at the longest prefix that fits. Nothing is ever truncated.
    """
    return _split_to_fit(sentence, 0, max_tokens, count_tokens) if sentence else []


def _split_to_fit(text: str, level: int, max_tokens: int, count_tokens: Callable[[str], int]) -> list[str]:
    if count_tokens(text) <= max_tokens:
        return [text]
    if level == len(_CLAUSE_BOUNDARIES):
        return _split_at_longest_prefixes(text, max_tokens, count_tokens)
    pieces: list[str] = []
    current = ""
    for clause in _CLAUSE_BOUNDARIES[level].split(text):
        if not clause:
            continue
        if count_tokens(clause) > max_tokens:
            if current:
                pieces.append(current)
                current = ""
            pieces.extend(_split_to_fit(clause, level + 1, max_tokens, count_tokens))
        elif current and count_tokens(current + clause) > max_tokens:
            pieces.append(current)
            current = clause
        else:
            current += clause
    if current:
        pieces.append(current)
    return pieces


def _split_at_longest_prefixes(text: str, max_tokens: int, count_tokens: Callable[[str], int]) -> list[str]:
    pieces = []
    while text:
        low, high = 1, len(text)  # the longest prefix that fits, but always at least one character
        while low < high:
            middle = (low + high + 1) // 2
            if count_tokens(text[:middle]) <= max_tokens:
                low = middle
            else:
                high = middle - 1
        pieces.append(text[:low])
        text = text[low:]
    return pieces


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
        lines.append(
            f"{indent}{section.marker} {section.title.zh}  [{section.id}, {_count(len(section.segments), 'segment')}]"
        )
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
