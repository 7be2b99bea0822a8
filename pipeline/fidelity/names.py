"""Ordinals inside names, the figures readers of these reports verify: plans, congresses, sessions, anniversaries.

``“十四五”规划`` ↔ "the 14th Five-Year Plan", ``党的二十大`` ↔ "the 20th CPC National Congress",
``二十届三中全会`` ↔ "the third plenary session of the 20th CPC Central Committee", ``十四届全国人大二次会议``
↔ "the second session of the 14th National People's Congress", ``75周年`` ↔ "the 75th anniversary",
``第十二届世界运动会`` ↔ "the 12th World Games" (or "the World Games 2025").

Each is returned as a :class:`Quantity` of kind ``ordinal`` whose unit is the class of the name ("plan",
"edition", "plenary", "session", "anniversary"), so that "the 19th Five-Year Plan" for ``十四五`` is a wrong
value and "14 cities" never stands in for it.
"""

from __future__ import annotations

import re

from .quantities import Quantity

__all__ = ["zh_name_ordinals", "en_name_ordinals", "en_edition_years", "EN_ORDINAL_WORDS", "en_ordinal_value"]

_CN = "一二三四五六七八九十百〇零两"
_NUM = rf"(?:\d{{1,3}}|[{_CN}]{{1,4}})"

# What may follow 二十大 when it is the Party congress (not 十大 "ten major"): the usual collocations.
_CONGRESS_NEXT = r"(?=以来|精神|报告|代表|召开|胜利|和|及|、|，|。|；|作出|提出|部署|确定|强调|擘画|闭幕|开幕|上|的|决策|重大|关于|明确|$)"

# (pattern, unit); every pattern has a group ``n``, the numeral. Plenary comes before edition so that
# 二十届三中全会 gives 20 (edition) and 3 (plenary).
_ZH_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # 十四五, “十五五”: the n-th Five-Year Plan (十一五 .. 十九五), quoted or before 规划/时期/...
    (re.compile(rf"(?<![{_CN}\d])(?P<n>十[一二三四五六七八九])五(?=[”\"」’]|规划|时期|期间|计划|末|初|以来|开局|收官|中期)"),
     "plan"),
    (re.compile(r"(?<!\d)(?P<n>\d{2})五(?=规划|时期|期间)"), "plan"),
    (re.compile(rf"(?P<n>[{_CN}]{{1,3}})中(?:全会|(?=[、和及与][{_CN}]{{1,3}}中))"), "plenary"),
    (re.compile(rf"第(?P<n>{_NUM})次(?:全国)?代表大会"), "edition"),
    # 二次会议 of a congress or committee (十四届全国人大二次会议), or with 第; 两次会议 alone is two meetings
    (re.compile(rf"(?:第|(?<=人大)|(?<=政协)|(?<=委员会)|(?<=常委会)|(?<=代表大会)|(?<=届))(?P<n>{_NUM})次(?:全体)?会议"), "session"),
    # 第十五届 (any edition), or 二十届 before the body it numbers (连续两届 is two terms)
    (re.compile(rf"第(?P<n>{_NUM})届"), "edition"),
    (re.compile(rf"(?P<n>{_NUM})届(?=全国|中央|人大|政协|常委|[{_CN}]{{1,2}}中全会|[{_CN}]{{1,2}}中、|[{_CN}]{{1,2}}次)"), "edition"),
    (re.compile(rf"(?P<party>党的|中共)?(?P<n>(?:二十|十)[一二三四五六七八九]?|[一二三四五六七八九])大{_CONGRESS_NEXT}"), "edition"),
]


def _value(numeral: str) -> float | None:
    from .quantities_zh import parse_chinese_numeral  # the one Chinese-numeral parser

    if numeral.isdigit():
        return float(numeral)
    return parse_chinese_numeral(numeral)


def zh_name_ordinals(text: str) -> list[Quantity]:
    """The ordinals of plans, congresses, plenary sessions, sessions and editions in a Chinese sentence.

    Anniversaries (75周年) are counted by the general extractor (周年 is a unit there), with the same unit.
    """
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for pattern, unit in _ZH_PATTERNS:
        for m in pattern.finditer(text):
            span = m.span()
            if any(span[0] < e and s < span[1] for s, e in taken):
                continue
            value = _value(m.group("n"))
            if value is None or value < 1:
                continue
            if "party" in pattern.groupindex and not m.group("party") and value < 11:
                continue  # 十大工程, 三大攻坚战: "ten major", not a congress
            found.append(Quantity(value, "ordinal", unit, False, text[span[0]:span[1]], span, 1.0))
            taken.append(span)
    return found


