"""Writing into the output folder: atomic files, the folder lock, stale temporaries.

A reader of the output folder sees an old file or a new one, never half of one; two runs into one folder
never interleave (the second waits for the lock or refuses); temporaries left by a killed run are removed
by the next one.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputError

LOCK_NAME = ".lock"
TMP_PREFIX = "."
TMP_SUFFIX = ".tmp"


def ensure_writable(folder: Path) -> None:
    """Fail early (before models load) when the output folder cannot be created or written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-probe-{secrets.token_hex(4)}{TMP_SUFFIX}"
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"{folder}: output folder not writable ({exc.strerror or exc})") from None


def inputs_in_the_way(files: Iterable[Path], folder: Path, suffixes: Iterable[str], names: Iterable[str]
                      ) -> list[Path]:
    """The input files inside the output folder ``folder`` that a run could overwrite: those with the
    suffix of a document's file (``suffixes``: ``.md``, ``.json``, ``.html``) or the name of one of the
    folder's own files (``names``: ``index.md``, ``manifest.jsonl``, ...)."""
    root = Path(folder).resolve()
    suffixes = {s.lower() for s in suffixes}
    names = {n.lower() for n in names}
    found = []
    for f in files:
        try:
            resolved = Path(f).resolve()
        except (OSError, RuntimeError):  # a symlink loop: not a file any run reads or writes
            continue
        if root in resolved.parents and (resolved.suffix.lower() in suffixes or resolved.name.lower() in names):
            found.append(Path(f))
    return found


ENCODE_CHUNK = 1 << 20  # characters encoded at a time by write_atomic


def temporary_path(path: Path) -> Path:
    return path.parent / f"{TMP_PREFIX}{path.name}.{secrets.token_hex(6)}{TMP_SUFFIX}"


def _make_room(path: Path) -> None:
    """The folder of ``path`` made; a folder where the file goes is refused (OSError)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "a folder is in the way")


@contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write into; renamed onto ``path`` when the block succeeds,
    removed when it fails. OS errors become one :class:`OutputError` naming ``path``."""
    path = Path(path)
    tmp = temporary_path(path)
    try:
        _make_room(path)
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    finally:
        if tmp.exists():
            tmp.unlink()


def _write_new(tmp: Path, text: str | bytes | Iterable[str]) -> str:
    """Create ``tmp`` (it must not exist), write ``text`` into it, fsync; return the bytes' SHA-256."""
    digest = hashlib.sha256()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "wb", buffering=ENCODE_CHUNK) as f:
        def put(data: bytes) -> None:
            digest.update(data)
            f.write(data)

        if isinstance(text, bytes):
            put(text)
        elif isinstance(text, str):
            for start in range(0, len(text), ENCODE_CHUNK):
                put(text[start : start + ENCODE_CHUNK].encode("utf-8"))
        else:
            for piece in text:
                put(piece.encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())
    return digest.hexdigest()


def write_atomic(path: Path, text: str | bytes | Iterable[str]) -> str:
    """Write ``text`` (or its pieces, in order) to ``path`` so that readers see the old file or the new one,
    never half of one. Text is encoded piece by piece: a large output is never in memory twice. Returns
    the SHA-256 of the bytes written.

    The temporary file is created with mode 0o666 minus the umask, as any ordinary output."""
    with atomic_target(path) as tmp:
        return _write_new(tmp, text)


def file_sha256(path: Path) -> str | None:
    """The SHA-256 of a file's bytes, or None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(ENCODE_CHUNK):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


class StagedFiles:
    """A document's files written to temporaries beside their places first (``write``), then renamed onto
    them together (``commit``): the manifest line that records their hashes is appended in between, so a
    file of the output folder that no manifest line claims was never written by a run (a kill before the
    line leaves only temporaries, which the next run removes). Leaving the block without ``commit``
    removes the temporaries."""

    def __init__(self) -> None:
        self.staged: list[tuple[Path, Path]] = []  # (temporary, final path)

    def write(self, path: Path, text: str | bytes | Iterable[str]) -> str:
        path = Path(path)
        tmp = temporary_path(path)
        try:
            _make_room(path)
            self.staged.append((tmp, path))
            return _write_new(tmp, text)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None

    def commit(self) -> None:
        while self.staged:
            tmp, path = self.staged[0]
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
            self.staged.pop(0)

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        for tmp, _ in self.staged:
            try:
                tmp.unlink()
            except OSError:
                pass
        self.staged = []


def remove_stale_temporaries(folder: Path) -> int:
    """Delete temporaries a killed run left (``.NAME.XXXX.tmp``); call it while holding the folder lock."""
    removed = 0
    for tmp in folder.rglob(f"{TMP_PREFIX}*{TMP_SUFFIX}"):
        if ".cache" in tmp.relative_to(folder).parts or not tmp.is_file():
            continue
        try:
            tmp.unlink()
            removed += 1
        except OSError:
            pass
    return removed


class FolderLock:
    """An exclusive lock on an output folder, held for a whole run (released by the OS if the run dies).

    A second run into the same folder refuses at once with one line rather than overwriting work."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> FolderLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise OutputError(f"{self.path.parent}: cannot lock the output folder ({exc.strerror or exc})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "another process"
            os.close(fd)
            raise OutputError(
                f"{self.path.parent}: another run is writing to this output folder (pid {holder})",
                hint="wait for it to finish, or give this run another --out",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
