"""The Ray engine's own parts, without Ray: errors that travel back from workers keep the manifest line the
local engine writes, the per-node counters add up, and what a read task gets (a portable loader, the
shipped segmenter) reads and splits exactly as on the driver."""

from __future__ import annotations

from pathlib import Path

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


# -- reading on workers: what travels must read and segment exactly as on the driver ------------------------

def _items(tmp_path):
    from pipeline.batch import iter_inputs

    from .test_readers_pdf_docx import NUMBERED, REPORT_BLOCKS, build_docx, build_pdf

    folder = tmp_path / "in"
    folder.mkdir()
    build_pdf(folder / "a.pdf", REPORT_BLOCKS, header="某市人民政府公报　2023年第8期", page_number="— {n} —", lines_per_page=9)
    build_docx(folder / "b.docx", NUMBERED, style={0: "Title"})
    (folder / "c.txt").write_bytes("各位代表：\n一、工作回顾\n全市生产总值增长6.5%。".encode("gb18030"))
    (folder / "d.txt").write_text("hello world, this is not a report", encoding="utf-8")
    (folder / "e.pdf").write_bytes(b"%PDF-1.4 not really a PDF")
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"id": "x", "text": "各位代表：全市生产总值增长6.5%。"}\n{"id": "y", "text": ""}\n', encoding="utf-8")
    return list(iter_inputs([str(folder), str(rows)]))


def _outcome(load):
    import pickle

    try:
        loaded = pickle.loads(pickle.dumps(load))()  # as a worker gets it
    except PipelineError as err:
        return "error", err.line()
    return ("read", loaded.text, loaded.format, loaded.encoding) if hasattr(loaded, "text") else ("read", loaded)


def test_a_portable_loader_reads_what_the_local_loader_reads_errors_included(tmp_path):
    items = _items(tmp_path)
    assert len(items) == 7
    outcomes = [(_outcome(item.portable()), _outcome(item.loader)) for item in items]
    for shipped, local in outcomes:
        assert shipped == local
    assert [o[0][0] for o in outcomes] == ["read", "read", "read", "error", "error", "read", "error"]
    assert outcomes[0][0][2:] == ("pdf", "n/a") and outcomes[2][0][3] == "gb18030"
    gone = items[2]
    (tmp_path / "in" / "c.txt").unlink()  # deleted between discovery and reading: the same line either way
    with pytest.raises(InputError) as shipped:
        gone.portable()
    with pytest.raises(InputError) as local:
        gone.load()
    assert shipped.value.line() == local.value.line() and "no such file" in local.value.line()


def test_a_shipped_segmenter_splits_as_the_driver_does(tiny_translator, sample_text):
    import pickle

    from pipeline.batch.reading import Segmenter, read_and_segment, token_counter

    shipped = pickle.loads(pickle.dumps(Segmenter(token_counter(tiny_translator), limit=0)))
    here = Segmenter(tiny_translator)
    long_sentence = "，".join(["全市生产总值增长6.5%"] * 40) + "。"  # longer than the 64-token input limit: split
    for text in (sample_text, "各位代表：\n" + long_sentence):
        a = read_and_segment(lambda t=text: t, "r.txt", shipped)
        b = read_and_segment(lambda t=text: t, "r.txt", here)
        assert a.content_hash == b.content_hash and a.error is None
        assert a.doc.to_dict() == b.doc.to_dict()
    assert len(next(b.doc.all_segments()).pieces) > 1  # split by the token count that travelled
    done = read_and_segment(lambda: sample_text, "r.txt", shipped).content_hash
    again = read_and_segment(lambda: sample_text, "r.txt", shipped, done_hash=done)  # done before: not segmented
    assert again.doc is None and again.error is None and again.content_hash == done
    preview = read_and_segment(lambda: sample_text, "r.txt", Segmenter(token_counter(tiny_translator), limit=3))
    assert len(list(preview.doc.all_segments())) == 3


def test_a_rerun_reads_every_input_but_segments_only_the_changed_ones(tmp_path, tiny_models):
    """BatchRun's ``read`` seam gets the content hash of each input done before: an unchanged input is
    read and hashed, not segmented again (on the Ray engine: no segmentation in its read task)."""
    from pipeline.batch import BatchRun, iter_inputs, load_components
    from pipeline.batch.reading import Segmenter, read_locally
    from pipeline.config import load_config

    from .conftest import TINY_CONFIG

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"r{i}.txt").write_text(f"各位代表：\n一、工作回顾\n全市生产总值增长{i}.5%。", encoding="utf-8")
    components = load_components(load_config(TINY_CONFIG, ["summarizer.kind=none"]), tmp_path / "out", use_cache=False)
    segmented: list[str] = []

    class Counting(Segmenter):
        def __call__(self, text, name):
            segmented.append(Path(name).name)
            return super().__call__(text, name)

    def run():
        segmented.clear()
        read = lambda requests: read_locally(requests, Counting(components.translator))  # noqa: E731
        return BatchRun(components, tmp_path / "out", read=read).run(iter_inputs([str(folder)]))

    assert not run().failed and segmented == ["r0.txt", "r1.txt", "r2.txt"]
    report = run()
    assert segmented == [] and all(r.skipped for r in report.results)
    (folder / "r1.txt").write_text("各位代表：\n一、工作回顾\n全市生产总值增长9.5%。", encoding="utf-8")
    report = run()
    assert segmented == ["r1.txt"]
    assert {Path(r.name).name: r.skipped for r in report.results} == {"r0.txt": True, "r1.txt": False, "r2.txt": True}
