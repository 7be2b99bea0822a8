"""The Ray engine's own bookkeeping, without Ray: errors that travel back from workers keep the manifest
line the local engine writes, and the per-node counters add up."""

from __future__ import annotations

import pytest

from pipeline.batch.ray_stages import RayStats, failure, rebuild
from pipeline.batch.run import _error_kind, error_line
from pipeline.errors import InputError, OutputError, PipelineError


@pytest.mark.parametrize("err", [
    ValueError("could not convert string to float: 'x'"),
    KeyError("s12"),
    InputError("a.txt: no text found after removing page chrome"),
    OutputError("out/a.md: no space left on device", hint="free some space"),
    PipelineError("node 1a2b: its summarizer model (x) is not the driver's (y)", hint="install the same model"),
])
def test_an_error_from_a_worker_reads_and_counts_as_it_would_locally(err):
    back = rebuild(failure(err))
    assert error_line(back, "reports/a.txt") == error_line(err, "reports/a.txt")
    assert _error_kind(back) == _error_kind(err)


def test_counters_per_node_and_cpu_per_kind_of_work():
    stats = RayStats()
    stats.count("node-a", "translation_batches", 2, cpu=1.5)
    stats.count("node-b", "summary_batches", cpu=3.0)
    stats.count("node-a", "document_tasks", cpu=0.5)
    stats.driver_cpu_seconds = 1.0
    d = stats.to_dict()
    assert d["nodes"] == {"node-a": {"document_tasks": 1, "translation_batches": 2}, "node-b": {"summary_batches": 1}}
    assert d["worker_cpu_seconds"] == 5.0 and d["driver_cpu_share"] == round(1 / 6, 4)
    assert d["worker_cpu_seconds_by_work"] == {"document_tasks": 0.5, "summary_batches": 3.0, "translation_batches": 1.5}
    assert stats.summary_line().startswith("2 node(s) [node-a: 1 document tasks, 2 translation batches; node-b: 1 summary")
    assert "driver CPU 17% of 6.0 s" in stats.summary_line()
