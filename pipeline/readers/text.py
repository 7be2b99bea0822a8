"""The I/O boundary for input files: bytes in, checked Chinese text out.

Encodings are detected by an explicit rule, never guessed silently:

1. a BOM decides (UTF-8, UTF-16 LE/BE);
2. otherwise strict UTF-8;
3. otherwise strict GB18030 (a superset of GBK and GB2312), if at least 80% of its Chinese characters are
   among GB2312's 6,763 common ones (simplified Chinese text always is);
4. otherwise strict Big5 (cp950, Traditional Chinese), on the same test against Big5's 5,401 common
   characters (level 1);
5. otherwise the file is refused. ``encoding=`` (the CLI's ``--encoding``) skips the rule and decodes with
   the named codec, strictly.

Anything that does not decode, or decodes into something that is clearly not a Chinese document, is
refused with a one-line :class:`InputError` naming the file.
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
_CJK_RANGES = (("\u3400", "\u4dbf"), ("\u4e00", "\u9fff"), ("\uf900", "\ufaff"))  # CJK ideographs
_CJK_CHARS = re.compile("[" + "".join(f"{lo}-{hi}" for lo, hi in _CJK_RANGES) + "]")
_PRIVATE_USE_CHARS = re.compile(r"[\ue000-\uf8ff]")
# Markup is not text: an HTML page with long tags must not fail the "is this Chinese" check.
_MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^<>]*>|&#?\w{1,10};", re.I | re.S)

MIN_CJK_CHARS = 5
MIN_CJK_SHARE = 0.2
MAX_CONTROL_SHARE = 0.01
MAX_PRIVATE_USE_SHARE = 0.01
# GB18030 (and Big5) decode most byte soup without error, but the result is made of rare characters. Real
# simplified-Chinese text uses GB2312's 6,763 common characters almost exclusively, traditional-Chinese
# text Big5's 5,401 level-1 characters.
MIN_COMMON_SHARE = 0.8


def decode_bytes(data: bytes, name: str) -> str:
    """Decode an input file's bytes to text, or raise :class:`InputError` saying why it is not usable."""
    return decode_bytes_with_encoding(data, name)[0]


def decode_bytes_with_encoding(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """``(text, encoding used)`` of an input file's bytes; ``encoding`` forces a codec (decoded strictly)."""
    if not data.strip():
        raise InputError(f"{name}: is empty")
    if encoding:
        text, encoding = _decode_as(data, name, encoding), canonical_encoding(encoding)
    else:
        text, encoding = _decode_strictly(data, name)
    text = text.lstrip("\ufeff")
    check_text(text, name, encoding)
    return text, encoding


def check_text(text: str, name: str, encoding: str = "") -> None:
    """Refuse text that is empty, binary or not Chinese (whatever reader produced it)."""
    if not text.strip():
        raise InputError(f"{name}: is empty")
    if _count(_CONTROL_CHARS, text) > MAX_CONTROL_SHARE * len(text):
        raise InputError(f"{name}: looks like a binary file")
    if not _looks_chinese(text, encoding):
        raise InputError(f"{name}: does not look like Chinese text")


def read_document_text(path: Path) -> str:
    """Read and decode one text input file; every failure is an :class:`InputError` naming the path."""
    return decode_bytes(read_file_bytes(path), str(path))


def read_file_bytes(path: Path) -> bytes:
    """The bytes of one regular input file; every failure is an :class:`InputError` naming the path."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file", hint="check the path")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    if not path.is_file():  # a FIFO would block forever, a device such as /dev/zero never ends
        raise InputError(f"{path}: is not a regular file", hint="give a report file")
    try:
        return path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror or err})") from None


def canonical_encoding(encoding: str) -> str:
    """Python's name for an encoding ("GBK" -> "gbk", "big5" -> "big5"); :class:`InputError` if unknown
    (for checking ``--encoding`` once, before any file is read)."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", hint="use e.g. utf-8, gb18030, big5") from None


def _decode_as(data: bytes, name: str, encoding: str) -> str:
    codec = canonical_encoding(encoding)
    if data.startswith(codecs.BOM_UTF8) and codec == "utf-8":
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode(codec)
    except UnicodeDecodeError as err:
        raise InputError(
            f"{name}: cannot decode as {codec} (invalid byte at {err.start})",
            hint="check --encoding, or leave it out to detect the encoding",
        ) from None


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
    gb_text = None
    try:
        gb_text = data.decode("gb18030")
        if _common_share(gb_text, _is_gb2312) >= MIN_COMMON_SHARE:
            return gb_text, "gb18030"
    except UnicodeDecodeError:
        pass
    try:
        big5_text = data.decode("cp950")
        if _common_share(big5_text, _is_big5_level1) >= MIN_COMMON_SHARE:
            return big5_text, "big5"
    except UnicodeDecodeError:
        pass
    if gb_text is not None:
        return gb_text, "gb18030"  # refused below as "does not look like Chinese text"
    # Most often a UTF-8 file with a few broken bytes: say where the first one is.
    raise InputError(
        f"{name}: cannot decode as UTF-8, UTF-16 (BOM) or GB18030 (invalid UTF-8 at byte {utf8_error.start})",
        hint="convert it to UTF-8, or name its encoding with --encoding",
    )


def _looks_chinese(text: str, encoding: str) -> bool:
    visible = "".join(_MARKUP.sub(" ", text).split())
    cjk = _count(_CJK_CHARS, visible)
    if cjk < MIN_CJK_CHARS or cjk < MIN_CJK_SHARE * len(visible):
        return False
    if _count(_PRIVATE_USE_CHARS, visible) > MAX_PRIVATE_USE_SHARE * len(visible):
        return False
    if encoding == "gb18030":
        # Only checked for the GB18030 fallback: UTF-8 text may legitimately be traditional Chinese.
        return _common_share(visible, _is_gb2312) >= MIN_COMMON_SHARE
    return True


def _count(chars: re.Pattern, text: str) -> int:
    """How many characters of ``text`` the one-character class ``chars`` matches (without a list of them:
    a 20 MB report has millions)."""
    return len(text) - len(chars.sub("", text))


def _common_share(text: str, is_common) -> float:
    cjk = common = 0
    for char in text:
        if any(lo <= char <= hi for lo, hi in _CJK_RANGES):
            cjk += 1
            common += is_common(char)
    return common / cjk if cjk else 0.0


def _is_big5_level1(char: str) -> bool:
    try:
        encoded = char.encode("cp950")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and 0xA4 <= encoded[0] <= 0xC6


def _is_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True
