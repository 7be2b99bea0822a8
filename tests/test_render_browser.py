"""The HTML reader and digest in a real browser: headless Chromium over the DevTools protocol (tests/cdp.py).

Checks that every link target exists, that clicking a summary sentence highlights and scrolls to its
sources, that the view toggles work, that nothing is fetched from outside the file and that the console
stays clean. Screenshots are kept: in the test's temporary folder, and copied to $PIPELINE_ARTIFACTS when
the test runner sets it (docs/reader.png and docs/digest.png are these screenshots).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from pipeline.render import ReportEntry, render_digest_html, render_html, render_json

from .cdp import Chromium, chromium_binary
from .render_example import example_document

pytestmark = pytest.mark.browser

LINK_TARGETS = """(() => {
  const missing = [];
  for (const a of document.querySelectorAll('a[href^="#"]')) {
    if (!document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)))) missing.push(a.getAttribute('href'));
  }
  for (const s of document.querySelectorAll('[data-sources]')) {
    for (const id of s.dataset.sources.split(' ').filter(Boolean)) if (!document.getElementById(id)) missing.push(id);
  }
  for (const p of document.querySelectorAll('[data-cited-by]')) {
    for (const id of p.dataset.citedBy.split(' ')) if (!document.getElementById(id)) missing.push(id);
  }
  return missing;
})()"""


def _keep(path: Path) -> None:
    """Copy a screenshot to the test runner's artifacts folder, when it names one."""
    folder = os.environ.get("PIPELINE_ARTIFACTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    binary = chromium_binary()
    if binary is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    with Chromium(binary, tmp_path_factory.mktemp("chromium-profile")) as chromium:
        yield chromium


def _visible(page, selector: str) -> list[str]:
    return page.evaluate(f"[...document.querySelectorAll({json.dumps(selector)})]"
                         ".filter(e => e.offsetParent !== null).map(e => e.id)")


def _wait_for(page, expression: str, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression)
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def _settle(page, timeout: float = 5.0) -> None:
    """Wait until a smooth scroll has finished (the scroll position unchanged for a few frames)."""
    deadline, last, same = time.monotonic() + timeout, None, 0
    while same < 4 and time.monotonic() < deadline:
        here = page.evaluate("window.scrollY")
        same = same + 1 if here == last else 0
        last = here
        time.sleep(0.05)


def _click_on(page, selector: str) -> None:
    """Scroll an element to the middle of the window and click on its first words with the mouse."""
    _settle(page)
    x, y = page.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                         " e.scrollIntoView({block: 'center'}); const r = e.getClientRects()[0];"
                         " return [r.x + 5, r.y + r.height / 2]; })()")
    page.click(x, y)


