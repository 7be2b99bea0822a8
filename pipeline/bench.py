"""Benchmarks: speed and peak memory of the translate and summarize stages, and of segmentation.

``run_bench(stage, out_dir)`` writes ``out_dir/<stage>.json`` and returns the same dict. Models with the
exact architecture of the production models (random weights: speed and memory depend on the shapes, not
on the values) are built once under ``models/bench/`` and reused. Every measured backend runs in its own
child process, so its peak RSS is its own and not the sum of everything measured before it.

Outputs have fixed lengths (``GenerationSettings.fixed_length_ratio``, ``fixed_new_tokens``): a random
model never ends a sentence by itself, and comparing speeds only makes sense for the same amount of work.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .errors import PipelineError
from .models import Seq2SeqShape
from .translate import set_torch_threads

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "yuyao-2020-h1-report.txt"
BENCH_DIR = ROOT / "models" / "bench"
TINY_DIR = ROOT / "models" / "tiny"

BENCH_MARIAN = "opus-mt-zh-en-arch"  # Helsinki-NLP/opus-mt-zh-en shapes, random weights
BENCH_BART = "distilbart-cnn-12-6-arch"  # sshleifer/distilbart-cnn-12-6 shapes, random weights
MARIAN_VOCAB = 65001
BART_VOCAB = 50264

LENGTH_RATIO = 1.3  # output tokens per source token (fixed), about what OPUS-MT zh->en produces
# Token budget per translator batch (batch x beams x longest input): the translator's own default, so the
# benchmark measures what `run` does (it already beats the naive loop many times over; no tuning needed).
BATCH_TOKENS = 4096
SUMMARY_NEW_TOKENS = 60
SUMMARY_BEAMS = 2  # the summarizer's own default, and what `run` uses
EN_WORDS_PER_ZH_CHAR = 0.65
QUICK_SENTENCES = 12

STAGES = ("translate", "summarize", "segment", "batch")

# The production models' shapes (their config.json values), built with random weights.
OPUS_MT_ZH_EN_SHAPE = Seq2SeqShape(
    d_model=512, encoder_layers=6, decoder_layers=6, heads=8, ffn=2048, vocab_size=MARIAN_VOCAB, num_beams=4,
    max_length=512,
)
DISTILBART_CNN_12_6_SHAPE = Seq2SeqShape(
    d_model=1024, encoder_layers=12, decoder_layers=6, heads=16, ffn=4096, vocab_size=BART_VOCAB, num_beams=4,
    max_length=142, min_length=56,
)


def run_bench(
    stage: str,
    out_dir: Path,
    *,
    quick: bool = False,
    num_beams: int = 4,
    threads: int = 0,
    arch: str = "opus",
    batch_tokens: int = BATCH_TOKENS,
    summary_beams: int = SUMMARY_BEAMS,
    compute_types: tuple[str, ...] = (),
    isolate: bool = True,
) -> dict[str, Any]:
    """Run one benchmark stage, write ``out_dir/<stage>.json`` atomically and return its content.

    ``arch="tiny"`` (tests) measures the tiny models of ``models/tiny`` instead of the production shapes;
    ``compute_types`` adds CTranslate2 runs with other compute types (e.g. ``("int16", "float32")``);
    ``isolate=False`` (tests) measures in this process, so peak RSS is not per backend.
    """
    from .runner import write_atomic

    if stage not in STAGES:
        raise PipelineError(f"bench: unknown stage {stage!r}", hint=f"choose one of {', '.join(STAGES)}")
    threads = threads if threads > 0 else (os.cpu_count() or 1)
    if stage == "translate":
        result = _bench_translate(quick, num_beams, threads, arch, batch_tokens, compute_types, isolate)
    elif stage == "summarize":
        result = _bench_summarize(quick or arch == "tiny", summary_beams, threads, isolate)
    elif stage == "segment":
        result = _bench_segment(quick)
    else:
        result = _bench_batch(quick or arch == "tiny", num_beams, threads, arch, isolate)
    result = {"stage": stage, "quick": quick, "machine": machine_facts(threads), **result}
    write_atomic(Path(out_dir) / f"{stage}.json", json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    _print_table(result)
    return result


def machine_facts(threads: int) -> dict[str, Any]:
    from importlib import metadata

    def version(package: str) -> str | None:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "torch": version("torch"),
        "transformers": version("transformers"),
        "ctranslate2": version("ctranslate2"),
        "threads": threads,
    }


def _print_table(result: dict[str, Any]) -> None:
    rows = result.get("backends") or result.get("summarizers") or {}
    print(f"bench {result['stage']} ({result['machine']['threads']} threads)", file=sys.stderr)
    for name, r in rows.items():
        cells = [f"{k}={v}" for k, v in r.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
        print(f"  {name:<28} " + "  ".join(cells), file=sys.stderr)
    for key in ("b_over_a", "c_over_a", "identical_a_b", "agreement_a_c", "chars_per_second", "seconds"):
        if key in result:
            print(f"  {key}: {result[key]}", file=sys.stderr)


# --------------------------------------------------------------------------------------------------------
# Models with the production shapes (built once, reused)


def build_bench_marian(dest: Path, seed: int = 0) -> Path:
    """A Marian model shaped exactly like Helsinki-NLP/opus-mt-zh-en (random weights) and its tokenizer.

    The SentencePiece models are the tiny builder's; the vocabulary is padded with unused entries to the
    real size (65001, ``<pad>`` last), so the embedding and output layers have their real cost.
    """
    from .models import build_marian, build_once

    if (Path(dest) / "config.json").exists():
        return Path(dest)
    return build_once(dest, lambda tmp: build_marian(tmp, seed, OPUS_MT_ZH_EN_SHAPE))


def build_bench_bart(dest: Path, seed: int = 0) -> Path:
    """A BART model shaped exactly like sshleifer/distilbart-cnn-12-6 (random weights), with the tiny
    builder's byte-level BPE tokenizer, its vocabulary padded to the real size (50264)."""
    from .models import build_bart, build_once

    if (Path(dest) / "config.json").exists():
        return Path(dest)
    return build_once(dest, lambda tmp: build_bart(tmp, seed, DISTILBART_CNN_12_6_SHAPE))


