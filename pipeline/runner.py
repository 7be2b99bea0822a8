"""The runner: wires the stages (read -> segment -> translate -> summarize -> check -> render -> write).

Documents are processed in groups (``batch_documents``): the segments of a whole group share translation
batches, so many small reports keep the model as busy as one large one. Every input gets a line in the
manifest (``manifest.jsonl``); a rerun skips inputs already done with the same content and config, and
together with the translation cache a killed batch resumes without redoing or losing finished work.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

from . import __version__
from .config import Config
from .document import Document
from .errors import ConfigError, InputError, OutputError, PipelineError, describe_exception

log = logging.getLogger(__name__)

INPUT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".text")
TABLE_SUFFIXES = (".jsonl", ".csv", ".parquet")


class Progress(Protocol):
    """What the runner reports while it works (the CLI draws it as a progress bar)."""

    def add_total(self, n: int) -> None: ...

    def advance(self, n: int) -> None: ...

    def document_done(self, name: str, ok: bool, message: str) -> None: ...


class SilentProgress:
    def add_total(self, n: int) -> None:
        pass

    def advance(self, n: int) -> None:
        pass

    def document_done(self, name: str, ok: bool, message: str) -> None:
        pass


# --------------------------------------------------------------------------------------------------------
# Inputs


@dataclass
class InputItem:
    """One document to process: ``name`` identifies it in the manifest; ``stem`` names its output files."""

    name: str
    stem: str
    load: Callable[[], str]  # returns the decoded text, or raises InputError


def _file_item(path: Path) -> InputItem:
    from .readers import read_document_text

    return InputItem(name=str(path), stem=path.stem, load=lambda p=path: read_document_text(p))


def _table_items(path: Path, text_column: str, id_column: str) -> Iterator[InputItem | InputError]:
    """Rows of a JSONL/CSV/Parquet table, streamed with `datasets` (memory stays flat)."""
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    kind = {".jsonl": "json", ".csv": "csv", ".parquet": "parquet"}[path.suffix.lower()]
    try:
        ds = datasets.load_dataset(kind, data_files=str(path), split="train", streaming=True)
        rows = iter(ds)
        first = next(rows, None)
    except Exception as exc:  # datasets raises many kinds; the user needs one line
        yield InputError(f"{path}: cannot read as a {kind} table ({describe_exception(exc)})")
        return
    if first is None:
        yield InputError(f"{path}: the table has no rows")
        return
    missing = [c for c in (text_column, id_column) if c not in first]
    if missing:
        yield InputError(
            f"{path}: no column {missing[0]!r}; columns are {', '.join(first)}",
            hint="choose them with --text-column / --id-column",
        )
        return

    def item(row: dict[str, Any]) -> InputItem:
        doc_id = str(row[id_column])
        text = row[text_column]

        def load(text=text, doc_id=doc_id) -> str:
            if not isinstance(text, str) or not text.strip():
                raise InputError(f"{path}#{doc_id}: empty text")
            from .readers import decode_bytes

            # the same checks as a file (empty, binary, not Chinese), with the row named in the message
            return decode_bytes(text.encode("utf-8"), f"{path}#{doc_id}")

        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in doc_id)[:100] or "doc"
        return InputItem(name=f"{path}#{doc_id}", stem=safe, load=load)

    yield item(first)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # a malformed row further down: the rows before it stand
            yield InputError(f"{path}: cannot read the rest of the table ({describe_exception(exc)})")
            return
        yield item(row)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def iter_inputs(
    specs: Iterable[str], *, text_column: str = "text", id_column: str = "id", exclude: Path | None = None
) -> Iterator[InputItem | InputError]:
    """Expand files, directories, globs, file lists (``@list.txt``) and tables into input items.

    Files found in a directory keep their sub-folder in their output name (``a/x.txt`` -> ``a/x.md``);
    hidden files and folders, and everything under ``exclude`` (the output folder), are skipped. Anything
    that cannot be an input yields an :class:`InputError` (reported per input; the batch goes on).
    """
    import glob

    exclude = exclude.resolve() if exclude is not None else None

    def excluded(p: Path) -> bool:
        return exclude is not None and (p.resolve() == exclude or exclude in p.resolve().parents)

    for spec in specs:
        if spec.startswith("@"):
            listing = Path(spec[1:])
            try:
                names = [ln.strip() for ln in listing.read_text(encoding="utf-8").splitlines()]
            except OSError as exc:
                yield InputError(f"{listing}: cannot read file list ({exc.strerror})")
                continue
            yield from iter_inputs([n for n in names if n and not n.startswith("#")], text_column=text_column,
                                   id_column=id_column, exclude=exclude)
            continue
        path = Path(spec)
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and not _hidden(p, path) and not excluded(p)
            )
            if not files:
                yield InputError(f"{path}: no input files ({', '.join(INPUT_SUFFIXES)}) in this directory")
            for p in files:
                item = _file_item(p)
                item.stem = p.relative_to(path).with_suffix("").as_posix()
                yield item
        elif path.suffix.lower() in TABLE_SUFFIXES and path.is_file():
            yield from _table_items(path, text_column, id_column)
        elif any(ch in spec for ch in "*?[") and not path.exists():
            matches = sorted(glob.glob(spec, recursive=True))
            files = [Path(m) for m in matches if Path(m).is_file() and not excluded(Path(m))]
            if not files:
                yield InputError(f"{spec}: no file matches this pattern")
            for m in files:
                yield _file_item(m)
        elif not path.exists():
            yield InputError(f"{path}: no such file", hint="check the path")
        else:
            yield _file_item(path)


# --------------------------------------------------------------------------------------------------------
# Outputs


_UMASK = os.umask(0o022)
os.umask(_UMASK)


def ensure_writable(folder: Path) -> None:
    """Fail early (before models load) when the output folder cannot be created or written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"{folder}: output folder not writable ({exc.strerror or exc})") from None


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half of one."""
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes files private; outputs are ordinary files
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


class Manifest:
    """``manifest.jsonl``: one line per finished input (appended, fsynced); the last line for a name wins."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.records: dict[str, dict[str, Any]] = {}
        self._owners: dict[str, str] = {}  # output stem -> input name
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by a crash: that input is simply not done
                if isinstance(rec, dict) and "input" in rec:
                    self._remember(rec)

    def _remember(self, rec: dict[str, Any]) -> None:
        self.records[rec["input"]] = rec
        if rec.get("stem") and rec.get("status") == "ok":
            self._owners[rec["stem"]] = rec["input"]

    def owner_of(self, stem: str) -> str | None:
        """The input whose outputs use ``stem``, according to the manifest."""
        return self._owners.get(stem)

    def is_done(self, name: str, content_hash: str, run_signature: str) -> bool:
        rec = self.records.get(name)
        return bool(
            rec
            and rec.get("status") == "ok"
            and rec.get("content_sha256") == content_hash
            and rec.get("run_signature") == run_signature
            and all(Path(p).exists() for p in rec.get("outputs", []))
        )

    def append(self, rec: dict[str, Any]) -> None:
        line = json.dumps(rec, ensure_ascii=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot write manifest ({exc.strerror or exc})") from None
        self._remember(rec)


# --------------------------------------------------------------------------------------------------------
# Components: the loaded models and settings, built once per batch


@dataclass
class Components:
    config: Config
    translator: Any
    settings: Any  # translate.GenerationSettings
    summarizer: Any | None
    glossary: Any | None
    cache: Any | None
    summarizer_info: dict[str, Any] = field(default_factory=dict)
    glossary_sha256: str | None = None

    def run_signature(self) -> str:
        """Everything that shapes an output: a document done under another signature is redone."""
        from .translate import translator_signature

        facts = {
            "config": self.config.hash(),
            "translator": translator_signature(self.translator, self.settings, self.config.translator.repetition_guard),
            "summarizer": self.summarizer_info,
            "glossary": self.glossary_sha256,
            "version": __version__,
        }
        return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:16]

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()


