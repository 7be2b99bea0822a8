"""The sample report laid out on pages, for the PDF and OCR tests: reportlab's CJK CID font (no font files
needed), the layout of a printed report (centred title lines, two-character first-line indents, page
numbers), and the lines cut either by width (to the margin) or at a fixed number of characters (ragged:
a line holding half-width digits ends short of the margin)."""

from __future__ import annotations

import re
from pathlib import Path

FONT = "STSong-Light"
PAGE = (595, 842)
_MARKER = re.compile(r"[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|[0-9]+、")


# A Song (Ming) TrueType CJK font to embed where a PDF is to be rendered into page images (pdfium has no CJK glyphs
# of its own): the typeface of printed government documents. Sans fonts (WenQuanYi Zen Hei) OCR worse.
FONT_FILES = ("/usr/share/fonts/truetype/arphic/uming.ttc",)


def embedded_font() -> str | None:
    """The name of an embeddable CJK TrueType font registered with reportlab (None: none installed)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for path in FONT_FILES:
        if Path(path).exists():
            pdfmetrics.registerFont(TTFont("EmbeddedCJK", path, subfontIndex=0))
            return "EmbeddedCJK"
    return None


def sample_blocks(text: str) -> list[tuple[str, str]]:
    """The sample report (scraped: metadata lines, then the body on one line) as (kind, text) blocks: the
    title, the issuer and date lines centred, the salutation, and one block per paragraph or heading."""
    lines = text.splitlines()
    title = next(line.split("|")[0].strip() for line in lines if "政府工作报告 |" in line and "组配" not in line)
    first = next(i for i, line in enumerate(lines) if "各位代表" in line)
    body = " ".join(lines[first:])
    issuer_date, rest = body.split("各位代表:", 1)
    issuer, date = issuer_date.split(maxsplit=1)
    blocks = [("title", title), ("centre", issuer.strip()), ("centre", date.strip()), ("para0", "各位代表:")]
    paragraphs: list[str] = []
    for part in rest.split():
        # a space inside a sentence ("大力发展 “首店经济”") is not a paragraph break
        if paragraphs and paragraphs[-1][-1] not in "。:;!?：；" and not (_MARKER.match(paragraphs[-1]) and len(paragraphs[-1]) < 25):
            paragraphs[-1] += part
        else:
            paragraphs.append(part)
    return blocks + [("para", part) for part in paragraphs]


def layout(blocks: list[tuple[str, str]], *, size: float = 12, chars_per_line: int = 30, ragged: bool,
           font: str = FONT) -> list[tuple[str, float, float, str]]:
    """(text, x, size, align) lines: "title" at 16pt centred, "centre" centred, "para0" unindented,
    "para" with a two-character first-line indent; wrapped to the margin (``ragged=False``) or after
    ``chars_per_line`` characters whatever their width (``ragged=True``)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if font == FONT:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    left, width = 72, chars_per_line * size
    out: list[tuple[str, float, float, str]] = []
    for kind, text in blocks:
        if kind == "title":
            out.append((text, 0, 16, "centre"))
            continue
        if kind == "centre":
            out.append((text, 0, size, "centre"))
            continue
        indent = 2 if kind == "para" else 0
        line, x, room = "", left + indent * size, chars_per_line - indent
        for char in text:
            full = len(line) >= room if ragged else pdfmetrics.stringWidth(line + char, font, size) > left + width - x
            if full:
                out.append((line, x, size, "left"))
                line, x, room = "", left, chars_per_line
            line += char
        out.append((line, x, size, "left"))
    return out


def draw_pdf(path: Path, lines: list[tuple[str, float, float, str]], *, size: float = 12, chars_per_line: int = 30,
             lines_per_page: int = 34, page_numbers: bool = True, font: str = FONT) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if font == FONT:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    left, width = 72, chars_per_line * size
    pdf = canvas.Canvas(str(path), pagesize=PAGE)
    pages = [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)]
    for number, page in enumerate(pages, 1):
        y = PAGE[1] - 90
        for text, x, font_size, align in page:
            pdf.setFont(font, font_size)
            if align == "centre":
                pdf.drawCentredString(left + width / 2, y, text)
            else:
                pdf.drawString(x, y, text)
            y -= font_size * 1.6
        if page_numbers:
            pdf.setFont(font, 10)
            pdf.drawCentredString(PAGE[0] / 2, 40, f"— {number} —")
        pdf.showPage()
    pdf.save()
    return path


def page_images_pdf(source: Path, path: Path, *, dpi: int = 300) -> list[Path]:
    """``source`` rendered into one PNG per page (as a scanner gives them), and those images put into an
    image-only PDF at ``path`` (no text layer): the PNG paths."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(source))
    images = [document[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(document))]
    document.close()
    pngs = []
    for number, image in enumerate(images, 1):
        pngs.append(path.with_name(f"{path.stem}-{number}.png"))
        image.save(pngs[-1], dpi=(dpi, dpi))  # a scanner records its resolution
    images[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return pngs
