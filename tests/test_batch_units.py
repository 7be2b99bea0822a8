"""Unit tests of the batch infrastructure without models (milliseconds): the manifest, input discovery,
output naming, the folder lock and atomic writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline.batch.inputs import InputFailure, InputItem, iter_inputs
from pipeline.batch.manifest import Manifest
from pipeline.batch.naming import MAX_COMPONENT_BYTES, StemAllocator, is_reserved, safe_stem
from pipeline.batch.outputs import FolderLock, remove_stale_temporaries, write_atomic
from pipeline.errors import OutputError

TEXT = "各位代表：今年全市生产总值增长5.5%，就业保持稳定。"


def _rec(key: str, **kw) -> dict:
    base = {"input": key, "key": key, "stem": Path(key).stem, "status": "ok", "content_sha256": "c",
            "run_signature": "s", "outputs": []}
    return {**base, **kw}


# -- manifest -----------------------------------------------------------------------------------------

def test_manifest_last_record_wins_but_a_failure_does_not_hide_finished_work(tmp_path):
    m = Manifest.load(tmp_path)
    m.append(_rec("/in/a.txt", outputs=["a.json"]))
    (tmp_path / "a.json").write_text("{}")
    m.append(_rec("/in/a.txt", status="failed", outputs=[]))
    again = Manifest.load(tmp_path)
    assert again.records["/in/a.txt"]["status"] == "failed"
    assert again.last_ok["/in/a.txt"]["outputs"] == ["a.json"]
    assert again.why_not_done("/in/a.txt", "c", "s") == "failed before"


@pytest.mark.parametrize("damage,reason", [
    (lambda d: (d / "a.json").unlink(), "output a.json is missing"),
    (lambda d: (d / "a.json").write_text("{"), "output a.json is damaged"),
])
def test_manifest_notices_missing_and_damaged_outputs(tmp_path, damage, reason):
    (tmp_path / "a.json").write_text("{}")
    Manifest.load(tmp_path).append(_rec("/in/a.txt", outputs=["a.json"]))
    m = Manifest.load(tmp_path)
    assert m.why_not_done("/in/a.txt", "c", "s") is None
    assert m.why_not_done("/in/a.txt", "other", "s") == "the input changed"
    assert m.why_not_done("/in/a.txt", "c", "other") == "the config or models changed"
    damage(tmp_path)
    assert m.why_not_done("/in/a.txt", "c", "s") == reason


def test_manifest_skips_bad_lines_and_terminates_a_cut_one(tmp_path):
    path = tmp_path / "manifest.jsonl"
    good = json.dumps(_rec("/in/a.txt")).encode()
    path.write_bytes(good + b"\n" + b"\xff\xfe garbage\n" + json.dumps({"input": 3}).encode() + b"\n"
                     + json.dumps(_rec("/in/b.txt"))[:30].encode())
    m = Manifest.load(tmp_path)
    assert list(m.records) == ["/in/a.txt"] and m.skipped_lines == 3
    m.append(_rec("/in/c.txt"))
    assert list(Manifest.load(tmp_path).records) == ["/in/a.txt", "/in/c.txt"]


def test_manifest_reads_older_records_without_keys_but_never_paths_outside_the_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.json").write_text("{}")
    older = {"input": "in/x.txt", "stem": "x", "status": "ok", "outputs": ["x.json"],
             "content_sha256": "c", "run_signature": "s"}
    cwd_relative = {**older, "input": "in/y.txt", "stem": "y", "outputs": ["out/y.json"]}  # never trusted
    (tmp_path / "out" / "y.json").write_text("{}")
    lines = [json.dumps(r) for r in (older, cwd_relative)]
    (tmp_path / "out" / "manifest.jsonl").write_text("\n".join(lines) + "\n")
    m = Manifest.load(tmp_path / "out")
    key = str((tmp_path / "in" / "x.txt").resolve())
    assert m.why_not_done(key, "c", "s") is None  # keyed by the resolved input path
    assert m.skipped_lines == 1 and str((tmp_path / "in" / "y.txt").resolve()) not in m.records


# -- naming -------------------------------------------------------------------------------------------

def test_stems_are_safe_bounded_and_never_collection_files():
    assert safe_stem("a/../b/./c") == "a/b/c"
    assert safe_stem('x<y>:"z"|?*') == "x_y___z____"
    long = safe_stem("关于" * 100)
    assert len(long.encode("utf-8")) <= MAX_COMPONENT_BYTES
    assert safe_stem("关于" * 100) != safe_stem("关于" * 99 + "关子")  # cut names stay distinct
    assert is_reserved("index") and is_reserved("segments.parquet/x") and not is_reserved("a/index")
    alloc = StemAllocator({}, {})
    assert alloc.stem_for("k1", "index") == "index-doc"
    assert alloc.stem_for("k2", "manifest.jsonl/r") == "manifest.jsonl-doc/r"


def test_a_stem_owned_by_another_input_gets_a_hash_and_keeps_it():
    alloc = StemAllocator({"report": "/a/report.txt"}, {})
    assert alloc.stem_for("/a/report.txt", "report") == "report"
    other = alloc.stem_for("/b/report.txt", "report")
    assert other.startswith("report-") and other != "report"
    later = StemAllocator({"report": "/a/report.txt", other: "/b/report.txt"}, {"/b/report.txt": other})
    assert later.stem_for("/b/report.txt", "report") == other  # the same name in every later run
    assert StemAllocator({"Report": "/a"}, {}).stem_for("/b", "report") != "report"  # case-insensitive disks


# -- inputs -------------------------------------------------------------------------------------------

def _items(specs, **kw):
    return list(iter_inputs([str(s) for s in specs], **kw))


def test_directories_keep_subfolders_skip_hidden_and_output_folders(tmp_path):
    for rel in ("a/x.txt", "b/x.md", ".hidden/y.txt", "old/manifest.jsonl", "old/z.txt", "skip.pdfx"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(TEXT, encoding="utf-8")
    items = _items([tmp_path])
    assert all(isinstance(i, InputItem) for i in items)
    assert sorted(i.stem for i in items) == ["a/x", "b/x"]
    assert len({i.key for i in items}) == 2 and all(Path(i.key).is_absolute() for i in items)


def test_keys_do_not_depend_on_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "r.txt").write_text(TEXT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    here = _items(["r.txt"])[0]
    monkeypatch.chdir("/")
    there = _items([tmp_path / "r.txt"])[0]
    assert here.key == there.key and here.name != there.name


def test_missing_files_patterns_lists_and_non_regular_files_fail_alone(tmp_path):
    (tmp_path / "ok.txt").write_text(TEXT, encoding="utf-8")
    listing = tmp_path / "list.txt"
    listing.write_text(f"# a comment\n{tmp_path / 'ok.txt'}\n{tmp_path / 'gone.txt'}\n@{listing}\n", encoding="utf-8")
    os.mkfifo(tmp_path / "fifo.txt")
    items = _items([f"@{listing}", tmp_path / "*.nothing", tmp_path / "fifo.txt"])
    kinds = [(type(i).__name__, str(i.error) if isinstance(i, InputFailure) else i.stem) for i in items]
    assert kinds[0] == ("InputItem", "ok")
    assert "gone.txt: no such file" in kinds[1][1]
    assert "includes itself" in kinds[2][1]
    assert "no file matches this pattern" in kinds[3][1]
    assert "not a regular file" in kinds[4][1]


def test_table_rows_stream_with_repeated_ids_and_bad_rows(tmp_path):
    table = tmp_path / "t.jsonl"
    rows = [{"id": "a", "text": TEXT}, "{oops", {"id": "a", "text": TEXT}, {"id": 7, "text": ""}]
    table.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows),
                     encoding="utf-8")
    items = _items([table])
    assert [type(i).__name__ for i in items] == ["InputItem", "InputFailure", "InputItem", "InputItem"]
    assert [items[0].stem, items[2].stem, items[3].stem] == ["a", "a-2", "7"]
    assert items[0].key != items[2].key
    assert "row 2: not valid JSON" in str(items[1].error)
    assert items[0].load().startswith("各位代表")
    with pytest.raises(Exception, match="empty text"):
        items[3].load()


def test_csv_tables_name_missing_columns(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("doc,body\n1,x\n", encoding="utf-8")
    (item,) = _items([table])
    assert isinstance(item, InputFailure) and "no column 'text'; columns are doc, body" in str(item.error)


# -- outputs ------------------------------------------------------------------------------------------

def test_atomic_writes_keep_the_umask_and_leave_no_temporaries(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "sub" / "a.md", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "sub" / "a.md").stat().st_mode & 0o777 == 0o640
    assert not list(tmp_path.rglob("*.tmp"))
    (tmp_path / "dir.md").mkdir()
    with pytest.raises(OutputError, match="cannot write"):
        write_atomic(tmp_path / "dir.md", "x")
    (tmp_path / ".left.md.abc.tmp").write_text("half")
    assert remove_stale_temporaries(tmp_path) == 1


def test_the_folder_lock_refuses_a_second_holder(tmp_path):
    with FolderLock(tmp_path / "out"):
        with pytest.raises(OutputError, match="another run is writing"):
            FolderLock(tmp_path / "out").acquire()
    with FolderLock(tmp_path / "out"):  # released: free again
        pass


def test_atomic_writes_take_text_bytes_or_pieces_alike(tmp_path, monkeypatch):
    import pipeline.batch.outputs as outputs

    monkeypatch.setattr(outputs, "ENCODE_CHUNK", 7)  # text longer than a chunk, cut between characters
    text = "各位代表：2025年GDP增长5.2%。" * 5 + "\U0001f468\u200d\U0001f469 end\n"
    for i, given in enumerate((text, text.encode("utf-8"), iter([text[:3], "", text[3:40], text[40:]]))):
        write_atomic(tmp_path / f"out{i}.txt", given)
        assert (tmp_path / f"out{i}.txt").read_text(encoding="utf-8") == text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out0.txt", "out1.txt", "out2.txt"]


def test_json_pieces_are_the_json_text(tmp_path):
    from pipeline.render import iter_json, render_json
    from pipeline.segment import segment

    doc = segment("各位代表：\n一、总体情况\n全市生产总值增长5.2%，就业稳定。\n")
    write_atomic(tmp_path / "doc.json", iter_json(doc))
    text = (tmp_path / "doc.json").read_text(encoding="utf-8")
    assert text == render_json(doc) and json.loads(text)["sections"][0]["segments"]


def test_reading_a_large_report_holds_a_few_copies_of_it_not_one_object_per_character():
    import tracemalloc

    from pipeline.readers import decode_bytes

    data = ("全市经济运行稳中向好，工业增加值增长百分之五。" * 40 + "\n") * 1200  # about 2 MB of UTF-8
    raw = data.encode("utf-8")
    tracemalloc.start()
    try:
        text = decode_bytes(raw, "big.txt")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert text == data and peak < 8 * len(raw)  # a list of 1-character strings alone would be ~40x


def test_a_stem_whose_files_are_foreign_goes_beside_them():
    foreign = {"r1"}  # r1.md belongs to the user
    alloc = StemAllocator({}, {}, foreign=lambda stem: stem in foreign)
    stem = alloc.stem_for("/in/r1.txt", "r1")
    assert stem.startswith("r1-") and stem not in foreign
    assert StemAllocator({}, {}, foreign=lambda s: s in foreign).stem_for("/in/r1.txt", "r1") == stem  # stable
    taken = {"r1", stem}  # even the hashed name taken: a counter after it
    assert StemAllocator({}, {}, foreign=lambda s: s in taken).stem_for("/in/r1.txt", "r1") == f"{stem}-2"
    assert StemAllocator({}, {"/in/r1.txt": "../x"}).stem_for("/in/r1.txt", "r1") == "r1"  # never as given
