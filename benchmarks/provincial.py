"""The real batch: ``run`` over the 2026 provincial work reports as users scrape them (one CSV per province
in ``../shared/data/provincial-2026/``, the page text in ``full_text``), as a user types it, in a child
process: wall seconds, the child's peak RSS, what it wrote (readers, index, digest), the titles the index
lists and the structure findings of the batch.

Run from the repository root: ``python -m benchmarks.provincial [--quick] [--backend identity|config]
[--out outputs/bench]``. The tiny config's models are built first (outside the measured run). ``--backend
identity`` (the default) copies the Chinese instead of translating: segmentation, summaries, checks and
writing measured without the translator; ``config`` translates with the tiny Marian model. ``--quick``: the
first three reports.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import harness

CORPUS = harness.ROOT.parent / "shared" / "data" / "provincial-2026"


def run(out_dir: Path, *, quick: bool = False, backend: str = "identity") -> dict:
    csvs = sorted(CORPUS.glob("*.csv"))
    if not csvs:
        raise SystemExit(f"no reports under {CORPUS} (the shared data is not here)")
    csvs = csvs[:3] if quick else csvs
    models = harness.ROOT / "models" / "tiny"
    subprocess.run([sys.executable, "-m", "pipeline", "models", "build-tiny", "--dir", str(models)], check=True,
                   cwd=harness.ROOT, capture_output=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        argv = [sys.executable, "-m", "pipeline", "run", *map(str, csvs), "--config", "tiny", "--out", str(out),
                "--text-column", "full_text", "--id-column", "province", "--quiet"]
        if backend == "identity":
            argv += ["--set", "translator.backend=identity"]
        started = time.perf_counter()
        child = subprocess.run(argv, cwd=harness.ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        readers = sorted(p.name for p in out.glob("*.html") if p.name != "digest.html")
        titles, findings = [], 0
        for path in sorted(out.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            titles.append(data["title"]["zh"].split("——")[0])
            findings += len(data.get("qa", {}).get("lint", []))
        result = {
            "stage": "provincial", "quick": quick, "backend": backend, "machine": harness.machine_facts(0),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "exit_status": child.returncode,
            "reports": len(csvs), "readers": len(readers), "index": (out / "index.md").is_file(),
            "digest": (out / "digest.html").is_file() and (out / "digest.md").is_file(),
            "wall_seconds": round(seconds, 1), "peak_rss_mb": round(peak_mb),
            "titles_naming_the_report": sum("政府工作报告" in t for t in titles), "lint_findings": findings,
            "titles": titles,
        }
        if child.returncode:
            result["stderr"] = child.stderr[-2000:]
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "provincial.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the first three reports")
    parser.add_argument("--backend", choices=("identity", "config"), default="identity")
    parser.add_argument("--out", default="outputs/bench")
    args = parser.parse_args(argv)
    result = run(Path(args.out), quick=args.quick, backend=args.backend)
    print(json.dumps({k: v for k, v in result.items() if k not in ("titles", "machine")}, ensure_ascii=False))
    sys.exit(1 if result["exit_status"] or result["readers"] != result["reports"] else 0)


if __name__ == "__main__":
    main()
