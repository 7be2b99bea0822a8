"""`models calibrate`: the paths backend: auto can take, timed on this machine and the tiny models; the
fastest is stored per machine and model, and backend: auto takes it (issue 27)."""

from __future__ import annotations

import json
import shutil

import pytest

from pipeline.config import load_config
from pipeline.translate.calibrate import (
    CALIBRATION_ENV,
    Candidate,
    calibrated_path,
    candidates,
    read_calibrations,
    sample_texts,
)
from pipeline.translate.fastest import fastest_path, section_path
from tests.conftest import TINY_CONFIG, run_main


@pytest.fixture
def calibration(tmp_path, monkeypatch):
    path = tmp_path / "state" / "calibration.json"
    monkeypatch.setenv(CALIBRATION_ENV, str(path))
    return path


@pytest.fixture(scope="module")
def ct2_tiny(tiny_models, tmp_path_factory):
    """The tiny models converted to CTranslate2 (int8), where CTranslate2 is installed."""
    pytest.importorskip("ctranslate2")
    from pipeline.translate.ct2 import convert_to_ctranslate2

    root = tmp_path_factory.mktemp("ct2")
    return {name: convert_to_ctranslate2(str(tiny_models[name]), root / name, quantization="int8")
            for name in ("marian-zh-en", "bart-summarizer")}


def _sets(ct2_tiny) -> list[str]:
    return ["translator.backend=auto", "translator.dtype=auto", "summarizer.backend=auto", "summarizer.dtype=auto",
            f"translator.ct2_model={ct2_tiny['marian-zh-en']}", f"summarizer.ct2_model={ct2_tiny['bart-summarizer']}"]


def _cli_sets(sets: list[str]) -> list[str]:
    return [a for s in sets for a in ("--set", s)]


def test_the_candidates_follow_the_cpu_and_what_is_installed(tiny_models, ct2_tiny):
    config = load_config(TINY_CONFIG, _sets(ct2_tiny))
    bf16 = candidates(config, "translator", frozenset({"avx2", "avx512_bf16"}))
    assert bf16 == [Candidate("transformers", "float32"), Candidate("transformers", "bfloat16"),
                    Candidate("ctranslate2", "int8")]
    assert candidates(config, "translator", frozenset({"avx2"})) == [
        Candidate("transformers", "float32"), Candidate("ctranslate2", "int8")]
    named = load_config(TINY_CONFIG, [*_sets(ct2_tiny), "summarizer.dtype=float16"])
    assert candidates(named, "summarizer", frozenset({"amx_bf16"}))[0] == Candidate("transformers", "float16")
    no_ct2 = load_config(TINY_CONFIG, ["translator.backend=auto", "translator.dtype=auto"])
    assert [c.backend for c in candidates(no_ct2, "translator", frozenset())] == ["transformers"]
    assert len(sample_texts("translator", 20)) == 20 and all("|" not in s for s in sample_texts("translator", 20))


def test_calibrate_times_every_candidate_stores_the_fastest_and_auto_takes_it(tiny_models, ct2_tiny, calibration):
    from pipeline.summarize import build_summarizer
    from pipeline.translate import build_translator

    sets = _sets(ct2_tiny)
    res = run_main("models", "calibrate", "--config", str(TINY_CONFIG), *_cli_sets(sets), "--sentences", "6")
    assert res.returncode == 0, res.stderr
    config = load_config(TINY_CONFIG, sets)
    entries = list(read_calibrations(calibration).values())
    assert sorted(e["section"] for e in entries) == ["summarizer", "translator"]
    for entry in entries:
        assert all(t["seconds"] is not None for t in entry["timings"]), entry["timings"]  # every path ran
        timed = [Candidate(t["backend"], t["number_format"]) for t in entry["timings"]]
        assert timed == candidates(config, entry["section"])
        fastest = min(entry["timings"], key=lambda t: t["seconds"])
        assert entry["choice"] == {"backend": fastest["backend"], "number_format": fastest["number_format"]}
        assert entry["timings"][0]["agreement"] == 1.0  # the first candidate is the reference
        assert entry["texts"] == (6 if entry["section"] == "translator" else 2)
        # the printed table marks the stored choice
        assert f"* {entry['section']:<10} {fastest['backend']:<12} {fastest['number_format']}" in res.stdout
    translator = build_translator(config)
    chosen = {e["section"]: e["choice"] for e in entries}
    assert translator.chosen_path.why.startswith("calibrated on this machine")
    assert translator.chosen_path.backend == chosen["translator"]["backend"] == translator.signature()["backend"]
    if chosen["translator"]["backend"] == "transformers":
        assert translator.dtype == chosen["translator"]["number_format"]
    assert translator.translate_batch(["各位代表。"])[0].token_ids
    summarizer, _ = build_summarizer(config)
    assert summarizer.generator.chosen_path.backend == chosen["summarizer"]["backend"]

    # once per machine and model: a second call times nothing; --force times again
    before = calibration.read_bytes()
    again = run_main("models", "calibrate", "--config", str(TINY_CONFIG), *_cli_sets(sets), "--only", "translator")
    assert again.returncode == 0 and "calibrated already" in again.stderr and "timing" not in again.stderr
    assert calibration.read_bytes() == before
    forced = run_main("models", "calibrate", "--config", str(TINY_CONFIG), *_cli_sets(sets), "--only", "translator",
                      "--force", "--sentences", "3", "--json")
    assert forced.returncode == 0 and "timing" in forced.stderr
    assert json.loads(forced.stdout)[0]["texts"] == 3
    assert len(read_calibrations(calibration)) == 2  # replaced, not added


