"""Readers: a file or a table cell -> the report's text (strict decoding, refusal of what is not a report)."""

from .text import decode_bytes, read_document_text

__all__ = ["decode_bytes", "read_document_text"]
