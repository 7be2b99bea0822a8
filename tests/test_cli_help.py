"""The command line explains itself: help for every command, usage errors apart from bad input, --limit,
options after the sub-command, plain progress lines when stderr is not a terminal."""

from __future__ import annotations

import json

import pytest

from .conftest import SAMPLE, TINY_CONFIG, run_main


@pytest.mark.parametrize("command", ["run", "segment", "models", "check", "eval", "verify", "bench"])
def test_every_command_has_help(command):
    res = run_main(command, "--help")
    assert res.returncode == 0 and "usage:" in res.stdout
    assert "--help" in res.stdout


def test_run_help_names_the_input_formats_and_defaults():
    text = run_main("run", "--help").stdout
    for word in (".pdf", ".docx", "@list", "--limit", "--encoding", "--glossary", "--device", "(default: outputs)"):
        assert word in text, word


def test_usage_errors_are_64_and_one_line():
    for args in (["run"], ["nope"], ["run", "x.txt", "--engine", "spark"], ["eval"]):
        res = run_main(*args)
        assert res.returncode == 64, (args, res.stderr)
        assert res.stderr.startswith("error: ") and res.stderr.count("\n") == 1


@pytest.mark.usefixtures("tiny_models")
def test_limit_previews_the_first_segments_and_verbose_after_the_command(tmp_path):
    res = run_main("run", str(SAMPLE), "--config", str(TINY_CONFIG), "--out", str(tmp_path), "--limit", "5",
                   "--no-cache", "--set", "summarizer.kind=none", "-v")
    assert res.returncode == 0, res.stderr
    data = json.loads((tmp_path / "yuyao-2020-h1-report.json").read_text(encoding="utf-8"))

    def walk(sections):
        for sec in sections:
            yield from sec["segments"]
            yield from walk(sec["sections"])

    segments = data["preamble"] + list(walk(data["sections"]))
    assert len(segments) == 5  # of the sample's 135
    # stderr is not a terminal here: plain stage lines, no carriage-return frames
    assert "\r" not in res.stderr and "translate:" in res.stderr and "ok [1]:" in res.stderr
