"""``models calibrate``: time the paths ``backend: auto`` can take, on this machine and this model, once; the
fastest is stored where ``backend: auto`` finds it (:func:`calibrated_path`), ahead of the CPU-feature
table in :mod:`pipeline.translate.fastest`.

A choice holds for one machine (CPU model, features, threads, device) and one model (the content
fingerprints of the model folder and of its CTranslate2 conversion): a new CPU, another thread count or a
changed model finds no choice and takes the table's path until calibrated again. The choices live in one
JSON file per user (:func:`calibration_file`; ``PIPELINE_CALIBRATION`` names another), written
atomically; an unreadable file counts as no calibration (and says so once on stderr).
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .fastest import BF16_FEATURES, FastPath, cpu_flags, reported_features, resolve_dtype

CALIBRATION_ENV = "PIPELINE_CALIBRATION"
SECTIONS = ("translator", "summarizer")
FORMAT_VERSION = 1


def calibration_file() -> Path:
    """``$PIPELINE_CALIBRATION``, else ``$XDG_CACHE_HOME/zh-report-pipeline/calibration.json`` (``~/.cache``)."""
    named = os.environ.get(CALIBRATION_ENV)
    if named:
        return Path(named).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    return Path(base).expanduser() / "zh-report-pipeline" / "calibration.json"


@dataclass(frozen=True)
class Candidate:
    backend: str  # transformers | ctranslate2
    number_format: str  # a transformers dtype or a CTranslate2 compute type

    @property
    def label(self) -> str:
        return f"{self.backend} {self.number_format}"


@dataclass
class Timing:
    candidate: Candidate
    seconds: float | None  # None: the candidate could not run (``error``)
    agreement: float | None = None  # outputs equal to the first candidate's, 0..1
    error: str | None = None


@dataclass
class Calibration:
    """The timings of one section's candidates and the choice (the fastest that ran)."""

    section: str
    machine: dict[str, Any]
    model: str
    texts: int
    timings: list[Timing] = field(default_factory=list)
    date: str = ""

    @property
    def choice(self) -> Candidate | None:
        ran = [t for t in self.timings if t.seconds is not None]
        return min(ran, key=lambda t: t.seconds).candidate if ran else None

    def key(self) -> str:
        return entry_key(self.section, self.machine, self.model)

    def to_json(self) -> dict[str, Any]:
        choice = self.choice
        return {
            "section": self.section, "machine": self.machine, "model": self.model, "texts": self.texts,
            "date": self.date, "choice": dataclasses.asdict(choice) if choice else None,
            "timings": [{**dataclasses.asdict(t.candidate), "seconds": t.seconds, "agreement": t.agreement,
                         **({"error": t.error} if t.error else {})} for t in self.timings],
        }


def entry_key(section: str, machine: dict[str, Any], model: str) -> str:
    return json.dumps([section, machine, model], sort_keys=True, ensure_ascii=False)


def machine_facts(section_config: Any, flags: frozenset[str] | None = None) -> dict[str, Any]:
    """What a choice depends on besides the model: the CPU (name and features), threads, device."""
    flags = cpu_flags() if flags is None else flags
    return {
        "cpu": cpu_name(),
        "features": reported_features(flags),
        "cores": os.cpu_count() or 1,
        "threads": section_config.threads,
        "parallel_batches": getattr(section_config, "parallel_batches", 1),
        "device": section_config.device,
    }


def cpu_name(cpuinfo: str | Path = "/proc/cpuinfo") -> str:
    try:
        text = Path(cpuinfo).read_text(encoding="utf-8", errors="replace")
    except OSError:
        import platform

        return platform.processor() or platform.machine() or "unknown"
    line = next((ln for ln in text.splitlines() if ln.startswith("model name")), "")
    return line.partition(":")[2].strip() or "unknown"


