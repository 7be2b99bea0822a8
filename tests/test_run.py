"""End to end: `python -m pipeline run` on the sample report and on bad inputs, as a user runs it."""

from __future__ import annotations

import json
import re

import pytest
from markdown_it import MarkdownIt

from .conftest import SAMPLE, TINY_CONFIG, json_segments, run_cli, run_main

pytestmark = pytest.mark.usefixtures("tiny_models")


@pytest.fixture(scope="module")
def sample_run(tiny_models, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    res = run_cli("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(out),
                  "--cache", str(out / "cache.sqlite"))
    assert res.returncode == 0, res.stderr
    return out, res


def _non_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_run_writes_markdown_and_json(sample_run):
    out, res = sample_run
    assert (out / "yuyao-2020-h1-report.md").is_file()
    assert (out / "yuyao-2020-h1-report.json").is_file()
    assert "1 written, 0 already done, 0 failed" in res.stderr


def test_json_structure_matches_the_report(sample_run):
    out, _ = sample_run
    data = json.loads((out / "yuyao-2020-h1-report.json").read_text(encoding="utf-8"))
    assert [s["marker"] + s["title"]["zh"] for s in data["sections"]] == ["一、上半年工作回顾", "二、下半年重点工作安排"]
    for sec in data["sections"]:
        assert len(sec["sections"]) == 6
        assert sec["level"] == 1 and all(c["level"] == 2 for c in sec["sections"])
        assert sec["title"]["en"]  # translated (gibberish on tiny models, but present)
        assert sec["summary"]["sentences"]
    assert data["title"]["zh"] == "2020年上半年度政府工作报告"
    assert data["meta"]["fields"]["发布日期"] == "2020-08-27 16:38"
    prov = data["provenance"]
    assert prov["translator"]["model"].endswith("models/tiny/marian-zh-en")
    assert prov["translator"]["revision"].startswith("local-")
    assert prov["config"]["hash"] and prov["package"]["version"]
    assert data["summary"]["sentences"]


def test_every_input_sentence_appears_once_in_order(sample_run, sample_text):
    out, _ = sample_run
    data = json.loads((out / "yuyao-2020-h1-report.json").read_text(encoding="utf-8"))
    segs = json_segments(data)
    assert len({s["id"] for s in segs}) == len(segs)
    assert all(s["en"] is not None for s in segs)
    body = "".join(s["zh"] for s in segs)
    # every sentence of the body is in the text, in order: the segments concatenate to the body
    assert data["meta"]["salutation"] == "各位代表:"
    start = _non_space(sample_text).index(_non_space(data["meta"]["salutation"]))
    pieces = []

    def walk(node):
        for s in node.get("segments", []):
            pieces.append(s["zh"])
        for c in node.get("sections", []):
            pieces.append(c["marker"] + c["title"]["zh"])
            walk(c)

    pieces.extend(s["zh"] for s in data["preamble"])
    for sec in data["sections"]:
        pieces.append(sec["marker"] + sec["title"]["zh"])
        walk(sec)
    text_after_salutation = _non_space(sample_text)[start + len("各位代表:"):].rstrip("|")
    assert _non_space("".join(pieces)) == text_after_salutation
    assert len(body) > 9000 * 0.8


def test_long_sentences_are_split_into_linked_pieces_not_truncated(sample_run):
    out, _ = sample_run
    data = json.loads((out / "yuyao-2020-h1-report.json").read_text(encoding="utf-8"))
    split = [s for s in json_segments(data) if s.get("pieces")]
    assert split, "tiny config's 64-token limit should split some sentences"
    for s in split:
        assert "".join(s["pieces"]) == s["zh"]


def test_markdown_renders(sample_run):
    out, _ = sample_run
    text = (out / "yuyao-2020-h1-report.md").read_text(encoding="utf-8")
    front, body = text[4:].split("\n---\n", 1)
    assert "config_hash:" in front and "translator:" in front
    tokens = MarkdownIt("commonmark", {"html": True}).enable("table").parse(body)
    heads = [(t.tag, tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"]
    sections = [h for h in heads if not h[1].startswith(("Flags", "Executive summary"))]
    assert [tag for tag, _ in sections].count("h2") == 2 and [tag for tag, _ in sections].count("h3") == 12
    assert sections[1][1].startswith("一、上半年工作回顾 · ")
    data = json.loads((out / "yuyao-2020-h1-report.json").read_text(encoding="utf-8"))
    first_cells = [tokens[i + 2].children[-1].content for i, t in enumerate(tokens)
                   if t.type == "tr_open" and tokens[i + 2].type == "inline" and tokens[i + 2].children]
    ids = [s["id"] for s in json_segments(data)]
    assert [c for c in first_cells if c in set(ids)] == ids  # one row per segment, in order


def test_rerun_skips_done_work(sample_run):
    out, _ = sample_run
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(out),
                  "--cache", str(out / "cache.sqlite"))
    assert res.returncode == 0, res.stderr
    assert "0 written, 1 already done" in res.stderr
    lines = (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["status"] == "ok"


def test_default_config_without_network_fails_fast_with_one_line(tmp_path):
    for env in ({"HF_HUB_OFFLINE": "1"}, {}):
        res = run_cli("run", str(SAMPLE), "--config", "configs/default.yaml", "--out", str(tmp_path),
                      env={**env, "HF_HOME": str(tmp_path / "hf")}, timeout=120)
        assert res.returncode == 4
        lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1, res.stderr
        assert "Helsinki-NLP/opus-mt-zh-en" in lines[0]
        assert "python -m pipeline models download Helsinki-NLP/opus-mt-zh-en" in lines[0]
        assert "Traceback" not in res.stderr


BAD_INPUTS = {
    "empty.txt": b"",
    "spaces.txt": b"  \n\t \n",
    "binary.txt": bytes(range(256)) * 4,
    "undecodable.txt": b"\xff\xfe\xfd abc \x81\x30\x81" * 3 + b"\x80\xff",
    "english.txt": b"This is an English report. It has no Chinese at all, so it is refused.\n",
}


def test_bad_inputs_fail_one_line_each_and_the_rest_goes_on(tiny_models, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name, data in BAD_INPUTS.items():
        (src / name).write_bytes(data)
    good = "各位代表:\n一、总体情况\n今年经济增长5.2%。就业稳定。\n二、明年安排\n继续推进改革。"
    (src / "gbk.txt").write_bytes(good.encode("gb18030"))
    (src / "bom.txt").write_bytes(b"\xef\xbb\xbf" + good.encode("utf-8"))
    out = tmp_path / "out"
    res = run_main("run", str(src), str(tmp_path / "missing.txt"), "--config", str(TINY_CONFIG), "--out", str(out),
                  "--no-cache", "--quiet")
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == len(BAD_INPUTS) + 1
    for name in BAD_INPUTS:
        assert sum(name in ln for ln in errors) == 1
    assert any("missing.txt: no such file" in ln for ln in errors)
    for stem in ("gbk", "bom"):
        data = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
        assert [s["title"]["zh"] for s in data["sections"]] == ["总体情况", "明年安排"]
        assert "今年经济增长5.2%。" in [s["zh"] for s in json_segments(data)]
    manifest = [json.loads(ln) for ln in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(r["status"] for r in manifest).count("failed") == len(BAD_INPUTS) + 1


def test_segment_command_prints_structure_without_models(tmp_path):
    res = run_cli("segment", str(SAMPLE), "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert len(data["sections"]) == 2
    assert all(s["en"] is None for s in json_segments(data))
    res = run_cli("segment", str(SAMPLE))
    assert "上半年工作回顾" in res.stdout
    res = run_cli("segment", str(tmp_path / "nope.txt"))
    assert res.returncode == 2 and res.stderr.strip().count("\n") == 0 and "no such file" in res.stderr