def load_translator(config: Config, glossary: Any = None):
    from .translate import build_translator

    return build_translator(config, glossary)


def generation_settings(config: Config):
    from .translate import GenerationSettings

    return GenerationSettings.from_config(config.translator)


def load_summarizer(config: Config, translator: Any, settings: Any) -> tuple[Any | None, dict[str, Any]]:
    from .summarize import build_summarizer
    from .translate import TranslationService

    return build_summarizer(config, TranslationService(translator, settings, guard=False).translate_list)


def default_cache_path(out_dir: Path) -> Path:
    return Path(out_dir) / ".cache" / "translations.sqlite"


def load_components(
    config: Config, *, use_cache: bool = True, cache_path: str | Path | None = None, out_dir: Path | None = None
) -> Components:
    """Load everything a batch needs; the cheap checks (glossaries, cache) come before the models."""
    glossary, glossary_hash = None, None
    if config.fidelity.enabled and config.fidelity.glossaries:
        from .fidelity import load_glossary

        digest = hashlib.sha256()
        for g in config.fidelity.glossaries:
            path = config.resolve_path(g)
            if not path.is_file():
                raise ConfigError(f"fidelity.glossaries: {g!r} is not a file")
            digest.update(path.read_bytes())
            loaded = load_glossary(path)
            glossary = loaded if glossary is None else glossary.merge(loaded)
        glossary_hash = digest.hexdigest()[:16]
    cache = None
    if use_cache and config.cache.enabled:
        from .translate.cache import TranslationCache

        path = cache_path or (config.resolve_path(config.cache.path) if config.cache.path else None)
        cache = TranslationCache(path or default_cache_path(out_dir or Path("outputs")))
    translator = load_translator(config, glossary)
    settings = generation_settings(config)
    summarizer, info = load_summarizer(config, translator, settings)
    return Components(config, translator, settings, summarizer, glossary, cache, info, glossary_hash)


