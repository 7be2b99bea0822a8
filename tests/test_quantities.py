"""Table-driven tests for the Chinese and English figure normalisers."""

from __future__ import annotations

import pytest

from pipeline.fidelity import Quantity, extract_en, extract_zh, parse_chinese_numeral
from pipeline.fidelity.quantities import same_figure, values_match


def _must(quantities: list[Quantity]) -> list[tuple[float, str, str | None, bool]]:
    return [(float(f"{q.value:.9g}"), q.kind, q.unit, q.approx) for q in quantities if q.must_match]


# text, expected (value, kind, unit, approx) for figures a translation must keep
ZH_CASES = [
    ("完成投资551.2亿元", [(5.512e10, "number", "cny", False)]),
    ("城镇新增就业1244万人", [(1.244e7, "number", "people", False)]),
    ("增长1.2%", [(1.2, "percent", None, False)]),
    ("增长１．２％", [(1.2, "percent", None, False)]),
    ("比上年提高1个百分点", [(1.0, "points", None, False)]),
    ("造林31.56万亩", [(315600.0, "number", "mu", False)]),
    ("赤字规模5.66万亿元", [(5.66e12, "number", "cny", False)]),
    ("增加3000亿元", [(3e11, "number", "cny", False)]),
    ("惠及学生3400多万人次", [(3.4e7, "number", "people", True)]),
    ("惠及1100多万人", [(1.1e7, "number", "people", True)]),
    ("经济增长预期目标为5%左右", [(5.0, "percent", None, True)]),
    ("降幅超过3%", [(3.0, "percent", None, True)]),
    ("比重接近40%", [(40.0, "percent", None, True)]),
    ("近2000家企业", [(2000.0, "number", None, True)]),
    ("1000人以上", [(1000.0, "number", "people", True)]),
    ("增长3-5%", [(3.0, "percent", None, True), (5.0, "percent", None, True)]),
    ("新建3至5个", [(3.0, "number", None, True), (5.0, "number", None, True)]),
    ("新增装机3.7亿千瓦", [(3.7e8, "number", "kw", False)]),
    ("延长至240小时", [(240.0, "number", "hour", False)]),
    ("提高30元和5元", [(30.0, "number", "cny", False), (5.0, "number", "cny", False)]),
    ("PM2.5平均浓度30微克/立方米", [(30.0, "number", "ug/m3", False)]),
    ("粮食产量1.4万亿斤", [(7e11, "number", "kg", False)]),
    ("出口增长2倍", [(2.0, "times", None, False)]),
    ("完成2.1万吨", [(2.1e7, "number", "kg", False)]),
    ("2020年8月", [(2020.0, "year", None, False), (8.0, "month", None, False)]),
    ("9月26日中央政治局会议", [(926.0, "date", None, False)]),
    ("2025年3月5日", [(2025.0, "year", None, False), (305.0, "date", None, False)]),
    ("一、2024年工作回顾", [(2024.0, "year", None, False)]),
    ("建成三十九个", [(39.0, "number", None, False)]),
    ("第十五届全国运动会", [(15.0, "ordinal", "edition", False)]),
    ("成立75周年", [(75.0, "ordinal", "anniversary", False)]),
    ("长江十年禁渔", [(10.0, "number", "year-span", False)]),
    ("推出两批", [(2.0, "number", None, False)]),
    ("提高一个百分点", [(1.0, "points", None, False)]),
    ("百分之五", [(5.0, "percent", None, False)]),
    ("占三成", [(30.0, "percent", None, False)]),
    ("共1,200个", [(1200.0, "number", None, False)]),
    ("约200万户", [(2e6, "number", "household", True)]),
    ("全市生产总值下降3.5%", [(3.5, "percent", None, False)]),
    ("面积2.5平方公里", [(3750.0, "number", "mu", False)]),
    ("220千伏变电站", [(220.0, "number", "kv", False)]),
    ("市第三人民医院", [(3.0, "ordinal", None, False)]),
    ("增速宁波第2", [(2.0, "ordinal", None, False)]),
    ("《2025年政府工作报告》", [(2025.0, "year", None, False)]),
    ("发布日期：2020-08-27", [(2020.0, "year", None, False), (827.0, "date", None, False)]),
    ("1-6月，全市实现", []),  # a stretch of months: English may say "the first half"
    ("机器人核心零部件", []),
    ("15分钟社区生活圈", [(15.0, "number", "minute", False)]),
]