def test_reader_in_chromium(browser, tmp_path):
    html_path = tmp_path / "reader.html"
    html_path.write_text(render_html(example_document()), encoding="utf-8")
    page = browser.open(html_path.as_uri())
    shot = page.screenshot(tmp_path / "reader.png")
    _keep(shot)
    assert shot.stat().st_size > 10_000

    assert page.evaluate(LINK_TARGETS) == []
    assert page.evaluate("document.querySelectorAll('.ss').length") == 7
    assert page.evaluate("document.documentElement.classList.contains('js')")

    # A real mouse click on the executive summary's 4th sentence highlights its sources and scrolls to them.
    _click_on(page, "#sum-4 .ss-text")
    assert page.evaluate("[...document.querySelectorAll('.hl')].map(e => e.id)") == ["s8", "s9"]
    assert page.evaluate("document.querySelector('.ss.active').id") == "sum-4"
    in_view = ("(() => { const r = document.getElementById('s8').getBoundingClientRect();"
               " return r.top >= 0 && r.bottom <= window.innerHeight; })()")
    assert _wait_for(page, in_view), "the first source was not scrolled into view"

    # A section summary right above its sources: the screenshot shows the sentence and what it rests on.
    _click_on(page, "#sec-2\\.s1 .ss-text")
    assert page.evaluate("[...document.querySelectorAll('.hl')].map(e => e.id)") == ["s8", "s9", "s10"]
    _settle(page)
    _keep(page.screenshot(tmp_path / "reader-clicked.png"))

    # Clicking another sentence moves the highlight.
    _click_on(page, "#sec-1\\.s2 .ss-text")
    assert page.evaluate("[...document.querySelectorAll('.hl')].map(e => e.id)") == ["s5"]

    # The view toggles: flagged only, one language hidden (never both), interleaved.
    page.evaluate("document.getElementById('only-flagged').click()")
    assert _visible(page, ".pair[id]") == ["s3", "s4", "s10"]
    page.evaluate("document.getElementById('only-flagged').click()")
    assert len(_visible(page, ".pair[id]")) == 10
    page.evaluate("document.getElementById('show-zh').click()")
    assert page.evaluate("[...document.querySelectorAll('.pair .zh')].every(e => e.offsetParent === null)")
    page.evaluate("document.getElementById('show-en').click()")  # hiding English too brings Chinese back
    assert page.evaluate("document.getElementById('show-zh').checked")
    assert page.evaluate("[...document.querySelectorAll('.pair .en')].every(e => e.offsetParent === null)")
    page.evaluate("document.getElementById('show-en').click()")
    page.evaluate("document.getElementById('interleave').click()")
    assert page.evaluate("document.body.classList.contains('interleaved')")

    # It prints, without the toolbar and the contents, Chinese and English still side by side.
    assert page.pdf().startswith(b"%PDF")
    page.emulate_media("print")
    assert page.evaluate("getComputedStyle(document.querySelector('.toolbar')).display") == "none"
    assert page.evaluate("getComputedStyle(document.querySelector('nav.toc')).display") == "none"
    page.evaluate("document.getElementById('interleave').click()")  # back to columns
    assert page.evaluate("(() => { const p = document.getElementById('s2');"
                         " return p.querySelector('.zh').getBoundingClientRect().top"
                         " === p.querySelector('.en').getBoundingClientRect().top; })()")
    page.emulate_media("")

    assert page.errors() == []
    assert [u for u in page.requests() if not u.startswith(("file:", "data:"))] == []


def test_digest_in_chromium(browser, tmp_path):
    doc = example_document()
    (tmp_path / "yuyao.html").write_text(render_html(doc), encoding="utf-8")
    other = example_document()
    other.title.en = "Second report, same text"
    entries = [ReportEntry(stem=stem, source=f"{stem}.txt", data=json.loads(render_json(d)),
                           links={"html": "yuyao.html", "md": f"{stem}.md", "json": f"{stem}.json"})
               for stem, d in (("yuyao", doc), ("second", other))]
    path = tmp_path / "digest.html"
    path.write_text(render_digest_html(entries), encoding="utf-8")
    page = browser.open(path.as_uri(), height=1000)
    _keep(page.screenshot(tmp_path / "digest.png"))
    assert page.evaluate("document.querySelectorAll('article.report').length") == 2
    # Links into the reader: every section link opens a page whose element exists.
    hrefs = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
    reader = browser.open((tmp_path / "yuyao.html").as_uri())
    for href in hrefs:
        assert href.startswith((tmp_path / "yuyao.html").as_uri()) or href.endswith((".md", ".json")), href
        if "#" in href:
            assert reader.evaluate(f"!!document.getElementById({json.dumps(href.split('#', 1)[1])})"), href
    # The filter keeps the reports that contain every word typed.
    page.evaluate("(() => { const f = document.getElementById('filter'); f.value = 'same TEXT';"
                  " f.dispatchEvent(new Event('input')); })()")
    assert page.evaluate("[...document.querySelectorAll('article.report')].filter(a => a.offsetParent).length") == 1
    assert page.errors() == [] and reader.errors() == []
    assert [u for u in page.requests() if not u.startswith(("file:", "data:"))] == []
