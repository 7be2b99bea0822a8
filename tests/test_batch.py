"""Batches: directory/glob/table inputs, cross-document batching, manifest reruns, kill -9 resume, Ray."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, TINY_CONFIG, run_main

pytestmark = pytest.mark.usefixtures("tiny_models")

REPORTS = [
    "各位代表:\n一、{n}年工作回顾\n全市生产总值增长{n}.5%。就业保持稳定，新增城镇就业{n}万人。\n"
    "二、下一步工作\n（一）扩大有效投资。一是抓好重点项目。二是抓好招商引资，引进项目{n}个。\n（二）改善民生。办好十件民生实事。",
    "各位代表:\n一、总体情况\n{n}月份以来，经济运行总体平稳。财政收入{n}亿元。\n二、主要任务\n1、稳住外贸。出口增长{n}%。\n2、优化营商环境。推进“最多跑一次”改革。",
]


def make_reports(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        p = folder / f"report-{i:03d}.txt"
        p.write_text(REPORTS[i % 2].format(n=i + 2), encoding="utf-8")
        paths.append(p)
    return paths


def outputs_of(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.json"))}


def first_difference(a: dict[str, str], b: dict[str, str]) -> str:
    """The first differing lines of the first differing file (a readable assertion message)."""
    import difflib

    for name in sorted(set(a) | set(b)):
        if a.get(name) != b.get(name):
            diff = difflib.unified_diff((a.get(name) or "").splitlines(), (b.get(name) or "").splitlines(), lineterm="")
            return name + "\n" + "\n".join(list(diff)[:40])
    return ""


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("reports")
    make_reports(folder, 6)
    return folder


@pytest.fixture(scope="module")
def clean_run(tiny_models, reports, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    res = run_main("run", str(reports), "--config", str(TINY_CONFIG), "--out", str(out), "--no-cache", "-q")
    assert res.returncode == 0, res.stderr
    return out


def test_directory_run_writes_every_report_index_and_parquet(clean_run):
    import pyarrow.parquet as pq

    assert len(outputs_of(clean_run)) == 6
    index = (clean_run / "index.md").read_text(encoding="utf-8")
    assert "6 reports: 6 ok" in index and "(report-000.md)" in index
    table = pq.read_table(clean_run / "segments.parquet")
    assert set(table.column_names) == {"doc_id", "segment_id", "section_path", "zh", "en", "flags", "table_row", "table_column"}
    docs = set(table.column("doc_id").to_pylist())
    assert docs == {f"report-{i:03d}" for i in range(6)}
    rows = table.to_pylist()
    assert any(r["section_path"].startswith("二、") and " > " in r["section_path"] for r in rows)
    manifest = [json.loads(ln) for ln in (clean_run / "manifest.jsonl").read_text().splitlines()]
    assert [r["status"] for r in manifest] == ["ok"] * 6
    assert all(r["content_sha256"] and r["config_hash"] and r["outputs"] for r in manifest)


def test_cross_document_batching_equals_per_document(clean_run, reports, tmp_path):
    res = run_main("run", str(reports), "--config", str(TINY_CONFIG), "--out", str(tmp_path), "--no-cache", "-q",
                  "--per-document")
    assert res.returncode == 0, res.stderr
    assert outputs_of(tmp_path) == outputs_of(clean_run)


def test_glob_file_list_and_table_inputs(clean_run, reports, tmp_path):
    files = sorted(reports.glob("*.txt"))
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(str(p) for p in files[:2]) + "\n", encoding="utf-8")
    table = tmp_path / "reports.jsonl"
    table.write_text("".join(json.dumps({"id": p.stem, "text": p.read_text(encoding="utf-8")}, ensure_ascii=False) + "\n"
                             for p in files[2:4]), encoding="utf-8")
    out = tmp_path / "out"
    res = run_main("run", f"@{listing}", str(reports / "report-00[45].txt"), str(table), "--config",
                  str(TINY_CONFIG), "--out", str(out), "--no-cache", "-q")
    assert res.returncode == 0, res.stderr
    got = outputs_of(out)
    assert sorted(got) == [f"report-{i:03d}.json" for i in range(6)]
    # a table row gives the same document as the file it came from (provenance names the input)
    for i in (2, 3):
        a, b = json.loads(got[f"report-{i:03d}.json"]), json.loads(outputs_of(clean_run)[f"report-{i:03d}.json"])
        assert a["sections"] == b["sections"] and a["summary"] == b["summary"]


def test_bad_table_column_is_one_clear_error(tiny_models, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("doc,body\n1,各位代表今年经济增长。\n", encoding="utf-8")
    res = run_main("run", str(table), "--config", str(TINY_CONFIG), "--out", str(tmp_path / "o"), "--no-cache", "-q")
    assert res.returncode == 2  # no usable input at all: fails before any model loads
    assert "no column 'text'; columns are doc, body" in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_nothing_to_do_fails_fast_with_exit_2(tmp_path):
    res = run_main("run", str(tmp_path / "*.txt"), "--config", str(TINY_CONFIG), "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "no file matches this pattern" in res.stderr
    assert not (tmp_path / "o").exists()


def test_output_names_never_collide_across_runs_and_outputs_are_not_inputs(tiny_models, tmp_path):
    text = REPORTS[0].format(n=3)
    for sub in ("a", "b"):
        (tmp_path / "in" / sub).mkdir(parents=True)
        (tmp_path / "in" / sub / "x.txt").write_text(text.replace("3", "4" if sub == "b" else "3"), encoding="utf-8")
    (tmp_path / "in" / "index.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "in" / "out"  # inside the input folder
    args = ("--config", str(TINY_CONFIG), "--out", str(out), "--no-cache", "-q", "--set", "summarizer.kind=none")
    res = run_main("run", str(tmp_path / "in"), *args)
    assert res.returncode == 0, res.stderr
    assert (out / "a" / "x.json").exists() and (out / "b" / "x.json").exists()
    assert (out / "index.md").read_text(encoding="utf-8").startswith("# Reports")
    index_report = [p for p in out.glob("index-*.json")]
    assert len(index_report) == 1  # the report named index got its own name
    again = run_main("run", str(tmp_path / "in"), *args)
    assert again.returncode == 0, again.stderr  # its own outputs were not taken as inputs
    # the same file name given directly in two runs: the second does not overwrite the first
    flat = ("--config", str(TINY_CONFIG), "--out", str(tmp_path / "flat"), *args[4:])
    one = run_main("run", str(tmp_path / "in" / "a" / "x.txt"), *flat)
    two = run_main("run", str(tmp_path / "in" / "b" / "x.txt"), *flat)
    assert one.returncode == 0 and two.returncode == 0, two.stderr
    outs = sorted(p.name for p in (tmp_path / "flat").glob("x*.json"))
    assert len(outs) == 2 and "x.json" in outs


def test_a_changed_model_redoes_done_work(tiny_models, tmp_path):
    import shutil

    model = tmp_path / "m"
    shutil.copytree(tiny_models["marian-zh-en"], model)
    src = make_reports(tmp_path / "in", 1)[0]
    args = ("run", str(src), "--config", str(TINY_CONFIG), "--out", str(tmp_path / "o"), "--no-cache", "-q",
            "--set", f"translator.model={model}", "--set", "summarizer.kind=none")
    assert run_main(*args).returncode == 0
    assert run_main(*args).returncode == 0  # same model: skipped, nothing appended
    manifest = (tmp_path / "o" / "manifest.jsonl")
    assert len(manifest.read_text().splitlines()) == 1
    gen = model / "generation_config.json"
    gen.write_text(gen.read_text().replace('"num_beams": 4', '"num_beams": 3'))  # another model revision
    assert run_main(*args).returncode == 0
    records = [json.loads(ln) for ln in manifest.read_text().splitlines()]
    assert len(records) == 2 and records[0]["run_signature"] != records[1]["run_signature"]


def test_rerun_skips_done_and_redoes_failed_and_changed(tiny_models, tmp_path):
    src = tmp_path / "in"
    paths = make_reports(src, 3)
    (src / "bad.txt").write_bytes(b"")
    out = tmp_path / "out"
    cache = tmp_path / "cache.sqlite"
    args = ("--config", str(TINY_CONFIG), "--out", str(out), "--cache", str(cache))
    first = run_main("run", str(src), *args)
    assert first.returncode == 1 and "3 written, 0 already done, 1 failed" in first.stderr
    (src / "bad.txt").write_text("各位代表:\n一、情况\n经济平稳。", encoding="utf-8")
    paths[0].write_text(paths[0].read_text(encoding="utf-8") + "\n三、其他\n加强自身建设。", encoding="utf-8")
    second = run_main("run", str(src), *args)
    assert second.returncode == 0, second.stderr
    assert "2 written, 2 already done, 0 failed" in second.stderr
    forced = run_main("run", str(src), *args, "--force")
    assert "4 written, 0 already done" in forced.stderr
    assert "0 sentences translated" in forced.stderr  # every sentence came from the cache


def test_unwritable_output_folder_fails_at_once_in_one_line(reports, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = run_main("run", str(reports / "report-000.txt"), "--config", str(TINY_CONFIG), "--out",
                  str(blocker / "out"), "--no-cache", "-q")
    assert res.returncode == 5
    assert res.stderr.strip().count("\n") == 0 and "output folder not writable" in res.stderr


def test_an_output_that_cannot_be_written_fails_that_document_only(tiny_models, reports, tmp_path):
    out = tmp_path / "out"
    (out / "report-001.md").mkdir(parents=True)  # something in the way of one document's output
    res = run_main("run", str(reports / "report-000.txt"), str(reports / "report-001.txt"), "--config",
                  str(TINY_CONFIG), "--out", str(out), "--no-cache", "-q")
    assert res.returncode == 1 and "Traceback" not in res.stderr
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1 and "report-001.md: cannot write" in errors[0]
    assert (out / "report-000.json").exists()
    manifest = [json.loads(ln) for ln in (out / "manifest.jsonl").read_text().splitlines()]
    assert sorted(r["status"] for r in manifest) == ["failed", "ok"]


# A driver that runs the library's batch with a crash point passed in by the test: the process dies with
# os._exit (no cleanup, no finally: as kill -9) at the Nth occurrence of a run event.
CRASHING_DRIVER = """
import os, sys
from pathlib import Path
from pipeline.batch import BatchRun, iter_inputs, load_components
from pipeline.config import load_config

