"""The Ray Data engine (``--engine ray``, ``pip install .[ray]``): translation batches run on a pool of
Ray actors, each holding a loaded translator; everything else is the local runner, unchanged.

The driver reads, segments, checks the cache, summarizes and writes; only sentences missing from the
cache travel to the actors, through ``Dataset.map_batches``. Actors that die are restarted and their
batch retried by Ray (``max_restarts``/``max_task_retries``), so a lost worker loses no work. Results are
keyed by source text, so they are identical to the local engine's whatever the order they come back in.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from pathlib import Path
from typing import Any, Iterable, Iterator

from .config import Config, config_from_dict
from .errors import PipelineError, describe_exception

log = logging.getLogger(__name__)

# Test hook: when set to a file path, the first actor batch that finds the file missing creates it and
# kills its own process, to prove that Ray restarts the actor and retries the batch.
CRASH_ONCE_ENV = "PIPELINE_RAY_CRASH_ONCE"


class TranslatorActor:
    """One Ray actor: loads the translator once, then translates the batches it is given."""

    def __init__(self, config_data: dict[str, Any], settings_data: dict[str, Any]):
        from .runner import load_translator
        from .translate import GenerationSettings

        self.config = config_from_dict(config_data)
        self.translator = load_translator(self.config)
        self.settings = GenerationSettings(**settings_data)  # the driver's, so both decode alike

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        from .translate import translate_texts

        marker = os.environ.get(CRASH_ONCE_ENV)
        if marker and not os.path.exists(marker):
            Path(marker).write_text("crashed once\n")
            os._exit(1)  # a worker dying mid-batch
        texts = [str(t) for t in batch["zh"]]
        done = translate_texts(texts, self.translator, self.settings, guard=self.config.translator.repetition_guard)
        return {
            "zh": texts,
            "en": [done[t].en if t in done else "" for t in texts],
            "flags": [json.dumps([f.to_dict() for f in done[t].flags] if t in done else []) for t in texts],
        }


def _absolute_model_paths(config: Config, components) -> dict[str, Any]:
    """The config as data, with model folders made absolute (actors may run elsewhere)."""
    data = config.to_dict()
    tr = data["translator"]
    model_path = Path(tr["model"])
    if model_path.exists():
        tr["model"] = str(model_path.resolve())
    if tr.get("ct2_model") and Path(tr["ct2_model"]).exists():
        tr["ct2_model"] = str(Path(tr["ct2_model"]).resolve())
    tr["threads"] = max(1, int(config.ray.num_cpus_per_actor)) if config.translator.threads == 0 else tr["threads"]
    return data


def init_ray(config: Config) -> None:
    try:
        import ray
    except ImportError:
        raise PipelineError("--engine ray needs Ray", hint="pip install -e '.[ray]'") from None
    if ray.is_initialized():
        return
    env = {k: os.environ[k] for k in (CRASH_ONCE_ENV, "HF_HUB_OFFLINE", "HF_HOME") if k in os.environ}
    kwargs: dict[str, Any] = dict(
        ignore_reinit_error=True,
        include_dashboard=False,
        logging_level=logging.WARNING,
        log_to_driver=False,
        runtime_env={"env_vars": env} if env else None,
    )
    if config.ray.address:
        kwargs["address"] = config.ray.address
    try:
        ray.init(**kwargs)
    except Exception as exc:  # connection refused, bad address, ...
        raise PipelineError(
            f"cannot start or reach Ray ({describe_exception(exc)})",
            hint="check ray.address in the config (null starts Ray locally)",
        ) from None
    import ray.data

    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.verbose_stats_logs = False
    for name in ("ray", "ray.data"):  # Ray's INFO chatter is not for our users' consoles
        logging.getLogger(name).setLevel(logging.ERROR)


def make_ray_translate(config: Config, components):
    """A ``translate_fn`` for :func:`pipeline.runner.run_batch` that sends cache misses to Ray actors."""
    import ray.data

    from .document import Flag
    from .translate import TranslatedText, TranslationService

    config_data = _absolute_model_paths(config, components)

    def produce(todo: list[str], stats) -> Iterator[dict[str, TranslatedText]]:
        ds = ray.data.from_items([{"zh": t} for t in todo], override_num_blocks=max(1, config.ray.pool_size * 2))
        out = ds.map_batches(
            TranslatorActor,
            fn_constructor_kwargs={"config_data": config_data, "settings_data": dataclasses.asdict(components.settings)},
            batch_size=config.ray.batch_size,
            compute=ray.data.ActorPoolStrategy(size=config.ray.pool_size),
            num_cpus=config.ray.num_cpus_per_actor,
            batch_format="numpy",
            # Ray Data's actor pools default to max_restarts=-1 and max_task_retries=-1: a dead actor is
            # restarted and its batch retried, however often (tested by killing a worker mid-batch).
        )
        for batch in out.iter_batches(batch_size=config.ray.batch_size, batch_format="numpy"):
            yield {
                str(zh): TranslatedText(str(en), [Flag.from_dict(f) for f in json.loads(str(fl))])
                for zh, en, fl in zip(batch["zh"], batch["en"], batch["flags"])
            }

    service = TranslationService(components.translator, components.settings,
                                 guard=config.translator.repetition_guard, cache=components.cache, produce=produce)

    def translate(texts: Iterable[str], *, progress=None, stats=None) -> dict[str, TranslatedText]:
        return service.translate(texts, progress=progress, stats=stats)

    return translate


def run_batch_ray(
    inputs,
    config: Config,
    out_dir: Path,
    *,
    force: bool = False,
    use_cache: bool = True,
    cache_path: str | None = None,
    progress=None,
):
    """Like :func:`pipeline.runner.run_batch`, with translation on a Ray actor pool."""
    from .runner import load_components, run_batch

    init_ray(config)
    components = load_components(config, use_cache=use_cache, cache_path=cache_path)
    try:
        return run_batch(
            inputs, components, out_dir, force=force, progress=progress,
            translate_fn=make_ray_translate(config, components),
        )
    finally:
        components.close()


