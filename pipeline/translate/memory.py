"""Translation memory: trusted translations (an earlier year's official English, a translator's corrections)
used before the model.

- **Exact matches** (after normalising full/half width, punctuation and spaces) are used as they are:
  the segment's English is the memory's, ``origin: tm``.
- **Fuzzy matches** (similarity at or above ``tm.fuzzy_threshold``, 0.9 by default) are *offered*: the
  segment keeps the model's English and carries the match in ``tm`` (the JSON, the reader, XLIFF
  ``alt-trans``); with ``tm.use_fuzzy: true`` the match is used instead (``origin: tm``, ``tm.kind: fuzzy``).
- **Human translations** (``import-edits``) come first of all and are never replaced (``origin: human``).

Similarity is difflib's ratio (2·matches / total length) of the normalised Chinese; candidates are found
through shared character bigrams first, so a lookup costs a few comparisons, not one per memory entry.
Memory files: TMX (any version; ``tuv`` languages zh* and en*), TSV/CSV/JSONL with zh/en, source/target or
中文/英文 columns (``pipeline.fidelity.pairs``).
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..document import Bilingual, Document, Segment
from ..errors import ConfigError, InputError

# Chinese punctuation NFKC leaves alone, mapped to the ASCII a half-width text would use.
_PUNCT = str.maketrans({
    "。": ".", "、": ",", "“": '"', "”": '"', "‘": "'", "’": "'", "《": "<", "》": ">", "〈": "<", "〉": ">",
    "【": "[", "】": "]", "〔": "(", "〕": ")", "「": '"', "」": '"', "『": '"', "』": '"', "—": "-", "–": "-",
    "…": "...", "·": ".", "～": "~",
})
_SPACE = re.compile(r"\s+")
CANDIDATES = 8  # fuzzy: entries sharing the most bigrams with the query, compared in full


def normalize(text: str) -> str:
    """The form two sentences are compared in: NFKC (full width → half width), Chinese punctuation as
    ASCII, no whitespace, lower case."""
    text = unicodedata.normalize("NFKC", text).translate(_PUNCT)
    return _SPACE.sub("", text).lower()


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def similarity(a: str, b: str) -> float:
    """difflib's ratio of two normalised strings: 1.0 identical, 0.0 nothing in common."""
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass(frozen=True)
class MemoryEntry:
    zh: str
    en: str
    source: str  # the memory file's name (and the unit's id when it has one)


@dataclass(frozen=True)
class Match:
    kind: str  # "exact" | "fuzzy"
    score: float
    entry: MemoryEntry

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "score": round(self.score, 4), "zh": self.entry.zh, "en": self.entry.en,
                "source": self.entry.source}


class TranslationMemory:
    def __init__(self, entries: Iterable[MemoryEntry], threshold: float = 0.9):
        self.threshold = threshold
        self.entries: list[MemoryEntry] = []
        self._exact: dict[str, int] = {}
        self._norm: list[str] = []
        self._index: dict[str, list[int]] = defaultdict(list)
        for entry in entries:
            key = normalize(entry.zh)
            if not key or not entry.en.strip() or key in self._exact:
                continue  # the first of two entries for one sentence wins (files in the order given)
            i = len(self.entries)
            self.entries.append(entry)
            self._norm.append(key)
            self._exact[key] = i
            for gram in _bigrams(key):
                self._index[gram].append(i)

    def __len__(self) -> int:
        return len(self.entries)

    @functools.cached_property
    def fingerprint(self) -> str:
        """A short hash of the entries and the threshold (part of the run signature)."""
        h = hashlib.sha256(f"{self.threshold}".encode())
        for e in self.entries:
            h.update(f"\n{e.zh}\t{e.en}".encode())
        return h.hexdigest()[:16]

    def lookup(self, zh: str) -> Match | None:
        """The exact match of ``zh``, else its best fuzzy match at or above the threshold, else None."""
        key = normalize(zh)
        if not key:
            return None
        if key in self._exact:
            return Match("exact", 1.0, self.entries[self._exact[key]])
        shared: Counter[int] = Counter()
        for gram in _bigrams(key):
            for i in self._index.get(gram, ()):
                shared[i] += 1
        best: tuple[float, int] | None = None
        for i, _ in shared.most_common(CANDIDATES):
            other = self._norm[i]
            if 2 * min(len(key), len(other)) / (len(key) + len(other)) < self.threshold:
                continue  # the lengths alone rule it out
            score = similarity(key, other)
            if score >= self.threshold and (best is None or score > best[0]):
                best = (score, i)
        return Match("fuzzy", best[0], self.entries[best[1]]) if best else None


