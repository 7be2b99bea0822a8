"""The HTML reader and the batch files (index.md, digest.md, digest.html), checked without a browser:
parsed with the standard library's HTML parser and markdown-it-py."""

from __future__ import annotations

import copy
import json
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from pipeline.document import Bilingual, Document, Segment
from pipeline.render import (
    ReportEntry,
    iter_digest_html,
    iter_index,
    render_collection,
    render_digest_html,
    render_digest_markdown,
    render_html,
    render_index,
    render_json,
)

from .render_example import example_document

HOSTILE = [
    "x><img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "{{ 7*7 }} {% raw %}",
    "a & b < c > d",
]
HOSTILE_NAME = "x><img src=x onerror=alert(1)>.txt"


class Page(HTMLParser):
    """Tags, ids, links and text of an HTML page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if a.get("id")}

    def hrefs(self) -> list[str]:
        return [a["href"] for t, a in self.tags if t == "a" and a.get("href")]

    def with_class(self, cls: str) -> list[dict[str, str | None]]:
        return [a for _, a in self.tags if cls in (a.get("class") or "").split()]


def _hostile_document() -> Document:
    doc = example_document()
    doc.source = HOSTILE_NAME
    doc.title = Bilingual(HOSTILE[1], HOSTILE[0])
    doc.issuer = HOSTILE[2]
    doc.meta = {HOSTILE[0]: HOSTILE[3]}
    doc.preamble = [Segment(id=f"h{i}", zh=text, en=text) for i, text in enumerate(HOSTILE)]
    doc.sections[0].title = Bilingual(HOSTILE[4], HOSTILE[2])
    doc.summary.sentences[0].text = HOSTILE[0]
    return doc


def _entry(doc: Document, stem: str, source: str | None = None, status: str = "ok") -> ReportEntry:
    links = {kind: f"{stem}.{kind}" for kind in ("html", "md", "json")}
    return ReportEntry(stem=stem, source=source or f"in/{stem}.txt", status=status,
                       data=json.loads(render_json(doc)), links=links)


def test_reader_has_every_part_and_no_outside_resource():
    html = render_html(example_document())
    page = Page(html)
    tags = [t for t, _ in page.tags]
    assert tags.count("script") == 1 and tags.count("style") == 1
    assert not [a for t, a in page.tags if t in ("link", "img", "iframe") or a.get("src")]
    assert "http://" not in html and "https://" not in html
    ids = page.ids()
    assert {"summary", "sec-1", "sec-1-1", "sec-2", "sec-2-1", "sec-2-1-1"} <= ids
    assert {f"s{i}" for i in range(1, 11)} <= ids
    text = " ".join(page.text)
    for expected in ("Report on the Work of the Government for the First Half of 2020", "2020年上半年度政府工作报告",
                     "余姚市人民政府", "Executive summary", "Show flagged only", "中文", "English", "Interleaved"):
        assert expected in text
    # the table of contents names every section in both languages
    toc = html.split('<nav class="toc"', 1)[1].split("</nav>", 1)[0]
    for sec in example_document().walk_sections():
        if sec.level <= 2:
            assert sec.title.zh in toc and sec.title.en in toc


def test_every_link_target_and_cited_source_exists():
    doc = example_document()
    doc.summary.sentences[0].sources.append("s999")  # a source the document does not have
    page = Page(render_html(doc))
    ids = page.ids()
    internal = [h for h in page.hrefs() if h.startswith("#")]
    assert internal and all(h[1:] in ids for h in internal)
    assert all(h.startswith("#") for h in page.hrefs())  # no link leaves the page
    for sentence in page.with_class("ss"):
        sources = sentence["data-sources"].split()
        assert sources and all(s in ids for s in sources)
    assert "s999" in " ".join(page.text)  # shown, but not as a link


def test_segments_know_the_summary_sentences_that_cite_them():
    page = Page(render_html(example_document()))
    cited = {a["id"]: a.get("data-cited-by", "").split() for a in page.with_class("pair") if a.get("id")}
    assert cited["s3"] == ["sum-2", "sec-1.s1"]
    assert cited["s9"] == ["sum-4", "sec-2.s1"]
    assert cited["s7"] == []
    sentences = {a["id"]: a["data-sources"].split() for a in page.with_class("ss")}
    for seg, citing in cited.items():
        for sid in citing:
            assert seg in sentences[sid]


def test_flags_show_where_they_occur_with_readable_reasons():
    html = render_html(example_document())
    page = Page(html)
    flagged = {a["id"] for a in page.with_class("pair") if "flagged" in a["class"].split() and a.get("id")}
    assert flagged == {"s3", "s4", "s10"}
    s3 = html.split('id="s3"', 1)[1].split('class="pair', 1)[0]
    assert "Figure off by a power of ten" in s3 and "551.2亿元 (55.12 billion) appears as 55.12 million" in s3
    assert "e+10" not in html and "e+07" not in html
    assert html.count("no_repeat_ngram_size=3") == 1
    summary_flag = html.split('id="sum-3"', 1)[1].split("</li>\n</ul>", 1)[0]
    assert "Figure not in the cited sources" in summary_flag


def test_everything_from_the_input_is_escaped():
    doc = _hostile_document()
    html = render_html(doc)
    page = Page(html)
    assert [t for t, _ in page.tags].count("script") == 1
    assert not [t for t, _ in page.tags if t == "img"]
    assert not [k for _, a in page.tags for k in a if k.startswith("on")]
    text = "".join(page.text)
    for value in HOSTILE:
        assert value in text
    assert "49" not in text.split("{{ 7*7 }}")[0][-5:]  # no template evaluation of input


def test_interleaved_is_an_initial_layout_and_a_bad_layout_is_refused():
    assert '<body class="reader interleaved">' in render_html(example_document(), alignment="interleaved")
    assert '<body class="reader">' in render_html(example_document())
    with pytest.raises(ValueError, match="alignment"):
        render_html(example_document(), alignment="columns")


def test_an_empty_document_still_renders():
    page = Page(render_html(Document(source="empty.txt")))
    assert "empty.txt" in " ".join(page.text)


# --------------------------------------------------------------------------------------------------------
# index.md, digest.md, digest.html


def _md_tokens(text: str):
    return MarkdownIt("commonmark", {"html": True}).enable("table").parse(text)


def _md_links(text: str) -> list[str]:
    return [c.attrs["href"] for t in _md_tokens(text) if t.type == "inline" for c in t.children
            if c.type == "link_open"]


def _md_text(text: str) -> list[str]:
    return [c.content for t in _md_tokens(text) if t.type == "inline" for c in t.children if c.type == "text"]


def test_index_lists_titles_flags_status_and_relative_links():
    doc = example_document()
    failed = ReportEntry(stem="broken", source=HOSTILE_NAME, status="failed", error="error: not UTF-8; convert it")
    text = render_index([_entry(doc, "yuyao"), failed, _entry(doc, "sub dir/report (2)")])
    assert "Report on the Work of the Government for the First Half of 2020" in text
    assert "2020年上半年度政府工作报告" in text and "3 of 10" in text
    assert "failed: error: not UTF-8; convert it" in text
    links = _md_links(text)
    assert "yuyao.html" in links and "yuyao.md" in links and "yuyao.json" in links
    assert "sub%20dir/report%20%282%29.html" in links
    assert "digest.html" in links and "digest.md" in links
    assert not [h for h in links if h.startswith("/") or ":" in h]
    assert text.rstrip().endswith("3 reports: 2 ok, 1 not ok.")


def test_index_renders_hostile_file_names_as_text():
    doc = _hostile_document()
    entry = _entry(doc, HOSTILE_NAME[:-4], source=HOSTILE_NAME)
    text = render_index([entry])
    tokens = _md_tokens(text)
    raw_html = [c.content for t in tokens if t.type == "inline" for c in t.children if c.type == "html_inline"]
    assert raw_html == []
    cells = "".join(c.content for t in tokens if t.type == "inline" for c in t.children if c.type == "text")
    assert HOSTILE_NAME in cells
    assert "x%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.html" in _md_links(text)


def test_index_does_not_hold_the_batch_in_memory():
    """The index is written as the entries come: one report's JSON at a time."""
    doc = example_document()
    pulled = []

    def entries():
        for n in range(3):
            pulled.append(n)
            yield _entry(doc, f"r{n}")

    pieces = iter_index(entries())
    row = next(p for p in pieces if p.startswith("| 1 |"))
    assert "r0.html" in row and pulled == [0]
    assert "| 2 |" in next(pieces) and pulled == [0, 1]


