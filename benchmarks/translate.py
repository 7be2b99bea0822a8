"""Translation speed and peak memory: (a) a naive one-sentence-at-a-time ``generate`` loop, (b) this
project's transformers translator in float32 and bfloat16 (``translator.dtype``), (c) CTranslate2 in one or
more compute types and thread splits, on Helsinki-NLP/opus-mt-zh-en (its real tokenizer and config when
../shared/data has them; random weights), the sample's sentences.

Run from the repository root: ``python -m benchmarks.translate [--quick] [--beams 4] [--threads 0]
[--sentences N] [--compute-types int8_float32,int8_bfloat16,bfloat16] [--no-bf16] [--out outputs/bench]``.
Output lengths are fixed (1.3 x source tokens) through the ordinary settings (``min_length_ratio =
max_length_ratio``), so every backend writes exactly the same tokens per row. What a batch computes beyond
that is reported: ``batch_positions`` (rows x beams x the batch's longest row, the same plan for every
batched backend: transformers keeps finished rows in the batch) and CTranslate2's ``tokens_past_row_end``
(it takes one minimum length per call, so shorter rows of a batch are decoded to the longest and cut).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks import harness

BATCH_TOKENS = 2048  # the translator's own default: the benchmark measures what `run` does
QUICK_SENTENCES = 12


def fixed_settings(num_beams: int) -> Any:
    from pipeline.translate import GenerationSettings

    return GenerationSettings(num_beams=num_beams, min_length_ratio=harness.LENGTH_RATIO,
                              max_length_ratio=harness.LENGTH_RATIO, max_length_slack=0)


def child_naive(task: dict[str, Any]) -> dict[str, Any]:
    """(a) What a user would write: one sentence at a time, straight into ``generate``."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from pipeline.translate.generation import quiet_transformers, set_torch_threads

    quiet_transformers()
    set_torch_threads(task["threads"])
    tok = AutoTokenizer.from_pretrained(task["model"])
    model = AutoModelForSeq2SeqLM.from_pretrained(task["model"]).eval()
    settings = fixed_settings(task["num_beams"])
    specials = set(tok.all_special_ids)

    def translate(s: str) -> tuple[list[int], int]:
        enc = tok([s], return_tensors="pt")
        n, _ = settings.length_bounds(enc["input_ids"].shape[1])
        out = model.generate(**enc, num_beams=task["num_beams"], min_new_tokens=n, max_new_tokens=n)
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


def child_translator(task: dict[str, Any]) -> dict[str, Any]:
    """(b) and (c): this project's translators, all sentences in one ``translate_batch`` call."""
    import contextlib

    from pipeline.translate.ct2 import CTranslate2Translator
    from pipeline.translate.generation import quiet_transformers
    from pipeline.translate.hf import TransformersTranslator

    quiet_transformers()
    if task["kind"] == "transformers":
        translator: Any = TransformersTranslator(
            task["model"], max_input_tokens=512, batch_tokens=task["batch_tokens"], threads=task["threads"],
            dtype=task.get("dtype", "float32"), parallel_batches=task.get("inter", 1),
        )
    else:
        translator = CTranslate2Translator(
            task["ct2_model"], task["model"], compute_type=task["compute_type"], max_input_tokens=512,
            batch_tokens=task["batch_tokens"], threads=task["threads"], parallel_batches=task.get("inter", 1),
        )
    settings = replace(fixed_settings(task["num_beams"]), output_vocab=task.get("output_vocab", "full"))
    context: Any = contextlib.nullcontext()
    if task.get("autocast"):
        import torch

        context = torch.autocast("cpu", dtype=torch.bfloat16)
    with context:
        translator.translate_batch([task["warmup"]], settings)
        past = getattr(translator, "tokens_past_row_end", 0)
        started = time.perf_counter()
        out = translator.translate_batch(task["sentences"], settings)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "token_ids": [t.token_ids for t in out],
            "tokens_past_row_end": getattr(translator, "tokens_past_row_end", 0) - past}


