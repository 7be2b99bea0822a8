"""The glossary of fixed political terms: loading, merging, finding terms in Chinese, matching English renderings.

A glossary file is ``zh<TAB>en`` per line (``#`` comments, an optional ``zh<TAB>en`` header), with the
accepted renderings of a term separated by ``|``. A rendering counts as present in an English sentence
when every content word of it appears there, stemmed (Snowball English stemmer), within a short window and
in any order: "keeping employment stable" renders "keep employment stable" and "poverty elimination"
renders "eliminating poverty".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import snowballstemmer

from pipeline.errors import ConfigError

__all__ = ["GlossaryEntry", "Glossary", "load_glossary", "load_glossaries", "rendering_present"]


@dataclass(frozen=True)
class GlossaryEntry:
    zh: str
    renderings: tuple[str, ...]  # any one of them in the translation counts as rendered


@dataclass(frozen=True)
class Glossary:
    entries: tuple[GlossaryEntry, ...] = ()
    source: str = ""  # where the entries came from, for provenance ("a.tsv+b.tsv")
    sha256: str = ""  # of the files' bytes, in order (empty for a glossary built in code)

    def __len__(self) -> int:
        return len(self.entries)

    @cached_property
    def _longest_first(self) -> tuple[GlossaryEntry, ...]:
        return tuple(sorted(self.entries, key=lambda e: len(e.zh), reverse=True))

    def terms_in(self, zh: str) -> list[GlossaryEntry]:
        """Entries whose term occurs in ``zh``, longest first, each occurrence claimed by one term only.

        A longer term hides the shorter ones inside it (新型城镇化 hides 城镇化) where they overlap; the
        shorter term still counts if it also occurs on its own elsewhere in the text.
        """
        taken: list[tuple[int, int]] = []
        found: list[GlossaryEntry] = []
        for entry in self._longest_first:
            hit = False
            start = zh.find(entry.zh)
            while start >= 0:
                span = (start, start + len(entry.zh))
                if not any(span[0] < e and s < span[1] for s, e in taken):
                    taken.append(span)
                    hit = True
                start = zh.find(entry.zh, start + 1)
            if hit:
                found.append(entry)
        return found


def _merge(glossaries: list[Glossary]) -> Glossary:
    """All entries; a later glossary's renderings are added to an earlier glossary's same term."""
    by_term: dict[str, list[str]] = {}
    for glossary in glossaries:
        for entry in glossary.entries:
            known = by_term.setdefault(entry.zh, [])
            known.extend(r for r in entry.renderings if r not in known)
    source = "+".join(g.source for g in glossaries if g.source)
    return Glossary(tuple(GlossaryEntry(zh, tuple(r)) for zh, r in by_term.items()), source)


def _read(path: Path) -> tuple[str, bytes]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"glossary not found: {path}", hint="give the path of a zh<TAB>en .tsv file") from None
    except IsADirectoryError:
        raise ConfigError(f"glossary is a folder, not a file: {path}", hint="give the path of a .tsv file") from None
    except OSError as err:
        raise ConfigError(f"cannot read glossary {path}: {err.strerror or err}") from None
    try:
        return data.decode("utf-8-sig"), data
    except UnicodeDecodeError:
        raise ConfigError(f"glossary is not UTF-8 text: {path}", hint="save it as UTF-8") from None


def load_glossary(path: str | Path) -> Glossary:
    """Read one ``zh<TAB>en`` file; any problem with it is a :class:`ConfigError` naming the file (and line)."""
    path = Path(path)
    text, data = _read(path)
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) < 2 or not columns[0].strip() or not columns[1].strip():
            raise ConfigError(f"{path}:{number}: expected 'zh<TAB>en', got {line[:80]!r}",
                              hint="separate the term and its renderings with one tab")
        zh, en = columns[0].strip(), columns[1].strip()
        if (zh.lower(), en.lower()) == ("zh", "en"):
            continue
        renderings = tuple(r.strip() for r in en.split("|") if r.strip())
        if not renderings:
            raise ConfigError(f"{path}:{number}: no English rendering for {zh!r}")
        entries.append(GlossaryEntry(zh, renderings))
    if not entries:
        raise ConfigError(f"glossary has no entries: {path}")
    return Glossary(tuple(entries), str(path), hashlib.sha256(data).hexdigest())


def load_glossaries(paths: Iterable[str | Path]) -> Glossary:
    """The glossaries at ``paths`` merged into one (empty, and falsy, when no path is given).

    Its ``sha256`` is the digest of all files' bytes in order, so a change to any file changes it.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        return Glossary()
    digest = hashlib.sha256()
    loaded = []
    for path in paths:
        glossary = load_glossary(path)
        digest.update(path.read_bytes())
        loaded.append(glossary)
    merged = loaded[0] if len(loaded) == 1 else _merge(loaded)
    return Glossary(merged.entries, merged.source, digest.hexdigest())


# --------------------------------------------------------------------------------------------------
# Matching renderings in English

_STEMMER = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[A-Za-z0-9]+")
# Function words a rendering may have or lack ("the Belt and Road" vs "Belt and Road"); not content.
_FUNCTION_WORDS = frozenset("a an the of and or to in on for with by at as its their our".split())


# Stems Snowball leaves apart that official translations use for one another ("stable" / "stabilize").
_STEM_ALIASES = {"stabl": "stabil"}


def _stems(text: str) -> list[str]:
    stems = _STEMMER.stemWords([w.lower() for w in _WORD.findall(text)])
    return [_STEM_ALIASES.get(s, s) for s in stems]


@lru_cache(maxsize=4096)
def _content_stems(rendering: str) -> tuple[tuple[str, ...], int]:
    """The rendering's content-word stems, and its length in words (function words included)."""
    stems = _stems(rendering)
    content = tuple(s for s in stems if s not in _FUNCTION_WORDS)
    return (content or tuple(stems)), len(stems)


def rendering_present(rendering: str, en_stems: list[str]) -> bool:
    """Whether every content word of ``rendering`` occurs (stemmed, any order) within a short window of ``en_stems``.

    The window is the rendering's length in words plus three, so "stable employment" or "employment is kept
    stable" both render "keep employment stable", while words scattered over a sentence do not.
    """
    wanted, length = _content_stems(rendering)
    if not wanted:
        return True
    window = length + 3
    need = set(wanted)
    positions = [i for i, s in enumerate(en_stems) if s in need]
    for k, start in enumerate(positions):
        seen = set()
        for i in positions[k:]:
            if i - start >= window:
                break
            seen.add(en_stems[i])
            if seen == need:
                return True
    return False


def english_stems(en: str) -> list[str]:
    """The stemmed words of an English sentence, for :func:`rendering_present`."""
    return _stems(en)