def _marian_path(arch: str) -> Path:
    if arch == "tiny":
        from .models import TINY_TRANSLATOR, build_tiny_models

        return build_tiny_models(TINY_DIR, only=(TINY_TRANSLATOR,))[0]
    if arch != "opus":
        raise PipelineError(f"bench: unknown arch {arch!r}", hint="opus or tiny")
    return build_bench_marian(BENCH_DIR / BENCH_MARIAN)


def _ct2_path(model: Path, quantization: str) -> Path:
    from .convert import convert_to_ctranslate2
    from .models import folder_fingerprint

    # The fingerprint in the name: a rebuilt model never meets a stale conversion.
    name = f"{model.name}-ct2-{quantization}-{folder_fingerprint(model)[-8:]}"
    return convert_to_ctranslate2(str(model), BENCH_DIR / name, quantization=quantization)


# --------------------------------------------------------------------------------------------------------
# Child processes: one per measured backend, so that ru_maxrss is that backend's peak alone


def _run_child(task: dict[str, Any], isolate: bool = True) -> dict[str, Any]:
    if not isolate:  # tests: no new interpreter per backend; peak RSS is then this process's peak so far
        return _measure(task)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(
        [sys.executable, "-c", "from pipeline.bench import _child_main; _child_main()"],
        input=json.dumps(task),
        capture_output=True,
        text=True,
        env=env,
        cwd=str(ROOT),
    )
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["(no output)"]
        raise PipelineError(f"bench child {task['kind']} failed (exit {proc.returncode}): {tail[0][:300]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _child_main() -> None:
    print(json.dumps(_measure(json.loads(sys.stdin.read()))))


def _measure(task: dict[str, Any]) -> dict[str, Any]:
    import resource

    result = _CHILD_TASKS[task["kind"]](task)
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result["peak_rss_mb"] = round(rss / (1 << 20 if sys.platform == "darwin" else 1 << 10), 1)
    return result


def _child_naive(task: dict[str, Any]) -> dict[str, Any]:
    """(a) What a user would write: one sentence at a time, straight into ``generate``."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from .translate import quiet_transformers

    quiet_transformers()
    set_torch_threads(task["threads"])
    tok = AutoTokenizer.from_pretrained(task["model"])
    model = AutoModelForSeq2SeqLM.from_pretrained(task["model"]).eval()
    beams, ratio = task["num_beams"], task["ratio"]
    specials = set(tok.all_special_ids)

    def translate(s: str) -> tuple[list[int], int]:
        enc = tok([s], return_tensors="pt")
        n = max(1, round(ratio * enc["input_ids"].shape[1]))
        out = model.generate(**enc, num_beams=beams, min_new_tokens=n, max_new_tokens=n)
        tok.decode(out[0], skip_special_tokens=True)
        return [t for t in out[0].tolist()[1:] if t not in specials], out.shape[1] - 1

    translate(task["warmup"])
    started = time.perf_counter()
    ids, generated = [], 0
    for s in task["sentences"]:
        row, n = translate(s)
        ids.append(row)
        generated += n
    return {"seconds": time.perf_counter() - started, "generated_tokens": generated, "token_ids": ids}


def _child_translator(task: dict[str, Any]) -> dict[str, Any]:
    """(b) and (c): this project's translators, all sentences in one ``translate_batch`` call."""
    from .translate import CTranslate2Translator, GenerationSettings, TransformersTranslator

    if task["kind"] == "transformers":
        set_torch_threads(task["threads"])
        translator: Any = TransformersTranslator(
            task["model"], max_input_tokens=512, batch_tokens=task["batch_tokens"], threads=task["threads"]
        )
    else:
        translator = CTranslate2Translator(
            task["ct2_model"],
            task["model"],
            compute_type=task["compute_type"],
            max_input_tokens=512,
            batch_tokens=task["batch_tokens"],
            threads=task["threads"],
        )
    settings = GenerationSettings(num_beams=task["num_beams"], fixed_length_ratio=task["ratio"])
    translator.translate_batch([task["warmup"]], settings)
    started = time.perf_counter()
    out = translator.translate_batch(task["sentences"], settings)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "token_ids": [t.token_ids for t in out], "model_calls": translator.generate_calls - 1}


