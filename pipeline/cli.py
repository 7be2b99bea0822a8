"""The command line: a thin layer over the library. Only here do errors become one line and an exit code.

Heavy libraries (torch, transformers) are imported inside the commands that need them, so that
``python -m pipeline --help`` and ``segment`` start at once.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from . import __version__
from .errors import PipelineError

log = logging.getLogger("pipeline")


def _add_config_args(p: argparse.ArgumentParser, default: str | None = "configs/default.yaml", *, nested: bool = False) -> None:
    # nested: a sub-command's copy of the options must not overwrite what was given before the sub-command
    p.add_argument("--config", "-c", default=argparse.SUPPRESS if nested else default,
                   help=f"YAML config (default: {default})")
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=argparse.SUPPRESS if nested else [],
        metavar="KEY=VALUE",
        help="override a config value by its dotted key, e.g. --set translator.num_beams=2 (repeatable)",
    )


def _quiet_libraries() -> None:
    """Model-loading bars and library advice are not for our users' consoles (the CLI's call to make)."""
    from .translate.generation import quiet_transformers

    quiet_transformers()


def _load_config(args):
    from .config import load_config

    path = args.config
    if path is not None and not Path(path).exists():
        from .errors import ConfigError

        raise ConfigError(f"{path}: config file not found", hint="see configs/ for the shipped configs")
    device = getattr(args, "device", None)  # `run --device`: the translator's and the summarizer's
    extra = [f"translator.device={device}", f"summarizer.device={device}"] if device else []
    return load_config(path, [*extra, *args.overrides])


class _BarProgress:
    """tqdm bar over sentences (done / total, sentences per second), plus one line per finished document.

    The bar appears with the first sentences to translate, so an early error stays a single line."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.bar = None

    def add_total(self, n: int) -> None:
        if self.quiet:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=n, unit="sent", desc="translating", dynamic_ncols=True, file=sys.stderr)
            return
        self.bar.total += n
        self.bar.refresh()

    def advance(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def document_done(self, name: str, ok: bool, message: str) -> None:
        write = self.bar.write if self.bar is not None else print
        if not ok:
            write(f"error: {message}", file=sys.stderr)
        elif not self.quiet:
            write(f"ok: {name}: {message}", file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# --------------------------------------------------------------------------------------------------------
# Commands


def cmd_run(args) -> int:
    import itertools

    from .runner import InputItem, ensure_writable, iter_inputs, load_components, run_batch

    config = _load_config(args)
    out_dir = Path(args.out)
    if args.engine == "ray" and args.per_document:
        from .errors import ConfigError

        raise ConfigError("--per-document: not available with --engine ray (it always batches across documents)")
    inputs = iter_inputs(args.inputs, text_column=args.text_column, id_column=args.id_column, exclude=out_dir)
    # Look ahead to the first usable input, so that a batch with none fails before any model loads.
    head = []
    for item in inputs:
        head.append(item)
        if isinstance(item, InputItem):
            break
    if not any(isinstance(i, InputItem) for i in head):
        for err in head:
            print(f"error: {err}" + (f"; {err.hint}" if err.hint else ""), file=sys.stderr)
        if not head:
            print("error: no inputs", file=sys.stderr)
        return 2
    ensure_writable(out_dir)
    inputs = itertools.chain(head, inputs)
    _quiet_libraries()
    progress = _BarProgress(args.quiet)
    try:
        if args.engine == "ray":
            from .ray_engine import run_batch_ray

            report = run_batch_ray(inputs, config, out_dir, force=args.force, use_cache=not args.no_cache,
                                   cache_path=args.cache, progress=progress)
        else:
            components = load_components(config, use_cache=not args.no_cache, cache_path=args.cache, out_dir=out_dir)
            try:
                report = run_batch(inputs, components, out_dir, force=args.force, progress=progress,
                                   per_document=args.per_document)
            finally:
                components.close()
    finally:
        progress.close()
    done = sum(1 for r in report.results if r.ok and not r.skipped)
    skipped = sum(1 for r in report.results if r.skipped)
    failed = report.failed
    if not args.quiet or failed:
        t = report.translation
        extra = f"; {t.translated} sentences translated, {t.cached} from cache" if t else ""
        print(f"{done} written, {skipped} already done, {len(failed)} failed -> {out_dir}{extra}", file=sys.stderr)
    if not failed:
        return 0
    if len(failed) == len(report.results):  # nothing succeeded: say why with the matching exit code
        kinds = {r.error for r in failed}
        if kinds == {"input"}:
            return 2
        if kinds == {"output"}:
            return 5
    return 1


def cmd_segment(args) -> int:
    from .readers import read_document_text
    from .render import render_json
    from .segment import format_outline, segment

    text = read_document_text(Path(args.file))
    doc = segment(text, source=Path(args.file).name)
    if args.json:
        sys.stdout.write(render_json(doc))
    else:
        sys.stdout.write(format_outline(doc, show_segments=args.sentences).rstrip() + "\n")
    return 0


def cmd_models(args) -> int:
    from .models import TINY_DIR, build_tiny_models, download_model, resolve_model

    _quiet_libraries()
    if args.models_cmd == "build-tiny":
        for p in build_tiny_models(Path(args.dir), seed=args.seed, force=args.force):
            print(p)
        return 0
    if args.models_cmd == "download":
        dest = download_model(args.name, args.revision, Path(args.dir))
        print(f"downloaded {args.name} -> {dest}; point the config at it: --set translator.model={dest}")
        return 0
    if args.models_cmd == "convert":
        from .translate.ct2 import convert_to_ctranslate2

        model = resolve_model(args.model, args.revision, build_tiny=False)
        out = convert_to_ctranslate2(model.path, Path(args.out), quantization=args.quantization, force=args.force)
        print(f"converted {args.model} -> {out} ({args.quantization}); use it with --config configs/fast.yaml, "
              f"or --set translator.backend=ctranslate2 --set translator.ct2_model={out} for a translator "
              f"(summarizer.backend / summarizer.ct2_model for a summarizer)")
        return 0
    # `models` / `models list`: what the config needs and whether it is here.
    config = _load_config(args)
    status = 0
    for role, name, rev in (
        ("translator", config.translator.model, config.translator.revision),
        ("summarizer", config.summarizer.model if config.summarizer.kind == "abstractive" else None,
         config.summarizer.revision),
    ):
        if name is None:
            print(f"{role}: (none needed: summarizer.kind={config.summarizer.kind})")
            continue
        try:
            m = resolve_model(name, rev, root=config.root, build_tiny=False, role=role)
            print(f"{role}: {name} -> {m.path} (revision {m.revision})")
        except PipelineError as err:
            print(f"{role}: {name}: MISSING - {err} (hint: {err.hint})" if err.hint else f"{role}: {name}: MISSING - {err}")
            status = 4
    for section in ("translator", "summarizer"):
        sc = getattr(config, section)
        if sc.backend == "ctranslate2" and (section == "translator" or config.summarizer.kind == "abstractive"):
            ok = bool(sc.ct2_model) and (config.resolve_path(sc.ct2_model) / "model.bin").exists()
            print(f"{section} ctranslate2 model: {sc.ct2_model} "
                  f"{'ok' if ok else 'MISSING (run `python -m pipeline models convert`)'}")
            status = status if ok else 4
    print(f"tiny models folder: {TINY_DIR} (build with `python -m pipeline models build-tiny`)")
    return status


def cmd_check(args) -> int:
    from .evaluate import check_pairs, load_pairs
    from .fidelity import load_glossary

    pairs = load_pairs(Path(args.pairs))
    if args.measure:
        from .evaluate import measure_checker

        print(json.dumps(measure_checker(pairs, seed=args.seed, report_year=args.report_year), ensure_ascii=False, indent=2))
        return 0
    glossary = None
    for g in args.glossary:
        loaded = load_glossary(g)
        glossary = loaded if glossary is None else glossary.merge(loaded)
    rows, summary = check_pairs(pairs, glossary, report_year=args.report_year)
    lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if args.out:
        from .runner import write_atomic

        write_atomic(Path(args.out), lines)
    else:
        sys.stdout.write(lines)
    print(json.dumps({"summary": summary}, ensure_ascii=False), file=sys.stderr)
    return 0


def cmd_eval(args) -> int:
    from .evaluate import evaluate, load_pairs, render_eval_markdown
    from .runner import load_components, write_atomic
    from .translate import translate_texts

    config = _load_config(args)
    _quiet_libraries()
    pairs = load_pairs(Path(args.pairs))
    if args.limit:
        pairs = pairs[: args.limit]
    components = load_components(config, use_cache=not args.no_cache, cache_path=args.cache, out_dir=Path(args.out))
    progress = _BarProgress(args.quiet)
    progress.add_total(len(pairs))

    def translate_batch(texts: list[str]) -> list[str]:
        from .translate import split_for_translator

        pieces = {t: split_for_translator(t, components.translator) for t in texts}
        done = translate_texts([p for ps in pieces.values() for p in ps], components.translator,
                               components.settings, cache=components.cache,
                               guard=config.translator.repetition_guard)
        progress.advance(len(texts))
        return [" ".join(done[p].en for p in pieces[t] if p in done) for t in texts]

    try:
        report = evaluate(pairs, translate_batch, components.glossary)
    finally:
        progress.close()
        components.close()
    out = Path(args.out)
    data = report.to_dict()
    data["translator"] = {"model": config.translator.model, "backend": config.translator.backend,
                          "config": args.config, "config_hash": config.hash()}
    write_atomic(out / "eval.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    write_atomic(out / "eval.md", render_eval_markdown(report))
    print(f"wrote {out / 'eval.md'} and {out / 'eval.json'}", file=sys.stderr)
    return 0


def cmd_bench(args) -> int:
    from .bench import run_bench

    return run_bench(args.stage, Path(args.out), quick=args.quick, beams=args.beams, threads=args.threads,
                     device=args.device)


# --------------------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Chinese government reports -> aligned bilingual (zh/en) Markdown + JSON, with English summaries.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens (INFO level)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = sub.add_parser("run", help="translate and summarize reports into bilingual Markdown + JSON")
    r.add_argument("inputs", nargs="+", help="files, directories, globs, @list.txt, or a JSONL/CSV/Parquet table")
    _add_config_args(r)
    r.add_argument("--out", "-o", default="outputs", help="output folder (default: outputs/)")
    r.add_argument("--quiet", "-q", action="store_true", help="no progress bar or per-file lines")
    r.add_argument("--force", action="store_true", help="redo inputs the manifest says are done")
    r.add_argument("--no-cache", action="store_true", help="do not read or write the translation cache")
    r.add_argument("--cache", default=None, help="translation cache file (default: cache.path in the config)")
    r.add_argument("--engine", choices=("local", "ray"), default="local", help="local (default) or ray")
    r.add_argument("--device", choices=("cpu", "cuda", "auto"), default=None,
                   help="where the translator and the summarizer run (default: the config's)")
    r.add_argument("--per-document", action="store_true", help="translate each document alone (no cross-document batches)")
    r.add_argument("--text-column", default="text", help="text column of a table input (default: text)")
    r.add_argument("--id-column", default="id", help="id column of a table input (default: id)")
    r.set_defaults(func=cmd_run)

    s = sub.add_parser("segment", help="show a report's structure (no models): an outline, or JSON with --json")
    s.add_argument("file")
    s.add_argument("--json", action="store_true", help="print the run JSON schema with en = null")
    s.add_argument("--sentences", action="store_true", help="list the sentences in the outline too")
    s.set_defaults(func=cmd_segment)

    m = sub.add_parser("models", help="list, download, convert or build models")
    msub = m.add_subparsers(dest="models_cmd", metavar="ACTION")
    ml = msub.add_parser("list", help="the models a config needs and whether they are here (default action)")
    _add_config_args(ml, nested=True)
    _add_config_args(m)
    bt = msub.add_parser("build-tiny", help="build the tiny offline test models under models/tiny/")
    bt.add_argument("--dir", default="models/tiny")
    bt.add_argument("--seed", type=int, default=0)
    bt.add_argument("--force", action="store_true", help="rebuild even if present")
    dl = msub.add_parser("download", help="download a hub model into models/ (needs network)")
    dl.add_argument("name", help="hub id, e.g. Helsinki-NLP/opus-mt-zh-en")
    dl.add_argument("--revision", default=None)
    dl.add_argument("--dir", default="models")
    cv = msub.add_parser("convert", help="convert a local Marian model to CTranslate2 (needs .[fast])")
    cv.add_argument("model", nargs="?", default="models/opus-mt-zh-en", help="local folder or cached hub id")
    cv.add_argument("--revision", default=None)
    cv.add_argument("--out", default="models/opus-mt-zh-en-ct2-int8")
    cv.add_argument("--quantization", default="int8", choices=("int8", "int8_float32", "int16", "float32", "float16"))
    cv.add_argument("--force", action="store_true")
    m.set_defaults(func=cmd_models)

    c = sub.add_parser("check", help="check numbers and terms of zh/en pairs (TSV/CSV/JSONL or a run JSON)")
    c.add_argument("pairs")
    c.add_argument("--glossary", action="append", default=["configs/glossary/gov-report.tsv"],
                   help="glossary TSV (repeatable; default: configs/glossary/gov-report.tsv)")
    c.add_argument("--out", default=None, help="write the JSON lines here instead of stdout")
    c.add_argument("--report-year", type=int, default=None,
                   help="the report's year, so that 今年/过去一年 match 'this year'/2024 (default: years are matched loosely)")
    c.add_argument("--measure", action="store_true",
                   help="measure the checker on these (reference) pairs: false alarms, and detection of injected errors")
    c.add_argument("--seed", type=int, default=0, help="seed of the error injector for --measure")
    c.set_defaults(func=cmd_check)

    e = sub.add_parser("eval", help="translate the zh column of a pair file and score it (BLEU, chrF, fidelity)")
    e.add_argument("--pairs", required=True)
    _add_config_args(e)
    e.add_argument("--out", default="outputs/eval")
    e.add_argument("--limit", type=int, default=0, help="only the first N pairs")
    e.add_argument("--quiet", "-q", action="store_true")
    e.add_argument("--no-cache", action="store_true")
    e.add_argument("--cache", default=None)
    e.set_defaults(func=cmd_eval)

    b = sub.add_parser("bench", help="measure speed and memory (see README, Benchmarks)")
    b.add_argument("--stage", choices=("translate", "summarize", "segment", "batch", "pipeline"), default="translate")
    b.add_argument("--out", default="outputs/bench")
    b.add_argument("--beams", type=int, default=None, help="beams (translate: translator; summarize: summarizer)")
    b.add_argument("--device", choices=("cpu", "cuda", "auto"), default=None, help="pipeline stage: model device")
    b.add_argument("--threads", type=int, default=0, help="0 = all cores")
    b.add_argument("--quick", action="store_true", help="a small subset (smoke test)")
    b.set_defaults(func=cmd_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "models" and args.models_cmd is None:
        args.models_cmd = "list"
    try:
        return args.func(args)
    except PipelineError as err:
        # One line: what went wrong and how to fix it.
        print(f"error: {err}" + (f"; {err.hint}" if err.hint else ""), file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted: finished documents and cached sentences are kept; run again to resume", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