# --------------------------------------------------------------------------------------------------
# English

EN_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
}
_ORD = r"(?:\d{1,3}(?:st|nd|rd|th)|" + "|".join(EN_ORDINAL_WORDS) + r")"
_CHAIN = rf"(?P<chain>{_ORD}(?:\s*(?:,\s*and|,|and|&)\s*(?:the\s+)?{_ORD})*)"
# (tail after the ordinals, unit). English name ordinals are never required (``must_match=False``): translators
# spell out a name the Chinese abbreviates (全会 -> "the third plenary session of the 20th CPC Central
# Committee"). They match the Chinese ordinals, which are required, and explain them when wrong ("19th").
_EN_TAILS: list[tuple[str, str]] = [
    (r"Five[\s-]Year\s+(?:Plans?|Programs?)", "plan"),
    (r"plenary\s+(?:sessions?|meetings?)|plenums?", "plenary"),
    (r"(?:annual\s+)?sessions?", "session"),
    (r"anniversar(?:y|ies)", "anniversary"),
    (r"(?:(?:CPC|CPPCC|Party|National|Central|People['’]s|Communist|Chinese)\s+){0,4}"
     r"(?:Congress(?:es)?|Central\s+Committees?|National\s+Committees?|NPC|Committees?)", "edition"),
    (r"(?:[A-Z][\w'’-]*\s+){0,4}(?:Games|Expo|Olympics|Summit|Fair|Forum|Exposition)", "edition"),
]
_EN_NAME_RE = re.compile(
    rf"\b{_CHAIN}\s+(?:" + "|".join(f"(?P<t{i}>{tail})" for i, (tail, _) in enumerate(_EN_TAILS)) + r")\b",
    re.I,
)
_EN_ONE_ORD = re.compile(rf"\b{_ORD}\b", re.I)
_EVENT = r"(?:Games|Expo|Olympics|Summit|Fair|Forum|Exposition)"
_EN_EDITION_YEAR = re.compile(
    rf"\b{_EVENT}\s+(?P<y1>(?:19|20)\d{{2}})\b|\b(?P<y2>(?:19|20)\d{{2}})\s+(?:[A-Z][\w'’-]*\s+){{0,3}}{_EVENT}\b"
)


def en_ordinal_value(word: str) -> float | None:
    """``14th`` -> 14, ``third`` -> 3; None for anything else."""
    word = word.lower()
    if word in EN_ORDINAL_WORDS:
        return float(EN_ORDINAL_WORDS[word])
    digits = re.fullmatch(r"(\d{1,3})(?:st|nd|rd|th)", word)
    return float(digits.group(1)) if digits else None


def en_name_ordinals(text: str) -> list[Quantity]:
    """The ordinals of plans, congresses, plenary sessions, sessions, anniversaries and events in English.

    Chains share the name: "the second and third plenary sessions" gives 2 and 3, both "plenary".
    """
    found = []
    for m in _EN_NAME_RE.finditer(text):
        index = next(i for i in range(len(_EN_TAILS)) if m.group(f"t{i}"))
        if index == len(_EN_TAILS) - 1 and not m.group(f"t{index}")[0].isupper():
            continue  # "the first fair ...": an event's name is capitalised
        _, unit = _EN_TAILS[index]
        start = m.start("chain")
        for o in _EN_ONE_ORD.finditer(m.group("chain")):
            value = en_ordinal_value(o.group(0))
            span = (start + o.start(), start + o.end())
            found.append(Quantity(value, "ordinal", unit, False, o.group(0), span, 1.0, must_match=False))
    return found


def en_edition_years(text: str) -> list[Quantity]:
    """Years that name an event's edition ("the World Games 2025", "the 2025 Summit"): they may stand for
    第十二届 in the Chinese, and the Chinese need not have the year."""
    found = []
    for m in _EN_EDITION_YEAR.finditer(text):
        group = "y1" if m.group("y1") else "y2"
        found.append(Quantity(float(m.group(group)), "year", "edition", False, m.group(group), m.span(group), 1.0,
                              must_match=False))
    return found
