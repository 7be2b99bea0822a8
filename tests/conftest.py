"""Shared fixtures: the tiny models are built once per session in a temporary folder, and
``TINY_CONFIG`` is configs/tiny.yaml pointed at them (absolute paths), usable from any folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "yuyao-2020-h1-report.txt"
SHARED_DATA = ROOT.parent / "shared" / "data"
GWR_CSV = SHARED_DATA / "gwr-2025-zh-en.csv"
# opus-mt-zh-en's real tokenizer (no weights), where the shared data has it: the `opus_vocab_translator`
# fixture builds a tiny translator on it (token counts, <unk> and the target-vocabulary map are the
# production ones). The other tests use the tokenizer trained on the bundled text: the real vocabulary's
# 65,001-entry output layer makes the tiny model 17x slower per token (60 sentences, beam 4: 22.2 s against
# 1.3 s), which doubled the suite (CI 1,244 s against about 640 s).
REAL_TOKENIZER = SHARED_DATA / "opus-mt-zh-en-tokenizer"
TINY_HOME = Path(tempfile.mkdtemp(prefix="zh-report-tests-"))  # this session's tiny models and config
TINY_CONFIG = TINY_HOME / "configs" / "tiny.yaml"
# `models calibrate` choices of the user's machine (~/.cache) must not steer backend: auto in the tests
os.environ["PIPELINE_CALIBRATION"] = str(TINY_HOME / "calibration.json")


def _write_tiny_config(models: dict[str, Path]) -> None:
    """configs/tiny.yaml with the models and the glossary as absolute paths (a real config file)."""
    text = (ROOT / "configs" / "tiny.yaml").read_text(encoding="utf-8")
    text = text.replace("models/tiny/marian-zh-en", str(models["marian-zh-en"]))
    text = text.replace("models/tiny/bart-summarizer", str(models["bart-summarizer"]))
    text = text.replace("configs/glossary/gov-report.tsv", str(ROOT / "configs" / "glossary" / "gov-report.tsv"))
    TINY_CONFIG.parent.mkdir(parents=True, exist_ok=True)
    TINY_CONFIG.write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def tiny_models() -> dict[str, Path]:
    """Build the tiny models once per session in a temporary folder (seconds), and TINY_CONFIG for them."""
    from pipeline.models import build_tiny_models

    paths = {p.name: p for p in build_tiny_models(TINY_HOME / "models" / "tiny")}
    _write_tiny_config(paths)
    yield paths
    shutil.rmtree(TINY_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def tiny_translator(tiny_models):
    from pipeline.translate import TransformersTranslator

    return TransformersTranslator(str(tiny_models["marian-zh-en"]), max_input_tokens=64, threads=1)


@pytest.fixture
def two_torch_threads():
    """Two torch threads for one test (the session's tiny models set one), restored afterwards."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def opus_vocab_translator(tiny_models):
    """The tiny translator's shape on opus-mt-zh-en's real tokenizer (skipped where the shared data lacks it)."""
    if not (REAL_TOKENIZER / "vocab.json").is_file():
        pytest.skip("../shared/data/opus-mt-zh-en-tokenizer is not here")
    from pipeline.models import TINY_TRANSLATOR, build_tiny_models
    from pipeline.translate import TransformersTranslator

    [path] = build_tiny_models(TINY_HOME / "models" / "opus-vocab", only=(TINY_TRANSLATOR,), tokenizer=REAL_TOKENIZER)
    return TransformersTranslator(str(path), max_input_tokens=256, threads=1)


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def run_cli(*args: str, cwd: Path = ROOT, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run `python -m pipeline ...` as a user would (from the project root)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_main(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The same command line, run in this process: no interpreter start-up and library imports per call
    (several seconds each), for tests that run many commands. Exit code and output as `run_cli` gives."""
    import contextlib
    import io

    from pipeline.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(old)
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def json_segments(doc: dict) -> list[dict]:
    """Every segment of a run JSON in reading order: the preamble's, then each section's before its
    sub-sections'."""
    found = list(doc.get("preamble", []))
    stack = list(doc.get("sections", []))
    while stack:
        sec = stack.pop(0)
        found += sec.get("segments", [])
        stack = sec.get("sections", []) + stack
    return found
