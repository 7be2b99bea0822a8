"""Input discovery: files, directories, globs, ``@list`` files and table rows -> :class:`InputItem`.

Every input has a ``key`` that identifies it across runs whatever the working directory (the resolved
path of a file, ``path#id`` for a table row), a ``name`` for messages, and a suggested output ``stem``.
What cannot be an input becomes an :class:`InputFailure` naming it: the batch reports it and goes on.
"""

from __future__ import annotations

import errno
import functools
import glob
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..errors import InputError

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm")
TABLE_SUFFIXES = (".jsonl", ".csv", ".parquet")
OUTPUT_FOLDER_MARKER = "manifest.jsonl"  # a folder holding one is another run's output: never an input


def input_suffixes() -> tuple[str, ...]:
    """The file suffixes picked up from directories (the readers' list when they publish one)."""
    from .. import readers

    return tuple(getattr(readers, "READABLE_SUFFIXES", TEXT_SUFFIXES))


@dataclass
class InputItem:
    """One document to process. ``load()`` returns its text (or raises :class:`InputError`), once.
    ``portable()`` gives a loader that can run on another machine (the Ray engine's read tasks)."""

    key: str  # stable identity across runs: resolved path, or path#id for a table row
    name: str  # as the user named it, for messages
    stem: str  # suggested output name (relative, no suffix); the run makes it unique
    loader: Callable[[], Any] = field(repr=False)  # -> str, or a readers.ReadResult
    read_as: dict[str, Any] = field(default_factory=dict)  # how it was read: format, encoding, OCR (provenance)
    _text: str | None = field(default=None, repr=False)
    meta: dict[str, str] = field(default_factory=dict)  # a table row's metadata columns, once loaded
    fetch: Callable[[], Callable[[], Any]] | None = field(default=None, repr=False)  # -> a portable loader

    def portable(self) -> Callable[[], Any]:
        """A picklable loader that returns what ``loader`` returns wherever it runs: a file's bytes are
        read here and now (an unreadable file raises the same :class:`InputError` as ``load()``), their
        parsing is left to the caller, which may be a worker on another node without the file."""
        return self.fetch() if self.fetch is not None else self.loader

    def load(self) -> str:
        if self._text is None:
            loaded = self.loader()
            if hasattr(loaded, "text"):
                self.meta = dict(getattr(loaded, "meta", {}))
                self.read_as = loaded.read_as()
                loaded = loaded.text
            self._text = loaded
        return self._text

    def release(self) -> None:
        self._text = None


@dataclass
class InputFailure:
    """Something named as an input that cannot be one (missing file, empty pattern, bad table...)."""

    name: str
    error: InputError


def _read_file(path: Path, encoding: str | None):
    from ..readers import read_document

    return read_document(path, encoding=encoding)


def _fetch_file(path: Path, encoding: str | None) -> Callable[[], Any]:
    from ..readers import parse_document
    from ..readers.text import read_file_bytes

    return functools.partial(parse_document, read_file_bytes(path), path, encoding=encoding)


# A table's metadata columns, by default: the first present of each group goes into the document's meta.
DEFAULT_META_COLUMNS = (("title",), ("publish_date", "date"), ("source_url", "url"))


def _row_text(text: Any, name: str, meta: dict[str, str] | None = None) -> Any:
    from ..readers import ReadResult, decode_bytes

    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{name}: empty text")
    decoded = decode_bytes(text.encode("utf-8"), name)  # the same checks as a file
    return ReadResult(decoded, "utf-8", "table-row", meta=dict(meta)) if meta else decoded


def _row_meta(row: dict[str, Any], meta_columns: tuple[str, ...]) -> dict[str, str]:
    """The row's metadata: the default columns (title, publish_date or date, source_url or url) and those
    named by ``--meta-columns``, as non-empty strings."""
    meta: dict[str, str] = {}
    groups = [*DEFAULT_META_COLUMNS, *((c,) for c in meta_columns)]
    for group in groups:
        for column in group:
            value = row.get(column)
            if value is not None and not isinstance(value, (dict, list)) and str(value).strip():
                meta[column] = " ".join(str(value).split())
                break
    return meta