# names that look like numbers: no figure at all
ZH_TERMS = [
    "实现“六稳”“六保”",
    "推进“8+X”产业",
    "打造“246”产业集群",
    "共建一带一路",
    "增强四个意识",
    "坚持一国两制",
    "着力抓好“三农”工作",
    "扩大5G规模化应用",
    "二十国集团领导人峰会",
    "培育一批先进制造业集群",
    "一是稳定工业经济运行",
    "（一）大力提振消费",
    "千方百计促进增收",
]


@pytest.mark.parametrize("text, expected", ZH_CASES)
def test_extract_zh(text, expected):
    assert _must(extract_zh(text)) == [(float(f"{v:.9g}"), k, u, a) for v, k, u, a in expected]


@pytest.mark.parametrize("text", ZH_TERMS)
def test_zh_terms_are_not_quantities(text):
    assert _must(extract_zh(text)) == []


def test_zh_spans_point_at_the_figure():
    text = "一般公共预算支出规模29.7万亿元、比上年增加1.2万亿元。"
    for q in extract_zh(text):
        assert text[q.span[0]:q.span[1]] == q.text


EN_CASES = [
    ("investment of 55.12 billion yuan", [(5.512e10, "number", "cny", False)]),
    ("12.44 million people", [(1.244e7, "number", "people", False)]),
    ("rose by 1.2 percent", [(1.2, "percent", None, False)]),
    ("rose by 1.2%", [(1.2, "percent", None, False)]),
    ("a 9.2-percent increase", [(9.2, "percent", None, False)]),
    ("up 1.2 per cent", [(1.2, "percent", None, False)]),
    ("an increase of one percentage point", [(1.0, "points", None, False)]),
    ("fell by 0.3 percentage points", [(0.3, "points", None, False)]),
    ("5.66 trillion yuan", [(5.66e12, "number", "cny", False)]),
    ("300 billion yuan", [(3e11, "number", "cny", False)]),
    ("on over 34 million occasions", [(3.4e7, "number", None, True)]),
    ("over 11 million people in difficulty", [(1.1e7, "number", "people", True)]),
    ("at around 5 percent", [(5.0, "percent", None, True)]),
    ("close to 40 percent", [(40.0, "percent", None, True)]),
    ("more than 3 percent", [(3.0, "percent", None, True)]),
    ("passed the 13 million mark", [(1.3e7, "number", None, True)]),
    ("3 to 5 percent", [(3.0, "percent", None, True), (5.0, "percent", None, True)]),
    ("370 million kilowatts", [(3.7e8, "number", "kw", False)]),
    ("240 hours", [(240.0, "number", "hour", False)]),
    ("21,040 hectares", [(315600.0, "number", "mu", False)]),
    ("315,600 mu", [(315600.0, "number", "mu", False)]),
    ("700 million tonnes", [(7e11, "number", "kg", False)]),
    ("US$100 billion", [(1e11, "number", "usd", False)]),
    ("30 micrograms per cubic meter", [(30.0, "number", "ug/m3", False)]),
    ("grew 2.5 times", [(2.5, "times", None, False)]),
    ("a threefold increase", [(3.0, "times", None, False)]),
    ("19 legislative proposals and 28 regulations", [(19.0, "number", None, False), (28.0, "number", None, False)]),
    ("in 2024", [(2024.0, "year", None, False)]),
    ("in August 2020", [(8.0, "month", None, False), (2020.0, "year", None, False)]),
    ("on September 26", [(926.0, "date", None, False)]),
    ("on March 5, 2025", [(305.0, "date", None, False), (2025.0, "year", None, False)]),
    ("the 10-year fishing ban", [(10.0, "number", "year-span", False)]),
    ("2,000 yuan", [(2000.0, "number", "cny", False)]),
    ("about 1.2 million", [(1.2e6, "number", None, True)]),
    ("a million people", [(1e6, "number", "people", False)]),
    ("two million jobs", [(2e6, "number", None, False)]),
]

