"""Extractive summaries: TextRank over jieba tokens of the Chinese sentences, shown through their
translations. Deterministic; cannot invent facts."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..document import Segment, Summary, SummarySentence
from .base import SummarizerStats, SummaryRequest
from .selection import jieba_tokens


class ExtractiveSummarizer:
    """TextRank over jieba tokens of the Chinese sentences; keeps the top ones, in document order, within
    a sentence and character budget, and uses their translations. Deterministic; cannot invent facts."""

    kind = "extractive"

    def __init__(self, max_sentences: int = 3, max_chars: int = 400):
        self.max_sentences = max_sentences
        self.max_chars = max_chars
        self.stats = SummarizerStats()

    @staticmethod
    def _tokens(text: str) -> set[str]:
        return set(jieba_tokens(text))

    def rank(self, segments: Sequence[Segment]) -> list[float]:
        """TextRank scores (PageRank over the sentence-similarity graph)."""
        toks = [self._tokens(s.zh) for s in segments]
        n = len(toks)
        if n == 0:
            return []
        weights = [[0.0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                common = len(toks[i] & toks[j])
                if common and len(toks[i]) > 1 and len(toks[j]) > 1:
                    w = common / (math.log(len(toks[i])) + math.log(len(toks[j])))
                    weights[i][j] = weights[j][i] = w
        out = [sum(row) for row in weights]
        scores = [1.0] * n
        for _ in range(50):
            new = [
                0.15 + 0.85 * sum(weights[j][i] / out[j] * scores[j] for j in range(n) if weights[j][i])
                for i in range(n)
            ]
            if max(abs(a - b) for a, b in zip(new, scores)) < 1e-6:
                scores = new
                break
            scores = new
        return scores

    def select(self, segments: Sequence[Segment]) -> list[Segment]:
        scores = self.rank(segments)
        order = sorted(range(len(segments)), key=lambda i: (-scores[i], i))
        chosen: list[int] = []
        used = 0
        for i in order:
            if len(chosen) >= self.max_sentences:
                break
            size = len(segments[i].zh)
            if chosen and used + size > self.max_chars:
                continue
            chosen.append(i)
            used += size
        return [segments[i] for i in sorted(chosen)]

    def summarize(self, requests: Sequence[SummaryRequest]) -> list[Summary]:
        out = []
        for req in requests:
            self.stats.requests += 1
            picked = self.select(req.segments)
            out.append(
                Summary(
                    sentences=[SummarySentence(text=s.en or "", sources=[s.id]) for s in picked],
                    method="extractive",
                )
            )
        return out
