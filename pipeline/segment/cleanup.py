"""Step 1 of segmentation: raw input -> plain lines.

HTML and Markdown markup (with YAML front matter and comments), page numbers and the running header
printed next to them, and invisible characters (zero-width, soft hyphens, bidirectional controls) are
the only things removed; line breaks and every visible character of the text stay.
"""

from __future__ import annotations

import html
import re
from collections import Counter

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

# Zero-width characters, soft hyphens and bidirectional controls (U+200E/F, U+202A-E, U+2066-9, U+061C)
# carry no text and can reorder what a reader sees; a zero-width joiner stays inside an emoji sequence
# (👨‍👩‍👧), where it is part of the character.
_EMOJI = r"[\u2600-\u27bf\u2b00-\u2bff\ufe0f\U0001f000-\U0001faff]"
_INVISIBLE = re.compile(
    rf"[\u200b\u200c\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\u061c\ufeff\u00ad]|(?<!{_EMOJI})\u200d|\u200d(?!{_EMOJI})"
)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
# YAML front matter at the top of a Markdown file ("---" … "---"): metadata, read into ``meta``.
_YAML_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(?P<body>(?:.*\n)*?)(?:---|\.\.\.)[ \t]*(?:\n|\Z)")
_YAML_LINE = re.compile(r"[ \t]*(?:#.*|-[ \t].*|[^\s:#][^:#\n]{0,40}?[ \t]*:(?:[ \t].*)?)?")
_YAML_FIELD = re.compile(r"^(?P<key>[^\s:#][^:#\n]{0,40}?)[ \t]*:[ \t]*(?P<value>.*?)[ \t]*$", re.M)
_HORIZONTAL_SPACE = re.compile(r"[\t\x0b\x0c\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Table borders left by scraping ("... 政务环境。 |", "| |") belong to the page, not the text.
# Leading spaces stay: a paragraph's first-line indent tells paragraphs apart in hard-wrapped text.
_EDGE_PIPES = re.compile(r"^[ \t]*\|[\s|]*|[\s|]+$")
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


def take_yaml_front_matter(text: str) -> tuple[dict[str, str], str]:
    """A Markdown file's YAML front matter as flat ``key: value`` strings (quotes and list brackets
    dropped), and the text after it. Read line by line, not with a YAML parser: nothing is expanded."""
    found = _YAML_FRONT_MATTER.match(text.replace("\r\n", "\n"))
    body = _join_quoted_lines(found.group("body")) if found else ""
    # Every line between the rules must be YAML (a field, a list item, a comment): text between two
    # horizontal rules is text.
    if not found or not all(_YAML_LINE.fullmatch(line) for line in body.splitlines()):
        return {}, text
    fields = {}
    for field_match in _YAML_FIELD.finditer(body):
        value = field_match.group("value").strip().strip("\"'")
        if value.startswith("[") and value.endswith("]"):
            value = ", ".join(item.strip().strip("\"'") for item in value[1:-1].split(","))
        if value:
            fields[_INVISIBLE.sub("", field_match.group("key")).strip()] = _INVISIBLE.sub("", value)
    return fields, text.replace("\r\n", "\n")[found.end() :]


def _join_quoted_lines(body: str) -> str:
    """A quoted YAML value broken over lines (``title: "…报告`` / ``  ——在…会议上"``) on one line: YAML
    folds the break into a space, dropped here between two Chinese characters."""
    lines: list[str] = []
    for line in body.split("\n"):
        if lines and _open_quote(lines[-1]):
            previous, current = lines[-1].rstrip(), line.strip()
            space = "" if previous[-1:] > "\x7f" and current[:1] > "\x7f" else " "
            lines[-1] = previous + space + current
        else:
            lines.append(line)
    return "\n".join(lines)


def _open_quote(line: str) -> bool:
    """Whether a ``key: "value`` line leaves its double or single quote open."""
    field = _YAML_FIELD.match(line)
    value = field.group("value") if field else ""
    if value[:1] == '"':
        return len(re.findall(r'(?<!\\)"', value)) % 2 == 1
    if value[:1] == "'":
        return value.count("'") % 2 == 1
    return False


def _markdown_to_text(text: str) -> str:
    text = _HTML_COMMENT.sub("", text)
    text = _MARKDOWN_RULE.sub("", text)
    text = _MARKDOWN_HEADING.sub("", text)
    text = _MARKDOWN_BLOCKQUOTE_OR_BULLET.sub("", text)
    text = _MARKDOWN_LINK.sub(r"\1", text)
    text = _MARKDOWN_STRONG.sub(lambda m: m.group(1) or m.group(2), text)
    return _MARKDOWN_EMPHASIS.sub(r"\1", text)



_SENTENCE_END_INSIDE = re.compile(r"[。！？!?；;]")
