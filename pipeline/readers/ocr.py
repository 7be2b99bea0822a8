"""OCR: page images -> lines with positions and confidences, via Tesseract (Apache-2.0) through pytesseract.

Tesseract reads each page image with its Simplified Chinese model (``chi_sim``, which reads Latin letters
and figures too; ``chi_sim+eng`` agreed less on the sample scan, see docs/inputs.md); every recognised word
comes with its box and a confidence (0-100). Words are grouped into Tesseract's lines, and each line
carries its box, so the PDF reader's layout rules (running headers, page numbers, line joins) apply to
OCR'd pages as to text pages. What OCR gets wrong in Chinese and can be put back is repaired here:
quotes, a marker's bracket read as a title mark, and heading markers misread at a paragraph start, from
the sequence of their siblings (:func:`repair_markers`, recorded and flagged for checking).

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


# What OCR makes of a heading marker, followed by the heading's Chinese title: the brackets (or the 、) kept
# and the numeral read as Latin letters, marks or symbols ("(六)" as "(XA)", "（十）" as "(+)"), never as a
# Chinese character (a bracketed Chinese word, "（注）", is text) nor as digits alone (a bracketed figure);
# or the numeral read and the opening bracket lost ("(三)" as "三)").
_UNREADABLE = r"[^\s\u3400-\u9fff（）()、，,。；;：:]"
# A figure, or specks read as marks ("`、" where a wrapped line starts with 、): what a numeral does not look like.
_NOT_A_NUMERAL = re.compile(r"[0-9０-９.．,，%％ ]+|[`'‘’\"“”.,·:;_|*°~^ ]+")
_MISREAD_MARKERS = {
    "cn_paren": re.compile(rf"(?:[（(《〈<{{\[](?P<unreadable>{_UNREADABLE}(?: ?{_UNREADABLE}){{0,2}})"
                           r"|[《〈<{\[]?(?P<numeral>[一二三四五六七八九十]{1,3}))[）)》〉>}\]](?=\s*[\u4e00-\u9fff])"),
    "cn_dun": re.compile(rf"(?P<unreadable>{_UNREADABLE}{{1,2}})、(?=\s*[\u4e00-\u9fff])"),
}


@dataclass(frozen=True)
class _MarkerStart:
    index: int  # the line
    kind: str  # the marker kind (pipeline.segment.markers), "cn_paren" for "（一）" and "(一)" alike
    number: int | None  # None: a token of that kind that OCR misread
    text: str  # the marker (or the misread token) as read
    numeral: int | None = None  # the number a misread token still shows ("三)"), which the repair must agree with


def repair_markers(lines: list[str], paragraph_starts: list[bool] | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """Heading markers OCR misread (``(XA)`` for ``(六)``, ``三)`` for ``(三)``), put back where the sequence
    of their siblings at line starts allows exactly one number; the lines, and one record per repair
    (``line``: its index, ``read``: the token as read, ``marker``: the marker put in its place).
    ``paragraph_starts``: which lines start a paragraph (by the layout); a token elsewhere is text.

    A line-start token of a marker's shape that is no valid marker (brackets, or a 、, around no Chinese
    character and no figure; or a Chinese numeral that lost its opening bracket, which must then agree)
    is read as a sibling of the list around it, and only when its number is forced:

    * between two siblings that leave room for exactly the misread tokens between them ((五), the token,
      (七): (六));
    * the one token right after a list's last sibling, before the marker that closes the list (the next
      marker of the list's parent kind, e.g. 三、, or the end): the next number ((五), the token, 三、: (六));
      the list must run from its first number, and its parent is the nearest other marker before that;
    * the one token before a list's second sibling, where no earlier sibling belongs to that list: (一).

    Anything else (two numbers possible, a token where the list has no room, a bracketed Chinese word) is
    left as read."""
    from pipeline.segment.markers import _MARKER, _marker_identity, _numeral_value

    starts: list[_MarkerStart] = []
    for i, line in enumerate(lines):
        text = line.lstrip()
        valid = _MARKER.match(text)
        if valid is not None and _marker_identity(valid)[1] is not None:
            kind, number = _marker_identity(valid)
            starts.append(_MarkerStart(i, kind, number, valid.group()))
            continue
        if paragraph_starts is not None and not paragraph_starts[i]:
            continue
        for kind, pattern in _MISREAD_MARKERS.items():
            token = pattern.match(text)
            if token is None or (token.group("unreadable") and _NOT_A_NUMERAL.fullmatch(token.group("unreadable"))):
                continue
            numeral = token.groupdict().get("numeral")
            starts.append(_MarkerStart(i, kind, None, token.group(), _numeral_value(numeral) if numeral else None))
            break
    out, repairs = list(lines), []
    for kind in _MISREAD_MARKERS:
        family = [s for s in starts if s.kind == kind]
        j = 0
        while j < len(family):
            if family[j].number is not None:
                j += 1
                continue
            k = j
            while k < len(family) and family[k].number is None:
                k += 1
            numbers = _forced_numbers(starts, family, j, k, len(lines))
            if numbers is not None and any(t.numeral not in (None, n) for t, n in zip(family[j:k], numbers)):
                numbers = None  # a numeral still legible in a token disagrees with the sequence
            sibling = family[j - 1] if j and family[j - 1].number is not None else family[k] if k < len(family) else None
            if numbers is not None and sibling is not None:
                for token, number in zip(family[j:k], numbers):
                    marker = _marker_like(sibling.text, number)
                    line = out[token.index]
                    indent = line[: len(line) - len(line.lstrip())]
                    out[token.index] = indent + marker + line.lstrip()[len(token.text):]
                    repairs.append({"line": token.index, "read": token.text, "marker": marker})
            j = k
    repairs.sort(key=lambda r: r["line"])
    return out, repairs


def _forced_numbers(starts: list[_MarkerStart], family: list[_MarkerStart], j: int, k: int, end: int) -> list[int] | None:
    """The numbers of the misread tokens ``family[j:k]`` where their siblings force them, else None."""
    prev = family[j - 1] if j else None
    after = family[k] if k < len(family) else None
    if prev is not None and after is not None and after.number == prev.number + (k - j) + 1:
        return list(range(prev.number + 1, after.number))  # room for exactly these between two siblings
    if k - j != 1:
        return None
    token = family[j]
    if prev is not None:
        closes = _list_end(starts, family, j - 1, end)
        if closes is None:
            return None  # the list's shape is not known
        if token.index < closes:  # in prev's list: its next number, if no later sibling is in that list
            return [prev.number + 1] if after is None or after.index > closes else None
    # a list of its own (nothing before it, or prev's list has closed): its first number, before its second
    return [1] if after is not None and after.number == 2 else None


def _list_end(starts: list[_MarkerStart], family: list[_MarkerStart], last: int, end: int) -> int | None:
    """The line where the list holding ``family[last]`` closes: the next marker of its parent's kind (the
    nearest other marker before the list's first number), or ``end`` when nothing precedes the list; None
    when the list does not run from its first number (its shape is not known)."""
    first = last
    while first > 0 and family[first - 1].number is not None and family[first - 1].number == family[first].number - 1:
        first -= 1
    if family[first].number != 1:
        return None
    before = [s for s in starts if s.index < family[first].index and s.number is not None and s.kind != family[first].kind]
    if not before:
        return end
    parent = before[-1].kind
    return next((s.index for s in starts if s.index > family[last].index and s.kind == parent and s.number is not None), end)


_NUMERALS = "零一二三四五六七八九"


def _marker_like(sibling: str, number: int) -> str:
    """A marker of ``sibling``'s shape ("(五)", "（五）", "五、") with ``number`` (1 to 99) in it."""
    tens, units = divmod(number, 10)
    numeral = (_NUMERALS[tens] if tens > 1 else "") + ("十" if tens else "") + (_NUMERALS[units] if units else "")
    return re.sub("[一二三四五六七八九十]+", numeral, sibling, count=1)


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


def flag_repaired_markers(doc: Any, ocr: dict[str, Any] | None) -> int:
    """Flag each heading whose marker was repaired after OCR (``ocr``: the provenance record of
    :func:`~.pdf.ocr_provenance`) for checking against the scan; the number flagged."""
    from pipeline.document import Flag

    if not ocr:
        return 0
    flagged = 0
    sections = list(doc.walk_sections())
    for repair in ocr.get("repaired_markers", []):
        line = str(repair.get("line", ""))
        for section in sections:
            heading = "".join(f"{section.marker}{section.title.zh}".split())
            if section.marker == repair.get("marker") and line and heading[: len(line)] == line[: len(heading)]:
                detail = (f"OCR read this heading's marker as {repair.get('read')} on page {repair.get('page')}; the markers"
                          f" around it allow only {repair.get('marker')}: check it against the scan")
                section.title.flags.append(Flag("ocr", "marker-repaired", detail))
                flagged += 1
                break
    return flagged