# names, list markers and words that only support a match
EN_NOT_REQUIRED = [
    "the Five-Year Plan (2021–2025)",
    "the 1992 Consensus",
    "5G and 6G technology",
    "the G20 Summit",
    "the Chang'e-6 mission",
    "2. We deepened reform",
    "III. Major Tasks",
    "one of the first",
    "the 16th BRICS Summit",
    "two lists of major matters",
    "a three-year action plan",
    "One Country, Two Systems",
    "one-stop government services",
    "this may help",
]


@pytest.mark.parametrize("text, expected", EN_CASES)
def test_extract_en(text, expected):
    assert _must(extract_en(text)) == [(float(f"{v:.9g}"), k, u, a) for v, k, u, a in expected]


@pytest.mark.parametrize("text", EN_NOT_REQUIRED)
def test_en_names_and_words_are_not_required(text):
    assert _must(extract_en(text)) == []


def test_en_spelled_numbers_still_support_matches():
    values = {q.value for q in extract_en("two lists and a three-year plan, the second batch")}
    assert {2.0, 3.0} <= values


@pytest.mark.parametrize(
    "numeral, value",
    [("三十九", 39), ("两", 2), ("十", 10), ("十五", 15), ("二十", 20), ("一百", 100), ("一百零五", 105),
     ("三千", 3000), ("一万二千", 12000), ("三千亿", 3e11), ("二〇二五", 2025), ("半", 0.5), ("七", 7),
     ("九十九", 99), ("五万亿", 5e12)],
)
def test_parse_chinese_numeral(numeral, value):
    assert parse_chinese_numeral(numeral) == value


@pytest.mark.parametrize("text", ["", "abc", "十a"])
def test_parse_chinese_numeral_rejects(text):
    assert parse_chinese_numeral(text) is None


# zh, en, same? — rounding and approximation rules
MATCH_CASES = [
    ("551.2亿元", "55.12 billion yuan", True),
    ("551.2亿元", "5.512 billion yuan", False),
    ("1244万人", "12.44 million people", True),
    ("1256万人", "12.56 million people", True),
    ("1256万人", "12.6 million people", True),
    ("1256万人", "13 million people", True),
    ("1256万人", "12.5 million people", False),
    ("1256万人", "over 12 million people", True),
    ("1256万人", "over 11 million people", False),
    ("3.7亿千瓦", "370 million kilowatts", True),
    ("3.7亿千瓦", "375 million kilowatts", False),
    ("3.7亿千瓦", "365 million kilowatts", True),
    ("3.7亿千瓦", "370 million yuan", False),
    ("1.2%", "1.2 percent", True),
    ("1.2%", "1.2 percentage points", False),
    ("5%左右", "about 5 percent", True),
    ("5%左右", "about 6 percent", False),
    ("增长2倍", "tripled", True),
    ("31.56万亩", "21,040 hectares", True),
]


@pytest.mark.parametrize("zh, en, same", MATCH_CASES)
def test_figures_match_across_languages(zh, en, same):
    z = [q for q in extract_zh(zh) if q.must_match]
    e = extract_en(en)
    assert len(z) == 1 and e
    assert any(same_figure(z[0], q) for q in e) is same


def test_values_match_is_symmetric():
    a = extract_zh("1256万")[0]
    b = extract_en("12.6 million")[0]
    assert values_match(a, b) and values_match(b, a)


# --------------------------------------------------------------------------------------------------
# any text: never crashes, spans point into the text

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_FIGURE_ALPHABET = "0123456789０１２.,%％-~至万亿千百十一二两三四五六七八九零半个人元亩倍年月日第“”《》左右多余近超过 abcdefmilonbtrpcesyu$"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_FIGURE_ALPHABET, max_size=40))
def test_extractors_accept_any_text(text):
    for q in extract_zh(text) + extract_en(text):
        assert 0 <= q.span[0] < q.span[1] <= len(text)
        assert q.precision >= 0
