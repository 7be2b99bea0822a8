"""The I/O boundary for input files: bytes in, checked Chinese text out.

Encodings are detected, never guessed silently: a BOM decides, otherwise strict UTF-8, otherwise strict
GB18030 (a superset of GBK and GB2312). Anything that does not decode, or decodes into something that is
clearly not a Chinese document, is refused with a one-line :class:`InputError` naming the file.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from pipeline.errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),  # the "utf-16" codec reads and drops the BOM itself
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Controls other than tab, newline, vertical tab, form feed and carriage return never occur in text files.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_CJK_CHARS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_PRIVATE_USE_CHARS = re.compile(r"[\ue000-\uf8ff]")
# Markup is not text: an HTML page with long tags must not fail the "is this Chinese" check.
_MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^<>]*>|&#?\w{1,10};", re.I | re.S)

MIN_CJK_CHARS = 5
MIN_CJK_SHARE = 0.2
MAX_CONTROL_SHARE = 0.01
MAX_PRIVATE_USE_SHARE = 0.01
# GB18030 decodes most byte soup without error, but the result is made of rare characters. Real
# simplified-Chinese text uses GB2312's 6,763 common characters almost exclusively.
MIN_GB2312_SHARE_AFTER_GB18030 = 0.8


def decode_bytes(data: bytes, name: str) -> str:
    """Decode an input file's bytes to text, or raise :class:`InputError` saying why it is not usable."""
    if not data.strip():
        raise InputError(f"{name}: is empty")
    text, encoding = _decode_strictly(data, name)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputError(f"{name}: is empty")
    if len(_CONTROL_CHARS.findall(text)) > MAX_CONTROL_SHARE * len(text):
        raise InputError(f"{name}: looks like a binary file")
    if not _looks_chinese(text, encoding):
        raise InputError(f"{name}: does not look like Chinese text")
    return text


def read_document_text(path: Path) -> str:
    """Read and decode one input file; every failure is an :class:`InputError` naming the path."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file", hint="check the path")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror or err})") from None
    return decode_bytes(data, str(path))


def _decode_strictly(data: bytes, name: str) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise InputError(f"{name}: cannot decode as UTF-8, UTF-16 (BOM) or GB18030") from None
    # A NUL byte is legal UTF-8 but never appears in a UTF-8 or GB18030 text file; without a BOM,
    # UTF-16 text is not supported, so NULs mean binary.
    if b"\x00" in data:
        raise InputError(f"{name}: looks like a binary file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        utf8_error = err
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    # Most often a UTF-8 file with a few broken bytes: say where the first one is.
    raise InputError(
        f"{name}: cannot decode as UTF-8, UTF-16 (BOM) or GB18030 (invalid UTF-8 at byte {utf8_error.start})"
    )


def _looks_chinese(text: str, encoding: str) -> bool:
    visible = "".join(_MARKUP.sub(" ", text).split())
    cjk = _CJK_CHARS.findall(visible)
    if len(cjk) < MIN_CJK_CHARS or len(cjk) < MIN_CJK_SHARE * len(visible):
        return False
    if len(_PRIVATE_USE_CHARS.findall(visible)) > MAX_PRIVATE_USE_SHARE * len(visible):
        return False
    if encoding == "gb18030":
        # Only checked for the GB18030 fallback: UTF-8 text may legitimately be traditional Chinese.
        common = sum(1 for char in cjk if _is_gb2312(char))
        return common >= MIN_GB2312_SHARE_AFTER_GB18030 * len(cjk)
    return True


def _is_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True
