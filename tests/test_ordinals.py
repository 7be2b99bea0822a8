"""Ordinals inside names (plans, congresses, plenary sessions, sessions, anniversaries, editions) are figures:
parsed with the name's class as their unit on both sides, and compared."""

from __future__ import annotations

import pytest

from pipeline.fidelity import check_pair, extract_en, extract_zh


def _named(quantities) -> list[tuple[float, str]]:
    return [(q.value, q.unit) for q in quantities if q.kind == "ordinal" and q.unit]


ZH_NAMES = [
    ("今年是“十四五”规划收官之年。", [(14.0, "plan")]),
    ("今年将开展“十五五”规划编制工作。", [(15.0, "plan")]),
    ("十三五时期", [(13.0, "plan")]),
    ("党的二十大胜利召开。", [(20.0, "edition")]),
    ("党的十八大以来", [(18.0, "edition")]),
    ("中共第二十次全国代表大会", [(20.0, "edition")]),
    ("党的二十届三中全会胜利召开。", [(20.0, "edition"), (3.0, "plenary")]),
    ("党的二十大和二十届二中、三中全会精神", [(20.0, "edition"), (20.0, "edition"), (2.0, "plenary"), (3.0, "plenary")]),
    ("十四届全国人大二次会议", [(14.0, "edition"), (2.0, "session")]),
    ("全国政协十四届三次会议", [(14.0, "edition"), (3.0, "session")]),
    ("庆祝中华人民共和国成立75周年", [(75.0, "anniversary")]),
    ("纪念中国人民抗日战争胜利八十周年", [(80.0, "anniversary")]),
    ("办好第十二届世界运动会", [(12.0, "edition")]),
    ("第15届全国运动会", [(15.0, "edition")]),
    # numerals in other words are no names
    ("打好三大攻坚战", []),
    ("实施十大工程", []),
    ("十五年来", []),
    ("召开两次会议", []),  # two meetings
    ("连续两届获评", []),  # two terms in a row
]


@pytest.mark.parametrize("zh, expected", ZH_NAMES)
def test_zh_name_ordinals(zh, expected):
    assert _named(extract_zh(zh)) == expected


EN_NAMES = [
    ("the 14th Five-Year Plan (2021-2025)", [(14.0, "plan")]),  # the plan's years are no figure of the source
    ("the 20th CPC National Congress", [(20.0, "edition")]),
    ("the 20th National Congress of the Communist Party of China", [(20.0, "edition")]),
    ("the second and third plenary sessions of the 20th CPC Central Committee",
     [(2.0, "plenary"), (3.0, "plenary"), (20.0, "edition")]),
    ("At its third plenary session, the 20th Central Committee", [(3.0, "plenary"), (20.0, "edition")]),
    ("the second session of the 14th National People's Congress", [(2.0, "session"), (14.0, "edition")]),
    ("the 75th anniversary of the founding of the PRC", [(75.0, "anniversary")]),
    ("for the first time", []),
    ("the 15th National Games", [(15.0, "edition")]),
]


@pytest.mark.parametrize("en", ["the 14th Five-Year Plan", "the third plenary session of the 20th CPC Central Committee"])
def test_en_name_ordinals_are_never_required(en):
    # translators spell out names the Chinese abbreviates (全会精神): the Chinese ordinals are the required ones
    assert [q for q in extract_en(en) if q.must_match] == []
    assert check_pair("深入贯彻全会精神。", f"We studied the guiding principles of {en}.") == []


@pytest.mark.parametrize("en, expected", EN_NAMES)
def test_en_name_ordinals(en, expected):
    assert _named(extract_en(en)) == expected


# zh, en, number-flag reasons
PAIRS = [
    ("今年是“十四五”规划收官之年。", "This year marks the conclusion of the 14th Five-Year Plan.", []),
    ("今年是“十四五”规划收官之年。", "This year marks the conclusion of the 19th Five-Year Plan.", ["value"]),
    ("今年是“十四五”规划收官之年。", "This year marks the conclusion of the someth Five-Year Plan.", ["missing"]),
    ("今年是“十四五”规划收官之年。", "This year marks the conclusion of the Five-Year Plan in 14 cities.",
     ["unit"]),  # a count never stands in for a plan's ordinal
    ("党的二十大胜利召开。", "The 20th CPC National Congress was a success.", []),
    ("党的二十大胜利召开。", "The 19th CPC National Congress was a success.", ["value"]),
    ("党的二十届三中全会胜利召开。", "The third plenary session of the 20th CPC Central Committee was held.", []),
    ("党的二十届三中全会胜利召开。", "The fourth plenary session of the 20th CPC Central Committee was held.", ["value"]),
    ("党的二十届三中全会胜利召开。", "The third plenary session of the 21st CPC Central Committee was held.", ["value"]),
    ("十四届全国人大二次会议", "the second session of the 14th National People's Congress", []),
    ("十四届全国人大二次会议", "the third session of the 14th National People's Congress", ["value"]),
    ("全国政协十四届三次会议", "the Third Session of the 14th National Committee of the CPPCC", []),
    ("纪念中国人民抗日战争胜利80周年。", "We will commemorate the 80th anniversary of the victory.", []),
    ("庆祝中国共产党成立100周年。", "We celebrated the centenary of the CPC.", []),
    ("举办第三届“一带一路”国际合作高峰论坛。", "We hosted the third Belt and Road Forum for International Cooperation.", []),
    ("全面贯彻党的二十大和二十届二中、三中全会精神。",
     "We fully implemented the guiding principles from the 20th CPC National Congress and the second and third "
     "plenary sessions of the 20th CPC Central Committee.", []),
    ("庆祝中华人民共和国成立75周年。", "We celebrated the 75th anniversary of the founding of the PRC.", []),
    ("庆祝中华人民共和国成立75周年。", "We celebrated the 76th anniversary of the founding of the PRC.", ["value"]),
    ("办好第十二届世界运动会。", "We will host the 12th World Games.", []),
    ("办好第十二届世界运动会。", "We will host the World Games 2025.", []),  # the year form names the edition
    ("办好第十二届世界运动会。", "We will host the 11th World Games.", ["value"]),
    ("全面贯彻党的二十大和二十届三中全会精神。",
     "We implemented the guiding principles from the 20th CPC National Congress and the third plenary session of "
     "the 21st CPC Central Committee.", ["extra"]),  # both 20s are matched by one 20th: the 21st is extra
    ("实现建军一百年奋斗目标。", "We will achieve the centenary goal of the People's Liberation Army.", []),
    ("召开两次会议。", "Two meetings were held.", []),
    ("连续两届获评。", "It won for two consecutive terms.", []),
    ("国务院第二十次常务会议", "the 20th executive meeting of the State Council", []),
]


@pytest.mark.parametrize("zh, en, reasons", PAIRS)
def test_name_ordinals_are_compared(zh, en, reasons):
    assert [f.reason for f in check_pair(zh, en)] == reasons


def test_flag_names_both_ordinals():
    (flag,) = check_pair("今年是“十四五”规划收官之年。", "The 19th Five-Year Plan ends this year.")
    assert flag.detail == "十四五 appears as 19th in English"
