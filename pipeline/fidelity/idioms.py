"""Words that contain a Chinese numeral but are no quantity: 第一时间 ("immediately"), 一体化, 统一, 一律, 第三产业.

Two sources, both data rather than one example:

* jieba's dictionary (installed with the summarizer), which tags every word: a word starting with a numeral
  (or 第 and a numeral) that jieba tags as an idiom, an adverb, an adjective, a distinguishing word, a verb, a pronoun, a noun ...
  (``i l d a b v vn r z c n nz f s``) is lexicalised, not a count. Numerals (``m``), measure words
  (``mq q``), times (``t``), abbreviations (``j``: 三中全会, 十大) and proper names are left to the extractor.
* words seen in government work reports that jieba does not list (:data:`REPORT_IDIOMS`), found by running
  the extractor over reports and looking at the Chinese figures with no English counterpart.
"""

from __future__ import annotations

import os
from functools import lru_cache

__all__ = ["REPORT_IDIOMS", "MAX_IDIOM_LENGTH", "idiom_spans", "is_idiom"]

_NUMERALS = frozenset("零〇一二两三四五六七八九十百千万亿")
_LEXICAL_TAGS = frozenset("i l d a ad an b v vn vd r z c n nz f s u e y o p".split())
MAX_IDIOM_LENGTH = _MAX_LEN = 6

# Seen in work reports, not in jieba's dictionary (or tagged there as a numeral).
REPORT_IDIOMS = (
    "第一时间", "第一要务", "第一动力", "第一资源", "第一生产力", "第一责任人", "第一责任", "第三方",
    "第一产业", "第二产业", "第三产业", "一站式", "一体化", "一体推进", "一揽子", "一系列", "一些", "一方面",
    "另一方面", "一件事", "一次性", "一把手", "一盘棋", "一张网", "一张图", "一张蓝图", "一以贯之", "一线",
    "一流", "一道", "一起", "一致", "一律", "统一", "唯一", "进一步", "同一", "单一", "逐一", "一批又一批",
    "一老一小", "一刀切", "一条龙", "一码通", "一网通办", "一网统管", "一窗受理", "一门式", "一体两翼",
    "一视同仁", "一如既往", "一往无前", "一鼓作气", "万众一心", "千家万户", "千方百计", "一以贯之",
    "三令五申", "十分", "万一", "一般", "一定", "一直", "一切", "一样", "一手抓", "两手抓", "两手硬",
)


def _jieba_dictionary() -> str | None:
    try:
        import jieba
    except ImportError:  # the idioms from reports still apply
        return None
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    return path if os.path.isfile(path) else None


def _numeral_value_at_most_hundred(word: str) -> bool:
    # 万吨级, 千亿级 carry a real figure ("10,000-tonne"); idioms like 千方百计 are tagged i/l and kept
    return not any(c in "千万亿" for c in word)


@lru_cache(maxsize=1)
def _lexicon() -> frozenset[str]:
    words = set(REPORT_IDIOMS)
    path = _jieba_dictionary()
    if path is not None:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                parts = line.split()
                if len(parts) != 3 or not 2 <= len(parts[0]) <= _MAX_LEN:
                    continue
                word, _, tag = parts
                # a numeral inside a word (高一, 之一) cuts across a figure too often: report idioms cover 统一, 唯一
                if tag not in _LEXICAL_TAGS or not (word[0] in _NUMERALS or (word[0] == "第" and word[1] in _NUMERALS)):
                    continue
                if tag in {"i", "l"} or _numeral_value_at_most_hundred(word):
                    words.add(word)
    return frozenset(words)


def is_idiom(word: str) -> bool:
    return word in _lexicon()


def idiom_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the lexicalised words with numerals in ``text`` (each covering at least one numeral)."""
    lexicon = _lexicon()
    spans: list[tuple[int, int]] = []
    for i, c in enumerate(text):
        if c not in _NUMERALS:
            continue
        for start in range(max(0, i - _MAX_LEN + 1), i + 1):
            for end in range(max(i + 1, start + 2), min(len(text), start + _MAX_LEN) + 1):
                if text[start:end] in lexicon:
                    spans.append((start, end))
    return spans
