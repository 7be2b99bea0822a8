"""Peak memory of one large report through the whole run (reading, segmentation, translation, summaries,
checks, rendering, writing), one size per child process so that each peak RSS is its own.

Without ``--config`` the translator is the identity backend: the pipeline's own cost. With ``--config`` the
config's real models run (``tiny``: build them first with ``python -m pipeline models build-tiny``).

Run from the repository root: ``python -m benchmarks.memory [--megabytes 2 20] [--config tiny]
[--summarizer none|extractive] [--quick] [--out outputs/bench]`` (``--quick``: 0.05 MB, for CI).
The big report is the sample's body repeated under numbered top-level sections, its numbers varied.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import harness

QUICK_MEGABYTES = 0.05
TARGET_PEAK_RSS_MB = 1536  # issue 11: a 20 MB report on the tiny config


def big_report(megabytes: float) -> str:
    """The sample's body repeated under numbered top-level sections, numbers varied, to ``megabytes``."""
    body = harness.sample_text()
    parts, size, i = ["2020年政府工作报告汇编\n各位代表：\n"], 0, 0
    while size < megabytes * 1_000_000:
        i += 1
        chunk = body.replace("2020", str(1900 + i % 200)).replace("551.2", f"{i}.{i % 10}")
        parts.append(f"第{i}部分\n{chunk}\n")
        size += len(chunk.encode("utf-8"))
    return "".join(parts)


def child_memory(task: dict[str, Any]) -> dict[str, Any]:
    """One run of ``BatchRun`` over one big report (cache off), in this process."""
    from pipeline.batch.components import Components, load_components
    from pipeline.batch.inputs import file_item
    from pipeline.batch.run import BatchRun
    from pipeline.config import config_from_dict, load_config
    from pipeline.translate import GenerationSettings, IdentityTranslator

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "big.txt"
        src.write_text(big_report(task["megabytes"]), encoding="utf-8")
        if task["config"]:
            comps = load_components(load_config(task["config"], ["cache.enabled=false"]), Path(tmp) / "out")
        else:
            summ = None
            if task["summarizer"] == "extractive":
                from pipeline.summarize import ExtractiveSummarizer

                summ = ExtractiveSummarizer()
            cfg = config_from_dict({"summarizer": {"kind": task["summarizer"]}, "cache": {"enabled": False},
                                    "fidelity": {"glossaries": []}})
            comps = Components(cfg, IdentityTranslator(), GenerationSettings(), summ, None, None,
                               {"kind": task["summarizer"]})
        started = time.perf_counter()
        report = BatchRun(comps, Path(tmp) / "out").run([file_item(src)])
        seconds = time.perf_counter() - started
        if report.failed:
            raise RuntimeError(report.failed[0].message)
        return {"megabytes": task["megabytes"], "input_bytes": src.stat().st_size, "seconds": round(seconds, 1)}


def run(out_dir: Path, *, megabytes: tuple[float, ...] = (2.0, 20.0), config: str | None = None,
        summarizer: str = "none", quick: bool = False, isolate: bool = True) -> dict[str, Any]:
    """Measure each size, write ``out_dir/memory.json`` and return its content."""
    sizes = (QUICK_MEGABYTES,) if quick else megabytes
    rows = {}
    for mb in sizes:
        row = harness.run_child({"module": "memory", "function": "child_memory", "megabytes": mb,
                                 "config": config, "summarizer": summarizer}, isolate)
        rows[f"{mb:g}MB"] = row
    result = {
        "stage": "memory", "quick": quick, "machine": harness.machine_facts(1),
        "models": f"config {config}" if config else "identity translator (the pipeline's own cost)",
        "summarizer": "the config's" if config else summarizer,
        "target_peak_rss_mb": TARGET_PEAK_RSS_MB, "variants": rows,
    }
    return harness.write_result(out_dir, "memory", result)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--megabytes", type=float, nargs="+", default=[2.0, 20.0])
    p.add_argument("--summarizer", default="none", choices=("none", "extractive"))
    p.add_argument("--config", default=None, help="run this config's models (default: identity translator)")
    p.add_argument("--quick", action="store_true", help=f"one {QUICK_MEGABYTES} MB report (CI smoke test)")
    p.add_argument("--out", default="outputs/bench")
    args = p.parse_args(argv)
    run(Path(args.out), megabytes=tuple(args.megabytes), config=args.config, summarizer=args.summarizer,
        quick=args.quick)


if __name__ == "__main__":
    main()
