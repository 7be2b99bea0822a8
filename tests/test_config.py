from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.config import Config, config_from_dict, load_config
from pipeline.errors import ConfigError

from .conftest import ROOT, TINY_CONFIG, run_cli

pytestmark = pytest.mark.usefixtures("tiny_models")

CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_shipped_configs_load(path: Path):
    cfg = load_config(path)
    assert isinstance(cfg, Config)
    assert len(cfg.hash()) == 12


def test_overrides_use_dotted_keys_and_yaml_values():
    cfg = config_from_dict({}, ["translator.num_beams=2", "summarizer.kind=extractive", "output.alignment=interleaved",
                                "translator.revision=null"])
    assert cfg.translator.num_beams == 2
    assert cfg.summarizer.kind == "extractive"
    assert cfg.output.alignment == "interleaved"
    assert cfg.translator.revision is None


def test_config_is_frozen():
    cfg = config_from_dict({})
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.translator.num_beams = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    "data, overrides, message",
    [
        ({"translator": {"beams": 2}}, [], "translator.beams: unknown key; allowed keys here:"),
        ({"translatr": {}}, [], "translatr: unknown key"),
        ({}, ["translator.num_beams=zero"], "translator.num_beams: got 'zero', expected an integer"),
        ({}, ["translator.num_beams=0"], "translator.num_beams: got 0, expected an integer between 1 and 64"),
        ({}, ["summarizer.kind=magic"], "summarizer.kind: got 'magic', expected one of 'abstractive', 'extractive', 'none'"),
        ({}, ["cache.enabled=3"], "cache.enabled: got 3, expected true or false"),
        ({"fidelity": {"glossaries": "a.tsv"}}, [], "fidelity.glossaries: got 'a.tsv', expected a list of strings"),
        ({"translator": 5}, [], "translator.: expected a mapping"),
        ({}, ["translator"], "expected dotted.key=value"),
    ],
)
def test_bad_config_names_the_key_and_what_is_allowed(data, overrides, message):
    with pytest.raises(ConfigError) as err:
        config_from_dict(data, overrides)
    assert message in str(err.value)


def test_hash_changes_with_output_settings_only():
    base = config_from_dict({})
    assert base.hash() == config_from_dict({}).hash()
    assert base.hash() != config_from_dict({}, ["translator.num_beams=2"]).hash()
    # engine settings do not change the output, so they do not change the hash
    assert base.hash() == config_from_dict({}, ["translator.threads=2", "cache.enabled=false"]).hash()


def test_cli_rejects_bad_override_in_one_line(tmp_path):
    res = run_cli("run", str(ROOT / "examples" / "yuyao-2020-h1-report.txt"), "--config", str(TINY_CONFIG),
                  "--set", "translator.num_beams=-1", "--out", str(tmp_path))
    assert res.returncode == 3
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert lines == ["error: translator.num_beams: got -1, expected an integer between 1 and 64"]


def test_shipped_configs_are_found_by_name_from_any_folder(tmp_path, monkeypatch):
    from pipeline.config import find_config

    monkeypatch.chdir(tmp_path)
    for name in ("tiny", "default.yaml", "fast"):
        path = find_config(name)
        assert path.is_file() and path.name.startswith(name.split(".")[0])
    assert load_config("tiny").translator.model == "models/tiny/marian-zh-en"
    with pytest.raises(ConfigError, match="config file not found") as caught:
        find_config("nope")
    assert "tiny" in caught.value.hint  # the shipped names are listed


def test_check_uses_the_shipped_glossary_from_any_folder_and_glossary_replaces_it(tmp_path):
    from .conftest import run_main

    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("zh\ten\n坚持稳就业。\tWe will keep jobs.\n", encoding="utf-8")
    shipped = run_main("check", str(pairs), cwd=tmp_path)
    assert shipped.returncode == 0, shipped.stderr
    assert "term-missing" in shipped.stdout  # 稳就业 is in the shipped glossary
    mine = tmp_path / "mine.tsv"
    mine.write_text("zh\ten\n坚持\tadhere\n", encoding="utf-8")
    replaced = run_main("check", str(pairs), "--glossary", str(mine), cwd=tmp_path)
    details = [f["detail"] for row in map(json.loads, replaced.stdout.splitlines()) for f in row["flags"]]
    assert details == ["坚持 should appear as one of: adhere"]  # only the given glossary
    none = run_main("check", str(pairs), "--no-glossary", cwd=tmp_path)
    assert "term-missing" not in none.stdout


def test_default_yaml_sets_every_key_so_it_documents_them_all():
    """The README says every key is documented in configs/default.yaml: a new key must appear there."""
    import yaml

    from pipeline.config import Config

    data = yaml.safe_load((Path(__file__).resolve().parents[1] / "configs" / "default.yaml").read_text("utf-8"))
    expected = Config().to_dict()  # every user key (source_path is not one)

    def keys(d, prefix=""):
        return {prefix + k for k, v in d.items()} | {
            x for k, v in d.items() if isinstance(v, dict) for x in keys(v, prefix + k + ".")}

    assert keys(expected) - keys(data) == set()
