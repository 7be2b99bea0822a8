"""The figure pool behind the checks: lookups by sort and value, and the same answers as comparing all pairs."""

from __future__ import annotations

import random

from pipeline.fidelity import check_pair, extract_en, extract_zh
from pipeline.fidelity.matching import FigurePool, unmatched
from pipeline.fidelity.quantities import same_figure


def test_pool_finds_figures_by_value_within_their_precision():
    figures = extract_en("55.12 billion yuan, 12 million people, up 1.2 percent, 1.3 percentage points, 2024")
    pool = FigurePool(figures)
    (investment,) = extract_zh("551.2亿元")
    assert pool.has_match(investment)
    assert not pool.has_match(extract_zh("551.3亿元")[0])
    assert pool.has_match(extract_zh("1244万人")[0])  # 12.44 million rounds to 12 million
    assert [figures[i].text for i in pool.near("percent", 1.2, 0.1)] == ["1.2 percent"]
    assert [figures[i].text for i in pool.between("count", 2000, 2100)] == ["2024"]
    pool.remove(0)
    assert not pool.has_match(investment)
    assert pool.remaining() == [1, 2, 3, 4]


def test_pool_agrees_with_comparing_every_pair():
    rng = random.Random(7)
    zh_units, en_units = ["%", "个百分点", "万元", "亿元", "人", "倍"], ["percent", "percentage points", "yuan", "people"]
    for _ in range(200):
        zh = "，".join(f"{rng.choice([1, 1.2, 12, 120, 1.25])}{rng.choice(zh_units)}" for _ in range(6))
        en = ", ".join(f"{rng.choice([1, 1.2, 12, 120, 1.25, 12000])} {rng.choice(['', 'million '])}"
                       f"{rng.choice(en_units)}" for _ in range(6))
        zq, eq = extract_zh(zh), extract_en(en)
        expected = [z for z in zq if z.must_match and not any(same_figure(z, e) for e in eq)]
        assert unmatched(zq, eq) == expected


def test_a_cell_with_thousands_of_figures_is_checked():
    values = [round(1 + i * 0.1, 1) for i in range(3000)]
    zh = "，".join(f"增长{v}%" for v in values) + "。"
    en = ", ".join(f"up {v} percent" for v in values[:-1]) + ", up 999 percent."
    flags = check_pair(zh, en)
    assert [(f.reason, f.detail) for f in flags] == [("value", "300.9% appears as 999 percent in English")]
