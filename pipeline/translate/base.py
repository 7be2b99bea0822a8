"""The translation interface: decoding settings, one output, the ``Translator`` protocol, length-sorted
batch planning and the degenerate-output test. No model library is imported here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol


@dataclass(frozen=True)
class GenerationSettings:
    """Decoding settings that shape the output (they are part of the cache key and the provenance).

    Output length per sentence of ``n`` source tokens: at least ``ceil(min_length_ratio * n)`` new tokens
    (0 by default: the model ends the sentence) and at most ``ceil(max_length_ratio * n) + max_length_slack``.
    Setting both ratios equal and the slack to 0 gives fixed lengths (what the benchmarks do).
    """

    num_beams: int = 4
    max_length_ratio: float = 2.0
    max_length_slack: int = 10
    no_repeat_ngram_size: int = 0
    repetition_penalty: float = 1.0
    min_length_ratio: float = 0.0
    # Bias towards the glossary's renderings of terms found in the source (transformers backend; 0 = off).
    glossary_weight: float = 0.0
    # "target": the output is written with target-side tokens only (pipeline.translate.vocab).
    output_vocab: str = "full"

    @classmethod
    def from_config(cls, tc: Any) -> GenerationSettings:
        """From a ``TranslatorConfig``."""
        return cls(
            num_beams=tc.num_beams,
            max_length_ratio=tc.max_length_ratio,
            max_length_slack=tc.max_length_slack,
            min_length_ratio=tc.min_length_ratio,
            glossary_weight=tc.glossary_weight,
            output_vocab=tc.output_vocab,
        )

    def length_bounds(self, source_tokens: int) -> tuple[int, int]:
        """(min, max) new tokens for a source of ``source_tokens`` tokens: bounded relative to the input."""
        hi = max(1, int(math.ceil(self.max_length_ratio * source_tokens)) + self.max_length_slack)
        lo = min(hi, int(math.ceil(self.min_length_ratio * source_tokens)))
        return lo, hi

    def stricter(self) -> GenerationSettings:
        """Settings for a retry after a repetition loop or runaway length."""
        return replace(
            self,
            no_repeat_ngram_size=self.no_repeat_ngram_size or 3,
            repetition_penalty=max(self.repetition_penalty, 1.3),
        )

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "num_beams": self.num_beams,
            "max_length_ratio": self.max_length_ratio,
            "max_length_slack": self.max_length_slack,
            "no_repeat_ngram_size": self.no_repeat_ngram_size,
            "repetition_penalty": self.repetition_penalty,
        }
        # Only when set: the keys (and so the cache) of existing runs stay as they were.
        if self.min_length_ratio:
            d["min_length_ratio"] = self.min_length_ratio
        if self.glossary_weight:
            d["glossary_weight"] = self.glossary_weight
        if self.output_vocab != "full":
            d["output_vocab"] = self.output_vocab
        return d


@dataclass
class Translation:
    text: str
    token_ids: list[int] = field(default_factory=list)  # output tokens, specials removed
    hit_limit: bool = False  # stopped by the length bound, not by end-of-sentence


class Translator(Protocol):
    """What every translation backend provides."""

    backend: str
    model_name: str
    revision: str
    max_input_tokens: int

    def count_tokens(self, text: str) -> int: ...

    def translate_batch(
        self, texts: Sequence[str], settings: GenerationSettings | None = None
    ) -> list[Translation]: ...

    def signature(self) -> dict[str, Any]: ...


def backend_signature(translator: Any) -> dict[str, Any]:
    """The facts about a backend that decide its output (model, revision, backend, input limit)."""
    return {
        "model": translator.model_name,
        "revision": translator.revision,
        "backend": translator.backend,
        "max_input_tokens": translator.max_input_tokens,
    }


class IdentityTranslator:
    """The trivial translator: returns the source unchanged (tests, dry runs, structure-only runs)."""

    backend = "identity"
    model_name = "identity"
    revision = "0"

    def __init__(self, max_input_tokens: int = 1_000_000):
        self.max_input_tokens = max_input_tokens

    @classmethod
    def from_config(cls, config: Any, glossary: Any = None) -> IdentityTranslator:
        return cls(config.translator.max_input_tokens)

    def count_tokens(self, text: str) -> int:
        return len(text)

    def translate_batch(self, texts: Sequence[str], settings: GenerationSettings | None = None) -> list[Translation]:
        return [Translation(t) for t in texts]

    def signature(self) -> dict[str, Any]:
        return backend_signature(self)


def plan_batches(lengths: Sequence[int], token_budget: int, num_beams: int = 1) -> list[list[int]]:
    """Group indices into batches of similar length whose padded size fits ``token_budget``.

    Longest first, so the first batch shows the worst-case memory at once. The cost of a batch is
    (batch size x beams x longest input), padding included, which is what the encoder really computes.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        n = max(1, lengths[i])
        new_longest = max(longest, n)
        if current and new_longest * (len(current) + 1) * num_beams > token_budget:
            batches.append(current)
            current, new_longest = [], n
        current.append(i)
        longest = new_longest
    if current:
        batches.append(current)
    return batches


def find_degeneration(token_ids: Sequence[int], hit_limit: bool) -> str | None:
    """Why an output looks degenerate (a known failure of OPUS-MT zh->en), or None.

    - "repetition": an n-gram (n = 1..4) repeated back to back (4 times for n=1, 3 times for n>=2);
    - "runaway-length": decoding was stopped by the length bound instead of ending the sentence.
    """
    ids = list(token_ids)
    for n in range(1, 5):
        need = 4 if n == 1 else 3
        span = n * need
        for start in range(0, len(ids) - span + 1):
            gram = ids[start : start + n]
            if all(ids[start + k * n : start + (k + 1) * n] == gram for k in range(1, need)):
                return "repetition"
    if hit_limit:
        return "runaway-length"
    return None
