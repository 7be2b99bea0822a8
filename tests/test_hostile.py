"""Hostile input and faults: concurrency, kills, corrupt state, odd names, bad configs. Each case is one
that once lost work or printed a traceback; every one must end in one line and the right exit code."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT, TINY_CONFIG, run_cli, run_main

pytestmark = pytest.mark.usefixtures("tiny_models")

TEXT = "各位代表:\n一、{n}年工作回顾\n全市生产总值增长{n}.5%。新增城镇就业{n}万人。\n二、下一步工作\n扩大有效投资。"
FAST = ("--config", str(TINY_CONFIG), "--set", "summarizer.kind=none", "-q")


def one_error_line(res) -> str:
    lines = [ln for ln in res.stderr.strip().splitlines() if ln.strip()]
    assert "Traceback" not in res.stderr, res.stderr[-2000:]
    assert len(lines) == 1, res.stderr
    return lines[0]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- concurrency --------------------------------------------------------------------------------------

PAUSING_DRIVER = """
import sys, time
from pathlib import Path
from pipeline.batch import BatchRun, iter_inputs, load_components
from pipeline.config import load_config

src, config, out, go = sys.argv[1:5]

def wait_for_go(event, facts):  # holds the run (and its folder lock) open until the test says go
    if event == "document-written":
        Path(out, "paused").write_text("1")
        while not Path(go).exists():
            time.sleep(0.05)

