"""Components: the loaded models, settings, glossary and cache of a run, built by ONE factory for every
engine (the local runner, the Ray driver and the Ray actors), and the run signature built in one place.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..config import Config
from ..document import Document
from ..errors import ConfigError

# --------------------------------------------------------------------------------------------------------
# Components: the loaded models and settings, built once per batch


@dataclass
class Components:
    config: Config
    translator: Any
    settings: Any  # translate.GenerationSettings
    summarizer: Any | None
    glossary: Any | None
    cache: Any | None
    summarizer_info: dict[str, Any] = field(default_factory=dict)
    glossary_sha256: str | None = None
    glossary_sources: list[str] = field(default_factory=list)

    def translator_signature(self) -> dict[str, Any]:
        from ..translate import translator_signature

        return translator_signature(self.translator, self.settings, self.config.translator.repetition_guard)

    def facts(self) -> dict[str, Any]:
        """Everything that shapes an output, as data: the run signature hashes it, provenance records it."""
        return {
            "config": self.config.hash(),
            "translator": self.translator_signature(),
            "summarizer": self.summarizer_info,
            "glossary": self.glossary_sha256,
            "version": __version__,
        }

    def run_signature(self) -> str:
        """A document done under another signature is redone."""
        return hashlib.sha256(json.dumps(self.facts(), sort_keys=True).encode()).hexdigest()[:16]

    def provenance(self, doc: Document, content_hash: str) -> dict[str, Any]:
        facts = self.facts()
        return {
            "package": {"name": "zh-report-pipeline", "version": facts["version"]},
            "config": {"file": self.config.source_path, "hash": facts["config"]},
            "source": {"file": doc.source, "sha256": content_hash},
            "translator": facts["translator"],
            "summarizer": facts["summarizer"],
            "glossary_sha256": facts["glossary"],
            "glossary_sources": self.glossary_sources,
            "alignment": self.config.output.alignment,
        }

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()


def load_translator(config: Config):
    from ..models import folder_fingerprint, resolve_model
    from ..translate import CTranslate2Translator, TransformersTranslator

    tc = config.translator
    model = resolve_model(tc.model, tc.revision, root=config.root, role="translator")
    if tc.backend == "ctranslate2":
        ct2 = config.resolve_path(tc.ct2_model or "")
        if not (ct2 / "model.bin").exists():
            raise ConfigError(
                f"translator.ct2_model: {tc.ct2_model!r} is not a CTranslate2 model folder",
                hint=f"create it with `python -m pipeline models convert {tc.model} --out {tc.ct2_model}`",
            )
        return CTranslate2Translator(
            str(ct2), model.path, model_name=model.name, revision=f"{model.revision}+{folder_fingerprint(ct2)}",
            compute_type=tc.ct2_compute_type, max_input_tokens=tc.max_input_tokens, batch_tokens=tc.batch_tokens,
            threads=tc.threads, device=tc.device,
        )
    return TransformersTranslator(
        model.path, model_name=model.name, revision=model.revision, max_input_tokens=tc.max_input_tokens,
        batch_tokens=tc.batch_tokens, threads=tc.threads, device=tc.device,
    )


def generation_settings(config: Config):
    from ..translate import GenerationSettings

    tc = config.translator
    return GenerationSettings(
        num_beams=tc.num_beams, max_length_ratio=tc.max_length_ratio, max_length_slack=tc.max_length_slack
    )


def load_summarizer(config: Config, translator: Any, settings: Any) -> tuple[Any | None, dict[str, Any]]:
    sc = config.summarizer
    if sc.kind == "none":
        return None, {"kind": "none"}
    if sc.kind == "extractive":
        info = {"kind": "extractive", "method": "textrank-jieba", "sentences": sc.extractive_sentences,
                "chars": sc.extractive_chars}
        from ..summarize import ExtractiveSummarizer

        return ExtractiveSummarizer(sc.extractive_sentences, sc.extractive_chars), info
    from ..models import resolve_model
    from ..summarize import AbstractiveSummarizer
    from ..translate import translate_texts

    model = resolve_model(sc.model, sc.revision, root=config.root, role="summarizer")

    def translate(texts: list[str]) -> list[str]:
        done = translate_texts(texts, translator, settings, guard=False)
        return [done[t].en if t in done else "" for t in texts]

    summarizer = AbstractiveSummarizer(
        model.path, model_name=model.name, revision=model.revision, input_lang=sc.input,
        max_input_tokens=sc.max_input_tokens, num_beams=sc.num_beams, min_length_ratio=sc.min_length_ratio,
        max_length_ratio=sc.max_length_ratio, min_new_tokens=sc.min_new_tokens, max_new_tokens=sc.max_new_tokens,
        threads=sc.threads, translate=translate,
    )
    info = {"kind": "abstractive", "model": model.name, "revision": model.revision, "input": sc.input,
            "num_beams": sc.num_beams, "max_input_tokens": summarizer.max_input_tokens,
            "no_repeat_ngram_size": summarizer.no_repeat_ngram_size,
            "length_ratio": [sc.min_length_ratio, sc.max_length_ratio], "new_tokens": [sc.min_new_tokens, sc.max_new_tokens]}
    return summarizer, info


def default_cache_path(out_dir: Path) -> Path:
    return Path(out_dir) / ".cache" / "translations.sqlite"


def load_glossary_files(config: Config) -> tuple[Any | None, str | None, list[str]]:
    """The config's glossaries merged into one (with their hash and sources), or (None, None, [])."""
    if not (config.fidelity.enabled and config.fidelity.glossaries):
        return None, None, []
    from ..fidelity import load_glossaries

    glossary = load_glossaries([config.resolve_path(g) for g in config.fidelity.glossaries])
    return glossary, glossary.sha256[:16], [str(g) for g in config.fidelity.glossaries]


def open_cache(config: Config, out_dir: Path, *, use_cache: bool = True, cache_path: str | Path | None = None):
    """The translation cache: ``--cache``, else ``cache.path`` in the config, else under the output folder."""
    if not (use_cache and config.cache.enabled):
        return None
    from ..cache import TranslationCache

    path = cache_path or (config.resolve_path(config.cache.path) if config.cache.path else None)
    return TranslationCache(path or default_cache_path(out_dir))


def load_components(
    config: Config, out_dir: Path, *, use_cache: bool = True, cache_path: str | Path | None = None
) -> Components:
    """Load everything a run needs; the cheap checks (glossaries, cache) come before the models."""
    glossary, glossary_hash, sources = load_glossary_files(config)
    cache = open_cache(config, out_dir, use_cache=use_cache, cache_path=cache_path)
    try:
        translator = load_translator(config)
        settings = generation_settings(config)
        summarizer, info = load_summarizer(config, translator, settings)
    except BaseException:
        if cache is not None:
            cache.close()
        raise
    return Components(config, translator, settings, summarizer, glossary, cache, info, glossary_hash, sources)