def model_fingerprint(config: Any, section: str) -> str | None:
    """The section's model folder fingerprint, plus its CTranslate2 conversion's when there is one (None
    when the model is not here: nothing to calibrate)."""
    from ..errors import PipelineError
    from ..models import folder_fingerprint, resolve_model

    sc = getattr(config, section)
    try:
        model = resolve_model(sc.model, sc.revision, root=config.root, role=section)
    except PipelineError:
        return None
    parts = [folder_fingerprint(Path(model.path))]
    ct2 = config.resolve_path(sc.ct2_model) if getattr(sc, "ct2_model", None) else None
    if ct2 is not None and Path(ct2, "model.bin").exists():
        parts.append(folder_fingerprint(Path(ct2)))
    return "+".join(parts)


def candidates(config: Any, section: str, flags: frozenset[str] | None = None) -> list[Candidate]:
    """The paths worth timing for ``section``: transformers in the section's dtype (``auto``: float32, and
    bfloat16 where the CPU has bfloat16 products; on a GPU its half precision), and CTranslate2 in the
    section's compute type where CTranslate2 and the converted model are here."""
    flags = cpu_flags() if flags is None else flags
    sc = getattr(config, section)
    out: list[Candidate] = []
    if sc.dtype != "auto":
        out.append(Candidate("transformers", sc.dtype))
    elif sc.device.startswith("cuda"):
        out.append(Candidate("transformers", resolve_dtype("auto", sc.device)))
    else:
        out.append(Candidate("transformers", "float32"))
        if any(f in flags for f in BF16_FEATURES):
            out.append(Candidate("transformers", "bfloat16"))
    ct2 = config.resolve_path(sc.ct2_model) if getattr(sc, "ct2_model", None) else None
    if ct2 is not None and Path(ct2, "model.bin").exists() and _has_ctranslate2():
        out.append(Candidate("ctranslate2", sc.ct2_compute_type))
    return out


def _has_ctranslate2() -> bool:
    try:
        import ctranslate2  # noqa: F401
    except ImportError:
        return False
    return True


def with_candidate(config: Any, section: str, candidate: Candidate) -> Any:
    """``config`` with ``section`` running ``candidate``."""
    sc = getattr(config, section)
    fmt = {"dtype": candidate.number_format} if candidate.backend == "transformers" else {
        "ct2_compute_type": candidate.number_format}
    return dataclasses.replace(config, **{section: dataclasses.replace(sc, backend=candidate.backend, **fmt)})