def test_another_thread_count_or_a_changed_model_finds_no_choice(tiny_models, ct2_tiny, calibration, tmp_path):
    sets = _sets(ct2_tiny)
    assert run_main("models", "calibrate", "--config", str(TINY_CONFIG), *_cli_sets(sets), "--only", "translator",
                    "--sentences", "3").returncode == 0
    assert calibrated_path(load_config(TINY_CONFIG, sets), "translator") is not None
    assert calibrated_path(load_config(TINY_CONFIG, [*sets, "translator.threads=2"]), "translator") is None
    changed = tmp_path / "marian-changed"
    shutil.copytree(tiny_models["marian-zh-en"], changed)
    gen = changed / "generation_config.json"
    gen.write_text(gen.read_text(encoding="utf-8").replace('"num_beams": 4', '"num_beams": 3'), encoding="utf-8")
    config = load_config(TINY_CONFIG, [*sets, f"translator.model={changed}"])
    assert calibrated_path(config, "translator") is None
    assert section_path(config, "translator") == fastest_path()  # the table again


def test_a_damaged_calibration_file_is_ignored_with_one_warning_and_rewritten(tiny_models, ct2_tiny, calibration,
                                                                               capsys):
    sets = _sets(ct2_tiny)
    calibration.parent.mkdir(parents=True)
    calibration.write_text('{"version": 1, "entries": [{"section": "transl', encoding="utf-8")
    assert section_path(load_config(TINY_CONFIG, sets), "translator") == fastest_path()
    assert capsys.readouterr().err.count("warning: ignoring the calibration file") == 1
    res = run_main("models", "calibrate", "--config", str(TINY_CONFIG), *_cli_sets(sets), "--only", "translator",
                   "--sentences", "3")
    assert res.returncode == 0, res.stderr
    assert [e["section"] for e in read_calibrations(calibration).values()] == ["translator"]
    # a hand-edited choice naming a backend auto cannot take is not used
    data = json.loads(calibration.read_text(encoding="utf-8"))
    data["entries"][0]["choice"] = {"backend": "identity", "number_format": "float32"}
    calibration.write_text(json.dumps(data), encoding="utf-8")
    assert calibrated_path(load_config(TINY_CONFIG, sets), "translator") is None


def test_a_path_that_cannot_run_is_reported_and_never_chosen(tiny_models, ct2_tiny, calibration, tmp_path):
    broken = tmp_path / "broken-ct2"
    shutil.copytree(ct2_tiny["marian-zh-en"], broken)
    (broken / "model.bin").write_bytes(b"not a model")
    sets = [*_sets(ct2_tiny), f"translator.ct2_model={broken}"]
    res = run_main("models", "calibrate", "--config", str(TINY_CONFIG), *_cli_sets(sets), "--only", "translator",
                   "--sentences", "3")
    assert res.returncode == 0, res.stderr
    (entry,) = read_calibrations(calibration).values()
    failed = [t for t in entry["timings"] if t["seconds"] is None]
    assert [t["backend"] for t in failed] == ["ctranslate2"] and failed[0]["error"]
    assert entry["choice"]["backend"] == "transformers"
    assert "failed:" in res.stdout and "Traceback" not in res.stderr


def test_calibrate_without_the_model_says_so_in_one_line(tiny_models, calibration, tmp_path):
    res = run_main("models", "calibrate", "--config", str(TINY_CONFIG), "--set",
                   f"translator.model={tmp_path / 'nowhere'}", "--only", "translator")
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert "translator" in res.stderr and not calibration.exists()
