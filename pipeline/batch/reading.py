"""Reading and segmenting one input: the same function for every engine (here, in a Ray task, ...).

A run asks its engine's ``read(requests)`` for each input's :class:`Read`, in input order. The local
engine reads each input when it comes (:func:`read_locally`); the Ray engine ships each input's bytes to a
task that parses and segments it (:mod:`.ray_stages`). Both call :func:`read_and_segment`, so a document,
and an error, is the same whichever engine made it.
"""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..document import Document
from ..errors import InputError
from .inputs import InputFailure, InputItem


@dataclass
class ReadRequest:
    """One input to read, as the run hands it to its engine."""

    item: InputItem | InputFailure
    done_hash: str | None = None  # the content hash of a finished earlier run: same content, no segmenting
    refused: InputError | None = None  # refused before reading (given twice): nothing to read

    @property
    def needs_reading(self) -> bool:
        return isinstance(self.item, InputItem) and self.refused is None


@dataclass
class Read:
    """What reading an input gave: its content hash (None: it could not be read), its segmented document
    (None: it failed, or it has ``done_hash``'s content and was not segmented), or the error."""

    content_hash: str | None = None
    doc: Document | None = None
    error: BaseException | None = None
    seconds: float = 0.0
    read_as: dict[str, Any] | None = None  # how a file was read (format, encoding, OCR); None: the item's own


class Segmenter:
    """Segmentation as the run's translator wants it (its input limit and token count), or without one."""

    def __init__(self, translator: Any = None, limit: int = 0):
        self.translator = translator
        self.limit = limit  # a preview: only the first N segments of each document

    def __call__(self, text: str, name: str, meta: dict[str, str] | None = None) -> Document:
        from ..segment import apply_input_meta, segment

        t = self.translator
        kw = {} if t is None else {"max_tokens": t.max_input_tokens, "count_tokens": t.count_tokens}
        doc = segment(text, source=Path(name).name, **kw)
        if meta:
            apply_input_meta(doc, meta)
        if not list(doc.all_segments()) and not doc.title.zh:
            raise InputError(f"{name}: no text found after removing page chrome")
        return doc.keep_first_segments(self.limit) if self.limit else doc


def token_counter(translator: Any) -> Any:
    """The translator without its model: an object of its class holding only what ``count_tokens`` and
    ``max_input_tokens`` use (the tokenizer), small enough to ship to read tasks; its own ``count_tokens``
    runs there, so documents are split exactly as on the driver."""
    shell = object.__new__(type(translator))
    shell.__dict__.update({k: v for k, v in vars(translator).items() if k in ("tokenizer", "max_input_tokens")})
    return shell


def read_and_segment(loader: Callable[[], Any], name: str, segmenter: Segmenter,
                     done_hash: str | None = None) -> Read:
    """Load an input's text (``loader``: an :class:`InputItem`'s, or its portable one), hash it, and
    segment it unless its hash is ``done_hash``."""
    started = time.perf_counter()
    try:
        loaded = loader()
    except Exception as err:
        return Read(error=err, seconds=time.perf_counter() - started)
    read_as = meta = None
    if hasattr(loaded, "text"):  # a readers.ReadResult
        meta = getattr(loaded, "meta", None) or None  # a table row's metadata columns
        read_as = loaded.read_as()
        loaded = loaded.text
    content_hash = hashlib.sha256(loaded.encode("utf-8")).hexdigest()
    read = Read(content_hash, read_as=read_as)
    if content_hash != done_hash:
        try:
            read.doc = segmenter(loaded, name, meta) if meta else segmenter(loaded, name)
            flag_ocr_readings(read.doc, read_as)
        except Exception as err:
            read.error = err
    read.seconds = time.perf_counter() - started
    return read


def _load_with_meta(item: InputItem) -> Any:
    """An item's text, with a table row's metadata columns when it has them (a ReadResult)."""
    from ..readers import ReadResult

    text = item.load()
    if not item.meta:
        return text
    return ReadResult(text, item.read_as.get("encoding", ""), item.read_as.get("format", ""), meta=dict(item.meta))


def flag_ocr_readings(doc: Document | None, read_as: dict[str, Any] | None) -> None:
    """What OCR may have got wrong, flagged for checking against the scan: figures read with a low
    confidence (on their segments), heading markers repaired from their siblings (on the headings)."""
    if doc is not None and read_as and read_as.get("ocr"):
        from ..readers.ocr import flag_repaired_markers, flag_uncertain_figures

        flag_uncertain_figures(doc, read_as["ocr"])
        flag_repaired_markers(doc, read_as["ocr"])


def read_locally(requests: Iterable[ReadRequest], segmenter: Segmenter) -> Iterator[tuple[ReadRequest, Read]]:
    """The local engine's ``read``: each input when it comes, in this process."""
    for req in requests:
        if not req.needs_reading:
            yield req, Read()
            continue
        item = req.item
        read = read_and_segment(functools.partial(_load_with_meta, item), item.name, segmenter, req.done_hash)
        flag_ocr_readings(read.doc, item.read_as)  # the item read its file itself: its OCR record is here
        item.release()
        yield req, read
