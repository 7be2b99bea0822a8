"""Peak memory of one large report through the whole run (identity translator: the pipeline's own cost).

Run: python benchmarks/bench_memory.py --megabytes 2 20 [--summarizer none|extractive] [--config tiny]
Each size runs in its own child process; prints seconds and peak RSS. Without --config the translator is
the identity backend (the pipeline's own cost: reading, segmentation, checks, rendering, writing); with
--config the config's real models run (tiny: build them first with `python -m pipeline models build-tiny`)."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "yuyao-2020-h1-report.txt"


def big_report(megabytes: float) -> str:
    """The sample's body repeated under numbered top-level sections, numbers varied, to ``megabytes``."""
    body = SAMPLE.read_text(encoding="utf-8")
    parts, size, i = ["2020年政府工作报告汇编\n各位代表：\n"], 0, 0
    while size < megabytes * 1_000_000:
        i += 1
        chunk = body.replace("2020", str(1900 + i % 200)).replace("551.2", f"{i}.{i % 10}")
        parts.append(f"第{i}部分\n{chunk}\n")
        size += len(chunk.encode("utf-8"))
    return "".join(parts)


def child(megabytes: float, summarizer: str, config: str | None) -> None:
    from pipeline.batch.components import Components
    from pipeline.batch.inputs import file_item
    from pipeline.batch.run import BatchRun
    from pipeline.config import config_from_dict
    from pipeline.translate import GenerationSettings, IdentityTranslator

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "big.txt"
        src.write_text(big_report(megabytes), encoding="utf-8")
        cfg = config_from_dict({"summarizer": {"kind": summarizer}, "cache": {"enabled": False},
                                "fidelity": {"glossaries": []}})
        summ = None
        if summarizer == "extractive":
            from pipeline.summarize import ExtractiveSummarizer

            summ = ExtractiveSummarizer()
        if config:
            from pipeline.batch.components import load_components
            from pipeline.config import load_config

            comps = load_components(load_config(config, ["cache.enabled=false"]), Path(tmp) / "out")
        else:
            comps = Components(cfg, IdentityTranslator(), GenerationSettings(), summ, None, None,
                               {"kind": summarizer})
        started = time.perf_counter()
        report = BatchRun(comps, Path(tmp) / "out").run([file_item(src)])
        seconds = time.perf_counter() - started
        assert not report.failed, report.failed[0].message
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(json.dumps({"megabytes": megabytes, "input_bytes": src.stat().st_size, "seconds": round(seconds, 1),
                          "peak_rss_mb": round(rss / 2**20), "summarizer": summarizer,
                          "config": config or "identity translator"}))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--megabytes", type=float, nargs="+", default=[2.0, 20.0])
    p.add_argument("--summarizer", default="none", choices=("none", "extractive"))
    p.add_argument("--config", default=None, help="run this config's models (default: identity translator)")
    p.add_argument("--child", type=float, default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child is not None:
        child(args.child, args.summarizer, args.config)
        return
    for mb in args.megabytes:
        extra = ["--config", args.config] if args.config else []
        subprocess.run([sys.executable, __file__, "--child", str(mb), "--summarizer", args.summarizer, *extra],
                       check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
