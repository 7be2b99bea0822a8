"""What the user sees while a run works: a bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import sys


class ConsoleProgress:
    """On a terminal: a tqdm bar over sentences plus one line per finished document. When stderr is not a
    terminal (a log file, CI): no ``\\r`` frames, one plain line per stage and per document."""

    def __init__(self, quiet: bool, *, stream=None):
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.bar = None
        self.total = 0
        self.done = 0
        self.documents = 0

    def _line(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def add_total(self, n: int) -> None:
        self.total += n
        if self.quiet or not self.tty:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=n, unit="sent", desc="translating", dynamic_ncols=True, file=self.stream)
            return
        self.bar.total += n
        self.bar.refresh()

    def advance(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)

    def stage(self, name: str, detail: str) -> None:
        if name in ("redo", "note"):  # always worth saying: why a done document is redone, a duplicate dropped
            self._line(f"note: {detail}")
        elif self.bar is not None:
            self.bar.set_description(f"{name} ({self.documents} documents done)", refresh=True)
        elif not self.quiet and not self.tty:
            self._line(f"{name}: {detail}")

    def document_done(self, name: str, ok: bool, message: str) -> None:
        if not ok:
            self._line(f"error: {message}")
            return
        self.documents += 1
        if not self.quiet:
            self._line(f"ok [{self.documents}]: {name}: {message}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