def _child_summarize(task: dict[str, Any]) -> dict[str, Any]:
    from .document import Document
    from .summarize import AbstractiveSummarizer, ExtractiveSummarizer, SummaryPolicy, summarize_document

    if task["summarizer"] == "abstractive":
        set_torch_threads(task["threads"])
        summarizer: Any = AbstractiveSummarizer(task["model"], num_beams=task["num_beams"], threads=task["threads"])
        summarizer.fixed_new_tokens = task["new_tokens"]
    else:
        summarizer = ExtractiveSummarizer()
        summarizer.rank(Document.from_dict(task["doc"]).preamble[:2])  # loads jieba's dictionary outside the timing
    doc = Document.from_dict(task["doc"])
    started = time.perf_counter()
    summarize_document(doc, summarizer, SummaryPolicy(depth=1, min_chars=120))
    seconds = time.perf_counter() - started
    stats = summarizer.stats
    return {
        "seconds": seconds,
        "requests": stats.requests,
        "model_calls": stats.model_calls,
        "map_reduce": stats.map_reduce,
        "chunks": stats.chunks,
        "summary_sentences": len(doc.summary.sentences) if doc.summary else 0,
    }


_CHILD_TASKS = {
    "naive": _child_naive,
    "transformers": _child_translator,
    "ctranslate2": _child_translator,
    "summarize": _child_summarize,
    "batch": lambda task: _child_batch(task),
}


# --------------------------------------------------------------------------------------------------------
# Stages


def bench_sentences(count_tokens, max_tokens: int = 256) -> list[str]:
    """The sample report's sentences (long ones split to fit ``max_tokens``), in document order."""
    from .segment import segment

    doc = segment(SAMPLE.read_text(encoding="utf-8"), source=SAMPLE.name, max_tokens=max_tokens, count_tokens=count_tokens)
    return [piece for seg in doc.all_segments() for piece in (seg.pieces or [seg.zh]) if piece.strip()]


def _agreement(x: list[list[int]], y: list[list[int]]) -> tuple[int, float]:
    """Sentences with identical ids, and the share of positions with the same token."""
    same = sum(a == b for a, b in zip(x, y))
    positions = sum(max(len(a), len(b)) for a, b in zip(x, y))
    matching = sum(p == q for a, b in zip(x, y) for p, q in zip(a, b))
    return same, round(matching / positions, 4) if positions else 1.0