def test_digest_markdown_has_every_summary_linked_to_its_section():
    doc = example_document()
    text = render_digest_markdown([_entry(doc, "yuyao"),
                                   ReportEntry(stem="x", source=HOSTILE_NAME, status="failed", error="boom")])
    for sentence in doc.summary.sentences:
        assert sentence.text in text
    for sec in doc.walk_sections():
        if sec.summary:
            assert f"(yuyao.html#{sec.id})" in text
            assert sec.summary.sentences[0].text in text
    assert "⚠ *Figure not in the cited sources: 3.5% is not in its sources (s5)*" in text
    assert "3 of 10 segments flagged" in text
    assert "\u4e2d" not in text.split("## ", 1)[1].split("\n")[0]  # the heading is the English title
    assert "1 report summarised." in text
    assert not [c for t in _md_tokens(text) if t.type == "inline" for c in t.children if c.type == "html_inline"]
    assert HOSTILE_NAME in "".join(_md_text(text))


def test_digest_html_is_self_contained_escaped_and_streams():
    doc = _hostile_document()
    other = copy.deepcopy(example_document())
    html = render_digest_html([_entry(doc, "hostile"), _entry(other, "yuyao"),
                               ReportEntry(stem="y", source=HOSTILE_NAME, status="failed", error=HOSTILE[1])])
    page = Page(html)
    assert [t for t, _ in page.tags].count("script") == 1
    assert not [t for t, _ in page.tags if t == "img"]
    assert not [k for _, a in page.tags for k in a if k.startswith("on")]
    text = "".join(page.text)
    assert HOSTILE[0] in text and HOSTILE_NAME in text
    hrefs = page.hrefs()
    assert "yuyao.html" in hrefs and "yuyao.html#sec-1" in hrefs and "yuyao.html#s3" in hrefs
    assert all(not h.startswith(("http", "/")) for h in hrefs)
    assert len(page.with_class("report")) == 2
    pieces = iter_digest_html(iter([_entry(other, "a")]))
    assert "<!DOCTYPE html>" in next(pieces)


def test_an_unreadable_report_json_shows_as_such():
    entry = ReportEntry(stem="bad", source="bad.txt", data={"sections": [{"no": "id"}]}, links={"json": "bad.json"})
    assert "output unreadable" in render_index([entry])
    assert "Not summarised" in render_digest_markdown([entry])


def test_render_collection_reads_the_entries_once_and_gives_the_same_files():
    doc = example_document()
    pulled = []

    def entries():
        for n in range(4):
            pulled.append(n)
            yield _entry(doc, f"r{n}") if n != 2 else ReportEntry(stem="r2", source="r2.txt", status="failed",
                                                                   error="error: empty input")

    files = render_collection(entries())
    assert pulled == [0, 1, 2, 3]
    again = list(entries())
    assert files == {"index.md": render_index(again), "digest.md": render_digest_markdown(again),
                     "digest.html": render_digest_html(again)}
    without = render_collection(entries(), digest_html=False)
    assert set(without) == {"index.md", "digest.md"} and "digest.html" not in without["index.md"]
