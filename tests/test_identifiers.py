"""Identifiers (model numbers, codes, document and service numbers) are compared verbatim, not as figures."""

from __future__ import annotations

import pytest

from pipeline.fidelity import check_pair, extract_en, extract_zh
from pipeline.fidelity.identifiers import extract_identifiers

IDENTIFIERS = [
    ("C919大飞机", [("C919", ("C919",))]),
    ("建成5G基站425万个", [("5G", ("5G",))]),
    ("PM2.5平均浓度", [("PM2.5", ("PM2.5",))]),
    ("G20杭州峰会", [("G20", ("G20",))]),
    ("5G-A网络", [("5G-A", ("5GA",))]),
    ("根据国发〔2011〕35号文件", [("〔2011〕35号", ("2011", "35"))]),
    ("开通12345政务服务便民热线", [("12345", ("12345",))]),
    ("the H7N9 virus and COVID-19", [("H7N9", ("H7N9",)), ("COVID-19", ("COVID19",))]),
    # measurements, ordinals and decades are no identifiers
    ("100km, 5kW, the 20th, the 1990s", []),
]


@pytest.mark.parametrize("text, expected", IDENTIFIERS)
def test_extract_identifiers(text, expected):
    assert [(i.text, i.parts) for i in extract_identifiers(text)] == expected


@pytest.mark.parametrize("zh", ["C919大飞机", "PM2.5浓度", "国发〔2011〕35号", "开通12345热线"])
def test_identifiers_are_no_quantities(zh):
    assert [q for q in extract_zh(zh) if q.must_match] == []


def test_english_document_years_and_hotlines_are_no_quantities():
    assert [q.text for q in extract_en("Document No. 35 [2011] and the 12345 hotline")] == []


# zh, en, number-flag reasons
PAIRS = [
    ("C919大飞机投入商业运营。", "The C919 large airliner entered commercial service.", []),
    ("C919大飞机投入商业运营。", "The C914 large airliner entered commercial service.", ["identifier"]),
    ("C919大飞机投入商业运营。", "The large airliner entered commercial service.", ["identifier"]),
    ("建成5G基站。", "5G base stations were built.", []),
    ("建成5G基站。", "4G base stations were built.", ["identifier"]),
    ("PM2.5平均浓度下降2.7%。", "Average PM2.5 density fell by 2.7 percent.", []),
    ("PM2.5平均浓度下降2.7%。", "Average PM10 density fell by 2.7 percent.", ["identifier"]),
    ("二十国集团领导人峰会", "the G20 Summit", []),  # an identifier the translator adds is no error
    ("G20杭州峰会", "the G20 Hangzhou Summit", []),
    ("G20杭州峰会", "the G7 Hangzhou Summit", ["identifier"]),
    ("5G-A网络", "5G-A networks", []),
    ("根据国发〔2011〕35号文件", "under Document No. 35 [2011] of the State Council", []),
    ("根据国发〔2011〕35号文件", "under Document No. 36 [2011] of the State Council", ["identifier"]),
    ("开通12345热线。", "The 12345 hotline was opened.", []),
    ("开通12345热线。", "The 12346 hotline was opened.", ["identifier"]),
]


@pytest.mark.parametrize("zh, en, reasons", PAIRS)
def test_identifiers_are_compared_verbatim(zh, en, reasons):
    assert [f.reason for f in check_pair(zh, en)] == reasons


def test_identifier_flag_names_both_sides():
    (flag,) = check_pair("C919大飞机投入商业运营。", "The C914 large airliner entered commercial service.")
    assert (flag.kind, flag.detail) == ("number", "C919 does not appear verbatim in English (English has C914)")
