"""The Ray engine (``--engine ray``, ``pip install .[ray]``): translation batches run on a pool of Ray
actors, each holding a translator built by the same factory as the local engine's; abstractive summaries
on a second actor pool and each document's checks and rendering in Ray tasks (:mod:`.ray_stages`). The
driver reads, segments, keeps the cache, writes the files and the manifest: :class:`BatchRun`, unchanged.

Only sentences missing from the cache travel to the actors, through ``Dataset.map_batches``. Actors that
die are restarted and their batch retried by Ray (Ray Data's actor pools restart actors and retry tasks
by default), so a lost worker loses no work. Results are keyed by source text, so they are identical to
the local engine's whatever the order they come back in.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..config import Config, config_from_dict
from ..errors import PipelineError, describe_exception
from .components import Components, load_glossary_files, load_translator
from .outputs import write_atomic
from .ray_stages import RayStats, WorkHook, batch_marks, failure, ray_finish, rebuild, same_model, worker_facts
from .run import BatchReport, BatchRun

STATS_FILE = ".ray/stats.json"  # under the output folder: the last Ray run's per-node counters and CPU split

log = logging.getLogger(__name__)

BatchHook = Callable[[list[str]], None]  # called by an actor before each batch (tests inject crashes here)


class TranslatorActor:
    """One Ray actor: loads the translator once, then translates the batches it is given."""

    def __init__(self, config_data: dict[str, Any], settings_data: dict[str, Any], before_batch: BatchHook | None = None,
                 revision: str | None = None):
        from ..translate import GenerationSettings

        self.config = config_from_dict(config_data)
        glossary, _, _ = load_glossary_files(self.config)  # the glossary bias decodes as on the driver
        self.translator = load_translator(self.config, glossary)
        self.mismatch = same_model("translator", self.translator.revision, revision)  # reported with each batch
        self.settings = GenerationSettings(**settings_data)  # the driver's, so both decode alike
        self.before_batch = before_batch

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        from ..translate import translate_texts

        node, cpu = worker_facts()
        texts = [str(t) for t in batch["zh"]]
        if self.mismatch is not None:  # the driver stops at the first row with an error
            return {"zh": texts, "en": [""] * len(texts), "flags": ["[]"] * len(texts),
                    "error": [failure(self.mismatch)] * len(texts), **batch_marks(len(texts), node, 0.0)}
        if self.before_batch is not None:
            self.before_batch(texts)
        done = translate_texts(texts, self.translator, self.settings, guard=self.config.translator.repetition_guard)
        return {
            "error": [b""] * len(texts),
            "zh": texts,
            "en": [done[t].en if t in done else "" for t in texts],
            "flags": [json.dumps([f.to_dict() for f in done[t].flags] if t in done else []) for t in texts],
            **batch_marks(len(texts), node, time.process_time() - cpu),
        }


def portable_config(config: Config) -> dict[str, Any]:
    """The config as data with every local path made absolute, resolved exactly as the driver resolves
    it (current directory, then the config's project folder): actors may run in another directory."""
    data = config.to_dict()
    for section, keys in (("translator", ("model", "ct2_model")), ("summarizer", ("model", "ct2_model"))):
        for key in keys:
            value = data.get(section, {}).get(key)
            if value:
                resolved = config.resolve_path(value)
                if resolved.exists():
                    data[section][key] = str(resolved.resolve())
    data["fidelity"]["glossaries"] = [str(config.resolve_path(g).resolve()) for g in config.fidelity.glossaries]
    if config.translator.threads == 0:
        data["translator"]["threads"] = max(1, int(config.ray.num_cpus_per_actor))
    if config.summarizer.threads == 0:
        data["summarizer"]["threads"] = max(1, int(config.ray.num_cpus_per_summarizer))
    return data


def init_ray(config: Config) -> None:
    try:
        import ray
    except ImportError:
        raise PipelineError("--engine ray needs Ray", hint="pip install -e '.[ray]'") from None
    if ray.is_initialized():
        return
    env = {k: os.environ[k] for k in ("HF_HUB_OFFLINE", "HF_HOME") if k in os.environ}
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


def ray_translate(components: Components, *, before_batch: BatchHook | None = None,
                  ray_stats: RayStats | None = None):
    """A ``translate`` for :class:`BatchRun` that sends cache misses to Ray actors (through the same
    cache-and-chunk path as the local engine)."""
    import ray.data

    from ..document import Flag
    from ..translate import TranslatedText

    config = components.config
    config_data = portable_config(config)
    settings_data = dataclasses.asdict(components.settings)

    def produce(todo: list[str]) -> Iterator[dict[str, TranslatedText]]:
        blocks = -(-len(todo) // config.ray.batch_size)  # one block per actor batch: the whole pool gets work
        ds = ray.data.from_items([{"zh": t} for t in todo], override_num_blocks=max(1, blocks))
        out = ds.map_batches(
            TranslatorActor,
            fn_constructor_kwargs={"config_data": config_data, "settings_data": settings_data,
                                   "before_batch": before_batch, "revision": components.translator.revision},
            batch_size=config.ray.batch_size,
            compute=ray.data.ActorPoolStrategy(size=min(config.ray.pool_size, max(1, blocks))),  # no idle starts
            num_cpus=config.ray.num_cpus_per_actor,
            num_gpus=config.ray.num_gpus_per_actor or None,
            batch_format="numpy",
        )
        for batch in out.iter_batches(batch_size=config.ray.batch_size, batch_format="numpy"):
            failed = [e for e in batch["error"] if e]
            if failed:
                raise rebuild(failed[0])
            if ray_stats is not None:
                for node, calls, cpu in zip(batch["node"], batch["batch"], batch["cpu"]):
                    if calls:
                        ray_stats.count(str(node), "translation_batches", int(calls), cpu=float(cpu))
            yield {
                str(zh): TranslatedText(str(en), [Flag.from_dict(f) for f in json.loads(str(fl))])
                for zh, en, fl in zip(batch["zh"], batch["en"], batch["flags"])
            }

    service = components.service(produce=lambda todo, stats: produce(todo))

    def translate(texts: Iterable[str], *, progress=None, stats=None) -> dict[str, TranslatedText]:
        return service.translate(texts, progress=progress, stats=stats)

    return translate


def run_batch_ray(inputs, components: Components, out_dir: Path, *, before_batch: BatchHook | None = None,
                  before_summary: WorkHook | None = None, before_document: WorkHook | None = None,
                  **options: Any) -> BatchReport:
    """:func:`pipeline.batch.run_batch` with translation and summaries on Ray actor pools and each
    document's checks and rendering in Ray tasks. The report's ``engine`` holds the per-node counters and
    the driver's CPU share; they are also written to ``<out>/.ray/stats.json`` and shown as a stage line.
    ``before_*``: called on the workers before each batch or task (tests pass crashes in)."""
    init_ray(components.config)
    stats = RayStats()
    config_data = portable_config(components.config)
    settings_data = dataclasses.asdict(components.settings)
    translate = ray_translate(components, before_batch=before_batch, ray_stats=stats)
    finish = ray_finish(components, config_data, settings_data, stats, before_summary=before_summary,
                        before_document=before_document)
    cpu, started = time.process_time(), time.perf_counter()
    run = BatchRun(components, out_dir, translate=translate, finish=finish, **options)
    report = run.run(inputs)
    stats.driver_cpu_seconds, stats.seconds = time.process_time() - cpu, time.perf_counter() - started
    report.engine = stats.to_dict()
    run.progress.stage("ray", stats.summary_line())
    try:
        write_atomic(Path(out_dir) / STATS_FILE, json.dumps(report.engine, indent=2) + "\n")
    except (OSError, PipelineError) as exc:
        log.warning("%s: not written (%s)", Path(out_dir) / STATS_FILE, exc)
    return report
