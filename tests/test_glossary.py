"""The term glossary: the shipped file, the file format and its errors, merging, finding terms in Chinese
(:meth:`Glossary.terms_in`, also used to bias decoding), and renderings matched across inflection and order."""

from __future__ import annotations

import pytest

from pipeline.errors import ConfigError
from pipeline.fidelity import Glossary, GlossaryEntry, check_terms, load_glossaries, load_glossary

from .conftest import ROOT

GLOSSARY = ROOT / "configs" / "glossary" / "gov-report.tsv"


def _missing(zh: str, en: str, glossary: Glossary) -> list[str]:
    flags = check_terms(zh, en, glossary)
    assert all(f.kind == "term" and f.reason == "term-missing" for f in flags)
    return [f.detail.split(" ")[0] for f in flags]


def test_shipped_glossary_loads():
    glossary = load_glossary(GLOSSARY)
    assert 60 <= len(glossary) <= 250
    terms = {e.zh: e.renderings for e in glossary.entries}
    assert "14th Five-Year Plan" in terms["十四五"]
    assert "Belt and Road" in terms["一带一路"]
    assert GLOSSARY.read_text(encoding="utf-8").startswith("#")
    assert len(glossary.sha256) == 64


def test_glossary_file_format(tmp_path):
    path = tmp_path / "g.tsv"
    path.write_text("# a comment\nzh\ten\n六稳\tsix fronts|stability on six fronts\n\n放管服\tstreamline administration\n",
                    encoding="utf-8")
    glossary = load_glossary(path)
    assert glossary.entries == (
        GlossaryEntry("六稳", ("six fronts", "stability on six fronts")),
        GlossaryEntry("放管服", ("streamline administration",)),
    )
    assert glossary.source == str(path)


@pytest.mark.parametrize(
    "content, message",
    [
        ("# only a comment\nzh\ten\n", "no entries"),
        ("六稳 six fronts\n", ":1: expected 'zh<TAB>en'"),
        ("六稳\t\n", ":1: expected 'zh<TAB>en'"),
        ("六稳\t | \n", ":1: no English rendering"),
    ],
)
def test_bad_glossary_is_a_config_error(tmp_path, content, message):
    path = tmp_path / "g.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_glossary(path)
    assert "\n" not in str(caught.value) and caught.value.exit_code == 3


def test_unreadable_glossaries_are_one_line_config_errors(tmp_path):
    (tmp_path / "gbk.tsv").write_bytes("六稳\tsix fronts\n".encode("gbk"))
    for path, message in [(tmp_path / "nope.tsv", "not found"), (tmp_path, "is a folder"),
                          (tmp_path / "gbk.tsv", "not UTF-8")]:
        with pytest.raises(ConfigError, match=message):
            load_glossary(path)


def test_load_glossaries_merges_renderings_and_terms(tmp_path):
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    a.write_text("六稳\tsix fronts\n", encoding="utf-8")
    b.write_text("六稳\tsix areas|six fronts\n六保\tsix priorities\n", encoding="utf-8")
    merged = load_glossaries([a, b])
    assert merged.entries == (
        GlossaryEntry("六稳", ("six fronts", "six areas")),
        GlossaryEntry("六保", ("six priorities",)),
    )
    assert merged.source == f"{a}+{b}"
    assert merged.sha256 != load_glossaries([b, a]).sha256  # the digest covers both files, in order
    assert load_glossaries([a]).entries == load_glossary(a).entries
    assert not load_glossaries([])  # no paths: an empty glossary


# --------------------------------------------------------------------------------------------------
# terms_in: which terms a Chinese text contains (the data the decoder's glossary bias needs)

_TERMS = Glossary(tuple(GlossaryEntry(zh, (en,)) for zh, en in [
    ("城镇化", "urbanization"), ("新型城镇化", "new urbanization"), ("一带一路", "Belt and Road"),
    ("稳就业", "keep employment stable"), ("就业", "employment"),
]))


@pytest.mark.parametrize(
    "zh, expected",
    [
        ("推进新型城镇化。", ["新型城镇化"]),  # the longer term claims the text; 城镇化 inside it is not reported
        ("推进新型城镇化和城镇化。", ["新型城镇化", "城镇化"]),  # ... unless the shorter one also stands alone
        ("稳就业，共建一带一路。", ["一带一路", "稳就业"]),  # longest first
        ("稳就业、扩大就业。", ["稳就业", "就业"]),
        ("没有术语。", []),
    ],
)
def test_terms_in(zh, expected):
    assert [e.zh for e in _TERMS.terms_in(zh)] == expected


# --------------------------------------------------------------------------------------------------
# renderings across inflection and word order (zh, en, terms reported missing)

TERM_CASES = [
    ("推进供给侧结构性改革。", "We advanced supply-side structural reform.", []),
    ("推进供给侧结构性改革。", "We advanced Supply Side Structural Reforms.", []),  # case, hyphen, plural
    ("推进供给侧结构性改革。", "We advanced reform of the supply structure.", ["供给侧结构性改革"]),
    ("共建“一带一路”。", "We pursued Belt and Road cooperation.", []),
    ("落实“最多跑一次”改革。", "We carried out the “one-trip at most” reform.", []),
    ("落实“最多跑一次”改革。", "We carried out the 'maximum one trip' reform.", []),
    ("落实“最多跑一次”改革。", "We carried out the run-once reform.", ["最多跑一次"]),
    ("推进新型城镇化。", "We promoted urbanization.", ["新型城镇化"]),
    ("推进新型城镇化。", "We promoted new urbanization.", []),
    ("优化营商环境，发行专项债。", "We improved the business environment and issued special-purpose bonds.", []),
    # inflection
    ("着力稳就业。", "We focused on keeping employment stable.", []),
    ("着力稳就业。", "Employment was kept stable.", []),  # passive: other order, other form
    ("巩固脱贫攻坚成果。", "We consolidated the gains in poverty elimination.", []),
    ("巩固脱贫攻坚成果。", "We eliminated poverty.", []),
    ("推动新能源汽车发展。", "We promoted electric vehicles.", []),
    ("推动新能源汽车发展。", "We promoted new-energy vehicles.", []),
    ("推动新能源汽车发展。", "We promoted vehicles of every kind.", ["新能源汽车"]),
    # the words must stay close together: scattered over a sentence they render nothing
    ("着力稳就业。", "Employment rose while prices were kept low and the currency stable.", ["稳就业"]),
]


@pytest.mark.parametrize("zh, en, missing", TERM_CASES)
def test_term_renderings_match_across_inflection_and_order(zh, en, missing):
    assert _missing(zh, en, load_glossary(GLOSSARY)) == missing


def test_longer_term_hides_the_shorter_inside_it():
    glossary = Glossary((GlossaryEntry("城镇化", ("urbanization",)), GlossaryEntry("新型城镇化", ("new urbanization",))))
    assert _missing("推进新型城镇化", "urbanization", glossary) == ["新型城镇化"]


@pytest.mark.parametrize("bad", ["folder", "missing.tsv"])
def test_run_with_a_bad_glossary_is_a_config_error_before_any_model_loads(tmp_path, bad):
    from pipeline.batch import load_components
    from pipeline.config import config_from_dict

    config = config_from_dict({"fidelity": {"glossaries": [str(tmp_path / bad)]}})
    (tmp_path / "folder").mkdir()
    with pytest.raises(ConfigError, match="is a folder|not found") as caught:
        load_components(config, tmp_path / "out", use_cache=False)
    assert caught.value.exit_code == 3