def _bench_translate(
    quick: bool,
    num_beams: int,
    threads: int,
    arch: str,
    batch_tokens: int,
    compute_types: tuple[str, ...],
    isolate: bool,
) -> dict[str, Any]:
    from transformers import AutoTokenizer

    from .translate import quiet_transformers

    quiet_transformers()
    model = _marian_path(arch)
    tok = AutoTokenizer.from_pretrained(str(model))
    count = lambda s: len(tok(s, add_special_tokens=True)["input_ids"])  # noqa: E731
    sentences = bench_sentences(count)
    if quick:
        sentences = sentences[:QUICK_SENTENCES]
    source_tokens = [count(s) for s in sentences]
    output_tokens = sum(max(1, round(LENGTH_RATIO * n)) for n in source_tokens)
    base = {
        "model": str(model),
        "num_beams": num_beams,
        "threads": threads,
        "ratio": LENGTH_RATIO,
        "sentences": sentences,
        "warmup": "各位代表。",
        "batch_tokens": batch_tokens,
    }
    ct2 = {ct: _ct2_path(model, ct) for ct in ("int8", *compute_types)}
    runs: dict[str, dict[str, Any]] = {}
    runs["a_naive_generate"] = _run_child({**base, "kind": "naive"}, isolate)
    runs["b_transformers_translator"] = _run_child({**base, "kind": "transformers"}, isolate)
    unsupported: dict[str, str] = {}
    for ct in ("int8", *compute_types):
        try:
            runs[f"c_ctranslate2_{ct}"] = _run_child(
                {**base, "kind": "ctranslate2", "ct2_model": str(ct2[ct]), "compute_type": ct}, isolate
            )
        except PipelineError as err:
            if ct == "int8":
                raise
            unsupported[ct] = str(err)  # e.g. int16 on a CPU without the instructions; the rest still counts

    ids = {name: r.pop("token_ids") for name, r in runs.items()}
    backends: dict[str, dict[str, Any]] = {}
    for name, r in runs.items():
        backends[name] = {
            "seconds": round(r["seconds"], 3),
            "output_tokens": output_tokens,
            "tokens_per_second": round(output_tokens / r["seconds"], 2),
            "peak_rss_mb": r["peak_rss_mb"],
        }
        for key in ("model_calls", "generated_tokens"):
            if key in r:
                backends[name][key] = r[key]
    a = ids["a_naive_generate"]
    same_ab, _ = _agreement(a, ids["b_transformers_translator"])
    agreement = {}
    for name in ids:
        if name.startswith("c_"):
            same, share = _agreement(a, ids[name])
            agreement[name] = {"identical_sentences": same, "same_token_share": share}
            backends[name]["compute_type"] = name.removeprefix("c_ctranslate2_")
    tps = {name: b["tokens_per_second"] for name, b in backends.items()}
    return {
        "arch": "Helsinki-NLP/opus-mt-zh-en (random weights)" if arch == "opus" else "tiny",
        "model": str(model.relative_to(ROOT)) if model.is_relative_to(ROOT) else str(model),
        "num_beams": num_beams,
        "threads": threads,
        "batch_tokens": batch_tokens,
        "sentences": len(sentences),
        "source_tokens": sum(source_tokens),
        "output_tokens": output_tokens,
        "length": (
            f"fixed: round({LENGTH_RATIO} x source tokens incl. </s>) new tokens per sentence; CTranslate2 decodes "
            "each batch to its longest bound and cuts (more work than counted, never less)"
        ),
        "backends": backends,
        "b_over_a": round(tps["b_transformers_translator"] / tps["a_naive_generate"], 2),
        "c_over_a": round(tps["c_ctranslate2_int8"] / tps["a_naive_generate"], 2),
        "identical_a_b": same_ab == len(sentences),
        "identical_a_b_count": f"{same_ab}/{len(sentences)}",
        "agreement_a_c": agreement,
        **({"compute_types_unsupported": unsupported} if unsupported else {}),
        "targets": {"b_over_a": 1.7, "c_over_a": 4.0, "c_peak_rss_mb": 1024},
        "checks": {
            "b_over_a_met": tps["b_transformers_translator"] / tps["a_naive_generate"] >= 1.7,
            "c_over_a_met": tps["c_ctranslate2_int8"] / tps["a_naive_generate"] >= 4.0,
            "c_rss_met": backends["c_ctranslate2_int8"]["peak_rss_mb"] <= 1024,
        },
    }


def english_filler(n_words: int, stream) -> str:
    """``n_words`` words of English from the sentence stream, ending with a full stop."""
    words: list[str] = []
    while len(words) < n_words:
        words.extend(next(stream).split())
    text = " ".join(words[: max(1, n_words)]).rstrip(".,;:")
    return text + "."


