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

from .checks import check_numbers, check_terms
from .glossary import Glossary
from .identifiers import extract_identifiers
from .names import EN_ORDINAL_WORDS, en_ordinal_value
from .pairs import Pair, has_figures
from .quantities import NAME_UNITS, same_figure
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


INJECTED_ERRORS = ("magnitude", "digits", "percent-vs-points", "drop", "ordinal", "identifier")


def _targets(zh: str, en: str) -> dict[str, list[tuple[int, int]]]:
    """For each kind of error, the spans of ``en`` it can corrupt: figures and identifiers rendering ``zh``'s."""
    source = extract_zh(zh)
    rendering = [q for q in extract_en(en) if (q.must_match or q.unit in NAME_UNITS)
                 and any(same_figure(z, q) for z in source)]
    figures = [q for q in rendering if _DIGITS.search(q.text)]
    zh_ids = extract_identifiers(zh)
    zh_codes = {i.parts[0] for i in zh_ids if i.code}
    zh_groups = {p for i in zh_ids if not i.code for p in i.parts}
    identifiers = [i.span for i in extract_identifiers(en) if i.code and i.parts[0] in zh_codes]
    identifiers += [m.span() for g in zh_groups for m in re.finditer(rf"(?<![\d.]){g}(?!\d)", en)]
    return {
        "magnitude": [q.span for q in figures if _MAGNITUDE_WORD.search(en[q.span[0]:q.span[1]])],
        "digits": [q.span for q in figures],
        "percent-vs-points": [q.span for q in figures if q.kind in {"percent", "points"}],
        "drop": [q.span for q in figures],
        "ordinal": [q.span for q in rendering if q.kind == "ordinal" and q.unit in NAME_UNITS],
        "identifier": sorted(set(identifiers)),
    }


def _change_a_digit(text: str, rng: random.Random) -> str:
    positions = [i for i, c in enumerate(text) if c.isdigit()]
    i = rng.choice(positions)
    leading = i == 0 or not text[i - 1].isdigit()
    allowed = [d for d in "0123456789" if d != text[i] and not (d == "0" and leading)]
    return text[:i] + rng.choice(allowed) + text[i + 1:]


def _corrupt(error: str, text: str, rng: random.Random) -> str:
    if error == "magnitude":
        word = _MAGNITUDE_WORD.search(text)
        return text[: word.start()] + _MAGNITUDE_SWAPS[word.group(1).lower()] + text[word.end():]
    if error == "percent-vs-points":
        if _POINTS_WORD.search(text):
            return _POINTS_WORD.sub("percent", text, count=1)
        return _PERCENT_WORD.sub(" percentage points", text, count=1)
    if error == "ordinal" and not _DIGITS.search(text):  # third -> fifth
        value = en_ordinal_value(text)
        word = rng.choice([w for w, v in EN_ORDINAL_WORDS.items() if v != value])
        return word.capitalize() if text[:1].isupper() else word
    return _change_a_digit(text, rng)  # digits, identifier, ordinal in digits: 14th -> 19th, C919 -> C914


def inject_number_error(zh: str, en: str, rng: random.Random, error: str | None = None) -> tuple[str, str] | None:
    """The English with one figure or identifier corrupted, and what was done; None when nothing allows it.

    Only what renders something of ``zh`` is corrupted: changing a figure the translator added (a year for
    今年, a sentence that slipped in from the next row) would not make the translation unfaithful.

    ``error`` is one of :data:`INJECTED_ERRORS` (random when None): the magnitude word swapped
    (billion -> million), one digit changed, percent turned into percentage points or back, the figure
    dropped (every occurrence of it, or it would still be in the translation), the ordinal of a plan,
    congress, session or anniversary changed (14th -> 19th, third -> fifth), or one digit of an identifier
    changed (C919 -> C914, 12345 -> 12845).
    """
    if error is not None and error not in INJECTED_ERRORS:
        raise ValueError(f"unknown injected error {error!r}; expected one of {', '.join(INJECTED_ERRORS)}")
    targets = _targets(zh, en)
    if error is None:
        error = rng.choice([e for e in INJECTED_ERRORS if targets[e]] or ["digits"])
    if not targets[error]:
        return None
    start, end = rng.choice(targets[error])
    text = en[start:end]
    if error == "drop":
        corrupted = re.sub(r"\s{2,}", " ", en.replace(text, "")).strip()
        return corrupted, f"drop: {text!r}"
    new = _corrupt(error, text, rng)
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


def _words_per_char(pair: Pair) -> float:
    return len(pair.en.split()) / max(1, len(pair.zh))


