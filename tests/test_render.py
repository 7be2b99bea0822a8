from __future__ import annotations

import json

import pytest
import yaml
from markdown_it import MarkdownIt

from pipeline.document import Bilingual, Document, Flag, Section, Segment, Summary, SummarySentence
from pipeline.render import escape_markdown, render_json, render_markdown

NASTY = [
    "a | b || c",
    "*bold* and _under_ and **x**",
    "# not a heading",
    "<script>alert(1)</script> <b>x</b>",
    "[link](http://example.com) ![img](x.png)",
    "`code` ~~strike~~ &amp; &lt; \\ backslash",
    "- not a list",
    "1. not a list",
    "> not a quote",
    "+ plus",
    "全角｜竖线＊星号 “引号” 《书名》",
]


def _doc(texts: list[str]) -> Document:
    segs = [Segment(id=f"s{i + 1}", zh=f"中文{t}", en=t) for i, t in enumerate(texts)]
    sec = Section(id="sec-1", level=1, marker="一、", title=Bilingual("标题|*#", "Title | *x* #"),
                  segments=segs[1:], summary=Summary([SummarySentence("Sum | *1.2%*", ["s2"],
                                                                      [Flag("number", "unsupported-number", "x")])],
                                                     "abstractive"))
    return Document(source="t.txt", title=Bilingual("报告<标题>", "Report <title>"), preamble=segs[:1], sections=[sec],
                    summary=Summary([SummarySentence("Exec *summary*", ["s1", "s3"])], "abstractive"),
                    provenance={"config": {"hash": "abc"}})


def _body(markdown: str) -> str:
    """The Markdown after its YAML front matter (which renderers such as GitHub's take as metadata)."""
    assert markdown.startswith("---\n")
    front, body = markdown[4:].split("\n---\n", 1)
    assert isinstance(yaml.safe_load(front), dict)
    return body


def _inline_texts(tokens) -> list[str]:
    out = []
    for tok in tokens:
        if tok.type == "inline":
            out.append("".join(c.content for c in tok.children if c.type in ("text", "code_inline")))
    return out


@pytest.mark.parametrize("text", NASTY)
def test_escaped_text_renders_literally(text):
    md = MarkdownIt("commonmark")
    tokens = md.parse(escape_markdown(text))
    kinds = {t.type for t in tokens}
    assert kinds <= {"paragraph_open", "inline", "paragraph_close"}, kinds
    inline = [t for t in tokens if t.type == "inline"][0]
    assert {c.type for c in inline.children} <= {"text", "softbreak"}, inline.children
    assert "".join(c.content for c in inline.children) == " ".join(text.split())


def test_table_rows_keep_their_columns_and_text():
    doc = _doc(NASTY)
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = md.parse(_body(render_markdown(doc, alignment="table")))
    rows = []
    current = None
    for tok in tokens:
        if tok.type == "tr_open":
            current = []
        elif tok.type == "inline" and current is not None:
            current.append("".join(c.content for c in tok.children if c.type == "text"))
        elif tok.type == "tr_close":
            rows.append(current)
            current = None
    body = [r for r in rows if r and r[0] != "#"]
    assert all(len(r) == 3 for r in rows)
    ens = [r[2] for r in body]
    assert ens == [" ".join(t.split()) for t in NASTY]
    # headings: exactly the title (h1) and the section (h2)
    heads = [t.tag for t in tokens if t.type == "heading_open"]
    assert heads == ["h1", "h2"]


def test_interleaved_pairs_render_each_sentence(tmp_path):
    doc = _doc(NASTY)
    md = MarkdownIt("commonmark", {"html": True})
    text = render_markdown(doc, alignment="interleaved")
    flat = "\n".join(_inline_texts(md.parse(_body(text))))
    for t in NASTY:
        assert " ".join(t.split()) in flat
    assert "<script>" not in text.replace("\\<script\\>", "")


def test_markdown_has_front_matter_anchors_links_and_flags():
    doc = _doc(["x", "y", "z"])
    text = render_markdown(doc)
    assert text.startswith("---\n")
    assert 'id="s2"' in text and "(#s2)" in text
    assert "⚠ number: unsupported-number" in text
    assert "**Executive summary**" in text


def test_json_round_trips():
    doc = _doc(NASTY)
    data = json.loads(render_json(doc))
    assert data["title"] == {"zh": "报告<标题>", "en": "Report <title>"}
    assert data["sections"][0]["summary"]["sentences"][0]["sources"] == ["s2"]
    assert Document.from_dict(data).to_dict() == data
