"""Helpers shared by the commands: config options and loading, library noise."""

from __future__ import annotations

import argparse

DEFAULT_CONFIG = "default"
DEFAULT_GLOSSARY = "glossary/gov-report.tsv"  # under the shipped configs


def add_config_args(p: argparse.ArgumentParser, default: str | None = DEFAULT_CONFIG, *, nested: bool = False) -> None:
    # nested: a sub-command's copy of the options must not overwrite what was given before the sub-command
    p.add_argument("--config", "-c", default=argparse.SUPPRESS if nested else default, metavar="CONFIG",
                   help="a YAML config file, or the name of a shipped config: default, fast, extractive, "
                        "zh-summary, nllb, tiny" + (f" (default: {default})" if default else ""))
    p.add_argument("--set", dest="overrides", action="append", default=argparse.SUPPRESS if nested else [],
                   metavar="KEY=VALUE",
                   help="override a config value by its dotted key, e.g. --set translator.num_beams=2 (repeatable)")
    p.add_argument("--glossary", action="append", default=argparse.SUPPRESS if nested else None, metavar="TSV",
                   help="glossary TSV (zh<TAB>en; repeatable) used INSTEAD of the config's glossaries")
    p.add_argument("--no-glossary", action="store_true", default=argparse.SUPPRESS if nested else False,
                   help="no glossary: term checks off")
    p.add_argument("--device", choices=("cpu", "cuda", "auto"), default=argparse.SUPPRESS if nested else None,
                   help="where the models run (sets translator.device and summarizer.device)")


def glossary_overrides(args) -> list[str]:
    import json

    if getattr(args, "no_glossary", False):
        return ["fidelity.glossaries=[]"]
    if getattr(args, "glossary", None):
        return ["fidelity.glossaries=" + json.dumps([str(g) for g in args.glossary])]
    return []


def load_config_from_args(args):
    from ..config import load_config

    overrides = []
    if getattr(args, "device", None):  # first, so that an explicit --set still wins
        overrides += [f"translator.device={args.device}", f"summarizer.device={args.device}"]
    overrides += list(getattr(args, "overrides", []) or []) + glossary_overrides(args)
    return load_config(args.config, overrides)


def quiet_libraries() -> None:
    """Model-loading bars and library advice are not for our users' consoles (the CLI's call to make)."""
    from ..translate.generation import quiet_transformers

    quiet_transformers()