def bench_document():
    """The sample report segmented, every segment given English text of realistic length (deterministic)."""
    import itertools

    from .models import _corpus_lines
    from .segment import segment

    doc = segment(SAMPLE.read_text(encoding="utf-8"), source=SAMPLE.name)
    stream = itertools.cycle(_corpus_lines("en"))
    for seg in doc.all_segments():
        seg.en = english_filler(round(EN_WORDS_PER_ZH_CHAR * len(seg.zh)), stream)
    return doc


def _bench_summarize(quick: bool, num_beams: int, threads: int, isolate: bool) -> dict[str, Any]:
    if quick:
        from .models import TINY_SUMMARIZER, build_tiny_models

        model = build_tiny_models(TINY_DIR, only=(TINY_SUMMARIZER,))[0]
        arch = "tiny"
    else:
        model = build_bench_bart(BENCH_DIR / BENCH_BART)
        arch = "sshleifer/distilbart-cnn-12-6 (random weights)"
    doc = bench_document()
    base = {"kind": "summarize", "doc": doc.to_dict(), "threads": threads}
    results = {
        "abstractive": _run_child(
            {**base, "summarizer": "abstractive", "model": str(model), "num_beams": num_beams, "new_tokens": SUMMARY_NEW_TOKENS},
            isolate,
        ),
        "extractive": _run_child({**base, "summarizer": "extractive"}, isolate),
    }
    for r in results.values():
        r["seconds"] = round(r["seconds"], 3)
    segments = list(doc.all_segments())
    return {
        "arch": arch,
        "model": str(model.relative_to(ROOT)) if model.is_relative_to(ROOT) else str(model),
        "num_beams": num_beams,
        "num_beams_note": "the summarizer's own default (what `run` uses); --beams applies to the translate stage",
        "fixed_new_tokens": SUMMARY_NEW_TOKENS,
        "threads": threads,
        "policy": {"depth": 1, "min_chars": 120},
        "segments": len(segments),
        "zh_chars": sum(len(s.zh) for s in segments),
        "en_words": sum(len((s.en or "").split()) for s in segments),
        "input_note": (
            "no real translation offline: every segment's English is filler from pipeline/data/tiny-corpus-en.txt "
            f"(deterministic), {EN_WORDS_PER_ZH_CHAR} words per Chinese character"
        ),
        "summarizers": results,
    }


def _bench_segment(quick: bool) -> dict[str, Any]:
    from .segment import segment

    sample = SAMPLE.read_text(encoding="utf-8")
    target = 100_000 if quick else 1_000_000
    copies = max(1, round(target / len(sample.encode("utf-8"))))
    text = "\n".join([sample] * copies)
    segment(sample)  # compiles the regular expressions outside the timing
    started = time.perf_counter()
    doc = segment(text)
    seconds = time.perf_counter() - started
    return {
        "bytes": len(text.encode("utf-8")),
        "chars": len(text),
        "copies_of_sample": copies,
        "segments": sum(1 for _ in doc.all_segments()),
        "seconds": round(seconds, 4),
        "chars_per_second": round(len(text) / seconds),
    }


# --------------------------------------------------------------------------------------------------------
# Stage "batch": many small reports, per-document vs cross-document batching, local and Ray engines

BATCH_REPORTS = 200
BATCH_SENTENCES_PER_REPORT = 2


def batch_reports(count: int, sentences_per_report: int = BATCH_SENTENCES_PER_REPORT) -> list[tuple[str, str]]:
    """``count`` small reports (name, text) built from the sample's sub-sections.

    Every sentence and title is made unique (a report number is added to it), so cross-document batching
    gets no help from deduplication: it can only win by keeping the model busy.
    """
    from .segment import segment

    doc = segment(SAMPLE.read_text(encoding="utf-8"))
    parts = [sub for top in doc.sections for sub in top.sections]
    reports = []
    for i in range(count):
        sec = parts[i % len(parts)]
        sentences = [s.zh for s in sec.all_segments()][:sentences_per_report]
        body = "".join(s[:-1] + f"（第{i}号）" + s[-1] if s[-1:] in "。；" else s + f"（第{i}号）" for s in sentences)
        title = sec.title.zh.rstrip("。") + f"（第{i}号）"
        reports.append((f"report-{i:03d}", f"各位代表:\n一、{title}\n{body}\n"))
    return reports