def batch_positions(source_tokens: list[int], settings: Any, batch_tokens: int) -> int:
    """Decoder positions a batched backend computes: per batch of the translator's plan, rows x beams x the
    longest row (a finished row stays in its batch until the batch ends)."""
    from pipeline.translate.base import plan_batches

    his = [settings.length_bounds(n)[1] for n in source_tokens]
    return sum(len(b) * settings.num_beams * max(his[i] for i in b)
               for b in plan_batches(source_tokens, batch_tokens, settings.num_beams))


def run(out_dir: Path, *, quick: bool = False, num_beams: int = 4, threads: int = 0, arch: str = "opus",
        batch_tokens: int = BATCH_TOKENS, compute_types: tuple[str, ...] = (), bf16: bool = True,
        sentences_max: int | None = None, isolate: bool = True) -> dict[str, Any]:
    """Measure, write ``out_dir/translate.json`` and return its content."""
    from transformers import AutoTokenizer

    threads = harness.threads_or_all(threads)
    model = harness.marian_model(arch)
    tok = AutoTokenizer.from_pretrained(str(model))
    count = lambda s: len(tok(s, add_special_tokens=True)["input_ids"])  # noqa: E731
    sentences = harness.bench_sentences(count)[: QUICK_SENTENCES if quick else sentences_max]
    source_tokens = [count(s) for s in sentences]
    settings = fixed_settings(num_beams)
    output_tokens = sum(settings.length_bounds(n)[0] for n in source_tokens)
    shape = harness.OPUS_MT_ZH_EN_SHAPE if arch == "opus" else None
    flops = harness.seq2seq_flops(shape, sum(source_tokens), output_tokens, num_beams) if shape else None
    peaks = harness.matmul_peak_gflops(threads, seconds=0.2 if quick else 1.0)
    limits = harness.compute_limits(threads)
    base = {"module": "translate", "model": str(model), "num_beams": num_beams, "threads": threads,
            "sentences": sentences, "warmup": "各位代表。", "batch_tokens": batch_tokens}
    from pipeline.config import TranslatorConfig

    workers = min(TranslatorConfig().parallel_batches, threads)  # what `run` does (never more than threads)
    hf = {**base, "function": "child_translator", "kind": "transformers", "inter": workers}
    runs: dict[str, dict[str, Any]] = {
        "a_naive_generate": harness.run_child({**base, "function": "child_naive"}, isolate),
        "b_transformers_translator": harness.run_child(hf, isolate),
    }
    if workers > 1:  # thread scaling: one batch at a time on all threads (parallel_batches: 1)
        runs["b_transformers_one_batch_at_a_time"] = harness.run_child({**hf, "inter": 1}, isolate)
    if bf16:
        runs["b_transformers_bfloat16"] = harness.run_child({**hf, "dtype": "bfloat16"}, isolate)
    unsupported: dict[str, str] = {}
    if harness.has_module("ctranslate2"):
        for ct in dict.fromkeys(("int8", *compute_types)):
            try:
                ct2 = harness.ct2_model(model, ct)
                runs[f"c_ctranslate2_{ct}"] = harness.run_child(
                    {**base, "function": "child_translator", "kind": "ctranslate2", "ct2_model": str(ct2),
                     "compute_type": ct}, isolate)
            except Exception as err:  # e.g. a compute type this CPU lacks; the rest still counts
                unsupported[ct] = str(err)[:300]
        if "c_ctranslate2_int8" in runs:  # fast.yaml's output_vocab: target (the output layer's share)
            int8 = {**base, "function": "child_translator", "kind": "ctranslate2", "compute_type": "int8",
                    "ct2_model": str(harness.ct2_model(model, "int8"))}
            runs["c_ctranslate2_int8_target_vocab"] = harness.run_child({**int8, "output_vocab": "target"}, isolate)
            if threads > 1:  # thread scaling: one thread; and `threads` workers of one thread each
                runs["c_ctranslate2_int8_1_thread"] = harness.run_child({**int8, "threads": 1}, isolate)
                runs[f"c_ctranslate2_int8_inter{threads}_intra1"] = harness.run_child({**int8, "inter": threads}, isolate)
    ids = {name: r.pop("token_ids") for name, r in runs.items()}
    positions = batch_positions(source_tokens, settings, batch_tokens)
    backends = {}
    for name, r in runs.items():
        row = backends[name] = {
            "seconds": round(r["seconds"], 3), "output_tokens": output_tokens,
            "tokens_per_second": round(output_tokens / r["seconds"], 2), "peak_rss_mb": r["peak_rss_mb"],
            "batch_positions": output_tokens * num_beams if name == "a_naive_generate" else positions,
            "tokens_past_row_end": r.get("tokens_past_row_end", 0),
        }
        fmt = "bfloat16" if name.endswith("bfloat16") else name.split("c_ctranslate2_")[-1].split("_")[0] \
            if name.startswith("c_") else "float32"
        limit = harness.limit_for(fmt, limits)
        if flops:
            row["gflop_per_second"] = round(flops / r["seconds"] / 1e9, 1)
            if limit:
                row["percent_of_compute_limit"] = round(100 * flops / r["seconds"] / 1e9 / limit, 1)
        if name != "a_naive_generate":
            same, share = harness.agreement(ids["a_naive_generate"], ids[name])
            row.update(identical_sentences=same, same_token_share=share)
    tps = {name: b["tokens_per_second"] for name, b in backends.items()}
    result = {
        "stage": "translate", "quick": quick, "machine": harness.machine_facts(threads),
        "arch": "Helsinki-NLP/opus-mt-zh-en (random weights)" if arch == "opus" else "tiny",
        "tokenizer": harness.marian_tokenizer_kind(model),
        "num_beams": num_beams, "batch_tokens": batch_tokens, "sentences": len(sentences),
        "source_tokens": sum(source_tokens), "output_tokens": output_tokens,
        "length": f"fixed: ceil({harness.LENGTH_RATIO} x source tokens) new tokens per sentence "
                  "(min_length_ratio = max_length_ratio, slack 0): the same tokens per row for every backend",
        "work": {"gflop": round(flops / 1e9, 1) if flops else None, "compute_limit": limits,
                 "matmul_measured_gflop_per_second": peaks,
                 "note": "percent_of_compute_limit: the production shape's FLOPs per second over the CPU's peak "
                         "in the row's number format (harness.compute_limits)"},
        "agreement_note": "identical_sentences / same_token_share: against (a), the float32 reference; "
                          "the target_vocab row differs by design (random weights write Chinese pieces too)",
        "backends": backends,
        "speedup_over_a": {name: round(t / tps["a_naive_generate"], 2) for name, t in tps.items()},
        "identical_a_b": backends["b_transformers_translator"]["identical_sentences"] == len(sentences),
    }
    if unsupported:
        result["compute_types_unsupported"] = unsupported
    return harness.write_result(out_dir, "translate", result)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"the first {QUICK_SENTENCES} sentences, tiny model")
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores")
    parser.add_argument("--out", default="outputs/bench")
    parser.add_argument("--batch-tokens", type=int, default=BATCH_TOKENS)
    parser.add_argument("--compute-types", default="", help="more CTranslate2 compute types, comma-separated")
    parser.add_argument("--bf16", action="store_true", help="(kept for old command lines: bfloat16 is measured "
                        "by default)")
    parser.add_argument("--no-bf16", action="store_true", help="skip the transformers bfloat16 row")
    parser.add_argument("--sentences", type=int, default=None, help="the first N sentences of the sample")
    args = parser.parse_args(argv)
    run(Path(args.out), quick=args.quick, num_beams=args.beams, threads=args.threads,
        arch="tiny" if args.quick else "opus", batch_tokens=args.batch_tokens,
        compute_types=tuple(c for c in args.compute_types.split(",") if c), bf16=not args.no_bf16,
        sentences_max=args.sentences)


if __name__ == "__main__":
    main()
