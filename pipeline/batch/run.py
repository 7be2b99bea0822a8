"""The batch run: inputs -> documents -> shared translation -> summaries, checks -> files + manifest.

Documents are processed in groups (``batch_documents``): the segments of a whole group share translation
batches, so many small reports keep the model as busy as one large one. Every attempt gets a manifest
line; a rerun skips inputs already done with the same content and signature, and together with the
translation cache a killed batch resumes without redoing or losing finished work.

An engine decides *how inputs are read and segmented* (``read(requests)``: one :class:`Read` per input,
in order), *how texts are translated* (``translate(texts, progress=, stats=)``) and *how translated
documents are finished* (``finish(docs)``: summaries, checks, rendering; one outcome per document, in
order): locally, or on Ray actors and tasks. Reading, the cache, the files and the manifest are here, once.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

from ..document import Document
from ..errors import InputError, OutputError, PipelineError, describe_exception
from .collection import refuse_foreign_collection
from .components import Components
from .inputs import InputFailure, InputItem
from .manifest import Manifest
from .naming import StemAllocator
from .outputs import FolderLock, StagedFiles, remove_stale_temporaries
from .reading import Read, ReadRequest, Segmenter, read_locally

log = logging.getLogger(__name__)

ReadFn = Callable[[Iterable["ReadRequest"]], Iterator[tuple["ReadRequest", "Read"]]]  # in order
TranslateFn = Callable[..., dict]  # (texts, *, progress, stats) -> {text: TranslatedText}
FinishFn = Callable[[list[Document]], Iterable["Finished | BaseException"]]  # one outcome per doc, in order
EventHook = Callable[[str, dict], None]  # (event, facts): tests pass one in to crash at a chosen point


class Progress(Protocol):
    """What a run reports while it works (the CLI draws it)."""

    def add_total(self, n: int) -> None: ...

    def advance(self, n: int) -> None: ...

    def stage(self, name: str, detail: str) -> None: ...

    def document_done(self, name: str, ok: bool, message: str) -> None: ...


class SilentProgress:
    def add_total(self, n: int) -> None:
        pass

    def advance(self, n: int) -> None:
        pass

    def stage(self, name: str, detail: str) -> None:
        pass

    def document_done(self, name: str, ok: bool, message: str) -> None:
        pass


@dataclass
class DocumentResult:
    name: str
    ok: bool
    skipped: bool = False
    message: str = ""
    outputs: list[str] = field(default_factory=list)  # relative to the output folder
    seconds: float = 0.0  # this document's own work (reading, segmenting, summaries, checks, writing)
    translation_seconds: float = 0.0  # the shared translation of its group of documents
    error: str | None = None  # "input", "output" or "internal" when not ok
    lint: list[str] = field(default_factory=list)  # structure findings of the written document (segment --lint)


@dataclass
class BatchReport:
    results: list[DocumentResult] = field(default_factory=list)
    translation: Any = None  # translate.TranslationStats
    collection_error: str | None = None  # index.md / segments.parquet could not be written
    engine: dict[str, Any] = field(default_factory=dict)  # the engine's own facts (Ray: per-node counters, CPU)

    @property
    def failed(self) -> list[DocumentResult]:
        return [r for r in self.results if not r.ok]


def error_line(err: BaseException, name: str = "") -> str:
    if isinstance(err, PipelineError):
        return err.line()
    return f"{name}: internal error ({describe_exception(err)})"


def _error_kind(err: BaseException) -> str:
    return "input" if isinstance(err, InputError) else "output" if isinstance(err, OutputError) else "internal"


@dataclass
class Finished:
    """A finished document: the text of its output files (in ``output_names`` order) and the seconds spent."""

    texts: Iterable[str]  # a list (from Ray tasks) or rendered lazily, one file at a time (local engine)
    seconds: float


@dataclass
class _Pending:
    item: InputItem
    doc: Document
    content_hash: str
    seconds: float


class CacheDamaged(OutputError):
    """The translation cache cannot be read: the whole run stops (every document would fail alike)."""


class BatchRun:
    """One run into one output folder (held under an exclusive lock while it runs)."""

    def __init__(
        self,
        components: Components,
        out_dir: Path,
        *,
        read: ReadFn | None = None,
        translate: TranslateFn | None = None,
        finish: FinishFn | None = None,
        force: bool = False,
        per_document: bool = False,
        limit: int = 0,
        progress: Progress | None = None,
        events: EventHook | None = None,
    ):
        self.components = components
        self.config = components.config
        self.out_dir = Path(out_dir)
        self.limit = limit  # a preview: only the first N segments of each document
        self.read = read or (lambda requests: read_locally(requests, Segmenter(components.translator, limit)))
        self.translate = translate or self._translate_locally
        self.finish = finish or self._finish_locally
        self.force = force
        self.group_size = 1 if per_document else self.config.batch_documents
        self.progress = progress or SilentProgress()
        self.events = events or (lambda event, facts: None)
        self.signature = components.run_signature() + (f"+first{limit}" if limit else "")
        self.config_hash = self.config.hash()
        self.report = BatchReport()
        self.manifest: Manifest | None = None
        self.stems: StemAllocator | None = None
        self.seen: set[str] = set()
        self.group: list[_Pending] = []

    # -- the run ---------------------------------------------------------------------------------------
    def run(self, inputs: Iterable[InputItem | InputFailure]) -> BatchReport:
        from ..translate import TranslationStats

        self.report.translation = TranslationStats()
        with FolderLock(self.out_dir):
            removed = remove_stale_temporaries(self.out_dir)
            if removed:
                log.info("removed %d temporary file(s) a killed run left", removed)
            self.manifest = Manifest.load(self.out_dir)
            refuse_foreign_collection(self.out_dir, self.manifest)
            previous = {k: r["stem"] for k, r in self.manifest.records.items() if r.get("stem")}
            self.stems = StemAllocator(self.manifest.stems_in_use(), previous, foreign=self._foreign)
            for req, read in self.read(self._requests(inputs)):
                self._take(req, read)
            self._flush()
            self._update_collection()
        return self.report

    def _requests(self, inputs: Iterable[InputItem | InputFailure]) -> Iterator[ReadRequest]:
        """Each input as the engine's ``read`` gets it: with the content hash of a finished earlier run
        (so that an unchanged input is not segmented again), or refused before reading."""
        for item in inputs:
            if isinstance(item, InputFailure):
                yield ReadRequest(item)
            elif item.key in self.seen:  # the same file named twice (a path and a glob, two spellings): once
                self.progress.stage("note", f"{item.name}: given more than once in this batch; done once")
            else:
                self.seen.add(item.key)
                rec = self.manifest.records.get(item.key)
                done = None if self.force or rec is None else rec.get("content_sha256")
                if done and self.manifest.why_not_done(item.key, done, self.signature) is not None:
                    done = None
                yield ReadRequest(item, done_hash=done)

    def _take(self, req: ReadRequest, read: Read) -> None:
        item = req.item
        if isinstance(item, InputFailure):  # recorded too: the manifest is the history of every attempt
            self._fail(item.name, f"failure:{item.name}", item.error, None)
            return
        if req.refused is not None:
            self._fail(item.name, item.key, req.refused, None)
            return
        if read.content_hash is None:  # it could not be read
            self._fail(item.name, item.key, read.error, None)
            return
        content_hash = read.content_hash
        if read.read_as is not None:
            item.read_as = read.read_as
        item.stem = self.stems.stem_for(item.key, item.stem)
        replaced = self._replaces_input(item)
        if replaced is not None:
            self._fail(item.name, item.key, InputError(
                f"{item.name}: its output {replaced} would replace the input itself",
                hint="give another --out"), content_hash)
            return
        if read.doc is None and read.error is None and content_hash == req.done_hash:
            reason = None  # done before with this content (checked when it was asked for): not segmented
        else:
            reason = "forced" if self.force else self.manifest.why_not_done(item.key, content_hash, self.signature)
        if reason is None:
            rec = self.manifest.records[item.key]
            self._record(item, DocumentResult(item.name, True, skipped=True, message="already done (manifest)",
                                              outputs=rec.get("outputs", [])), content_hash)
            return
        if reason not in ("new", "forced"):
            self.progress.stage("redo", f"{item.name}: {reason}; redoing it")
        if read.error is not None:
            self._fail(item.name, item.key, read.error, content_hash)
            return
        self.group.append(_Pending(item, read.doc, content_hash, read.seconds))
        if len(self.group) >= self.group_size:
            self._flush()

    # -- translation of a group, then each document's own work --------------------------------------------
    def _translate_locally(self, texts: list[str], *, progress=None, stats=None) -> dict:
        return self.components.service().translate(texts, progress=progress, stats=stats)

    def _flush(self) -> None:
        from ..translate import texts_to_translate

        group, self.group = self.group, []
        if not group:
            return
        translator = self.components.translator
        started = time.perf_counter()
        try:
            for p in group:  # English from a person or the translation memory first: the model skips those
                self.report.translation.add_recall(self.components.recall(p.doc))
            texts = list(dict.fromkeys(t for p in group for t in texts_to_translate(p.doc, translator)))
            self.progress.add_total(len(texts))
            self.progress.stage("translate", f"{len(texts)} sentences of {len(group)} document(s)")
            done = self.translate(texts, progress=self.progress.advance, stats=self.report.translation)
        except sqlite3.DatabaseError as exc:  # every later document would fail alike: stop, say it once
            cache = getattr(self.components.cache, "path", "the translation cache")
            raise CacheDamaged(f"{cache}: the translation cache is damaged ({exc})",
                               hint="delete that file or run with --no-cache") from None
        except Exception as err:  # e.g. the cache's disk is full: this group fails, the batch goes on
            for p in group:
                self._fail(p.item.name, p.item.key, err, p.content_hash, p.seconds)
            return
        self._finish_group(group, done, time.perf_counter() - started)

    def _finish_group(self, group: list[_Pending], done: dict, translation_seconds: float) -> None:
        """English into every document, then the engine's ``finish`` (summaries, checks, rendering); each
        document's files and manifest line are written as its outcome comes back, in input order."""
        from ..translate import apply_translations

        ready = []
        for p in group:
            try:
                apply_translations(p.doc, self.components.translator, done)
                p.doc.provenance = self.components.provenance(p.doc, p.content_hash, p.item.read_as)
                if self.limit:  # every output and the index say it is a partial preview
                    p.doc.provenance["preview"] = {"first_segments": self.limit}
            except Exception as err:
                self._fail(p.item.name, p.item.key, err, p.content_hash, p.seconds)
                continue
            ready.append(p)
        for p, outcome in zip(ready, self.finish([p.doc for p in ready])):
            self._write(p, outcome, translation_seconds)

    def _finish_locally(self, docs: list[Document]) -> Iterable[Finished | BaseException]:
        """The summaries of the whole group in shared batches (one by one when the group's call fails, so
        one bad document fails alone), then each document's checks and the text of its files."""
        from .documents import check_document, iter_outputs, summarize_group

        self.progress.stage("summarize", f"{len(docs)} document(s)")
        failed: dict[int, BaseException] = {}
        try:
            summarize_group(docs, self.components)
        except Exception:
            for i, doc in enumerate(docs):
                try:
                    summarize_group([doc], self.components)
                except Exception as err:
                    failed[i] = err
        for i, doc in enumerate(docs):
            if i in failed:
                yield failed[i]
                continue
            started = time.perf_counter()
            try:
                self.progress.stage("check", doc.source)
                check_document(doc, self.components)
                # rendered one file at a time as _write takes them: one output's text in memory, not three
                yield Finished(iter_outputs(doc, self.config), time.perf_counter() - started)
            except Exception as err:
                yield err

    def _write(self, p: _Pending, outcome: Finished | BaseException, translation_seconds: float) -> None:
        """The document's files go to temporaries, then its manifest line (with their hashes) is appended,
        then they are renamed into place: every file of the output folder is claimed by a manifest line
        before it exists, and a kill at any moment leaves the old files or the new, never foreign ones."""
        from .documents import output_names

        if isinstance(outcome, BaseException):
            self._fail(p.item.name, p.item.key, outcome, p.content_hash, p.seconds)
            return
        started = time.perf_counter()
        outputs = output_names(p.item.stem, self.config)
        result = None
        try:
            with StagedFiles() as staged:
                self.progress.stage("write", p.item.name)
                hashes = {name: staged.write(self.out_dir / name, text)
                          for name, text in zip(outputs, outcome.texts, strict=True)}
                self.events("document-written", {"input": p.item.name, "outputs": outputs})
                result = DocumentResult(
                    p.item.name, True, outputs=outputs, message=f"{sum(1 for _ in p.doc.all_segments())} segments",
                    seconds=p.seconds + outcome.seconds + time.perf_counter() - started,
                    translation_seconds=translation_seconds,
                    lint=[f"{f.get('check')}: {f.get('where')}: {f.get('detail')}" for f in p.doc.qa.get("lint", [])],
                )
                self.manifest.append(self._line(p.item.name, p.item.key, p.item.stem, result, p.content_hash,
                                                hashes))
                staged.commit()
        except Exception as err:  # a line that said ok is overridden by this failure's line
            self._fail(p.item.name, p.item.key, err, p.content_hash, p.seconds + outcome.seconds)
            return
        self.report.results.append(result)
        self.progress.document_done(p.item.name, True, result.message)
        self.events("manifest-appended", {"input": p.item.name, "status": "ok"})

    # -- bookkeeping ------------------------------------------------------------------------------------
    def _record(self, item: InputItem, result: DocumentResult, content_hash: str | None) -> None:
        self._append(item.name, item.key, item.stem, result, content_hash)

    def _fail(self, name: str, key: str | None, err: BaseException, content_hash: str | None,
              seconds: float = 0.0) -> None:
        if not isinstance(err, PipelineError):
            log.debug("internal error on %s", name, exc_info=err)
        result = DocumentResult(name, False, message=error_line(err, name), seconds=seconds, error=_error_kind(err))
        self._append(name, key, None, result, content_hash)

    def _line(self, name: str, key: str, stem: str | None, result: DocumentResult, content_hash: str | None,
              hashes: dict[str, str] | None = None) -> dict[str, Any]:
        rec = {
            "input": name, "key": key, "stem": stem, "content_sha256": content_hash,
            "config_hash": self.config_hash, "run_signature": self.signature,
            "status": "ok" if result.ok else "failed", "error": None if result.ok else result.message,
            "seconds": round(result.seconds, 3), "translation_seconds": round(result.translation_seconds, 3),
            "outputs": result.outputs,
        }
        if hashes:
            rec["sha256"] = hashes
        return rec

    def _append(self, name: str, key: str | None, stem: str | None, result: DocumentResult,
                content_hash: str | None) -> None:
        self.report.results.append(result)
        self.progress.document_done(name, result.ok, result.message)
        if result.skipped or key is None:  # nothing new, or not an input at all (a missing file)
            return
        rec = self._line(name, key, stem, result, content_hash)
        try:
            self.manifest.append(rec)
        except OutputError:
            return  # a failure that cannot be recorded: the input is redone next time anyway
        self.events("manifest-appended", {"input": name, "status": rec["status"]})

    def _foreign(self, stem: str) -> bool:
        """Whether a file that no manifest line of this folder claims is where ``stem``'s outputs go."""
        from .documents import output_names

        return any(os.path.lexists(self.out_dir / name) and not (self.out_dir / name).is_dir()
                   and not self.manifest.owns(name)  # a folder in the way is never replaced: writing fails
                   for name in output_names(stem, self.config))

    def _replaces_input(self, item: InputItem) -> str | None:
        from .documents import output_names

        source = Path(item.key)
        if not source.is_absolute():
            return None  # a table row: its key is path#id, never an output
        for name in output_names(item.stem, self.config):
            if (self.out_dir / name).resolve() == source:
                return name
        return None

    def _update_collection(self) -> None:
        from .collection import collection_is_stale, write_collection

        wrote = any(r.ok and not r.skipped for r in self.report.results)
        tables = tuple(k for k in ("csv", "xlsx") if getattr(self.config.output, k))
        if not wrote and not collection_is_stale(self.out_dir, self.manifest, digest_html=self.config.output.html,
                                                 tables=tables):
            return
        if not self.manifest.last_ok:
            return  # nothing finished, ever: no empty index over a folder of failures
        self.events("collection-start", {})
        self.progress.stage("collection", str(self.out_dir))
        try:
            write_collection(self.out_dir, self.manifest, digest_html=self.config.output.html, tables=tables)
        except OutputError as err:
            self.report.collection_error = error_line(err)
            self.progress.document_done(str(self.out_dir / "index.md"), False, self.report.collection_error)


def run_batch(inputs: Iterable[InputItem | InputFailure], components: Components, out_dir: Path,
              **options: Any) -> BatchReport:
    """Process every input into ``out_dir``; one bad input never stops the others (see :class:`BatchRun`)."""
    return BatchRun(components, out_dir, **options).run(inputs)
