"""English sentence splitting (pysbd: "U.S.", "No. 1", "Jan. 5" stay inside their sentence) and which source
segments an English summary sentence rests on (:mod:`pipeline.fidelity.grounding`: no fallback link)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from ..document import Segment

__all__ = ["split_english_sentences", "best_sources", "link_sentences"]


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def split_english_sentences(text: str) -> list[str]:
    """The sentences of English ``text`` (rule-based, pysbd), stripped; blank lines always end a sentence."""
    out: list[str] = []
    for block in (text or "").replace("\r\n", "\n").split("\n\n"):
        block = " ".join(block.split())
        if block:
            out.extend(s.strip() for s in _segmenter().segment(block) if s.strip())
    return out


def best_sources(sentence: str, segments: Sequence[Segment], k: int = 3) -> list[str]:
    """The ids of the segments an English sentence rests on, best first; none when the segments do not back
    it (support below :data:`pipeline.fidelity.grounding.SUPPORT_THRESHOLD`): never a fallback link."""
    from ..fidelity.grounding import SourceIndex

    return SourceIndex(segments).ground(sentence, max_sources=k).sources


def link_sentences(sentences: Sequence[str], segments: Sequence[Segment]) -> list[tuple[list[str], float]]:
    """(sources, support) of each sentence against ``segments`` (one index for all of them)."""
    from ..fidelity.grounding import SourceIndex

    index = SourceIndex(segments)
    return [(g.sources, g.support) for g in (index.ground(s) for s in sentences)]
