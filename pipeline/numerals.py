"""Chinese numerals (三十九, 两, 一万二千, 二〇二五, 半) -> numbers: the one parser, used by the fidelity checks
(figures) and by segmentation (heading markers such as 十二、)."""

from __future__ import annotations

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
_CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万亿"


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
