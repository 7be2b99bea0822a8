"""Configuration: YAML validated once, at load time, into frozen dataclasses.

Errors name the dotted key, the value given and what is allowed (``translator.num_beams: got 'x',
expected an integer >= 1``). CLI overrides use the same dotted keys: ``--set translator.num_beams=2``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from .errors import ConfigError
from .translate.fastest import DTYPES  # transformers backends' weights: float32 | bfloat16 | float16 | auto
from .translate.registry import SUMMARIZER_BACKEND_NAMES, TRANSLATOR_NAMES

CT2_COMPUTE_TYPES = (
    "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16", "bfloat16", "float32", "auto"
)


def _check(min_value=None, max_value=None):
    """Field metadata: numeric bounds checked at load time."""
    return {"min": min_value, "max": max_value}


@dataclass(frozen=True)
class TranslatorConfig:
    backend: Literal[TRANSLATOR_NAMES] = "transformers"  # names from pipeline.translate.registry
    model: str = "Helsinki-NLP/opus-mt-zh-en"  # hub id or local folder
    revision: str | None = None  # hub revision (branch, tag or commit); pin it for reproducible output
    ct2_model: str | None = None  # CTranslate2 model folder (backend: ctranslate2)
    ct2_compute_type: Literal[CT2_COMPUTE_TYPES] = "int8"
    # Multilingual models (NLLB-200: zho_Hans/eng_Latn; M2M100: zh/en): the model's language codes; the
    # target one is the forced first token. null for Marian (one language pair). See translate/languages.py.
    src_lang: str | None = None
    tgt_lang: str | None = None
    dtype: Literal[DTYPES] = "float32"  # transformers backend: float32 | bfloat16 | float16 | auto
    num_beams: int = field(default=4, metadata=_check(1, 64))
    # Sentences longer than this many source tokens are split at clause boundaries (Marian's limit is 512).
    max_input_tokens: int = field(default=256, metadata=_check(8, 4096))
    # Output length bound: max_new_tokens = ceil(max_length_ratio * source_tokens) + max_length_slack.
    max_length_ratio: float = field(default=2.0, metadata=_check(0.5, 10.0))
    max_length_slack: int = field(default=10, metadata=_check(0, 512))
    # At least ceil(min_length_ratio * source_tokens) new tokens (0: the model decides where a sentence ends).
    min_length_ratio: float = field(default=0.0, metadata=_check(0.0, 10.0))
    # Decoding bias towards the glossary's renderings of terms in the source (transformers backend; 0 = off).
    glossary_weight: float = field(default=0.0, metadata=_check(0.0, 100.0))
    # target: only tokens the target-language tokenizer writes (no untranslated source pieces; with
    # ctranslate2 a smaller output layer, faster). See pipeline/translate/vocab.py.
    output_vocab: Literal["full", "target"] = "full"
    batch_tokens: int = field(default=2048, metadata=_check(16, 1_000_000))  # token budget per batch
    threads: int = field(default=0, metadata=_check(0, 256))  # 0 = torch's default
    parallel_batches: int = field(default=2, metadata=_check(1, 64))  # batches decoded at once (CPU), never > threads
    device: Literal["cpu", "cuda", "auto"] = "cpu"  # auto: cuda when available
    repetition_guard: bool = True  # detect loops / runaway length, retry stricter, flag if still bad


@dataclass(frozen=True)
class SummarizerConfig:
    kind: Literal["abstractive", "extractive", "none"] = "abstractive"
    backend: Literal[SUMMARIZER_BACKEND_NAMES] = "transformers"  # abstractive: names from the registry
    model: str = "sshleifer/distilbart-cnn-12-6"
    revision: str | None = None
    ct2_model: str | None = None  # CTranslate2 model folder (backend: ctranslate2)
    ct2_compute_type: Literal[CT2_COMPUTE_TYPES] = "int8"
    dtype: Literal[DTYPES] = "float32"  # transformers backend: float32 | bfloat16 | float16 | auto
    input: Literal["en", "zh"] = "en"  # zh: summarize the Chinese text, then translate the summary
    depth: int = field(default=1, metadata=_check(0, 6))  # summarize sections down to this level
    min_chars: int = field(default=120, metadata=_check(0, 1_000_000))  # shorter sections are shown as is
    max_input_tokens: int = field(default=1024, metadata=_check(16, 16384))  # longer inputs: map-reduce
    long_inputs: Literal["map_reduce", "select"] = "map_reduce"  # inputs over max_input_tokens
    num_beams: int = field(default=2, metadata=_check(1, 64))
    min_length_ratio: float = field(default=0.05, metadata=_check(0.0, 1.0))
    max_length_ratio: float = field(default=0.25, metadata=_check(0.01, 2.0))
    min_new_tokens: int = field(default=8, metadata=_check(0, 1024))
    max_new_tokens: int = field(default=142, metadata=_check(1, 4096))
    extractive_sentences: int = field(default=3, metadata=_check(1, 100))  # budget for extractive summaries
    extractive_chars: int = field(default=400, metadata=_check(10, 100_000))  # zh characters budget
    batch_tokens: int = field(default=4096, metadata=_check(16, 1_000_000))  # token budget per batch
    threads: int = field(default=0, metadata=_check(0, 256))
    parallel_batches: int = field(default=2, metadata=_check(1, 64))  # batches decoded at once (CPU), never > threads
    device: Literal["cpu", "cuda", "auto"] = "cpu"  # auto: cuda when available


@dataclass(frozen=True)
class OutputConfig:
    alignment: Literal["table", "interleaved"] = "table"
    markdown: bool = True
    json: bool = True
    html: bool = True  # the self-contained HTML reader per document (and digest.html for the batch)
    # For translation work (off by default): per report a bilingual Word file, TMX 1.4b and XLIFF 1.2;
    # per batch segments.csv and segments.xlsx beside segments.parquet.
    docx: bool = False
    tmx: bool = False
    xliff: bool = False
    csv: bool = False
    xlsx: bool = False


@dataclass(frozen=True)
class CacheConfig:
    enabled: bool = True
    path: str | None = None  # None: <out>/.cache/translations.sqlite


@dataclass(frozen=True)
class FidelityConfig:
    enabled: bool = True
    glossaries: tuple[str, ...] = ("configs/glossary/gov-report.tsv",)


@dataclass(frozen=True)
class TMConfig:
    """Translation memory (pipeline/translate/memory.py): trusted translations used before the model."""

    files: tuple[str, ...] = ()  # TMX, TSV, CSV or JSONL files (zh/en columns); the first file wins a tie
    fuzzy_threshold: float = field(default=0.9, metadata=_check(0.5, 1.0))  # similarity of a fuzzy match
    use_fuzzy: bool = False  # false: fuzzy matches are offered (JSON, reader, XLIFF), the model translates


@dataclass(frozen=True)
class RayConfig:
    """``--engine ray``: read tasks, translator actors, summarizer actors and document tasks, sized here."""

    address: str | None = None  # None: start Ray locally; "auto" or "host:port": join a running cluster
    pool_size: int = field(default=2, metadata=_check(1, 4096))  # translator actors
    num_cpus_per_actor: float = field(default=1.0, metadata=_check(0.0, 1024.0))  # per translator actor
    num_gpus_per_actor: float = field(default=0.0, metadata=_check(0.0, 64.0))  # per translator actor
    batch_size: int = field(default=64, metadata=_check(1, 1_000_000))  # sentences per translator actor call
    summarizer_pool_size: int = field(default=2, metadata=_check(1, 4096))  # summarizer actors
    num_cpus_per_summarizer: float = field(default=1.0, metadata=_check(0.0, 1024.0))
    num_gpus_per_summarizer: float = field(default=0.0, metadata=_check(0.0, 64.0))
    num_cpus_per_task: float = field(default=1.0, metadata=_check(0.0, 1024.0))  # per read / document task


@dataclass(frozen=True)
class Config:
    translator: TranslatorConfig = TranslatorConfig()
    summarizer: SummarizerConfig = SummarizerConfig()
    output: OutputConfig = OutputConfig()
    cache: CacheConfig = CacheConfig()
    fidelity: FidelityConfig = FidelityConfig()
    tm: TMConfig = TMConfig()
    ray: RayConfig = RayConfig()
    # Segments from several documents share translation batches (up to this many documents at once).
    batch_documents: int = field(default=16, metadata=_check(1, 100_000))
    source_path: str | None = field(default=None, compare=False)  # where it was loaded from (not hashed)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d.pop("source_path", None)
        return d

    def output_dict(self) -> dict[str, Any]:
        """The settings that shape the output (caching and engine settings excluded)."""
        d = self.to_dict()
        for k in ("cache", "ray", "batch_documents"):
            d.pop(k, None)
        for section in ("translator", "summarizer"):
            for k in ("threads", "parallel_batches", "batch_tokens", "device"):
                d[section].pop(k, None)
            if d[section].get("dtype") == "float32":  # the default: hashes made before dtype existed stay valid
                d[section].pop("dtype")
        return d

    @property
    def root(self) -> Path:
        """Where relative paths in this config are looked for after the current directory: the folder of
        the config file, or its parent when that folder is a ``configs/`` folder (a project layout)."""
        if self.source_path is None:
            return Path.cwd()
        folder = Path(self.source_path).resolve().parent
        return folder.parent if folder.name == "configs" else folder

    def resolve_path(self, path: str) -> Path:
        """A path from the config: absolute as is; relative, from the current directory if it exists
        there, else from :attr:`root` if it exists there, else from the current directory."""
        p = Path(path).expanduser()
        if p.is_absolute() or p.exists():
            return p
        if (self.root / p).exists():
            return self.root / p
        return p

    def hash(self) -> str:
        """Short stable hash of the output-shaping settings (recorded in provenance and the manifest)."""
        blob = json.dumps(self.output_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


def _describe(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_describe(a) for a in typing.get_args(tp))
    if origin is tuple:
        item = _describe(typing.get_args(tp)[0])
        return "a list of " + item.split(" ", 1)[-1] + "s"
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string", type(None): "null"}.get(
        tp, str(tp)
    )


def _coerce(value: Any, tp: Any, key: str, meta: dict) -> Any:
    """Check ``value`` against the annotation ``tp``; return the (possibly converted) value."""
    origin = typing.get_origin(tp)
    bad = ConfigError(f"{key}: got {value!r}, expected {_describe(tp)}")
    if origin is Literal:
        if value not in typing.get_args(tp):
            raise bad
        return value
    if origin in (types.UnionType, typing.Union):
        args = typing.get_args(tp)
        if value is None:
            if type(None) in args:
                return None
            raise bad
        for a in args:
            if a is type(None):
                continue
            try:
                return _coerce(value, a, key, meta)
            except ConfigError:
                pass
        raise bad
    if origin is tuple:
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise bad
        (item_tp, *_rest) = typing.get_args(tp)
        return tuple(_coerce(v, item_tp, key, {}) for v in value)
    if tp is bool:
        if not isinstance(value, bool):
            raise bad
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
    elif tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise ConfigError(f"{key}: got {value!r}, expected a finite number")
    elif tp is str:
        if not isinstance(value, str):
            raise bad
        return value
    lo, hi = meta.get("min"), meta.get("max")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ConfigError(f"{key}: got {value!r}, expected {_describe(tp)} between {lo} and {hi}")
    return value


def _build(cls: type, data: Any, prefix: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{prefix or 'config'}: expected a mapping of keys, got {data!r}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "source_path"}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        key = f"{prefix}{unknown[0]}"
        raise ConfigError(f"{key}: unknown key; allowed keys here: {', '.join(sorted(fields))}")
    kwargs = {}
    for name, value in data.items():
        tp = hints[name]
        key = prefix + name
        if dataclasses.is_dataclass(tp):
            kwargs[name] = _build(tp, value, key + ".")
        else:
            kwargs[name] = _coerce(value, tp, key, dict(fields[name].metadata))
    return cls(**kwargs)


def _parse_override(item: str) -> tuple[list[str], Any]:
    if "=" not in item:
        raise ConfigError(f"--set {item!r}: expected dotted.key=value, e.g. translator.num_beams=2")
    key, raw = item.split("=", 1)
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise ConfigError(f"--set {item!r}: the key before '=' is missing or has an empty part",
                          hint="e.g. --set translator.num_beams=2")
    try:
        value = yaml.load(raw, Loader=_ConfigLoader) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key.split("."), value


_PLAIN_SCALARS = (str, int, float, bool, type(None))
MAX_CONFIG_NODES = 10_000  # a config is a few dozen keys; this bounds anything a YAML file can make us build


class _ConfigLoader(yaml.SafeLoader):
    """Safe YAML without anchors and aliases: a config never needs them, and refusing them bounds what a
    file can make us build (no "billion laughs", no recursive structures)."""

    def compose_node(self, parent, index):  # noqa: D102 (PyYAML hook)
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ConfigError(
                f"YAML alias *{event.anchor} at line {event.start_mark.line + 1}: anchors and aliases are not "
                "supported in configs", hint="write the value out in full"
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):  # noqa: D102 (PyYAML hook)
        """A key given twice in one mapping is refused: YAML would keep the last silently, and an edit
        of the first would do nothing."""
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                line = key_node.start_mark.line + 1
                if key_node.value in first:
                    raise ConfigError(f"key {key_node.value!r} given twice (lines {first[key_node.value]} and "
                                      f"{line})", hint="keep one of them")
                first[key_node.value] = line
        return super().construct_mapping(node, deep=deep)


def _plain_copy(value: Any, key: str = "config", budget: list[int] | None = None) -> Any:
    """A copy of YAML data made only of mappings, lists and plain scalars; anything else is refused."""
    budget = budget if budget is not None else [MAX_CONFIG_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise ConfigError(f"{key}: the config is too large (over {MAX_CONFIG_NODES} values)")
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise ConfigError(f"{key}: key {k!r} is not a string")
            out[k] = _plain_copy(v, k if key == "config" else f"{key}.{k}", budget)
        return out
    if isinstance(value, (list, tuple)):
        return [_plain_copy(v, key, budget) for v in value]
    if isinstance(value, _PLAIN_SCALARS):
        return value
    hint = "quote it to make it a string" if type(value).__name__ in ("date", "datetime") else None
    raise ConfigError(f"{key}: got a YAML {type(value).__name__} value ({str(value)[:40]!r}); expected a string, "
                      "number, true/false, null, list or mapping", hint=hint)


def config_from_dict(data: dict[str, Any], overrides: list[str] | tuple[str, ...] = ()) -> Config:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"config: expected a mapping of keys (section: ...), got a {type(data).__name__}")
    data = _plain_copy(data)
    for item in overrides:
        path, value = _parse_override(item)
        value = _plain_copy(value, ".".join(path))
        node = data
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"{'.'.join(path)}: {part} is not a section")
            node = child
        node[path[-1]] = value
    return check_consistency(_build(Config, data, ""))


BUNDLED_CONFIGS = Path(__file__).resolve().parent / "configs"  # the shipped configs/ (package data)


def find_config(name: str | Path) -> Path:
    """A config by path, or by name (``tiny``, ``default.yaml``): ``./configs/NAME.yaml``, then the shipped
    configs, so that ``--config tiny`` works from any folder."""
    p = Path(name).expanduser()
    if p.is_file():
        return p
    if p.exists():
        raise ConfigError(f"{p}: is not a file", hint="give a YAML config file or a shipped config's name")
    if len(p.parts) == 1:
        stem = p.name[:-5] if p.name.endswith(".yaml") else p.name
        for folder in (Path("configs"), BUNDLED_CONFIGS):
            candidate = folder / f"{stem}.yaml"
            if candidate.is_file():
                return candidate
    shipped = ", ".join(sorted(c.stem for c in BUNDLED_CONFIGS.glob("*.yaml"))) or "none"
    raise ConfigError(f"{name}: config file not found", hint=f"give a path, or one of the shipped configs: {shipped}")


def bundled_file(relative: str) -> Path:
    """A file shipped with the package (e.g. ``glossary/gov-report.tsv`` under the shipped configs)."""
    return BUNDLED_CONFIGS / relative


def load_config(path: str | Path | None, overrides: list[str] | tuple[str, ...] = ()) -> Config:
    """Load and validate a YAML config (None: built-in defaults), applying ``--set`` overrides."""
    data: Any = {}
    if path is not None:
        p = find_config(path)
        path = p
        try:
            text = p.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ConfigError(f"{p}: the config is not UTF-8 text", hint="save it as UTF-8") from None
        except OSError as exc:
            raise ConfigError(f"{p}: cannot read config ({exc.strerror or exc})") from None
        try:
            data = yaml.load(text, Loader=_ConfigLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            problem = getattr(exc, "problem", None)
            raise ConfigError(f"{p}: invalid YAML{where}" + (f": {problem}" if problem else "")) from None
        except RecursionError:
            raise ConfigError(f"{p}: the YAML is nested too deeply") from None
        except ConfigError as err:  # the loader's own refusals (aliases, keys given twice): name the file
            raise ConfigError(f"{p}: {err}", hint=err.hint) from None
    cfg = config_from_dict(data, overrides)
    return dataclasses.replace(cfg, source_path=str(path) if path is not None else None)


def check_consistency(cfg: Config) -> Config:
    """Rules that involve more than one key."""
    if not cfg.output.markdown and not cfg.output.json:
        raise ConfigError("output.markdown, output.json: both false; at least one output is needed")
    if cfg.translator.backend == "ctranslate2" and not cfg.translator.ct2_model:
        raise ConfigError(
            "translator.ct2_model: required when translator.backend is 'ctranslate2'",
            hint="run `python -m pipeline models convert` and point ct2_model at its output",
        )
    if cfg.summarizer.kind == "abstractive" and cfg.summarizer.backend == "ctranslate2" and not cfg.summarizer.ct2_model:
        raise ConfigError(
            "summarizer.ct2_model: required when summarizer.backend is 'ctranslate2'",
            hint="run `python -m pipeline models convert SUMMARIZER_MODEL --out FOLDER` and point ct2_model at FOLDER",
        )
    if cfg.ray.num_gpus_per_actor > 0 and cfg.translator.device == "cpu":
        raise ConfigError(f"ray.num_gpus_per_actor: {cfg.ray.num_gpus_per_actor} reserves GPUs for translator actors "
                          "that would run on the CPU (translator.device: cpu)",
                          hint="set translator.device=auto (or cuda), or ray.num_gpus_per_actor=0")
    if cfg.ray.num_gpus_per_summarizer > 0 and cfg.summarizer.device == "cpu":
        raise ConfigError(f"ray.num_gpus_per_summarizer: {cfg.ray.num_gpus_per_summarizer} reserves GPUs for summarizer "
                          "actors that would run on the CPU (summarizer.device: cpu)",
                          hint="set summarizer.device=auto (or cuda), or ray.num_gpus_per_summarizer=0")
    return cfg
