"""The habits of people who use the command line: a quick `translate`, standard input, help without
arguments, examples and defaults in every help, and outputs that say when they are a preview or were made
with the tiny models."""

from __future__ import annotations

import io
import json
import sys

import pytest

from .conftest import GWR_CSV, SAMPLE, TINY_CONFIG, run_main
from .test_exchange import all_segments

COMMANDS = ["run", "segment", "models", "check", "eval", "bench", "translate", "import-edits"]


def with_stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))


def test_no_arguments_prints_the_help():
    res = run_main()
    assert res.returncode == 0 and res.stdout.startswith("usage:") and not res.stderr
    assert "examples:" in res.stdout and "translate" in res.stdout and "import-edits" in res.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_help_has_examples_and_says_each_default_once(command):
    text = run_main(command, "--help").stdout
    assert "examples:" in text and f"python -m pipeline {command.split()[0]}" in text.split("examples:")[1]
    flat = " ".join(text.split())
    for noise in ("(default: None)", "(default: False)", "(default: [])"):
        assert noise not in flat
    assert flat.count("(default: default)") <= 1 and ") (default:" not in flat


@pytest.mark.usefixtures("tiny_models")
def test_translate_text_and_stdin(monkeypatch):
    res = run_main("translate", "--config", str(TINY_CONFIG), "全市生产总值增长5.5%。就业保持稳定。")
    assert res.returncode == 0, res.stderr
    assert len(res.stdout.splitlines()) == 1 and res.stdout.strip()  # one line per input line
    assert "Figure missing in the English: 5.5%" in res.stderr  # the checks run too (on gibberish)
    with_stdin(monkeypatch, "全市生产总值增长5.5%。\n\n就业保持稳定。新增城镇就业3万人。\n")
    res = run_main("translate", "--config", str(TINY_CONFIG), "--pairs", "-")
    assert res.returncode == 0, res.stderr
    rows = [line.split("\t") for line in res.stdout.splitlines()]
    assert [r[0] for r in rows] == ["全市生产总值增长5.5%。", "就业保持稳定。", "新增城镇就业3万人。"]
    assert all(r[1] and r[2] == "model" for r in rows)


def test_translate_nothing_is_one_line(monkeypatch):
    with_stdin(monkeypatch, " \n")
    res = run_main("translate", "--config", str(TINY_CONFIG), "-")
    assert res.returncode == 2 and res.stderr.startswith("error: nothing to translate") and res.stderr.count("\n") == 1


@pytest.mark.usefixtures("tiny_models")
@pytest.mark.skipif(not GWR_CSV.is_file(), reason="../shared/data/gwr-2025-zh-en.csv not present")
def test_translate_uses_the_translation_memory():
    import csv

    with open(GWR_CSV, encoding="utf-8-sig", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["中文句数"] == "1" and r["中文"].endswith("。"))
    res = run_main("translate", "--config", str(TINY_CONFIG), "--set", f"tm.files=[{GWR_CSV}]", "--pairs", row["中文"])
    assert res.returncode == 0, res.stderr
    zh, en, origin, _ = res.stdout.rstrip("\n").split("\t")
    assert (zh, en, origin) == (row["中文"], " ".join(row["英文"].split()), "tm")


@pytest.mark.usefixtures("tiny_models")
def test_run_reads_standard_input(monkeypatch, tmp_path):
    with_stdin(monkeypatch, SAMPLE.read_text(encoding="utf-8"))
    res = run_main("run", "-", "--config", str(TINY_CONFIG), "--out", str(tmp_path), "-q", "--limit", "4")
    assert res.returncode == 0, res.stderr
    data = json.loads((tmp_path / "stdin.json").read_text(encoding="utf-8"))
    assert data["meta"]["source"] == "stdin" and len(all_segments(data)) == 4


@pytest.mark.usefixtures("tiny_models")
def test_tiny_models_and_previews_are_said_on_every_output(tmp_path):
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(tmp_path), "-q", "--limit", "5",
                   "--set", "output.docx=true", "--set", "output.xliff=true", "--set", "output.tmx=true")
    assert res.returncode == 0, res.stderr
    stem = SAMPLE.stem
    data = json.loads((tmp_path / f"{stem}.json").read_text(encoding="utf-8"))
    assert data["provenance"]["tiny_models"] is True and data["provenance"]["preview"] == {"first_segments": 5}
    for name in (f"{stem}.html", f"{stem}.md", f"{stem}.xliff", f"{stem}.tmx"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "gibberish" in text and "Partial preview: only the first 5 segments" in text, name
    import docx

    paragraphs = [p.text for p in docx.Document(str(tmp_path / f"{stem}.docx")).paragraphs[:3]]
    assert any("gibberish" in p for p in paragraphs) and any("Partial preview" in p for p in paragraphs)
    assert "partial preview (first 5 segments)" in (tmp_path / "index.md").read_text(encoding="utf-8")
    for digest in ("digest.md", "digest.html"):
        text = (tmp_path / digest).read_text(encoding="utf-8")
        assert "gibberish" in text and "Partial preview" in text, digest
    html = (tmp_path / f"{stem}.html").read_text(encoding="utf-8")
    assert html.index('class="notice"') < html.index("<h1>")  # above the title: seen first


@pytest.mark.usefixtures("tiny_models")
def test_a_whole_run_on_real_model_folders_has_no_notice(tmp_path):
    """No stamp, no notice: a copy of the tiny translator without its build stamp stands for a real model."""
    import shutil

    from pipeline.models import BUILDER_STAMP

    from .conftest import TINY_HOME

    model = tmp_path / "translator"
    shutil.copytree(TINY_HOME / "models" / "tiny" / "marian-zh-en", model)
    (model / BUILDER_STAMP).unlink()
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(tmp_path / "o"), "-q",
                   "--limit", "3", "--set", f"translator.model={model}", "--set", "summarizer.kind=extractive")
    assert res.returncode == 0, res.stderr
    md = (tmp_path / "o" / f"{SAMPLE.stem}.md").read_text(encoding="utf-8")
    assert "gibberish" not in md and "Partial preview" in md


@pytest.mark.usefixtures("tiny_models")
def test_a_failed_table_row_is_named_by_its_id_in_the_index(tmp_path):
    table = tmp_path / "rows.jsonl"
    rows = [{"id": "good-row", "text": "一、总体情况\n经济运行总体平稳。财政收入12亿元。"},
            {"id": "english-row", "text": "This row is English only, so it is refused as not Chinese."}]
    table.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    res = run_main("run", str(table), "--config", str(TINY_CONFIG), "--out", str(tmp_path / "o"), "-q",
                   "--set", "summarizer.kind=none")
    assert res.returncode == 1, res.stderr
    failed = [line for line in (tmp_path / "o" / "index.md").read_text(encoding="utf-8").splitlines() if "| failed: " in line]
    assert len(failed) == 1 and "| english-row |" in failed[0] and "| rows |" not in failed[0]
