"""How long segmentation takes on about 1 MB of report text, in the shapes it meets: the whole body on one
line (as scraped), a paragraph per line, and hard-wrapped lines (as some PDF extractors leave it).

Run from the repository root: ``python -m benchmarks.segment [--quick] [--megabytes 1] [--repeat 3]
[--out outputs/bench]``. Best of ``--repeat`` runs. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import harness


def one_line_body(target_bytes: int) -> str:
    """The sample as scraped: front matter, then the whole body on one line, repeated to size."""
    head, body = harness.sample_text().split("各位代表:", 1)
    copies = max(1, target_bytes // len(body.encode("utf-8")))
    return head + "各位代表:" + " ".join([body.strip(" |\n")] * copies)


def paragraph_per_line(target_bytes: int) -> str:
    return one_line_body(target_bytes).replace("。 ", "。\n")


def hard_wrapped(target_bytes: int, width: int = 38) -> str:
    """Every body line cut at a fixed number of characters."""
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


def run(out_dir: Path, *, quick: bool = False, megabytes: float = 1.0, repeat: int = 3) -> dict[str, Any]:
    from pipeline.segment import segment

    target = int((0.1 if quick else megabytes) * 1_000_000)
    segment(harness.sample_text())  # compiles the regular expressions outside the timing
    shapes = {}
    for shape in (one_line_body, paragraph_per_line, hard_wrapped):
        text = shape(target)
        doc = segment(text)
        seconds = best_time(lambda: segment(text), 1 if quick else repeat)
        size_mb = len(text.encode("utf-8")) / 1_000_000
        shapes[shape.__name__] = {
            "megabytes": round(size_mb, 3), "seconds": round(seconds, 4),
            "megabytes_per_second": round(size_mb / seconds, 2), "chars_per_second": round(len(text) / seconds),
            "segments": sum(1 for _ in doc.all_segments()), "sections": sum(1 for _ in doc.walk_sections()),
        }
    result = {"stage": "segment", "quick": quick, "machine": harness.machine_facts(1), "variants": shapes}
    return harness.write_result(out_dir, "segment", result)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="0.1 MB, one run")
    parser.add_argument("--megabytes", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default="outputs/bench")
    args = parser.parse_args(argv)
    run(Path(args.out), quick=args.quick, megabytes=args.megabytes, repeat=args.repeat)


if __name__ == "__main__":
    main()
