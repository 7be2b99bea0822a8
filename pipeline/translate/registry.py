"""Backends by name: ``name -> "module:Class"``, imported only when used (torch, ctranslate2 stay unloaded
until a run needs them). The config's allowed names come from here.

A translator class builds itself from the whole config with ``Class.from_config(config, glossary)`` and
signs itself with ``.signature()``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from ..errors import ConfigError

TRANSLATORS: dict[str, str] = {
    "transformers": "pipeline.translate.hf:TransformersTranslator",
    "ctranslate2": "pipeline.translate.ct2:CTranslate2Translator",
    "identity": "pipeline.translate.base:IdentityTranslator",  # tests and dry runs: the source, unchanged
    "auto": "pipeline.translate.fastest:FastestTranslator",  # the fastest of the two above for this CPU
}

# Seq2seq generators for the abstractive summarizer (summarizer.backend).
SUMMARIZER_BACKENDS: dict[str, str] = {
    "transformers": "pipeline.summarize.abstractive:TransformersGenerator",
    "ctranslate2": "pipeline.translate.ct2:CTranslate2Generator",
    "auto": "pipeline.translate.fastest:FastestGenerator",  # the fastest of the two above for this CPU
}

TRANSLATOR_NAMES = tuple(TRANSLATORS)
SUMMARIZER_BACKEND_NAMES = tuple(SUMMARIZER_BACKENDS)


def _load(table: dict[str, str], name: str, key: str) -> Any:
    if name not in table:
        raise ConfigError(f"{key}: got {name!r}, expected one of {', '.join(map(repr, table))}")
    module, _, attr = table[name].partition(":")
    return getattr(import_module(module), attr)


def translator_class(name: str) -> Any:
    return _load(TRANSLATORS, name, "translator.backend")


def summarizer_backend_class(name: str) -> Any:
    return _load(SUMMARIZER_BACKENDS, name, "summarizer.backend")


def build_translator(config: Any, glossary: Any = None) -> Any:
    """The translator named by ``config.translator.backend``, built from its config section (model paths
    resolved against ``config.root``). ``glossary`` feeds the decoding bias (``glossary_weight``)."""
    return translator_class(config.translator.backend).from_config(config, glossary)
