"""OCR: page images -> lines with positions and confidences, via Tesseract (Apache-2.0) through pytesseract.

Tesseract reads each page image with its Simplified Chinese model and the English one (``chi_sim+eng``:
Latin letters and figures); every recognised word comes with its box and a confidence (0-100). Words
are grouped into Tesseract's lines, and each line carries its box, so the PDF reader's layout rules
(running headers, page numbers, line joins) apply to OCR'd pages as to text pages.

Tesseract and its Chinese data are system packages (Debian: ``tesseract-ocr``, ``tesseract-ocr-chi-sim``);
where they are missing, an input that needs OCR is refused with one line naming them (:func:`check_ocr`),
and every other input reads as before.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import InputError

OCR_LANGUAGES = ("chi_sim",)
OCR_CONFIG = "--psm 3"
OCR_DPI = 300  # page images are rendered at this resolution (Tesseract reads best at 300 dpi)
# A word holding a figure read with a confidence below this is flagged for checking against the scan.
LOW_CONFIDENCE = 80.0
PACKAGES = "tesseract-ocr tesseract-ocr-chi-sim"
_INSTALL_HINT = f"install Tesseract and its Chinese data (Debian/Ubuntu: apt-get install {PACKAGES}) and rerun"
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_DIGIT = re.compile(r"[0-9０-９]")
# A word of a figure: digits with their decimal point, thousands separators and a percent or per-mille sign.
_FIGURE = re.compile(r"[0-9０-９][0-9０-９.．,，]*[%％‰]?")


@dataclass
class OcrWord:
    text: str
    confidence: float  # 0-100, Tesseract's
    left: float
    top: float
    right: float
    bottom: float


@dataclass
class OcrLine:
    words: list[OcrWord] = field(default_factory=list)

    @property
    def left(self) -> float:
        return min(w.left for w in self.words)

    @property
    def right(self) -> float:
        return max(w.right for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)


@dataclass
class OcrPage:
    """One page read by OCR: its lines, and how sure Tesseract was."""

    number: int  # 1-based
    lines: list[OcrLine]

    @property
    def confidence(self) -> float | None:
        """The mean word confidence of the page, weighted by characters (None: no words)."""
        words = [w for line in self.lines for w in line.words]
        chars = sum(len(w.text) for w in words)
        return round(sum(w.confidence * len(w.text) for w in words) / chars, 1) if chars else None

    def uncertain_figures(self, threshold: float = LOW_CONFIDENCE) -> list[dict[str, Any]]:
        """Figures in words read below ``threshold``: what a reader must check against the scan."""
        found = []
        for line in self.lines:
            for word in line.words:
                if word.confidence < threshold and _DIGIT.search(word.text):
                    for figure in _FIGURE.findall(word.text):
                        found.append({"page": self.number, "figure": figure, "confidence": round(word.confidence, 1)})
        return found


def check_ocr(name: str) -> None:
    """:class:`InputError` naming the packages when Tesseract, its Python wrapper or its Chinese data is
    missing (checked only for an input that needs OCR)."""
    try:
        import pytesseract
    except ImportError:
        raise InputError(f"{name}: reading a scan needs OCR, and pytesseract is not installed",
                         hint=f"pip install pytesseract; {_INSTALL_HINT}") from None
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise InputError(f"{name}: reading a scan needs OCR, and Tesseract is not installed", hint=_INSTALL_HINT)
    try:
        languages = set(pytesseract.get_languages(config=""))
    except Exception as err:  # a broken installation: say which, once
        raise InputError(f"{name}: Tesseract does not run ({type(err).__name__})", hint=_INSTALL_HINT) from None
    missing = [lang for lang in OCR_LANGUAGES if lang not in languages]
    if missing:
        raise InputError(f"{name}: reading a scan needs Tesseract's {'+'.join(missing)} data, which is not installed",
                         hint=_INSTALL_HINT)


def tesseract_version() -> str:
    import pytesseract

    return str(pytesseract.get_tesseract_version())


def ocr_page(image: Any, number: int, name: str, dpi: float | None = None) -> OcrPage:
    """The lines Tesseract reads on one page image (a PIL image), in reading order, with their boxes in
    the image's pixels; ``dpi``: the image's resolution where known (Tesseract guesses it otherwise)."""
    import pytesseract

    config = OCR_CONFIG + (f" --dpi {round(dpi)}" if dpi and 70 <= dpi <= 1200 else "")
    try:
        data = pytesseract.image_to_data(
            image.convert("L"), lang="+".join(OCR_LANGUAGES), config=config, output_type=pytesseract.Output.DICT
        )
    except pytesseract.TesseractError as err:
        raise InputError(f"{name}: OCR failed on page {number} ({str(err.message).strip()[:120]})") from None
    lines: dict[tuple[int, int, int], OcrLine] = {}
    for i, text in enumerate(data["text"]):
        text = text.strip()
        if not text:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        left, top = float(data["left"][i]), float(data["top"][i])
        word = OcrWord(text, max(0.0, float(data["conf"][i])), left, top, left + data["width"][i], top + data["height"][i])
        lines.setdefault(key, OcrLine()).words.append(word)
    return OcrPage(number, list(lines.values()))


def chinese_quotes(lines: list[str]) -> list[str]:
    """Straight quotes Tesseract reads for Chinese curly ones (“ ”), put back where they touch a Chinese
    character: closing before punctuation or another quote, opening after punctuation, otherwise
    opening and closing in turn (a sentence end closes any quote left open)."""
    opened = False
    out = []
    for line in lines:
        chars = list(line)
        for i, char in enumerate(chars):
            if char in "。！？；!?;，,：:":
                opened = False
            if char not in "\"“”":
                continue
            before, after = chars[i - 1] if i else "", chars[i + 1] if i + 1 < len(chars) else ""
            if char == '"' and not (_CJK.match(before or " ") or _CJK.match(after or " ")):
                continue
            if after and after in _CLOSES_BEFORE:
                opening = False
            elif not before or before in _OPENS_AFTER:
                opening = True
            elif char != '"':
                opening = char == "“"
            else:
                opening = not opened
            chars[i] = "“" if opening else "”"
            opened = opening
        out.append("".join(chars))
    return out


# "《四)": an opening bracket of a heading marker read as a title mark (《 never closes with a bracket).
_MARKER_BRACKET = re.compile(r"^[《〈<]([一二三四五六七八九十]{1,3}[)）])")


def fix_marker_brackets(lines: list[str]) -> list[str]:
    """A heading marker's opening bracket that OCR read as a title mark, put back ("《四)" -> "(四)")."""
    return [_MARKER_BRACKET.sub(r"(\1", line) for line in lines]


