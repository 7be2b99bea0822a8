"""Identifiers: model numbers, codes and names with digits, compared verbatim rather than as loose numbers.

``C919``, ``5G``, ``PM2.5``, ``G20``, ``H7N9`` (letters and digits glued together), document numbers such as
``国发〔2011〕35号`` (their year and number), and service numbers such as ``12345``热线. A translation keeps an
identifier when it writes the same letters and digits (case, spaces and hyphens aside: ``5G-A`` = ``5G A``);
a document number when both its year and its number appear; "C914" for ``C919`` is an error however close.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.document import Flag

__all__ = ["Identifier", "extract_identifiers", "check_identifiers", "identifier_spans"]


@dataclass(frozen=True)
class Identifier:
    text: str  # as written
    parts: tuple[str, ...]  # what the other side must contain: the normalised code, or a document's year and number
    span: tuple[int, int]
    code: bool  # True: letters and digits compared as one token; False: digit groups found as whole numbers


# Letters glued to digits (either order, one optional hyphen or dot inside): C919, PM2.5, 5G, G20, COVID-19.
_CODE = re.compile(
    r"(?<![A-Za-z0-9.])(?=[A-Za-z0-9.-]*\d)(?=[A-Za-z0-9.-]*[A-Za-z])"
    r"[A-Za-z0-9]+(?:[-.][A-Za-z0-9]+)*(?![A-Za-z0-9])"
)
# Digits followed by a unit are measurements (100km, 5kW, 3D is a code though), ordinals are English words.
_MEASURE = re.compile(
    r"^\d+(?:\.\d+)?(?:km|kg|kw|kwh|mw|gw|gwh|twh|mwh|kv|mm|cm|m|t|mb|gb|tb|mhz|ghz|hz|w|ml|l|h|s|min|pm|am|"
    r"st|nd|rd|th|s)$",
    re.I,
)
# 国发〔2011〕35号, 国办发[2024]3号, 〔2023〕12号
_DOC_NUMBER = re.compile(r"[〔\[［【(（](?P<year>(?:19|20)\d{2})[〕\]］】)）]\s*第?(?P<number>\d{1,4})\s*号")
# 12345热线, 12345政务服务便民热线, 110报警: short service numbers named as such
_SERVICE_NUMBER = re.compile(r"(?<![\d.])(?P<number>\d{3,6})(?=[”\"]?(?:[\u4e00-\u9fff]{0,8}(?:热线|专线|服务平台|报警|急救)))")


def _normal(code: str) -> str:
    """Case and hyphens aside: ``5g-a`` and ``5G-A`` and ``5GA`` are one code; ``PM2.5`` keeps its point."""
    return code.replace("-", "").upper()


def extract_identifiers(text: str) -> list[Identifier]:
    """Identifiers in a Chinese or English sentence, in order of appearance."""
    found: list[Identifier] = []
    for m in _DOC_NUMBER.finditer(text):
        found.append(Identifier(m.group(0), (m.group("year"), m.group("number")), m.span(), code=False))
    for m in _SERVICE_NUMBER.finditer(text):
        found.append(Identifier(m.group("number"), (m.group("number"),), m.span("number"), code=False))
    for m in _CODE.finditer(text):
        token = m.group(0).strip(".-")
        if _MEASURE.match(token) or not re.search(r"\d", token) or not re.search(r"[A-Za-z]", token):
            continue
        start = m.start() + m.group(0).index(token)
        if any(start < e and s < start + len(token) for s, e in (i.span for i in found)):
            continue
        found.append(Identifier(token, (_normal(token),), (start, start + len(token)), code=True))
    found.sort(key=lambda i: i.span)
    return found


def identifier_spans(text: str) -> list[tuple[int, int]]:
    return [i.span for i in extract_identifiers(text)]


def _present(identifier: Identifier, en: str, en_codes: set[str]) -> bool:
    if identifier.code:
        return identifier.parts[0] in en_codes
    return all(re.search(rf"(?<![\d.,]){re.escape(p)}(?![\d]|\.\d)", en) for p in identifier.parts)


def check_identifiers(zh: str, en: str) -> list[Flag]:
    """One ``identifier`` flag per identifier of ``zh`` that ``en`` does not write the same way.

    The flag names the English identifiers of the same shape, if any, so "C919 appears as C914" reads as such.
    """
    en_identifiers = extract_identifiers(en)
    en_codes = {i.parts[0] for i in en_identifiers if i.code}
    flags = []
    for z in extract_identifiers(zh):
        if _present(z, en, en_codes):
            continue
        if z.code:
            shape = re.sub(r"\d", "9", z.parts[0])
            similar = [e.text for e in en_identifiers if e.code and re.sub(r"\d", "9", e.parts[0]) == shape]
            detail = f"{z.text} does not appear verbatim in English" + (
                f" (English has {', '.join(similar)})" if similar else "")
        else:
            detail = (f"{z.text} does not appear in English" if len(z.parts) == 1
                      else f"{z.text} does not appear in English with {' and '.join(z.parts)}")
        flags.append(Flag("number", "identifier", detail))
    return flags
