"""The library's error hierarchy. Library code raises these; only the CLI turns them into one line + exit code."""

from __future__ import annotations


class PipelineError(Exception):
    """Base class: ``str(err)`` is a complete one-line message; ``hint`` says how to fix it."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint

    def line(self) -> str:
        """The one line a user sees: ``what went wrong; how to fix it``."""
        return str(self) + (f"; {self.hint}" if self.hint else "")


class InputError(PipelineError):
    """A bad input file: missing, empty, binary, undecodable, not Chinese, ..."""

    exit_code = 2


class ConfigError(PipelineError):
    """A bad config file, key or value (the message names the dotted key and what is allowed)."""

    exit_code = 3


class ModelNotAvailableError(PipelineError):
    """A model is neither a local folder nor in the Hugging Face cache (a run never downloads)."""

    exit_code = 4


class EngineNotAvailableError(PipelineError):
    """The engine asked for (``--engine ray``) is not installed, or its cluster cannot be reached."""

    exit_code = 4


class OutputError(PipelineError):
    """An output could not be written (unwritable folder, full disk, ...)."""

    exit_code = 5


def describe_exception(exc: BaseException) -> str:
    """``Type: first line of the message`` (at most 200 characters): a foreign exception in one line."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0][:200]}" if text else type(exc).__name__
