"""The whole pipeline, measured as a user waits for it: wall seconds per stage (read+segment, translate,
summarize, check, render+write; model loading apart) and peak RSS, for the sample report and for a batch
of 20 reports, in three variants, each in its own process:

- ``a_naive``: what a user would write: one ``generate`` per sentence, then one summarizer call per
  top-level section, truncated to the model's input limit;
- ``b_default``: ``configs/default.yaml`` (transformers backends);
- ``c_fast``: ``configs/fast.yaml`` (CTranslate2 for the translator and the summarizer).

Models have the production shapes (opus-mt-zh-en, distilbart-cnn-12-6; random weights) and realistic
lengths: translations are 1.3 x the source tokens (fixed through ``min_length_ratio = max_length_ratio``),
and the English handed to the summarizer is filler of a real translation's length (random weights write
token soup). Real models stop sentences earlier than the fixed lengths, so real runs are somewhat faster.

Run from the repository root: ``python -m benchmarks.pipeline [--quick] [--threads 0] [--batch 20]
[--device cpu] [--variants a_naive,b_default,c_fast] [--inputs sample,batch] [--out outputs/bench]`` (``--quick``: tiny models, for
CI, seconds).
"""

from __future__ import annotations

import argparse
import math
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import harness
from benchmarks.summarize import summarizer_settings

STAGES = ("read_segment", "translate", "summarize", "check", "render_write")
VARIANTS = {"b_default": "configs/default.yaml", "c_fast": "configs/fast.yaml"}
QUICK_SAMPLE_CHARS = 500
# Issue 27's targets (the sample, 2 threads): (c) <= 45 s on an AMX CPU, <= 60 s on the others.
TARGETS = {"c_seconds_max": 60.0, "c_seconds_max_amx": 45.0, "c_over_a_min": 10.0, "b_over_a_min": 2.0,
           "c_peak_rss_mb_max": 1200}


class WorkCounter:
    """Model work per stage, counted from what the stages hand to the models (source tokens in, output
    tokens out), for ``% of compute limit``: FLOPs of the production shapes, the same for every variant."""

    def __init__(self) -> None:
        self.flops: dict[str, float] = {}

    def add(self, stage: str, shape: Any, source_tokens: int, output_tokens: int, beams: int) -> None:
        self.flops[stage] = self.flops.get(stage, 0.0) + harness.seq2seq_flops(shape, source_tokens, output_tokens, beams)

    def count_summaries(self, generator: Any, shape: Any) -> None:
        """Count what ``generator.generate`` is given (wraps the instance's method; the bench's own object)."""
        inner = generator.generate

        def generate(texts, bounds, *, num_beams, **kwargs):
            source = sum(generator.count_tokens(t) for t in texts)
            self.add("summarize", shape, source, sum(hi for _, hi in bounds), num_beams)
            return inner(texts, bounds, num_beams=num_beams, **kwargs)

        generator.generate = generate