# --------------------------------------------------------------------------------------------------------
# Processing


def provenance(doc: Document, components: Components, content_hash: str) -> dict[str, Any]:
    from .translate import translator_signature

    cfg = components.config
    return {
        "package": {"name": "zh-report-pipeline", "version": __version__},
        "config": {"file": cfg.source_path, "hash": cfg.hash()},
        "source": {"file": doc.source, "sha256": content_hash},
        "translator": translator_signature(components.translator, components.settings, cfg.translator.repetition_guard),
        "summarizer": components.summarizer_info,
        "glossary_sha256": components.glossary_sha256,
        "alignment": cfg.output.alignment,
    }


def segment_text(text: str, source: str, components: Components) -> Document:
    from .segment import segment

    t = components.translator
    return segment(text, source=source, max_tokens=t.max_input_tokens, count_tokens=t.count_tokens)


def finish_document(doc: Document, components: Components) -> Document:
    """Summaries and fidelity checks of a translated document."""
    cfg = components.config
    if components.summarizer is not None:
        from .summarize import SummaryPolicy, summarize_document

        summarize_document(doc, components.summarizer, SummaryPolicy.from_config(cfg.summarizer))
    if cfg.fidelity.enabled:
        from .fidelity import check_document

        doc.qa = check_document(doc, components.glossary)
        summaries = [sec.summary for sec in doc.walk_sections() if sec.summary] + ([doc.summary] if doc.summary else [])
        sentences = [s for summ in summaries for s in summ.sentences]
        doc.qa["summary_sentences"] = len(sentences)
        doc.qa["summary_sentences_flagged"] = sum(1 for s in sentences if s.flags)
    return doc


def output_paths(out_dir: Path, stem: str, config: Config) -> list[Path]:
    paths = []
    if config.output.markdown:
        paths.append(out_dir / f"{stem}.md")
    if config.output.json:
        paths.append(out_dir / f"{stem}.json")
    return paths


def write_document(doc: Document, out_dir: Path, stem: str, config: Config) -> list[Path]:
    from .render import render_json, render_markdown

    paths = output_paths(out_dir, stem, config)
    for p in paths:
        text = render_markdown(doc, alignment=config.output.alignment) if p.suffix == ".md" else render_json(doc)
        write_atomic(p, text)
    return paths


@dataclass
class DocumentResult:
    name: str
    ok: bool
    skipped: bool = False
    message: str = ""
    outputs: list[str] = field(default_factory=list)
    seconds: float = 0.0  # this document's own work (reading, segmenting, summaries, checks, writing)
    translation_seconds: float = 0.0  # the shared translation of its group of documents
    error: str | None = None  # "input", "output" or "internal" when not ok


@dataclass
class BatchReport:
    results: list[DocumentResult] = field(default_factory=list)
    translation: Any = None  # translate.TranslationStats

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results) and bool(self.results)

    @property
    def failed(self) -> list[DocumentResult]:
        return [r for r in self.results if not r.ok]


def _error_line(err: PipelineError) -> str:
    return str(err) + (f" ({err.hint})" if err.hint else "")


def _error_kind(err: BaseException) -> str:
    if isinstance(err, InputError):
        return "input"
    if isinstance(err, OutputError):
        return "output"
    return "internal"


@dataclass
class _Pending:
    item: InputItem
    doc: Document
    content_hash: str
    seconds: float


RESERVED_STEMS = {"index", "manifest", "segments"}  # the collection's own files


