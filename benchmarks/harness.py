"""What every benchmark shares: the checkout's paths, models with the production shapes (random weights:
speed and memory depend on shapes, not values), a child process per measured variant (so that its peak
RSS is its own), machine facts, realistic inputs, and writing the result.

Run the benchmarks from the repository root as modules (``python -m benchmarks.translate``), or through
``python -m pipeline bench --stage NAME``.
"""

from __future__ import annotations

import itertools
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError
from pipeline.models import Seq2SeqShape

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "yuyao-2020-h1-report.txt"
BENCH_DIR = ROOT / "models" / "bench"
TINY_DIR = ROOT / "models" / "tiny"

LENGTH_RATIO = 1.3  # output tokens per source token (fixed), about what OPUS-MT zh->en produces
SUMMARY_NEW_TOKENS = 60  # summary tokens per summarized input (fixed, about what distilbart-cnn writes)
SUMMARY_BEAMS = 2  # the summarizer's own default, and what `run` uses
EN_WORDS_PER_ZH_CHAR = 0.65  # English words of a real translation per Chinese character

# The production models' shapes (their config.json values), built with random weights. OPUS-MT zh-en's
# 65,001-entry vocabulary joins two SentencePiece models of 32,000 pieces each ("spm32k,spm32k" on its
# model card): the split decides what `translator.output_vocab: target` keeps (about 33,000 entries).
OPUS_MT_ZH_EN_SHAPE = Seq2SeqShape(
    d_model=512, encoder_layers=6, decoder_layers=6, heads=8, ffn=2048, vocab_size=65001, num_beams=4,
    max_length=512, source_pieces=32000, target_pieces=32000,
)
DISTILBART_CNN_12_6_SHAPE = Seq2SeqShape(
    d_model=1024, encoder_layers=12, decoder_layers=6, heads=16, ffn=4096, vocab_size=50264, num_beams=4,
    max_length=142, min_length=56,
)
BENCH_MARIAN = "opus-mt-zh-en-arch-spm32k"
# The real opus-mt-zh-en tokenizer and config.json (no weights), when the shared data has them: the bench
# model then has the production vocabulary (token counts, the target-vocabulary map's real size, <unk>).
REAL_TOKENIZER = ROOT.parent / "shared" / "data" / "opus-mt-zh-en-tokenizer"
BENCH_MARIAN_REAL = "opus-mt-zh-en-real-tokenizer"
BENCH_BART = "distilbart-cnn-12-6-arch"


# --------------------------------------------------------------------------------------------------------
# Models


def marian_model(arch: str) -> Path:
    """``opus``: Helsinki-NLP/opus-mt-zh-en shapes (built once under models/bench), with the real tokenizer
    and config when :data:`REAL_TOKENIZER` is there (else SentencePiece models trained here, padded to the
    real sizes); ``tiny``: the tiny model."""
    from pipeline.models import TINY_TRANSLATOR, build_marian, build_once, build_tiny_models

    if arch == "tiny":
        return build_tiny_models(TINY_DIR, only=(TINY_TRANSLATOR,))[0]
    if arch != "opus":
        raise PipelineError(f"bench: unknown arch {arch!r}", hint="opus or tiny")
    if (REAL_TOKENIZER / "vocab.json").exists():
        dest = BENCH_DIR / BENCH_MARIAN_REAL
        if (dest / "config.json").exists():
            return dest
        return build_once(dest, lambda tmp: build_marian_real(tmp, REAL_TOKENIZER))
    dest = BENCH_DIR / BENCH_MARIAN
    if (dest / "config.json").exists():
        return dest
    return build_once(dest, lambda tmp: build_marian(tmp, 0, OPUS_MT_ZH_EN_SHAPE))


def build_marian_real(dest: Path, tokenizer_dir: Path, seed: int = 0) -> None:
    """opus-mt-zh-en as published (its config.json, tokenizer and generation defaults), random weights."""
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    config = MarianConfig.from_pretrained(tokenizer_dir)
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    pad = config.pad_token_id
    model.generation_config = GenerationConfig(  # as opus-mt-zh-en's generation_config.json
        decoder_start_token_id=pad, eos_token_id=config.eos_token_id, pad_token_id=pad, bad_words_ids=[[pad]],
        num_beams=4, max_length=512,
    )
    model.save_pretrained(dest)
    MarianTokenizer.from_pretrained(tokenizer_dir).save_pretrained(dest)