def write_inputs(folder: Path, reports: list[tuple[str, str]]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in reports:
        path = folder / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def load_glossary(config: Any) -> Any:
    from pipeline.fidelity import load_glossary as load

    glossary = None
    if config.fidelity.enabled:
        for g in config.fidelity.glossaries:
            loaded = load(config.resolve_path(g))
            glossary = loaded if glossary is None else glossary.merge(loaded)
    return glossary


def check_and_write(docs: list[Any], glossary: Any, out: Path, timer: harness.StageTimer) -> None:
    """The stages every variant shares: fidelity checks, then Markdown + JSON written."""
    from pipeline.fidelity import check_document
    from pipeline.render import render_json, render_markdown

    with timer("check"):
        for doc in docs:
            doc.qa = check_document(doc, glossary)
    with timer("render_write"):
        out.mkdir(parents=True, exist_ok=True)
        for doc in docs:
            stem = Path(doc.source or "report").stem
            (out / f"{stem}.md").write_text(render_markdown(doc), encoding="utf-8")
            (out / f"{stem}.json").write_text(render_json(doc), encoding="utf-8")


def bench_config(task: dict[str, Any]) -> Any:
    """The variant's shipped config, pointed at the benchmark's models, with fixed output lengths."""
    from pipeline.config import load_config

    t, sets = task["threads"], []
    for key, value in {
        "translator.model": task["marian"], "translator.threads": t, "translator.device": task["device"],
        "translator.repetition_guard": False, "translator.min_length_ratio": harness.LENGTH_RATIO,
        "translator.max_length_ratio": harness.LENGTH_RATIO, "translator.max_length_slack": 0,
        "summarizer.model": task["bart"], "summarizer.threads": t, "summarizer.device": task["device"],
        "cache.enabled": False, **{f"summarizer.{k}": v for k, v in task["summary_lengths"].items()},
        **task.get("ct2", {}),
    }.items():
        sets.append(f"{key}={str(value).lower() if isinstance(value, bool) else value}")
    return load_config(harness.ROOT / task["config"], [*sets, *task.get("overrides", [])])


def child_configured(task: dict[str, Any]) -> dict[str, Any]:
    """(b), (c): the library's stages in the runner's order, driven by a shipped config."""
    from pipeline.segment import segment
    from pipeline.summarize import SummaryPolicy, build_summarizer, summarize_documents
    from pipeline.translate import (
        GenerationSettings,
        TranslationService,
        apply_translations,
        build_translator,
        texts_to_translate,
    )
    from pipeline.translate.generation import quiet_transformers

    quiet_transformers()
    timer = harness.StageTimer()
    config = bench_config(task)
    with timer("load"):
        glossary = load_glossary(config)
        translator = build_translator(config, glossary)
        settings = GenerationSettings.from_config(config.translator)
        service = TranslationService(translator, settings, guard=config.translator.repetition_guard)
        summarizer, summarizer_info = build_summarizer(config, service.translate_list)
    work = WorkCounter()
    work.count_summaries(summarizer.generator, harness.DISTILBART_CNN_12_6_SHAPE)
    translator.translate_batch(["各位代表。"], settings)  # warm-up, outside the stages
    docs = []
    stats = {"model_calls": 0}
    size = config.batch_documents
    for start in range(0, len(task["inputs"]), size):
        group = []
        for path in task["inputs"][start : start + size]:
            with timer("read_segment"):
                text = Path(path).read_text(encoding="utf-8")
                group.append(segment(text, source=Path(path).name, max_tokens=translator.max_input_tokens,
                                     count_tokens=translator.count_tokens))
        texts = [t for doc in group for t in texts_to_translate(doc, translator)]
        sources = [translator.count_tokens(t) for t in dict.fromkeys(texts)]  # unique: what is decoded
        work.add("translate", harness.OPUS_MT_ZH_EN_SHAPE, sum(sources),
                 sum(settings.length_bounds(n)[1] for n in sources), settings.num_beams)
        with timer("translate"):
            done = service.translate(texts)
            for doc in group:
                apply_translations(doc, translator, done)
        harness.fill_english(group)  # not timed: stands in for what a real model would have written
        with timer("summarize"):
            summarize_documents(group, summarizer, SummaryPolicy.from_config(config.summarizer))
        docs.extend(group)
    stats["model_calls"] = summarizer.stats.model_calls
    stats["map_reduce_chunks"] = summarizer.stats.chunks
    stats["selected_inputs"] = summarizer.stats.selected
    check_and_write(docs, glossary, Path(task["out"]), timer)
    path = {"translator": translator.signature(), "summarizer": summarizer_info}
    formats = {"translate": number_format(translator, config.translator),
               "summarize": number_format(summarizer.generator, config.summarizer)}
    return {"stages": timer.rounded(), "stage_peak_rss_mb": timer.peaks, "documents": len(docs), "summarizer": stats,
            "flops": work.flops, "formats": formats, "path": path}


def number_format(model: Any, section: Any) -> str:
    """What a translator or generator computes in: its dtype (transformers) or the compute type."""
    return section.ct2_compute_type if model.backend == "ctranslate2" else getattr(model, "dtype", "float32")


def child_naive(task: dict[str, Any]) -> dict[str, Any]:
    """(a) A user's loop: ``generate`` per sentence and per top-level section (truncated)."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from pipeline.document import Summary, SummarySentence
    from pipeline.segment import segment
    from pipeline.summarize import split_english_sentences
    from pipeline.translate.generation import quiet_transformers, set_torch_threads

    quiet_transformers()
    set_torch_threads(task["threads"])
    timer = harness.StageTimer()
    device = "cuda" if task["device"] == "cuda" else "cpu"
    with timer("load"):
        mt_tok = AutoTokenizer.from_pretrained(task["marian"])
        mt = AutoModelForSeq2SeqLM.from_pretrained(task["marian"]).to(device).eval()
        sum_tok = AutoTokenizer.from_pretrained(task["bart"])
        summ = AutoModelForSeq2SeqLM.from_pretrained(task["bart"]).to(device).eval()
        glossary = load_glossary(bench_config({**task, "config": "configs/default.yaml"}))
    new_tokens = task["summary_lengths"]["max_new_tokens"]

    def translate(zh: str) -> str:
        enc = mt_tok([zh], return_tensors="pt").to(device)
        n = max(1, math.ceil(harness.LENGTH_RATIO * enc["input_ids"].shape[1]))
        out = mt.generate(**enc, num_beams=4, min_new_tokens=n, max_new_tokens=n)
        return mt_tok.decode(out[0], skip_special_tokens=True)

    work = WorkCounter()

    def counted(zh: str) -> str:
        n = len(mt_tok(zh)["input_ids"])
        work.add("translate", harness.OPUS_MT_ZH_EN_SHAPE, n, max(1, math.ceil(harness.LENGTH_RATIO * n)), 4)
        return translate(zh)

    translate("各位代表。")  # warm-up
    docs = []
    count = lambda s: len(mt_tok(s)["input_ids"])  # noqa: E731
    for path in task["inputs"]:
        with timer("read_segment"):
            doc = segment(Path(path).read_text(encoding="utf-8"), source=Path(path).name, max_tokens=256,
                          count_tokens=count)
        with timer("translate"):
            doc.title.en = counted(doc.title.zh) if doc.title.zh else ""
            for sec in doc.walk_sections():
                sec.title.en = counted(sec.title.zh) if sec.title.zh else ""
            for seg in doc.all_segments():
                seg.en = " ".join(counted(p) for p in (seg.pieces or [seg.zh]))
        harness.fill_english([doc])
        with timer("summarize"):
            for sec in doc.sections:
                text = " ".join(s.en or "" for s in sec.all_segments())
                enc = sum_tok(text, truncation=True, max_length=1024, return_tensors="pt").to(device)
                work.add("summarize", harness.DISTILBART_CNN_12_6_SHAPE, enc["input_ids"].shape[1], new_tokens,
                         task["summary_lengths"]["num_beams"])
                with torch.inference_mode():
                    out = summ.generate(**enc, num_beams=task["summary_lengths"]["num_beams"],
                                        min_new_tokens=new_tokens - 1, max_new_tokens=new_tokens,
                                        no_repeat_ngram_size=3)
                english = sum_tok.decode(out[0], skip_special_tokens=True)
                sec.summary = Summary([SummarySentence(s, []) for s in split_english_sentences(english)], "naive")
        docs.append(doc)
    check_and_write(docs, glossary, Path(task["out"]), timer)
    return {"stages": timer.rounded(), "stage_peak_rss_mb": timer.peaks, "documents": len(docs), "flops": work.flops,
            "formats": {"translate": "float32", "summarize": "float32"}, "path": {"translator": "transformers float32, one generate per sentence",
                     "summarizer": "transformers float32, one generate per section (truncated)"}}


def _row(result: dict[str, Any], limits: dict[str, Any] | None = None) -> dict[str, Any]:
    stages = result["stages"]
    row = {s: stages.get(s, 0.0) for s in STAGES}
    row["total_seconds"] = round(sum(row.values()), 3)
    row["load_seconds"] = stages.get("load", 0.0)
    row["peak_rss_mb"] = result["peak_rss_mb"]
    peaks = result.get("stage_peak_rss_mb") or {}
    if peaks:
        row["stage_peak_rss_mb"] = peaks
        row["peak_stage"] = max(peaks, key=peaks.get)
    row["documents"] = result["documents"]
    for stage, flops in (result.get("flops") or {}).items():
        seconds = stages.get(stage, 0.0)
        if seconds > 0:
            row[f"{stage}_gflop_per_second"] = round(flops / seconds / 1e9, 1)
            fmt = (result.get("formats") or {}).get(stage, "float32")
            limit = harness.limit_for(fmt, limits or {})
            if limit:
                row[f"{stage}_percent_of_compute_limit"] = round(100 * flops / seconds / 1e9 / limit, 1)
                row[f"{stage}_number_format"] = fmt
    if "summarizer" in result:
        row["summarizer_model_calls"] = result["summarizer"]["model_calls"]
        row["map_reduce_chunks"] = result["summarizer"]["map_reduce_chunks"]
        row["selected_inputs"] = result["summarizer"]["selected_inputs"]
    if "path" in result:
        row["path"] = result["path"]
    return row


def variant_tasks(base: dict[str, Any], marian: Path, bart: Path, variants: tuple[str, ...]
                  ) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """One child task per variant (CTranslate2 conversions made as the shipped config asks), and the
    variants skipped with the reason."""
    from pipeline.config import load_config

    tasks: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    if "a_naive" in variants:
        tasks["a_naive"] = {**base, "function": "child_naive"}
    for name, config_file in VARIANTS.items():
        if name not in variants:
            continue
        shipped = load_config(harness.ROOT / config_file)
        task = {**base, "function": "child_configured", "config": config_file, "ct2": {}}
        for section, model in (("translator", marian), ("summarizer", bart)):
            backend = getattr(shipped, section).backend
            if backend == "auto":  # fast.yaml: the path the table gives this CPU
                from pipeline.translate.fastest import section_path

                backend = section_path(shipped, section).backend
            if backend == "ctranslate2":
                if not harness.has_module("ctranslate2"):
                    skipped[name] = "needs ctranslate2 (pip install -e '.[fast]')"
                    break
                ct = getattr(shipped, section).ct2_compute_type
                task["ct2"][f"{section}.ct2_model"] = str(harness.ct2_model(model, ct))
        if name not in skipped:
            tasks[name] = task
    return tasks, skipped


def bench_inputs(quick: bool, batch: int, which: tuple[str, ...] = ("sample", "batch")
                 ) -> dict[str, list[tuple[str, str]]]:
    sample = harness.sample_text()
    if quick:  # CI: the front matter and the first sentences only, and a batch of three short reports
        sample = sample[: sample.index("。", QUICK_SAMPLE_CHARS) + 1]
        batch = min(batch, 3)
    inputs = {}
    if "sample" in which:
        inputs["sample"] = [(harness.SAMPLE.stem, sample)]
    if "batch" in which:
        inputs[f"batch{batch}"] = harness.batch_reports(batch, 2 if quick else None)
    return inputs


def speedups(measured: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Speed-ups over (a) per input, and the issue's targets checked on the sample."""
    sample = measured.get("sample", {})
    if "a_naive" not in sample:
        return {}
    a = sample["a_naive"]["total_seconds"]
    out: dict[str, Any] = {"speedup_over_a": {
        inp: {n: round(rows["a_naive"]["total_seconds"] / r["total_seconds"], 2) for n, r in rows.items()}
        for inp, rows in measured.items() if "a_naive" in rows
    }}
    if "c_fast" in sample and "b_default" in sample:
        from pipeline.translate.fastest import cpu_flags

        c = sample["c_fast"]
        c_max = TARGETS["c_seconds_max_amx" if "amx_bf16" in cpu_flags() else "c_seconds_max"]
        out["targets"] = TARGETS
        out["checks"] = {
            "c_seconds": c["total_seconds"] <= c_max,
            "c_over_a": a / c["total_seconds"] >= TARGETS["c_over_a_min"],
            "b_over_a": a / sample["b_default"]["total_seconds"] >= TARGETS["b_over_a_min"],
            "c_peak_rss": c["peak_rss_mb"] <= TARGETS["c_peak_rss_mb_max"],
        }
    return out


def run(out_dir: Path, *, quick: bool = False, threads: int = 0, batch: int = 20, device: str = "cpu",
        isolate: bool = True, variants: tuple[str, ...] = ("a_naive", "b_default", "c_fast"),
        inputs: tuple[str, ...] = ("sample", "batch"), overrides: tuple[str, ...] = ()) -> dict[str, Any]:
    """Measure, write ``out_dir/pipeline.json`` and return its content."""
    threads = harness.threads_or_all(threads)
    marian = harness.marian_model("tiny" if quick else "opus")
    bart = harness.bart_model("tiny" if quick else "bart")
    base = {"module": "pipeline", "marian": str(marian), "bart": str(bart), "threads": threads, "device": device,
            "summary_lengths": summarizer_settings(harness.SUMMARY_BEAMS), "overrides": list(overrides)}
    tasks, skipped = variant_tasks(base, marian, bart, variants)
    peaks = harness.matmul_peak_gflops(threads, seconds=0.2 if quick else 1.0)
    limits = harness.compute_limits(threads)
    measured: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for input_name, reports in bench_inputs(quick, batch, inputs).items():
            paths = [str(p) for p in write_inputs(Path(tmp) / input_name, reports)]
            measured[input_name] = {}
            for name, task in tasks.items():
                out = Path(tmp) / "out" / input_name / name
                row = harness.run_child({**task, "inputs": paths, "out": str(out)}, isolate)
                measured[input_name][name] = _row(row, limits)
    result: dict[str, Any] = {
        "stage": "pipeline", "quick": quick, "machine": harness.machine_facts(threads), "device": device,
        "models": "tiny" if quick else "opus-mt-zh-en + distilbart-cnn-12-6 shapes (random weights)",
        "translator_tokenizer": harness.marian_tokenizer_kind(marian),
        "compute_limit": {**limits, "matmul_measured_gflop_per_second": peaks,
                          "note": "percent_of_compute_limit: the production shapes' FLOPs (the same work for "
                                  "every variant) per second over the CPU's peak in the stage's number format "
                                  "(cores x clock x FLOPs per cycle: harness.compute_limits); the measured "
                                  "256x512x2048 PyTorch products for comparison"},
        "peak_rss_note": "each child's own VmHWM (ru_maxrss would include the parent's peak: vfork)",
        "stages": list(STAGES),
        "lengths": f"translations ceil({harness.LENGTH_RATIO} x source tokens); summaries "
                   f"{harness.SUMMARY_NEW_TOKENS - 1}-{harness.SUMMARY_NEW_TOKENS} new tokens per input; English "
                   f"for the summarizer: filler, {harness.EN_WORDS_PER_ZH_CHAR} words per Chinese character",
        "caveat": "real models stop sentences earlier than these fixed lengths",
        "inputs": measured,
        "variants": measured.get("sample") or next(iter(measured.values()), {}),
        **speedups(measured),
    }
    if skipped:
        result["skipped"] = skipped
    if overrides:
        result["overrides"] = list(overrides)
    return harness.write_result(out_dir, "pipeline", result)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny models (CI smoke test, seconds)")
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores")
    parser.add_argument("--batch", type=int, default=20, help="reports in the batch input")
    parser.add_argument("--device", choices=("cpu", "cuda", "auto"), default="cpu")
    parser.add_argument("--variants", default="a_naive,b_default,c_fast", help="comma-separated subset")
    parser.add_argument("--inputs", default="sample,batch", help="sample, batch or both (comma-separated)")
    parser.add_argument("--out", default="outputs/bench")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a config override for (b) and (c), as `run --set` (probes: batch budgets, threads)")
    args = parser.parse_args(argv)
    variants = tuple(v for v in args.variants.split(",") if v)
    unknown = set(variants) - {"a_naive", *VARIANTS}
    if unknown:
        parser.error(f"unknown variants: {', '.join(sorted(unknown))}")
    run(Path(args.out), quick=args.quick, threads=args.threads, batch=args.batch, device=args.device,
        variants=variants, inputs=tuple(i for i in args.inputs.split(",") if i), overrides=tuple(args.set))


if __name__ == "__main__":
    main()
