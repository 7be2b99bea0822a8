"""``import-edits``: bring corrected sentences back from a translation tool (XLIFF or TMX) into a report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import ConfigError, InputError
from .common import load_config_from_args, quiet_libraries


def _config_of_report(args, out_dir: Path) -> None:
    """Without --config: the config the report was made with (its provenance names the file). The report is
    --report's, else the one named like the edited file, else the folder's first (a batch shares one config;
    the config's hash is checked against the report's before anything is written)."""
    if args.config is not None:
        return
    named = out_dir / f"{args.report or Path(args.edited).stem}.json"
    for json_path in [named] + sorted(out_dir.glob("*.json"))[:1]:
        try:
            source = json.loads(json_path.read_text(encoding="utf-8"))["provenance"]["config"]["file"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if source and Path(source).is_file():
            args.config = source
            return
    raise ConfigError("import-edits: cannot tell which config made these reports",
                      hint="give the run's config with --config")


def cmd_import_edits(args) -> int:
    from ..batch import load_components
    from ..batch.edits import import_edits

    out_dir = Path(args.out)
    if not out_dir.is_dir():
        raise InputError(f"{out_dir}: no such output folder", hint="give the --out folder of the run")
    edited = Path(args.edited)
    _config_of_report(args, out_dir)
    config = load_config_from_args(args)
    quiet_libraries()
    components = load_components(config, out_dir, cache_path=args.cache)
    try:
        result = import_edits(edited, out_dir, components, stem=args.report)
    finally:
        components.close()
    print(f"{result.report}: {len(result.changed)} sentence(s) corrected, {result.unchanged} unchanged"
          + (f", {result.unmatched} unit(s) matching no sentence (ignored)" if result.unmatched else ""),
          file=sys.stderr)
    if result.changed:
        print("rewritten: " + ", ".join(str(out_dir / o) for o in result.outputs), file=sys.stderr)
    return 0