def marian_tokenizer_kind(model: Path) -> str:
    return "opus-mt-zh-en's real tokenizer" if model.name == BENCH_MARIAN_REAL else "trained here (padded)"


def bart_model(arch: str) -> Path:
    """``bart``: sshleifer/distilbart-cnn-12-6 shapes (built once under models/bench); ``tiny``: the tiny one."""
    from pipeline.models import TINY_SUMMARIZER, build_bart, build_once, build_tiny_models

    if arch == "tiny":
        return build_tiny_models(TINY_DIR, only=(TINY_SUMMARIZER,))[0]
    dest = BENCH_DIR / BENCH_BART
    if (dest / "config.json").exists():
        return dest
    return build_once(dest, lambda tmp: build_bart(tmp, 0, DISTILBART_CNN_12_6_SHAPE))


def ct2_model(model: Path, quantization: str) -> Path:
    """``model`` converted to CTranslate2 (once; the fingerprint in the name: never a stale conversion)."""
    from pipeline.models import folder_fingerprint
    from pipeline.translate.ct2 import convert_to_ctranslate2

    name = f"{model.name}-ct2-{quantization}-{folder_fingerprint(model)[-8:]}"
    return convert_to_ctranslate2(str(model), BENCH_DIR / name, quantization=quantization)


def has_module(name: str) -> bool:
    try:
        import_module(name)
    except ImportError:
        return False
    return True


# --------------------------------------------------------------------------------------------------------
# Child processes: one per measured variant, so that ru_maxrss is that variant's peak alone


