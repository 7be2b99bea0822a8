"""`check`, `eval`, `models` and the CTranslate2 backend, end to end on the tiny model."""

from __future__ import annotations

import json

import pytest

from .conftest import GWR_CSV, ROOT, SAMPLE, TINY_CONFIG, run_cli, run_main

pytestmark = pytest.mark.usefixtures("tiny_models")

PAIRS = [
    {"id": "1", "zh": "地区生产总值551.2亿元，增长1.2%。", "en": "GDP reached 55.12 billion yuan, up 1.2 percent."},
    {"id": "2", "zh": "地区生产总值551.2亿元，增长1.2%。", "en": "GDP reached 55.12 million yuan, up 1.2 percent."},
    {"id": "3", "zh": "新增就业1244万人。", "en": "12.44 million new jobs were added."},
    {"id": "4", "zh": "坚持“六稳”工作。", "en": "We kept stability."},
]


@pytest.fixture()
def pair_file(tmp_path):
    p = tmp_path / "pairs.jsonl"
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in PAIRS), encoding="utf-8")
    return p


def test_check_flags_pairs_as_json_lines(pair_file):
    res = run_main("check", str(pair_file))
    assert res.returncode == 0, res.stderr
    rows = [json.loads(ln) for ln in res.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    assert rows[0]["flags"] == [] and rows[2]["flags"] == []
    assert rows[1]["flags"][0]["reason"] == "magnitude"
    assert rows[3]["flags"][0]["kind"] == "term"
    summary = json.loads(res.stderr.strip().splitlines()[-1])["summary"]
    assert summary["pairs"] == 4 and summary["flagged"] == 2


def test_check_reads_a_run_json(tiny_models, tmp_path):
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(tmp_path), "--no-cache", "-q",
                  "--set", "summarizer.kind=none")
    assert res.returncode == 0, res.stderr
    res = run_main("check", str(tmp_path / "yuyao-2020-h1-report.json"))
    assert res.returncode == 0, res.stderr
    rows = [json.loads(ln) for ln in res.stdout.splitlines()]
    assert len(rows) > 100 and rows[0]["id"] == "s1"
    # gibberish translations lose every figure: the checker says so
    assert sum(1 for r in rows if any(f["kind"] == "number" for f in r["flags"])) > 20


def test_check_bad_file_is_one_line(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    res = run_main("check", str(bad))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_eval_runs_end_to_end_on_the_tiny_model(tiny_models, pair_file, tmp_path):
    out = tmp_path / "eval"
    res = run_main("eval", "--pairs", str(pair_file), "--config", str(TINY_CONFIG), "--out", str(out), "--no-cache",
                  "-q")
    assert res.returncode == 0, res.stderr
    data = json.loads((out / "eval.json").read_text(encoding="utf-8"))
    assert 0 <= data["bleu"] < 5 and data["bleu_signature"].startswith("nrefs:1")  # gibberish by design
    assert "chrf" in data and data["translator"]["model"].endswith("models/tiny/marian-zh-en")
    assert (out / "eval.md").read_text(encoding="utf-8").startswith("#")


@pytest.mark.skipif(not GWR_CSV.exists(), reason="../shared/data/gwr-2025-zh-en.csv not present")
def test_check_on_the_official_translation_csv():
    res = run_main("check", str(GWR_CSV))
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stderr.strip().splitlines()[-1])["summary"]
    assert summary["pairs"] == 432


def test_models_lists_what_a_config_needs(tmp_path):
    res = run_cli("models", "--config", "configs/default.yaml", env={"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path)})
    assert res.returncode == 4
    assert "translator: Helsinki-NLP/opus-mt-zh-en: MISSING" in res.stdout
    assert "models download Helsinki-NLP/opus-mt-zh-en" in res.stdout


def test_models_download_without_network_is_one_line(tmp_path):
    res = run_cli("models", "download", "Helsinki-NLP/opus-mt-zh-en", "--dir", str(tmp_path),
                  env={"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")})
    assert res.returncode == 4 and len(res.stderr.strip().splitlines()) == 1
    assert "could not download 'Helsinki-NLP/opus-mt-zh-en'" in res.stderr


def test_ctranslate2_backend_round_trips_on_the_tiny_model(tiny_models, tiny_translator, tmp_path):
    pytest.importorskip("ctranslate2", reason="pip install -e '.[fast]'")
    from pipeline.translate import GenerationSettings
    from pipeline.translate.ct2 import CTranslate2Translator, convert_to_ctranslate2

    ct2 = convert_to_ctranslate2(str(tiny_models["marian-zh-en"]), tmp_path / "ct2", quantization="float32")
    assert (ct2 / "model.bin").exists()
    c = CTranslate2Translator(str(ct2), str(tiny_models["marian-zh-en"]), compute_type="float32", threads=1,
                              max_input_tokens=64)
    sents = ["上半年，实现地区生产总值551.2亿元，增长1.2%。", "一是盯牢重点项目推进。", "全市无扩散性病例发生。"]
    settings = GenerationSettings(num_beams=1, max_length_ratio=1.0, max_length_slack=4)
    got = c.translate_batch(sents, settings)
    ref = tiny_translator.translate_batch(sents, settings)
    assert len(got) == len(sents) and all(g.text for g in got)
    # float32 CTranslate2 and transformers decode the same tokens for greedy search
    assert [g.token_ids for g in got] == [r.token_ids for r in ref]
    # and the CLI runs a document through it, int8, selected by config
    convert = run_main("models", "convert", str(tiny_models["marian-zh-en"]), "--out", str(tmp_path / "ct2-int8"))
    assert convert.returncode == 0, convert.stderr
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(tmp_path / "o"), "--no-cache", "-q",
                  "--set", "translator.backend=ctranslate2", "--set", f"translator.ct2_model={tmp_path / 'ct2-int8'}",
                  "--set", "summarizer.kind=none")
    assert res.returncode == 0, res.stderr
    data = json.loads((tmp_path / "o" / "yuyao-2020-h1-report.json").read_text(encoding="utf-8"))
    assert data["provenance"]["translator"]["backend"] == "ctranslate2"
    assert len(data["sections"]) == 2


def test_help_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys; from pipeline.cli import build_parser; build_parser(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "False"


def test_models_list_honours_config_before_or_after_the_action(tiny_models):
    for args in (("models", "--config", str(TINY_CONFIG), "list"), ("models", "list", "--config", str(TINY_CONFIG))):
        res = run_main(*args)
        assert res.returncode == 0, res.stdout + res.stderr
        assert "models/tiny/marian-zh-en ->" in res.stdout


def test_missing_local_model_folder_names_the_hub_model_to_download(tmp_path):
    res = run_cli("run", str(SAMPLE), "--config", str(ROOT / "configs" / "fast.yaml"), "--out", str(tmp_path), cwd=tmp_path)
    assert res.returncode == 4
    line = res.stderr.strip()
    assert "model folder 'models/opus-mt-zh-en' (translator) not found" in line
    assert "python -m pipeline models download Helsinki-NLP/opus-mt-zh-en" in line and "\n" not in line
