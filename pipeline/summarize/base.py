"""What every summarizer shares: the request, the counters and the interface."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..document import Segment, Summary


@dataclass
class SummaryRequest:
    """What to summarize: the segments of one section (or of the document), in order."""

    segments: list[Segment]
    key: str  # section id, or "document"
    ground_on: list[Segment] | None = None  # what its sentences are linked to, when not ``segments`` themselves


@dataclass
class SummarizerStats:
    requests: int = 0
    model_calls: int = 0  # generate() calls
    map_reduce: int = 0  # inputs over the model's limit, summarized chunk by chunk then combined
    chunks: int = 0
    reduces: int = 0  # joined chunk summaries summarized once more (only when longer than a summary)
    selected: int = 0  # long inputs cut down to their most central sentences (long_inputs: select)


class Summarizer(Protocol):
    kind: str

    def summarize(self, requests: Sequence[SummaryRequest]) -> list[Summary]: ...
