"""`verify SOURCE TEXT`: English text about a report checked sentence by sentence against the report."""

from __future__ import annotations

import json

import pytest

from pipeline.document import Bilingual, Document, Section, Segment
from pipeline.fidelity.verify import markdown_sentences

from .conftest import GWR_CSV, run_main

PAIRS = [
    ("外贸进出口总额增长5%。", "Total imports and exports grew by 5 percent."),
    ("粮食产量达到7.06亿吨。", "Grain output reached 706 million metric tons, a new record."),
    ("广东省新建5G基站10万个。", "Guangdong built 100,000 new 5G base stations."),
    ("城镇新增就业1256万人。", "Over 12 million new urban jobs were added."),
]


@pytest.fixture
def pair_file(tmp_path):
    path = tmp_path / "report.tsv"
    path.write_text("zh\ten\n" + "".join(f"{zh}\t{en}\n" for zh, en in PAIRS), encoding="utf-8")
    return path


def _verify(*args):
    res = run_main("verify", *map(str, args))
    lines = [json.loads(line) for line in res.stdout.splitlines() if line.strip()] if "--json" in args else []
    return res, lines


def test_json_one_object_per_sentence_in_order_and_exit_codes(pair_file, tmp_path):
    text = tmp_path / "brief.md"
    text.write_text("# Highlights\n\nGrain output reached 706 million metric tons. Guangdong built 100,000 new 5G "
                    "base stations.\n\n- 12.56 million new urban jobs were added.\n", encoding="utf-8")
    res, lines = _verify(pair_file, text, "--json")
    assert res.returncode == 0, res.stderr
    assert [x["sentence"] for x in lines] == [  # the Markdown heading is a label, not a claim: not checked
        "Grain output reached 706 million metric tons.", "Guangdong built 100,000 new 5G base stations.",
        "12.56 million new urban jobs were added."]
    assert [x["sources"][:1] for x in lines] == [["2"], ["3"], ["4"]]  # row numbers: the file has no id column
    assert all(x["supported"] and x["flags"] == [] and 0 <= x["support"] <= 1 for x in lines)
    assert set(lines[0]) == {"sentence", "sources", "support", "supported", "flags"}
    assert "backed by the report" in res.stderr and "0 flagged" in res.stderr


def test_invented_claims_changed_figures_and_foreign_names_are_flagged(pair_file, tmp_path):
    text = tmp_path / "article.txt"
    text.write_text("Grain output reached 806 million metric tons. Zhejiang built 100,000 new 5G base stations. "
                    "The province abolished its tax on imported luxury yachts.", encoding="utf-8")
    res, lines = _verify(pair_file, text, "--json")
    assert res.returncode == 1, res.stderr
    figure, name, invented = lines
    assert figure["sources"] == ["2"] and [f["kind"] for f in figure["flags"]] == ["number"]
    assert name["sources"] == ["3"] and [f["kind"] for f in name["flags"]] == ["name"]
    assert invented["sources"] == [] and not invented["supported"]
    assert invented["flags"][0]["kind"] == "unsupported"


def test_readable_markdown_report_and_html(pair_file, tmp_path):
    text = tmp_path / "article.txt"
    text.write_text("Grain output reached 806 million metric tons. Total imports and exports grew by 5 percent.",
                    encoding="utf-8")
    html = tmp_path / "v.html"
    res, _ = _verify(pair_file, text, "--html", html)
    assert res.returncode == 1
    md = res.stdout
    assert md.startswith("# Verification of article.txt")
    assert "## 1. ⚠ Grain output reached 806 million metric tons." in md
    assert "粮食产量达到7.06亿吨。" in md and "Grain output reached 706 million metric tons, a new record." in md
    assert "Figure not in the cited sources" in md
    assert "## 2. ✓ Total imports and exports grew by 5 percent." in md
    page = html.read_text(encoding="utf-8")
    assert "<!doctype html>" in page and "粮食产量达到7.06亿吨。" in page and "Figure not in the cited sources" in page
    assert 'class="verdict flagged"' in page and "--flag" in page  # the reader's CSS
    out = tmp_path / "report.md"
    res, _ = _verify(pair_file, text, "--out", out)
    assert res.stdout == "" and out.read_text(encoding="utf-8") == md


def test_a_run_json_is_a_source_with_its_segment_ids_and_year(tmp_path):
    doc = Document(source="r.txt", date="2025年3月5日", sections=[Section(
        id="sec-1", level=1, marker="一、", title=Bilingual("目标", "Targets"),
        segments=[Segment("s7", "今年国内生产总值增长5%左右。", "GDP will grow by around 5 percent this year.")])])
    run = tmp_path / "r.json"
    run.write_text(json.dumps(doc.to_dict(), ensure_ascii=False), encoding="utf-8")
    text = tmp_path / "t.txt"
    text.write_text("In 2025 GDP will grow by around 5 percent. In 2023 GDP will grow by around 5 percent.", encoding="utf-8")
    res, (good, wrong_year) = _verify(run, text, "--json")
    assert good["sources"] == ["s7"] and good["flags"] == []
    assert wrong_year["sources"] == ["s7"] and "2023" in wrong_year["flags"][0]["detail"]  # the run's date: 2025
    assert res.returncode == 1


