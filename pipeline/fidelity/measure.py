"""Measure the checker itself: false alarms on reference translations, detection of injected errors.

:func:`measure_checker` (the ``check --measure`` command) gives the checker's false-alarm rates (numbers and
terms, separately) on reference translations and its detection rate on references with one injected error,
so both can be reproduced; :func:`inject_number_error` makes one such error.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from typing import Any

from pipeline.document import Flag

from .checks import check_numbers
from .pairs import Pair, has_figures
from .quantities import Quantity, same_figure
from .quantities_en import extract_en
from .quantities_zh import extract_zh

__all__ = ["INJECTED_ERRORS", "inject_number_error", "measure_checker"]


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
        if not has_figures(pair.zh, pair.en):
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
