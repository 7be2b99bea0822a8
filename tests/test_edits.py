"""The post-editing loop: export XLIFF/TMX, correct sentences as a translation tool would, import-edits;
exactly those sentences (and the summaries resting on them) change, they are human translations in the
cache and the JSON, and a later run (plain or forced) keeps them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lxml import etree

from .conftest import SAMPLE, TINY_CONFIG, run_main
from .test_exchange import XLIFF_NS, all_segments

pytestmark = pytest.mark.usefixtures("tiny_models")
# extractive summaries quote their source sentences' English: a corrected sentence shows in the summary
FORMATS = ["--set", "output.xliff=true", "--set", "output.tmx=true", "--set", "output.csv=true",
           "--set", "summarizer.kind=extractive"]
STEM = SAMPLE.stem


@pytest.fixture(scope="module")
def exported(tiny_models, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("edits-base")
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(out), "-q", *FORMATS)
    assert res.returncode == 0, res.stderr
    return out


def load(out: Path) -> dict:
    return json.loads((out / f"{STEM}.json").read_text(encoding="utf-8"))


def edit_xliff(src: Path, dst: Path, corrections: dict[str, str]) -> None:
    """What a translation tool does: new target text, state changed, the rest of the file as it was."""
    tree = etree.parse(str(src))
    for unit in tree.iterfind(".//x:trans-unit", XLIFF_NS):
        if unit.get("id") in corrections:
            target = unit.find("x:target", XLIFF_NS)
            target.text = corrections[unit.get("id")]
            target.set("state", "translated")
    tree.write(str(dst), xml_declaration=True, encoding="UTF-8")


def level1_of(data: dict) -> dict[str, set[str]]:
    """Top-level section id -> the ids of every segment under it."""
    return {sec["id"]: {s["id"] for s in all_segments({"preamble": [], "sections": [sec]})} for sec in data["sections"]}


def summaries(data: dict) -> dict[str, dict | None]:
    out = {"executive": data["summary"]}
    stack = list(data["sections"])
    while stack:
        sec = stack.pop()
        out[sec["id"]] = sec["summary"]
        stack.extend(sec["sections"])
    return out


@pytest.fixture(scope="module")
def round_trip(exported, tmp_path_factory):
    out = tmp_path_factory.mktemp("edits") / "out"
    shutil.copytree(exported, out)
    before = load(out)
    segs = all_segments(before)
    flagged = next(s for s in segs if any(f["kind"] == "degenerate" for f in s.get("flags", [])))
    cited = before["sections"][-1]["summary"]["sentences"][0]["sources"][0]  # quoted by a section summary
    assert cited != flagged["id"]
    corrections = {flagged["id"]: "The government keeps its promises.", cited: "A corrected sentence."}
    edited = out.parent / "corrected.xliff"
    edit_xliff(out / f"{STEM}.xliff", edited, corrections)
    res = run_main("import-edits", str(edited), "--out", str(out), "--report", STEM, "--config", str(TINY_CONFIG),
                   *FORMATS)
    assert res.returncode == 0, res.stderr
    return out, before, load(out), corrections, res


def test_exactly_the_corrected_sentences_change(round_trip):
    out, before, after, corrections, res = round_trip
    assert "2 sentence(s) corrected" in res.stderr
    old, new = {s["id"]: s for s in all_segments(before)}, {s["id"]: s for s in all_segments(after)}
    assert list(old) == list(new)
    for sid, seg in new.items():
        if sid in corrections:
            assert (seg["en"], seg["origin"]) == (corrections[sid], "human")
        else:
            assert (seg["zh"], seg["en"], seg["origin"]) == (old[sid]["zh"], old[sid]["en"], old[sid]["origin"])


def test_flags_of_the_old_english_are_cleared_and_the_new_english_is_checked(round_trip):
    from pipeline.fidelity import check_pair, load_glossaries

    out, before, after, corrections, _ = round_trip
    glossary = load_glossaries([Path(__file__).parents[1] / "configs" / "glossary" / "gov-report.tsv"])
    for seg in all_segments(after):
        if seg["id"] in corrections:
            assert not any(f["kind"] == "degenerate" for f in seg.get("flags", []))
            expected = check_pair(seg["zh"], seg["en"], glossary, after["qa"].get("report_year"))
            assert [(f["kind"], f["reason"]) for f in seg.get("flags", [])] == [(f.kind, f.reason) for f in expected]
    assert after["qa"]["segments_flagged"] < before["qa"]["segments_flagged"]


def test_only_summaries_resting_on_corrected_sentences_change(round_trip):
    out, before, after, corrections, _ = round_trip
    touched = {sec for sec, ids in level1_of(before).items() if ids & set(corrections)}
    changed = {k for k, v in summaries(after).items() if v != summaries(before)[k]}
    assert changed <= touched | {"executive"} | {k for k in changed if k.startswith(tuple(f"{t}-" for t in touched))}
    # the summary quoting a corrected sentence was redone on the new English
    quoted = after["sections"][-1]["summary"]["sentences"]
    assert any(q["text"] == "A corrected sentence." and q["sources"] == [cid] for q in quoted
               for cid in corrections)


def test_corrections_reach_every_output_and_the_cache(round_trip):
    from pipeline.translate.cache import TranslationCache

    out, before, after, corrections, _ = round_trip
    xliff = etree.parse(str(out / f"{STEM}.xliff"))
    units = {u.get("id"): u for u in xliff.iterfind(".//x:trans-unit", XLIFF_NS)}
    for sid, en in corrections.items():
        assert units[sid].findtext("x:target", namespaces=XLIFF_NS) == en
        assert units[sid].get("approved") == "yes" and units[sid].find("x:target", XLIFF_NS).get("state") == "final"
    assert all(en in (out / f"{STEM}.md").read_text(encoding="utf-8") for en in corrections.values())
    csv_text = (out / "segments.csv").read_text(encoding="utf-8-sig")
    assert all(en in csv_text for en in corrections.values()) and ",human," in csv_text
    cache = TranslationCache(out / ".cache" / "translations.sqlite")
    human = dict(cache.db.execute("SELECT segment, en FROM human").fetchall())
    cache.close()
    assert human == corrections


def test_a_later_run_never_overwrites_a_human_translation(round_trip, tmp_path):
    out, before, after, corrections, _ = round_trip
    again = tmp_path / "again"
    shutil.copytree(out, again)
    json_bytes = (again / f"{STEM}.json").read_bytes()
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(again), *FORMATS)
    assert res.returncode == 0, res.stderr
    # done: the manifest records the hashes of the files import-edits wrote, so nothing is redone
    assert "0 written, 1 already done" in res.stderr, res.stderr
    assert (again / f"{STEM}.json").read_bytes() == json_bytes
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(again), "--force", *FORMATS)
    assert res.returncode == 0, res.stderr
    forced = {s["id"]: s for s in all_segments(load(again))}
    for sid, en in corrections.items():
        assert (forced[sid]["en"], forced[sid]["origin"]) == (en, "human")
    assert [(s["en"], s["origin"]) for s in all_segments(after)] == [(s["en"], s["origin"]) for s in forced.values()]
    assert f"{len(corrections)} human" in res.stderr
    # --no-cache: no model translation is read from the cache, but a person's correction still is
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(again), "-q", "--force", "--no-cache",
                   *FORMATS)
    assert res.returncode == 0, res.stderr
    uncached = {s["id"]: s for s in all_segments(load(again))}
    assert all((uncached[sid]["en"], uncached[sid]["origin"]) == (en, "human") for sid, en in corrections.items())


def test_tmx_without_ids_is_matched_by_its_chinese(exported, tmp_path):
    """A TMX a tool wrote itself (no tuids, its own header): units are matched by their Chinese."""
    out = tmp_path / "out"
    shutil.copytree(exported, out)
    seg = all_segments(load(out))[3]
    tmx = tmp_path / f"{STEM}.tmx"  # the report is found by the file's name
    tmx.write_text('<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header creationtool="OmegaT" '
                   'creationtoolversion="6" segtype="sentence" o-tmf="OmegaT" adminlang="EN-US" srclang="ZH-CN" '
                   f'datatype="plaintext"/><body><tu><tuv xml:lang="ZH-CN"><seg>{seg["zh"]}</seg></tuv>'
                   '<tuv xml:lang="EN-GB"><seg>Fixed <ph>&lt;b&gt;</ph>by hand.</seg></tuv></tu>'
                   '<tu><tuv xml:lang="ZH-CN"><seg>别的报告里的句子。</seg></tuv><tuv xml:lang="EN-GB"><seg>Other.</seg></tuv></tu>'
                   '</body></tmx>', encoding="utf-8")
    res = run_main("import-edits", str(tmx), "--out", str(out), "--config", str(TINY_CONFIG), *FORMATS)
    assert res.returncode == 0, res.stderr
    assert "1 sentence(s) corrected, 0 unchanged, 1 unit(s) matching no sentence (ignored)" in res.stderr
    fixed = next(s for s in all_segments(load(out)) if s["id"] == seg["id"])
    assert (fixed["en"], fixed["origin"]) == ("Fixed <b>by hand.", "human")


def test_bad_edited_files_are_one_line_errors(exported, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(exported, out)
    json_bytes = (out / f"{STEM}.json").read_bytes()
    cases = {
        "missing.xliff": (None, 2, "no such file"),
        "broken.xliff": ("<xliff><file>", 2, "not a readable XLIFF or TMX file"),
        "page.xliff": ("<html><body/></html>", 2, "not an XLIFF or TMX file (root element <html>)"),
        "stranger.xliff": ('<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="x" '
                           'source-language="zh-CN" datatype="plaintext"><body><trans-unit id="s1"><source>无关的句子。'
                           '</source><target>Unrelated.</target></trans-unit></body></file></xliff>',
                           2, "none of its 1 units matches a sentence"),
    }
    for name, (text, code, message) in cases.items():
        if text is not None:
            (tmp_path / name).write_text(text, encoding="utf-8")
        res = run_main("import-edits", str(tmp_path / name), "--out", str(out), "--report", STEM,
                       "--config", str(TINY_CONFIG), *FORMATS)
        assert (res.returncode, res.stderr.count("\n")) == (code, 1), (name, res.stderr)
        assert message in res.stderr and "Traceback" not in res.stderr
    res = run_main("import-edits", str(tmp_path / "stranger.xliff"), "--out", str(out), "--report", "nope",
                   "--config", str(TINY_CONFIG), *FORMATS)
    assert res.returncode == 2 and "nope.json: no such report" in res.stderr
    res = run_main("import-edits", str(tmp_path / "stranger.xliff"), "--out", str(out), "--report", STEM,
                   "--config", str(TINY_CONFIG))  # not the run's config: the outputs would differ
    assert res.returncode == 3 and "not the config that made" in res.stderr
    assert (out / f"{STEM}.json").read_bytes() == json_bytes


def test_xliff_2_from_a_tool_is_read_too_and_entities_are_not_expanded(exported, tmp_path):
    """XLIFF 2.0 (units with segments; what some tools export) works the same; an external entity in an
    edited file is never fetched or expanded."""
    out = tmp_path / "out"
    shutil.copytree(exported, out)
    seg = all_segments(load(out))[1]
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    edited = tmp_path / "edited.xlf"
    edited.write_text(f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>'
                      '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="zh-CN" trgLang="en">'
                      f'<file id="f1" original="{SAMPLE.name}"><unit id="{seg["id"]}"><segment><source>{seg["zh"]}</source>'
                      '<target>Version two &amp; more.&e;</target></segment></unit></file></xliff>', encoding="utf-8")
    res = run_main("import-edits", str(edited), "--out", str(out), "--config", str(TINY_CONFIG), *FORMATS)
    assert res.returncode == 0, res.stderr  # the report found by the file it names (its input's name)
    fixed = next(s for s in all_segments(load(out)) if s["id"] == seg["id"])
    assert fixed["origin"] == "human" and fixed["en"].startswith("Version two & more.") and "SECRET" not in fixed["en"]


def test_without_config_the_reports_own_config_file_is_used(exported, tmp_path):
    """A run made with a config file and no --set: import-edits finds that file in the report's provenance."""
    out = tmp_path / "out"
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(out), "-q", "--limit", "6",
                   "--set", "summarizer.kind=none")
    assert res.returncode == 0, res.stderr
    seg = all_segments(load(out))[2]
    edited = tmp_path / f"{STEM}.tmx"
    edited.write_text('<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence" '
                      'o-tmf="t" adminlang="en" srclang="zh-CN" datatype="plaintext"/><body><tu><tuv xml:lang="zh-CN">'
                      f'<seg>{seg["zh"]}</seg></tuv><tuv xml:lang="en"><seg>Mine.</seg></tuv></tu></body></tmx>',
                      encoding="utf-8")
    res = run_main("import-edits", str(edited), "--out", str(out))
    assert res.returncode == 3 and "not the config that made the report" in res.stderr  # the --set is missing
    res = run_main("import-edits", str(edited), "--out", str(out), "--set", "summarizer.kind=none")
    assert res.returncode == 0, res.stderr
    assert next(s for s in all_segments(load(out)) if s["id"] == seg["id"])["en"] == "Mine."


def test_a_corrected_heading_is_kept_like_a_sentence(exported, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(exported, out)
    before = load(out)
    edited = tmp_path / "corrected.xliff"
    edit_xliff(out / f"{STEM}.xliff", edited, {"sec-2-title": "Work for the second half of the year"})
    res = run_main("import-edits", str(edited), "--out", str(out), "--report", STEM, "--config", str(TINY_CONFIG),
                   *FORMATS)
    assert res.returncode == 0 and "1 sentence(s) corrected" in res.stderr, res.stderr
    after = load(out)
    assert (after["sections"][1]["title"]["en"], after["sections"][1]["title"]["origin"]) == (
        "Work for the second half of the year", "human")
    assert [(s["en"], s["origin"]) for s in all_segments(after)] == [(s["en"], s["origin"]) for s in all_segments(before)]
    assert "Work for the second half of the year" in (out / f"{STEM}.md").read_text(encoding="utf-8")
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(out), "-q", "--force", *FORMATS)
    assert res.returncode == 0, res.stderr
    assert load(out)["sections"][1]["title"] == after["sections"][1]["title"]
