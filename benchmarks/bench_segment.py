"""How long segmentation takes on about 1 MB of report text, in the shapes it meets.

Run: ``python benchmarks/bench_segment.py [--megabytes 1] [--repeat 3]``. Prints one line per shape and a
JSON object (best of ``--repeat`` runs, seconds). Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.segment import segment  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "yuyao-2020-h1-report.txt"


def one_line_body(target_bytes: int) -> str:
    """The sample as scraped: front matter, then the whole body on one line, repeated to size."""
    text = SAMPLE.read_text(encoding="utf-8")
    head, body = text.split("各位代表:", 1)
    copies = max(1, target_bytes // len(body.encode("utf-8")))
    return head + "各位代表:" + " ".join([body.strip(" |\n")] * copies)


def paragraph_per_line(target_bytes: int) -> str:
    return one_line_body(target_bytes).replace("。 ", "。\n")


def hard_wrapped(target_bytes: int, width: int = 38) -> str:
    """Every body line cut at a fixed number of characters, as some PDF extractors leave it."""
    head, body = paragraph_per_line(target_bytes).split("各位代表:", 1)
    lines = []
    for paragraph in body.split("\n"):
        lines += [paragraph[i : i + width] for i in range(0, len(paragraph), width)]
    return head + "各位代表:\n" + "\n".join(lines)


def best_time(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    target = int(args.megabytes * 1_000_000)

    results = {}
    for shape in (one_line_body, paragraph_per_line, hard_wrapped):
        text = shape(target)
        doc = segment(text)
        seconds = best_time(lambda: segment(text), args.repeat)
        size_mb = len(text.encode("utf-8")) / 1_000_000
        segments = sum(1 for _ in doc.all_segments())
        sections = sum(1 for _ in doc.walk_sections())
        results[shape.__name__] = {
            "megabytes": round(size_mb, 3),
            "seconds": round(seconds, 4),
            "megabytes_per_second": round(size_mb / seconds, 2),
            "segments": segments,
            "sections": sections,
        }
        print(f"{shape.__name__:>20}: {size_mb:.2f} MB in {seconds:.3f} s ({segments} segments, {sections} sections)")
    print(json.dumps({"benchmark": "segment", "python": platform.python_version(), "results": results}))


if __name__ == "__main__":
    main()
