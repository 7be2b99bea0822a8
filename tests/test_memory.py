"""Translation memory: exact matches used as they are, fuzzy matches offered (or used when the config
says so), every sentence saying where its English came from. The memory in the end-to-end tests is the
official pairs of ../shared/data/gwr-2025-zh-en.csv (skipped where it is absent)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pipeline.document import Document, Segment
from pipeline.translate.memory import MemoryEntry, TranslationMemory, load_memory, normalize, recall

from .conftest import GWR_CSV, SAMPLE, TINY_CONFIG, run_main
from .test_exchange import all_segments


def test_normalize_ignores_width_punctuation_and_spaces():
    assert normalize("２０２４年，ＧＤＰ增长5.0％。") == normalize("2024年, gdp 增长 5.0%.")
    assert normalize("“十四五”规划、目标。") == normalize('"十四五"规划,目标.')
    assert normalize("增长5%") != normalize("增长6%")


def test_exact_fuzzy_and_no_match():
    memory = TranslationMemory([
        MemoryEntry("全年国内生产总值增长百分之五。", "GDP grew by 5 percent.", "a.tsv#1"),
        MemoryEntry("城镇新增就业一千二百五十六万人。", "12.56 million urban jobs were added.", "a.tsv#2"),
    ], threshold=0.9)
    exact = memory.lookup("全年国内生产总值增长百分之五. ")  # half-width full stop and a space: still exact
    assert exact.kind == "exact" and exact.entry.en == "GDP grew by 5 percent."
    fuzzy = memory.lookup("城镇新增就业一千二百五十七万人。")  # one character differs
    assert fuzzy.kind == "fuzzy" and 0.9 <= fuzzy.score < 1.0 and fuzzy.entry.source == "a.tsv#2"
    assert memory.lookup("城镇新增就业人数创新高。") is None  # below the threshold
    assert TranslationMemory(memory.entries, threshold=0.99).lookup("城镇新增就业一千二百五十七万人。") is None


def test_first_entry_wins_and_blank_entries_are_skipped():
    memory = TranslationMemory([MemoryEntry("一。", "", "x"), MemoryEntry("一。", "One.", "x#2"),
                                MemoryEntry("一.", "Another.", "y")])
    assert len(memory) == 1 and memory.lookup("一。").entry.en == "One."


def test_recall_order_human_then_exact_then_fuzzy():
    memory = TranslationMemory([MemoryEntry("甲乙丙丁戊己庚辛壬癸。", "Ten stems.", "m"),
                                MemoryEntry("子丑寅卯辰巳午未申酉戌亥。", "Twelve branches.", "m")])
    doc = Document(source="t", preamble=[
        Segment("s1", "甲乙丙丁戊己庚辛壬癸。"), Segment("s2", "子丑寅卯辰巳午未申酉戌亥！"),
        Segment("s3", "子丑寅卯辰巳午未申酉戌亥。"), Segment("s4", "没有匹配。")])
    counts = recall(doc, memory, {"子丑寅卯辰巳午未申酉戌亥。": "Corrected by hand."})
    s1, s2, s3, s4 = doc.preamble
    assert (s1.en, s1.origin, s1.tm["kind"]) == ("Ten stems.", "tm", "exact")
    assert (s2.en, s2.origin, s2.tm["kind"]) == (None, None, "fuzzy")  # offered only
    assert (s3.en, s3.origin) == ("Corrected by hand.", "human")
    assert (s4.en, s4.origin, s4.tm) == (None, None, None)
    assert (counts.human, counts.exact, counts.fuzzy_offered, counts.fuzzy_used) == (1, 1, 1, 0)
    recall(doc, memory, None, use_fuzzy=True)
    assert (s2.en, s2.origin) == ("Twelve branches.", "tm")


def test_memory_from_tmx_and_bad_files(tmp_path):
    from pipeline.errors import ConfigError

    tmx = tmp_path / "m.tmx"
    tmx.write_text('<?xml version="1.0"?><tmx version="1.4"><header creationtool="x" creationtoolversion="1" '
                   'segtype="sentence" o-tmf="x" adminlang="en" srclang="zh-CN" datatype="plaintext"/><body>'
                   '<tu tuid="7"><tuv xml:lang="zh-CN"><seg>你好。</seg></tuv><tuv xml:lang="en-US"><seg>Hello.</seg>'
                   '</tuv></tu></body></tmx>', encoding="utf-8")
    memory = load_memory([tmx])
    assert memory.lookup("你好。").entry == MemoryEntry("你好。", "Hello.", "m.tmx#7")
    with pytest.raises(ConfigError, match="tm.files: .*missing.tmx: translation memory file not found"):
        load_memory([tmp_path / "missing.tmx"])
    (tmp_path / "bad.tmx").write_text("<tmx><body><tu>", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a readable TMX file"):
        load_memory([tmp_path / "bad.tmx"])


def _official_sentences(count: int) -> list[dict[str, str]]:
    with open(GWR_CSV, encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["中文句数"] == "1" and r["中文"].endswith("。")
                and not any(c in r["中文"] for c in "；！？：")]
    return rows[:count]


@pytest.fixture(scope="module")
def gwr_report(tmp_path_factory):
    if not GWR_CSV.is_file():
        pytest.skip(f"{GWR_CSV} not present (the official pairs are not part of the repository)")
    rows = _official_sentences(6)
    folder = tmp_path_factory.mktemp("tm-input")
    exact_variant = rows[1]["中文"].replace("，", ", ")  # half-width comma and a space: still an exact match
    long_row = max(rows[2:], key=lambda r: len(r["中文"]))
    fuzzy_variant = long_row["中文"][:-3] + "乙" + long_row["中文"][-2:]  # one character changed
    sentences = [rows[0]["中文"], exact_variant, fuzzy_variant, "这是记忆库中没有的句子。"]
    with open(GWR_CSV, encoding="utf-8-sig", newline="") as f:
        heading = next(r for r in csv.DictReader(f) if r["中文"].startswith("一、"))  # 一、2024年工作回顾
    text = "政府工作报告（摘录）\n" + "\n".join(sentences[:2]) + f"\n{heading['中文']}\n" + "\n".join(sentences[2:])
    (folder / "gwr-sample.txt").write_text(text + "\n", encoding="utf-8")
    return folder / "gwr-sample.txt", rows, long_row, sentences, heading


def _run(report: Path, out: Path, *extra: str) -> dict:
    res = run_main("run", str(report), "--config", str(TINY_CONFIG), "--out", str(out),
                   "--set", f"tm.files=[{GWR_CSV}]", *extra)
    assert res.returncode == 0, res.stderr
    assert "sentences and headings from the translation memory (" in res.stderr  # the run's summary counts the hits
    return json.loads((out / f"{report.stem}.json").read_text(encoding="utf-8"))


def test_official_pairs_as_memory_exact_used_fuzzy_offered(tiny_models, gwr_report, tmp_path):
    report, rows, long_row, sentences, heading = gwr_report
    data = _run(report, tmp_path / "out", "--set", "output.xliff=true", "--set", "output.csv=true")
    segs = {s["zh"]: s for s in all_segments(data)}
    assert list(segs) == sentences  # one segment per sentence, as written
    first, variant, fuzzy, unknown = (segs[s] for s in sentences)
    assert (first["en"], first["origin"], first["tm"]["kind"]) == (rows[0]["英文"], "tm", "exact")
    assert (variant["en"], variant["origin"]) == (rows[1]["英文"], "tm")
    assert fuzzy["origin"] == "model" and fuzzy["en"] != long_row["英文"]
    assert fuzzy["tm"]["kind"] == "fuzzy" and fuzzy["tm"]["en"] == long_row["英文"] and fuzzy["tm"]["score"] >= 0.9
    assert unknown["origin"] == "model" and "tm" not in unknown
    # a heading matches with its marker, as official pairs keep it ("一、" + "2024年工作回顾")
    section = data["sections"][0]
    assert section["marker"] + section["title"]["zh"] == heading["中文"]
    assert (section["title"]["en"], section["title"]["origin"]) == (heading["英文"], "tm")
    assert data["title"]["origin"] == "model"
    assert data["provenance"]["tm"]["entries"] > 300 and data["provenance"]["tm"]["use_fuzzy"] is False
    html = (tmp_path / "out" / f"{report.stem}.html").read_text(encoding="utf-8")
    assert "Translation memory, " in html and ">TM</span>" in html
    xliff = (tmp_path / "out" / f"{report.stem}.xliff").read_text(encoding="utf-8")
    assert 'state-qualifier="exact-match"' in xliff and "<alt-trans" in xliff
    # the model never saw the sentences the memory answered: only two texts (and the title) were translated
    from pipeline.translate.cache import TranslationCache

    cache = TranslationCache(tmp_path / "out" / ".cache" / "translations.sqlite")
    sources = {row[0] for row in cache.db.execute("SELECT source FROM translations")}
    cache.close()
    assert rows[0]["中文"] not in sources and variant["zh"] not in sources and unknown["zh"] in sources


def test_fuzzy_matches_used_when_the_config_says_so(tiny_models, gwr_report, tmp_path):
    report, rows, long_row, sentences, heading = gwr_report
    data = _run(report, tmp_path / "out", "--set", "tm.use_fuzzy=true")
    fuzzy = next(s for s in all_segments(data) if s["zh"] == sentences[2])
    assert (fuzzy["en"], fuzzy["origin"], fuzzy["tm"]["kind"]) == (long_row["英文"], "tm", "fuzzy")


def test_without_memory_every_sentence_says_model(tiny_models, tmp_path):
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(tmp_path), "-q", "--limit", "5")
    assert res.returncode == 0, res.stderr
    data = json.loads((tmp_path / f"{SAMPLE.stem}.json").read_text(encoding="utf-8"))
    assert {s["origin"] for s in all_segments(data)} == {"model"} and "tm" not in data["provenance"]


def test_a_missing_memory_file_is_a_config_error(tiny_models, tmp_path):
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(tmp_path / "o"), "-q",
                   "--set", f"tm.files=[{tmp_path / 'nope.csv'}]")
    assert res.returncode == 3 and res.stderr.count("\n") == 1
    assert "nope.csv: translation memory file not found" in res.stderr


def test_a_changed_memory_redoes_the_reports(tiny_models, tmp_path):
    src = tmp_path / "r.txt"
    src.write_text("各位代表：\n一、工作回顾\n经济运行总体平稳。就业保持稳定。\n", encoding="utf-8")
    memory = tmp_path / "tm.tsv"
    memory.write_text("zh\ten\n就业保持稳定。\tEmployment remained stable.\n", encoding="utf-8")
    args = ["run", str(src), "--config", str(TINY_CONFIG), "--out", str(tmp_path / "o"), "--set", f"tm.files=[{memory}]",
            "--set", "summarizer.kind=none"]
    assert run_main(*args).returncode == 0
    assert "0 written, 1 already done" in run_main(*args).stderr  # same memory: nothing to redo
    memory.write_text("zh\ten\n就业保持稳定。\tEmployment held steady.\n", encoding="utf-8")
    res = run_main(*args)
    assert res.returncode == 0 and "1 written" in res.stderr
    data = json.loads((tmp_path / "o" / "r.json").read_text(encoding="utf-8"))
    seg = next(s for s in all_segments(data) if s["zh"] == "就业保持稳定。")
    assert (seg["en"], seg["origin"], seg["tm"]["source"]) == ("Employment held steady.", "tm", "tm.tsv#1")
