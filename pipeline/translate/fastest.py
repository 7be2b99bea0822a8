"""Number formats of the transformers backends (``translator.dtype``, ``summarizer.dtype``) and the fastest
path per machine (``backend: auto``, what ``configs/fast.yaml`` uses).

The CPU's features come from ``/proc/cpuinfo`` (Linux; elsewhere none are known and the portable path is
taken). The table :data:`FAST_PATHS` is read top to bottom, the first row whose features the CPU has wins;
the README (Benchmarks and performance) has the measurements behind it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DTYPES = ("float32", "bfloat16", "float16", "auto")

# CPU features with bfloat16 products in hardware: ``dtype: auto`` takes bfloat16 there. Measured on AMD EPYC
# with AVX512-BF16 and no AMX (2026-12-03, benchmarks.translate, 24 sentences): 82.9 tokens/s against 52.6
# for float32 (an earlier probe under heavy shared load had it slower: 17 against 23).
BF16_FEATURES = ("amx_bf16", "avx512_bf16")
# The features the benchmarks record.
REPORTED_FEATURES = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8")


@dataclass(frozen=True)
class FastPath:
    """One row of the table: a CPU with any of ``features`` (none: every CPU) runs ``backend`` in
    ``number_format`` (a transformers dtype or a CTranslate2 compute type)."""

    features: tuple[str, ...]
    backend: str
    number_format: str
    why: str


FAST_PATHS = (
    # Inferred, not measured on an AMX CPU: issue 27's Xeon ran transformers bfloat16 at 139 tokens/s against
    # CTranslate2 int8 at 115 with one worker of 2 threads (100 on 1 thread); two workers of one thread
    # (fast.yaml's parallel_batches: 2) ran 1.94x one thread's speed on the AMD EPYC, which puts CTranslate2
    # near 190 there. `models calibrate` measures it on the machine itself.
    FastPath(("amx_bf16",), "ctranslate2", "int8",
             "AMX: CTranslate2 int8 with 2 workers (inferred: issue 27's Xeon, 100 tokens/s on 1 thread, 139 for "
             "transformers bfloat16 on 2; 2 workers ran 1.94x one thread on AMD EPYC); `models calibrate` measures it"),
    FastPath((), "ctranslate2", "int8",
             "no AMX (AVX2, or AVX-512 with BF16 on AMD EPYC): CTranslate2 int8 is the fastest measured "
             "(AMD EPYC with AVX512-BF16: 137 tokens/s, 235 with 2 workers, against 83 for transformers "
             "bfloat16 and 53 for float32)"),
)


def cpu_flags(cpuinfo: str | Path = "/proc/cpuinfo") -> frozenset[str]:
    """The CPU's feature flags (empty when ``cpuinfo`` cannot be read: not Linux)."""
    try:
        text = Path(cpuinfo).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    line = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
    return frozenset(line.partition(":")[2].split())


def reported_features(flags: frozenset[str] | None = None) -> list[str]:
    flags = cpu_flags() if flags is None else flags
    return [f for f in REPORTED_FEATURES if f in flags]


def fastest_path(flags: frozenset[str] | None = None) -> FastPath:
    """The first row of :data:`FAST_PATHS` this CPU qualifies for."""
    flags = cpu_flags() if flags is None else flags
    return next(p for p in FAST_PATHS if not p.features or any(f in flags for f in p.features))


def resolve_dtype(dtype: str, device: str, flags: frozenset[str] | None = None) -> str:
    """``auto``: bfloat16 on CPUs with AMX or AVX512-BF16 (:data:`BF16_FEATURES`), on CUDA bfloat16 where the GPU has it (else
    float16), float32 elsewhere. Other names are returned as they are."""
    if dtype != "auto":
        return dtype
    if device.startswith("cuda"):
        import torch

        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    flags = cpu_flags() if flags is None else flags
    return "bfloat16" if any(f in flags for f in BF16_FEATURES) else "float32"


def torch_dtype(name: str) -> Any:
    import torch

    return {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[name]


def _on_cpu(device: str) -> bool:
    if device == "auto":
        import torch

        return not torch.cuda.is_available()
    return device == "cpu"


def _resolved(config: Any, section: str, path: FastPath) -> Any:
    """``config`` with ``section``'s backend set as ``path`` says; the number formats stay the section's own
    (``dtype: auto`` resolves to the row's bfloat16 on the CPUs that have it; ``ct2_compute_type``), except
    that a calibrated transformers path sets the dtype ``auto`` left open (the one it timed)."""
    sc = getattr(config, section)
    changes: dict[str, Any] = {"backend": path.backend}
    if path.backend == "transformers" and sc.dtype == "auto" and path.number_format in DTYPES[:3]:
        changes["dtype"] = path.number_format
    return dataclasses.replace(config, **{section: dataclasses.replace(sc, **changes)})


def section_path(config: Any, section: str) -> FastPath:
    """The path ``backend: auto`` takes for ``section``: the one ``models calibrate`` timed fastest on this
    machine and model (:mod:`pipeline.translate.calibrate`) when there is one; else on CUDA the transformers
    backend (``dtype: auto`` picks the GPU's half precision), on a CPU the table's row."""
    from .calibrate import calibrated_path

    calibrated = calibrated_path(config, section)
    if calibrated is not None:
        return calibrated
    if not _on_cpu(getattr(config, section).device):
        return FastPath((), "transformers", "auto", "a GPU: transformers in half precision")
    return fastest_path()


class FastestTranslator:
    """``translator.backend: auto``: the backend of :func:`section_path`, built from the same config. The
    translator it returns signs itself with the backend and number format it runs (provenance, cache)."""

    @classmethod
    def from_config(cls, config: Any, glossary: Any = None) -> Any:
        from .registry import translator_class

        path = section_path(config, "translator")
        translator = translator_class(path.backend).from_config(_resolved(config, "translator", path), glossary)
        translator.chosen_path = path
        return translator


class FastestGenerator:
    """``summarizer.backend: auto``: the summarizer's generator, chosen like :class:`FastestTranslator`."""

    @classmethod
    def from_config(cls, config: Any) -> Any:
        from .registry import summarizer_backend_class

        path = section_path(config, "summarizer")
        generator = summarizer_backend_class(path.backend).from_config(_resolved(config, "summarizer", path))
        generator.chosen_path = path
        return generator
