"""Scanned PDFs and images read by OCR (issue 24, part 1): the sample report typeset in a Song (Ming)
font, rendered into page images as a scanner gives them, put into an image-only PDF, and read back by
Tesseract through the PDF reader's layout rules. Skipped with a reason where Tesseract, its Chinese data
or a CJK font to typeset with is missing (`.ci/run` installs them where apt-get exists)."""

from __future__ import annotations

import difflib
import re
import shutil

import pytest

from pipeline.errors import InputError
from pipeline.readers import read_document
from pipeline.segment import segment

from .conftest import SAMPLE, TINY_CONFIG, json_segments, run_main
from .layout import draw_pdf, embedded_font, layout, page_images_pdf, sample_blocks


def _tesseract_missing() -> str | None:
    if shutil.which("tesseract") is None:
        return "Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
    try:
        import pytesseract
    except ImportError:
        return "pytesseract is not installed"
    if "chi_sim" not in pytesseract.get_languages(config=""):
        return "Tesseract's chi_sim data is not installed (apt-get install tesseract-ocr-chi-sim)"
    return None


pytestmark = pytest.mark.skipif(_tesseract_missing() is not None, reason=str(_tesseract_missing()))


def _visible(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> dict:
    """The sample typeset at 12pt, 30 characters a line, rendered at 300 dpi into PNG pages and an
    image-only PDF; read once (OCR of ten pages takes about a minute on one core)."""
    font = embedded_font()
    if font is None:
        pytest.skip("no CJK TrueType font to typeset the scan with (apt-get install fonts-arphic-uming)")
    folder = tmp_path_factory.mktemp("scan")
    text = SAMPLE.read_text(encoding="utf-8")
    source = draw_pdf(folder / "typeset.pdf", layout(sample_blocks(text), ragged=False, font=font), font=font)
    pngs = page_images_pdf(source, folder / "scan.pdf")
    return {"folder": folder, "pdf": folder / "scan.pdf", "pngs": pngs, "read": read_document(folder / "scan.pdf"),
            "expected": segment(text, source="sample.txt")}


@pytest.mark.slow
def test_a_scanned_pdf_reads_by_ocr_into_the_texts_segments_and_outline(scan):
    read, expected = scan["read"], scan["expected"]
    assert read.format == "pdf"
    assert [p["page"] for p in read.ocr["pages"]] == list(range(1, len(scan["pngs"]) + 1))
    assert all(p["confidence"] > 70 for p in read.ocr["pages"])
    assert read.ocr["engine"].startswith("tesseract ") and read.ocr["dpi"] == 300
    doc = segment(read.text, source="scan.pdf")
    want = _visible("".join(s.zh for s in expected.all_segments()))
    got = _visible("".join(s.zh for s in doc.all_segments()))
    agreement = difflib.SequenceMatcher(None, want, got, autojunk=False).ratio()
    print(f"scan: character agreement {agreement:.4f}, {len(list(doc.all_segments()))} segments, "
          f"markers repaired: {read.ocr['repaired_markers']}")
    assert agreement >= 0.97, agreement  # measured 0.9858
    # measured 128 of 135: OCR reads some sentence-ending semicolons as colons (";" as ":"), joining sentences
    assert abs(len(list(doc.all_segments())) - 135) <= 10
    # the outline: title block, and every heading's marker and level in order, the same as the text's (OCR
    # misreads a marker now and then, "(三)" as "三)" or "(六)" as "(XA)": repaired from its siblings)
    assert (doc.title.zh, doc.issuer, doc.date, doc.salutation) == (expected.title.zh, expected.issuer, expected.date, expected.salutation)
    assert [(s.marker, s.level) for s in doc.walk_sections()] == [(s.marker, s.level) for s in expected.walk_sections()]
    for repair in read.ocr["repaired_markers"]:  # each repair names its page, the token read and the marker put back
        assert repair["marker"] in [s.marker for s in expected.walk_sections()] and repair["read"] != repair["marker"]
        assert 1 <= repair["page"] <= len(scan["pngs"])
    # no page number survives, whatever OCR made of "— 3 —"
    assert not [line for line in read.text.splitlines() if len(_visible(line)) <= 3 and line[-1:] not in "。:;：；"]


@pytest.mark.slow
def test_a_page_image_reads_by_ocr(scan):
    read = read_document(scan["pngs"][0])
    assert read.format == "image" and [p["page"] for p in read.ocr["pages"]] == [1]
    got = _visible(read.text)
    expected = scan["expected"]
    want = _visible("".join([expected.title.zh, expected.issuer, expected.date, expected.salutation]
                            + [s.zh for s in expected.all_segments()]))[: len(got)]
    agreement = difflib.SequenceMatcher(None, want, got, autojunk=False).ratio()
    print(f"page image: character agreement {agreement:.3f}")
    assert agreement >= 0.9, agreement


@pytest.mark.slow
def test_ocr_is_recorded_in_provenance_and_shown_and_unsure_figures_and_repaired_markers_are_flagged(scan, tiny_models, tmp_path):
    out = tmp_path / "out"
    page = scan["pdf"]
    result = run_main("run", str(page), "--config", str(TINY_CONFIG), "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    import json

    doc = json.loads((out / f"{page.stem}.json").read_text(encoding="utf-8"))
    ocr = doc["provenance"]["source"]["ocr"]
    assert doc["provenance"]["source"]["format"] == "pdf" and [p["page"] for p in ocr["pages"]] == list(range(1, len(scan["pngs"]) + 1))
    html = (out / f"{page.stem}.html").read_text(encoding="utf-8")
    assert "Read by OCR" in html and "mean confidence" in html
    markdown = (out / f"{page.stem}.md").read_text(encoding="utf-8")
    assert re.search(rf'^ocr: "?Read by OCR \(tesseract [^)]*\): {len(scan["pngs"])} pages, mean confidence \d+', markdown, re.M)
    # a heading marker repaired after OCR: in the provenance, the notes, and flagged on its heading
    assert ocr["repaired_markers"] == scan["read"].ocr["repaired_markers"]
    headings = {f"{s['marker']}{s['title']['zh']}": s["title"].get("flags", []) for s in _sections(doc)}
    for repair in ocr["repaired_markers"]:
        [flags] = [flags for heading, flags in headings.items() if "".join(heading.split()).startswith(repair["line"][:10])]
        assert [(f["kind"], f["reason"]) for f in flags] == [("ocr", "marker-repaired")]
        assert f"{repair['read']} as {repair['marker']}" in markdown and f"{repair['read']} as {repair['marker']}" in html
    flagged = [f for s in json_segments(doc) for f in s.get("flags", []) if f["kind"] == "ocr"]
    figures = [f["figure"] for f in ocr["uncertain_figures"]]
    assert len(flagged) <= len(figures)
    for flag in flagged:
        assert flag["reason"] == "low-confidence" and "check it against the scan" in flag["detail"]
    if figures:  # this page's text has figures Tesseract is unsure of (it varies with the font): flagged
        assert flagged


def _sections(doc: dict) -> list[dict]:
    found, stack = [], list(doc.get("sections", []))
    while stack:
        sec = stack.pop(0)
        found.append(sec)
        stack = sec.get("sections", []) + stack
    return found


def test_without_tesseract_a_scan_fails_alone_with_one_line_naming_the_packages(tmp_path, monkeypatch, tiny_models):
    import pytesseract
    from PIL import Image, ImageDraw

    image = Image.new("L", (600, 200), 255)
    ImageDraw.Draw(image).rectangle((50, 50, 300, 120), fill=0)  # something printed on the page
    image.save(tmp_path / "scan.png")
    (tmp_path / "report.txt").write_text("某市人民政府工作报告\n一、总体情况\n经济运行总体平稳，稳中有进。", encoding="utf-8")
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "no-tesseract"))
    with pytest.raises(InputError, match=r"scan\.png: reading a scan needs OCR, and Tesseract is not installed$") as caught:
        read_document(tmp_path / "scan.png")
    assert "tesseract-ocr tesseract-ocr-chi-sim" in caught.value.hint
    result = run_main("run", str(tmp_path / "scan.png"), str(tmp_path / "report.txt"), "--config", str(TINY_CONFIG),
                      "--out", str(tmp_path / "out"), "--quiet")
    assert "scan.png: reading a scan needs OCR" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "out" / "report.md").exists() and not (tmp_path / "out" / "scan.md").exists()


def test_a_page_with_nothing_readable_is_refused_with_one_line(tmp_path):
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(tmp_path / "scan.pdf"), pagesize=(595, 842))
    pdf.rect(50, 50, 400, 600, fill=1)  # a page printed black: OCR finds no text on it
    pdf.showPage()
    pdf.save()
    with pytest.raises(InputError, match=r"scan\.pdf: the PDF has no text layer, and OCR found no text on its 1 scanned page\(s\)$"):
        read_document(tmp_path / "scan.pdf")


def test_a_broken_image_is_refused_with_one_line(tmp_path):
    (tmp_path / "page.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    with pytest.raises(InputError, match=r"page\.png: cannot read as an image \(\w+\)$"):
        read_document(tmp_path / "page.png")
