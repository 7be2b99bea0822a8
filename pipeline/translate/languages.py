"""Source and target languages of multilingual translation models (NLLB-200, M2M100), shared by both
backends: the tokenizer is told the source language (it writes the source-language token), and decoding
starts with the target-language token (transformers: ``forced_bos_token_id``; CTranslate2: a target
prefix). Marian models are one language pair and take no language settings.

``translator.src_lang`` / ``tgt_lang`` use the model's own codes: ``zho_Hans`` / ``eng_Latn`` for NLLB-200,
``zh`` / ``en`` for M2M100. Both are checked against the tokenizer when the model loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError

_NLLB_CODE = re.compile(r"^[a-z]{3}_[A-Z][a-z]{3}$")  # zho_Hans, eng_Latn, ...


@dataclass(frozen=True)
class LanguagePair:
    src_lang: str
    tgt_lang: str
    forced_bos_id: int  # the target-language token decoding starts with
    forced_bos_token: str
    code_ids: frozenset[int]  # every language token: never generated inside a sentence


def language_codes(tokenizer: Any) -> dict[str, int]:
    """The tokenizer's language codes (as a config writes them) and their token ids; empty for a model
    without language tokens (Marian)."""
    table = getattr(tokenizer, "lang_token_to_id", None)  # M2M100: "__en__" -> id
    if isinstance(table, dict) and table:
        return {token.strip("_"): int(i) for token, i in table.items()}
    if not hasattr(tokenizer, "src_lang"):
        return {}
    extra = getattr(tokenizer, "extra_special_tokens", None) or getattr(tokenizer, "additional_special_tokens", None)
    tokens = list(extra.values()) if isinstance(extra, dict) else list(extra or [])
    return {str(t): tokenizer.convert_tokens_to_ids(str(t)) for t in tokens if _NLLB_CODE.match(str(t))}


def _token(tokenizer: Any, code: str) -> str:
    table = getattr(tokenizer, "lang_token_to_id", None)
    return f"__{code}__" if isinstance(table, dict) and table else code


def setup_languages(tokenizer: Any, src_lang: str | None, tgt_lang: str | None, model_name: str) -> LanguagePair | None:
    """Configure ``tokenizer`` for ``src_lang`` and return what decoding needs, or None for a one-pair
    model; a missing, unknown or superfluous language setting is a :class:`ConfigError`."""
    codes = language_codes(tokenizer)
    if not codes:
        if src_lang or tgt_lang:
            raise ConfigError(f"translator.src_lang/tgt_lang: {model_name!r} translates one language pair and has "
                              "no language codes", hint="remove translator.src_lang and translator.tgt_lang")
        return None
    examples = "zho_Hans/eng_Latn for NLLB-200" if any("_" in c for c in codes) else "zh/en for M2M100"
    if not src_lang or not tgt_lang:
        raise ConfigError(f"translator.src_lang, translator.tgt_lang: {model_name!r} is a multilingual model; "
                          f"both are needed ({examples})", hint="see configs/nllb.yaml")
    for key, code in (("src_lang", src_lang), ("tgt_lang", tgt_lang)):
        if code not in codes:
            near = sorted(c for c in codes if c[:2] == code[:2])[:6]
            raise ConfigError(f"translator.{key}: {code!r} is not a language code of {model_name!r}"
                              + (f" (close: {', '.join(near)})" if near else f" ({examples})"))
    tokenizer.src_lang = src_lang
    if hasattr(tokenizer, "tgt_lang"):
        tokenizer.tgt_lang = tgt_lang
    token = _token(tokenizer, tgt_lang)
    return LanguagePair(src_lang, tgt_lang, codes[tgt_lang], token, frozenset(codes.values()))
