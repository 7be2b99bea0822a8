"""``bench``: a thin entry to the benchmarks, which live in the source checkout's ``benchmarks/``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ..errors import PipelineError

CHECKOUT = Path(__file__).resolve().parents[2]


def cmd_bench(args) -> int:
    script = CHECKOUT / "benchmarks" / f"bench_{args.stage}.py"
    if not script.is_file():
        known = sorted(p.stem[len("bench_"):] for p in (CHECKOUT / "benchmarks").glob("bench_*.py"))
        if known:
            raise PipelineError(f"bench --stage {args.stage}: no such benchmark", hint=f"one of {', '.join(known)}")
        raise PipelineError("bench: the benchmarks live in the source checkout's benchmarks/ folder, not in the "
                            "installed package", hint="clone the repository and run `make bench`")
    rest = [a for a in args.rest if a != "--"]
    return subprocess.call([sys.executable, str(script), *rest], cwd=str(CHECKOUT))
