"""Score translations of a parallel test set: BLEU and chrF (sacrebleu) plus the share of pairs whose
figures or terms the hypothesis gets wrong (the ``eval`` command).

The pair reading and checking (:mod:`.pairs`) and the checker's own measurement (:mod:`.measure`) are
re-exported here, so ``from pipeline.fidelity.evaluate import load_pairs, measure_checker`` works.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.errors import InputError

from .checks import check_pair
from .glossary import Glossary
from .measure import INJECTED_ERRORS, inject_number_error, measure_checker
from .pairs import Pair, check_pairs, load_pairs, pairs_from_run
from .quantities_zh import extract_zh

__all__ = [
    "Pair",
    "load_pairs",
    "pairs_from_run",
    "check_pairs",
    "EvalReport",
    "evaluate",
    "render_eval_markdown",
    "inject_number_error",
    "INJECTED_ERRORS",
    "measure_checker",
]


# --------------------------------------------------------------------------------------------------
# eval


@dataclass
class EvalReport:
    pairs: int
    bleu: float
    chrf: float
    bleu_signature: str
    chrf_signature: str
    pairs_with_numbers: int
    number_flagged: int  # pairs with figures whose hypothesis has a number flag
    pairs_with_terms: int
    term_flagged: int  # pairs with glossary terms whose hypothesis misses one
    by_reason: dict[str, int] = field(default_factory=dict)
    examples: list[dict] = field(default_factory=list)  # a few flagged pairs, for the reader

    @property
    def number_error_rate(self) -> float | None:
        return self.number_flagged / self.pairs_with_numbers if self.pairs_with_numbers else None

    @property
    def term_error_rate(self) -> float | None:
        return self.term_flagged / self.pairs_with_terms if self.pairs_with_terms else None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["number_error_rate"] = self.number_error_rate
        d["term_error_rate"] = self.term_error_rate
        return d


def evaluate(
    pairs: list[Pair],
    translate_batch: Callable[[list[str]], list[str]],
    glossary: Glossary | None = None,
    max_examples: int = 10,
) -> EvalReport:
    """Translate the Chinese side, then score against the English side (BLEU, chrF, figures, terms)."""
    import sacrebleu

    if not pairs:
        raise InputError("no pairs to evaluate")
    hypotheses = list(translate_batch([p.zh for p in pairs]))
    if len(hypotheses) != len(pairs):
        raise ValueError(f"translate_batch returned {len(hypotheses)} translations for {len(pairs)} inputs")
    references = [p.en for p in pairs]
    bleu = sacrebleu.metrics.BLEU(tokenize="13a")
    chrf = sacrebleu.metrics.CHRF()
    bleu_score = bleu.corpus_score(hypotheses, [references])
    chrf_score = chrf.corpus_score(hypotheses, [references])

    with_numbers = number_flagged = with_terms = term_flagged = 0
    by_reason: Counter[str] = Counter()
    examples = []
    for pair, hypothesis in zip(pairs, hypotheses):
        flags = check_pair(pair.zh, hypothesis, glossary)
        by_reason.update(f.reason for f in flags)
        if any(q.must_match for q in extract_zh(pair.zh)):
            with_numbers += 1
            number_flagged += any(f.kind == "number" for f in flags)
        if glossary is not None and glossary.terms_in(pair.zh):
            with_terms += 1
            term_flagged += any(f.kind == "term" for f in flags)
        if flags and len(examples) < max_examples:
            examples.append({"id": pair.id, "zh": pair.zh, "reference": pair.en, "hypothesis": hypothesis,
                             "flags": [f.to_dict() for f in flags]})
    return EvalReport(
        pairs=len(pairs),
        bleu=round(bleu_score.score, 2),
        chrf=round(chrf_score.score, 2),
        bleu_signature=str(bleu.get_signature()),
        chrf_signature=str(chrf.get_signature()),
        pairs_with_numbers=with_numbers,
        number_flagged=number_flagged,
        pairs_with_terms=with_terms,
        term_flagged=term_flagged,
        by_reason=dict(sorted(by_reason.items())),
        examples=examples,
    )


def _percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.1%}"


def render_eval_markdown(report: EvalReport) -> str:
    """A short Markdown report: scores with their sacrebleu signatures, fidelity rates, flagged examples."""
    lines = [
        "# Translation evaluation",
        "",
        "| metric | value |",
        "| --- | --- |",
        f"| pairs | {report.pairs} |",
        f"| BLEU | {report.bleu:.2f} |",
        f"| chrF | {report.chrf:.2f} |",
        f"| number errors (pairs with figures flagged) | {report.number_flagged}/{report.pairs_with_numbers}"
        f" ({_percent(report.number_error_rate)}) |",
        f"| term errors (pairs with glossary terms flagged) | {report.term_flagged}/{report.pairs_with_terms}"
        f" ({_percent(report.term_error_rate)}) |",
        "",
        f"BLEU signature: `{report.bleu_signature}`  ",
        f"chrF signature: `{report.chrf_signature}`",
    ]
    if report.by_reason:
        lines += ["", "## Flags by reason", "", "| reason | count |", "| --- | --- |"]
        lines += [f"| {reason} | {count} |" for reason, count in report.by_reason.items()]
    if report.examples:
        lines += ["", "## Flagged examples", ""]
        for example in report.examples:
            lines.append(f"- **{example['id']}** {example['zh']}")
            lines.append(f"  - hypothesis: {example['hypothesis']}")
            lines.append(f"  - reference: {example['reference']}")
            for flag in example["flags"]:
                lines.append(f"  - {flag['kind']}/{flag['reason']}: {flag['detail']}")
    return "\n".join(lines) + "\n"
