"""Many small reports: per-document vs cross-document batching on the local engine (and Ray when it is
installed), and peak memory as the batch grows. Every sentence is unique (no deduplication gain); fixed
output length 1.3 x source tokens; extractive summaries; cache off.

Run from the repository root: ``python -m benchmarks.batch [--quick] [--beams 4] [--threads 0]
[--out outputs/bench]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import harness

BATCH_REPORTS = 200
SENTENCES_PER_REPORT = 2


def child_batch(task: dict[str, Any]) -> dict[str, Any]:
    """One batch run (local or Ray) over the report files of ``task["inputs"]``, timed without model loading."""
    from pipeline.batch import iter_inputs, load_components, run_batch
    from pipeline.config import config_from_dict
    from pipeline.translate.generation import quiet_transformers

    quiet_transformers()
    config = config_from_dict({
        "translator": {"model": task["model"], "num_beams": task["num_beams"], "threads": task["threads"],
                       "max_input_tokens": 256, "repetition_guard": False, "min_length_ratio": harness.LENGTH_RATIO,
                       "max_length_ratio": harness.LENGTH_RATIO, "max_length_slack": 0},
        "summarizer": {"kind": "extractive"},
        "cache": {"enabled": False},
        "batch_documents": task["batch_documents"],
        "ray": {"pool_size": task.get("pool_size", 2), "num_cpus_per_actor": 1, "batch_size": 64},
    })
    components = load_components(config, Path(task["out"]), use_cache=False)
    runner = run_batch
    if task["engine"] == "ray":  # the whole Ray engine: read tasks, actor pools, document tasks
        from pipeline.batch import ray_engine

        ray_engine.init_ray(config)
        runner = ray_engine.run_batch_ray
    components.translator.translate_batch(["各位代表。"], components.settings)  # warm-up
    started, cpu = time.perf_counter(), time.process_time()
    report = runner(iter_inputs([task["inputs"]]), components, Path(task["out"]), force=True,
                    per_document=task["per_document"])
    seconds = time.perf_counter() - started
    ok = sum(1 for r in report.results if r.ok)
    # where the CPU went: the Ray engine's own split (driver against read tasks, translator actors,
    # summarizer actors, document tasks); the local engine does everything in the driver
    engine = report.engine or {"engine": "local", "driver_cpu_seconds": round(time.process_time() - cpu, 3),
                               "driver_cpu_share": 1.0}
    return {"documents": ok, "failed": len(report.failed), "seconds": round(seconds, 2),
            "documents_per_second": round(ok / seconds, 3), "sentences": report.translation.texts,
            "driver_cpu_share": engine.get("driver_cpu_share"), "cpu": engine}


def write_reports(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True)
    for name, text in harness.batch_reports(count, SENTENCES_PER_REPORT):
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def run(out_dir: Path, *, quick: bool = False, num_beams: int = 4, threads: int = 0, isolate: bool = True,
        ) -> dict[str, Any]:
    threads = harness.threads_or_all(threads)
    count = 12 if quick else BATCH_REPORTS
    model = str(harness.marian_model("tiny" if quick else "opus"))
    tiny = str(harness.marian_model("tiny"))
    results: dict[str, Any] = {}
    growth = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = write_reports(Path(tmp) / "reports", count)
        base = {"module": "batch", "function": "child_batch", "model": model, "num_beams": num_beams,
                "threads": threads, "inputs": str(src)}
        runs = {
            "local_per_document": {"engine": "local", "per_document": True, "batch_documents": 1},
            "local_cross_document": {"engine": "local", "per_document": False, "batch_documents": 32},
        }
        if not quick and harness.has_module("ray"):
            runs["ray_cross_document"] = {"engine": "ray", "per_document": False, "batch_documents": 32,
                                          "pool_size": max(1, threads), "threads": 1}
        for name, extra in runs.items():
            results[name] = harness.run_child({**base, **extra, "out": str(Path(tmp) / name)}, isolate)
        # Memory against batch size: the same cross-document run on the tiny model with more and more reports.
        for n in ((6, 12) if quick else (50, 200, 800)):
            sub = write_reports(Path(tmp) / f"growth-{n}", n)
            r = harness.run_child({**base, "model": tiny, "engine": "local", "per_document": False,
                                   "batch_documents": 32, "threads": 1, "inputs": str(sub),
                                   "out": str(Path(tmp) / f"growth-out-{n}")}, isolate)
            growth[str(n)] = r["peak_rss_mb"]
    per_doc = results["local_per_document"]["documents_per_second"]
    result = {
        "stage": "batch", "quick": quick, "machine": harness.machine_facts(threads),
        "reports": count, "sentences_per_report": SENTENCES_PER_REPORT, "model": "tiny" if quick else "opus",
        "num_beams": num_beams, "backends": results,
        "speedup_over_per_document": {k: round(r["documents_per_second"] / per_doc, 2) for k, r in results.items()},
        "peak_rss_mb_by_report_count": growth,
        "note": "every sentence unique (no deduplication gain); fixed output length 1.3 x source tokens; "
                "extractive summaries; cache off",
    }
    return harness.write_result(out_dir, "batch", result)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="12 reports on the tiny model")
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores")
    parser.add_argument("--out", default="outputs/bench")
    args = parser.parse_args(argv)
    run(Path(args.out), quick=args.quick, num_beams=args.beams, threads=args.threads)


if __name__ == "__main__":
    main()
