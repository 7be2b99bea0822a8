"""``segment`` (structure only) and ``models`` (list, build-tiny, download, convert)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import InputError, PipelineError
from .common import load_config_from_args, quiet_libraries


def cmd_segment(args) -> int:
    from ..readers import canonical_encoding, read_document
    from ..render import render_json
    from ..segment import format_outline, segment

    encoding = canonical_encoding(args.encoding) if args.encoding else None
    if args.lint:
        return _lint(args, encoding)
    if len(args.files) > 1:
        raise InputError("segment: one FILE at a time (or --lint for several)")
    text = read_document(Path(args.files[0]), encoding=encoding).text
    doc = segment(text, source=Path(args.files[0]).name)
    if args.json:
        sys.stdout.write(render_json(doc))
    else:
        sys.stdout.write(format_outline(doc, show_segments=args.sentences).rstrip() + "\n")
    return 0


def _lint(args, encoding: str | None) -> int:
    """``segment --lint``: the structure findings of every input, one line each (exit 1 when any, 2 when
    an input cannot be read)."""
    from ..batch.inputs import InputItem, iter_inputs
    from ..segment import apply_input_meta, lint_document, segment

    findings = unreadable = documents = 0
    for item in iter_inputs(args.files, text_column=args.text_column, id_column=args.id_column, encoding=encoding):
        if not isinstance(item, InputItem):
            print(f"error: {item.error}", file=sys.stderr)
            unreadable += 1
            continue
        try:
            loaded = item.loader()
        except PipelineError as err:
            print(f"error: {err}", file=sys.stderr)
            unreadable += 1
            continue
        documents += 1
        doc = segment(getattr(loaded, "text", loaded), source=Path(item.name).name)
        if getattr(loaded, "meta", None):
            apply_input_meta(doc, loaded.meta)
        for finding in lint_document(doc):
            print(finding.line(item.name))
            findings += 1
    print(f"{documents} document{'s' if documents != 1 else ''} checked: {findings} finding{'s' if findings != 1 else ''}"
          + (f", {unreadable} unreadable" if unreadable else ""), file=sys.stderr)
    return 2 if unreadable else (1 if findings else 0)


def cmd_models(args) -> int:
    from ..models import build_tiny_models, download_model, resolve_model, tiny_models_current

    if args.models_cmd == "build-tiny":
        only = tuple(args.only) if args.only else None
        tokenizer = Path(args.tokenizer) if args.tokenizer else None
        if args.force or only or not tiny_models_current(Path(args.dir), seed=args.seed, tokenizer=tokenizer):
            quiet_libraries()
            print(f"building the tiny offline models under {args.dir} (seconds; random weights, gibberish output)",
                  file=sys.stderr)
        for p in build_tiny_models(Path(args.dir), seed=args.seed, force=args.force, only=only, tokenizer=tokenizer):
            print(p)
        return 0
    quiet_libraries()
    if args.models_cmd == "download" and args.name is None:
        from ..models import download_config_models

        config = load_config_from_args(args)
        for path in download_config_models(config, Path(args.dir), lambda line: print(line, file=sys.stderr)):
            print(path)
        print(f"every model of {config.source_path or 'the default config'} is here", file=sys.stderr)
        return 0
    if args.models_cmd == "download":
        dest = download_model(args.name, args.revision, Path(args.dir))
        print(f"downloaded {args.name} -> {dest}; point the config at it: --set translator.model={dest}")
        return 0
    if args.models_cmd == "calibrate":
        return _calibrate(args)
    if args.models_cmd == "convert":
        from ..translate.ct2 import convert_to_ctranslate2, vmap_size

        model = resolve_model(args.model, args.revision)
        out = convert_to_ctranslate2(model.path, Path(args.out), quantization=args.quantization, force=args.force)
        kept = vmap_size(out)
        vmap = f", target vocabulary map: {kept:,} tokens (translator.output_vocab: target)" if kept else ""
        print(f"converted {args.model} -> {out} ({args.quantization}{vmap}); use it with --config fast "
              f"or --set translator.backend=ctranslate2 --set translator.ct2_model={out}")
        return 0
    return _list_models(args)


def _calibrate(args) -> int:
    """`models calibrate`: time each path `backend: auto` can take for the translator and the summarizer,
    store the fastest for this machine and model, print the timings."""
    import json

    from ..translate.calibrate import calibrate_section, calibration_file, store_calibration, stored_entry

    if args.sentences < 2:
        raise InputError(f"--sentences: at least 2 (got {args.sentences})")
    config = load_config_from_args(args)
    sections = [args.only] if args.only else ["translator"] + (
        ["summarizer"] if config.summarizer.kind == "abstractive" else [])
    entries = []
    for section in sections:
        entry = None if args.force else stored_entry(config, section)
        if entry is None:
            cal = calibrate_section(config, section, texts=args.sentences,
                                    log=lambda line: print(line, file=sys.stderr))
            if cal.choice is None:
                print(f"{section}: no path could run; nothing stored", file=sys.stderr)
                return 4
            store_calibration(cal)
            entry = cal.to_json()
        else:
            print(f"{section}: calibrated already on {entry['date']} (--force to time again)", file=sys.stderr)
        entries.append(entry)
        if not args.json:
            choice = entry["choice"]
            for t in entry["timings"]:
                mark = "*" if (t["backend"], t["number_format"]) == (choice["backend"], choice["number_format"]) else " "
                took = f"{t['seconds']:8.2f} s" if t["seconds"] is not None else f"  failed: {t.get('error', '')}"
                agree = f"  agreement {t['agreement']:.0%}" if t.get("agreement") is not None else ""
                print(f"{mark} {section:<10} {t['backend']:<12} {t['number_format']:<9}{took}{agree}")
    if args.json:
        print(json.dumps(entries, ensure_ascii=False, indent=1))
    print(f"stored in {calibration_file()}; backend: auto takes the * path on this machine", file=sys.stderr)
    return 0


def _vocabulary(model_path: str | None) -> dict[str, int] | None:
    """The tokenizer vocabulary of the model at ``model_path`` (None when there is none to read)."""
    if model_path is None:
        return None
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(model_path).get_vocab()
    except (OSError, ValueError):
        return None


def _list_models(args) -> int:
    """`models` / `models list`: what the config needs and whether it is here."""
    from ..models import resolve_model

    config = load_config_from_args(args)
    status = 0
    found: dict[str, str] = {}
    for role, name, rev in (
        ("translator", config.translator.model, config.translator.revision),
        ("summarizer", config.summarizer.model if config.summarizer.kind == "abstractive" else None,
         config.summarizer.revision),
    ):
        if name is None:
            print(f"{role}: (none needed: summarizer.kind={config.summarizer.kind})")
            continue
        try:
            m = resolve_model(name, rev, root=config.root, role=role)
            found[role] = m.path
            print(f"{role}: {name} -> {m.path} (revision {m.revision})")
        except PipelineError as err:
            print(f"{role}: {name}: MISSING - {err.line()}")
            status = 4
    for role in ("translator", "summarizer"):
        section = getattr(config, role)
        backend = section.backend
        if backend == "auto":  # the path this CPU gets (configs/fast.yaml)
            from ..translate.fastest import section_path

            backend = section_path(config, role).backend
        if backend != "ctranslate2" or (role == "summarizer" and section.kind != "abstractive"):
            continue
        ct2 = section.ct2_model
        ok = bool(ct2) and (config.resolve_path(ct2) / "model.bin").exists()
        state = "ok" if ok else "MISSING (run `python -m pipeline models convert`)"
        if ok and role == "translator":
            from ..translate.ct2 import vmap_size

            try:
                kept = vmap_size(config.resolve_path(ct2), _vocabulary(found.get("translator")))
            except PipelineError as err:
                ok, state = False, f"BROKEN - {err.line()}"
            else:
                if kept is None and section.output_vocab == "target":
                    ok, state = False, "NO VOCABULARY MAP for output_vocab: target (convert it again with --force)"
        print(f"{role} ctranslate2 model: {ct2} {state}")
        status = status if ok else 4
    return status
