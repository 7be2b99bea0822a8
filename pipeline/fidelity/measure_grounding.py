"""Measure grounding on official pairs: is a sentence linked to the rows it comes from, and is one that
comes from elsewhere, or has a figure changed, flagged?

Built only from the official sentences of a pair file (nothing invented), the report being all its rows:

* **copied**: each row's English as it is: is its own row the first source? is it flagged unsupported?
* **joined**: two consecutive sentences of one paragraph (rows of one ``paragraph`` value, else neighbours)
  joined into one: are both rows among the first three sources? flagged unsupported?
* **elsewhere**: a sentence from another report (``elsewhere`` pairs), or, without one, each paragraph's
  sentences grounded on the report with that paragraph taken out (held out): flagged unsupported? Also
  given for the held-out sentences that share under half their content words with every row left
  ("shares little with this report"). Held-out sentences of the same report are a harder test than
  another year's report: the same year's themes recur across its chapters.
* **figure changed**: each copied sentence with a figure that renders the Chinese with one digit changed
  (the ``digits`` error of :func:`.measure.inject_number_error`): flagged (unsupported, or a figure not
  in its sources)?
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from .checks import check_summary_sentence
from .glossary import Glossary
from .grounding import SourceIndex, content_stems
from .pairs import Pair

__all__ = ["measure_grounding"]


def _segments(pairs: Sequence[Pair]):
    from pipeline.document import Segment

    return [Segment(id=p.id, zh=p.zh, en=p.en) for p in pairs]


def _flagged(index: SourceIndex, by_id: dict, sentence: str, report_year: int | None) -> tuple[bool, Any]:
    g = index.ground(sentence)
    if not g.supported:
        return True, g
    numbers = check_summary_sentence(sentence, [by_id[i] for i in g.sources], report_year)
    return bool(numbers), g


def _rate(hits: int, n: int) -> float:
    return hits / n if n else 0.0


def measure_grounding(pairs: Sequence[Pair], *, elsewhere: Sequence[Pair] | None = None,
                      glossary: Glossary | None = None, report_year: int | None = None, seed: int = 0,
                      min_words: int = 6) -> dict[str, Any]:
    """The grounding figures of ``pairs`` (see the module's docstring); sentences with fewer than
    ``min_words`` words (salutations, headings) are left out of every figure."""
    from .measure import inject_number_error

    usable = [p for p in pairs if len(p.en.split()) >= min_words]
    usable_ids = {p.id for p in usable}
    segments = _segments(pairs)
    by_id = {s.id: s for s in segments}
    index = SourceIndex(segments, glossary)

    own_first = copied_unsupported = copied_names = 0
    for p in usable:
        g = index.ground(p.en)
        own_first += bool(g.sources) and g.sources[0] == p.id
        copied_unsupported += not g.supported
        copied_names += any(f.kind == "name" for f in g.flags)

    joined = both_top3 = joined_unsupported = 0
    for a, b in zip(pairs, pairs[1:]):
        if a.id not in usable_ids or b.id not in usable_ids or (a.paragraph or b.paragraph) and a.paragraph != b.paragraph:
            continue
        g = index.ground(f"{a.en} {b.en}")
        joined += 1
        both_top3 += a.id in g.sources[:3] and b.id in g.sources[:3]
        joined_unsupported += not g.supported

    outside = outside_flagged = little = little_flagged = 0
    misses: list[dict[str, Any]] = []
    if elsewhere is not None:
        for p in elsewhere:
            if len(p.en.split()) < min_words:
                continue
            outside += 1
            flagged, g = _flagged(index, by_id, p.en, report_year)
            outside_flagged += flagged
            if not flagged:
                misses.append({"sentence": p.en, "sources": g.sources, "support": round(g.support, 3)})
        outside_source = "elsewhere pairs"
    else:
        groups: dict[str, list[Pair]] = {}
        for p in pairs:
            groups.setdefault(p.paragraph or p.id, []).append(p)
        for key, members in groups.items():
            held = {p.id for p in members}
            rest = [s for s in segments if s.id not in held]
            rest_index = SourceIndex(rest, glossary)
            rest_by_id = {s.id: s for s in rest}
            rest_stems = [set(content_stems(s.en or "")) for s in rest]
            for p in members:
                if p.id not in usable_ids:
                    continue
                outside += 1
                flagged, g = _flagged(rest_index, rest_by_id, p.en, report_year)
                outside_flagged += flagged
                words = set(content_stems(p.en))
                if max((len(words & r) for r in rest_stems), default=0) < len(words) / 2:
                    little += 1  # shares under half its content words with every row left
                    little_flagged += flagged
                if not flagged:
                    misses.append({"id": p.id, "sources": g.sources, "support": round(g.support, 3)})
        outside_source = "held-out paragraphs of the same report"

    rng = random.Random(seed)
    changed = changed_flagged = 0
    for p in usable:
        corrupted = inject_number_error(p.zh, p.en, rng, "digits")
        if corrupted is None:
            continue
        changed += 1
        changed_flagged += _flagged(index, by_id, corrupted[0], report_year)[0]

    return {
        "sentences": len(usable),
        "copied_own_row_first": _rate(own_first, len(usable)),
        "copied_unsupported": _rate(copied_unsupported, len(usable)),
        "copied_name_flagged": _rate(copied_names, len(usable)),
        "joined": joined,
        "joined_both_in_top3": _rate(both_top3, joined),
        "joined_unsupported": _rate(joined_unsupported, joined),
        "false_unsupported": _rate(copied_unsupported + joined_unsupported, len(usable) + joined),
        "elsewhere": outside,
        "elsewhere_source": outside_source,
        "elsewhere_flagged": _rate(outside_flagged, outside),
        "elsewhere_sharing_little": little,
        "elsewhere_sharing_little_flagged": _rate(little_flagged, little),
        "figure_changed": changed,
        "figure_changed_flagged": _rate(changed_flagged, changed),
        "elsewhere_not_flagged": misses[:20],
    }