def read_memory_file(path: Path) -> list[MemoryEntry]:
    """The zh/en pairs of one memory file (TMX, or a pair table)."""
    if path.suffix.lower() == ".tmx":
        return _read_tmx(path)
    from ..fidelity.pairs import load_pairs

    return [MemoryEntry(p.zh, p.en, f"{path.name}#{p.id}") for p in load_pairs(path)]


def _read_tmx(path: Path) -> list[MemoryEntry]:
    from lxml import etree

    lang_attrs = ("{http://www.w3.org/XML/1998/namespace}lang", "lang")  # TMX 1.4 / TMX 1.1
    entries = []
    try:
        for _, tu in etree.iterparse(str(path), tag="tu", resolve_entities=False, no_network=True, huge_tree=False):
            sides: dict[str, str] = {}
            for tuv in tu.iter("tuv"):
                lang = next((tuv.get(a) for a in lang_attrs if tuv.get(a)), "").lower()
                seg = tuv.find("seg")
                if seg is not None:
                    sides.setdefault(lang[:2], "".join(seg.itertext()).strip())
            if sides.get("zh") and sides.get("en"):
                tuid = tu.get("tuid")
                entries.append(MemoryEntry(sides["zh"], sides["en"], f"{path.name}#{tuid}" if tuid else path.name))
            tu.clear()
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{path}: not a readable TMX file ({exc})") from None
    return entries


def load_memory(paths: Iterable[Path], threshold: float = 0.9) -> TranslationMemory:
    """One memory from the config's ``tm.files`` (in order: the first file's entry for a sentence wins)."""
    entries: list[MemoryEntry] = []
    for path in paths:
        if not Path(path).is_file():
            raise ConfigError(f"tm.files: {path}: translation memory file not found")
        try:
            entries.extend(read_memory_file(Path(path)))
        except InputError as err:
            raise ConfigError(f"tm.files: {err.line()}") from None
    return TranslationMemory(entries, threshold)


@dataclass
class RecallCounts:
    human: int = 0
    exact: int = 0
    fuzzy_used: int = 0
    fuzzy_offered: int = 0


def _use(seg: Segment, en: str, origin: str) -> None:
    seg.en, seg.origin = en, origin
    seg.flags = [f for f in seg.flags if f.kind != "degenerate"]


def recall(doc: Document, memory: TranslationMemory | None, human: Mapping[str, str] | None = None, *,
           use_fuzzy: bool = False) -> RecallCounts:
    """Fill the English of ``doc``'s segments known to the human store or the memory (in place), before
    the model: human translations first, then exact memory matches, then (``use_fuzzy``) fuzzy ones; a
    fuzzy match not used is attached as an offer (``seg.tm``). Segments filled here are not translated."""
    counts = RecallCounts()
    for title, marker in [(doc.title, "")] + [(sec.title, sec.marker) for sec in doc.walk_sections()]:
        _recall_title(title, marker, memory, human, counts)
    for seg in doc.all_segments():
        seg.tm = None
        if seg.origin in ("tm", "human"):
            seg.origin, seg.en = None, None  # decided again: the memory or the human store may have changed
        if human and seg.zh in human:
            _use(seg, human[seg.zh], "human")
            counts.human += 1
            continue
        match = memory.lookup(seg.zh) if memory is not None and len(memory) else None
        if match is None:
            continue
        seg.tm = match.to_dict()
        if match.kind == "exact":
            _use(seg, match.entry.en, "tm")
            counts.exact += 1
        elif use_fuzzy:
            _use(seg, match.entry.en, "tm")
            counts.fuzzy_used += 1
        else:
            counts.fuzzy_offered += 1
    return counts


def _recall_title(title: Bilingual, marker: str, memory: TranslationMemory | None, human: Mapping[str, str] | None,
                  counts: RecallCounts) -> None:
    """A title or heading: a person's English, else an exact memory match (of the heading alone, or with its
    marker: official pairs often keep "一、" with the heading); fuzzy matches are not offered for headings."""
    if title.origin in ("tm", "human"):
        title.origin, title.en = None, None
    if not title.zh:
        return
    if human and title.zh in human:
        title.en, title.origin = human[title.zh], "human"
        counts.human += 1
        return
    if memory is None or not len(memory):
        return
    for key in (title.zh, marker + title.zh) if marker else (title.zh,):
        match = memory.lookup(key)
        if match is not None and match.kind == "exact":
            title.en, title.origin = match.entry.en, "tm"
            counts.exact += 1
            return


def recalled(seg: Segment | Bilingual) -> bool:
    """Whether the English of ``seg`` (a segment or a title) comes from the memory or a person (the model
    leaves it alone)."""
    return seg.origin in ("tm", "human") and seg.en is not None