def file_item(path: Path, stem: str | None = None, encoding: str | None = None) -> InputItem | InputFailure:
    """A file input; anything but a regular file (a FIFO, a device, a folder) is refused at once."""
    try:
        regular = path.is_file()
    except OSError as exc:
        return InputFailure(str(path), InputError(f"{path}: cannot read ({exc.strerror or exc})"))
    if not regular:
        what = "a directory" if path.is_dir() else "not a regular file (a pipe, device or socket)"
        return InputFailure(str(path), InputError(f"{path}: {what}", hint="give report files"))
    return InputItem(key=str(path.resolve()), name=str(path), stem=stem or path.stem,
                     loader=functools.partial(_read_file, path, encoding),
                     fetch=functools.partial(_fetch_file, path, encoding))


def stdin_item(encoding: str | None = None, stream: Any = None) -> InputItem:
    """``-``: the text on standard input, read once, as a text file named ``stdin`` (output ``stdin.*``)."""
    import sys

    from ..readers import parse_document

    stream = stream if stream is not None else sys.stdin.buffer
    data = stream.read()
    loader = functools.partial(parse_document, data, Path("stdin.txt"), encoding=encoding)
    return InputItem(key="stdin", name="stdin", stem="stdin", loader=loader, fetch=lambda: loader)


def _table_items(path: Path, text_column: str, id_column: str, meta_columns: tuple[str, ...] = ()
                 ) -> Iterator[InputItem | InputFailure]:
    """Rows of a JSONL/CSV/Parquet table, streamed row by row (memory stays flat)."""
    from ..readers.tables import BadRow, iter_table_rows

    seen: dict[str, int] = {}
    resolved = str(path.resolve())
    try:
        for position, row in enumerate(iter_table_rows(path, required=(text_column, id_column)), 1):
            if isinstance(row, BadRow):  # one bad row fails alone; the rows around it stand
                yield InputFailure(f"{path}:{row.line}", InputError(f"{path}: row {row.line}: {row.reason}"))
                continue
            raw_id = row.get(id_column)
            if raw_id is None or not str(raw_id).strip():  # a row without an id: one made from its place
                log.warning("%s: row %d has no %r; named row%d", path, position, id_column, position)
                doc_id, key_id = f"row{position}", f"~row{position}"
            else:
                doc_id = str(raw_id)
                key_id = doc_id.replace("~", "~~")  # a real id never looks like a made-up suffix below
            seen[key_id] = seen.get(key_id, 0) + 1
            n = seen[key_id]
            suffix = "" if n == 1 else f"~{n}"  # a repeated id is a distinct document, with its own outputs
            name = f"{path}#{doc_id}{suffix}"
            meta = _row_meta(row, meta_columns)
            load = functools.partial(_row_text, row.get(text_column), name, meta)  # picklable: travels as it is
            stem = doc_id + ("" if n == 1 else f"-{n}")
            yield InputItem(key=f"{resolved}#{key_id}{suffix}", name=name, stem=stem, loader=load,
                            read_as={"format": "table-row", "encoding": "utf-8", **meta})
    except InputError as err:
        yield InputFailure(str(path), err)


def _symlink_loop(p: Path) -> bool:
    """Whether ``p`` is a symbolic link that leads back to itself (it names no file)."""
    if not p.is_symlink():
        return False
    try:
        p.resolve()
    except RuntimeError:  # Python < 3.13: "Symlink loop"
        return True
    except OSError as exc:  # Python >= 3.13
        return exc.errno == errno.ELOOP
    return False


def _is_output_folder(folder: Path) -> bool:
    return (folder / OUTPUT_FOLDER_MARKER).is_file()


def _directory_items(path: Path, excluded: Callable[[Path], bool], encoding: str | None
                     ) -> Iterator[InputItem | InputFailure]:
    suffixes = input_suffixes()
    found = False
    skip_dirs: set[Path] = set()
    for p in sorted(path.rglob("*")):
        rel = p.relative_to(path)
        if any(part.startswith(".") for part in rel.parts) or any(d in p.parents for d in skip_dirs):
            continue
        if _symlink_loop(p):
            log.warning("%s: a symlink loop; skipped", p)
            continue
        if p.is_dir():
            if _is_output_folder(p) or excluded(p):
                skip_dirs.add(p)  # another run's outputs, or this run's output folder
            continue
        if p.suffix.lower() not in suffixes or excluded(p):
            continue
        found = True
        yield file_item(p, stem=rel.with_suffix("").as_posix(), encoding=encoding)
    if not found:
        yield InputFailure(str(path), InputError(f"{path}: no input files ({', '.join(suffixes)}) in this directory"))


