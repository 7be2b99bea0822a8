"""The Ray engine's document stages: abstractive summaries on an actor pool holding the summarizer, then
each document's checks and rendering as Ray tasks; and the per-node counters of a run.

One dataset per group of documents: ``from_items(documents) -> map_batches(SummarizerActor, actor pool) ->
map(finish_row)`` (tasks). A document travels whole (pickled, translations applied): its section summaries
and the executive summary resting on them are made by one actor with the local engine's code
(``summarize_documents``, whose output for a document alone equals its output in a group), so the outputs
are the local engine's byte for byte (tested). The tasks return the text of
the output files; the driver writes them and appends the manifest line, in input order, as each arrives.
A killed actor is restarted and a killed task retried by Ray (Ray Data's defaults), so nothing is lost.
"""

from __future__ import annotations

import pickle
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ..config import Config, config_from_dict
from ..document import Document
from ..errors import ConfigError, InputError, OutputError, PipelineError, describe_exception
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
    driver_cpu_seconds: float = 0.0
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

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        from ..summarize import SummaryPolicy, summarize_documents

        node, cpu = worker_facts()
        docs = [pickle.loads(d) for d in batch["doc"]]
        if self.before is not None:
            self.before([d.source for d in docs])
        policy = SummaryPolicy.from_config(self.config.summarizer)
        out, errors = [], []
        for doc, previous in zip(docs, batch["error"]):
            if previous or self.mismatch:  # failed before, or this node's model is not the driver's
                out.append(b"")
                errors.append(previous or failure(self.mismatch))
                continue
            try:
                summarize_documents([doc], self.summarizer, policy)
                out.append(pickle.dumps(doc))
                errors.append(b"")
            except Exception as err:
                out.append(b"")
                errors.append(failure(err))
        n = len(docs)
        return {"i": batch["i"], "doc": out, "error": errors, "summary_node": [node] * n,
                "summary_batch": [1] + [0] * (n - 1), "summary_cpu": [time.process_time() - cpu] + [0.0] * (n - 1)}


def finish_row(row: dict[str, Any], *, config_data: dict[str, Any], glossary: Any, summarized: bool,
               before: WorkHook | None = None) -> dict[str, Any]:
    """One document task: extractive summaries (when the config has them), fidelity checks, rendering.
    Returns the output files' text (the driver writes them) or the document's error."""
    from .components import Components, load_summarizer
    from .documents import check_document, render_outputs, summarize_group

    node, cpu = worker_facts()
    started = time.perf_counter()
    config = config_from_dict(config_data)
    result = {"i": row["i"], "texts": b"", "error": row["error"], "node": node, "seconds": 0.0,
              "summary_node": row.get("summary_node", ""), "summary_batch": row.get("summary_batch", 0),
              "summary_cpu": row.get("summary_cpu", 0.0)}
    if not row["error"]:
        doc = pickle.loads(row["doc"])
        try:
            if before is not None:
                before([doc.source])
            summarizer = None if summarized else load_summarizer(config, None, None)[0]  # extractive or none
            components = Components(config, None, None, summarizer, glossary, None)
            summarize_group([doc], components)
            check_document(doc, components)
            result["texts"] = pickle.dumps(render_outputs(doc, config))
        except Exception as err:
            result["error"] = failure(err)
    result["seconds"] = time.perf_counter() - started
    result["cpu"] = time.process_time() - cpu
    return result


def ray_finish(components: Any, config_data: dict[str, Any], settings_data: dict[str, Any], stats: RayStats, *,
               before_summary: WorkHook | None = None, before_document: WorkHook | None = None):
    """A ``finish`` for :class:`BatchRun`: abstractive summaries on the summarizer actor pool, then one Ray
    task per document; yields one outcome per document, in order, each as soon as it and those before it
    are back."""
    config: Config = components.config
    summarized = config.summarizer.kind == "abstractive"

    def finish(docs: list[Document]) -> Iterator[Finished | BaseException]:
        import ray.data

        if not docs:
            return
        rc = config.ray
        rows = [{"i": i, "doc": pickle.dumps(doc), "error": b""} for i, doc in enumerate(docs)]
        ds = ray.data.from_items(rows, override_num_blocks=len(rows))
        if summarized:
            ds = ds.map_batches(
                SummarizerActor,
                fn_constructor_kwargs={"config_data": config_data, "settings_data": settings_data,
                                       "before": before_summary,
                                       "revision": components.summarizer_info.get("revision")},
                batch_size=1,  # one document per call: the pool balances whole documents
                compute=ray.data.ActorPoolStrategy(size=min(rc.summarizer_pool_size, len(rows))),  # no idle starts
                num_cpus=rc.num_cpus_per_summarizer,
                num_gpus=rc.num_gpus_per_summarizer or None,
                batch_format="numpy",
            )
        ds = ds.map(finish_row, fn_kwargs={"config_data": config_data, "glossary": components.glossary,
                                           "summarized": summarized, "before": before_document},
                    num_cpus=rc.num_cpus_per_task)
        waiting: dict[int, dict[str, Any]] = {}
        nxt = 0
        try:
            for row in ds.iter_rows():
                _count(stats, row)
                waiting[int(row["i"])] = row
                while nxt in waiting:
                    yield _outcome(waiting.pop(nxt))
                    nxt += 1
        except Exception as err:  # the dataset itself failed (not one document): those not back fail with it
            cause = engine_failure(err)
            for i in range(nxt, len(docs)):
                yield _outcome(waiting.pop(i)) if i in waiting else cause

    return finish


def engine_failure(err: BaseException) -> PipelineError:
    """The whole dataset failed (Ray lost the cluster, ...): one line for every document not back."""
    return PipelineError(f"the Ray engine failed ({describe_exception(err).splitlines()[0][:300]})",
                         hint="see the Ray logs (for a local Ray: /tmp/ray/session_latest/logs)")


def _count(stats: RayStats, row: dict[str, Any]) -> None:
    stats.count(str(row["node"]), "document_tasks", cpu=float(row["cpu"]))
    if row.get("summary_batch"):
        stats.count(str(row["summary_node"]), "summary_batches", int(row["summary_batch"]),
                    cpu=float(row["summary_cpu"]))


def _outcome(row: dict[str, Any]) -> Finished | BaseException:
    if row["error"]:
        return rebuild(row["error"])
    return Finished(pickle.loads(row["texts"]), float(row["seconds"]))


def batch_marks(n: int, node: str, cpu: float) -> dict[str, list]:
    """Columns that let the driver count actor calls per node whatever the re-batching on the way back."""
    return {"node": [node] * n, "batch": [1] + [0] * (n - 1), "cpu": [cpu] + [0.0] * (n - 1)}
