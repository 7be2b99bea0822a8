"""The translator's output vocabulary (``translator.output_vocab``).

OPUS-MT models keep two SentencePiece models, one per language, over one joint vocabulary: zh->en has
65,001 entries, about half of them Chinese pieces that only the source model produces ("spm32k,spm32k" on
its model card). The model was trained on English targets written with the target model, and a Chinese
piece in an English translation is untranslated text, never wanted. ``output_vocab: target`` keeps those
source-only pieces out of the output: the transformers backend suppresses them at every step, CTranslate2
leaves them out of its output layer (the "vocabulary map" that ``models convert`` writes), which makes
every decoding step cheaper; the vocabulary projection is the largest single matrix of a step.

Kept: every entry the target model can write, and every entry neither model has (special tokens, and the
raw characters Marian's vocabulary took from text the SentencePiece models left as unknown).
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError

VMAP_FILE = "vmap.txt"  # where CTranslate2 keeps a vocabulary map inside a converted model


def _pieces(sp: Any) -> set[str]:
    return {sp.id_to_piece(i) for i in range(sp.get_piece_size())}


def source_only_tokens(tokenizer: Any) -> set[str] | None:
    """The vocabulary entries only the source SentencePiece model produces; None when ``tokenizer`` has
    no such split (not a MarianTokenizer, or one whose target side has a vocabulary of its own)."""
    source, target = getattr(tokenizer, "spm_source", None), getattr(tokenizer, "spm_target", None)
    if source is None or target is None or getattr(tokenizer, "separate_vocabs", False):
        return None
    vocab = tokenizer.get_vocab()
    return {t for t in _pieces(source) - _pieces(target) if t in vocab}


def target_tokens(tokenizer: Any) -> list[str] | None:
    """The output vocabulary of ``output_vocab: target`` in id order; None when it cannot be told apart or
    would be the whole vocabulary."""
    excluded = source_only_tokens(tokenizer)
    if not excluded:
        return None
    vocab = tokenizer.get_vocab()
    return [t for t in sorted(vocab, key=vocab.__getitem__) if t not in excluded]


def excluded_ids(tokenizer: Any) -> list[int] | None:
    """The ids ``output_vocab: target`` suppresses (sorted); None as for :func:`target_tokens`."""
    excluded = source_only_tokens(tokenizer)
    if not excluded:
        return None
    vocab = tokenizer.get_vocab()
    return sorted(vocab[t] for t in excluded)


def vmap_text(tokens: list[str]) -> str:
    """A CTranslate2 vocabulary map whose one rule (the empty source n-gram) makes ``tokens`` the candidates
    of every batch. A token with a space, tab or line break cannot be written in the file's format (Marian
    vocabularies, made from space-split text, have none)."""
    return "\t" + " ".join(t for t in tokens if not any(c in t for c in " \t\r\n")) + "\n"


def no_target_vocab(model: str) -> ConfigError:
    return ConfigError(
        f"translator.output_vocab: target needs a tokenizer with separate source and target SentencePiece "
        f"models (OPUS-MT's MarianTokenizer); {model} has none",
        hint="set translator.output_vocab: full",
    )