_CLOSES_BEFORE = "，。、；：！？,.;:!?）)\"“"
_OPENS_AFTER = "，。、；：！？,;:!?（(”"


def line_text(line: OcrLine, size: float, cell_gap: float, separator: str) -> str:
    """A line's words as text: no space next to a Chinese character, one between Latin words and
    figures, ``separator`` across a gap wider than ``cell_gap`` (table cells)."""
    text, previous = "", None
    for word in line.words:
        if previous is not None:
            gap = word.left - previous.right
            if gap > cell_gap:
                text += separator
            elif not (_CJK.search(previous.text[-1]) or _CJK.search(word.text[0])) and gap > 0.15 * size:
                text += " "
        text += word.text
        previous = word
    return text


def flag_uncertain_figures(doc: Any, ocr: dict[str, Any] | None) -> int:
    """Flag each segment holding a figure OCR read with a low confidence (``ocr``: the provenance record
    of :func:`~.pdf.ocr_provenance`), in document order, each figure once; the number flagged. A figure
    that is in no segment (a heading, the metadata) stays in the provenance record."""
    from pipeline.document import Flag

    if not ocr:
        return 0
    segments = list(doc.all_segments())
    start, flagged = 0, 0
    for item in ocr.get("uncertain_figures", []):
        figure = str(item.get("figure", ""))
        if not figure:
            continue
        for i in range(start, len(segments)):
            if figure in segments[i].zh:
                detail = (f"{figure} was read by OCR with confidence {item.get('confidence')} on page {item.get('page')}:"
                          " check it against the scan")
                segments[i].flags.append(Flag("ocr", "low-confidence", detail))
                start, flagged = i, flagged + 1
                break
    return flagged
