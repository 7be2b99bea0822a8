"""Find the figures in a Chinese sentence (see :mod:`.quantities` for the common scale).

Names that merely look like numbers (“六稳”, “8+X”, 一带一路, 二十国集团), idioms (第一时间, 一体化) and
list markers (一是, （二）) are not quantities and are never returned; ordinals that are part of a name
(十四五, 二十大, 三中全会, 75周年) are, with the name's class as their unit. Chinese numerals used as articles
(一批, 一项) are returned with ``must_match=False``, or not at all.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace

from ..numerals import _CN_DIGITS, _CN_NUMERAL_CHARS, parse_chinese_numeral
from .identifiers import extract_identifiers
from .idioms import MAX_IDIOM_LENGTH, idiom_spans
from .names import zh_name_ordinals
from .quantities import Quantity, SpanSet, decimal_precision, overlaps, scaled

__all__ = ["extract_zh", "parse_chinese_numeral"]

_FULLWIDTH = str.maketrans("０１２３４５６７８９．％，－～", "0123456789.%,-~")


# Numbers used as names. Quoted text is handled generally; these are the common unquoted ones.
_ZH_TERMS = (
    "一带一路", "四个意识", "四个自信", "两个维护", "两个确立", "两个毫不动摇", "两个大局", "两个结合",
    "四个全面", "五位一体", "三去一降一补", "六稳", "六保", "三保", "三农", "三北", "双一流", "一国两制",
    "九二共识", "二十国集团", "七国集团", "一件事", "千万工程", "万企帮万村", "三期叠加", "两重", "两新",
    "三大攻坚战", "一网通办", "一网统管", "最多跑一次", "放管服", "一次办好", "一站式", "一揽子",
    "千方百计", "一体化", "统一", "唯一", "一流", "一系列", "一致", "一道", "一起", "一线", "一律",
    "百年变局", "百年未有之大变局", "第一百年", "两个一百年", "两岸", "两会", "十分",
)
# Quoted short phrases are names (“十四五”, “8+X”); book titles 《》 are not, their years are real.
_ZH_QUOTED = re.compile(r"“[^”]{0,30}”|「[^」]{0,30}」|\"[^\"]{0,30}\"")

# Measure words and units after a figure, longest first so 亿元 wins over 元.
_ZH_UNITS: dict[str, tuple[str, str | None, float]] = {
    # suffix: (kind, unit class, factor)
    "个百分点": ("points", None, 1), "百分点": ("points", None, 1),
    "%": ("percent", None, 1), "倍": ("times", None, 1), "成": ("percent", None, 10),
    "美元": ("number", "usd", 1), "元": ("number", "cny", 1), "块钱": ("number", "cny", 1),
    "人次": ("number", "people", 1), "人": ("number", "people", 1), "名": ("number", "people", 1),
    "户": ("number", "household", 1),
    "平方公里": ("number", "mu", 1500), "平方千米": ("number", "mu", 1500), "平方米": ("number", "mu", 0.0015),
    "公顷": ("number", "mu", 15), "亩": ("number", "mu", 1),
    "微克/立方米": ("number", "ug/m3", 1), "立方米": ("number", "m3", 1),
    "吨": ("number", "kg", 1000), "公斤": ("number", "kg", 1), "千克": ("number", "kg", 1), "斤": ("number", "kg", 0.5),
    "千瓦时": ("number", "kwh", 1), "度电": ("number", "kwh", 1), "千瓦": ("number", "kw", 1),
    "公里": ("number", "m", 1000), "千米": ("number", "m", 1000), "米": ("number", "m", 1),
    "周年": ("ordinal", "anniversary", 1),
    "小时": ("number", "hour", 1), "天": ("number", "day", 1), "个月": ("number", "month-span", 1),
    "年": ("number", "year-span", 1), "岁": ("number", "year-span", 1),
    "个": ("number", None, 1), "项": ("number", None, 1), "家": ("number", None, 1), "件": ("number", None, 1),
    "部": ("number", None, 1), "所": ("number", None, 1), "条": ("number", None, 1), "座": ("number", None, 1),
    "次": ("number", None, 1), "位": ("number", None, 1), "台": ("number", None, 1), "套": ("number", None, 1),
    "辆": ("number", None, 1), "艘": ("number", None, 1), "架": ("number", None, 1), "批": ("number", None, 1),
    "种": ("number", None, 1), "类": ("number", None, 1), "处": ("number", None, 1), "场": ("number", None, 1),
    "张": ("number", None, 1), "份": ("number", None, 1), "起": ("number", None, 1), "例": ("number", None, 1),
    "只": ("number", None, 1), "头": ("number", None, 1), "棵": ("number", None, 1), "株": ("number", None, 1),
    "篇": ("number", None, 1), "本": ("number", None, 1), "轮": ("number", None, 1),
    "级": ("number", None, 1), "分钟": ("number", "minute", 1), "千伏": ("number", "kv", 1),
}
# 人 in 人民 (第三人民医院) is no unit
_ZH_UNIT_RE = "|".join(re.escape(u) + ("(?!民)" if u == "人" else "") for u in sorted(_ZH_UNITS, key=len, reverse=True))

_ZH_APPROX_BEFORE = r"(?:大约|约|近|将近|接近|超过|逾|突破|不到|不足|不少于|至少|多于|高于|低于|超|达到近)"
_ZH_APPROX_AFTER = r"(?:左右|以上|以下|以内|上下|多|余|开外)"
_ZH_MULTIPLIER = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "百": 1e2}

_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
_ZH_NUMBER_RE = re.compile(
    rf"(?P<before>{_ZH_APPROX_BEFORE})?"
    rf"(?P<n1>{_ARABIC})(?P<after0>多|余)?(?P<m1>万亿|亿|万|千(?![瓦米克伏])|百(?!分))?"
    rf"(?:\s*(?P<dash>[-~—–至到])\s*(?P<n2>{_ARABIC})(?P<m2>万亿|亿|万|千(?![瓦米克伏])|百(?!分))?)?"
    rf"(?P<after1>多|余)?"
    rf"(?P<unit>{_ZH_UNIT_RE})?"
    rf"(?P<after2>{_ZH_APPROX_AFTER})?"
)
_ZH_DATE_RE = re.compile(r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})[日号])?)?")
# 1-6月, 1至9月: a stretch of months, which English often gives as "the first half" or "the first three quarters"
_ZH_MONTH_RANGE = re.compile(r"(?P<m1>\d{1,2})\s*[-~—–至到]\s*(?P<m2>\d{1,2})月(?:份)?")
_ZH_CN_NUMBER_RE = re.compile(
    rf"(?P<before>{_ZH_APPROX_BEFORE})?(?P<ord>第)?(?P<n>[{_CN_NUMERAL_CHARS}]+)"
    rf"(?P<after1>多|余)?(?P<unit>{_ZH_UNIT_RE})?(?P<after2>{_ZH_APPROX_AFTER})?"
)
_ZH_PERCENT_WORDS_RE = re.compile(rf"百分之(?P<n>[{_CN_NUMERAL_CHARS}点]+)")

# Strong units that make even 一 a figure (一个百分点, 一倍, 一万元); elsewhere 一 is an article.
_ZH_UNITS_WHERE_ONE_COUNTS = {"个百分点", "百分点", "%", "倍", "周年", "元", "美元", "亿"}


def _term_spans_zh(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _ZH_QUOTED.finditer(text)]
    for term in _ZH_TERMS:
        start = text.find(term)
        while start >= 0:
            spans.append((start, start + len(term)))
            start = text.find(term, start + 1)
    return spans



_ZH_LIST_MARKER = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|\d+[、.．](?!\d)|[一二三四五六七八九十]+是)")
# Markers of numbered items inside a paragraph (。2、经济运行...), clock times and document codes.
# Also two neighbouring grades or phases (二三级 "Grade II and Grade III", 三四线 "third- and fourth-tier"): no 23.
_ZH_NOT_FIGURES = re.compile(
    r"(?:^|(?<=[\s。；;：:！？!?]))(?:\d{1,2}[、.．](?!\d)|[（(]\d{1,2}[）)])|\d{1,2}:\d{2}(?::\d{2})?|\d+(?:/[\d-]+)+"
    r"|(?<![一二三四五六七八九十百千万])(?:一二|二三|三四|四五|五六)(?=级|期|类|线|档|等)"
)
_ZH_ISO_DATE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})(?!\d)")


def extract_zh(text: str) -> list[Quantity]:
    """Every figure in a Chinese sentence, in order of appearance (ranges give one Quantity per end).

    Passes run from the most specific to the most general, each skipping what an earlier one claimed:
    names' ordinals, dates, Arabic figures, Chinese numerals, 百分之 percentages.
    """
    normal = text.translate(_FULLWIDTH)  # one character for one, so spans stay valid for ``text``
    blocked = _blocked_spans(normal)
    # ordinals of names first: quoted (“十四五”) or not, they are figures readers check
    found: list[Quantity] = zh_name_ordinals(normal)
    taken = SpanSet(q.span for q in found)
    for find in (_dates, _arabic_figures, _chinese_numeral_figures, _percent_words):
        find(normal, blocked, taken, found)
    found.sort(key=lambda q: q.span)
    # report the figure as written (full-width digits included), not as normalised for parsing
    return [replace(q, text=text[q.span[0]:q.span[1]]) for q in found]


def _blocked_spans(normal: str) -> SpanSet:
    """Names, list markers, clock times and identifiers: no figure starts inside them."""
    blocked = SpanSet(_term_spans_zh(normal))
    marker = _ZH_LIST_MARKER.match(normal)
    if marker:
        blocked.add(marker.span())
    for m in _ZH_NOT_FIGURES.finditer(normal):
        blocked.add(m.span())
    # document numbers (国发〔2011〕35号) and service numbers (12345热线) are identifiers, compared verbatim
    for identifier in extract_identifiers(normal):
        if not identifier.code:
            blocked.add(identifier.span)
    return blocked


def _dates(normal: str, blocked: SpanSet, taken: SpanSet, found: list[Quantity]) -> None:
    for m in _ZH_ISO_DATE.finditer(normal):
        if not 1 <= int(m.group("m")) <= 12:
            continue
        found.append(Quantity(float(m.group("y")), "year", None, False, m.group("y"), m.span("y"), 1.0))
        found.append(Quantity(int(m.group("m")) * 100 + int(m.group("d")), "date", None, False,
                              normal[m.start("m"):m.end()], (m.start("m"), m.end()), 1.0))
        taken.add(m.span())

    for m in _ZH_MONTH_RANGE.finditer(normal):
        if overlaps(m.span(), blocked) or not all(1 <= int(m.group(g)) <= 12 for g in ("m1", "m2")):
            continue
        for g in ("m1", "m2"):
            found.append(Quantity(float(m.group(g)), "month", None, True, m.group(0), m.span(), 1.0, must_match=False))
        taken.add(m.span())

    for m in _ZH_DATE_RE.finditer(normal):
        if not m.group(0) or not (m.group("y") or m.group("d") or m.group("m")):
            continue
        if overlaps(m.span(), blocked) or overlaps(m.span(), taken):
            continue
        year, month, day = m.group("y"), m.group("m"), m.group("d")
        if (year and not 1900 <= int(year) <= 2100) or (month and not 1 <= int(month) <= 12):
            continue
        if year:
            s = m.start("y")
            found.append(Quantity(float(year), "year", None, False, normal[s:s + 5], (s, s + 5), 1.0))
        if month and day:
            found.append(Quantity(int(month) * 100 + int(day), "date", None, False, normal[m.start("m"):m.end()],
                                  (m.start("m"), m.end()), 1.0))
        elif month:
            found.append(Quantity(float(month), "month", None, False, normal[m.start("m"):m.end("m") + 1],
                                  (m.start("m"), m.end("m") + 1), 1.0))
        taken.add(m.span())


def _arabic_figures(normal: str, blocked: SpanSet, taken: SpanSet, found: list[Quantity]) -> None:
    for m in _ZH_NUMBER_RE.finditer(normal):
        if overlaps(m.span(), taken) or overlaps(m.span(), blocked):
            continue
        # digits glued to Latin letters are model names or codes (5G, C919), not quantities
        if (m.start("n1") > 0 and normal[m.start("n1") - 1].isascii() and normal[m.start("n1") - 1].isalpha()) or (
            m.end() < len(normal) and normal[m.end()].isascii() and normal[m.end()].isalpha()
            and not m.group("unit")
        ):
            continue
        if m.end("n1") < len(normal) and normal[m.end("n1")] == "+":
            continue  # "8+X" style names
        found.extend(_zh_arabic_quantities(m, after_di=m.start() > 0 and normal[m.start() - 1] == "第"))
        taken.add(m.span())


def _chinese_numeral_figures(normal: str, blocked: SpanSet, taken: SpanSet, found: list[Quantity]) -> None:
    idioms = sorted(idiom_spans(normal))
    for m in _ZH_CN_NUMBER_RE.finditer(normal):
        if overlaps(m.span(), taken) or overlaps((m.start("n"), m.end("n")), blocked):
            continue
        start = m.start("ord") if m.group("ord") else m.start("n")
        end = m.end("unit") if m.group("unit") else m.end("n")
        if _inside(idioms, start, end):
            continue  # 第一时间, 统一, 一次性: a word, not a figure
        q = _zh_chinese_numeral_quantity(m)
        if q is not None:
            found.append(q)
            taken.add(m.span())


def _percent_words(normal: str, blocked: SpanSet, taken: SpanSet, found: list[Quantity]) -> None:
    for m in _ZH_PERCENT_WORDS_RE.finditer(normal):
        if overlaps(m.span(), taken) or overlaps(m.span(), blocked):
            continue
        whole, _, frac = m.group("n").partition("点")
        value = parse_chinese_numeral(whole)
        if value is None:
            continue
        precision = 1.0
        if frac and all(c in _CN_DIGITS for c in frac):
            value += float("0." + "".join(str(_CN_DIGITS[c]) for c in frac))
            precision = 10.0 ** -len(frac)
        found.append(Quantity(value, "percent", None, False, m.group(0), m.span(), precision))


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether a span of the sorted, short ``spans`` contains ``start..end``."""
    k = bisect_right(spans, (start, float("inf"))) - 1  # the last span starting at or before ``start``
    while k >= 0 and spans[k][0] > start - MAX_IDIOM_LENGTH:
        if end <= spans[k][1]:
            return True
        k -= 1
    return False


