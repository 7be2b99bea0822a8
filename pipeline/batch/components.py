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
    memory: Any | None = None  # translate.memory.TranslationMemory of config.tm.files (None: no memory)
    human: Any | None = None  # where import-edits keeps human translations: the cache (read even with --no-cache)

    def service(self, produce: Any = None):
        """The one way texts are translated in a run: this translator, settings, guard and cache;
        ``produce`` replaces local model calls (the Ray engine's actor pool)."""
        from ..translate import TranslationService

        return TranslationService(self.translator, self.settings, guard=self.config.translator.repetition_guard,
                                  cache=self.cache, produce=produce)

    def recall(self, doc: Document):
        """English from a person (``import-edits``, kept in the cache) or the translation memory, filled in
        before the model (in place); returns the counts (translate.memory.RecallCounts)."""
        from ..translate.memory import recall

        store = self.human if self.human is not None else self.cache
        texts = [doc.title.zh] + [sec.title.zh for sec in doc.walk_sections()] + [s.zh for s in doc.all_segments()]
        human = store.human_get_many(texts) if store is not None else None
        return recall(doc, self.memory, human, use_fuzzy=self.config.tm.use_fuzzy)

    def translator_signature(self) -> dict[str, Any]:
        return self.service().signature()

    def facts(self) -> dict[str, Any]:
        """Everything that shapes an output, as data: the run signature hashes it, provenance records it."""
        facts = {
            "config": self.config.hash(),
            "translator": self.translator_signature(),
            "summarizer": self.summarizer_info,
            "glossary": self.glossary_sha256,
            "version": __version__,
        }
        if self.memory is not None:  # only then: runs without a memory keep their signature
            facts["tm"] = self.memory.fingerprint
        return facts

    def run_signature(self) -> str:
        """A document done under another signature is redone."""
        return hashlib.sha256(json.dumps(self.facts(), sort_keys=True).encode()).hexdigest()[:16]

    def provenance(self, doc: Document, content_hash: str, read_as: dict[str, str] | None = None) -> dict[str, Any]:
        facts = self.facts()
        return {
            "package": {"name": "zh-report-pipeline", "version": facts["version"]},
            "config": {"file": self.config.source_path, "hash": facts["config"]},
            "source": {"file": doc.source, "sha256": content_hash, **(read_as or {})},
            "translator": facts["translator"],
            "summarizer": facts["summarizer"],
            "glossary_sha256": facts["glossary"],
            "glossary_sources": self.glossary_sources,
            "alignment": self.config.output.alignment,
            **({"tiny_models": True} if made_with_tiny_models(self.config) else {}),
            **({"tm": {"files": list(self.config.tm.files), "sha256": facts["tm"], "entries": len(self.memory),
                       "fuzzy_threshold": self.config.tm.fuzzy_threshold, "use_fuzzy": self.config.tm.use_fuzzy}}
               if self.memory is not None else {}),
        }

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
        if self.human is not None and self.human is not self.cache:
            self.human.close()


def load_translator(config: Config, glossary: Any | None = None):
    """The translator of ``config.translator`` (a backend from the registry)."""
    from ..translate import build_translator

    return build_translator(config, glossary)


def generation_settings(config: Config):
    from ..translate import GenerationSettings

    return GenerationSettings.from_config(config.translator)


def load_summarizer(config: Config, translator: Any, settings: Any) -> tuple[Any | None, dict[str, Any]]:
    """The summarizer of ``config.summarizer`` and its facts; Chinese summaries (``input: zh``) are
    translated by ``translator`` with ``settings`` (no repetition guard)."""
    from ..summarize import build_summarizer
    from ..translate import TranslationService

    return build_summarizer(config, TranslationService(translator, settings, guard=False).translate_list)


def default_cache_path(out_dir: Path) -> Path:
    return Path(out_dir) / ".cache" / "translations.sqlite"


def load_glossary_files(config: Config) -> tuple[Any | None, str | None, list[str]]:
    """The config's glossaries merged into one (with their hash and sources), or (None, None, [])."""
    if not (config.fidelity.enabled and config.fidelity.glossaries):
        return None, None, []
    from ..fidelity import load_glossaries

    glossary = load_glossaries([config.resolve_path(g) for g in config.fidelity.glossaries])
    return glossary, glossary.sha256[:16], [str(g) for g in config.fidelity.glossaries]


def made_with_tiny_models(config: Config) -> bool:
    """Whether a model of ``config`` is one of the tiny test models (its folder carries their build stamp)."""
    from ..models import BUILDER_STAMP, looks_like_path, needed_models

    return any(looks_like_path(n.name) and (config.resolve_path(n.name) / BUILDER_STAMP).is_file()
               for n in needed_models(config))


def load_tm(config: Config):
    """The translation memory of ``config.tm.files`` (None when it lists none)."""
    if not config.tm.files:
        return None
    from ..translate.memory import load_memory

    return load_memory([config.resolve_path(f) for f in config.tm.files], config.tm.fuzzy_threshold)


def open_cache(config: Config, out_dir: Path, *, use_cache: bool = True, cache_path: str | Path | None = None):
    """The translation cache: ``--cache``, else ``cache.path`` in the config, else under the output folder."""
    if not (use_cache and config.cache.enabled):
        return None
    from ..translate.cache import TranslationCache

    path = cache_path or (config.resolve_path(config.cache.path) if config.cache.path else None)
    return TranslationCache(path or default_cache_path(out_dir))


def open_human_store(config: Config, out_dir: Path, cache_path: str | Path | None = None):
    """The translation cache file, opened for its human translations only, when the cache is off for this
    run (``--no-cache``) but the file exists: a later run never overwrites a person's correction."""
    from ..translate.cache import TranslationCache

    path = Path(cache_path or (config.resolve_path(config.cache.path) if config.cache.path else default_cache_path(out_dir)))
    return TranslationCache(path) if path.is_file() else None


def load_components(
    config: Config, out_dir: Path, *, use_cache: bool = True, cache_path: str | Path | None = None
) -> Components:
    """Load everything a run needs; the cheap checks (glossaries, cache) come before the models."""
    glossary, glossary_hash, sources = load_glossary_files(config)
    memory = load_tm(config)
    from ..models import check_models_present

    check_models_present(config)  # every missing model named at once, before anything loads
    cache = open_cache(config, out_dir, use_cache=use_cache, cache_path=cache_path)
    human = cache if cache is not None else open_human_store(config, out_dir, cache_path)
    try:
        translator = load_translator(config, glossary)
        settings = generation_settings(config)
        summarizer, info = load_summarizer(config, translator, settings)
    except BaseException:
        for store in {id(s): s for s in (cache, human) if s is not None}.values():
            store.close()
        raise
    return Components(config, translator, settings, summarizer, glossary, cache, info, glossary_hash, sources, memory,
                      human)
