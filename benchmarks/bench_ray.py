"""The Ray engine against the local engine on the same batch: wall time, and where the CPU goes (the
driver against the read tasks, actors and document tasks, per kind of work), per-node counters, per-actor
throughput.

Run from the repository root: ``python -m benchmarks.bench_ray [--quick] [--reports 40] [--arch tiny|bench]
[--address HOST:PORT] [--pool 2] [--summarizer-pool 2] [--out outputs/bench]``; writes ``<out>/ray.json``
and prints it.

``--quick``: 6 reports on the tiny models (a smoke test, about a minute). ``--arch bench``: the models of
the production shapes (opus-mt-zh-en and distilbart-cnn-12-6, random weights, built once under
models/bench/ by ``benchmarks.harness``): slow, for a real machine or cluster. ``--address``: run the Ray side
on an existing cluster (the models must be at the same path on every node). Each report is built from the
sample's sub-sections with a report number in every sentence (no help from deduplication or the cache);
the cache is off. Both engines run in this process, local first; model loading is not timed.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from benchmarks import harness


def _models(arch: str) -> tuple[Path, Path]:
    if arch == "bench":
        return harness.marian_model("opus"), harness.bart_model("bart")
    return harness.marian_model("tiny"), harness.bart_model("tiny")


def _config(args, translator: Path, summarizer: Path):
    from pipeline.config import config_from_dict

    tiny = args.arch == "tiny"
    return config_from_dict({
        "translator": {"model": str(translator), "num_beams": 2 if tiny else 4, "threads": 1,
                       "max_input_tokens": 64 if tiny else 256},
        "summarizer": {"kind": "abstractive", "model": str(summarizer), "threads": 1, "num_beams": 1 if tiny else 2,
                       "max_input_tokens": 256 if tiny else 1024, "max_new_tokens": 24 if tiny else 142},
        "cache": {"enabled": False},
        "fidelity": {"enabled": True, "glossaries": [str(harness.ROOT / "configs" / "glossary" / "gov-report.tsv")]},
        "batch_documents": args.reports,  # one group: each actor pool starts once
        "ray": {"address": args.address, "pool_size": args.pool, "summarizer_pool_size": args.summarizer_pool,
                "num_cpus_per_actor": args.cpus, "num_cpus_per_summarizer": args.cpus,
                "num_cpus_per_task": args.cpus, "batch_size": 16},
    })


def _run(engine: str, config, inputs: Path, out: Path) -> dict:
    from pipeline.batch import BatchRun, iter_inputs, load_components

    components = load_components(config, out, use_cache=False)
    cpu, started = time.process_time(), time.perf_counter()
    if engine == "ray":
        from pipeline.batch.ray_engine import run_batch_ray

        report = run_batch_ray(iter_inputs([str(inputs)]), components, out)
    else:
        report = BatchRun(components, out).run(iter_inputs([str(inputs)]))
    seconds = time.perf_counter() - started
    components.close()
    ok = sum(1 for r in report.results if r.ok)
    result = {"documents": ok, "failed": len(report.failed), "seconds": round(seconds, 2),
              "documents_per_second": round(ok / seconds, 3), "sentences": report.translation.texts}
    if engine == "local":
        result["cpu_seconds"] = round(time.process_time() - cpu, 2)
    else:
        result.update(report.engine)
        by_work = report.engine["worker_cpu_seconds_by_work"]
        result["per_actor_cpu_second"] = {  # throughput of one actor (or task slot) per CPU second it used
            "documents_read": round(ok / by_work["read_tasks"], 2) if by_work.get("read_tasks") else None,
            "sentences_translated": round(report.translation.texts / by_work["translation_batches"], 2)
            if by_work.get("translation_batches") else None,
            "documents_summarized": round(ok / by_work["summary_batches"], 3) if by_work.get("summary_batches") else None,
            "documents_checked_and_rendered": round(ok / by_work["document_tasks"], 2)
            if by_work.get("document_tasks") else None,
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6 reports on the tiny models (smoke test)")
    parser.add_argument("--reports", type=int, default=40)
    parser.add_argument("--arch", choices=("tiny", "bench"), default="tiny")
    parser.add_argument("--address", default=None, help="an existing Ray cluster (default: Ray on this machine)")
    parser.add_argument("--pool", type=int, default=2, help="translator actors")
    parser.add_argument("--summarizer-pool", type=int, default=2, help="summarizer actors")
    parser.add_argument("--cpus", type=float, default=1.0, help="CPUs per actor and per document task")
    parser.add_argument("--out", default="outputs/bench")
    args = parser.parse_args()
    if args.quick:
        args.reports, args.arch = 6, "tiny"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        translator, summarizer = _models(args.arch)
        config = _config(args, translator, summarizer)
        inputs = tmp / "reports"
        inputs.mkdir()
        for name, text in harness.batch_reports(args.reports, sentences_per_report=6):
            (inputs / f"{name}.txt").write_text(text, encoding="utf-8")
        local = _run("local", config, inputs, tmp / "local")
        ray = _run("ray", config, inputs, tmp / "ray")
        same = all((tmp / "ray" / p.name).read_bytes() == p.read_bytes() for p in (tmp / "local").glob("report-*"))
    result = {"stage": "ray", "arch": args.arch, "reports": args.reports, "local": local, "ray": ray,
              "identical_outputs": same, "ray_over_local": round(local["seconds"] / ray["seconds"], 2)}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "ray.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
