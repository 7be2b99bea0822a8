"""Loading parallel pairs, checking them, and scoring a translator given as a plain function."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.document import Bilingual, Document, Section, Segment
from pipeline.errors import InputError
from pipeline.fidelity import Glossary, GlossaryEntry
from pipeline.fidelity.evaluate import (
    EvalReport,
    Pair,
    check_pairs,
    evaluate,
    load_pairs,
    measure_checker,
    pairs_from_run,
    render_eval_markdown,
)

ROWS = [
    ("1", "完成投资551.2亿元，增长1.2%。", "Investment reached 55.12 billion yuan, up 1.2 percent."),
    ("2", "城镇新增就业1244万人。", "12.44 million new urban jobs were added."),
    ("3", "推进新型城镇化。", "We promoted new urbanization."),
    ("4", "各位代表：", "Fellow Deputies,"),
]
PAIRS = [Pair(*row) for row in ROWS]
GLOSSARY = Glossary((GlossaryEntry("新型城镇化", ("new urbanization",)),), "test")


def _write_delimited(path: Path, header: tuple[str, str, str], delimiter: str) -> None:
    lines = [delimiter.join(header)]
    for pair_id, zh, en in ROWS:
        if delimiter == ",":
            zh, en = f'"{zh}"', f'"{en}"'
        lines.append(delimiter.join((pair_id, zh, en)))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    "name, header, delimiter",
    [
        ("pairs.tsv", ("id", "zh", "en"), "\t"),
        ("pairs.csv", ("id", "source", "target"), ","),
        ("pairs.csv", ("全局对齐序号", "中文", "英文"), ","),
    ],
)
def test_load_pairs_delimited(tmp_path, name, header, delimiter):
    path = tmp_path / name
    _write_delimited(path, header, delimiter)
    assert load_pairs(path) == PAIRS


def test_load_pairs_jsonl(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(json.dumps({"zh": zh, "en": en}, ensure_ascii=False) for _, zh, en in ROWS) + "\n",
                    encoding="utf-8")
    assert load_pairs(path) == [Pair(str(i), zh, en) for i, (_, zh, en) in enumerate(ROWS, start=1)]


def test_load_pairs_keeps_ids_and_figures_as_text(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("id\tzh\ten\n007\t增长1.20%\tup 1.20 percent\n", encoding="utf-8")
    assert load_pairs(path) == [Pair("007", "增长1.20%", "up 1.20 percent")]


def _run_doc() -> Document:
    return Document(
        source="run.txt",
        preamble=[Segment("p-1", ROWS[3][1], ROWS[3][2])],
        sections=[
            Section(id="sec-1", level=1, marker="一、", title=Bilingual("回顾", "Review"),
                    segments=[Segment("s-1", ROWS[0][1], ROWS[0][2]), Segment("s-2", "未翻译。")],
                    sections=[Section(id="sec-1-1", level=2, marker="1、", title=Bilingual("就业"),
                                      segments=[Segment("s-3", ROWS[1][1], ROWS[1][2])])]),
        ],
    )


def test_pairs_from_run_dict_walks_preamble_and_nested_sections():
    pairs = pairs_from_run(_run_doc().to_dict())
    assert [p.id for p in pairs] == ["p-1", "s-1", "s-3"]
    assert pairs[1] == Pair("s-1", ROWS[0][1], ROWS[0][2])


def test_load_pairs_run_json(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(json.dumps(_run_doc().to_dict(), ensure_ascii=False), encoding="utf-8")
    assert [p.id for p in load_pairs(path)] == ["p-1", "s-1", "s-3"]


def test_load_pairs_missing_columns(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("chinese\tenglish\n你好\thello\n", encoding="utf-8")
    with pytest.raises(InputError, match="Chinese and an English column"):
        load_pairs(path)


@pytest.mark.parametrize("name", ["pairs.txt", "pairs"])
def test_load_pairs_unknown_format(tmp_path, name):
    path = tmp_path / name
    path.write_text("zh\ten\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown pairs format"):
        load_pairs(path)


def test_load_pairs_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_pairs(tmp_path / "nope.tsv")


def test_check_pairs():
    pairs = PAIRS + [Pair("5", "完成投资551.2亿元。", "Investment reached 5.512 billion yuan.")]
    records, summary = check_pairs(pairs, GLOSSARY)
    assert [r["id"] for r in records] == ["1", "2", "3", "4", "5"]
    assert records[4]["flags"][0]["reason"] == "magnitude"
    assert set(records[0]) == {"id", "zh", "en", "flags"}
    assert summary == {"pairs": 5, "with_numbers": 3, "flagged": 1, "by_reason": {"magnitude": 1}}


def test_evaluate_with_the_references_scores_perfectly():
    report = evaluate(PAIRS, lambda batch: [dict((p.zh, p.en) for p in PAIRS)[zh] for zh in batch], GLOSSARY)
    assert report.pairs == 4
    assert report.bleu == pytest.approx(100.0)
    assert report.chrf == pytest.approx(100.0)
    assert report.pairs_with_numbers == 2 and report.number_flagged == 0
    assert report.pairs_with_terms == 1 and report.term_flagged == 0
    assert "tok:13a" in report.bleu_signature


def _corrupt(text: str) -> str:
    return text.replace("billion", "million").replace("new urbanization", "urbanization")


def test_evaluate_with_a_corrupting_translator():
    references = {p.zh: p.en for p in PAIRS}
    seen: list[list[str]] = []

    def translate_batch(batch: list[str]) -> list[str]:
        seen.append(list(batch))
        return [_corrupt(references[zh]) for zh in batch]

    report = evaluate(PAIRS, translate_batch, GLOSSARY)
    assert seen == [[p.zh for p in PAIRS]]
    assert report.bleu < 100
    assert report.number_flagged == 1 and report.number_error_rate == pytest.approx(0.5)
    assert report.term_flagged == 1 and report.term_error_rate == pytest.approx(1.0)
    assert report.by_reason == {"magnitude": 1, "term-missing": 1}
    assert [e["id"] for e in report.examples] == ["1", "3"]

    d = report.to_dict()
    assert d["number_error_rate"] == pytest.approx(0.5)
    json.dumps(d)

    markdown = render_eval_markdown(report)
    assert markdown.startswith("# Translation evaluation")
    assert "| BLEU |" in markdown and "magnitude" in markdown and "tok:13a" in markdown


def test_evaluate_rejects_wrong_number_of_translations():
    with pytest.raises(ValueError, match="returned 1 translations for 4"):
        evaluate(PAIRS, lambda batch: ["x"])


def test_evaluate_without_pairs_is_an_input_error():
    with pytest.raises(InputError):
        evaluate([], lambda batch: batch)


def test_render_without_figures_or_terms():
    report = EvalReport(pairs=1, bleu=10.0, chrf=20.0, bleu_signature="b", chrf_signature="c",
                        pairs_with_numbers=0, number_flagged=0, pairs_with_terms=0, term_flagged=0)
    assert "n/a" in render_eval_markdown(report)


def test_measure_checker_on_crafted_pairs():
    pairs = PAIRS + [Pair("9", "制造业投资增长9.2%。", "Manufacturing investment grew by 9.2 percent.")]
    figures = measure_checker(pairs, seed=0)
    assert figures["pairs_with_numbers"] == 3
    assert figures["false_alarms"] == 0
    assert figures["injected"] >= 6
    assert figures["detection_rate"] == 1.0
    assert measure_checker(pairs, seed=0) == figures


# --------------------------------------------------------------------------------------------------
# bad pair files: one line on stderr, no traceback, no logger output (through the CLI, in process)

_RUN_NULL_ZH = {"source": "x", "preamble": [{"id": "p1", "zh": None, "en": "Fellow Deputies,"}], "sections": []}


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("ragged.tsv", "id\tzh\ten\n1\t增长1.2%。\tup 1.2 percent\n2\ta\tb\tc\td\n", "line 3: 5 cells where the header has 3"),
        ("bad.jsonl", '{"zh": "增长1.2%", "en": "up 1.2 percent"}\n{"zh": broken\n', "cannot read"),
        ("run.json", json.dumps(_RUN_NULL_ZH), "segment 'p1' has zh=None, expected text"),
        ("run2.json", json.dumps({"source": "x", "preamble": [], "sections": [{"id": 1}]}), "not a pipeline run JSON"),
    ],
)
def test_bad_pair_files_are_one_line(tmp_path, capfd, name, content, message):
    from pipeline.cli import main

    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert main(["check", str(path)]) == 2
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err, err


def test_eval_on_a_ragged_file_is_one_line_before_any_model_loads(tmp_path, capfd):
    from pipeline.cli import main

    path = tmp_path / "ragged.tsv"
    path.write_text("id\tzh\ten\n1\t增长1.2%。\tup 1.2 percent\n2\ta\tb\tc\td\n", encoding="utf-8")
    assert main(["eval", "--pairs", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "line 3: 5 cells where the header has 3" in err, err


def test_check_with_a_folder_as_glossary_is_one_line(tmp_path, capfd):
    from pipeline.cli import main

    path = tmp_path / "pairs.tsv"
    _write_delimited(path, ("id", "zh", "en"), "\t")
    assert main(["check", "--glossary", str(tmp_path), str(path)]) == 3
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "is a folder" in err, err
