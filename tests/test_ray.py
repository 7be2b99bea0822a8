"""The Ray engine: the same outputs as the local engine, a dead worker loses nothing, paths and cache
resolved like the local engine's from any working directory. Skipped (each with a reason) without Ray."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, TINY_CONFIG, run_cli, run_main

pytestmark = [pytest.mark.ray, pytest.mark.slow, pytest.mark.usefixtures("tiny_models")]

REPORT = "各位代表:\n一、{n}年工作回顾\n全市生产总值增长{n}.5%。就业保持稳定，新增城镇就业{n}万人。\n二、下一步工作\n（一）扩大有效投资。一是抓好重点项目。"


def _need_ray() -> None:
    pytest.importorskip("ray", reason="Ray not installed (pip install -e '.[ray]')")


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ray-reports")
    for i in range(4):
        (folder / f"r{i}.txt").write_text(REPORT.format(n=i + 2), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def local_run(reports, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local")
    res = run_main("run", str(reports), "--config", str(TINY_CONFIG), "--out", str(out), "--no-cache", "-q",
                   "--set", "summarizer.kind=none")
    assert res.returncode == 0, res.stderr
    return out


def _outputs(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.json"))}


# The test's own crash: the first actor batch that finds the marker missing creates it and kills its
# worker process; Ray restarts the actor and retries the batch. Passed in through the library's hook.
CRASHING_RAY_DRIVER = """
import os, sys
from pathlib import Path
from pipeline.batch import iter_inputs, load_components
from pipeline.batch.ray_engine import run_batch_ray
from pipeline.config import load_config

inputs, config, out, marker = sys.argv[1:5]

def crash_once(texts):
    if not os.path.exists(marker):
        Path(marker).write_text("crashed once")
        os._exit(1)

cfg = load_config(config, ["summarizer.kind=none", "ray.pool_size=2", "ray.batch_size=8"])
components = load_components(cfg, Path(out), use_cache=False)
report = run_batch_ray(iter_inputs([inputs]), components, Path(out), before_batch=crash_once)
sys.exit(0 if not report.failed else 1)
"""


def test_ray_engine_equals_local_even_when_a_worker_dies(local_run, reports, tmp_path):
    _need_ray()
    driver = tmp_path / "driver.py"
    driver.write_text(CRASHING_RAY_DRIVER, encoding="utf-8")
    marker = tmp_path / "crashed"
    res = subprocess.run([sys.executable, str(driver), str(reports), str(TINY_CONFIG), str(tmp_path / "out"),
                          str(marker)], env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert marker.exists()  # a worker really died mid-batch
    assert _outputs(tmp_path / "out") == _outputs(local_run)


# Reading in read tasks, summaries on the summarizer actors and checks + rendering in document tasks, with the
# test's crashes: the first read task, summarizer batch and document task each kill their worker process once.
CRASHING_STAGES_DRIVER = """
import json, os, sys
from pathlib import Path
from pipeline.batch import iter_inputs, load_components
from pipeline.batch.ray_engine import run_batch_ray
from pipeline.config import load_config

inputs, config, out, marker = sys.argv[1:5]

def crash_once(stage):
    def hook(items):
        path = Path(marker + "-" + stage)
        if not path.exists():
            path.write_text("crashed once")
            os._exit(1)
    return hook

cfg = load_config(config, ["ray.pool_size=1", "ray.summarizer_pool_size=2", "ray.num_cpus_per_summarizer=0.5",
                           "ray.num_cpus_per_task=0.5"])
components = load_components(cfg, Path(out), use_cache=False)
report = run_batch_ray(iter_inputs([inputs]), components, Path(out), before_read=crash_once("read"),
                       before_summary=crash_once("summary"), before_document=crash_once("document"))
