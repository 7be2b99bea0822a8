"""Find the figures in a Chinese or an English sentence and normalise them to comparable values.

Both extractors return :class:`Quantity` objects on a common scale: ``551.2亿元`` and ``55.12 billion
yuan`` both become ``value=5.512e10, kind="number", unit="cny"``; ``增长1.2%`` and ``1.2 percent``
become ``kind="percent", value=1.2``; ``1个百分点`` and ``one percentage point`` become ``kind="points"``.

Names that merely look like numbers ("十四五", “六稳”, “8+X”, 一带一路, 6G, G20, the 14th Five-Year
Plan) are terms, not quantities, and are never returned. Forms that translators add or drop freely
(spelled-out small numbers, ordinals in English, Chinese numerals used as articles) are returned with
``must_match=False``: they can support a figure on the other side but are never reported as missing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from decimal import Decimal

__all__ = [
    "Quantity",
    "extract_zh",
    "extract_en",
    "parse_chinese_numeral",
    "values_match",
    "units_compatible",
    "same_figure",
    "kinds_compatible",
    "format_quantity",
]


@dataclass(frozen=True)
class Quantity:
    value: float
    kind: str  # "number", "ordinal", "percent", "points", "times", "year", "month", "date"
    # unit class, values converted to it: "cny", "usd", "people", "mu" (area; hectares x 15), "kg" (mass;
    # 吨 and tonnes x 1000, 斤 x 0.5), "m" (length), "kw", "kwh", "hour", ...; None = a plain count
    unit: str | None
    approx: bool  # the text says 左右/以上/近/多 or about/over/nearly/more than ...
    text: str  # the figure as written
    span: tuple[int, int]  # character offsets of ``text`` in the input
    precision: float = 0.0  # value of one step in the last digit shown (rounding tolerance)
    must_match: bool = True  # False: a translation may legitimately leave it out


# --------------------------------------------------------------------------------------------------
# Chinese

_FULLWIDTH = str.maketrans("０１２３４５６７８９．％，－～", "0123456789.%,-~")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
_CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万亿"

# Numbers used as names. Quoted text is handled generally; these are the common unquoted ones.
_ZH_TERMS = (
    "一带一路", "四个意识", "四个自信", "两个维护", "两个确立", "两个毫不动摇", "两个大局", "两个结合",
    "四个全面", "五位一体", "三去一降一补", "六稳", "六保", "三保", "三农", "三北", "双一流", "一国两制",
    "九二共识", "二十国集团", "七国集团", "一件事", "千万工程", "万企帮万村", "三期叠加", "两重", "两新",
    "三大攻坚战", "一网通办", "一网统管", "最多跑一次", "放管服", "一次办好", "一站式", "一揽子",
    "千方百计", "一体化", "统一", "唯一", "一流", "一系列", "一致", "一道", "一起", "一线", "一律",
    "百年变局", "百年未有之大变局", "第一百年", "两个一百年", "两岸", "两会", "十分",
)
_ZH_FIVE_YEAR_PLAN = re.compile(r"[十]\s*[一二三四五六七八九]\s*五|\d{2}五(?=规划|时期|期间)")
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
    "周年": ("ordinal", None, 1), "届": ("ordinal", None, 1),
    "小时": ("number", "hour", 1), "天": ("number", "day", 1), "个月": ("number", "month-span", 1),
    "年": ("number", "year-span", 1), "岁": ("number", "age", 1),
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
    rf"(?P<after1>多|余)?(?P<unit>{_ZH_UNIT_RE}|中全会)?(?P<after2>{_ZH_APPROX_AFTER})?"
)
_ZH_PERCENT_WORDS_RE = re.compile(rf"百分之(?P<n>[{_CN_NUMERAL_CHARS}点]+)")

# Strong units that make even 一 a figure (一个百分点, 一倍, 一万元); elsewhere 一 is an article.
_ZH_UNITS_WHERE_ONE_COUNTS = {"个百分点", "百分点", "%", "倍", "周年", "届", "元", "美元", "亿", "中全会"}


def parse_chinese_numeral(text: str) -> float | None:
    """``三十九`` -> 39, ``两`` -> 2, ``一万二千`` -> 12000, ``二〇二五`` -> 2025, ``半`` -> 0.5; None if not a numeral."""
    if not text:
        return None
    if text == "半":
        return 0.5
    if any(c not in _CN_NUMERAL_CHARS for c in text):
        return None
    if all(c in _CN_DIGITS for c in text) and len(text) > 1:
        # digit-by-digit form, as in years: 二〇二五
        return float(int("".join(str(_CN_DIGITS[c]) for c in text)))
    total, section, digit = 0, 0, None
    for c in text:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c in _CN_SMALL_UNITS:
            section += (1 if digit is None else digit) * _CN_SMALL_UNITS[c]
            digit = None
        else:  # 万 / 亿 scale everything before them that they have not already scaled
            section += digit or 0
            if c == "亿":
                total = ((total + section) or 1) * _CN_BIG_UNITS[c]
            else:
                total += (section or 1) * _CN_BIG_UNITS[c]
            section, digit = 0, None
    return float(total + section + (digit or 0))


def _scaled(number_text: str, *factors: float) -> float:
    """The figure times its multipliers, computed in decimal so 551.2亿 is exactly 55120000000."""
    value = Decimal(number_text.replace(",", ""))
    for factor in factors:
        value *= Decimal(str(factor))
    return float(value)


def _decimal_precision(number_text: str) -> float:
    """One step in the last digit shown: ``551.2`` -> 0.1, ``1300`` -> 1."""
    number_text = number_text.replace(",", "")
    if "." in number_text:
        return 10.0 ** -len(number_text.split(".")[1])
    return 1.0


def _term_spans_zh(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _ZH_QUOTED.finditer(text)]
    spans += [m.span() for m in _ZH_FIVE_YEAR_PLAN.finditer(text)]
    for term in _ZH_TERMS:
        start = text.find(term)
        while start >= 0:
            spans.append((start, start + len(term)))
            start = text.find(term, start + 1)
    return spans


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)


_ZH_LIST_MARKER = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|\d+[、.．](?!\d)|[一二三四五六七八九十]+是)")
# Markers of numbered items inside a paragraph (。2、经济运行...), clock times and document codes.
_ZH_NOT_FIGURES = re.compile(
    r"(?:^|(?<=[\s。；;：:！？!?]))(?:\d{1,2}[、.．](?!\d)|[（(]\d{1,2}[）)])|\d{1,2}:\d{2}(?::\d{2})?|\d+(?:/[\d-]+)+"
)
_ZH_ISO_DATE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})(?!\d)")


def extract_zh(text: str) -> list[Quantity]:
    """Every figure in a Chinese sentence, in order of appearance (ranges give one Quantity per end)."""
    normal = text.translate(_FULLWIDTH)  # one character for one, so spans stay valid for ``text``
    blocked = _term_spans_zh(normal)
    marker = _ZH_LIST_MARKER.match(normal)
    if marker:
        blocked.append(marker.span())
    blocked += [m.span() for m in _ZH_NOT_FIGURES.finditer(normal)]
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    for m in _ZH_ISO_DATE.finditer(normal):
        if not 1 <= int(m.group("m")) <= 12:
            continue
        found.append(Quantity(float(m.group("y")), "year", None, False, m.group("y"), m.span("y"), 1.0))
        found.append(Quantity(int(m.group("m")) * 100 + int(m.group("d")), "date", None, False,
                              normal[m.start("m"):m.end()], (m.start("m"), m.end()), 1.0))
        taken.append(m.span())

    for m in _ZH_MONTH_RANGE.finditer(normal):
        if _overlaps(m.span(), blocked) or not all(1 <= int(m.group(g)) <= 12 for g in ("m1", "m2")):
            continue
        for g in ("m1", "m2"):
            found.append(Quantity(float(m.group(g)), "month", None, True, m.group(0), m.span(), 1.0, must_match=False))
        taken.append(m.span())

    for m in _ZH_DATE_RE.finditer(normal):
        if not m.group(0) or not (m.group("y") or m.group("d") or m.group("m")):
            continue
        if _overlaps(m.span(), blocked) or _overlaps(m.span(), taken):
            continue
        year, month, day = m.group("y"), m.group("m"), m.group("d")
        if year and not 1900 <= int(year) <= 2100:
            continue
        if month and not 1 <= int(month) <= 12:
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
        taken.append(m.span())

    for m in _ZH_NUMBER_RE.finditer(normal):
        if _overlaps(m.span(), taken) or _overlaps(m.span(), blocked):
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
        taken.append(m.span())

    for m in _ZH_CN_NUMBER_RE.finditer(normal):
        if _overlaps(m.span(), taken) or _overlaps((m.start("n"), m.end("n")), blocked):
            continue
        q = _zh_chinese_numeral_quantity(m)
        if q is not None:
            found.append(q)
            taken.append(m.span())

    for m in _ZH_PERCENT_WORDS_RE.finditer(normal):
        if _overlaps(m.span(), taken) or _overlaps(m.span(), blocked):
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

    found.sort(key=lambda q: q.span)
    # report the figure as written (full-width digits included), not as normalised for parsing
    return [replace(q, text=text[q.span[0]:q.span[1]]) for q in found]


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
        value = _scaled(number_text, multiplier, factor)
        precision = _scaled(str(_decimal_precision(number_text)), multiplier, factor)
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
    if unit_text == "中全会":  # 三中全会: the third plenary session
        return Quantity(value, "ordinal", None, False, m.group(0), m.span(), 1.0)
    kind, unit, factor = _ZH_UNITS[unit_text]
    if m.group("ord") or unit_text in {"周年", "届"}:
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


# --------------------------------------------------------------------------------------------------
# English

_EN_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_EN_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
}
_EN_MAGNITUDE = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_EN_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
}

_EN_WORD_NUMBER = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    r"|seventeen|eighteen|nineteen|a|half\s+a|half)"
)
_EN_APPROX_BEFORE = (
    r"(?:about|around|approximately|roughly|nearly|almost|close\s+to|over|more\s+than|above|at\s+least|some"
    r"|up\s+to|under|less\s+than|below|exceeding|in\s+excess\s+of|upwards\s+of|well\s+over|just\s+over"
    r"|just\s+under|passed\s+the|topped|exceeded|surpassed|surpassing|exceeds|an\s+estimated|nearing|more)"
)
_EN_APPROX_AFTER = r"(?:\s*(?:or\s+more|or\s+above|and\s+above|plus|or\s+so|-plus))"
_EN_UNITS: dict[str, tuple[str, str | None, float]] = {
    r"percentage[\s-]+points?": ("points", None, 1),
    r"%": ("percent", None, 1), r"[\s-]*percent": ("percent", None, 1), r"\s*per\s*cent": ("percent", None, 1),
    r"[\s-]*(?:times|fold)": ("times", None, 1),
    r"(?:yuan|rmb)": ("number", "cny", 1), r"(?:u\.?s\.?\s+)?dollars": ("number", "usd", 1),
    r"(?:people|persons|individuals|person-times|residents|workers|students|visitors)": ("number", "people", 1),
    r"households": ("number", "household", 1),
    r"square\s+kilometers|square\s+kilometres|sq\.?\s*km|km2": ("number", "mu", 1500),
    r"square\s+meters|square\s+metres": ("number", "mu", 0.0015),
    r"hectares?": ("number", "mu", 15), r"mu": ("number", "mu", 1),
    r"micrograms\s+per\s+cubic\s+meter|μg/m3|ug/m3": ("number", "ug/m3", 1),
    r"cubic\s+meters|cubic\s+metres": ("number", "m3", 1),
    r"(?:metric\s+)?(?:tons|tonnes)": ("number", "kg", 1000), r"(?:kilograms|kg)": ("number", "kg", 1),
    r"kilowatt[\s-]hours|kwh": ("number", "kwh", 1), r"kilowatts|kw": ("number", "kw", 1),
    r"(?:kilometers|kilometres|km)": ("number", "m", 1000), r"(?:meters|metres)": ("number", "m", 1),
    r"kilovolts?|kv": ("number", "kv", 1), r"[\s-]*minutes?": ("number", "minute", 1),
    r"[\s-]*hours?": ("number", "hour", 1), r"[\s-]*days?": ("number", "day", 1),
    r"[\s-]*months?": ("number", "month-span", 1), r"[\s-]*years?(?!\s+old)": ("number", "year-span", 1),
    r"[\s-]*years?\s+old": ("number", "age", 1),
}
_EN_UNIT_RE = "|".join(f"(?:{u})" for u in _EN_UNITS)
_EN_UNIT_PATTERNS = [(re.compile(rf"^(?:{u})$", re.I), v) for u, v in _EN_UNITS.items()]

_EN_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_EN_NUMBER_RE = re.compile(
    rf"(?P<before>\b{_EN_APPROX_BEFORE}\s+)?"
    rf"(?P<currency>(?:US\$|\$|RMB\s*|¥)\s*)?"
    rf"(?<![\w.-])(?P<n1>{_EN_DIGITS})"
    rf"(?:\s*(?P<dash>-|–|—|to|and)\s*(?:US\$|\$)?(?P<n2>{_EN_DIGITS}))?"
    rf"(?P<ord>st|nd|rd|th)?"
    rf"(?:[\s-]*(?P<mag>hundred|thousand|million|billion|trillion)\b)?"
    rf"(?:\s*(?P<unit>{_EN_UNIT_RE})(?![a-z]))?"
    rf"(?P<after>{_EN_APPROX_AFTER})?",
    re.I,
)
_EN_WORD_RE = re.compile(
    rf"(?P<before>\b{_EN_APPROX_BEFORE}\s+)?"
    rf"\b(?P<w>{_EN_WORD_NUMBER})(?:[\s-]+(?P<hundred>hundred))?"
    rf"(?:[\s-]+(?P<mag>thousand|million|billion|trillion)\b)?"
    rf"(?:\s*(?P<unit>{_EN_UNIT_RE})(?![a-z]))?\b",
    re.I,
)
_EN_ORDINAL_WORD_RE = re.compile(r"\b(?P<w>" + "|".join(_EN_ORDINALS) + r")\b", re.I)
# Words that carry a figure without digits; translators use them for 一百年, 翻一番, 十年 ...
_EN_ROUND_WORDS = {
    "centenary": ("ordinal", 100.0), "centennial": ("ordinal", 100.0), "decade": ("number", 10.0),
    "decades": ("number", 10.0), "dozen": ("number", 12.0), "double": ("times", 2.0), "doubled": ("times", 2.0),
    "doubling": ("times", 2.0), "triple": ("times", 3.0), "tripled": ("times", 3.0), "half": ("percent", 50.0),
}
_EN_ROUND_WORD_RE = re.compile(r"\b(?:" + "|".join(_EN_ROUND_WORDS) + r")\b", re.I)
_EN_DATE_RE = re.compile(
    r"\b(?P<month>" + "|".join(m.capitalize() for m in _EN_MONTHS) + r")"
    r"(?:\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b)?(?:,?\s+(?P<year>\d{4})\b)?"
)
# Numbers that are parts of names: the 14th Five-Year Plan, the 1992 Consensus, 5G, G20, COVID-19, 3.0.
_EN_TERM_RE = re.compile(
    r"\b\d+(?:st|nd|rd|th)\s+Five-Year\s+Plan\b(?:\s*\(\d{4}\s*[-–—]\s*\d{4}\))?|\b\d{4}\s+Consensus\b|\b\w*[A-Za-z]-?\d+\w*\b|\b\d+[A-Za-z]\w*\b"
    r"|\b(?:One|Two)\s+(?:Country|Systems)\b|\bone-\w+|\bBelt\s+and\s+Road\b|\bNo\.\s*\d+",
)
_EN_TERM_OK_SUFFIX = re.compile(r"^\d+(?:st|nd|rd|th|s)$", re.I)  # 1990s, 20th are not names
_EN_LIST_MARKER = re.compile(r"^\s*(?:\d{1,2}|[IVX]{1,5})\.\s")
# "a"/"half" only count when followed by a magnitude or a unit ("a million people", "half a percent")
_EN_WEAK_WORDS = {"a", "half", "half a"}


def _en_term_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _EN_TERM_RE.finditer(text):
        if _EN_TERM_OK_SUFFIX.match(m.group(0)):
            continue
        spans.append(m.span())
    marker = _EN_LIST_MARKER.match(text)
    if marker:
        spans.append(marker.span())
    return spans


def _en_unit(unit_text: str | None) -> tuple[str, str | None, float]:
    if not unit_text:
        return "number", None, 1
    for pattern, value in _EN_UNIT_PATTERNS:
        if pattern.match(unit_text.strip()) or pattern.match(unit_text):
            return value
    return "number", None, 1


def extract_en(text: str) -> list[Quantity]:
    """Every figure in an English sentence, in order of appearance (ranges give one Quantity per end)."""
    blocked = _en_term_spans(text)
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    for m in _EN_DATE_RE.finditer(text):
        month, day, year = m.group("month"), m.group("day"), m.group("year")
        if not (day or year):
            # a bare month name supports 8月; a bare "May" only after a preposition (else it is the verb)
            if month != "May" or re.search(r"\b(?:in|since|by|until|till|from|through|of|to|early|late|mid)[\s-]+$",
                                           text[:m.start()], re.I):
                found.append(Quantity(float(_EN_MONTHS[month.lower()]), "month", None, False, month, m.span("month"),
                                      1.0, must_match=False))
                taken.append(m.span("month"))
            continue
        if year and not 1900 <= int(year) <= 2100:
            year = None
            if not day:
                continue
        month_number = _EN_MONTHS[month.lower()]
        end = m.end("day") if day and not year else m.end()
        if day:
            found.append(Quantity(month_number * 100 + int(day), "date", None, False, text[m.start():m.end("day")],
                                  (m.start(), m.end("day")), 1.0))
        else:
            found.append(Quantity(float(month_number), "month", None, False, month, m.span("month"), 1.0))
        if year:
            found.append(Quantity(float(year), "year", None, False, year, m.span("year"), 1.0))
        taken.append((m.start(), end))

    for m in _EN_NUMBER_RE.finditer(text):
        span = (m.start("n1"), m.end())
        if _overlaps(span, taken) or _overlaps((m.start("n1"), m.end("n1")), blocked):
            continue
        found.extend(_en_digit_quantities(m))
        taken.append(span)

    for m in _EN_WORD_RE.finditer(text):
        span = (m.start("w"), m.end())
        if _overlaps(span, taken) or _overlaps(span, blocked):
            continue
        q = _en_word_quantity(m)
        if q is not None:
            found.append(q)
            taken.append(span)

    for m in _EN_ROUND_WORD_RE.finditer(text):
        if _overlaps(m.span(), taken) or _overlaps(m.span(), blocked):
            continue
        kind, value = _EN_ROUND_WORDS[m.group(0).lower()]
        found.append(Quantity(value, kind, None, False, m.group(0), m.span(), 1.0, must_match=False))
        taken.append(m.span())

    for m in _EN_ORDINAL_WORD_RE.finditer(text):
        if _overlaps(m.span(), taken) or _overlaps(m.span(), blocked):
            continue
        found.append(Quantity(float(_EN_ORDINALS[m.group("w").lower()]), "ordinal", None, False, m.group(0),
                              m.span(), 1.0, must_match=False))

    found.sort(key=lambda q: q.span)
    return found


def _en_digit_quantities(m: re.Match) -> list[Quantity]:
    kind, unit, factor = _en_unit(m.group("unit"))
    if m.group("currency"):
        unit = "usd" if "$" in m.group("currency") else "cny"
    magnitude = _EN_MAGNITUDE.get((m.group("mag") or "").lower(), 1.0)
    approx = bool(m.group("before") or m.group("after"))
    numbers = [m.group("n1")] + ([m.group("n2")] if m.group("n2") else [])
    if m.group("dash") and m.group("dash").lower() == "and" and not (m.group("before") or "").lower().startswith("between"):
        # "19 and 28" is two separate figures unless it was "between x and y"; keep them separate
        numbers = [m.group("n1")]
    text = m.group(0).strip()
    result = []
    for number_text in numbers:
        value = _scaled(number_text)
        q_kind = kind
        must_match = True
        if m.group("ord"):
            # edition numbers (the 16th BRICS Summit) are often added by the translator
            q_kind, must_match = "ordinal", False
        elif (
            kind == "number" and unit is None and magnitude == 1 and not m.group("currency")
            and re.fullmatch(r"\d{4}", number_text) and 1900 <= value <= 2100
        ):
            q_kind = "year"
        precision = _scaled(str(_decimal_precision(number_text)), magnitude, factor)
        result.append(Quantity(_scaled(number_text, magnitude, factor), q_kind, unit, approx or len(numbers) > 1, text,
                               (m.start("n1"), m.end()), precision, must_match))
    if len(numbers) == 1 and m.group("n2"):
        # "x and y": the second figure stands alone, with no unit of its own known here
        value = float(m.group("n2").replace(",", ""))
        result.append(Quantity(value * magnitude * factor, kind, unit, approx, m.group("n2"), m.span("n2"),
                               _decimal_precision(m.group("n2")) * magnitude * factor))
    return result


def _en_word_value(word: str) -> float | None:
    word = word.lower()
    if word in _EN_SMALL:
        return float(_EN_SMALL[word])
    if word in _EN_TENS:
        return float(_EN_TENS[word])
    if "-" in word:
        tens, _, ones = word.partition("-")
        if tens in _EN_TENS and ones in _EN_SMALL:
            return float(_EN_TENS[tens] + _EN_SMALL[ones])
    if word == "a":
        return 1.0
    if word in {"half", "half a"} or re.fullmatch(r"half\s+a", word):
        return 0.5
    return None


def _en_word_quantity(m: re.Match) -> Quantity | None:
    word = m.group("w")
    value = _en_word_value(word)
    if value is None:
        return None
    weak = word.lower() in _EN_WEAK_WORDS or re.fullmatch(r"half\s+a", word.lower())
    if weak and not (m.group("mag") or m.group("hundred") or (m.group("unit") and _en_unit(m.group("unit"))[0] != "number")):
        return None
    if m.group("hundred"):
        value *= 100
    magnitude = _EN_MAGNITUDE.get((m.group("mag") or "").lower(), 1.0)
    kind, unit, factor = _en_unit(m.group("unit"))
    approx = bool(m.group("before"))
    text = m.group(0).strip()
    # Spelled-out figures are supporting evidence only: "one of", "two sessions" are rarely the point.
    return Quantity(value * magnitude * factor, kind, unit, approx, text, (m.start("w"), m.end()),
                    magnitude * factor, must_match=magnitude > 1 or kind != "number")


# --------------------------------------------------------------------------------------------------
# Comparison

_KIND_GROUPS = {"number": "count", "ordinal": "count", "year": "count", "percent": "percent", "points": "points",
                "times": "times", "month": "month", "date": "date"}


def kinds_compatible(a: Quantity, b: Quantity) -> bool:
    """Whether two figures measure the same sort of thing (a year may match a plain number, % never matches points)."""
    return _KIND_GROUPS.get(a.kind, a.kind) == _KIND_GROUPS.get(b.kind, b.kind)


def units_compatible(a: Quantity, b: Quantity) -> bool:
    """Unknown units are compatible with anything: only two different named units conflict."""
    return a.unit is None or b.unit is None or a.unit == b.unit


def values_match(a: Quantity, b: Quantity) -> bool:
    """Whether two figures are the same value as far as the precision shown allows.

    Exact figures may differ by half a step of the coarser one (1256万 = 12.6 million = 13 million);
    when either side is approximate (多, 左右, over, about) they may differ by less than one full step
    of the coarser one (1256万 = over 12 million), and a range end never needs more.
    """
    if math.isclose(a.value, b.value, rel_tol=1e-9):
        return True
    coarse, fine = (a, b) if a.precision >= b.precision else (b, a)
    step = max(coarse.precision, 1e-12)
    if a.approx or b.approx:
        return abs(a.value - b.value) < step * (1 - 1e-9)
    # the finer figure, rounded half up to the coarser one's last digit, must give the coarser figure
    return math.floor(fine.value / step + 0.5 + 1e-9) == round(coarse.value / step)


def same_figure(a: Quantity, b: Quantity) -> bool:
    """Whether two figures (either language) say the same thing: same sort, no unit conflict, same value."""
    if a.kind == b.kind == "times" and abs(abs(a.value - b.value) - 1) < 1e-9:
        # 增长2倍 is read both as "up 200%" (tripled) and as "doubled"; both renderings are in use
        return True
    return kinds_compatible(a, b) and units_compatible(a, b) and values_match(a, b)


def format_quantity(q: Quantity) -> str:
    """A figure with its normalised value, for flag messages: ``551.2亿元 (5.512e+10)``."""
    if q.kind in {"number", "ordinal"} and abs(q.value) >= 10_000:
        return f"{q.text} ({q.value:.4g})"
    return q.text
