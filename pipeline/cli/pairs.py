"""``check`` (fidelity of existing zh/en pairs) and ``eval`` (translate pairs and score them)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .common import glossary_overrides, load_config_from_args, quiet_libraries
from .progress import ConsoleProgress


def _glossary_for_check(args):
    """``check`` uses the shipped glossary unless --glossary (replaces it) or --no-glossary says otherwise."""
    from ..config import bundled_file
    from ..fidelity import load_glossaries

    if args.no_glossary:
        return None
    return load_glossaries(args.glossary or [bundled_file("glossary/gov-report.tsv")])


def cmd_check(args) -> int:
    from ..batch import write_atomic
    from ..fidelity.evaluate import check_pairs, load_pairs

    skipped: list[str] = []
    pairs = load_pairs(Path(args.pairs), skipped)
    if skipped:  # never silently: a pair file is reference data
        shown = ", ".join(skipped[:5]) + (f" and {len(skipped) - 5} more" if len(skipped) > 5 else "")
        print(f"note: {args.pairs}: {len(skipped)} row(s) skipped, not pairs ({shown})", file=sys.stderr)
    if args.measure:
        from ..fidelity.evaluate import measure_checker
        from ..fidelity.measure_grounding import measure_grounding

        glossary = _glossary_for_check(args)
        result = measure_checker(pairs, seed=args.seed, report_year=args.report_year, glossary=glossary)
        elsewhere = load_pairs(Path(args.elsewhere)) if args.elsewhere else None
        result["grounding"] = measure_grounding(pairs, elsewhere=elsewhere, glossary=glossary,
                                                report_year=args.report_year, seed=args.seed)
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    rows, summary = check_pairs(pairs, _glossary_for_check(args), report_year=args.report_year)
    summary["skipped_rows"] = len(skipped)
    lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if args.out:
        write_atomic(Path(args.out), lines)
    else:
        sys.stdout.write(lines)
    if args.report:
        from ..fidelity.pairs import check_report_markdown

        write_atomic(Path(args.report), check_report_markdown(rows, summary, Path(args.pairs).name))
    print(json.dumps({"summary": summary}, ensure_ascii=False), file=sys.stderr)
    return 1 if args.fail_on_flags and summary["flagged"] else 0


def cmd_eval(args) -> int:
    from ..batch import load_components, write_atomic
    from ..fidelity.evaluate import evaluate, load_pairs, render_eval_markdown

    config = load_config_from_args(args)
    quiet_libraries()
    pairs = load_pairs(Path(args.pairs))
    if args.limit:
        pairs = pairs[: args.limit]
    out = Path(args.out)
    components = load_components(config, out, use_cache=not args.no_cache, cache_path=args.cache)
    progress = ConsoleProgress(args.quiet)
    progress.add_total(len(pairs))

    service = components.service()

    def translate_batch(texts: list[str]) -> list[str]:
        english = service.translate_list(texts)  # long sentences split at clauses and joined again
        progress.advance(len(texts))
        return english

    try:
        report = evaluate(pairs, translate_batch, components.glossary)
    finally:
        progress.close()
        components.close()
    data = report.to_dict()
    data["translator"] = {"model": config.translator.model, "backend": config.translator.backend,
                          "config": str(args.config), "config_hash": config.hash()}
    write_atomic(out / "eval.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    write_atomic(out / "eval.md", render_eval_markdown(report))
    print(f"wrote {out / 'eval.md'} and {out / 'eval.json'}", file=sys.stderr)
    return 0


__all__ = ["cmd_check", "cmd_eval", "glossary_overrides"]
