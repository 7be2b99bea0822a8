"""Paragraphs from lines: rejoining lines that PDF extraction or a fixed-width copy broke.

Two shapes are recognised: hard wraps at a fixed width (most lines have about the same, short width and
stop mid-sentence) and ragged breaks (no fixed width, but most lines of running text stop mid-sentence).
A line that starts with a marker and is short stays a heading of its own in both.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .cleanup import _ENDS_WITH_HALF_WIDTH_FULL_STOP, _LINE_END_MARKS, _WIDE_CHARS, CLOSING_MARKS
from .markers import _MARKER

MAX_HEADING_LINE_CHARS = 40
HARD_WRAP_MIN_FULL_LINE_SHARE = 0.2
HARD_WRAP_MIN_FULL_LINES = 3
HARD_WRAP_MAX_LINE_WIDTH = 120
HARD_WRAP_MIN_LINE_WIDTH = 20  # characters; narrower "wraps" are a list of short lines
HARD_WRAP_OVERFLOW_RATIO = 1.1
HARD_WRAP_MAX_OVERFLOW_SHARE = 0.1
HARD_WRAP_FULL_LINE_RATIO = 0.85
INDENT_MIN_LINES = 2
INDENT_MAX_SHARE = 0.6
RAGGED_MIN_CUT_LINES = 3
RAGGED_MIN_CUT_SHARE = 0.5
RAGGED_MIN_LINE_CHARS = 4
RAGGED_MIN_PROSE_SHARE = 0.5
_CLAUSE_MARK = re.compile("[，、；,;]")
RAGGED_FULL_WIDTH_QUANTILE = 0.9
RAGGED_HEADING_MAX_SHARE = 0.8  # a marker line narrower than this share of a full line is a heading


def join_wrapped_lines(lines: list[str]) -> list[str]:
    """Paragraphs from lines, rejoining lines that PDF extraction broke at a fixed width.

    A line continues into the next one when the document is hard-wrapped (most lines have about the
    same, short width and stop mid-sentence) and the line is full width and does not end a sentence, or
    when it is ragged (see :func:`_ragged_width`) and the line does not end a sentence. Headings are
    short lines, so they stay paragraphs of their own; an indented line starts a paragraph.
    """
    # A first-line indent ("　　今年是…") starts a paragraph, where the text shows indents at all (some
    # lines, not every line, are indented).
    indented = [line[:1].isspace() and bool(line.strip()) for line in lines]
    filled = sum(1 for line in lines if line.strip())
    uses_indents = INDENT_MIN_LINES <= sum(indented) <= INDENT_MAX_SHARE * filled
    # Widths with the indent: an indented line is full when its indent and text fill the line.
    widths = [_display_width(line.rstrip()) for line in lines]
    lines = [line.strip() for line in lines]
    is_full_width = _full_width_test([line for line in lines if line])
    ragged_width = _ragged_width([line for line in lines if line]) if is_full_width is None else None
    paragraphs: list[str] = []
    current: list[str] = []
    for index, line in enumerate(lines):
        if line:
            current.append(line)
        if ragged_width is not None:
            following = lines[index + 1] if index + 1 < len(lines) else ""
            wrapped = bool(line and following) and _continues_ragged(line, widths[index], following, ragged_width)
            # the short last line of a heading wrapped over two lines ends the heading
            if wrapped and len(current) > 1 and _is_heading_line("".join(current)[:MAX_HEADING_LINE_CHARS]):
                wrapped = widths[index] >= RAGGED_HEADING_MAX_SHARE * ragged_width
        else:
            wrapped = line and is_full_width is not None and is_full_width(line) and not _ends_sentence(line)
            # a heading that fills the line ("（一）坚持稳字当头，经济运行总体平稳"), then the first item
            if wrapped and _is_heading_line(line) and index + 1 < len(lines) and _MARKER.match(lines[index + 1]):
                wrapped = False
        wrapped = wrapped and " | " not in line  # a table row is a line of its own, whatever its width
        if wrapped and uses_indents and index + 1 < len(lines) and indented[index + 1]:
            wrapped = False
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
    return bool(_MARKER.match(line)) and len(line) <= MAX_HEADING_LINE_CHARS and not _ends_sentence(line)


def _ragged_width(lines: list[str]) -> int | None:
    """The display width of a full line if lines were broken at no fixed width (PDF extraction with
    proportional digits, justified text): many lines of running text stop mid-sentence. None otherwise."""
    text_lines = [line for line in lines if " | " not in line and not _is_heading_line(line)]
    cut = [line for line in text_lines if not _ends_sentence(line) and len(line) >= RAGGED_MIN_LINE_CHARS]
    if len(cut) < RAGGED_MIN_CUT_LINES or len(cut) < RAGGED_MIN_CUT_SHARE * len(text_lines):
        return None
    # Cut prose has commas in its lines; a list of names or units one per line has none.
    if sum(1 for line in cut if _CLAUSE_MARK.search(line)) < RAGGED_MIN_PROSE_SHARE * len(cut):
        return None
    widths = sorted(_display_width(line) for line in cut)
    return widths[int(RAGGED_FULL_WIDTH_QUANTILE * (len(widths) - 1))]


def _continues_ragged(line: str, width: int, following: str, full_width: int) -> bool:
    """In ragged text, a line continues into the next unless it ends a sentence, is a table row, or is a
    heading: a line that starts with a marker and stops well short of a full line. The next line must
    not start with a marker."""
    if _ends_sentence(line) or len(line) < RAGGED_MIN_LINE_CHARS or " | " in line:
        return False
    if _is_heading_line(line) and width < RAGGED_HEADING_MAX_SHARE * full_width:
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
