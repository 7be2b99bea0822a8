"""Heading markers: which strings can open a heading, and their kind and number.

Kinds that differ only in width or bracket shape are one kind ("（一）" and "(一)"); a kind is what the
outline compares to decide sibling or child.
"""

from __future__ import annotations

import re

from ..numerals import parse_chinese_numeral
from .cleanup import _MARKER_MAY_FOLLOW, CLOSING_MARKS

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
_FORMAL_DIGITS = str.maketrans("壹贰貳叁參叄肆伍陆陸柒捌玖拾", "一二二三三三四五六六七八九十")
_UNIT_KIND = {"節": "节", "條": "条", "編": "编"}


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


_MARKER_NUMERAL = re.compile("[一二三四五六七八九]|[一二三四五六七八九]?十[一二三四五六七八九]?")  # 1 to 99


def _numeral_value(numeral: str) -> int | None:
    """A marker's number: digits, or a Chinese numeral from 一 to 九十九 written the usual way."""
    if numeral.isdigit():
        return int(numeral)  # int() reads full-width digits too
    if not _MARKER_NUMERAL.fullmatch(numeral):
        return None
    return int(parse_chinese_numeral(numeral))