def _incomplete_rows(pairs: list[Pair]) -> set[int]:
    """Rows whose English is under half as long as the corpus's typical English for that much Chinese.

    In a reference corpus this means the alignment lost or moved part of the row's translation (the rows
    around it, or a row the corpus dropped), not that the official translation left something out.
    """
    long_rows = [i for i, p in enumerate(pairs) if len(p.zh) >= 20]
    if len(long_rows) < 10:
        return set()
    ratios = sorted(_words_per_char(pairs[i]) for i in long_rows)
    median = ratios[len(ratios) // 2]
    return {i for i in long_rows if _words_per_char(pairs[i]) < median / 2}


def _term_shifted(pairs: list[Pair], i: int, glossary: Glossary) -> bool:
    """Whether every term flagged in a pair is rendered in the English of the rows around it."""
    en_window = " ".join(p.en for p in pairs[max(0, i - 1): i + 2])
    return not check_terms(pairs[i].zh, en_window, glossary)


def _false_alarms(pairs: list[Pair], report_year: int | None, incomplete: set[int]
                  ) -> tuple[dict[str, Any], list[list[Flag]]]:
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
            if i in incomplete or _alignment_shifted(pairs, i, report_year):
                shifted_ids.append(pair.id)
    aligned, genuine = with_figures - len(shifted_ids), len(flagged_ids) - len(shifted_ids)
    return {
        "pairs_with_numbers": with_figures,
        "false_alarms": len(flagged_ids),
        "false_alarm_rate": len(flagged_ids) / with_figures if with_figures else 0.0,
        "alignment_shifted": len(shifted_ids),
        "false_alarm_rate_aligned": genuine / aligned if aligned else 0.0,
        "flagged_ids": flagged_ids,
        "alignment_shifted_ids": shifted_ids,
    }, clean_flags


def _detection(pairs: list[Pair], clean_flags: list[list[Flag]], shifted_ids: list[str], seed: int,
               report_year: int | None) -> dict[str, Any]:
    rng = random.Random(seed)
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
            hit = bool(Counter((f.reason, f.detail) for f in after) - Counter((f.reason, f.detail) for f in before))
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
    return {
        "injected": injected,
        "detected": detected,
        "detection_rate": detected / injected if injected else 0.0,
        "detection_rate_aligned": detected_aligned / injected_aligned if injected_aligned else 0.0,
        "detection_by_error": dict(sorted(by_error.items())),
        "missed": missed,
    }


def _term_false_alarms(pairs: list[Pair], glossary: Glossary, incomplete: set[int]) -> dict[str, Any]:
    with_terms = 0
    flagged: dict[str, list[str]] = {}
    shifted_ids: list[str] = []
    for i, pair in enumerate(pairs):
        if not glossary.terms_in(pair.zh):
            continue
        with_terms += 1
        flags = check_terms(pair.zh, pair.en, glossary)
        if flags:
            flagged[pair.id] = [f.detail.split(" ", 1)[0] for f in flags]
            if i in incomplete or _term_shifted(pairs, i, glossary):
                shifted_ids.append(pair.id)
    aligned, genuine = with_terms - len(shifted_ids), len(flagged) - len(shifted_ids)
    return {
        "pairs_with_terms": with_terms,
        "term_false_alarms": len(flagged),
        "term_false_alarm_rate": len(flagged) / with_terms if with_terms else 0.0,
        "term_alignment_shifted": len(shifted_ids),
        "term_false_alarm_rate_aligned": genuine / aligned if aligned else 0.0,
        "term_flagged": flagged,
        "term_alignment_shifted_ids": shifted_ids,
    }


def measure_checker(
    pairs: list[Pair], seed: int = 0, report_year: int | None = None, glossary: Glossary | None = None
) -> dict[str, Any]:
    """False alarms on the given (reference) translations and detection of injected errors.

    * false alarms: share of pairs with figures (either side) that get a number flag; also given with the
      mis-aligned pairs set aside (those whose flags are all explained by a one-row alignment shift, or whose
      English is under half the corpus's usual length for its Chinese), and the ids of both.
    * detection: for every pair whose English renders a source figure or identifier, each kind of error that
      applies to it is injected once (seeded); it counts as detected when the corrupted pair gets a number
      flag the clean pair did not have. Also given without the alignment-shifted pairs.
    * term false alarms (with a glossary), as their own figure: share of pairs with glossary terms that get a
      ``term-missing`` flag, also with the pairs whose flagged terms are rendered one row away set aside.
    """
    incomplete = _incomplete_rows(pairs)
    numbers, clean_flags = _false_alarms(pairs, report_year, incomplete)
    result = {"pairs": len(pairs), **numbers}
    result.update(_detection(pairs, clean_flags, numbers["alignment_shifted_ids"], seed, report_year))
    if glossary:
        result.update(_term_false_alarms(pairs, glossary, incomplete))
    result.update({"seed": seed, "report_year": report_year, "glossary": glossary.source if glossary else None})
    return result
