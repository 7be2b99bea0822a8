"""Translation: the ``Translator`` interface (``base``), a backend registry (``registry``: transformers,
ctranslate2, identity), the shared generation loop (``generation``), the persistent cache (``cache``) and the
stage (``stage``: :class:`TranslationService` translates texts through guard and cache; texts_to_translate /
apply_translations move them in and out of a document).

Importing this package loads no model library; backends are imported when built.
"""

from .base import (
    GenerationSettings,
    IdentityTranslator,
    Translation,
    Translator,
    find_degeneration,
    plan_batches,
)
from .registry import build_translator
from .stage import (
    TranslatedText,
    TranslationService,
    TranslationStats,
    apply_translations,
    split_for_translator,
    texts_to_translate,
    translate_cached,
    translate_document,
    translate_guarded,
    translate_texts,
    translator_signature,
)

__all__ = [
    "GenerationSettings",
    "IdentityTranslator",
    "TranslatedText",
    "Translation",
    "TranslationService",
    "TranslationStats",
    "Translator",
    "apply_translations",
    "build_translator",
    "find_degeneration",
    "plan_batches",
    "split_for_translator",
    "texts_to_translate",
    "translate_cached",
    "translate_document",
    "translate_guarded",
    "translate_texts",
    "translator_signature",
]

_LAZY = {
    "TransformersTranslator": "pipeline.translate.hf",
    "CTranslate2Translator": "pipeline.translate.ct2",
    "convert_to_ctranslate2": "pipeline.translate.ct2",
}


def __getattr__(name: str):
    """The backends, imported on first use (they pull in torch / ctranslate2)."""
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'pipeline.translate' has no attribute {name!r}")
