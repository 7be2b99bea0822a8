"""Which source segments an abstractive summary sentence rests on: English sentence splitting and a
word + number overlap score."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from ..document import Segment

_SENTENCE_END_EN = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_WORD = re.compile(r"[a-z]+|\d+(?:[.,]\d+)*")
_STOP = set(
    "the a an and or of to in on for with by at from as is are was were be been will we our this that "
    "it its their has have had more than also all which who not into".split()
)


def split_english_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END_EN.split(text.strip()) if s.strip()]


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def best_sources(sentence: str, segments: Sequence[Segment], k: int = 2) -> list[str]:
    """The ids of the segments an abstractive sentence most likely rests on (word + number overlap, numbers
    counting double, normalised by segment length); the first segment when nothing overlaps."""
    words = _content_words(sentence)
    numbers = {w for w in words if w[0].isdigit()}
    scored = []
    for seg in segments:
        other = _content_words(seg.en or "")
        if not other:
            continue
        overlap = len(words & other) + 2 * len(numbers & other)
        if overlap:
            scored.append((overlap / math.sqrt(len(other)), seg.id))
    scored.sort(key=lambda x: -x[0])
    return [sid for _, sid in scored[:k]] or ([segments[0].id] if segments else [])