def sample_texts(section: str, count: int) -> list[str]:
    """``count`` Chinese sentences of the bundled sample report (translator), or English passages of the
    bundled English text (summarizer: two, of 350 and 175 words, within any summarizer's input limit)."""
    from ..models import _corpus_lines

    if section == "translator":
        lines = [s.strip() for s in _corpus_lines("zh")]
        body = [s for s in lines if 12 <= len(s) <= 120 and not any(c in s for c in "|[]")]
        return body[:count]
    words = " ".join(_corpus_lines("en")[1:]).split()
    text = " ".join((words * (1 + 350 // max(1, len(words))))[:350])
    return [text, " ".join(text.split()[:175])]


def _runner(config: Any, section: str) -> Callable[[list[str]], list[str]]:
    """Build the section's path as a run builds it (the same batching, workers and settings)."""
    from ..batch.components import generation_settings, load_summarizer, load_translator
    from .stage import TranslationService

    translator = load_translator(config) if section == "translator" or config.summarizer.input == "zh" else None
    if section == "translator":
        service = TranslationService(translator, generation_settings(config), guard=True)
        return service.translate_list  # split to the translator's input limit as a run splits them
    summarizer, _ = load_summarizer(config, translator, generation_settings(config) if translator else None)
    return summarizer.summarize_texts


def calibrate_section(
    config: Any, section: str, *, texts: int = 20, log: Callable[[str], None] = lambda line: None,
    flags: frozenset[str] | None = None,
) -> Calibration:
    """Time each of :func:`candidates` on :func:`sample_texts` (after one untimed warm-up call)."""
    from ..errors import PipelineError

    if section not in SECTIONS:
        raise PipelineError(f"calibrate: unknown section {section!r}", hint="translator or summarizer")
    sc = getattr(config, section)
    fingerprint = model_fingerprint(config, section)
    if fingerprint is None:
        raise PipelineError(f"calibrate: the {section} model {sc.model} is not here",
                            hint="python -m pipeline models list --config ... says what is missing")
    sample = sample_texts(section, texts) if section == "translator" else sample_texts(section, 2)
    cal = Calibration(section, machine_facts(sc, flags), fingerprint, len(sample),
                      date=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    first: list[str] | None = None
    for cand in candidates(config, section, flags):
        log(f"{section}: timing {cand.label} on {len(sample)} {'sentences' if section == 'translator' else 'passages'}")
        try:
            run = _runner(with_candidate(config, section, cand), section)
            run(sample[:2] if section == "translator" else sample[1:])  # warm-up, untimed
            start = time.perf_counter()
            out = run(sample)
            seconds = time.perf_counter() - start
        except (PipelineError, RuntimeError, ValueError, OSError, ImportError) as err:
            cal.timings.append(Timing(cand, None, error=str(err).splitlines()[0][:200]))
            log(f"{section}: {cand.label}: could not run ({cal.timings[-1].error})")
            continue
        first = out if first is None else first
        agreement = sum(a == b for a, b in zip(out, first)) / max(1, len(out))
        cal.timings.append(Timing(cand, round(seconds, 3), round(agreement, 3)))
        log(f"{section}: {cand.label}: {seconds:.2f} s")
    return cal


# ---------------------------------------------------------------------------------------------------------
# The stored choices


def read_calibrations(path: Path | None = None, *, warn: bool = True) -> dict[str, dict[str, Any]]:
    """The stored entries by :func:`entry_key` ({} when there is no file, or it cannot be read)."""
    path = calibration_file() if path is None else path
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != FORMAT_VERSION or not isinstance(data.get("entries"), list):
            raise ValueError("not a calibration file of this version")
        return {entry_key(e["section"], e["machine"], e["model"]): e for e in data["entries"]}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        if warn:
            print(f"warning: ignoring the calibration file {path} ({err}); `models calibrate` rewrites it",
                  file=sys.stderr)
        return {}


def store_calibration(cal: Calibration, path: Path | None = None) -> Path:
    """Add (or replace) ``cal``'s entry; the file is replaced atomically."""
    path = calibration_file() if path is None else path
    entries = read_calibrations(path, warn=False)
    entries[cal.key()] = cal.to_json()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"version": FORMAT_VERSION, "entries": list(entries.values())}, f, ensure_ascii=False,
                      indent=1)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def stored_entry(config: Any, section: str, *, warn: bool = True) -> dict[str, Any] | None:
    """The stored calibration of ``section`` for this machine and this model, if any."""
    entries = read_calibrations(warn=warn)
    if not entries:
        return None
    fingerprint = model_fingerprint(config, section)
    if fingerprint is None:
        return None
    return entries.get(entry_key(section, machine_facts(getattr(config, section)), fingerprint))


def calibrated_path(config: Any, section: str) -> FastPath | None:
    """The path ``models calibrate`` chose for ``section`` on this machine and model (None: not calibrated,
    or the choice cannot be used with this config)."""
    entry = stored_entry(config, section)
    choice = (entry or {}).get("choice")
    if not choice or choice.get("backend") not in ("transformers", "ctranslate2"):
        return None
    ran = {(t["backend"], t["number_format"]): t["seconds"] for t in entry.get("timings", []) if t.get("seconds")}
    times = ", ".join(f"{b} {f} {s:.2f} s" for (b, f), s in ran.items())
    return FastPath((), choice["backend"], choice["number_format"],
                    f"calibrated on this machine ({entry.get('date', '?')}, {entry.get('texts', '?')} texts: {times})")