def test_ids_come_from_the_id_column(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,zh,en\nA-1,外贸进出口总额增长5%。,Total imports and exports grew by 5 percent.\n", encoding="utf-8")
    text = tmp_path / "t.txt"
    text.write_text("Total imports and exports grew by 5 percent.", encoding="utf-8")
    _, (line,) = _verify(path, text, "--json")
    assert line["sources"] == ["A-1"]


@pytest.mark.parametrize("case, message", [
    ("missing-text", "error: text file not found"),
    ("not-utf8", "error: not UTF-8 text"),
    ("empty", "error: no English sentence in"),
    ("ragged", "error: cannot read"),
    ("missing-source", "error: pairs file not found"),
    ("folder", "error: not a regular file"),
])
def test_bad_input_is_one_line_and_exit_2(pair_file, tmp_path, case, message):
    text = tmp_path / "t.txt"
    text.write_text("Total imports and exports grew by 5 percent.", encoding="utf-8")
    source = pair_file
    if case == "missing-text":
        text = tmp_path / "nope.txt"
    elif case == "not-utf8":
        text.write_bytes("出口增长".encode("gb18030"))
    elif case == "empty":
        text.write_text("  \n\n```\ncode only\n```\n", encoding="utf-8")
    elif case == "ragged":
        source = tmp_path / "bad.tsv"
        source.write_text("zh\ten\n一\ttwo\tthree\n", encoding="utf-8")
    elif case == "missing-source":
        source = tmp_path / "none.tsv"
    elif case == "folder":
        text = tmp_path
    res, _ = _verify(source, text, "--json")
    assert res.returncode == 2
    assert res.stderr.startswith(message) and res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert res.stdout == ""


def test_markdown_sentences_drop_markup_and_keep_the_words():
    text = ("# The **2025** report\n\n> Growth was *steady*, see [the report](http://x).\n\n"
            "1. First item\n2. Second item with the U.S. in it. And more.\n\n```\nprint('no')\n```\n"
            "| a | b |\n|---|---|\n| **Cell one** | Cell two |\n<b>Bold</b> words.")
    assert markdown_sentences(text) == [
        "Growth was steady, see the report.", "First item",
        "Second item with the U.S. in it.", "And more.", "a; b", "Cell one; Cell two", "Bold words."]


@pytest.mark.skipif(not GWR_CSV.is_file(), reason="needs ../shared/data/gwr-2025-zh-en.csv (official pairs)")
def test_official_sentences_verify_against_their_own_report(tmp_path):
    """Sentences copied from the official translation are backed; each cites its own row first."""
    from pipeline.fidelity.pairs import load_pairs

    pairs = [p for p in load_pairs(GWR_CSV) if len(p.en.split()) >= 12][:5]
    text = tmp_path / "copied.txt"
    text.write_text("\n\n".join(p.en for p in pairs), encoding="utf-8")
    res, lines = _verify(GWR_CSV, text, "--json", "--report-year", "2025")
    assert len(lines) >= len(pairs)
    firsts = {line["sources"][0] for line in lines if line["sources"]}
    assert {p.id for p in pairs} <= firsts
    assert all(line["supported"] for line in lines)


# --------------------------------------------------------------------------------------------------
# check --fail-on-flags and its Markdown report


def test_check_fail_on_flags_and_markdown_report(tmp_path):
    pairs = tmp_path / "p.tsv"
    pairs.write_text("id\tzh\ten\nA\t出口增长5%。\tExports grew by 5 percent.\nB\t出口增长6%。\tExports grew by 7 percent.\n",
                     encoding="utf-8")
    report = tmp_path / "check.md"
    res = run_main("check", str(pairs), "--fail-on-flags", "--report", str(report))
    assert res.returncode == 1, res.stderr
    md = report.read_text(encoding="utf-8")
    assert md.startswith("# Fidelity check of p.tsv") and "**1 flagged** (value 1)" in md
    assert "## B" in md and "> 出口增长6%。" in md and "Figure differs: 6% appears as 7 percent in English" in md
    assert "## A" not in md  # clean pairs are counted, not listed
    assert run_main("check", str(pairs)).returncode == 0  # without the option: the old exit code
    clean = tmp_path / "clean.tsv"
    clean.write_text("zh\ten\n出口增长5%。\tExports grew by 5 percent.\n", encoding="utf-8")
    res = run_main("check", str(clean), "--fail-on-flags", "--report", str(report))
    assert res.returncode == 0 and "Nothing flagged." in report.read_text(encoding="utf-8")


def test_check_measure_reports_the_grounding_figures(pair_file, tmp_path):
    """`check --measure` also grounds each row's own English (copied) and two neighbours joined; with
    --elsewhere, another report's sentences must come out unsupported."""
    other = tmp_path / "other.tsv"
    other.write_text("zh\ten\n旅游业繁荣。\tMountain tourism boomed thanks to new ski resorts and hotels.\n",
                     encoding="utf-8")
    res = run_main("check", str(pair_file), "--measure", "--elsewhere", str(other))
    assert res.returncode == 0, res.stderr
    grounding = json.loads(res.stdout)["grounding"]
    assert grounding["sentences"] == 4 and grounding["copied_own_row_first"] == 1.0
    assert grounding["copied_unsupported"] == 0.0 and grounding["joined"] == 3
    assert grounding["elsewhere"] == 1 and grounding["elsewhere_flagged"] == 1.0
    assert grounding["elsewhere_source"] == "elsewhere pairs"
