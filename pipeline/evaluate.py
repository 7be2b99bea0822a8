"""Score translations of a parallel test set, check a translated set, and measure the checker itself.

* :func:`load_pairs` reads zh/en pairs from TSV/CSV/JSONL (through ``datasets``) or from a run JSON.
* :func:`check_pairs` runs the fidelity checker over given translations (the ``check`` command).
* :func:`evaluate` translates the Chinese side and scores it: BLEU and chrF (sacrebleu) plus the share
  of pairs whose figures or terms the hypothesis gets wrong (the ``eval`` command).
* :func:`measure_checker` gives the checker's false-alarm rate on reference translations and its
  detection rate on references with one injected number error, so both can be reproduced.
"""

from __future__ import annotations

import csv
import json
import logging
import random
import re
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from pipeline.document import Document, Flag
from pipeline.errors import InputError, describe_exception
from pipeline.fidelity import Glossary, check_numbers, check_pair
from pipeline.numbers import Quantity, extract_en, extract_zh, same_figure

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

log = logging.getLogger(__name__)

# Accepted column names, in order of preference, for each side.
_ZH_COLUMNS = ("zh", "source", "src", "中文")
_EN_COLUMNS = ("en", "target", "tgt", "reference", "英文")
_ID_COLUMNS = ("id", "全局对齐序号")
_FORMATS = {".tsv": "csv", ".csv": "csv", ".jsonl": "json", ".json": "json"}


@dataclass(frozen=True)
class Pair:
    id: str
    zh: str
    en: str


def _pick_column(columns: Iterable[str], wanted: tuple[str, ...]) -> str | None:
    by_lower = {c.strip().lstrip("\ufeff").lower(): c for c in columns}
    for name in wanted:
        if name.lower() in by_lower:
            return by_lower[name.lower()]
    return None


def pairs_from_run(run: dict[str, Any]) -> list[Pair]:
    """The translated segments of a run JSON (``Document.to_dict()``), preamble first, in document order."""
    try:
        doc = Document.from_dict(run)
    except (KeyError, TypeError, AttributeError) as err:
        raise InputError(f"not a pipeline run JSON: missing {err}") from None
    return [Pair(s.id, s.zh, s.en) for s in doc.all_segments() if s.en]


def _is_run_json(path: Path) -> dict[str, Any] | None:
    try:
        with path.open(encoding="utf-8") as handle:
            head = handle.read(1)
            if head != "{":
                return None
            handle.seek(0)
            data = json.load(handle)
    except json.JSONDecodeError:
        return None  # JSON lines, read below
    except UnicodeDecodeError:
        raise InputError(f"not UTF-8 text: {path}") from None
    if isinstance(data, dict) and ("sections" in data or "preamble" in data):
        return data
    return None


