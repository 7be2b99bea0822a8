"""Select-then-summarize (``summarizer.long_inputs: select``): an input longer than the model's limit is
cut down to its most central sentences, in document order, within the limit, and summarized in one call,
instead of map-reduce over all of it. One model input per summary instead of one per 1,024 tokens: the
encoder reads a fraction of the text (the summary's cost then hardly grows with the report's length), at
the price of the sentences left out. Centrality is the cosine of a sentence's jieba-token TF-IDF vector
with the input's centroid (MEAD-style): linear in the input's size, deterministic.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Sequence

from ..document import Segment


def jieba_tokens(text: str) -> list[str]:
    """The words of a Chinese text that carry content (jieba; single characters dropped, digits kept)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter
    return [w for w in jieba.lcut(text) if len(w.strip()) > 1 or w.isdigit()]


def centrality(texts: Sequence[str]) -> list[float]:
    """Cosine of each text's TF-IDF vector (jieba tokens) with the centroid of all of them."""
    bags = [Counter(jieba_tokens(t)) for t in texts]
    df: Counter = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(bags)
    idf = {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}
    vectors = [{w: tf * idf[w] for w, tf in bag.items()} for bag in bags]
    centroid: Counter = Counter()
    for vec in vectors:
        centroid.update(vec)
    c_norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
    scores = []
    for vec in vectors:
        norm = math.sqrt(sum(v * v for v in vec.values()))
        scores.append(sum(v * centroid[w] for w, v in vec.items()) / (norm * c_norm) if norm else 0.0)
    return scores


def select_within(segments: Sequence[Segment], budget: int, count_tokens: Callable[[str], int],
                  text_of: Callable[[Segment], str]) -> list[Segment]:
    """The most central ``segments`` (by their Chinese) whose ``text_of`` fits ``budget`` tokens together,
    in document order. Every segment when they all fit; none when not one of them fits alone."""
    sizes = [count_tokens(text_of(s)) for s in segments]
    if sum(sizes) <= budget:
        return list(segments)
    scores = centrality([s.zh for s in segments])
    order = sorted(range(len(segments)), key=lambda i: (-scores[i], i))
    chosen, used = [], 0
    for i in order:
        if used + sizes[i] <= budget:
            chosen.append(i)
            used += sizes[i]
    return [segments[i] for i in sorted(chosen)]