def run_batch(
    inputs: Iterable[InputItem | InputError],
    components: Components,
    out_dir: Path,
    *,
    force: bool = False,
    progress: Progress | None = None,
    per_document: bool = False,
    translate_fn: Callable[..., dict] | None = None,
) -> BatchReport:
    """Process every input; one bad input never stops the others. Returns what happened to each.

    ``translate_fn(texts, progress=..., stats=...)`` replaces local translation (the Ray engine uses it);
    it must return the same mapping as :func:`pipeline.translate.translate_texts`.
    """
    from .translate import TranslationStats, apply_translations, texts_to_translate, translate_texts

    progress = progress or SilentProgress()
    cfg = components.config
    out_dir = Path(out_dir)
    manifest = Manifest(out_dir / "manifest.jsonl")
    config_hash = cfg.hash()
    signature = components.run_signature()
    report = BatchReport(translation=TranslationStats())
    group_size = 1 if per_document else cfg.batch_documents
    stems_this_run: dict[str, str] = {}
    seen_inputs: set[str] = set()

    def record(name: str, result: DocumentResult, content_hash: str | None, stem: str | None = None) -> None:
        report.results.append(result)
        progress.document_done(name, result.ok, result.message)
        if result.skipped:
            return
        rec = {
            "input": name,
            "stem": stem,
            "content_sha256": content_hash,
            "config_hash": config_hash,
            "run_signature": signature,
            "status": "ok" if result.ok else "failed",
            "error": None if result.ok else result.message,
            "seconds": round(result.seconds, 3),
            "translation_seconds": round(result.translation_seconds, 3),
            "outputs": result.outputs,
        }
        try:
            manifest.append(rec)
        except OutputError as err:
            if result.ok:  # the outputs exist, but without a manifest line the next run redoes them
                result.ok, result.error = False, "output"
                result.message = _error_line(err)
                progress.document_done(name, False, result.message)

    def fail(name: str, err: BaseException, content_hash: str | None, seconds: float = 0.0) -> None:
        if isinstance(err, PipelineError):
            message = _error_line(err)
        else:  # a bug or a library failure: still one line, and the batch goes on
            log.debug("internal error on %s", name, exc_info=err)
            message = f"{name}: internal error ({describe_exception(err)})"
        record(name, DocumentResult(name, False, message=message, seconds=seconds, error=_error_kind(err)), content_hash)

    def flush(group: list[_Pending]) -> None:
        if not group:
            return
        texts = {id(p): texts_to_translate(p.doc, components.translator) for p in group}
        all_texts = list(dict.fromkeys(t for ts in texts.values() for t in ts))
        progress.add_total(len(all_texts))
        started = time.perf_counter()
        try:
            if translate_fn is not None:
                done = translate_fn(all_texts, progress=progress.advance, stats=report.translation)
            else:
                done = translate_texts(
                    all_texts,
                    components.translator,
                    components.settings,
                    cache=components.cache,
                    guard=cfg.translator.repetition_guard,
                    progress=progress.advance,
                    stats=report.translation,
                )
        except Exception as err:  # e.g. the cache's disk is full: this group fails, the batch goes on
            for p in group:
                fail(p.item.name, err, p.content_hash, p.seconds)
            group.clear()
            return
        translation_seconds = time.perf_counter() - started
        for p in group:
            started = time.perf_counter()
            try:
                apply_translations(p.doc, components.translator, done)
                finish_document(p.doc, components)
                p.doc.provenance = provenance(p.doc, components, p.content_hash)
                outputs = write_document(p.doc, out_dir, p.item.stem, cfg)
            except Exception as err:
                fail(p.item.name, err, p.content_hash, p.seconds + time.perf_counter() - started)
                continue
            result = DocumentResult(
                p.item.name, True, outputs=[str(o) for o in outputs],
                message=f"{sum(1 for _ in p.doc.all_segments())} segments",
                seconds=p.seconds + time.perf_counter() - started, translation_seconds=translation_seconds,
            )
            record(p.item.name, result, p.content_hash, p.item.stem)
        group.clear()

    def output_stem(item: InputItem) -> str:
        """The item's output name, unique in this output folder across runs (the manifest remembers)."""
        stem = item.stem
        owner = stems_this_run.get(stem) or manifest.owner_of(stem)
        if stem.lower() in RESERVED_STEMS or (owner is not None and owner != item.name):
            prev = manifest.records.get(item.name, {}).get("stem")
            stem = prev if prev and prev != item.stem else f"{stem}-{hashlib.sha256(item.name.encode()).hexdigest()[:8]}"
        stems_this_run[stem] = item.name
        return stem

    group: list[_Pending] = []
    for item in inputs:
        if isinstance(item, InputError):
            name = str(item).split(": ", 1)[0]
            fail(name, item, None)
            continue
        key = item.name if "#" in item.name else str(Path(item.name).resolve())
        if key in seen_inputs:
            fail(item.name, InputError(f"{item.name}: given more than once in this batch (done once)"), None)
            continue
        seen_inputs.add(key)
        started = time.perf_counter()
        try:
            text = item.load()
        except Exception as err:
            fail(item.name, err, None)
            continue
        content_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
        item.stem = output_stem(item)
        if not force and manifest.is_done(item.name, content_hash, signature):
            record(item.name, DocumentResult(item.name, True, skipped=True, message="already done (manifest)",
                                             outputs=manifest.records[item.name]["outputs"]), content_hash)
            continue
        try:
            doc = segment_text(text, Path(item.name).name, components)
        except Exception as err:
            fail(item.name, err, content_hash)
            continue
        if not list(doc.all_segments()) and not doc.title.zh:
            fail(item.name, InputError(f"{item.name}: no text found after removing page chrome"), content_hash)
            continue
        group.append(_Pending(item, doc, content_hash, time.perf_counter() - started))
        if len(group) >= group_size:
            flush(group)
    flush(group)
    if any(not r.skipped for r in report.results):
        try:
            write_collection_index(out_dir, manifest)
        except OutputError as err:
            progress.document_done(str(out_dir / "index.md"), False, _error_line(err))
    return report


