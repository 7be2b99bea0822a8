"""Output names: every input gets a stem (``a/report`` -> ``a/report.md``, ``.json``, ``.html``) that is
safe on any file system, never collides with the collection's own files, and stays the same across runs.
"""

from __future__ import annotations

import hashlib
import re

# The collection's own files and folders in the output folder: no document may be named like them.
RESERVED = {"index", "manifest", "segments", "digest", ".cache", ".lock"}
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
    first = stem.split("/", 1)[0].lower()
    return first in RESERVED or first.split(".", 1)[0] in RESERVED


class StemAllocator:
    """Hands out unique stems: a stem owned by another input (this run or an earlier one) gets the input's
    earlier stem back, or a short hash of the input's key."""

    def __init__(self, in_use: dict[str, str], previous: dict[str, str]):
        self.owner = {k.lower(): v for k, v in in_use.items()}  # stem (lower-cased) -> input key
        self.previous = previous  # input key -> its stem in the manifest

    def stem_for(self, key: str, wanted: str) -> str:
        stem = safe_stem(wanted)
        owner = self.owner.get(stem.lower())
        if is_reserved(stem) or (owner is not None and owner != key):
            prev = self.previous.get(key)
            if prev and not is_reserved(prev) and self.owner.get(prev.lower(), key) == key:
                stem = prev
            else:
                stem = f"{stem}-{_short_hash(key)}"
        self.owner[stem.lower()] = key
        return stem
