"""Output names: every input gets a stem (``a/report`` -> ``a/report.md``, ``.json``, ``.html``) that is
safe on any file system, never collides with the collection's own files, and stays the same across runs.
"""

from __future__ import annotations

import hashlib
import re
from typing import Callable

# The collection's own files and folders in the output folder: no document may be named like them.
RESERVED_STEMS = {"index", "manifest", "segments", "digest"}  # index.md, manifest.jsonl, ...
RESERVED_NAMES = {"index.md", "manifest.jsonl", "segments.parquet", "segments.csv", "segments.xlsx", "digest.md", "digest.html", ".cache", ".lock"}
MAX_COMPONENT_BYTES = 120  # well under the usual 255-byte name limit, with room for suffixes and a hash
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"\\|?*]')


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def _fit(component: str) -> str:
    """A path component cut to MAX_COMPONENT_BYTES bytes at a character boundary (hash added if cut)."""
    data = component.encode("utf-8")
    if len(data) <= MAX_COMPONENT_BYTES:
        return component
    cut = data[: MAX_COMPONENT_BYTES - 9].decode("utf-8", "ignore")
    return f"{cut}-{_short_hash(component)}"


def safe_stem(stem: str) -> str:
    """``stem`` with unsafe characters replaced and each folder component bounded in bytes."""
    parts = []
    for part in stem.replace("\\", "/").split("/"):
        part = _UNSAFE.sub("_", part).strip()
        if part in ("", ".", ".."):
            continue
        if part.startswith("."):
            part = "_" + part[1:]
        parts.append(_fit(part))
    return "/".join(parts) or "doc"


def is_reserved(stem: str) -> bool:
    """Whether ``stem``'s files (or its first folder) would take the place of a collection file."""
    first, sep, _ = stem.partition("/")
    return first.lower() in RESERVED_NAMES if sep else first.lower() in RESERVED_STEMS


def _unreserved(stem: str) -> str:
    first, sep, rest = stem.partition("/")
    return f"{first}-doc{sep}{rest}"


class StemAllocator:
    """Hands out unique stems: a stem owned by another input (this run or an earlier one) gets the input's
    earlier stem back, or a short hash of the input's key. ``foreign(stem)`` says whether a file this run
    does not own is where the stem's outputs would go (a user's ``r1.md``, an input): such a stem is never
    given; the outputs go beside that file, under a stem with the key's hash."""

    def __init__(self, in_use: dict[str, str], previous: dict[str, str],
                 foreign: Callable[[str], bool] | None = None):
        self.owner = {k.lower(): v for k, v in in_use.items()}  # stem (lower-cased) -> input key
        self.previous = previous  # input key -> its stem in the manifest
        self.foreign = foreign or (lambda stem: False)

    def _free(self, stem: str, key: str) -> bool:
        return self.owner.get(stem.lower(), key) == key and not self.foreign(stem)

    def stem_for(self, key: str, wanted: str) -> str:
        stem = safe_stem(wanted)
        if is_reserved(stem):
            stem = _unreserved(stem)
        if not self._free(stem, key):
            prev = self.previous.get(key)
            if prev and safe_stem(prev) == prev and not is_reserved(prev) and prev != stem and self._free(prev, key):
                stem = prev
            else:
                base = f"{stem}-{_short_hash(key)}"
                stem, n = base, 1
                while not self._free(stem, key):
                    n += 1
                    stem = f"{base}-{n}"
        self.owner[stem.lower()] = key
        return stem
