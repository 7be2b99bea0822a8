"""Images of pages (PNG, JPEG, TIFF, multi-page TIFF included) -> text by OCR (:mod:`.ocr`), through the
PDF reader's layout rules (running headers, page numbers, line joins), in the image's own pixels."""

from __future__ import annotations

import io
from pathlib import Path

from pipeline.errors import InputError

from .pdf import MIN_TEXT_CHARS, PdfText, _visible, lines_to_text, ocr_lines, ocr_provenance

IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
MAX_IMAGE_PIXELS = 200_000_000  # a page at 600 dpi is 35 million; more is not a page (a decompression bomb)


def is_image(data: bytes) -> bool:
    return data.startswith(IMAGE_SIGNATURES)


def read_image(path: Path, data: bytes) -> PdfText:
    """The text of an image file's pages, read by OCR; :class:`InputError` if there is none."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    from .ocr import check_ocr, ocr_page

    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise InputError(f"{path}: the image is too large for a page ({image.width} × {image.height} pixels)",
                             hint="scan the pages at 300 dpi")
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError) as err:
        raise InputError(f"{path}: cannot read as an image ({type(err).__name__})",
                         hint="check that the file is a complete PNG, JPEG or TIFF") from None
    check_ocr(str(path))
    scanned, pages = [], []
    for index, frame in enumerate(ImageSequence.Iterator(image)):
        dpi = frame.info.get("dpi")  # what the scanner recorded, if anything
        page = ocr_page(frame.copy(), index + 1, str(path), float(dpi[0]) if isinstance(dpi, tuple) and dpi else None)
        scanned.append(page)
        pages.append(ocr_lines(page, index, float(frame.height), 1.0))
    text, repairs = lines_to_text(pages)
    if len(_visible(text)) < MIN_TEXT_CHARS:
        raise InputError(f"{path}: OCR found no text in the image", hint="check that it shows the report's text, upright and legible")
    return PdfText(text, ocr_provenance(scanned, repairs))
