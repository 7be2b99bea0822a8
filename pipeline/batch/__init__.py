"""Batch infrastructure: inputs, the run, the manifest, output files, the collection, and the engines.

- ``inputs``: files, directories, globs, ``@lists`` and table rows -> ``InputItem`` (stable keys)
- ``components``: the ONE factory for models, settings, glossary and cache; the run signature
- ``run``: ``BatchRun`` (groups of documents share translation; results and manifest lines)
- ``reading``: one input read and segmented (the same function for every engine)
- ``documents``: one document's summaries, checks and files
- ``manifest``, ``naming``, ``outputs``, ``collection``: bookkeeping, names, atomic writes + lock, index
- ``ray_engine``: the Ray engine; translation on a Ray actor pool (``BatchRun``'s ``translate``)
- ``ray_stages``: read tasks (``BatchRun``'s ``read``), summaries on a summarizer actor pool and
  per-document tasks (``BatchRun``'s ``finish``), per-node counters
- ``ray_pool``: an actor pool on Ray core
"""

from .components import Components, load_components
from .inputs import InputFailure, InputItem, iter_inputs
from .outputs import ensure_writable, write_atomic
from .run import BatchReport, BatchRun, DocumentResult, SilentProgress, run_batch

__all__ = [
    "BatchReport", "BatchRun", "Components", "DocumentResult", "InputFailure", "InputItem", "SilentProgress",
    "ensure_writable", "iter_inputs", "load_components", "run_batch", "write_atomic",
]