def _list_items(spec: str, visiting: tuple[Path, ...], **kw: Any) -> Iterator[InputItem | InputFailure]:
    listing = Path(spec[1:])
    key = listing.resolve()
    if key in visiting:
        yield InputFailure(str(listing), InputError(f"{listing}: the file list includes itself"))
        return
    try:
        names = [ln.strip() for ln in listing.read_text(encoding="utf-8").splitlines()]
    except UnicodeDecodeError:
        yield InputFailure(str(listing), InputError(f"{listing}: the file list is not UTF-8 text"))
        return
    except OSError as exc:
        yield InputFailure(str(listing), InputError(f"{listing}: cannot read file list ({exc.strerror or exc})"))
        return
    names = [n for n in names if n and not n.startswith("#")]
    yield from _iter_inputs(names, visiting=(*visiting, key), **kw)


def iter_inputs(
    specs: Iterable[str], *, text_column: str = "text", id_column: str = "id", exclude: Path | None = None,
    encoding: str | None = None, meta_columns: Iterable[str] = (),
) -> Iterator[InputItem | InputFailure]:
    """Expand files, directories, globs, file lists (``@list.txt``) and tables into input items.

    Files found in a directory keep their sub-folder in their output name (``a/x.txt`` -> ``a/x.md``);
    hidden files and folders, other runs' output folders and everything under ``exclude`` (this run's
    output folder) are skipped. ``encoding`` forces the codec of text files (``--encoding``).
    A table row's metadata columns (:data:`DEFAULT_META_COLUMNS` and ``meta_columns``) go with its text.
    """
    exclude_resolved = exclude.resolve() if exclude is not None else None

    def excluded(p: Path) -> bool:
        if exclude_resolved is None:
            return False
        r = p.resolve()
        return r == exclude_resolved or exclude_resolved in r.parents

    yield from _iter_inputs(list(specs), visiting=(), text_column=text_column, id_column=id_column,
                            excluded=excluded, encoding=encoding, meta_columns=tuple(meta_columns))


def _iter_inputs(specs: list[str], *, visiting: tuple[Path, ...], text_column: str, id_column: str,
                 excluded: Callable[[Path], bool], encoding: str | None, meta_columns: tuple[str, ...] = ()
                 ) -> Iterator[InputItem | InputFailure]:
    kw = dict(text_column=text_column, id_column=id_column, excluded=excluded, encoding=encoding,
              meta_columns=meta_columns)
    for spec in specs:
        if spec.startswith("@"):
            yield from _list_items(spec, visiting, **kw)
            continue
        if spec == "-" and not Path(spec).exists():
            yield stdin_item(encoding)
            continue
        path = Path(spec)
        if path.is_dir():
            yield from _directory_items(path, excluded, encoding)
        elif path.suffix.lower() in TABLE_SUFFIXES and path.is_file():
            yield from _table_items(path, text_column, id_column, meta_columns)
        elif any(ch in spec for ch in "*?[") and not path.exists():
            files = [Path(m) for m in sorted(glob.glob(spec, recursive=True))]
            files = [f for f in files if f.is_file() and not excluded(f)]
            if not files:
                yield InputFailure(spec, InputError(f"{spec}: no file matches this pattern"))
            for f in files:
                yield file_item(f, encoding=encoding)
        elif not path.exists():
            yield InputFailure(spec, InputError(f"{path}: no such file", hint="check the path"))
        else:
            yield file_item(path, encoding=encoding)


def named_files(specs: Iterable[str], _visiting: tuple[Path, ...] = ()) -> Iterator[Path]:
    """The files an input list names one by one (paths, glob matches, the entries of ``@lists``), without
    reading them; directories are left out (their walk skips the output folder anyway)."""
    for spec in specs:
        if spec.startswith("@"):
            listing = Path(spec[1:])
            key = listing.resolve() if listing.exists() else listing
            if key in _visiting:
                continue
            try:
                names = [ln.strip() for ln in listing.read_text(encoding="utf-8").splitlines()]
            except (OSError, UnicodeDecodeError):
                continue  # reported by iter_inputs
            yield from named_files([n for n in names if n and not n.startswith("#")], (*_visiting, key))
            continue
        path = Path(spec)
        if any(ch in spec for ch in "*?[") and not path.exists():
            yield from (Path(m) for m in sorted(glob.glob(spec, recursive=True)))
        elif path.is_file():
            yield path
