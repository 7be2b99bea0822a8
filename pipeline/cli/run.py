"""``run``: the pipeline over files, folders, lists and tables."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from ..errors import ConfigError, InputError, PipelineError
from . import USAGE_ERROR
from .common import load_config_from_args, quiet_libraries
from .progress import ConsoleProgress


def _first_readable(inputs):
    """Read ahead to the first input whose text loads, so that a batch with no usable input fails (exit 2)
    before any model loads or any file is written. Returns (items read so far, the rest)."""
    from ..batch import InputItem

    head = []
    for item in inputs:
        head.append(item)
        if isinstance(item, InputItem):
            try:
                item.load()
                break
            except Exception:
                continue  # reported by the run like any bad input
    return head, inputs


def _report_unusable(head) -> int:
    from ..batch import InputFailure

    for item in head:
        if isinstance(item, InputFailure):
            err = item.error
        else:
            try:
                item.load()
                continue
            except Exception as exc:  # noqa: BLE001 - shown as the one-line error it is
                err = exc
        print(f"error: {err.line() if isinstance(err, PipelineError) else err}", file=sys.stderr)
    if not head:
        print("error: no inputs", file=sys.stderr)
    return 2


def _refuse_overwrites(specs: list[str], out_dir: Path, config) -> None:
    """Before anything is read or written: no input file may be where an output goes (``--out`` is the
    inputs' folder: exit 2), and no collection file the folder holds may be one no run wrote (exit 5)."""
    from ..batch.collection import collection_names, refuse_foreign_collection
    from ..batch.documents import output_names
    from ..batch.inputs import named_files
    from ..batch.manifest import MANIFEST_NAME, OUTPUT_SUFFIXES, Manifest
    from ..batch.outputs import inputs_in_the_way

    tables = tuple(k for k in ("csv", "xlsx") if getattr(config.output, k))
    own = [*collection_names(config.output.html, tables), MANIFEST_NAME]
    # the suffixes of the files this config writes per document (.docx only when output.docx is on)
    suffixes = [s for s in OUTPUT_SUFFIXES if any(n.endswith(s) for n in output_names("x", config))]
    clash = list(dict.fromkeys(inputs_in_the_way(named_files(specs), out_dir, suffixes, own)))
    if clash:
        names = ", ".join(map(str, clash[:5])) + (f" and {len(clash) - 5} more" if len(clash) > 5 else "")
        raise InputError(f"{names}: input(s) inside the output folder {out_dir} with the name of an output; "
                         "the run would replace them", hint="give another --out")
    if out_dir.is_dir():
        refuse_foreign_collection(out_dir, Manifest.load(out_dir))


def cmd_run(args) -> int:
    from ..batch import InputItem, ensure_writable, iter_inputs, load_components
    from ..batch.run import BatchRun

    if not args.out.strip():
        print("error: --out is empty; name an output folder (it would be the working directory)", file=sys.stderr)
        return USAGE_ERROR
    if args.limit < 0:
        print(f"error: --limit {args.limit}: give N >= 1 (the first N segments of each document), or 0 for all",
              file=sys.stderr)
        return USAGE_ERROR
    config = load_config_from_args(args)
    out_dir = Path(args.out)
    _refuse_overwrites(args.inputs, out_dir, config)
    if args.engine == "ray" and args.per_document:
        raise ConfigError("--per-document: not available with --engine ray (it always batches across documents)")
    encoding = None
    if args.encoding:
        from ..readers import canonical_encoding

        encoding = canonical_encoding(args.encoding)
    meta_columns = [c.strip() for c in (args.meta_columns or "").split(",") if c.strip()]
    inputs = iter_inputs(args.inputs, text_column=args.text_column, id_column=args.id_column, exclude=out_dir,
                         encoding=encoding, meta_columns=meta_columns)
    head, rest = _first_readable(inputs)
    if not any(isinstance(i, InputItem) and i._text is not None for i in head):
        return _report_unusable(head)
    if args.engine == "ray":  # Ray missing or its cluster unreachable: one line before any model loads
        from ..batch.ray_engine import init_ray

        init_ray(config)
    ensure_writable(out_dir)
    quiet_libraries()
    progress = ConsoleProgress(args.quiet)
    components = load_components(config, out_dir, use_cache=not args.no_cache, cache_path=args.cache)
    progress.stage("loaded", f"models of {config.source_path or 'the built-in defaults'}")
    options = dict(force=args.force, progress=progress, limit=args.limit)
    try:
        if args.engine == "ray":
            from ..batch.ray_engine import run_batch_ray

            report = run_batch_ray(itertools.chain(head, rest), components, out_dir, **options)
        else:
            report = BatchRun(components, out_dir, per_document=args.per_document, **options).run(
                itertools.chain(head, rest))
    finally:
        progress.close()
        components.close()
    return _summarize(report, out_dir, args.quiet)


MAX_LINT_LINES = 5  # per document in the summary; `segment --lint` lists them all


def _print_lint(results) -> None:
    """The structure findings of each written document (the JSON's ``qa.lint`` holds them all)."""
    for result in results:
        for line in result.lint[:MAX_LINT_LINES]:
            print(f"structure: {result.name}: {line}", file=sys.stderr)
        if len(result.lint) > MAX_LINT_LINES:
            print(f"structure: {result.name}: … {len(result.lint) - MAX_LINT_LINES} more "
                  f"(python -m pipeline segment --lint)", file=sys.stderr)


def _summarize(report, out_dir: Path, quiet: bool) -> int:
    done = sum(1 for r in report.results if r.ok and not r.skipped)
    skipped = sum(1 for r in report.results if r.skipped)
    failed = report.failed
    if not quiet or failed or report.collection_error:
        t = report.translation
        extra = f"; {t.translated} sentences translated, {t.cached} from cache" if t else ""
        if t and (t.memory or t.offered or t.human):
            extra += (f"; {t.memory} sentences and headings from the translation memory ({t.offered} fuzzy matches offered), "
                      f"{t.human} human")
        _print_lint(report.results)
        print(f"{done} written, {skipped} already done, {len(failed)} failed -> {out_dir}{extra}", file=sys.stderr)
        if done or skipped:
            print(f"read: {out_dir / 'index.md'}", file=sys.stderr)
    if report.collection_error and not failed:
        return 5
    if not failed:
        return 0
    if len(failed) == len(report.results):  # nothing succeeded: say why with the matching exit code
        kinds = {r.error for r in failed}
        if kinds == {"input"}:
            return 2
        if kinds == {"output"}:
            return 5
    return 1
