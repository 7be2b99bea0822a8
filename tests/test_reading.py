"""Reading input files: encodings are detected, bad inputs are refused with one line naming the file."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.readers import READABLE_SUFFIXES, ReadResult, decode_bytes, read_document, read_document_text
from pipeline.readers.text import decode_bytes_with_encoding

REPORT = "各位代表：现在，我代表市人民政府向大会报告工作，请予审议。一、过去一年工作回顾。全市生产总值增长5.2%。\n"
CORPUS = Path(__file__).resolve().parent / "data" / "segment"


@pytest.mark.parametrize(
    "data",
    [
        REPORT.encode("utf-8"),
        b"\xef\xbb\xbf" + REPORT.encode("utf-8"),
        b"\xff\xfe" + REPORT.encode("utf-16-le"),
        b"\xfe\xff" + REPORT.encode("utf-16-be"),
        REPORT.encode("gbk"),
        REPORT.encode("gb18030"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "gbk", "gb18030"],
)
def test_decodes_supported_encodings(data: bytes):
    assert decode_bytes(data, "report.txt") == REPORT


@pytest.mark.parametrize(
    "name, first_line",
    [
        ("05-gbk-encoded.txt", "2022年某乡镇政府工作报告"),
        ("06-utf16-bom.txt", "2023年某街道工作报告"),
        ("07-utf8-bom.txt", "关于2024年民生实事项目完成情况的报告"),
    ],
)
def test_reads_corpus_encodings(name: str, first_line: str):
    assert read_document_text(CORPUS / name).splitlines()[0] == first_line


def test_keeps_traditional_chinese_in_utf8():
    text = "各位代表：現在，我代表市政府向大會報告工作，請予審議。經濟運行總體平穩。"
    assert decode_bytes(text.encode("utf-8"), "zh-hant.txt") == text


def _refusal(data: bytes, name: str = "in.txt") -> str:
    with pytest.raises(InputError) as caught:
        decode_bytes(data, name)
    message = str(caught.value)
    assert message.startswith(f"{name}: ") and "\n" not in message
    return message


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", b"\xef\xbb\xbf", b"\xff\xfe", "\u3000\n".encode("utf-8")])
def test_refuses_empty(data: bytes):
    assert _refusal(data).endswith("is empty")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        REPORT.encode("utf-16-le"),  # UTF-16 without a BOM is not supported: NUL bytes
        b"\xff\xfe" + bytes(range(1, 32)).decode("latin-1").encode("utf-16-le") * 5 + REPORT.encode("utf-16-le"),
        b"\x01\x02\x03\x04\x05\x06\x07\x08" * 20 + REPORT.encode("utf-8"),
    ],
    ids=["png", "utf-16-without-bom", "utf-16-controls", "utf-8-controls"],
)
def test_refuses_binary(data: bytes):
    assert _refusal(data).endswith("looks like a binary file")


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\x00\xd8",  # UTF-16 BOM, then a lone surrogate
        b"\xef\xbb\xbf\xff\xff" + REPORT.encode("utf-8"),  # UTF-8 BOM, then bytes UTF-8 cannot have
        REPORT.encode("utf-8") + b"\x80\x80\xff",  # neither UTF-8 nor GB18030
    ],
)
def test_refuses_undecodable(data: bytes):
    assert ": cannot decode as UTF-8, UTF-16 (BOM) or GB18030" in _refusal(data)


@pytest.mark.parametrize(
    "text",
    [
        "This is an English report. Growth was 5.2% in 2024.\n" * 5,
        "<html><body><p>Hello 你好</p></body></html>",
        "1234567890 " * 40 + "增长",
        "\ue000\ue001\ue002\ue003" * 20 + REPORT,  # private-use characters
    ],
    ids=["english", "too-few-cjk", "numbers", "private-use"],
)
def test_refuses_non_chinese(text: str):
    assert _refusal(text.encode("utf-8")).endswith("does not look like Chinese text")


def test_refuses_byte_soup_that_gb18030_decodes():
    # Random bytes in GBK's two-byte range decode without error into rare characters.
    rng = random.Random(7)
    data = bytes(b for _ in range(400) for b in (rng.randint(0x81, 0xFE), rng.randint(0x40, 0xFE)) if b != 0x7F)
    data = data.decode("gb18030", errors="ignore").encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert _refusal(data).endswith("does not look like Chinese text")


def test_utf8_with_a_broken_byte_is_reported_as_undecodable():
    offset = len(REPORT[:10].encode("utf-8"))
    data = REPORT.encode("utf-8")[:offset] + b"\xff" + REPORT.encode("utf-8")[offset:]
    message = _refusal(data)
    assert message.endswith(f"cannot decode as UTF-8, UTF-16 (BOM) or GB18030 (invalid UTF-8 at byte {offset})")


def test_html_page_with_long_markup_is_still_chinese():
    page = "<div class='x' style='" + "a" * 2000 + "'>" + REPORT + "</div>"
    assert decode_bytes(page.encode("utf-8"), "page.html") == page


def test_read_missing_file(tmp_path: Path):
    with pytest.raises(InputError, match=r"nope\.txt: no such file$"):
        read_document_text(tmp_path / "nope.txt")


def test_read_directory(tmp_path: Path):
    with pytest.raises(InputError, match="is a directory"):
        read_document_text(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="permissions are not enforced for root")
def test_read_unreadable_file(tmp_path: Path):
    path = tmp_path / "secret.txt"
    path.write_text(REPORT, encoding="utf-8")
    path.chmod(0)
    try:
        with pytest.raises(InputError, match=r"secret\.txt: cannot read"):
            read_document_text(path)
    finally:
        path.chmod(0o644)


def test_read_names_the_file_in_errors(tmp_path: Path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=rf"^{path}: is empty$"):
        read_document_text(path)


def test_read_sample():
    text = read_document_text(Path(__file__).resolve().parents[1] / "examples" / "yuyao-2020-h1-report.txt")
    assert text.startswith("发布日期")


# --- Traditional Chinese, Big5 and a forced encoding ------------------------------------------------

TRADITIONAL = "各位代表：現在，我代表縣人民政府向大會報告工作，請予審議。壹、過去一年工作回顧。全縣生產總值增長5.6%。\n"


def test_big5_is_detected_after_gb18030_fails_its_common_character_test():
    data = TRADITIONAL.encode("big5")
    assert decode_bytes_with_encoding(data, "zh-hant.txt") == (TRADITIONAL, "big5")
    # the same bytes decode as GB18030 without error, into rare characters: the rule must not stop there
    assert data.decode("gb18030") != TRADITIONAL


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8"])
def test_simplified_chinese_is_never_read_as_big5(encoding: str):
    text, used = decode_bytes_with_encoding(REPORT.encode(encoding), "report.txt")
    assert text == REPORT and used == ("utf-8" if encoding == "utf-8" else "gb18030")


def test_forced_encoding_decodes_strictly_and_is_recorded(tmp_path: Path):
    path = tmp_path / "report.txt"
    path.write_bytes(TRADITIONAL.encode("big5"))
    assert read_document(path, encoding="big5") == ReadResult(TRADITIONAL, "big5", "text")
    with pytest.raises(InputError, match=r"report\.txt: cannot decode as utf-8 \(invalid byte at 0\)$") as caught:
        read_document(path, encoding="utf-8")
    assert "--encoding" in caught.value.hint
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        read_document(path, encoding="klingon")


def test_corpus_big5_file():
    result = read_document(CORPUS / "35-traditional-big5.txt")
    assert (result.encoding, result.format) == ("big5", "text")
    assert result.text.startswith("某縣政府工作報告")


@pytest.mark.parametrize(
    "name, fmt", [("a.txt", "text"), ("a.md", "markdown"), ("a.markdown", "markdown"), ("a.html", "html"), ("a.htm", "html")]
)
def test_format_follows_the_suffix_for_text_files(tmp_path: Path, name: str, fmt: str):
    path = tmp_path / name
    path.write_text(REPORT, encoding="utf-8")
    assert read_document(path) == ReadResult(REPORT, "utf-8", fmt)
    assert Path(name).suffix in READABLE_SUFFIXES


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"pipe\.txt: is not a regular file$"):
        read_document(fifo)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused():
    with pytest.raises(InputError, match="is not a regular file"):
        read_document_text(Path("/dev/zero"))
