"""The Ray engine's stages besides translation: reading, summaries, each document's checks and rendering;
and the per-node counters of a run.

- ``read`` (:func:`ray_read`): the driver reads each input's bytes (inputs need not be on storage the
  workers see) and a Ray task parses and segments them with the local engine's code
  (:func:`.reading.read_and_segment`, the translator's own token count travelling without its model),
  up to a group of documents ahead of the run; the same document, or the same error, as locally.
- ``finish`` (:func:`ray_finish`): one call per document on a pool of summarizer actors (its section
  summaries and the executive summary resting on them, by ``summarize_documents``, whose output for a
  document alone equals its output in a group), then one Ray task per document (checks, rendering),
  started as soon as its summary is made, which returns the text of the output files; the driver
  writes them and appends the manifest line, in input order, as each arrives.

Documents travel whole between the stages through Ray's object store, not through the driver. A killed
actor is restarted (its calls retried) and a killed task retried by Ray, so nothing is lost (tested).
"""

from __future__ import annotations

import pickle
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from ..config import Config, config_from_dict
from ..document import Document
from ..errors import ConfigError, InputError, OutputError, PipelineError, describe_exception
from .reading import Read, ReadRequest, Segmenter, read_and_segment, token_counter
from .run import Finished

WorkHook = Callable[[list[str]], None]  # called before each summarizer batch / document task (tests crash here)


def worker_facts() -> tuple[str, float]:
    """(this worker's Ray node id, its process CPU seconds so far)."""
    import ray

    return ray.get_runtime_context().get_node_id(), time.process_time()


@dataclass
class RayStats:
    """What ran where: per node, translation batches, summary batches and document tasks; CPU seconds on
    the driver and on the workers (actors and tasks, measured around their own work)."""

    nodes: dict[str, Counter] = field(default_factory=dict)
    worker_cpu: Counter = field(default_factory=Counter)  # per kind of work ("summary_batches", ...)
    driver_cpu_seconds: float = 0.0  # the whole run on the driver, connecting to Ray included
    driver_init_cpu_seconds: float = 0.0  # of which: connecting to (or starting) Ray
    seconds: float = 0.0

    def count(self, node: str, what: str, n: int = 1, cpu: float = 0.0) -> None:
        self.nodes.setdefault(node, Counter())[what] += n
        self.worker_cpu[what] += cpu

    @property
    def worker_cpu_seconds(self) -> float:
        return sum(self.worker_cpu.values())

    def to_dict(self) -> dict[str, Any]:
        total = self.driver_cpu_seconds + self.worker_cpu_seconds
        return {
            "engine": "ray",
            "nodes": {node: dict(sorted(c.items())) for node, c in sorted(self.nodes.items())},
            "driver_cpu_seconds": round(self.driver_cpu_seconds, 3),
            "driver_init_cpu_seconds": round(self.driver_init_cpu_seconds, 3),
            "worker_cpu_seconds": round(self.worker_cpu_seconds, 3),
            "worker_cpu_seconds_by_work": {k: round(v, 3) for k, v in sorted(self.worker_cpu.items())},
            "driver_cpu_share": round(self.driver_cpu_seconds / total, 4) if total else None,
            "wall_seconds": round(self.seconds, 3),
        }

    def summary_line(self) -> str:
        d = self.to_dict()
        per_node = "; ".join(
            f"{node[:8]}: " + ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in counts.items())
            for node, counts in d["nodes"].items()
        )
        share = f"{100 * d['driver_cpu_share']:.0f}%" if d["driver_cpu_share"] is not None else "n/a"
        return f"{len(d['nodes'])} node(s) [{per_node}]; driver CPU {share} of {d['driver_cpu_seconds'] + d['worker_cpu_seconds']:.1f} s"


def same_model(role: str, revision: str | None, expected: str | None) -> PipelineError | None:
    """An error when this node's model is not the driver's (another file at the same path): the cache key,
    the run signature and the provenance all name the driver's model, so a different one must not run."""
    if expected is None or revision == expected:
        return None
    import ray

    node = ray.get_runtime_context().get_node_id()[:8]
    return ConfigError(f"node {node}: its {role} model ({revision}) is not the driver's ({expected})",
                       hint="install the same model folder at the same path on every node")


def failure(err: BaseException) -> bytes:
    """An exception as it can travel back (rebuilt by :func:`rebuild`): our errors as their kind and line,
    a foreign one as its type name and message (the driver words it with the input's name, as locally)."""
    if isinstance(err, PipelineError):
        kind = "input" if isinstance(err, InputError) else "output" if isinstance(err, OutputError) else "internal"
        return pickle.dumps(("pipeline", kind, err.line()))
    return pickle.dumps(("foreign", type(err).__name__, str(err)))


