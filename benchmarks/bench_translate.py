"""Translation speed and peak memory: naive generate loop vs this project's translators (issue 4).

Run: ``python benchmarks/bench_translate.py [--quick] [--beams 4] [--threads 0] [--out outputs/bench]``.
Same as ``python -m pipeline bench --stage translate``; writes ``<out>/translate.json`` and prints it.
The first run builds a model shaped like Helsinki-NLP/opus-mt-zh-en (random weights) under models/bench/.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.bench import BATCH_TOKENS, run_bench  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the first 12 sentences only (smoke test)")
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores")
    parser.add_argument("--out", default="outputs/bench")
    parser.add_argument("--batch-tokens", type=int, default=BATCH_TOKENS, help="translator token budget per batch")
    parser.add_argument(
        "--compute-types", default="", help="extra CTranslate2 compute types to compare, comma-separated (int16,float32)"
    )
    args = parser.parse_args()
    result = run_bench(
        "translate",
        Path(args.out),
        quick=args.quick,
        num_beams=args.beams,
        threads=args.threads,
        batch_tokens=args.batch_tokens,
        compute_types=tuple(c for c in args.compute_types.split(",") if c),
    )
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
