"""Summarization time and peak memory on the sample (English of realistic length): the abstractive
summarizer on a model shaped like sshleifer/distilbart-cnn-12-6 (random weights) with the transformers
backend and with CTranslate2 (one or more compute types), and the extractive ranker.

Run from the repository root: ``python -m benchmarks.summarize [--quick] [--beams 2] [--threads 0]
[--compute-types int8,int8_float32,int8_bfloat16] [--out outputs/bench]``. Summary lengths are fixed
(about 60 new tokens per input) through the ordinary settings (``min_new_tokens``/``max_new_tokens``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from benchmarks import harness


def summarizer_settings(num_beams: int, new_tokens: int = harness.SUMMARY_NEW_TOKENS) -> dict[str, Any]:
    """``summarizer`` config keys that fix the summary length at about ``new_tokens`` tokens."""
    return {"num_beams": num_beams, "min_new_tokens": new_tokens - 1, "max_new_tokens": new_tokens,
            "min_length_ratio": 0.0, "max_length_ratio": 2.0}


def child_summarize(task: dict[str, Any]) -> dict[str, Any]:
    from pipeline.config import config_from_dict
    from pipeline.document import Document
    from pipeline.summarize import SummaryPolicy, build_summarizer, summarize_document
    from pipeline.translate.generation import quiet_transformers

    quiet_transformers()
    config = config_from_dict({"summarizer": task["summarizer"]})
    summarizer, _ = build_summarizer(config, None)
    doc = Document.from_dict(task["doc"])
    if summarizer.kind == "extractive":
        summarizer.rank(doc.preamble[:2])  # loads jieba's dictionary outside the timing
    started = time.perf_counter()
    summarize_document(doc, summarizer, SummaryPolicy(depth=1, min_chars=120))
    seconds = time.perf_counter() - started
    stats = summarizer.stats
    return {"seconds": round(seconds, 3), "requests": stats.requests, "model_calls": stats.model_calls,
            "map_reduce": stats.map_reduce, "chunks": stats.chunks, "reduces": stats.reduces,
            "summary_sentences": len(doc.summary.sentences) if doc.summary else 0}


def run(out_dir: Path, *, quick: bool = False, num_beams: int = harness.SUMMARY_BEAMS, threads: int = 0,
        compute_types: tuple[str, ...] = ("int8",), isolate: bool = True) -> dict[str, Any]:
    """Measure, write ``out_dir/summarize.json`` and return its content."""
    threads = harness.threads_or_all(threads)
    model = harness.bart_model("tiny" if quick else "bart")
    doc = harness.bench_document()
    base = {"module": "summarize", "function": "child_summarize", "doc": doc.to_dict()}
    abstractive = {"kind": "abstractive", "model": str(model), "threads": threads, **summarizer_settings(num_beams)}
    results = {"abstractive_transformers": harness.run_child({**base, "summarizer": abstractive}, isolate)}
    unsupported = {}
    if harness.has_module("ctranslate2"):
        for ct in dict.fromkeys(compute_types):
            try:
                ct2 = harness.ct2_model(model, ct)
                results[f"abstractive_ctranslate2_{ct}"] = harness.run_child(
                    {**base, "summarizer": {**abstractive, "backend": "ctranslate2", "ct2_model": str(ct2),
                                            "ct2_compute_type": ct}}, isolate)
            except Exception as err:  # a compute type this CPU lacks; the rest still counts
                unsupported[ct] = str(err)[:300]
    results["extractive"] = harness.run_child({**base, "summarizer": {"kind": "extractive"}}, isolate)
    segments = list(doc.all_segments())
    result = {
        "stage": "summarize", "quick": quick, "machine": harness.machine_facts(threads),
        "arch": "tiny" if quick else "sshleifer/distilbart-cnn-12-6 (random weights)",
        "num_beams": num_beams, "new_tokens": harness.SUMMARY_NEW_TOKENS,
        "policy": {"depth": 1, "min_chars": 120},
        "segments": len(segments), "zh_chars": sum(len(s.zh) for s in segments),
        "en_words": sum(len((s.en or "").split()) for s in segments),
        "input_note": "every segment's English is filler from pipeline/data/tiny-corpus-en.txt (deterministic), "
                      f"{harness.EN_WORDS_PER_ZH_CHAR} words per Chinese character",
        "summarizers": results,
    }
    if unsupported:
        result["compute_types_unsupported"] = unsupported
    return harness.write_result(out_dir, "summarize", result)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the tiny models (smoke test)")
    parser.add_argument("--beams", type=int, default=harness.SUMMARY_BEAMS)
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores")
    parser.add_argument("--compute-types", default="int8", help="CTranslate2 compute types, comma-separated")
    parser.add_argument("--out", default="outputs/bench")
    args = parser.parse_args(argv)
    run(Path(args.out), quick=args.quick, num_beams=args.beams, threads=args.threads,
        compute_types=tuple(c for c in args.compute_types.split(",") if c))


if __name__ == "__main__":
    main()
