"""Figures as comparable values: the :class:`Quantity` both extractors return, and how two are compared.

Both extractors (:mod:`.quantities_zh`, :mod:`.quantities_en`) put figures on a common scale: ``551.2亿元``
and ``55.12 billion yuan`` both become ``value=5.512e10, kind="number", unit="cny"``; ``增长1.2%`` and
``1.2 percent`` become ``kind="percent", value=1.2``; ``1个百分点`` and ``one percentage point`` become
``kind="points"``. Ordinals inside names carry the name's class as their unit: ``“十四五”规划`` and "the 14th
Five-Year Plan" are both ``kind="ordinal", unit="plan", value=14``.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "Quantity",
    "values_match",
    "units_compatible",
    "same_figure",
    "kinds_compatible",
    "kind_group",
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



def scaled(number_text: str, *factors: float) -> float:
    """The figure times its multipliers, computed in decimal so 551.2亿 is exactly 55120000000."""
    value = Decimal(number_text.replace(",", ""))
    for factor in factors:
        value *= Decimal(str(factor))
    return float(value)


def decimal_precision(number_text: str) -> float:
    """One step in the last digit shown: ``551.2`` -> 0.1, ``1300`` -> 1."""
    number_text = number_text.replace(",", "")
    if "." in number_text:
        return 10.0 ** -len(number_text.split(".")[1])
    return 1.0



class SpanSet:
    """Character spans already claimed, merged; adding one and testing for overlap cost O(log n), so that
    extracting from a very long cell stays linear rather than quadratic in its figures."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()):
        self._starts: list[int] = []
        self._ends: list[int] = []
        for span in spans:
            self.add(span)

    def add(self, span: tuple[int, int]) -> None:
        start, end = span
        if start >= end:
            return
        i = bisect_left(self._ends, start)  # first interval ending at or after ``start``
        j = bisect_right(self._starts, end)  # intervals starting at or before ``end``
        if i < j:
            start, end = min(start, self._starts[i]), max(end, self._ends[j - 1])
        self._starts[i:j] = [start]
        self._ends[i:j] = [end]

    def overlaps(self, span: tuple[int, int]) -> bool:
        start, end = span
        i = bisect_right(self._ends, start)  # first interval ending after ``start``
        return i < len(self._starts) and self._starts[i] < end


def overlaps(span: tuple[int, int], spans: SpanSet) -> bool:
    return spans.overlaps(span)


_KIND_GROUPS = {"number": "count", "ordinal": "count", "year": "count", "percent": "percent", "points": "points",
                "times": "times", "month": "month", "date": "date"}


def kind_group(q: Quantity) -> str:
    """The sort of figure: counts (numbers, ordinals, years), percents, points, times, months, dates."""
    return _KIND_GROUPS.get(q.kind, q.kind)


def kinds_compatible(a: Quantity, b: Quantity) -> bool:
    """Whether two figures measure the same sort of thing (a year may match a plain number, % never matches points)."""
    return _KIND_GROUPS.get(a.kind, a.kind) == _KIND_GROUPS.get(b.kind, b.kind)


# Classes of names that carry an ordinal: the 14th Five-Year Plan, the 20th National Congress (an edition of a
# recurring body or event), the third plenary session, the second session, the 75th anniversary.
NAME_UNITS = frozenset({"plan", "edition", "plenary", "session", "anniversary"})


def units_compatible(a: Quantity, b: Quantity) -> bool:
    """Unknown units are compatible with anything: only two different named units conflict.

    The ordinal of a name (unit "plan", "edition", ...) is only ever the ordinal of another name of its
    class or a bare ordinal (第十六次 = the 16th BRICS Summit), never a count: "14 cities" is no "十四五".
    """
    for x, y in ((a, b), (b, a)):
        if x.unit in NAME_UNITS and y.unit is None and y.kind not in {"ordinal", x.kind}:
            return False
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


_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))
_UNIT_WORDS = {"cny": "yuan", "usd": "US dollars", "people": "people", "household": "households", "mu": "mu",
               "kg": "kg", "m": "metres", "kw": "kW", "kwh": "kWh", "m3": "cubic metres", "kv": "kV"}


def readable_value(q: Quantity) -> str:
    """The normalised value in words a reader checks at a glance: ``55.12 billion yuan``, ``315,600 mu``."""
    value = q.value
    number = f"{value:,.10g}" if abs(value) < 1e15 else f"{value:.4g}"
    for scale, word in _SCALES:
        if abs(value) >= scale:
            number = f"{value / scale:,.6g} {word}"
            break
    unit = _UNIT_WORDS.get(q.unit or "")
    return f"{number} {unit}" if unit else number


def format_quantity(q: Quantity) -> str:
    """A figure as written, with its value in readable words when that differs: ``551.2亿元 (55.12 billion yuan)``.

    English figures are already readable and are given as written (``5.512 billion yuan``).
    """
    if q.kind == "number" and abs(q.value) >= 10_000 and not q.text.isascii():
        return f"{q.text} ({readable_value(q)})"
    return q.text