inputs, config, out, cache, event, nth = sys.argv[1:7]
seen = []

def crash_at(name, facts):
    if name == event:
        seen.append(facts)
        if len(seen) == int(nth):
            os._exit(137)

cfg = load_config(config, ["batch_documents=1"])
components = load_components(cfg, Path(out), cache_path=cache)
BatchRun(components, Path(out), events=crash_at).run(iter_inputs([inputs], exclude=Path(out)))
sys.exit(0)
"""


@pytest.fixture(scope="module")
def clean_run_one_by_one(tiny_models, reports, tmp_path_factory) -> Path:
    """An uninterrupted run with the crashing runs' settings (one document per group, a fresh cache)."""
    out = tmp_path_factory.mktemp("clean-one-by-one")
    res = run_main("run", str(reports), "--config", str(TINY_CONFIG), "--out", str(out), "-q",
                   "--cache", str(out / "cache.sqlite"), "--set", "batch_documents=1")
    assert res.returncode == 0, res.stderr
    return out


@pytest.mark.slow
@pytest.mark.parametrize("event,nth", [
    ("document-written", 1),  # outputs written, manifest line not yet
    ("manifest-appended", 3),  # mid-batch, between documents
    ("collection-start", 1),  # every document done, index.md and segments.parquet not yet written
])
def test_killed_at_any_point_then_rerun_equals_a_clean_run(clean_run_one_by_one, reports, tmp_path, event, nth):
    clean_run = clean_run_one_by_one
    out = tmp_path / "out"
    cache = tmp_path / "cache.sqlite"
    driver = tmp_path / "driver.py"
    driver.write_text(CRASHING_DRIVER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    killed = subprocess.run([sys.executable, str(driver), str(reports), str(TINY_CONFIG), str(out), str(cache),
                             event, str(nth)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert killed.returncode == 137, killed.stderr[-2000:]
    assert not (out / "index.md").exists()  # it died before the collection was written
    res = run_main("run", str(reports), "--config", str(TINY_CONFIG), "--out", str(out), "--cache", str(cache),
                   "-q", "--set", "batch_documents=1")
    assert res.returncode == 0, res.stderr
    assert outputs_of(out) == outputs_of(clean_run), first_difference(outputs_of(out), outputs_of(clean_run))
    assert (out / "index.md").read_text(encoding="utf-8") == (clean_run / "index.md").read_text(encoding="utf-8")
    assert not list(out.rglob(".*.tmp"))  # no half-written file left behind
    lines = (out / "manifest.jsonl").read_text(encoding="utf-8").count("\n")
    again = run_main("run", str(reports), "--config", str(TINY_CONFIG), "--out", str(out), "--cache", str(cache),
                     "-q", "--set", "batch_documents=1")
    assert again.returncode == 0 and (out / "manifest.jsonl").read_text(encoding="utf-8").count("\n") == lines