# --------------------------------------------------------------------------------------------------------
# The collection: index.md for readers, segments.parquet for analysis


def _section_rows(doc_id: str, sections: list[dict], path: list[str]) -> Iterator[dict[str, Any]]:
    for sec in sections:
        here = path + [sec["marker"] + sec["title"]["zh"]]
        for seg in sec.get("segments", []):
            yield _segment_row(doc_id, here, seg)
        yield from _section_rows(doc_id, sec.get("sections", []), here)


def _segment_row(doc_id: str, path: list[str], seg: dict[str, Any]) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "segment_id": seg["id"],
        "section_path": " > ".join(path),
        "zh": seg["zh"],
        "en": seg.get("en"),
        "flags": json.dumps(seg.get("flags", []), ensure_ascii=False),
    }


def write_collection_index(out_dir: Path, manifest: Manifest) -> None:
    """``index.md`` (one entry per finished report) and ``segments.parquet`` (every segment of the batch).

    Built from the per-document JSON files one at a time, so memory stays flat however large the batch.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .render import escape_markdown

    schema = pa.schema([(n, pa.string()) for n in ("doc_id", "segment_id", "section_path", "zh", "en", "flags")])
    lines = ["# Reports", "", "One entry per translated report: titles, issuer, date and the executive summary.", ""]
    parquet_path = out_dir / "segments.parquet"
    tmp = out_dir / ".segments.parquet.tmp"
    try:
        writer = pq.ParquetWriter(str(tmp), schema)
        try:
            for name, rec in manifest.records.items():
                if rec.get("status") != "ok":
                    continue
                json_out = next((Path(p) for p in rec.get("outputs", []) if p.endswith(".json")), None)
                md_out = next((Path(p) for p in rec.get("outputs", []) if p.endswith(".md")), None)
                if json_out is None or not json_out.exists():
                    continue
                data = json.loads(json_out.read_text(encoding="utf-8"))
                doc_id = rec.get("stem") or json_out.stem
                title = data.get("title", {})
                meta = data.get("meta", {})
                link = Path(os.path.relpath(md_out or json_out, out_dir)).as_posix()
                lines.append(f"## [{escape_markdown(title.get('zh') or doc_id)}](<{link}>)")
                lines.append("")
                if title.get("en"):
                    lines += [f"*{escape_markdown(title['en'])}*", ""]
                facts = [x for x in (meta.get("issuer"), meta.get("date") or meta.get("fields", {}).get("发布日期")) if x]
                facts.append(f"source: {name}")
                lines += [escape_markdown(" · ".join(facts)), ""]
                summary = (data.get("summary") or {}).get("en")
                if summary:
                    lines += [f"> {escape_markdown(summary)}", ""]
                rows = [_segment_row(doc_id, [], s) for s in data.get("preamble", [])]
                rows += list(_section_rows(doc_id, data.get("sections", []), []))
                if rows:
                    writer.write_table(pa.Table.from_pylist(rows, schema=schema))
        finally:
            writer.close()
        os.replace(tmp, parquet_path)
    except OSError as exc:
        raise OutputError(f"{parquet_path}: cannot write ({exc.strerror or exc})") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    write_atomic(out_dir / "index.md", "\n".join(lines).rstrip() + "\n")
