"""The Ray settings are checked when the config loads (no Ray needed): bounds, and GPUs that would idle."""

from __future__ import annotations

import pytest

from pipeline.config import RayConfig, load_config
from pipeline.errors import ConfigError

from .conftest import ROOT


@pytest.mark.parametrize("key", ["num_gpus_per_actor", "num_gpus_per_summarizer", "num_cpus_per_summarizer",
                                 "num_cpus_per_task"])
def test_negative_resources_are_refused_with_the_key(key):
    with pytest.raises(ConfigError, match=rf"ray\.{key}: got -1"):
        load_config(ROOT / "configs" / "tiny.yaml", [f"ray.{key}=-1"])


def test_a_zero_summarizer_pool_is_refused():
    with pytest.raises(ConfigError, match=r"ray\.summarizer_pool_size"):
        load_config(ROOT / "configs" / "tiny.yaml", ["ray.summarizer_pool_size=0"])


def test_gpus_for_translator_actors_that_run_on_the_cpu_are_refused():
    with pytest.raises(ConfigError, match=r"ray\.num_gpus_per_actor.*translator\.device: cpu") as err:
        load_config(ROOT / "configs" / "tiny.yaml", ["ray.num_gpus_per_actor=0.5"])
    assert "translator.device=auto" in err.value.hint
    cfg = load_config(ROOT / "configs" / "tiny.yaml", ["ray.num_gpus_per_actor=0.5", "translator.device=auto"])
    assert cfg.ray.num_gpus_per_actor == 0.5


def test_defaults_and_engine_settings_stay_out_of_the_output_signature():
    cfg = load_config(ROOT / "configs" / "tiny.yaml", ["ray.summarizer_pool_size=8", "ray.num_cpus_per_task=0.25"])
    assert cfg.ray.summarizer_pool_size == 8 and RayConfig().num_gpus_per_summarizer == 0.0
    assert "ray" not in cfg.output_dict()