cfg = load_config(config, ["summarizer.kind=none"])
report = BatchRun(load_components(cfg, Path(out), use_cache=False), Path(out), events=wait_for_go).run(iter_inputs([src]))
sys.exit(1 if report.failed else 0)
"""


def test_two_runs_into_one_folder_never_overwrite_each_other(tmp_path):
    a = write(tmp_path / "a" / "report.txt", TEXT.format(n=3))
    b = write(tmp_path / "b" / "report.txt", TEXT.format(n=4))
    out = tmp_path / "out"
    driver = write(tmp_path / "driver.py", PAUSING_DRIVER)
    go = tmp_path / "go"
    first = subprocess.Popen([sys.executable, str(driver), str(a), str(TINY_CONFIG), str(out), str(go)],
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120
        while not (out / "paused").exists():
            assert first.poll() is None and time.time() < deadline, first.stderr.read() if first.stderr else ""
            time.sleep(0.05)
        second = run_cli("run", str(b), "--out", str(out), *FAST)  # a real second process, while the first writes
        assert second.returncode == 5
        assert "another run is writing to this output folder" in one_error_line(second)
    finally:
        go.write_text("go")
        assert first.wait(timeout=120) == 0
    again = run_main("run", str(b), "--out", str(out), *FAST)
    assert again.returncode == 0, again.stderr
    docs = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in out.glob("report*.json")}
    assert len(docs) == 2  # both kept, under distinct names
    assert {d["provenance"]["source"]["file"] for d in docs.values()} == {"report.txt"}
    assert len({json.dumps(d["sections"]) for d in docs.values()}) == 2


# -- stale and corrupt state --------------------------------------------------------------------------

@pytest.fixture()
def done_folder(tmp_path):
    src = tmp_path / "in"
    for i in range(2):
        write(src / f"r{i}.txt", TEXT.format(n=i + 2))
    out = tmp_path / "out"
    res = run_main("run", str(src), "--out", str(out), *FAST)
    assert res.returncode == 0, res.stderr
    return src, out


def test_stale_temporaries_are_removed_and_damaged_outputs_redone(done_folder):
    src, out = done_folder
    write(out / ".r0.json.1a2b3c.tmp", "half a file")
    (out / "r0.json").write_text('{"meta": ', encoding="utf-8")  # damaged, the manifest says done
    (out / "r1.md").unlink()  # deleted
    write(src / "r2.txt", TEXT.format(n=9))  # and a new input
    res = run_main("run", str(src), "--out", str(out), *FAST[:-1])
    assert res.returncode == 0, res.stderr
    assert "r0.txt: output r0.json is damaged; redoing it" in res.stderr
    assert "r1.txt: output r1.md is missing; redoing it" in res.stderr
    assert not list(out.glob(".*.tmp"))
    json.loads((out / "r0.json").read_text(encoding="utf-8"))
    assert "3 reports: 3 ok" in (out / "index.md").read_text(encoding="utf-8")


def test_collection_written_after_a_kill_between_last_document_and_index(done_folder):
    src, out = done_folder
    (out / "index.md").unlink()
    (out / "segments.parquet").unlink()  # as a kill right after the last manifest line leaves them
    res = run_main("run", str(src), "--out", str(out), *FAST)
    assert res.returncode == 0 and (out / "index.md").exists() and (out / "segments.parquet").exists()


def test_a_damaged_cache_is_one_line_and_the_index_survives(tmp_path):
    src = write(tmp_path / "in" / "r.txt", TEXT.format(n=5))
    out = tmp_path / "out"
    assert run_main("run", str(src), "--out", str(out), *FAST).returncode == 0
    index = (out / "index.md").read_text(encoding="utf-8")
    cache = out / ".cache" / "translations.sqlite"
    with sqlite3.connect(cache) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(cache.read_bytes())
    page = 4096
    for i in range(page, len(data)):  # every page after the header page: garbage, header intact
        data[i] = (i * 7) % 251
    cache.write_bytes(bytes(data))
    res = run_main("run", str(src), "--out", str(out), "--force", *FAST)
    assert res.returncode == 5
    line = one_error_line(res)
    assert "translation cache is damaged" in line and "--no-cache" in line
    assert (out / "index.md").read_text(encoding="utf-8") == index


def test_a_truncated_or_malformed_manifest_is_read_tolerantly(done_folder):
    src, out = done_folder
    manifest = out / "manifest.jsonl"
    lines = manifest.read_bytes().splitlines(keepends=True)
    cut = lines[-1][: len(lines[-1]) // 2]
    cut = cut + "年".encode()[:2]  # cut inside a UTF-8 character, as a full disk leaves it
    bad_types = json.dumps({"input": "x", "outputs": "not-a-list", "status": 3}).encode() + b"\n"
    manifest.write_bytes(b"".join(lines[:-1]) + bad_types + cut)
    res = run_main("run", str(src), "--out", str(out), *FAST)
    assert res.returncode == 0, res.stderr
    records = [json.loads(ln) for ln in manifest.read_bytes().splitlines()[3:]]
    assert [r["status"] for r in records] == ["ok"]  # the cut record's input was redone, the new line stands alone
    assert run_main("run", str(src), "--out", str(out), *FAST).returncode == 0


def test_a_rerun_from_another_folder_and_a_copied_output_folder(done_folder, tmp_path):
    import shutil

    src, out = done_folder
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    res = run_main("run", str(src.resolve()), "--out", str(out.resolve()), *FAST[:-1], cwd=elsewhere)
    assert "0 written, 2 already done" in res.stderr
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    shutil.rmtree(out)
    index = (copy / "index.md").read_text(encoding="utf-8")
    assert "(r0.html)" in index and str(out) not in index
    res = run_main("run", str(src), "--out", str(copy), *FAST[:-1])
    assert "0 written, 2 already done" in res.stderr


def test_collection_that_cannot_be_written_is_a_non_zero_exit(tmp_path):
    src = write(tmp_path / "in" / "r.txt", TEXT.format(n=6))
    out = tmp_path / "out"
    (out / "segments.parquet").mkdir(parents=True)  # a folder in the way
    res = run_main("run", str(src), "--out", str(out), *FAST)
    assert res.returncode == 5 and "segments.parquet: cannot write" in res.stderr


# -- inputs -------------------------------------------------------------------------------------------

def test_self_including_and_non_utf8_file_lists(tmp_path):
    listing = write(tmp_path / "list.txt", f"@{tmp_path / 'list.txt'}\n")
    res = run_main("run", f"@{listing}", "--out", str(tmp_path / "o"), *FAST)
    assert res.returncode == 2 and "the file list includes itself" in one_error_line(res)
    (tmp_path / "gbk.txt").write_bytes("报告.txt\n".encode("gbk"))
    res = run_main("run", f"@{tmp_path / 'gbk.txt'}", "--out", str(tmp_path / "o"), *FAST)
    assert res.returncode == 2 and "not UTF-8" in one_error_line(res)


def test_fifo_and_devices_are_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        started = time.time()
        res = run_main("run", str(path), "--out", str(tmp_path / "o"), *FAST)
        assert res.returncode == 2 and "not a regular file" in one_error_line(res)
        assert time.time() - started < 10


def test_empty_input_with_a_missing_model_is_bad_input_and_writes_nothing(tmp_path):
    empty = write(tmp_path / "empty.txt", "")
    out = tmp_path / "o"
    res = run_main("run", str(empty), "--config", "default", "--out", str(out))
    assert res.returncode == 2 and "empty" in one_error_line(res)
    assert not out.exists()


def test_table_ids_repeated_long_and_a_bad_row_in_the_middle(tmp_path):
    long_id = "关于" * 60  # 120 Chinese characters: 360 bytes as UTF-8
    rows = [{"id": "a", "text": TEXT.format(n=2)}, {"id": "a", "text": TEXT.format(n=3)},
            {"id": long_id, "text": TEXT.format(n=4)}]
    table = tmp_path / "t.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    table.write_text("\n".join([lines[0], "{not json", lines[1], lines[2]]) + "\n", encoding="utf-8")
    out = tmp_path / "o"
    res = run_main("run", str(table), "--out", str(out), *FAST)
    assert res.returncode == 1  # the bad row failed; every other row was written
    assert "row 2: not valid JSON" in res.stderr
    names = sorted(p.name for p in out.glob("*.json"))
    assert len(names) == 3 and "a.json" in names and "a-2.json" in names
    assert all(len(n.encode("utf-8")) <= 255 for n in names)


def test_input_folders_named_like_collection_files_and_old_outputs(tmp_path):
    src = tmp_path / "in"
    for name in ("segments.parquet", "index.md", "manifest.jsonl"):
        write(src / name / "r.txt", TEXT.format(n=len(name)))
    first = run_main("run", str(src), "--out", str(src / "old-out"), *FAST)  # outputs inside the input folder
    assert first.returncode == 0, first.stderr
    out = tmp_path / "out"
    res = run_main("run", str(src), "--out", str(out), *FAST[:-1])
    assert res.returncode == 0, res.stderr
    assert "3 written" in res.stderr  # the old run's outputs were not taken as inputs
    assert (out / "index.md").is_file() and (out / "segments.parquet").is_file()


def test_file_names_render_as_text_in_the_index(tmp_path):
    evil = write(tmp_path / "in" / "x><img src=x onerror=alert(1)>.txt", TEXT.format(n=7))
    out = tmp_path / "o"
    assert run_main("run", str(evil), "--out", str(out), *FAST).returncode == 0
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render((out / "index.md").read_text(encoding="utf-8"))
    assert "<img" not in html


# -- configs ------------------------------------------------------------------------------------------

BAD_CONFIGS = {
    "billion-laughs": "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
    "recursive-alias": "translator: &t\n  model: *t\n",
    "date": "translator:\n  revision: 2024-01-01\n",
    "binary": "translator:\n  revision: !!binary aGVsbG8=\n",
    "nan": "translator:\n  max_length_ratio: .nan\n",
    "list": "- translator\n- summarizer\n",
}


@pytest.mark.parametrize("name", sorted(BAD_CONFIGS))
def test_hostile_configs_are_exit_3_in_one_line(tmp_path, name):
    config = write(tmp_path / f"{name}.yaml", BAD_CONFIGS[name])
    src = write(tmp_path / "r.txt", TEXT.format(n=2))
    res = run_main("run", str(src), "--config", str(config), "--set", "translator.num_beams=1",
                   "--out", str(tmp_path / "o"))
    assert res.returncode == 3, res.stderr
    one_error_line(res)


def test_non_utf8_config_and_empty_set_key(tmp_path):
    config = tmp_path / "gbk.yaml"
    config.write_bytes("# 配置\ntranslator:\n  num_beams: 2\n".encode("gbk"))
    src = write(tmp_path / "r.txt", TEXT.format(n=2))
    res = run_main("run", str(src), "--config", str(config), "--out", str(tmp_path / "o"))
    assert res.returncode == 3 and "not UTF-8" in one_error_line(res)
    res = run_main("run", str(src), "--config", str(TINY_CONFIG), "--set", "=3", "--out", str(tmp_path / "o"))
    assert res.returncode == 3 and "key before '='" in one_error_line(res)


def test_usage_errors_have_their_own_exit_code():
    res = run_main("run")
    assert res.returncode == 64 and res.stderr.startswith("error: ")