def rebuild(data: bytes) -> BaseException:
    origin, kind, text = pickle.loads(data)
    if origin == "foreign":  # same type name and message: the same manifest line as the local engine's
        return type(kind, (Exception,), {})(text)
    return {"input": InputError, "output": OutputError}.get(kind, PipelineError)(text)


class SummarizerActor:
    """One Ray actor: loads the summarizer once (the local engine's factory), then summarizes the
    documents it is given, each with ``summarize_documents`` as the local engine does (which gives the
    same output for a document alone as in a group)."""

    def __init__(self, config_data: dict[str, Any], settings_data: dict[str, Any], before: WorkHook | None = None,
                 revision: str | None = None):
        from ..translate import GenerationSettings
        from .components import load_summarizer, load_translator

        self.config = config_from_dict(config_data)
        translator = load_translator(self.config) if self.config.summarizer.input == "zh" else None  # summaries
        self.summarizer, info = load_summarizer(self.config, translator, GenerationSettings(**settings_data))
        self.mismatch = same_model("summarizer", info.get("revision"), revision)  # each document fails with it
        self.before = before

    def summarize(self, doc: Document) -> dict[str, Any]:
        """``{"doc": the summarized document or None, "error": failure bytes or b"", "node", "cpu"}``."""
        from ..summarize import SummaryPolicy, summarize_documents

        node, cpu = worker_facts()
        result: dict[str, Any] = {"doc": None, "error": b"", "node": node}
        if self.mismatch is not None:  # this node's model is not the driver's
            result["error"] = failure(self.mismatch)
        else:
            if self.before is not None:
                self.before([doc.source])
            try:
                summarize_documents([doc], self.summarizer, SummaryPolicy.from_config(self.config.summarizer))
                result["doc"] = doc
            except Exception as err:
                result["error"] = failure(err)
        result["cpu"] = time.process_time() - cpu
        return result


def finish_document(doc: Document | dict[str, Any], config_data: dict[str, Any], glossary: Any,
                    before: WorkHook | None = None) -> dict[str, Any]:
    """One document task: extractive summaries (when the config has them), fidelity checks, rendering.
    ``doc``: a translated document, or a summarizer actor's result (Ray passes it here from the actor).
    Returns the output files' text (the driver writes them) or the document's error, and where it ran."""
    from .components import Components, load_summarizer
    from .documents import check_document, render_outputs, summarize_group

    node, cpu = worker_facts()
    started = time.perf_counter()
    result: dict[str, Any] = {"texts": None, "error": b"", "node": node, "summary": None}
    if isinstance(doc, dict):  # summarized on an actor: its facts are counted with this task's
        result["summary"] = {k: doc[k] for k in ("node", "cpu")}
        doc, result["error"] = doc["doc"], doc["error"]
    if not result["error"]:
        config = config_from_dict(config_data)
        try:
            if before is not None:
                before([doc.source])
            summarized = config.summarizer.kind == "abstractive"
            summarizer = None if summarized else load_summarizer(config, None, None)[0]  # extractive or none
            components = Components(config, None, None, summarizer, glossary, None)
            summarize_group([doc], components)
            check_document(doc, components)
            result["texts"] = render_outputs(doc, config)
        except Exception as err:
            result["error"] = failure(err)
    result["seconds"] = time.perf_counter() - started
    result["cpu"] = time.process_time() - cpu
    return result


def ray_finish(components: Any, config_data: dict[str, Any], settings_data: dict[str, Any], stats: RayStats, *,
               before_summary: WorkHook | None = None, before_document: WorkHook | None = None):
    """A ``finish`` for :class:`BatchRun`: abstractive summaries on the summarizer actor pool, each
    document's task started as soon as its summary is made; yields one outcome per document, in order,
    each as soon as it and those before it are back."""
    import ray

    from .ray_pool import ActorPool, remote_options

    config: Config = components.config
    rc = config.ray
    summarized = config.summarizer.kind == "abstractive"
    task = ray.remote(finish_document).options(**remote_options(rc.num_cpus_per_task))
    glossary = ray.put(components.glossary)  # once per run, not once per document
    summarizer_kwargs = {"config_data": config_data, "settings_data": settings_data, "before": before_summary,
                         "revision": components.summarizer_info.get("revision")}

    def finish(docs: list[Document]) -> Iterator[Finished | BaseException]:
        if not docs:
            return
        refs: list[Any] = [None] * len(docs)
        nxt = 0
        if summarized:
            pool = ActorPool(SummarizerActor, summarizer_kwargs, size=rc.summarizer_pool_size,
                             num_cpus=rc.num_cpus_per_summarizer, num_gpus=rc.num_gpus_per_summarizer)
            try:  # one document per call: the pool balances whole documents
                for i, summary in pool.map("summarize", [(doc,) for doc in docs]):
                    refs[i] = task.remote(summary, config_data, glossary, before_document)
                    while nxt < len(docs) and refs[nxt] is not None and ray.wait([refs[nxt]], timeout=0)[0]:
                        yield _outcome(stats, refs[nxt])
                        nxt += 1
            except Exception as err:  # the pool itself failed (not one document): those not started fail with it
                for i in range(nxt, len(docs)):
                    refs[i] = refs[i] if refs[i] is not None else engine_failure(err)
            finally:
                pool.close()
        else:
            refs = [task.remote(doc, config_data, glossary, before_document) for doc in docs]
        for i in range(nxt, len(docs)):
            yield refs[i] if isinstance(refs[i], BaseException) else _outcome(stats, refs[i])

    return finish


