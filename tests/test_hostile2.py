"""Hostile runs, second round (issue 26): a run never overwrites what is not its own, never trusts its
state files, and stays bounded on hostile archives. Each test is one attack that once lost a user's file,
printed a traceback or did the wrong thing; the README's Guarantees name them."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest

from .conftest import TINY_CONFIG, run_cli, run_main
from .test_hostile import FAST, TEXT, one_error_line


def no_traceback(res) -> None:
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, res.stderr[-2000:]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def manifest_lines(out: Path) -> list[dict]:
    return [json.loads(ln) for ln in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


# -- ownership of --out -------------------------------------------------------------------------------

@pytest.mark.usefixtures("tiny_models")
def test_out_is_the_inputs_folder_refused_before_anything_is_written(tmp_path):
    d = tmp_path / "d"
    write(d / "report.md", TEXT.format(n=3))
    write(d / "page.html", "<p>" + TEXT.format(n=4) + "</p>")
    before = snapshot(d)
    res = run_main("run", "report.md", "page.html", "--out", ".", *FAST, cwd=d)
    assert res.returncode == 2
    line = one_error_line(res)
    assert "report.md" in line and "page.html" in line and "another --out" in line
    assert snapshot(d) == before and sorted(p.name for p in d.iterdir()) == ["page.html", "report.md"]

    write(d / "a.txt", TEXT.format(n=5))
    write(d / "a.md", TEXT.format(n=6))
    before = snapshot(d)
    res = run_main("run", str(d / "a.txt"), str(d / "a.md"), "--out", str(d), *FAST)
    assert res.returncode == 2 and "a.md" in one_error_line(res)
    assert snapshot(d) == before


@pytest.mark.usefixtures("tiny_models")
def test_a_users_file_in_out_is_never_replaced_the_output_goes_beside_it(tmp_path):
    src = write(tmp_path / "in" / "r1.txt", TEXT.format(n=3))
    out = tmp_path / "out"
    mine = write(out / "r1.md", "# my own notes\n")
    res = run_main("run", str(src), "--out", str(out), *FAST)
    assert res.returncode == 0, res.stderr
    assert mine.read_text(encoding="utf-8") == "# my own notes\n"
    [rec] = manifest_lines(out)
    assert rec["stem"].startswith("r1-") and (out / f"{rec['stem']}.md").is_file()
    assert f"({rec['stem']}.md)" in (out / "index.md").read_text(encoding="utf-8")
    again = run_main("run", str(src), "--out", str(out), *FAST[:-1])  # the same name next time: done
    assert again.returncode == 0 and "0 written, 1 already done" in again.stderr
    assert mine.read_text(encoding="utf-8") == "# my own notes\n"


@pytest.mark.usefixtures("tiny_models")
def test_collection_files_no_manifest_wrote_are_refused_by_name(tmp_path):
    src = write(tmp_path / "in" / "r1.txt", TEXT.format(n=3))
    out = tmp_path / "out"
    write(out / "index.md", "my index\n")
    write(out / "digest.md", "my digest\n")
    before = snapshot(out)
    res = run_main("run", str(src), "--out", str(out), *FAST)
    assert res.returncode == 5
    line = one_error_line(res)
    assert "index.md" in line and "digest.md" in line and "not written by a run" in line
    assert snapshot(out) == before


def test_an_empty_out_is_refused(tmp_path):
    src = write(tmp_path / "r.txt", TEXT.format(n=3))
    res = run_main("run", str(src), "--out", "", *FAST, cwd=tmp_path)
    assert res.returncode == 64 and "--out is empty" in one_error_line(res)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.txt"]


@pytest.fixture()
def done_folder(tiny_models, tmp_path):
    src = tmp_path / "in"
    for i in range(2):
        write(src / f"r{i}.txt", TEXT.format(n=i + 2))
    out = tmp_path / "out"
    res = run_main("run", str(src), "--out", str(out), *FAST)
    assert res.returncode == 0, res.stderr
    return src, out


@pytest.mark.parametrize("stem", ["../pwned", "/tmp/zh-report-pwned-26", "a/../../pwned"])
def test_a_manifest_stem_is_never_used_as_given(done_folder, tmp_path, stem):
    src, out = done_folder
    lines = manifest_lines(out)
    for rec in lines:
        rec["stem"] = stem
        rec["outputs"] = [stem + suffix for suffix in (".md", ".json", ".html")]
    (out / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    outside = {p for p in tmp_path.rglob("*") if not p.is_relative_to(out)}
    res = run_main("run", str(src), "--out", str(out), *FAST)
    assert res.returncode == 0, res.stderr
    assert {p for p in tmp_path.rglob("*") if not p.is_relative_to(out)} == outside
    assert not Path("/tmp/zh-report-pwned-26.md").exists()
    index = (out / "index.md").read_text(encoding="utf-8")
    assert ".." not in re.findall(r"\]\(([^)]*)\)", index).__str__() and "pwned" not in index
    for rec in manifest_lines(out)[-2:]:  # the damaged lines claim nothing: the old files stay, new ones beside
        assert re.fullmatch(r"r[01](-[0-9a-f]{8})?", rec["stem"]) and (out / f"{rec['stem']}.json").is_file()


def test_outputs_never_resolve_against_the_working_directory(done_folder, tmp_path):
    src, out = done_folder
    for p in out.glob("r0.*"):
        p.rename(tmp_path / p.name)  # files named like outputs, in the working directory
    res = run_main("run", str(src), "--out", str(out), *FAST[:-1], cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "r0.txt: output r0.md is missing; redoing it" in res.stderr
    assert (out / "r0.md").is_file()
    links = re.findall(r"\]\(([^)]*)\)", (out / "index.md").read_text(encoding="utf-8"))
    assert links and all(not link.startswith(("..", "/")) for link in links)


def test_a_manifest_error_that_is_not_a_string_is_skipped_not_a_traceback(done_folder):
    src, out = done_folder
    lines = manifest_lines(out)
    lines[0].update(status="failed", error=[1], outputs=[])
    (out / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    (out / "index.md").unlink()
    for _ in range(2):  # and every later run too
        res = run_main("run", str(src), "--out", str(out), *FAST)
        assert res.returncode == 0, res.stderr
        no_traceback(res)
    assert "2 reports: 2 ok" in (out / "index.md").read_text(encoding="utf-8")


# -- front matter --------------------------------------------------------------------------------------

@pytest.mark.usefixtures("tiny_models")
def test_a_file_name_with_markup_is_text_in_the_front_matter(tmp_path):
    import yaml
    from markdown_it import MarkdownIt

    name = "x><img src=x onerror=alert(1)>.txt"
    src = write(tmp_path / "in" / name, TEXT.format(n=3))
    out = tmp_path / "out"
    res = run_main("run", str(src), "--out", str(out), *FAST)
    assert res.returncode == 0, res.stderr
    [md] = [p for p in out.glob("*.md") if p.name not in ("index.md", "digest.md")]
    text = md.read_text(encoding="utf-8")
    html = MarkdownIt("commonmark", {"html": True}).render(text)
    assert "<img" not in html
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["source"].endswith(name)  # the same string to a YAML reader


# -- what "done" means ---------------------------------------------------------------------------------

@pytest.mark.parametrize("damage", [
    lambda out: (out / "r1.html").write_text("garbage", encoding="utf-8"),
    lambda out: (out / "r1.md").write_text("", encoding="utf-8"),
])
def test_a_damaged_output_is_redone_not_already_done(done_folder, damage):
    src, out = done_folder
    good = (out / "r1.md").read_bytes(), (out / "r1.html").read_bytes()
    damage(out)
    res = run_main("run", str(src), "--out", str(out), *FAST[:-1])
    assert res.returncode == 0, res.stderr
    assert "r1.txt: output r1." in res.stderr and "is damaged; redoing it" in res.stderr
    assert ((out / "r1.md").read_bytes(), (out / "r1.html").read_bytes()) == good


@pytest.mark.parametrize("name,damage", [
    ("digest.html", lambda p: p.unlink()),
    ("digest.html", lambda p: p.write_text("garbage", encoding="utf-8")),
    ("index.md", lambda p: p.write_text("garbage", encoding="utf-8")),
    ("segments.parquet", lambda p: p.write_bytes(os.urandom(4096))),
    ("segments.parquet", lambda p: p.write_bytes(p.read_bytes()[:100])),
])
def test_every_collection_file_is_rebuilt_when_missing_or_damaged(done_folder, name, damage):
    src, out = done_folder
    good = (out / name).read_bytes()
    mtime = (out / "manifest.jsonl").stat().st_mtime
    damage(out / name)
    os.utime(out / "manifest.jsonl", (mtime - 60, mtime - 60))  # the damaged file is newer than the manifest
    res = run_main("run", str(src), "--out", str(out), *FAST)
    assert res.returncode == 0, res.stderr
    assert (out / name).read_bytes() == good


@pytest.mark.usefixtures("tiny_models")
def test_translation_work_outputs_are_ours_too(tmp_path):
    """Documents' XLIFF/TMX files are recorded like the others (a rerun finds the document done), and a
    deleted or damaged segments.csv is rebuilt like the rest of the collection."""
    src = tmp_path / "in"
    write(src / "r.txt", TEXT.format(n=5))
    out = tmp_path / "out"
    extra = ["--set", "output.xliff=true", "--set", "output.tmx=true", "--set", "output.csv=true"]
    assert run_main("run", str(src), "--out", str(out), *FAST, *extra).returncode == 0
    assert {"r.xliff", "r.tmx"} <= set(manifest_lines(out)[-1]["sha256"])
    good = (out / "segments.csv").read_bytes()
    (out / "segments.csv").unlink()
    res = run_main("run", str(src), "--out", str(out), *FAST[:-1], *extra)  # not quiet: its closing line
    assert res.returncode == 0 and "0 written, 1 already done" in res.stderr, res.stderr
    assert (out / "segments.csv").read_bytes() == good


def test_manifest_records_the_hash_of_every_output(done_folder):
    _, out = done_folder
    for rec in manifest_lines(out):
        assert set(rec["sha256"]) == set(rec["outputs"])
        for name, digest in rec["sha256"].items():
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


# -- inputs --------------------------------------------------------------------------------------------

@pytest.mark.usefixtures("tiny_models")
def test_a_symlink_loop_in_an_input_folder_is_skipped_with_a_warning(tmp_path):
    src = tmp_path / "in"
    write(src / "r.txt", TEXT.format(n=3))
    (src / "loop.txt").symlink_to("loop.txt")
    (src / "a.txt").symlink_to("b.txt")
    (src / "b.txt").symlink_to("a.txt")
    out = tmp_path / "out"
    res = run_cli("run", str(src), "--out", str(out), *FAST)  # the warning as a user sees it
    assert res.returncode == 0, res.stderr
    no_traceback(res)
    warnings = [ln for ln in res.stderr.splitlines() if "symlink loop" in ln]
    assert len(warnings) == 3 and all("skipped" in w for w in warnings)
    assert (out / "r.md").is_file()


def _table(path: Path, rows: list[dict]) -> Path:
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    elif path.suffix == ".csv":
        import csv

        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["id", "text"])
            writer.writeheader()
            writer.writerows(rows)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), str(path))
    return path


@pytest.mark.usefixtures("tiny_models")
@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_table_ids_never_collide_with_the_suffixes_of_repeated_ids(tmp_path, suffix):
    rows = [{"id": i, "text": TEXT.format(n=n)} for n, i in enumerate(["a", "a", "a~2"], 2)]
    table = _table(tmp_path / f"t{suffix}", rows)
    out = tmp_path / "out"
    res = run_main("run", str(table), "--out", str(out), *FAST)
    assert res.returncode == 0, res.stderr
    recs = manifest_lines(out)
    assert [r["status"] for r in recs] == ["ok"] * 3 and len({r["key"] for r in recs}) == 3
    assert len({r["stem"] for r in recs}) == 3


@pytest.mark.usefixtures("tiny_models")
def test_a_row_without_an_id_gets_one_and_the_good_rows_are_written(tmp_path):
    rows = [{"id": "a", "text": TEXT.format(n=2)}, {"text": TEXT.format(n=3)}, {"id": None, "text": TEXT.format(n=4)},
            {"id": "b", "text": TEXT.format(n=5)}]
    table = _table(tmp_path / "t.jsonl", rows)
    out = tmp_path / "out"
    res = run_cli("run", str(table), "--out", str(out), *FAST)  # the warning as a user sees it
    assert res.returncode == 0, res.stderr
    no_traceback(res)
    assert sorted(r["stem"] for r in manifest_lines(out)) == ["a", "b", "row2", "row3"]
    assert "row 2 has no 'id'; named row2" in res.stderr


@pytest.mark.usefixtures("tiny_models")
@pytest.mark.parametrize("per_document", [False, True])
def test_the_same_input_twice_is_done_once_with_one_note(tmp_path, per_document):
    src = write(tmp_path / "in" / "r.txt", TEXT.format(n=3))
    out = tmp_path / "out"
    flags = ("--per-document",) if per_document else ()
    res = run_main("run", str(src), str(tmp_path / "in" / "." / "r.txt"), str(tmp_path / "in" / "*.txt"),
                   "--out", str(out), *FAST, *flags)
    assert res.returncode == 0, res.stderr
    notes = [ln for ln in res.stderr.splitlines() if "given more than once" in ln]
    assert len(notes) == 2 and all(n.startswith("note: ") and "done once" in n for n in notes)
    assert [r["status"] for r in manifest_lines(out)] == ["ok"]


@pytest.mark.usefixtures("tiny_models")
@pytest.mark.parametrize("limit", ["-1", "-5"])
def test_a_negative_limit_is_refused_and_writes_nothing(tmp_path, limit):
    src = write(tmp_path / "in" / "r.txt", TEXT.format(n=3))
    out = tmp_path / "out"
    res = run_main("run", str(src), "--out", str(out), "--limit", limit, *FAST)
    assert res.returncode == 64 and "--limit" in one_error_line(res)
    assert not out.exists()


# -- bounded archives ----------------------------------------------------------------------------------

def _docx(path: Path, paragraph: str = "各位代表：今年全市生产总值增长5.5%。") -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph(paragraph)
    document.save(str(path))
    return path


def _replace_part(path: Path, part: str, write_part) -> Path:
    """Rewrite the package at ``path`` with ``part`` written by ``write_part(file)`` (streamed)."""
    import shutil
    import zipfile

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == part:
                new = zipfile.ZipInfo(part)
                new.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(new, "w", force_zip64=True) as f:
                    write_part(f)
            else:
                dst.writestr(info, src.read(info))
    shutil.move(tmp, path)
    return path


LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
          + ']>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
          '<w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>')


def test_docx_entity_expansion_is_one_line_in_segment_and_run(tiny_models, tmp_path):
    bomb = _replace_part(_docx(tmp_path / "laughs.docx"), "word/document.xml",
                         lambda f: f.write(LAUGHS.replace("&lol0;", "&lol;").encode()))
    res = run_main("segment", str(bomb))
    assert res.returncode == 2 and "declares a DTD or entities" in one_error_line(res)
    good = write(tmp_path / "r.txt", TEXT.format(n=3))
    out = tmp_path / "out"
    res = run_main("run", str(bomb), str(good), "--out", str(out), *FAST)
    assert res.returncode == 1, res.stderr  # the bomb failed alone; the good report was written
    no_traceback(res)
    assert "laughs.docx: its part word/document.xml declares a DTD" in res.stderr
    assert (out / "r.md").is_file()


def test_docx_zip_bomb_is_refused_before_it_is_inflated(tiny_models, tmp_path):
    import resource

    head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://schemas.'
            'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>').encode()
    chunk = ("增长" * (1 << 16)).encode()  # 384 KiB

    def text_node(f):  # 200 MiB of one text node: over the part limit, inflating ~1000 times
        f.write(head)
        for _ in range(200 * (1 << 20) // len(chunk)):
            f.write(chunk)
        f.write(b"</w:t></w:r></w:p></w:body></w:document>")

    bomb = _replace_part(_docx(tmp_path / "bomb.docx"), "word/document.xml", text_node)
    assert bomb.stat().st_size < 3 << 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    res = run_main("segment", str(bomb))
    assert res.returncode == 2
    line = one_error_line(res)
    assert "word/document.xml" in line and "zip bombs" in line
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: never inflated
    good = write(tmp_path / "r.txt", TEXT.format(n=3))
    out = tmp_path / "out"
    res = run_main("run", str(bomb), str(good), "--out", str(out), *FAST, "--config", str(TINY_CONFIG))
    assert res.returncode == 1, res.stderr  # the bomb failed alone (an input error), the good report was written
    no_traceback(res)
    [line] = [ln for ln in res.stderr.splitlines() if ln.startswith("error: ")]
    assert "bomb.docx" in line and "zip bombs" in line and (out / "r.md").is_file()
    assert [r["status"] for r in manifest_lines(out)] == ["failed", "ok"]


# -- configs, pair files, tables -----------------------------------------------------------------------

@pytest.mark.parametrize("yaml_text,key", [
    ("translator:\n  num_beams: 2\n  num_beams: 3\n", "num_beams"),
    ("batch_documents: 4\ntranslator:\n  num_beams: 2\nbatch_documents: 8\n", "batch_documents"),
    ("translator: {num_beams: 2, num_beams: 2}\n", "num_beams"),
])
def test_duplicate_yaml_keys_are_refused(tmp_path, yaml_text, key):
    config = write(tmp_path / "dup.yaml", yaml_text)
    src = write(tmp_path / "r.txt", TEXT.format(n=3))
    res = run_main("run", str(src), "--config", str(config), "--out", str(tmp_path / "out"))
    assert res.returncode == 3
    line = one_error_line(res)
    assert str(config) in line and f"key '{key}' given twice" in line
    assert not (tmp_path / "out").exists()


def test_check_reports_rows_whose_zh_or_en_is_null(tmp_path):
    rows = [{"zh": "增长5.5%。", "en": "Growth was 5.5%."}, {"zh": "增长6%。", "en": None},
            {"zh": None, "en": "x"}, {"zh": "增长7%。", "en": "Growth was 7%."}]
    pairs = write(tmp_path / "p.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    res = run_main("check", str(pairs))
    assert res.returncode == 0, res.stderr
    assert len(res.stdout.splitlines()) == 2
    notes = [ln for ln in res.stderr.splitlines() if ln.startswith("note: ")]
    assert notes == [f"note: {pairs}: 2 row(s) skipped, not pairs (row 2: en is null, row 3: zh is null)"]
    assert json.loads(res.stderr.splitlines()[-1])["summary"]["skipped_rows"] == 2


def test_a_tsv_cell_over_128_kib_is_read(tmp_path):
    zh = "全市生产总值增长5.5%。" * 20_000  # ~260,000 characters in one cell
    pairs = write(tmp_path / "p.tsv", f"zh\ten\n{zh}\tGrowth was 5.5%.\n")
    res = run_main("check", str(pairs))
    assert res.returncode == 0, res.stderr
    assert len(res.stdout.splitlines()) == 1


@pytest.mark.usefixtures("tiny_models")
def test_a_report_in_a_large_csv_cell_is_read(tmp_path):
    import csv

    table = tmp_path / "t.csv"
    with table.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text"])
        writer.writerow(["big", TEXT.format(n=3) + "\n" + "扩大有效投资。" * 20_000])
    from pipeline.batch.inputs import iter_inputs

    [item] = list(iter_inputs([str(table)]))
    assert len(item.load()) > 128 * 1024


# -- signals and engines -------------------------------------------------------------------------------

@pytest.mark.usefixtures("tiny_models")
def test_sigterm_is_one_line_and_exit_143_like_ctrl_c(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from .conftest import ROOT

    src = tmp_path / "in"
    for i in range(30):
        write(src / f"r{i:02d}.txt", TEXT.format(n=i + 2))
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(src), "--out", str(out),
                             "--config", str(TINY_CONFIG), "--set", "batch_documents=1", "--no-cache"],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE, text=True)
    lines = []
    deadline = time.time() + 120
    while time.time() < deadline:  # wait for the first finished document: models loaded, the batch running
        line = proc.stderr.readline()
        lines.append(line)
        if line.startswith("ok [1]") or not line:
            break
    proc.send_signal(signal.SIGTERM)
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == 143, "".join(lines) + rest
    assert "Traceback" not in rest
    assert rest.strip().splitlines()[-1].startswith("terminated (SIGTERM): finished documents")
    assert not list(out.glob(".*.tmp"))  # unwound like Ctrl-C: no temporary left behind
    again = run_main("run", str(src), "--out", str(out), *FAST[:2], "--no-cache", "-q", "--set", "batch_documents=1")
    assert again.returncode == 0, again.stderr  # and the rerun finishes the batch


@pytest.mark.usefixtures("tiny_models")
def test_ray_missing_is_one_line_exit_4_before_models_load(tmp_path):
    import subprocess
    import sys

    from .conftest import ROOT

    src = write(tmp_path / "r.txt", TEXT.format(n=3))
    out = tmp_path / "out"
    code = ("import sys; sys.modules['ray'] = None  # Ray not importable\n"
            "from pipeline.cli import main; sys.exit(main(sys.argv[1:]))")
    res = subprocess.run([sys.executable, "-c", code, "run", str(src), "--out", str(out), "--engine", "ray", *FAST],
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 4
    assert "Ray is not installed" in one_error_line(res)
    assert not out.exists()  # refused before the output folder, the models or the cache


@pytest.mark.usefixtures("tiny_models")
def test_an_unreachable_ray_address_is_one_line_exit_4_within_the_timeout(tmp_path):
    import time

    pytest.importorskip("ray", reason="needs Ray (pip install -e '.[ray]')")
    src = write(tmp_path / "r.txt", TEXT.format(n=3))
    out = tmp_path / "out"
    started = time.monotonic()
    res = run_main("run", str(src), "--out", str(out), "--engine", "ray", "--set", "ray.address=127.0.0.1:1", *FAST)
    assert res.returncode == 4
    assert "ray.address 127.0.0.1:1: cannot reach the Ray cluster" in one_error_line(res)
    assert time.monotonic() - started < 30 and not out.exists()


@pytest.mark.parametrize("prolog", [
    "<!--" + "x" * 10_000 + "-->",  # a declaration hidden behind a long comment
    "<?pi " + "y" * 10_000 + "?>\n\n",
])
def test_a_dtd_behind_comments_is_still_found(tmp_path, prolog):
    from pipeline.errors import InputError
    from pipeline.readers import read_document

    xml = LAUGHS.replace("&lol0;", "&lol;").replace("<!DOCTYPE", prolog + "<!DOCTYPE", 1)
    bomb = _replace_part(_docx(tmp_path / "hidden.docx"), "word/document.xml", lambda f: f.write(xml.encode()))
    with pytest.raises(InputError, match="declares a DTD or entities"):
        read_document(bomb)
    assert "5.5%" in read_document(_docx(tmp_path / "plain.docx")).text  # an ordinary Word file reads
