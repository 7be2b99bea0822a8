"""Find the figures in an English sentence (see :mod:`.quantities` for the common scale).

Numbers that are parts of names (the 1992 Consensus, COVID-19, 5G) are not quantities; ordinals of plans,
congresses, sessions and anniversaries (the 14th Five-Year Plan, the third plenary session) are, with the
name's class as their unit. Forms that translators add or drop freely (spelled-out small numbers, other
ordinals) are returned with ``must_match=False``: they can support a figure on the other side but are never
reported as missing.
"""

from __future__ import annotations

import re

from .names import EN_ORDINAL_WORDS, en_edition_years, en_name_ordinals
from .quantities import Quantity, SpanSet, decimal_precision, overlaps, scaled

__all__ = ["extract_en"]

_EN_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_EN_ORDINALS = EN_ORDINAL_WORDS
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
    r"jin": ("number", "kg", 0.5),
    r"kilowatt[\s-]hours|kwh": ("number", "kwh", 1), r"kilowatts?|kw": ("number", "kw", 1),
    # official English gives 亿千瓦 as gigawatts and 万千瓦 as megawatts (1.3亿千瓦 = 130 GW)
    r"terawatt[\s-]hours|twh": ("number", "kwh", 1e9), r"gigawatt[\s-]hours|gwh": ("number", "kwh", 1e6),
    r"gigawatts?|gw": ("number", "kw", 1e6), r"megawatts?|mw": ("number", "kw", 1e3),
    r"(?:kilometers|kilometres|km)": ("number", "m", 1000), r"(?:meters|metres)": ("number", "m", 1),
    r"kilovolts?|kv": ("number", "kv", 1), r"[\s-]*minutes?": ("number", "minute", 1),
    r"[\s-]*hours?": ("number", "hour", 1), r"[\s-]*days?": ("number", "day", 1),
    r"[\s-]*months?": ("number", "month-span", 1), r"[\s-]*years?(?!\s+old)": ("number", "year-span", 1),
    r"[\s-]*years?\s+old": ("number", "year-span", 1),  # 78.6岁 is also "78.6 years"
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
    r"\(\s*(?:19|20)\d{2}\s*[-–—]\s*(?:19|20)\d{2}\s*\)|\b\d{4}\s+Consensus\b|\b\w*[A-Za-z]-?\d+\w*\b|\b\d+[A-Za-z]\w*\b"
    r"|\b(?:One|Two)\s+(?:Country|Systems)\b|\bone-\w+|\bBelt\s+and\s+Road\b|\bNo\.\s*\d+"
    r"|[\[［〔]\s*(?:19|20)\d{2}\s*[\]］〕]"  # the year of a document number: [2011] No. 35
    r"|\b\d{3,6}(?=[\s\"”]+(?:[\w-]+\s+){0,3}(?:hotlines?|helplines?)\b)|(?<=hotline\s)\d{3,6}\b",  # service numbers
)
_EN_TERM_OK_SUFFIX = re.compile(r"^\d+(?:st|nd|rd|th|s)$", re.I)  # 1990s, 20th are not names
_EN_LIST_MARKER = re.compile(r"^\s*(?:\d{1,2}|[IVX]{1,5})\.\s")
# Enumerators inside a sentence: "1) stabilizing employment; 2) ...", "(3) ..." render 一是/二是, （三）: no figures
_EN_INLINE_MARKERS = re.compile(r"(?:(?<=^)|(?<=[\s;:,—]))(?:\(\d{1,2}\)|\d{1,2}\))(?=\s+[A-Za-z])")
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
    spans.extend(m.span() for m in _EN_INLINE_MARKERS.finditer(text))
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
    blocked = SpanSet(_en_term_spans(text))
    # ordinals of names and years naming an edition first: the 14th Five-Year Plan, the World Games 2025
    found: list[Quantity] = en_name_ordinals(text) + en_edition_years(text)
    taken = SpanSet(q.span for q in found)
    _dates(text, taken, found)
    _figures(text, blocked, taken, found)
    found.sort(key=lambda q: q.span)
    return found


def _dates(text: str, taken: SpanSet, found: list[Quantity]) -> None:
    for m in _EN_DATE_RE.finditer(text):
        month, day, year = m.group("month"), m.group("day"), m.group("year")
        if not (day or year):
            # a bare month name supports 8月; a bare "May" only after a preposition (else it is the verb)
            if month != "May" or re.search(r"\b(?:in|since|by|until|till|from|through|of|to|early|late|mid)[\s-]+$",
                                           text[:m.start()], re.I):
                found.append(Quantity(float(_EN_MONTHS[month.lower()]), "month", None, False, month, m.span("month"),
                                      1.0, must_match=False))
                taken.add(m.span("month"))
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
        taken.add((m.start(), end))


def _figures(text: str, blocked: SpanSet, taken: SpanSet, found: list[Quantity]) -> None:
    """Digits, spelled-out numbers, round words (decade, doubled) and ordinal words, in that order."""
    for m in _EN_NUMBER_RE.finditer(text):
        span = (m.start("n1"), m.end())
        if overlaps(span, taken) or overlaps((m.start("n1"), m.end("n1")), blocked):
            continue
        found.extend(_en_digit_quantities(m))
        taken.add(span)

    for m in _EN_WORD_RE.finditer(text):
        span = (m.start("w"), m.end())
        if overlaps(span, taken) or overlaps(span, blocked):
            continue
        q = _en_word_quantity(m)
        if q is not None:
            found.append(q)
            taken.add(span)

    for m in _EN_ROUND_WORD_RE.finditer(text):
        if overlaps(m.span(), taken) or overlaps(m.span(), blocked):
            continue
        kind, value = _EN_ROUND_WORDS[m.group(0).lower()]
        found.append(Quantity(value, kind, None, False, m.group(0), m.span(), 1.0, must_match=False))
        taken.add(m.span())

    for m in _EN_ORDINAL_WORD_RE.finditer(text):
        if overlaps(m.span(), taken) or overlaps(m.span(), blocked):
            continue
        found.append(Quantity(float(_EN_ORDINALS[m.group("w").lower()]), "ordinal", None, False, m.group(0),
                              m.span(), 1.0, must_match=False))


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
        value = scaled(number_text)
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
        precision = scaled(str(decimal_precision(number_text)), magnitude, factor)
        result.append(Quantity(scaled(number_text, magnitude, factor), q_kind, unit, approx or len(numbers) > 1, text,
                               (m.start("n1"), m.end()), precision, must_match))
    if len(numbers) == 1 and m.group("n2"):
        # "x and y": the second figure stands alone, with no unit of its own known here
        value = float(m.group("n2").replace(",", ""))
        result.append(Quantity(value * magnitude * factor, kind, unit, approx, m.group("n2"), m.span("n2"),
                               decimal_precision(m.group("n2")) * magnitude * factor))
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
