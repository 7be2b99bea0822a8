"""``bench``: a thin entry that runs a script of the checkout's ``benchmarks/`` folder.

The benchmarks need the source checkout (the sample report, model builders at production shapes); an
installed package without it says so in one line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ..errors import PipelineError

STAGES = ("translate", "summarize", "segment", "batch", "pipeline", "memory", "provincial")
_FLAGS = {  # which options each benchmark script takes
    "translate": ("beams", "threads"),
    "summarize": ("beams", "threads"),
    "batch": ("beams", "threads"),
    "pipeline": ("threads", "device"),
    "segment": (),
    "memory": (),
    "provincial": (),
}


def checkout_root() -> Path | None:
    root = Path(__file__).resolve().parents[2]
    return root if (root / "benchmarks" / "harness.py").is_file() else None


def run_bench(stage: str, out: Path, *, quick: bool = False, beams: int | None = None, threads: int = 0,
              device: str | None = None) -> int:
    """Run ``benchmarks/<stage>.py`` in a child process; its exit status."""
    root = checkout_root()
    if root is None:
        raise PipelineError("bench needs a source checkout (the benchmarks/ folder beside pipeline/)",
                            hint="clone the repository and run `python -m pipeline bench` from it")
    if stage not in STAGES:
        raise PipelineError(f"bench: unknown stage {stage!r}", hint=f"choose one of {', '.join(STAGES)}")
    argv = [sys.executable, "-m", f"benchmarks.{stage}", "--out", str(Path(out).resolve())]
    if quick:
        argv.append("--quick")
    given = {"beams": beams, "threads": threads or None, "device": device}
    for flag in _FLAGS[stage]:
        if given[flag] is not None:
            argv += [f"--{flag}", str(given[flag])]
    return subprocess.run(argv, cwd=str(root)).returncode  # -m from the checkout: its own pipeline/ first


def cmd_bench(args) -> int:
    return run_bench(args.stage, Path(args.out), quick=args.quick, beams=args.beams, threads=args.threads,
                     device=args.device)