def engine_failure(err: BaseException) -> PipelineError:
    """Ray lost the cluster, an actor for good, ...: one line for every document concerned."""
    return PipelineError(f"the Ray engine failed ({describe_exception(err).splitlines()[0][:300]})",
                         hint="see the Ray logs (for a local Ray: /tmp/ray/session_latest/logs)")


def _outcome(stats: RayStats, ref: Any) -> Finished | BaseException:
    import ray

    try:
        row = ray.get(ref)
    except Exception as err:  # the task could not run (its summarizer actor is gone, ...)
        return engine_failure(err)
    stats.count(row["node"], "document_tasks", cpu=row["cpu"])
    if row["summary"]:
        stats.count(row["summary"]["node"], "summary_batches", cpu=row["summary"]["cpu"])
    if row["error"]:
        return rebuild(row["error"])
    return Finished(row["texts"], row["seconds"])


_SEGMENTERS: dict[str, Segmenter] = {}  # per worker process: the run's segmenter, fetched once


def read_document(loader: Any, name: str, done_hash: str | None, segmenter: list[Any],
                  before: WorkHook | None = None) -> dict[str, Any]:
    """One read task: parse the input (its bytes came with ``loader``), hash and segment it with the
    run's segmenter (``[ref]``: fetched once per worker process). Errors travel as :func:`failure` bytes."""
    import ray

    key = segmenter[0].hex()
    if key not in _SEGMENTERS:  # like an actor's model, the tokenizer's loading is not counted as work
        _SEGMENTERS.clear()
        _SEGMENTERS[key] = ray.get(segmenter[0])
    node, cpu = worker_facts()
    if before is not None:
        before([name])
    read = read_and_segment(loader, name, _SEGMENTERS[key], done_hash)
    error = failure(read.error) if read.error is not None else b""
    read.error = None
    return {"read": read, "error": error, "node": node, "cpu": time.process_time() - cpu}


def ray_read(components: Any, stats: RayStats, *, limit: int = 0, before: WorkHook | None = None):
    """A ``read`` for :class:`BatchRun`: each input's bytes are read here (the driver) and shipped to a
    Ray task that parses and segments it, up to ``batch_documents`` inputs ahead of the run (the next group
    is read while this one is translated); yields one :class:`Read` per input, in order."""
    import ray

    from .ray_pool import remote_options

    config: Config = components.config
    task = ray.remote(read_document).options(**remote_options(config.ray.num_cpus_per_task))
    segmenter = [ray.put(Segmenter(token_counter(components.translator), limit))]  # in a list: not resolved
    ahead = max(1, config.batch_documents)

    def submit(req: ReadRequest) -> Any:
        if not req.needs_reading:
            return Read()
        try:
            loader = req.item.portable()  # an unreadable file fails here, with the local engine's line
        except Exception as err:
            return Read(error=err)
        return task.remote(loader, req.item.name, req.done_hash, segmenter, before)

    def collect(req: ReadRequest, submitted: Any) -> tuple[ReadRequest, Read]:
        if isinstance(submitted, Read):
            return req, submitted
        try:
            row = ray.get(submitted)
        except Exception as err:  # the task could not run at all (Ray lost the cluster, ...)
            return req, Read(error=engine_failure(err))
        stats.count(row["node"], "read_tasks", cpu=row["cpu"])
        read = row["read"]
        if row["error"]:
            read.error = rebuild(row["error"])
        return req, read

    def read(requests: Iterable[ReadRequest]) -> Iterator[tuple[ReadRequest, Read]]:
        pending: deque[tuple[ReadRequest, Any]] = deque()
        for req in requests:
            pending.append((req, submit(req)))
            if len(pending) > ahead:
                yield collect(*pending.popleft())
        while pending:
            yield collect(*pending.popleft())

    return read