def run_child(task: dict[str, Any], isolate: bool = True) -> dict[str, Any]:
    """Run ``task["function"]`` of module ``task["module"]`` (in ``benchmarks``) in a new interpreter and
    return its result with ``peak_rss_mb``. ``isolate=False`` (tests) runs it here: RSS is then this
    process's peak so far."""
    if not isolate:
        return measure(task)
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.harness"],
        input=json.dumps(task), capture_output=True, text=True, cwd=str(ROOT),  # -m: the checkout comes first
    )
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["(no output)"]
        raise PipelineError(f"bench child {task['module']}.{task['function']} failed (exit {proc.returncode}): "
                            f"{tail[0][:300]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(task: dict[str, Any]) -> dict[str, Any]:
    result = getattr(import_module(f"benchmarks.{task['module']}"), task["function"])(task)
    result["peak_rss_mb"] = peak_rss_mb()
    return result


# Peak RSS. ``ru_maxrss`` is not the child's own: Linux keeps it across execve, and Python starts children
# with vfork, so a child starts with its PARENT's peak (a parent that had just converted the bench models
# gave the child measuring (c) 1.96 GB). VmHWM of /proc/self/status is this process's own, and writing 5 to
# /proc/self/clear_refs restarts it, which gives each stage its own peak.
_PEAK_KB = [0]


def _vm_hwm_kb() -> int | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    line = next((ln for ln in status.splitlines() if ln.startswith("VmHWM:")), None)
    return int(line.split()[1]) if line else None


def peak_rss_mb() -> float:
    """This process's own peak RSS so far (MB); ``ru_maxrss`` where /proc is missing (macOS)."""
    import resource

    now = _vm_hwm_kb()
    if now is None:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
        return round(rss / (1 << 20 if sys.platform == "darwin" else 1 << 10), 1)
    _PEAK_KB[0] = max(_PEAK_KB[0], now)
    return round(_PEAK_KB[0] / 1024, 1)


def restart_peak() -> float | None:
    """The peak since the last restart (MB), and a new start (None where /proc cannot do it)."""
    now = _vm_hwm_kb()
    if now is None:
        return None
    peak_rss_mb()
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return round(now / 1024, 1)


class StageTimer:
    """Wall seconds per named stage, summed over repeated entries, and each stage's peak RSS (MB)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peaks: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        restart_peak()
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - started
            peak = restart_peak()
            if peak is not None:
                self.peaks[stage] = max(self.peaks.get(stage, 0.0), peak)

    def rounded(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in self.seconds.items()}


# --------------------------------------------------------------------------------------------------------
# Facts and results


# Environment variables that hold CTranslate2, oneDNN and PyTorch to older instruction sets.
ISA_LIMITS = ("CT2_FORCE_CPU_ISA", "ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY")


def machine_facts(threads: int) -> dict[str, Any]:
    from importlib import metadata

    def version(package: str) -> str | None:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    from pipeline.translate.fastest import fastest_path, reported_features

    model = ""
    try:
        model = next((ln.partition(":")[2].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                      if ln.startswith("model name")), "")
    except OSError:
        pass
    path = fastest_path()
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "cpu_features": reported_features(),
        "fast_path": {"backend": path.backend, "number_format": path.number_format, "why": path.why},
        "malloc_arena_max": os.environ.get("MALLOC_ARENA_MAX"),
        # kernels held below what the CPU has (an emulation of an older CPU's code paths, not its clocks)
        "isa_limits": {k: os.environ[k] for k in ISA_LIMITS if os.environ.get(k)} or None,
        "python": platform.python_version(),
        "torch": version("torch"),
        "transformers": version("transformers"),
        "ctranslate2": version("ctranslate2"),
        "threads": threads,
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
    }


def seq2seq_flops(shape: Seq2SeqShape, source_tokens: int, output_tokens: int, beams: int,
                  output_layer: int | None = None) -> float:
    """Multiply-adds x 2 of an encoder-decoder (without attention over lengths, small at these sizes):
    the encoder per source token; the decoder per output token per beam (self-attention, cross-attention's
    query and output, the feed-forward, the output layer of ``output_layer`` entries, default the
    vocabulary); cross-attention keys and values once per source token and decoder layer."""
    d, f = shape.d_model, shape.ffn
    vocab = output_layer or shape.vocab_size or 0
    encoder = shape.encoder_layers * (4 * d * d + 2 * d * f)
    cross_kv = shape.decoder_layers * 2 * d * d
    decoder = shape.decoder_layers * (4 * d * d + 2 * d * d + 2 * d * f) + d * vocab
    return 2.0 * (source_tokens * (encoder + cross_kv * beams) + output_tokens * beams * decoder)


def matmul_peak_gflops(threads: int, dtypes: tuple[str, ...] = ("float32", "bfloat16"), seconds: float = 1.0
                       ) -> dict[str, float]:
    """What this CPU's PyTorch matrix products reach (GFLOP/s) on 512-wide products of 256 rows, the
    decoder's shape at beam 4: the compute limit the stages are compared with."""
    import torch

    torch.set_num_threads(threads)
    out = {}
    for name in dtypes:
        dt = getattr(torch, name)
        a, w = torch.randn(256, 512, dtype=dt), torch.randn(512, 2048, dtype=dt)
        for _ in range(5):
            a @ w
        best = 0.0
        for _ in range(3):  # the best of three: a machine shared with other work gives lower figures
            n, started = 0, time.perf_counter()
            while time.perf_counter() - started < seconds / 3:
                a @ w
                n += 1
            best = max(best, 2 * 256 * 512 * 2048 * n / (time.perf_counter() - started) / 1e9)
        out[name] = round(best, 1)
    return out


def compute_limits(threads: int, cpuinfo: str | Path = "/proc/cpuinfo") -> dict[str, Any]:
    """The CPU's peak GFLOP/s per number format on ``threads`` cores: cores x clock (``cpu MHz``) x FLOPs
    per cycle and core: float32 fused multiply-adds, 2 units of 8 lanes (AVX2) or 16 (AVX-512); bfloat16
    twice that with AVX512-BF16, 1,024 with AMX; int8 four times float32 with VNNI (twice without), 2,048
    with AMX. An upper bound (clocks drop under AVX-512 load, some CPUs split 512-bit units), not a promise."""
    from pipeline.translate.fastest import cpu_flags

    flags = cpu_flags(cpuinfo)
    try:
        mhz = next(float(ln.partition(":")[2]) for ln in Path(cpuinfo).read_text().splitlines()
                   if ln.startswith("cpu MHz"))
    except (OSError, StopIteration, ValueError):
        return {}
    per_core = 2.0 * 2 * (16 if "avx512f" in flags else 8)  # FMA = 2 FLOPs, 2 units, lanes
    formats = {
        "float32": per_core,
        "bfloat16": 1024.0 if "amx_bf16" in flags else per_core * (2 if "avx512_bf16" in flags else 1),
        "int8": 2048.0 if "amx_int8" in flags else per_core * (4 if "avx512_vnni" in flags or "avx_vnni" in flags else 2),
    }
    ghz = mhz / 1000
    return {"cpu_mhz": mhz, "gflop_per_second": {k: round(threads * ghz * v, 1) for k, v in formats.items()}}


def limit_for(number_format: str, limits: dict[str, Any]) -> float | None:
    """The peak of ``number_format`` (a transformers dtype or a CTranslate2 compute type)."""
    peaks = limits.get("gflop_per_second") or {}
    key = "int8" if number_format.startswith("int8") else "bfloat16" if number_format == "bfloat16" else "float32"
    return peaks.get(key)


def threads_or_all(threads: int) -> int:
    return threads if threads > 0 else (os.cpu_count() or 1)


def write_result(out_dir: Path, stage: str, result: dict[str, Any]) -> dict[str, Any]:
    """``out_dir/<stage>.json`` (atomic), a short table on stderr; returns ``result``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f".{stage}.json.tmp"
    tmp.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, out_dir / f"{stage}.json")
    print(f"bench {stage} ({result.get('machine', {}).get('threads')} threads) -> {out_dir / f'{stage}.json'}",
          file=sys.stderr)
    for name, row in (result.get("backends") or result.get("summarizers") or result.get("variants") or {}).items():
        cells = [f"{k}={v}" for k, v in row.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
        print(f"  {name:<28} " + "  ".join(cells), file=sys.stderr)
    return result


def agreement(x: list[list[int]], y: list[list[int]]) -> tuple[int, float]:
    """Sentences with identical ids, and the share of positions with the same token."""
    same = sum(a == b for a, b in zip(x, y))
    positions = sum(max(len(a), len(b)) for a, b in zip(x, y))
    matching = sum(p == q for a, b in zip(x, y) for p, q in zip(a, b))
    return same, round(matching / positions, 4) if positions else 1.0


# --------------------------------------------------------------------------------------------------------
# Inputs


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def bench_sentences(count_tokens: Callable[[str], int], max_tokens: int = 256) -> list[str]:
    """The sample report's sentences (long ones split to fit ``max_tokens``), in document order."""
    from pipeline.segment import segment

    doc = segment(sample_text(), source=SAMPLE.name, max_tokens=max_tokens, count_tokens=count_tokens)
    return [piece for seg in doc.all_segments() for piece in (seg.pieces or [seg.zh]) if piece.strip()]


def english_filler(n_words: int, stream: Iterator[str]) -> str:
    """``n_words`` words of English from the sentence stream, ending with a full stop."""
    words: list[str] = []
    while len(words) < n_words:
        words.extend(next(stream).split())
    return " ".join(words[: max(1, n_words)]).rstrip(".,;:") + "."


def fill_english(docs: list[Any]) -> None:
    """Give every segment English of a real translation's length (deterministic filler from the bundled
    English corpus): random-weight translators write token soup, but the summarizer must see real sizes."""
    from pipeline.models import _corpus_lines

    stream = itertools.cycle(_corpus_lines("en"))
    for doc in docs:
        for seg in doc.all_segments():
            seg.en = english_filler(round(EN_WORDS_PER_ZH_CHAR * len(seg.zh)), stream)


def bench_document() -> Any:
    """The sample report segmented, every segment given English of realistic length (deterministic)."""
    from pipeline.segment import segment

    doc = segment(sample_text(), source=SAMPLE.name)
    fill_english([doc])
    return doc


def batch_reports(count: int, sentences_per_report: int | None = None) -> list[tuple[str, str]]:
    """``count`` reports (name, text) built from the sample's sub-sections: a salutation, one numbered
    heading, the sub-section's sentences. Every sentence and title carries the report's number, so
    cross-document batching gets no help from deduplication."""
    from pipeline.segment import segment

    doc = segment(sample_text())
    parts = [sub for top in doc.sections for sub in top.sections]
    reports = []
    for i in range(count):
        sec = parts[i % len(parts)]
        sentences = [s.zh for s in sec.all_segments()][:sentences_per_report]
        body = "".join(s[:-1] + f"（第{i}号）" + s[-1] if s[-1:] in "。；" else s + f"（第{i}号）" for s in sentences)
        title = sec.title.zh.rstrip("。") + f"（第{i}号）"
        reports.append((f"report-{i:03d}", f"各位代表:\n一、{title}\n{body}\n"))
    return reports


def main() -> None:
    """Child entry: a task as JSON on stdin, its result as the last line of stdout."""
    from benchmarks.harness import measure as shared  # the module the stages import (not __main__): one peak

    print(json.dumps(shared(json.loads(sys.stdin.read()))))


if __name__ == "__main__":
    main()
