"""Summarization time and peak memory: a distilbart-cnn-12-6-shaped model and the extractive ranker (issue 5).

Run: ``python benchmarks/bench_summarize.py [--quick] [--beams 2] [--threads 0] [--out outputs/bench]``.
Same as ``python -m pipeline bench --stage summarize`` (which uses the summarizer's default of 2 beams);
writes ``<out>/summarize.json`` and prints it. ``--quick`` uses the tiny models of models/tiny/.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.bench import SUMMARY_BEAMS, run_bench  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the tiny models (smoke test)")
    parser.add_argument("--beams", type=int, default=SUMMARY_BEAMS, help=f"summarizer beams (default {SUMMARY_BEAMS})")
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores")
    parser.add_argument("--out", default="outputs/bench")
    args = parser.parse_args()
    result = run_bench("summarize", Path(args.out), quick=args.quick, threads=args.threads, summary_beams=args.beams)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