def load_pairs(path: str | Path) -> list[Pair]:
    """zh/en pairs from a TSV, CSV or JSONL file (columns zh/en, source/target or 中文/英文) or a run JSON."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"pairs file not found: {path}")
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        raise InputError(f"unknown pairs format {suffix or '(no suffix)'}: {path}",
                         hint="use .tsv, .csv, .jsonl, or a run .json written by the pipeline")
    if suffix == ".json":
        run = _is_run_json(path)
        if run is not None:
            return pairs_from_run(run)
    rows = _read_rows(path, _FORMATS[suffix], delimiter="\t" if suffix == ".tsv" else ",")
    if not rows:
        raise InputError(f"no rows in {path}")
    columns = list(rows[0].keys())
    zh_column, en_column = _pick_column(columns, _ZH_COLUMNS), _pick_column(columns, _EN_COLUMNS)
    if zh_column is None or en_column is None:
        raise InputError(f"{path} needs a Chinese and an English column; found {', '.join(columns)}",
                         hint="name them zh/en, source/target, or 中文/英文")
    id_column = _pick_column(columns, _ID_COLUMNS)
    pairs = []
    for number, row in enumerate(rows, start=1):
        zh, en = row.get(zh_column), row.get(en_column)
        if zh is None or en is None or not str(zh).strip():
            continue
        pair_id = str(row[id_column]) if id_column and row.get(id_column) is not None else str(number)
        pairs.append(Pair(pair_id, str(zh).strip(), str(en).strip()))
    log.debug("read %d pairs from %s (columns %s, %s)", len(pairs), path, zh_column, en_column)
    return pairs


def _csv_header(path: Path, delimiter: str) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
            header = next(csv.reader(handle, delimiter=delimiter, quoting=quoting), [])
    except UnicodeDecodeError:
        raise InputError(f"not UTF-8 text: {path}") from None
    if not header:
        raise InputError(f"no header line in {path}")
    if len(set(header)) != len(header):
        raise InputError(f"repeated column names in {path}: {', '.join(header)}")
    return header


def _read_rows(path: Path, builder: str, delimiter: str) -> list[dict[str, Any]]:
    # datasets is heavy and chatty: import it on use, keep its cache out of the user's home, no network.
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    options: dict[str, Any] = {}
    if builder == "csv":
        # every column as text: ids like 007 and figures in text must survive untouched
        header = _csv_header(path, delimiter)
        options = {
            "delimiter": delimiter,
            "encoding": "utf-8-sig",
            "keep_default_na": False,
            "quoting": csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL,
            "features": datasets.Features({name: datasets.Value("string") for name in header}),
        }
    with tempfile.TemporaryDirectory(prefix="pairs-cache-") as cache_dir:
        try:
            dataset = datasets.load_dataset(builder, data_files=str(path), split="train", cache_dir=cache_dir,
                                            download_mode="force_redownload", **options)
        except Exception as err:  # datasets wraps parser errors in many types
            raise InputError(f"cannot read {path}: {describe_exception(err)}") from None
        return [dict(row) for row in dataset]


# --------------------------------------------------------------------------------------------------
# check


def _has_figures(zh: str, en: str) -> bool:
    return any(q.must_match for q in extract_zh(zh)) or any(q.must_match for q in extract_en(en))


def check_pairs(
    pairs: list[Pair], glossary: Glossary | None = None, report_year: int | None = None
) -> tuple[list[dict], dict]:
    """Per-pair records (id, zh, en, flags) and a summary (pairs, with_numbers, flagged, by_reason)."""
    records = []
    by_reason: Counter[str] = Counter()
    with_numbers = flagged = 0
    for pair in pairs:
        flags = check_pair(pair.zh, pair.en, glossary, report_year)
        with_numbers += _has_figures(pair.zh, pair.en)
        flagged += bool(flags)
        by_reason.update(f.reason for f in flags)
        records.append({"id": pair.id, "zh": pair.zh, "en": pair.en, "flags": [f.to_dict() for f in flags]})
    summary = {
        "pairs": len(pairs),
        "with_numbers": with_numbers,
        "flagged": flagged,
        "by_reason": dict(sorted(by_reason.items())),
    }
    return records, summary


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
        if glossary is not None and any(e.zh in pair.zh for e in glossary.entries):
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


# --------------------------------------------------------------------------------------------------
# measuring the checker

_MAGNITUDE_SWAPS = {"thousand": "million", "million": "billion", "billion": "million", "trillion": "billion"}
_MAGNITUDE_WORD = re.compile(r"\b(thousand|million|billion|trillion)\b", re.I)
_PERCENT_WORD = re.compile(r"\s*(?:%|-?\s*percent|per\s*cent)", re.I)
_POINTS_WORD = re.compile(r"percentage[\s-]+points?", re.I)
_DIGITS = re.compile(r"\d")


def _injectable(q: Quantity) -> bool:
    return q.must_match and bool(_DIGITS.search(q.text))


INJECTED_ERRORS = ("magnitude", "digits", "percent-vs-points", "drop")


def _error_applies(error: str, q: Quantity, text: str) -> bool:
    if error == "magnitude":
        return bool(_MAGNITUDE_WORD.search(text))
    if error == "percent-vs-points":
        return q.kind in {"percent", "points"}
    return True


def inject_number_error(zh: str, en: str, rng: random.Random, error: str | None = None) -> tuple[str, str] | None:
    """The English with one figure corrupted, and what was done; None when no figure allows it.

    Only English figures in digits that render a figure of ``zh`` are corrupted: changing a figure the
    translator added (a year for 今年, a sentence that slipped in from the next row) would not make
    the translation unfaithful to its source.

    ``error`` is one of :data:`INJECTED_ERRORS` (random when None): the magnitude word swapped
    (billion -> million), one digit changed, percent turned into percentage points or back, or the
    figure dropped (every occurrence of it, or the figure would still be in the translation).
    """
    source = extract_zh(zh)
    figures = [q for q in extract_en(en) if _injectable(q) and any(same_figure(z, q) for z in source)]
    if error is None:
        error = rng.choice([e for e in INJECTED_ERRORS if any(_error_applies(e, q, q.text) for q in figures)]
                           or ["digits"])
    targets = [q for q in figures if _error_applies(error, q, en[q.span[0]:q.span[1]])]
    if not targets:
        return None
    target = rng.choice(targets)
    start, end = target.span
    text = en[start:end]
    if error == "magnitude":
        word = _MAGNITUDE_WORD.search(text)
        new = text[: word.start()] + _MAGNITUDE_SWAPS[word.group(1).lower()] + text[word.end():]
    elif error == "percent-vs-points":
        if target.kind == "points":
            new = _POINTS_WORD.sub("percent", text, count=1)
        else:
            new = _PERCENT_WORD.sub(" percentage points", text, count=1)
    elif error == "digits":
        positions = [i for i, c in enumerate(text) if c.isdigit()]
        i = rng.choice(positions)
        leading = i == 0 or not text[i - 1].isdigit()
        allowed = [d for d in "0123456789" if d != text[i] and not (d == "0" and leading)]
        new = text[:i] + rng.choice(allowed) + text[i + 1:]
    elif error == "drop":
        corrupted = re.sub(r"\s{2,}", " ", en.replace(text, "")).strip()
        return corrupted, f"drop: {text!r}"
    else:
        raise ValueError(f"unknown injected error {error!r}; expected one of {', '.join(INJECTED_ERRORS)}")
    return en[:start] + new + en[end:], f"{error}: {text!r} -> {new!r}"


def _alignment_shifted(pairs: list[Pair], i: int, report_year: int | None) -> bool:
    """Whether a flagged pair's figures all sit one row away: the corpus's alignment, not the translation, is off.

    The pair is re-checked against its neighbours' text: its Chinese figures against the English of
    the rows around it, its English figures against their Chinese. If both come out clean, every
    flag is explained by a sentence that slipped into the next or previous row.
    """
    window = pairs[max(0, i - 1): i + 2]
    en_window = " ".join(p.en for p in window)
    zh_window = "".join(p.zh for p in window)
    zh_side = [f for f in check_numbers(pairs[i].zh, en_window, report_year) if f.reason != "extra"]
    en_side = [f for f in check_numbers(zh_window, pairs[i].en, report_year) if f.reason == "extra"]
    return not zh_side and not en_side


def measure_checker(pairs: list[Pair], seed: int = 0, report_year: int | None = None) -> dict[str, Any]:
    """False alarms on the given (reference) translations and detection of injected number errors.

    * false alarms: share of pairs with figures (either side) that get a number flag; also given with
      the pairs whose flags are all explained by a one-row alignment shift set aside, and the ids of both.
    * detection: for every pair whose English renders a source figure in digits, each kind of error that applies
      to it is injected once (seeded); it counts as detected when the corrupted pair gets a number flag
      the clean pair did not have. Also given without the alignment-shifted pairs.
    """
    rng = random.Random(seed)
    with_figures = 0
    flagged_ids: list[str] = []
    shifted_ids: list[str] = []
    clean_flags: list[list[Flag]] = []
    for i, pair in enumerate(pairs):
        flags = check_numbers(pair.zh, pair.en, report_year)
        clean_flags.append(flags)
        if not _has_figures(pair.zh, pair.en):
            continue
        with_figures += 1
        if flags:
            flagged_ids.append(pair.id)
            if _alignment_shifted(pairs, i, report_year):
                shifted_ids.append(pair.id)

    injected = detected = injected_aligned = detected_aligned = 0
    by_error: dict[str, dict[str, int]] = {}
    missed: list[dict[str, str]] = []
    for pair, before in zip(pairs, clean_flags):
        for error in INJECTED_ERRORS:
            corrupted = inject_number_error(pair.zh, pair.en, rng, error)
            if corrupted is None:
                continue
            en, what = corrupted
            after = check_numbers(pair.zh, en, report_year)
            new = Counter((f.reason, f.detail) for f in after) - Counter((f.reason, f.detail) for f in before)
            hit = bool(new)
            injected += 1
            detected += hit
            if pair.id not in shifted_ids:
                injected_aligned += 1
                detected_aligned += hit
            tally = by_error.setdefault(error, {"injected": 0, "detected": 0})
            tally["injected"] += 1
            tally["detected"] += hit
            if not hit:
                missed.append({"id": pair.id, "error": what})

    aligned = with_figures - len(shifted_ids)
    genuine = len(flagged_ids) - len(shifted_ids)
    return {
        "pairs": len(pairs),
        "pairs_with_numbers": with_figures,
        "false_alarms": len(flagged_ids),
        "false_alarm_rate": len(flagged_ids) / with_figures if with_figures else 0.0,
        "alignment_shifted": len(shifted_ids),
        "false_alarm_rate_aligned": genuine / aligned if aligned else 0.0,
        "flagged_ids": flagged_ids,
        "alignment_shifted_ids": shifted_ids,
        "injected": injected,
        "detected": detected,
        "detection_rate": detected / injected if injected else 0.0,
        "detection_rate_aligned": detected_aligned / injected_aligned if injected_aligned else 0.0,
        "detection_by_error": dict(sorted(by_error.items())),
        "missed": missed,
        "seed": seed,
        "report_year": report_year,
    }
