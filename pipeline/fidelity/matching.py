"""Pairing figures across languages without comparing every figure with every other one.

A :class:`FigurePool` keeps figures grouped by sort (count, percent, points, ...) and by the precision they
are written with, each bucket sorted by value, so "is there a figure equal to this one?" and "which figures
are this one times a power of ten?" are answered by binary search. A cell with tens of thousands of figures
is checked in time proportional to its figures, not to their square.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right

from .quantities import Quantity, kind_group, same_figure, units_compatible

__all__ = ["FigurePool", "unmatched", "diagnosis_candidates", "first_loose_candidate"]

_EPS = 1e-9


class FigurePool:
    """Figures (a list, addressed by index) searchable by sort and value; figures can be taken out."""

    def __init__(self, figures: list[Quantity]):
        self.figures = figures
        # group -> precision -> sorted [(value, index)]
        self._buckets: dict[str, dict[float, list[tuple[float, int]]]] = {}
        # group -> (unit, kind) -> indices still in the pool, in order (dict as an ordered set); within one
        # (unit, kind) every figure is equally compatible with a given figure (see ``units_compatible``)
        self._order: dict[str, dict[tuple[str | None, str], dict[int, None]]] = {}
        for i, q in enumerate(figures):
            group = kind_group(q)
            self._buckets.setdefault(group, {}).setdefault(q.precision, []).append((q.value, i))
            self._order.setdefault(group, {}).setdefault((q.unit, q.kind), {})[i] = None
        for by_precision in self._buckets.values():
            for bucket in by_precision.values():
                bucket.sort()

    def near(self, group: str, value: float, precision: float, extra: float = 0.0) -> list[int]:
        """Indices of the figures of ``group`` within the rounding tolerance of ``value``, in order."""
        found = []
        for bucket_precision, bucket in self._buckets.get(group, {}).items():
            tolerance = max(precision, bucket_precision) + extra + abs(value) * _EPS
            lo = bisect_left(bucket, (value - tolerance, -1))
            hi = bisect_right(bucket, (value + tolerance, math.inf))
            found.extend(i for _, i in bucket[lo:hi])
        return sorted(found)

    def between(self, group: str, low: float, high: float) -> list[int]:
        """Indices of the figures of ``group`` with ``low <= value <= high``, in order."""
        found = []
        for bucket in self._buckets.get(group, {}).values():
            lo = bisect_left(bucket, (low, -1))
            hi = bisect_right(bucket, (high, math.inf))
            found.extend(i for _, i in bucket[lo:hi])
        return sorted(found)

    def first_compatible(self, q: Quantity) -> int | None:
        """The first figure still in the pool of ``q``'s sort whose unit is compatible with ``q``'s."""
        firsts = []
        for order in self._order.get(kind_group(q), {}).values():
            first = next(iter(order), None)
            if first is not None and units_compatible(q, self.figures[first]):
                firsts.append(first)
        return min(firsts, default=None)

    def has_match(self, q: Quantity) -> bool:
        """Whether a figure of the pool says the same as ``q`` (see :func:`same_figure`)."""
        extra = 1.0 if q.kind == "times" else 0.0  # 增长2倍 may be "tripled" or "doubled"
        return any(same_figure(q, self.figures[i]) for i in self.near(kind_group(q), q.value, q.precision, extra))

    def remaining(self) -> list[int]:
        """Indices of all figures still in the pool, in order."""
        return sorted(i for by_unit in self._order.values() for order in by_unit.values() for i in order)

    def remove(self, index: int) -> None:
        q = self.figures[index]
        group = kind_group(q)
        bucket = self._buckets[group][q.precision]
        position = bisect_left(bucket, (q.value, index))
        if position < len(bucket) and bucket[position] == (q.value, index):
            del bucket[position]
        self._order[group][(q.unit, q.kind)].pop(index, None)


def unmatched(figures: list[Quantity], others: list[Quantity]) -> list[Quantity]:
    """The figures that must match and have no figure saying the same among ``others``."""
    pool = FigurePool(others)
    return [q for q in figures if q.must_match and not pool.has_match(q)]


def diagnosis_candidates(z: Quantity, pool: FigurePool) -> list[int]:
    """Figures of the pool that could explain ``z`` specifically: the same value as percent/points, a power of
    ten away, or the same value in another unit. In order; the caller tries each with its diagnosis."""
    group = kind_group(z)
    found = set(pool.near(group, z.value, z.precision))  # same value, another unit
    if z.kind in {"percent", "points"}:
        found.update(pool.near("points" if z.kind == "percent" else "percent", z.value, z.precision))
    if z.value > 0:
        for exponent in range(1, 13):
            for target in (z.value * 10**exponent, z.value / 10**exponent):
                found.update(pool.between(group, target * 0.97, target * 1.03))  # the diagnosis checks exactly
    return sorted(found)


def first_loose_candidate(z: Quantity, pool: FigurePool) -> int | None:
    """The first figure of the pool of the same sort and a compatible unit: a different value of the same kind."""
    return pool.first_compatible(z)
