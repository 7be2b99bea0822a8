"""Grounding: which source segments an English sentence rests on, and how much of it they back.

An English sentence about a report (a summary sentence, a journalist's line) is *grounded* on the report's
segments (Chinese + English pairs). Its content is what it shares or does not share with them:

* content words (function words aside), stemmed (Snowball), so "kept stable" meets "keep ... stable";
* figures (:func:`.quantities_en.extract_en`), matched after normalisation against a segment's English
  *and* its Chinese figures (``1.2亿`` backs "120 million");
* through each segment's Chinese: the renderings of the glossary terms in it (``新质生产力`` backs "new
  quality productive forces" even where the segment's own English says it otherwise).

Each word weighs its inverse document frequency over the segments (a word no segment has weighs most,
"development" in every other segment little); a figure weighs twice the most a word can. The **support**
of a sentence is the share of its weight that its sources back together. Sources are chosen greedily:
the segment that backs most of the sentence first (ties to the one with least else in it), then the segment
that backs most of what is still unbacked, while it adds at least :data:`MIN_GAIN` of the sentence's word
weight, at most :data:`MAX_SOURCES`. A figure alone never adds a source, so a changed figure cannot find a
chance home in another segment.

Below :data:`SUPPORT_THRESHOLD`, or when no one of its sources backs :data:`ANCHOR_THRESHOLD` of its words
(generic words gathered from three unrelated places, or a figure that recurs in the report, back nothing),
a sentence is ``unsupported``: it gets no source at all (never a fallback link) and a flag ``unsupported``
naming its best candidate. Only segments sharing a word with the sentence are candidates. The thresholds
were set on the official pairs of the 2025 work report (README, Fidelity): every copied official sentence
and every two joined sentences of a paragraph stay above them. Names (capitalised words and runs: places,
organisations, programmes) that none of its sources has are flagged ``name``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

from pipeline.document import Flag, Segment

from .glossary import Glossary
from .matching import FigurePool
from .quantities import NAME_UNITS
from .quantities_en import extract_en
from .quantities_zh import extract_zh

__all__ = ["SUPPORT_THRESHOLD", "ANCHOR_THRESHOLD", "MAX_SOURCES", "MIN_GAIN", "Grounding", "SourceIndex",
           "ground_sentence", "content_stems", "names_in", "sentence_figures"]

SUPPORT_THRESHOLD = 0.6  # below: "unsupported", no source cited
ANCHOR_THRESHOLD = 0.4  # and one source alone must back this share of its words (not words from three places)
MAX_SOURCES = 3  # at most this many sources per sentence
MIN_GAIN = 0.1  # a further source must back at least this share more of the sentence's word weight
FIGURE_WEIGHT = 2.0  # a figure weighs this many times the heaviest word

_STEMMER = snowballstemmer.stemmer("english")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]")
_STOP = frozenset("""
a about above after again against all also am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers him
his how i if in into is it its itself just let me more most my no nor not now of off on once only or other our ours
out over own same she should so some such than that the their theirs them then there these they this those through
to too under until up very was we were what when where which while who whom why will with would you your yours
shall may might must per via upon within without across among amid along around toward towards onto whose
s t ve ll re d m yet still well
""".split())
# Capitalised words that name nothing a reader checks (sentence openers, calendar words, the country itself).
_NOT_NAMES = frozenset("""
i we our us the a an this that these those in on at for to of and by with from it its as first second third
january february march april may june july august september october november december monday tuesday wednesday
thursday friday saturday sunday jan feb mar apr jun jul aug sep sept oct nov dec china chinese mr ms mrs dr no
""".split())
_CONNECTORS = frozenset({"of", "and", "for", "the", "on", "in", "de", "to"})


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _STEMMER.stemWord(word.lower().replace("’", "'").removesuffix("'s"))


def content_stems(text: str) -> list[str]:
    """The stemmed content words of English ``text``, in order (function words and figures left out)."""
    out = []
    for word in _TOKEN.findall(text or ""):
        low = word.lower()
        if low in _STOP or len(low) < 2:
            continue
        out.append(_stem(low))
    return out


def names_in(sentence: str, common: frozenset[str] | set[str] | None = None) -> list[str]:
    """Capitalised words and runs of them (``Belt and Road Initiative``, ``Guangdong``, ``WTO``) in ``sentence``.

    Connectors (of, and, for, the) may join capitalised words ("Ministry of Finance"). A sentence's first word
    is capitalised anyway: it counts as a name only when ``common`` (the words the sources write in lower
    case) is given and lacks it ("Zhejiang built ..." yes, "Investment in Guangdong ..." no)."""
    tokens = [m.group(0) for m in _TOKEN.finditer(sentence)]
    names: list[str] = []
    run: list[str] = []
    pending: list[str] = []  # connectors after a capitalised word, kept if another one follows

    def close() -> None:
        nonlocal run, pending
        words = run
        while words and words[0].lower() in _NOT_NAMES:
            words = words[1:]
        if any(w.lower() not in _NOT_NAMES and w.lower() not in _CONNECTORS for w in words):
            names.append(" ".join(words))
        run, pending = [], []

    for k, word in enumerate(tokens):
        if k == 0 and word[0].isupper() and (common is None or word.lower() in common or word.lower() in _STOP):
            continue  # an ordinary word capitalised because it opens the sentence
        if word[0].isupper() and word.lower() in _NOT_NAMES:
            if run:
                close()
            continue
        if word[0].isupper():
            run.extend(pending)
            pending = []
            run.append(word)
        elif run and word.lower() in _CONNECTORS and len(pending) < 2:
            pending.append(word)
        elif run:
            close()
    if run:
        close()
    return names


def sentence_figures(sentence: str) -> list:
    """The figures of an English sentence that must be backed: those that must match, and ordinals of names
    written in digits ("the 14th Five-Year Plan")."""
    return [q for q in extract_en(sentence)
            if q.must_match or (q.unit in NAME_UNITS and any(c.isdigit() for c in q.text))]


@dataclass
class Grounding:
    """Where one English sentence rests: its sources (best first, none when unsupported), its support
    (0..1), and its flags (``unsupported``, ``name``; figures are checked by :func:`check_summary_sentence`)."""

    sentence: str
    sources: list[str]
    support: float
    supported: bool
    flags: list[Flag] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)  # best segments even when unsupported (for reports)


@dataclass
class _Entry:
    segment: Segment
    stems: frozenset[str]
    figures: FigurePool


class SourceIndex:
    """The segments a sentence may rest on, prepared once: stems (English, and glossary renderings of the
    terms in the Chinese), figures of both sides, and word weights (inverse document frequency)."""

    def __init__(self, segments: Iterable[Segment], glossary: Glossary | None = None):
        self.entries: list[_Entry] = []
        df: Counter[str] = Counter()
        self.common: set[str] = set()  # words the sources write in lower case (no names)
        for seg in segments:
            self.common.update(w for w in _TOKEN.findall(seg.en or "") if w[0].islower())
            stems = set(content_stems(seg.en or ""))
            if glossary is not None and seg.zh:
                for entry in glossary.terms_in(seg.zh):
                    for rendering in entry.renderings:
                        stems.update(content_stems(rendering))
            figures = [q for q in extract_zh(seg.zh or "")] + [q for q in extract_en(seg.en or "")]
            self.entries.append(_Entry(seg, frozenset(stems), FigurePool(figures)))
            df.update(stems)
        n = len(self.entries)
        self._df = df
        self._max_idf = math.log(n + 1) + 1.0
        self._n = n
        # where each stem occurs, so that a sentence is compared only with segments sharing a word
        self._postings: dict[str, list[int]] = {}
        for i, e in enumerate(self.entries):
            for s in e.stems:
                self._postings.setdefault(s, []).append(i)

    def __len__(self) -> int:
        return len(self.entries)

    def idf(self, stem: str) -> float:
        return math.log((self._n + 1) / (self._df.get(stem, 0) + 1)) + 1.0

    def ground(self, sentence: str, *, threshold: float = SUPPORT_THRESHOLD, anchor: float = ANCHOR_THRESHOLD,
               max_sources: int = MAX_SOURCES, min_gain: float = MIN_GAIN) -> Grounding:
        """The sources, support and flags (``unsupported``, ``name``) of one English sentence."""
        words = list(dict.fromkeys(content_stems(sentence)))
        figures = sentence_figures(sentence)
        weights = [self.idf(w) for w in words] + [FIGURE_WEIGHT * self._max_idf] * len(figures)
        total = sum(weights)
        word_total = sum(weights[: len(words)])
        if total == 0 or not self.entries:
            return Grounding(sentence, [], 0.0, False,
                             [Flag("unsupported", "no-content", "nothing in this sentence to check against the sources")])
        # only segments sharing a word are candidates: a figure alone links nothing (and costs no scan)
        candidates = {i for w in words for i in self._postings.get(w, ())}
        covered: dict[int, frozenset[int]] = {}
        for i in candidates:
            e = self.entries[i]
            hit = {k for k, w in enumerate(words) if w in e.stems}
            hit |= {len(words) + k for k, q in enumerate(figures) if e.figures.has_match(q)}
            covered[i] = frozenset(hit)

        def weight(features: Iterable[int]) -> float:
            return sum(weights[k] for k in features)

        def score(i: int) -> float:
            e = self.entries[i]
            share = weight(covered[i]) / total
            precision = sum(1 for k in covered[i] if k < len(words)) / max(1, len(e.stems))
            return share * (0.8 + 0.2 * precision)

        ranked = sorted(covered, key=lambda i: (-score(i), i))
        chosen: list[int] = []
        backed: set[int] = set()
        if ranked:
            chosen.append(ranked[0])
            backed |= covered[ranked[0]]
        while len(chosen) < max_sources and word_total:
            best, best_gain = None, 0.0
            for i in ranked[: 50]:
                if i in chosen:
                    continue
                gain = weight(k for k in covered[i] - backed if k < len(words)) / word_total
                if gain > best_gain:
                    best, best_gain = i, gain
            if best is None or best_gain < min_gain:
                break
            chosen.append(best)
            backed |= covered[best]
        support = weight(backed) / total
        # the anchor counts words only: a figure that happens to recur in the report anchors nothing
        first = (max(weight(k for k in covered[i] if k < len(words)) for i in chosen) / word_total
                 if chosen and word_total else 0.0)
        ids = [self.entries[i].segment.id for i in chosen]
        candidate_ids = [self.entries[i].segment.id for i in ranked[:max_sources]]
        flags: list[Flag] = []
        supported = support >= threshold and first >= anchor
        if not supported:
            best = f"; best candidate {candidate_ids[0]}" if candidate_ids else ""
            if support < threshold:
                why = f"the sources back {support:.0%} of this sentence (needs {threshold:.0%}){best}"
            else:
                why = (f"no one source backs much of it: the best backs {first:.0%} of its words (needs "
                       f"{anchor:.0%}), all together {support:.0%}{best}")
            flags.append(Flag("unsupported", "below-threshold", why))
            ids = []
        pool = set().union(*(self.entries[i].stems for i in chosen)) if chosen else set()
        where = ", ".join(ids or candidate_ids) or "no source"
        for name in names_in(sentence, self.common):
            stems = [s for s in content_stems(name) if s not in _CONNECTORS]
            if stems and not all(s in pool for s in stems):
                flags.append(Flag("name", "unsupported-name", f"{name} is not in its sources ({where})"))
        return Grounding(sentence, ids, support, supported, flags, candidate_ids)


def ground_sentence(sentence: str, segments: Sequence[Segment], glossary: Glossary | None = None,
                    **kwargs) -> Grounding:
    """:meth:`SourceIndex.ground` for one sentence (build a :class:`SourceIndex` to ground many)."""
    return SourceIndex(segments, glossary).ground(sentence, **kwargs)