sys.exit(0 if not report.failed else 1)
"""


def test_summaries_on_actors_and_documents_in_tasks_equal_local_when_workers_die(reports, tmp_path):
    _need_ray()
    local = tmp_path / "local"  # abstractive summaries (the tiny config's), on the local engine
    res = run_main("run", str(reports), "--config", str(TINY_CONFIG), "--out", str(local), "--no-cache", "-q")
    assert res.returncode == 0, res.stderr
    driver = tmp_path / "driver.py"
    driver.write_text(CRASHING_STAGES_DRIVER, encoding="utf-8")
    marker = tmp_path / "crashed"
    res = subprocess.run([sys.executable, str(driver), str(reports), str(TINY_CONFIG), str(tmp_path / "out"),
                          str(marker)], env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert all(Path(f"{marker}-{stage}").exists() for stage in ("read", "summary", "document"))  # all really died
    engine = json.loads((tmp_path / "out" / ".ray" / "stats.json").read_text(encoding="utf-8"))
    counts = [c for node in engine["nodes"].values() for c in [node]]
    assert sum(c.get("summary_batches", 0) for c in counts) >= 4  # every document's summaries on an actor
    assert sum(c.get("document_tasks", 0) for c in counts) == 4  # a retried task is counted once
    assert sum(c.get("read_tasks", 0) for c in counts) == 4
    every = lambda folder: {p.name: p.read_bytes() for p in sorted(folder.iterdir())  # noqa: E731
                            if p.suffix in (".json", ".md", ".html")}
    assert every(tmp_path / "out") == every(local)
    summaries = [json.loads((local / f"r{i}.json").read_text(encoding="utf-8"))["summary"] for i in range(4)]
    assert all(s and s["method"] == "abstractive" for s in summaries)
    lines = (tmp_path / "out" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["input"] for line in lines] == [json.loads(line)["input"] for line in
                                                             (local / "manifest.jsonl").read_text().splitlines()]


def _project_copy(folder: Path, tiny_models: dict[str, Path]) -> Path:
    """A project folder laid out like the repository (configs/tiny.yaml with its relative model and
    glossary paths unchanged, models/tiny/...): relative paths resolve against the config's project."""
    import shutil

    (folder / "configs" / "glossary").mkdir(parents=True)
    shutil.copy(ROOT / "configs" / "tiny.yaml", folder / "configs" / "tiny.yaml")
    shutil.copy(ROOT / "configs" / "glossary" / "gov-report.tsv", folder / "configs" / "glossary")
    (folder / "models" / "tiny").mkdir(parents=True)
    for name, path in tiny_models.items():
        (folder / "models" / "tiny" / name).symlink_to(path)
    return folder / "configs" / "tiny.yaml"


