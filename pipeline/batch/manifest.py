"""``manifest.jsonl``: one line per attempt at an input, appended and fsynced; read tolerantly.

Each record names the input by a key that survives a change of working directory, and its outputs by
paths relative to the output folder, so a copied or moved output folder stays whole. The last record of an
input says whether it is done; the last *successful* record says which outputs the collection lists (a
later failed attempt never hides finished work).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import OutputError
from .outputs import file_sha256

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.jsonl"

_NONE = type(None)
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "input": (str,), "key": (str,), "stem": (str, _NONE), "status": (str,), "error": (str, _NONE),
    "content_sha256": (str, _NONE), "config_hash": (str, _NONE), "run_signature": (str, _NONE),
    "outputs": (list,), "sha256": (dict,), "seconds": (int, float), "translation_seconds": (int, float),
}
# A document's files: STEM.md, STEM.json, STEM.html, and for translation work STEM.docx/.tmx/.xliff.
OUTPUT_SUFFIXES = (".md", ".json", ".html", ".docx", ".tmx", ".xliff")


def _valid(rec: Any) -> bool:
    """A record whose every field has its type and whose paths are the run's own: a stem as the run makes
    them (no ``..``, not absolute) and outputs that are that stem's files. Nothing read here is ever used
    as a path as given: a record that fails is skipped (its input is redone)."""
    from .naming import safe_stem

    if not isinstance(rec, dict) or not isinstance(rec.get("input"), str):
        return False
    if any(k in rec and (not isinstance(rec[k], t) or isinstance(rec[k], bool)) for k, t in _FIELD_TYPES.items()):
        return False
    stem, outputs = rec.get("stem"), rec.get("outputs", [])
    if stem is not None and safe_stem(stem) != stem:
        return False
    if outputs and stem is None:
        return False
    if not all(isinstance(o, str) and o in (f"{stem}{suffix}" for suffix in OUTPUT_SUFFIXES) for o in outputs):
        return False
    return all(o in outputs and isinstance(h, str) for o, h in rec.get("sha256", {}).items())


@dataclass
class Manifest:
    """The records of one output folder, by input key."""

    folder: Path
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> last record
    last_ok: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> last successful record
    owned: set[str] = field(default_factory=set)  # every output any record claims (relative names)
    skipped_lines: int = 0
    _needs_newline: bool = False

    @property
    def path(self) -> Path:
        return self.folder / MANIFEST_NAME

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        m = cls(Path(folder))
        try:
            data = m.path.read_bytes()
        except FileNotFoundError:
            return m
        except OSError as exc:
            raise OutputError(f"{m.path}: cannot read manifest ({exc.strerror or exc})") from None
        m._needs_newline = bool(data) and not data.endswith(b"\n")
        for raw in data.split(b"\n"):
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                rec = None
            if not _valid(rec):
                m.skipped_lines += 1  # cut short by a crash or a full disk, or edited by hand
                continue
            m._remember(rec)
        if m.skipped_lines:
            log.warning("%s: %d unreadable line(s) skipped (those inputs count as not done)", m.path, m.skipped_lines)
        return m

    @staticmethod
    def key_of(rec: dict[str, Any]) -> str:
        if rec.get("key"):
            return rec["key"]
        name = rec["input"]  # records of older versions: the input as given
        return name if "#" in name else str(Path(name).resolve())

    def _remember(self, rec: dict[str, Any]) -> None:
        key = self.key_of(rec)
        self.records[key] = rec
        self.owned.update(rec.get("outputs", []))
        if rec.get("status") == "ok":
            self.last_ok[key] = rec

    def output_path(self, recorded: str) -> Path:
        """Where a recorded output is: always inside the output folder (records are checked at load)."""
        return self.folder / recorded

    def owns(self, name: str) -> bool:
        """Whether a manifest line of this folder claims the file ``name`` (relative to the folder)."""
        return name in self.owned

    def stems_in_use(self) -> dict[str, str]:
        """Output stem -> the key of the input whose outputs carry it."""
        return {rec["stem"]: key for key, rec in self.last_ok.items() if rec.get("stem")}

    def why_not_done(self, key: str, content_hash: str, run_signature: str) -> str | None:
        """None when the input is done with this content and signature; else the reason to (re)do it."""
        rec = self.records.get(key)
        if rec is None:
            return "new"
        if rec.get("status") != "ok":
            return "failed before"
        if rec.get("content_sha256") != content_hash:
            return "the input changed"
        if rec.get("run_signature") != run_signature:
            return "the config or models changed"
        hashes = rec.get("sha256", {})
        for out in rec.get("outputs", []):
            path = self.output_path(out)
            if not path.is_file():
                return f"output {out} is missing"
            if out in hashes:
                if file_sha256(path) != hashes[out]:
                    return f"output {out} is damaged"
            elif path.suffix == ".json" and not _json_ok(path):  # a record of an older version: no hashes
                return f"output {out} is damaged"
        return None

    def append(self, rec: dict[str, Any]) -> None:
        line = json.dumps(rec, ensure_ascii=False) + "\n"
        if self._needs_newline:
            line = "\n" + line  # terminate a line a crash left unfinished, so this record stands alone
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot write manifest ({exc.strerror or exc})") from None
        self._needs_newline = False
        self._remember(rec)


def _json_ok(path: Path) -> bool:
    try:
        json.loads(path.read_bytes())
        return True
    except (OSError, ValueError):
        return False
