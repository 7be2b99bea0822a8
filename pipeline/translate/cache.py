"""A persistent translation cache in SQLite (WAL, one transaction per chunk: survives kill -9).

Keyed by the translator's signature (model, revision, backend, generation settings, guard) and the source
text, so changing a model or a setting never serves stale text.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..document import Flag
from ..errors import OutputError
from .stage import TranslatedText

_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    key TEXT PRIMARY KEY,
    signature TEXT NOT NULL,
    source TEXT NOT NULL,
    en TEXT NOT NULL,
    flags TEXT NOT NULL
)
"""

# Translations corrected by a person (``import-edits``): keyed by the source sentence alone, whatever the
# model, and never replaced by a later run (pipeline/translate/memory.py uses them before anything else).
_HUMAN_SCHEMA = """
CREATE TABLE IF NOT EXISTS human (
    source TEXT PRIMARY KEY,
    en TEXT NOT NULL,
    report TEXT NOT NULL,
    segment TEXT NOT NULL
)
"""


def _signature_id(signature: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(signature, sort_keys=True).encode()).hexdigest()[:16]


def _key(sig_id: str, text: str) -> str:
    return hashlib.sha256(f"{sig_id}\n{text}".encode()).hexdigest()


class TranslationCache:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(self.path), timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute(_SCHEMA)
            self.db.execute(_HUMAN_SCHEMA)
            self.db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(f"{self.path}: cannot open translation cache ({exc})", hint="use --cache PATH or --no-cache") from None

    def get_many(self, signature: dict[str, Any], texts: Iterable[str]) -> dict[str, TranslatedText]:
        sig_id = _signature_id(signature)
        found: dict[str, TranslatedText] = {}
        texts = list(texts)
        keys = {_key(sig_id, t): t for t in texts}
        items = list(keys)
        for start in range(0, len(items), 500):
            chunk = items[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, en, flags in self.db.execute(
                f"SELECT key, en, flags FROM translations WHERE key IN ({marks})", chunk
            ):
                found[keys[key]] = TranslatedText(en, [Flag.from_dict(f) for f in json.loads(flags)])
        return found

    def put_many(self, signature: dict[str, Any], done: dict[str, TranslatedText]) -> None:
        sig_id = _signature_id(signature)
        rows = [
            (_key(sig_id, src), sig_id, src, t.en, json.dumps([f.to_dict() for f in t.flags], ensure_ascii=False))
            for src, t in done.items()
        ]
        try:
            with self.db:  # one transaction: all of the chunk or none of it
                self.db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?)", rows)
        except sqlite3.Error as exc:
            raise OutputError(f"{self.path}: cannot write translation cache ({exc})") from None

    def human_get_many(self, texts: Iterable[str]) -> dict[str, str]:
        """The human translations of those of ``texts`` that have one."""
        items = list(dict.fromkeys(texts))
        found: dict[str, str] = {}
        for start in range(0, len(items), 500):
            chunk = items[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self.db.execute(f"SELECT source, en FROM human WHERE source IN ({marks})", chunk))
        return found

    def human_put_many(self, rows: Iterable[tuple[str, str, str, str]]) -> None:
        """Store (source, en, report, segment id) rows as human translations (one transaction)."""
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO human VALUES (?, ?, ?, ?)", list(rows))
        except sqlite3.Error as exc:
            raise OutputError(f"{self.path}: cannot write translation cache ({exc})") from None

    def __len__(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM translations").fetchone()[0]

    def close(self) -> None:
        self.db.close()
