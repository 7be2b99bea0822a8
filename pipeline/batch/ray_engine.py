"""The Ray engine (``--engine ray``, ``pip install .[ray]``): every heavy stage runs on the cluster, plugged
into :class:`BatchRun` through its seams: ``read`` (each input's bytes, read by the driver, parsed and
segmented in a Ray task), ``translate`` (translation batches on a pool of translator actors, each holding a
translator built by the same factory as the local engine's) and ``finish`` (abstractive summaries on a
summarizer actor pool, then each document's checks and rendering in a Ray task): :mod:`.ray_stages`.
The driver keeps the cache, writes the files and appends the manifest, in input order.

Only sentences missing from the cache travel to the actors, ``ray.batch_size`` per call, on Ray core
actors (:mod:`.ray_pool`: no ``ray.data`` executor in the driver). Actors that die are restarted and
their calls retried by Ray, tasks retried, so a lost worker loses no work. Results are keyed by source
text, so they are identical to the local engine's whatever the order they come back in.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import logging
import os
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..config import Config, config_from_dict
from ..errors import EngineNotAvailableError, PipelineError, describe_exception
from .components import Components, load_glossary_files, load_translator
from .outputs import write_atomic
from .ray_pool import ActorPool
from .ray_stages import RayStats, WorkHook, failure, ray_finish, ray_read, rebuild, same_model, worker_facts
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

    def translate(self, texts: list[str]) -> dict[str, Any]:
        """``{"done": {text: TranslatedText}, "error": failure bytes or b"", "node", "cpu"}``."""
        from ..translate import TranslatedText, translate_texts

        node, cpu = worker_facts()
        if self.mismatch is not None:  # the driver stops at the first batch with an error
            return {"done": {}, "error": failure(self.mismatch), "node": node, "cpu": 0.0}
        if self.before_batch is not None:
            self.before_batch(texts)
        done = translate_texts(texts, self.translator, self.settings, guard=self.config.translator.repetition_guard)
        return {"done": {t: done.get(t) or TranslatedText("", []) for t in texts}, "error": b"", "node": node,
                "cpu": time.process_time() - cpu}


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


CONNECT_TIMEOUT_S = 10.0  # to reach a cluster's address before Ray is asked to join it


def _reachable(address: str, timeout: float) -> str | None:
    """None when a TCP connection to ``host:port`` (``ray://host:port`` too) opens within ``timeout``;
    else why not. ``auto`` and addresses without a port are left to Ray."""
    import socket

    target = address.split("://", 1)[-1]
    host, sep, port = target.rpartition(":")
    if address == "auto" or not sep or not port.isdigit():
        return None
    try:
        socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=timeout).close()
    except OSError as exc:
        return "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
    return None


def init_ray(config: Config, *, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Start Ray locally or join ``ray.address``; Ray missing or the address unreachable within
    ``timeout`` seconds is one :class:`EngineNotAvailableError` (exit 4), raised before any model loads
    when the CLI calls this first (Ray itself would retry an unreachable address for ever)."""
    try:
        import ray
    except ImportError:
        raise EngineNotAvailableError("--engine ray: Ray is not installed",
                                      hint="pip install -e '.[ray]', or run with --engine local") from None
    if ray.is_initialized():
        return
    if config.ray.address:
        why = _reachable(config.ray.address, timeout)
        if why is not None:
            raise EngineNotAvailableError(
                f"ray.address {config.ray.address}: cannot reach the Ray cluster ({why}, {timeout:g} s)",
                hint="start it (ray start --head), fix ray.address, or set it to null to start Ray locally")
    env = {k: os.environ[k] for k in ("HF_HUB_OFFLINE", "HF_HOME") if k in os.environ}
    kwargs: dict[str, Any] = dict(
        ignore_reinit_error=True,
        include_dashboard=False,
        # Ray's own warnings (e.g. its token-authentication notice) only with -v: the CLI's verbosity
        logging_level=logging.WARNING if logging.getLogger("pipeline").isEnabledFor(logging.INFO) else logging.ERROR,
        log_to_driver=False,
        runtime_env={"env_vars": env} if env else None,
    )
    if config.ray.address:
        kwargs["address"] = config.ray.address
    try:
        ray.init(**kwargs)
    except Exception as exc:  # connection refused, bad address, ...
        raise EngineNotAvailableError(
            f"cannot start or reach Ray ({describe_exception(exc)})",
            hint="check ray.address in the config (null starts Ray locally)",
        ) from None
    for name in ("ray",):  # Ray's INFO chatter is not for our users' consoles
        logging.getLogger(name).setLevel(logging.ERROR)


def ray_translate(components: Components, *, before_batch: BatchHook | None = None,
                  ray_stats: RayStats | None = None):
    """A ``translate`` for :class:`BatchRun` that sends cache misses to a pool of translator actors (through
    the same cache-and-chunk path as the local engine), ``ray.batch_size`` texts per call."""
    import ray

    config = components.config
    rc = config.ray
    kwargs = {"config_data": portable_config(config), "settings_data": dataclasses.asdict(components.settings),
              "before_batch": before_batch, "revision": components.translator.revision}

    def produce(todo: list[str]) -> Iterator[dict[str, Any]]:
        batches = [(todo[i:i + rc.batch_size],) for i in range(0, len(todo), rc.batch_size)]
        pool = ActorPool(TranslatorActor, kwargs, size=rc.pool_size, num_cpus=rc.num_cpus_per_actor,
                         num_gpus=rc.num_gpus_per_actor)
        try:
            for _, ref in pool.map("translate", batches):
                result = ray.get(ref)
                if result["error"]:
                    raise rebuild(result["error"])
                if ray_stats is not None:
                    ray_stats.count(result["node"], "translation_batches", cpu=result["cpu"])
                yield result["done"]
        finally:
            pool.close()  # the group's translation is done: its CPUs go to the summarizer actors

    service = components.service(produce=lambda todo, stats: produce(todo))

    def translate(texts: Iterable[str], *, progress=None, stats=None) -> dict[str, Any]:
        return service.translate(texts, progress=progress, stats=stats)

    return translate


def run_batch_ray(inputs, components: Components, out_dir: Path, *, before_read: WorkHook | None = None,
                  before_batch: BatchHook | None = None, before_summary: WorkHook | None = None,
                  before_document: WorkHook | None = None, **options: Any) -> BatchReport:
    """:func:`pipeline.batch.run_batch` with reading and segmentation in Ray tasks, translation and
    summaries on Ray actor pools and each document's checks and rendering in Ray tasks. The report's
    ``engine`` holds the per-node counters and the driver's CPU share (everything this process does from
    here on, connecting to Ray included); they are also written to ``<out>/.ray/stats.json`` and shown
    as a stage line. ``before_*``: called on the workers before each task or batch (tests pass crashes in)."""
    cpu, started = time.process_time(), time.perf_counter()
    init_ray(components.config)
    stats = RayStats(driver_init_cpu_seconds=time.process_time() - cpu)
    config_data = portable_config(components.config)
    settings_data = dataclasses.asdict(components.settings)
    read = ray_read(components, stats, limit=options.get("limit", 0), before=before_read)
    translate = ray_translate(components, before_batch=before_batch, ray_stats=stats)
    finish = ray_finish(components, config_data, settings_data, stats, before_summary=before_summary,
                        before_document=before_document)
    run = BatchRun(components, out_dir, read=read, translate=translate, finish=finish, **options)
    # What is loaded by now (modules, the driver's models) lives for the whole run: out of the collector's
    # passes. A full pass over a driver holding the production-shape models takes 0.23 s (400,000
    # objects), and Ray's GC thread as well as Python's own collector run such passes during the run.
    # Objects made during the run are collected as usual.
    gc.freeze()
    try:
        report = run.run(inputs)
    finally:
        gc.unfreeze()
    stats.driver_cpu_seconds, stats.seconds = time.process_time() - cpu, time.perf_counter() - started
    report.engine = stats.to_dict()
    run.progress.stage("ray", stats.summary_line())
    try:
        write_atomic(Path(out_dir) / STATS_FILE, json.dumps(report.engine, indent=2) + "\n")
    except (OSError, PipelineError) as exc:
        log.warning("%s: not written (%s)", Path(out_dir) / STATS_FILE, exc)
    return report
