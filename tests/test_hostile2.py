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

from .conftest import TINY_CONFIG, run_main

TEXT = "各位代表:\n一、{n}年工作回顾\n全市生产总值增长{n}.5%。新增城镇就业{n}万人。\n二、下一步工作\n扩大有效投资。"
FAST = ("--config", str(TINY_CONFIG), "--set", "summarizer.kind=none", "-q")


def one_error_line(res) -> str:
    lines = [ln for ln in res.stderr.strip().splitlines() if ln.strip()]
    assert "Traceback" not in res.stderr, res.stderr[-2000:]
    assert len(lines) == 1, res.stderr
    return lines[0]


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
    assert "<img" not in html and "onerror" not in html.replace("onerror=alert", "") or "<img" not in html
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


def test_manifest_records_the_hash_of_every_output(done_folder):
    _, out = done_folder
    for rec in manifest_lines(out):
        assert set(rec["sha256"]) == set(rec["outputs"])
        for name, digest in rec["sha256"].items():
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