def test_ray_engine_with_cache_from_another_folder_and_an_absolute_config(reports, tmp_path, tiny_models):
    _need_ray()
    config = _project_copy(tmp_path / "project", tiny_models)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    local = tmp_path / "local"  # the same config (relative glossary path, recorded as given) on the local engine
    res = run_main("run", str(reports), "--config", str(config.resolve()), "--out", str(local), "--no-cache", "-q",
                   "--set", "summarizer.kind=none", cwd=elsewhere)
    assert res.returncode == 0, res.stderr
    out = tmp_path / "out"
    res = run_cli("run", str(reports), "--config", str(config.resolve()), "--out", str(out), "-q",
                  "--engine", "ray", "--set", "summarizer.kind=none", "--set", "ray.pool_size=1",
                  cwd=elsewhere, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert (out / ".cache" / "translations.sqlite").is_file()  # the cache lives under --out
    assert not (elsewhere / "outputs").exists()
    assert _outputs(out) == _outputs(local)


# A node whose model is not the driver's must not run: here the driver is told its models have other
# revisions (as when another model folder sits at the same path on a node); every document fails with one line.
MISMATCH_DRIVER = """
import json, sys
from pathlib import Path
from pipeline.batch import iter_inputs, load_components
from pipeline.batch.ray_engine import run_batch_ray
from pipeline.config import load_config

inputs, config, out = sys.argv[1:4]
cfg = load_config(config, ["ray.pool_size=1", "ray.summarizer_pool_size=1"])
lines = []
for role in ("translator", "summarizer"):
    components = load_components(cfg, Path(out) / role, use_cache=False)
    if role == "translator":
        components.translator.revision = "not-on-the-nodes"
    else:
        components.summarizer_info["revision"] = "not-on-the-nodes"
    report = run_batch_ray(iter_inputs([inputs]), components, Path(out) / role)
    lines.append(sorted({r.message for r in report.results if not r.ok}) + [len(report.failed)])

def one_bad_document(sources):  # a document task that fails on its own (not a crash: an error)
    if sources == ["r1.txt"]:
        raise ValueError("this document cannot be rendered")

components = load_components(cfg, Path(out) / "one-bad", use_cache=False)
report = run_batch_ray(iter_inputs([inputs]), components, Path(out) / "one-bad", before_document=one_bad_document)
lines.append([[r.name, r.ok, r.error, r.message] for r in report.results])
print("RESULT " + json.dumps(lines))  # Ray's own lines may come before or after it
"""


def test_another_model_on_a_node_is_refused_and_one_bad_document_fails_alone(reports, tmp_path):
    _need_ray()
    driver = tmp_path / "driver.py"
    driver.write_text(MISMATCH_DRIVER, encoding="utf-8")
    res = subprocess.run([sys.executable, str(driver), str(reports), str(TINY_CONFIG), str(tmp_path / "out")],
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    result = [line for line in res.stdout.splitlines() if line.startswith("RESULT ")]
    translator, summarizer, one_bad = json.loads(result[0][len("RESULT "):])
    for role, (message, failed) in (("translator", translator), ("summarizer", summarizer)):
        assert failed == 4
        assert f"its {role} model (" in message and "is not the driver's (not-on-the-nodes)" in message
        assert "same path on every node" in message
        assert not list((tmp_path / "out" / role).glob("r*.json"))
    # one document failing in its task fails alone, in its place, with the line the local engine writes
    names = [Path(name).name for name, *_ in one_bad]
    assert names == ["r0.txt", "r1.txt", "r2.txt", "r3.txt"]
    assert [ok for _, ok, _, _ in one_bad] == [True, False, True, True]
    _, _, kind, message = one_bad[1]
    assert kind == "internal" and message.endswith("r1.txt: internal error (ValueError: this document cannot be rendered)")
    manifest = [json.loads(line) for line in (tmp_path / "out" / "one-bad" / "manifest.jsonl").read_text().splitlines()]
    assert [rec["status"] for rec in manifest] == ["ok", "failed", "ok", "ok"]
    assert len(list((tmp_path / "out" / "one-bad").glob("r*.json"))) == 3


def _manifest(folder: Path) -> list[dict]:
    """The manifest's lines without their timings."""
    lines = (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [{k: v for k, v in json.loads(line).items() if "seconds" not in k} for line in lines]


def test_reading_in_ray_tasks_gives_the_local_documents_errors_and_exit_code(tmp_path):
    """Every kind of input read and segmented in Ray tasks from the bytes the driver read (PDF, Word, GB18030
    text, a table row) and every kind of bad input: the same files, manifest lines and exit code as local."""
    _need_ray()
    from .test_readers_pdf_docx import NUMBERED, REPORT_BLOCKS, build_docx, build_pdf

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "r0.txt").write_text(REPORT.format(n=2), encoding="utf-8")
    (folder / "r1.txt").write_bytes(REPORT.format(n=3).encode("gb18030"))
    build_pdf(folder / "a.pdf", REPORT_BLOCKS, header="某市人民政府公报　2023年第8期", page_number="— {n} —", lines_per_page=9)
    build_docx(folder / "b.docx", NUMBERED, style={0: "Title"})
    (folder / "empty.txt").write_bytes(b"")
    (folder / "latin.txt").write_text("hello world, this is not a report", encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really a PDF")
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"id": "x", "text": REPORT.format(n=4)}, ensure_ascii=False) + "\n"
                    + json.dumps({"id": "y", "text": ""}) + "\n", encoding="utf-8")
    common = [str(folder), str(rows), "missing.txt", "--config", str(TINY_CONFIG), "--no-cache", "-q",
              "--set", "summarizer.kind=none"]
    local = run_main("run", *common, "--out", str(tmp_path / "local"))
    ray = run_cli("run", *common, "--out", str(tmp_path / "ray"), "--engine", "ray", "--set", "ray.pool_size=1",
                  timeout=600)
    assert local.returncode == ray.returncode == 1, (local.stderr[-2000:], ray.stderr[-2000:])
    assert _manifest(tmp_path / "ray") == _manifest(tmp_path / "local")
    failed = {Path(r["input"]).name: r["error"] for r in _manifest(tmp_path / "local") if r["status"] == "failed"}
    assert sorted(failed) == ["broken.pdf", "empty.txt", "latin.txt", "missing.txt", "rows.jsonl#y"]
    every = lambda out: {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.suffix in (".json", ".md", ".html")}  # noqa: E731
    assert every(tmp_path / "ray") == every(tmp_path / "local")
    assert {"a.json", "b.json", "r0.json", "r1.json", "x.json"} <= set(every(tmp_path / "local"))
    stats = json.loads((tmp_path / "ray" / ".ray" / "stats.json").read_text(encoding="utf-8"))
    assert sum(c.get("read_tasks", 0) for c in stats["nodes"].values()) == 9  # every input was read in a task