def _child_batch(task: dict[str, Any]) -> dict[str, Any]:
    """One batch run (local or Ray) over the report files of ``task["inputs"]``, timed without model loading."""

    from .config import config_from_dict
    from .runner import iter_inputs, load_components, run_batch
    from .translate import GenerationSettings

    config = config_from_dict(
        {
            "translator": {"model": task["model"], "num_beams": task["num_beams"], "threads": task["threads"],
                           "max_input_tokens": 256, "repetition_guard": False},
            "summarizer": {"kind": "extractive"},
            "cache": {"enabled": False},
            "batch_documents": task["batch_documents"],
            "ray": {"pool_size": task.get("pool_size", 2), "num_cpus_per_actor": 1, "batch_size": 64},
        }
    )
    settings = GenerationSettings(num_beams=task["num_beams"], fixed_length_ratio=LENGTH_RATIO)
    if task["engine"] == "ray":
        from . import ray_engine

        ray_engine.init_ray(config)
        components = load_components(config, use_cache=False)
        components.settings = settings  # the actors take the driver's settings
        translate_fn = ray_engine.make_ray_translate(config, components)
        warm = translate_fn(["各位代表。"])  # start the actor pool before timing
        assert warm
    else:
        components = load_components(config, use_cache=False)
        components.settings = settings
        translate_fn = None
    components.translator.translate_batch(["各位代表。"], settings)  # warm-up
    started = time.perf_counter()
    report = run_batch(iter_inputs([task["inputs"]]), components, Path(task["out"]), force=True,
                       per_document=task["per_document"], translate_fn=translate_fn)
    seconds = time.perf_counter() - started
    ok = sum(1 for r in report.results if r.ok)
    return {"documents": ok, "failed": len(report.failed), "seconds": round(seconds, 2),
            "documents_per_second": round(ok / seconds, 3), "sentences": report.translation.texts}


def _bench_batch(quick: bool, num_beams: int, threads: int, arch: str, isolate: bool = True) -> dict[str, Any]:
    import tempfile

    count = 12 if quick else BATCH_REPORTS
    model = str(_marian_path("tiny" if quick else arch))
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "reports"
        src.mkdir()
        for name, text in batch_reports(count):
            (src / f"{name}.txt").write_text(text, encoding="utf-8")
        base = {"kind": "batch", "model": model, "num_beams": num_beams, "threads": threads, "inputs": str(src)}
        runs = {
            "local_per_document": {"engine": "local", "per_document": True, "batch_documents": 1},
            "local_cross_document": {"engine": "local", "per_document": False, "batch_documents": 32},
        }
        if not quick and _has_ray():
            runs["ray_cross_document"] = {"engine": "ray", "per_document": False, "batch_documents": 32,
                                          "pool_size": max(1, threads), "threads": 1}
        for name, extra in runs.items():
            results[name] = _run_child({**base, **extra, "out": str(Path(tmp) / name)}, isolate)
        # Memory against batch size: the same cross-document run on the tiny model with more and more reports.
        growth = {}
        tiny = str(_marian_path("tiny"))
        for n in ((6, 12) if quick else (50, 200, 800)):
            sub = Path(tmp) / f"growth-{n}"
            sub.mkdir()
            for name, text in batch_reports(n):
                (sub / f"{name}.txt").write_text(text, encoding="utf-8")
            r = _run_child({**base, "model": tiny, "engine": "local", "per_document": False, "batch_documents": 32,
                            "threads": 1, "inputs": str(sub), "out": str(Path(tmp) / f"growth-out-{n}")}, isolate)
            growth[str(n)] = r["peak_rss_mb"]
    per_doc = results["local_per_document"]["documents_per_second"]
    out = {
        "reports": count,
        "sentences_per_report": BATCH_SENTENCES_PER_REPORT,
        "model": "tiny" if quick else arch,
        "num_beams": num_beams,
        "backends": results,
        "cross_over_per_document": round(results["local_cross_document"]["documents_per_second"] / per_doc, 2),
        "peak_rss_mb_by_report_count": growth,
        "note": "every sentence unique (no deduplication gain); fixed output length 1.3 x source tokens; "
        "extractive summaries; cache off",
    }
    if "ray_cross_document" in results:
        out["ray_over_per_document"] = round(results["ray_cross_document"]["documents_per_second"] / per_doc, 2)
    return out


def _has_ray() -> bool:
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True