def _zh_arabic_quantities(m: re.Match, after_di: bool) -> list[Quantity]:
    kind, unit, factor = _ZH_UNITS.get(m.group("unit") or "", ("number", None, 1))
    if after_di:  # 第2: a rank
        kind = "ordinal"
    approx = bool(m.group("before") or m.group("after0") or m.group("after1") or m.group("after2") or m.group("dash"))
    ends = [(m.group("n1"), m.group("m1"))]
    if m.group("n2"):
        # a range shares its multiplier: 3-5万人 means 30000-50000
        ends = [(m.group("n1"), m.group("m1") or m.group("m2")), (m.group("n2"), m.group("m2"))]
    result = []
    for number_text, multiplier_text in ends:
        multiplier = _ZH_MULTIPLIER.get(multiplier_text or "", 1.0)
        value = scaled(number_text, multiplier, factor)
        precision = scaled(str(decimal_precision(number_text)), multiplier, factor)
        result.append(Quantity(value, kind, unit, approx, m.group(0), m.span(), precision))
    return result


def _zh_chinese_numeral_quantity(m: re.Match) -> Quantity | None:
    numeral = m.group("n")
    unit_text = m.group("unit")
    # 万/亿 inside the numeral run are multipliers of the figure (三千亿元)
    value = parse_chinese_numeral(numeral)
    if value is None:
        return None
    if unit_text is None:
        if not m.group("ord") or value == 0:
            return None  # a bare numeral is a word part (一些, 万一, 百姓), unless 第 makes it a rank
        return Quantity(value, "ordinal", None, False, m.group(0), m.span(), 1.0)
    kind, unit, factor = _ZH_UNITS[unit_text]
    if m.group("ord") or unit_text == "周年":
        kind = "ordinal"
    if value == 0:
        return None  # 零部件, 零售: 零 is a morpheme there, not a figure
    if value == 1 and not m.group("ord") and unit_text not in _ZH_UNITS_WHERE_ONE_COUNTS:
        return None  # 一批, 一项, 一年: an article more often than a count
    approx = bool(m.group("before") or m.group("after1") or m.group("after2"))
    # Small counts in words are often rendered loosely ("a number of", "several"), so only figures
    # of two or more with a real counting unit must appear in the translation.
    must_match = value >= 2 or unit_text in _ZH_UNITS_WHERE_ONE_COUNTS
    return Quantity(value * factor, kind, unit, approx, m.group(0), m.span(), factor, must_match)
