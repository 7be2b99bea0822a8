"""Markdown and JSON rendering: escaping, the page's shape (parsed with markdown-it-py), flag lines."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from markdown_it import MarkdownIt

from pipeline.document import Bilingual, Document, Flag, Section, Segment, Summary, SummarySentence
from pipeline.render import escape_markdown, render_json, render_markdown
from pipeline.render.flags import flag_line, readable_detail, readable_number, split_settings

from .render_example import example_document

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
    "x><img src=x onerror=alert(1)>",
]
HOSTILE_META = {
    "发布日期": "2020-08-27\n---\ninjected: true",
    "来源": "yes",
    "索引号": "'quoted' \"double\" #comment: {a: b} [1, 2] &anchor *alias !!python/object",
    "bidi": "abc\u202edcba\u2066x\u2069",
}


def _doc(texts: list[str]) -> Document:
    segs = [Segment(id=f"s{i + 1}", zh=f"中文{t}", en=t) for i, t in enumerate(texts)]
    sec = Section(id="sec-1", level=1, marker="一、", title=Bilingual("标题|*#", "Title | *x* #"),
                  segments=segs[1:], summary=Summary([SummarySentence("Sum | *1.2%*", ["s2"],
                                                                      [Flag("number", "unsupported-number", "x")])],
                                                     "abstractive"))
    return Document(source="t.txt", title=Bilingual("报告<标题>", "Report <title>"), preamble=segs[:1], sections=[sec],
                    summary=Summary([SummarySentence("Exec *summary*", ["s1", "s3"])], "abstractive"),
                    provenance={"config": {"hash": "abc"}})


def _split(markdown: str) -> tuple[dict, str]:
    """The YAML front matter (parsed) and the Markdown after it."""
    assert markdown.startswith("---\n")
    front, body = markdown[4:].split("\n---\n", 1)
    data = yaml.safe_load(front)
    assert isinstance(data, dict)
    return data, body


def _tokens(markdown: str):
    return MarkdownIt("commonmark", {"html": True}).enable("table").parse(_split(markdown)[1])


def _inline_texts(tokens) -> list[str]:
    out = []
    for tok in tokens:
        if tok.type == "inline":
            out.append("".join(c.content for c in tok.children if c.type in ("text", "code_inline")))
    return out


def _tables(tokens) -> list[list[list[str]]]:
    """Every table as rows of cell texts (the header row first)."""
    tables, rows, current = [], None, None
    for tok in tokens:
        if tok.type == "table_open":
            rows = []
        elif tok.type == "tr_open":
            current = []
        elif tok.type == "inline" and current is not None:
            current.append("".join(c.content for c in tok.children if c.type in ("text", "code_inline")))
        elif tok.type == "tr_close":
            rows.append(current)
            current = None
        elif tok.type == "table_close":
            tables.append(rows)
    return tables


@pytest.mark.parametrize("text", NASTY)
def test_escaped_text_renders_literally(text):
    md = MarkdownIt("commonmark")
    tokens = md.parse(escape_markdown(text))
    kinds = {t.type for t in tokens}
    assert kinds <= {"paragraph_open", "inline", "paragraph_close"}, kinds
    inline = [t for t in tokens if t.type == "inline"][0]
    assert {c.type for c in inline.children} <= {"text", "softbreak"}, inline.children
    assert "".join(c.content for c in inline.children) == " ".join(text.split())


def test_escape_removes_direction_controls_and_keeps_joiners():
    assert escape_markdown("a\u202eb\u2066c\u2069") == "abc"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert escape_markdown(family) == family


def test_table_rows_keep_their_columns_and_text():
    doc = _doc(NASTY)
    tokens = _tokens(render_markdown(doc, alignment="table"))
    rows = [row for table in _tables(tokens) for row in table]
    assert all(len(r) == 3 for r in rows)
    body = [r for r in rows if r[0] != "#"]
    assert [r[2] for r in body] == [" ".join(t.split()) for t in NASTY]
    heads = [t.tag for t in tokens if t.type == "heading_open"]
    assert heads == ["h1", "h2", "h2"]  # title, executive summary, the section (no flagged segment: no Flags list)


def test_interleaved_pairs_render_each_sentence():
    doc = _doc(NASTY)
    text = render_markdown(doc, alignment="interleaved")
    flat = "\n".join(_inline_texts(_tokens(text)))
    for t in NASTY:
        assert " ".join(t.split()) in flat
    tags = [tok for tok in _tokens(text) if tok.type in ("html_inline", "html_block")]
    assert all(tok.content.startswith(("<a id=", "</a>", "<mark>", "</mark>")) for tok in tags), tags


def test_summaries_are_lists_never_quotes_like_translations():
    """In interleaved mode translations are quotes; summaries must look different (a labelled list)."""
    doc = example_document()
    tokens = _tokens(render_markdown(doc, alignment="interleaved"))
    quoted, listed, inside_quote, inside_list = [], [], 0, 0
    for tok in tokens:
        inside_quote += {"blockquote_open": 1, "blockquote_close": -1}.get(tok.type, 0)
        inside_list += {"bullet_list_open": 1, "bullet_list_close": -1}.get(tok.type, 0)
        if tok.type == "inline":
            text = "".join(c.content for c in tok.children if c.type == "text")
            (quoted if inside_quote else listed if inside_list else []).append(text)
    summaries = [s.text for s in doc.summary.sentences] + [s.text for sec in doc.walk_sections() if sec.summary
                                                           for s in sec.summary.sentences]
    for sentence in summaries:
        assert any(sentence in t for t in listed), sentence
        assert not any(sentence in t for t in quoted), sentence
    assert any("I now present to you" in t for t in quoted)  # translations are the quotes


def test_front_matter_is_short_and_counts_only():
    doc = example_document()
    doc.qa["flagged_segments"] = [f"s{i}" for i in range(500)]
    front, _ = _split(render_markdown(doc))
    # "published": the page's 发布日期 (a table input's publish_date column, when it has one)
    assert set(front) == {"source", "issuer", "date", "published", "translator", "summarizer", "config_hash", "qa"}
    assert front["translator"] == "Helsinki-NLP/opus-mt-zh-en@cf109095"
    assert front["summarizer"] == "sshleifer/distilbart-cnn-12-6@a4f8f3ea (abstractive)"
    assert front["config_hash"] == "9ff5f2009083"
    assert front["qa"]["segments_flagged"] == 3 and "flagged_segments" not in front["qa"]
    assert len(render_markdown(doc).split("\n---\n", 1)[0].splitlines()) < 25


def test_front_matter_values_from_the_input_are_quoted_yaml():
    doc = example_document()
    doc.source = "x><img src=x onerror=alert(1)>\n---\nevil: 1.txt"
    doc.issuer = "yes"
    doc.date = "null"
    doc.meta = dict(HOSTILE_META)
    text = render_markdown(doc)
    front, body = _split(text)
    assert front["source"] == doc.source  # round-trips exactly: quoted, escaped, on one line
    assert front["issuer"] == "yes" and front["date"] == "null"  # strings, not a boolean or None
    assert "evil" not in front and "injected" not in front
    assert body.lstrip().startswith("# ")


def test_heading_only_sections_have_no_empty_tables_and_deep_levels_fold_into_rows():
    doc = example_document()
    tokens = _tokens(render_markdown(doc))
    tables = _tables(tokens)
    assert all(len(t) >= 2 for t in tables), "a header-only table"
    # (一) has no sentence of its own: its 一是/二是 sub-sections are heading rows of one table.
    rows = [r for t in tables for r in t]
    assert ["", "一是盯牢重点项目推进。", "Keep key projects moving."] in rows
    assert ["", "二是盯紧重要商资引扩。", "Attract major investment."] in rows
    heads = [t.tag for t in tokens if t.type == "heading_open"]
    assert heads == ["h1", "h2", "h2", "h3", "h2", "h3", "h2"]  # ... 二、, (一), Flags
    md = render_markdown(doc)
    assert 'id="sec-2-1-1"' in md and 'id="sec-2-1"' in md


def test_flag_lines_are_readable_linked_and_settings_said_once():
    doc = example_document()
    md = render_markdown(doc)
    flags = md.split("## Flags", 1)[1]
    assert "e+10" not in md and "e+07" not in md
    assert "551.2亿元 (55.12 billion) appears as 55.12 million in English" in flags
    assert md.count("no\\_repeat\\_ngram\\_size=3") == 1  # the retry settings: said once, above the list
    assert '<a id="flag-s10"></a>[s10](#s10): Translation repeats itself' in flags
    assert "<mark>[⚠ Figure off by a power of ten](#flag-s3)</mark>" in md  # the row links to its flag line
    tokens = _tokens(md)
    links = {c.attrs["href"] for t in tokens if t.type == "inline" for c in t.children if c.type == "link_open"}
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', md))
    assert {h[1:] for h in links if h.startswith("#")} <= anchors


def test_summary_links_only_to_segments_that_exist():
    doc = example_document()
    doc.summary.sentences[0].sources.append("s999")
    md = render_markdown(doc)
    assert "(#s999)" not in md and "s999" in md


@pytest.mark.parametrize(("value", "text"), [
    (5.512e10, "55.12 billion"), (34381, "34,381"), (1234.5, "1,234.5"), (1.5, "1.5"), (0.012, "0.012"),
    (3e4, "30,000"), (-3.2e6, "-3.2 million"), (2.5e12, "2.5 trillion"), (100, "100"), (0, "0"),
])
def test_readable_numbers(value, text):
    assert readable_number(value) == text


def test_flag_details_lose_exponents_and_settings():
    assert readable_detail("English has 3e4 (3e+04) with no counterpart") == "English has 30,000 with no counterpart"
    detail, settings = split_settings("degenerate after a retry (no_repeat_ngram_size=3, repetition_penalty=1.2); x")
    assert (detail, settings) == ("degenerate after a retry; x", "no_repeat_ngram_size=3, repetition_penalty=1.2")
    line = flag_line(Flag("number", "magnitude", "551.2亿元 (5.512e+10) appears as 5.512 (5.512) in English"))
    assert line.text == "Figure off by a power of ten: 551.2亿元 (55.12 billion) appears as 5.512 in English"
    assert flag_line(Flag("new-kind", "odd-reason")).text == "New kind: odd reason"


def test_json_round_trips():
    doc = _doc(NASTY)
    data = json.loads(render_json(doc))
    assert data["title"] == {"zh": "报告<标题>", "en": "Report <title>"}
    assert data["sections"][0]["summary"]["sentences"][0]["sources"] == ["s2"]
    assert Document.from_dict(data).to_dict() == data
