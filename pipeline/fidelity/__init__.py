"""Fidelity: does a translation keep the source's figures, names with numbers and fixed political terms?

Rooms:

* :mod:`.quantities` - the :class:`Quantity` (a figure on a common scale) and how two are compared;
  :mod:`.quantities_zh` / :mod:`.quantities_en` find them in Chinese / English text.
* :mod:`.identifiers` - codes and model names compared verbatim (C919, 5G, PM2.5, 国发〔2011〕35号).
* :mod:`.glossary` - the term glossary: loading, merging, finding terms, matching renderings.
* :mod:`.checks` - the checks of one pair, a document, a summary (all summary checks live here).
* :mod:`.grounding` - which segments an English sentence rests on and how much of it they back
  (summaries, ``verify``); :mod:`.measure_grounding` measures it on official pairs.
* :mod:`.pairs` / :mod:`.evaluate` / :mod:`.measure` - parallel pair files, the ``eval`` scores, and the
  checker's own false-alarm and detection figures (``check --measure``).
"""

from .checks import (
    check_document,
    check_numbers,
    check_pair,
    check_summary,
    check_summary_sentence,
    check_terms,
    report_year_of,
)
from .glossary import Glossary, GlossaryEntry, load_glossaries, load_glossary
from .grounding import SUPPORT_THRESHOLD, Grounding, SourceIndex, ground_sentence
from .quantities import Quantity
from .quantities_en import extract_en
from .quantities_zh import extract_zh, parse_chinese_numeral

__all__ = [
    "check_document",
    "check_summary_sentence",
    "check_summary",
    "ground_sentence",
    "Grounding",
    "SourceIndex",
    "SUPPORT_THRESHOLD",
    "check_pair",
    "check_numbers",
    "check_terms",
    "load_glossary",
    "load_glossaries",
    "Glossary",
    "GlossaryEntry",
    "report_year_of",
    "Quantity",
    "extract_zh",
    "extract_en",
    "parse_chinese_numeral",
]
