"""The CTranslate2 backend (``pip install .[fast]``): conversion of a local seq2seq model (Marian for the
translator, BART for the summarizer), the translator, and the seq2seq generator the summarizer uses."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import ConfigError, PipelineError, describe_exception
from .base import GenerationSettings, Translation, backend_signature, plan_batches


def import_ctranslate2() -> Any:
    try:
        import ctranslate2
    except ImportError:
        raise PipelineError("the ctranslate2 backend needs the ctranslate2 package", hint="pip install -e '.[fast]'") from None
    return ctranslate2


def convert_to_ctranslate2(model_path: str, out: Path, *, quantization: str = "int8", force: bool = False) -> Path:
    """Convert ``model_path`` (a saved Marian or BART model) into ``out``; atomic, so a failed run leaves nothing.

    A Marian model whose tokenizer has separate source and target SentencePiece models gets a vocabulary
    map (``vmap.txt``: its target-side tokens, see :mod:`pipeline.translate.vocab`), which
    ``translator.output_vocab: target`` uses."""
    try:
        from ctranslate2.converters import TransformersConverter
    except ImportError:
        raise PipelineError("converting needs the ctranslate2 package", hint="pip install -e '.[fast]'") from None
    class Converter(TransformersConverter):
        def load_model(self, model_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            model = super().load_model(model_class, model_name_or_path, **kwargs)
            if model.config.model_type == "bart" and not hasattr(model.config, "normalize_before"):
                # transformers 5 dropped this key (BART is post-norm); CTranslate2's BART loader still reads it
                model.config.normalize_before = False
            return model

        def load_tokenizer(self, tokenizer_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            tokenizer = super().load_tokenizer(tokenizer_class, model_name_or_path, **kwargs)
            if getattr(tokenizer, "lang_token_to_id", None):
                return _LanguageTokensListed(tokenizer)
            return tokenizer

    out = Path(out)
    if out.exists() and not force:
        if (out / "model.bin").exists():
            return out
        raise PipelineError(f"{out}: exists and is not a CTranslate2 model", hint="choose another --out or use --force")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        with tempfile.TemporaryDirectory() as scratch:
            vmap = _write_vmap(model_path, Path(scratch))
            Converter(model_path).convert(str(tmp), vmap=vmap, quantization=quantization, force=True)
        tmp.chmod(0o755)
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except PipelineError:
        raise
    except Exception as exc:  # the converter raises many kinds; the user needs one line
        raise PipelineError(f"cannot convert {model_path}: {describe_exception(exc)}") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out


class _LanguageTokensListed:
    """An M2M100 tokenizer as CTranslate2's converter reads it: transformers 5 no longer lists the language
    tokens among ``additional_special_tokens``, where the converter looks for them (without them, the
    vocabulary it writes is 100 entries short of the model's)."""

    def __init__(self, tokenizer: Any):
        self._tokenizer = tokenizer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tokenizer, name)

    def __len__(self) -> int:
        return len(self._tokenizer)

    @property
    def special_tokens_map(self) -> dict[str, Any]:
        found = dict(self._tokenizer.special_tokens_map)
        table = self._tokenizer.lang_token_to_id
        found["additional_special_tokens"] = sorted(table, key=table.get)
        return found


def _write_vmap(model_path: str, folder: Path) -> str | None:
    """The vocabulary map of ``model_path``'s tokenizer in ``folder`` (its path), or None when it has none."""
    from transformers import AutoTokenizer

    from .vocab import target_tokens, vmap_text

    try:
        tokens = target_tokens(AutoTokenizer.from_pretrained(model_path))
    except (OSError, ValueError):  # no tokenizer there: the converter says what is wrong with the folder
        return None
    if tokens is None:
        return None
    path = folder / "target-vocabulary.vmap"
    path.write_text(vmap_text(tokens), encoding="utf-8")
    return str(path)


def _no_vmap(ct2: Any, model: str) -> ConfigError:
    return ConfigError(
        f"translator.output_vocab: target needs the vocabulary map that `models convert` writes for a Marian "
        f"model; {ct2} has none",
        hint=f"convert again: `python -m pipeline models convert {model} --out {ct2} --force`, "
             "or set translator.output_vocab: full",
    )


def vmap_size(folder: Path, vocab: Any = None) -> int | None:
    """How many tokens the vocabulary map of the converted model ``folder`` keeps (None: it has none).

    The map is checked first, as CTranslate2 does not: an empty file crashes the process when the model
    loads (even with ``use_vmap`` off), and a cut or foreign one silently narrows the output to what is
    left (unknown tokens become ``<unk>``). A whole map has a tab on every line and ends with a line
    break; with ``vocab`` (the tokenizer's), every token in it must be one of the vocabulary's."""
    from .vocab import VMAP_FILE

    path = Path(folder) / VMAP_FILE
    if not path.exists():
        return None

    def broken(why: str) -> ConfigError:
        return ConfigError(f"{path}: not a whole vocabulary map ({why})",
                           hint="convert the model again: `python -m pipeline models convert MODEL --out "
                                f"{Path(folder)} --force`")

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise broken(describe_exception(exc)) from None
    if not text.strip():
        raise broken("empty")
    if not text.endswith("\n"):
        raise broken("its last line is cut")
    tokens: set[str] = set()
    for n, line in enumerate(text.splitlines(), 1):
        if "\t" not in line:
            raise broken(f"line {n} has no tab")
        tokens.update(line.split("\t", 1)[1].split())
    if not tokens:
        raise broken("no target tokens")
    if vocab is not None:
        unknown = sorted(t for t in tokens if t not in vocab)
        if unknown:
            raise broken(f"{len(unknown)} tokens not in the tokenizer's vocabulary, e.g. {unknown[0]!r}")
    return len(tokens)


def ct2_model_folder(config: Any, section: str) -> Path:
    """The checked ``<section>.ct2_model`` folder of ``config`` (one clear line when it is missing)."""
    sc = getattr(config, section)
    ct2 = config.resolve_path(sc.ct2_model or "")
    if not sc.ct2_model or not (ct2 / "model.bin").exists():
        raise ConfigError(
            f"{section}.ct2_model: {sc.ct2_model!r} is not a CTranslate2 model folder",
            hint=f"create it with `python -m pipeline models convert {sc.model} --out {sc.ct2_model or 'FOLDER'}`",
        )
    return ct2


def thread_split(threads: int, parallel_batches: int) -> tuple[int, int]:
    """(inter_threads, intra_threads): ``parallel_batches`` workers sharing the model, the ``threads`` (0: all
    cores) divided among them; never more workers than threads (one CPU given to a Ray actor: one worker)."""
    import os

    total = threads or os.cpu_count() or 1
    inter = max(1, min(parallel_batches, total))
    return inter, max(1, total // inter)


def decode_batches(model: Any, batches: list[dict[str, Any]], inter: int) -> list[list[Any]]:
    """``model.translate_batch(**kwargs)`` for each batch, in order; with ``inter`` > 1 submitted together
    (``asynchronous``) so that CTranslate2's ``inter`` workers decode that many batches at once."""
    if inter <= 1:
        return [model.translate_batch(**b) for b in batches]
    pending = [model.translate_batch(**b, asynchronous=True) for b in batches]
    return [[r.result() for r in batch] for batch in pending]


def _ct2_device(device: str, role: str) -> str:
    from .generation import pick_device

    return pick_device(device, role)


class CTranslate2Translator:
    """A CTranslate2 model (converted with `models convert`), with the original model's tokenizer.

    Glossary decoding bias is not applied here (CTranslate2 has no per-row logits hook); terms are checked
    after translation like for every backend."""

    backend = "ctranslate2"

    def __init__(
        self,
        ct2_path: str,
        tokenizer_path: str,
        *,
        model_name: str | None = None,
        revision: str = "",
        compute_type: str = "int8",
        max_input_tokens: int = 256,
        batch_tokens: int = 4096,
        threads: int = 0,
        parallel_batches: int = 1,
        device: str = "cpu",
        src_lang: str | None = None,
        tgt_lang: str | None = None,
    ):
        ctranslate2 = import_ctranslate2()
        from transformers import AutoTokenizer

        from .languages import setup_languages

        self.model_name = model_name or tokenizer_path
        self.revision = f"{revision}+ct2-{compute_type}"
        self.tokenizer = AutoTokenizer.from_pretrained(tokenizer_path)
        # NLLB / M2M100: the source-language token comes from the tokenizer, the target one is a prefix
        self.languages = setup_languages(self.tokenizer, src_lang, tgt_lang, self.model_name)
        self.inter, intra = thread_split(threads, parallel_batches)
        self.has_vmap = vmap_size(Path(ct2_path), self.tokenizer.get_vocab()) is not None  # before CT2 reads it
        self.translator = ctranslate2.Translator(
            ct2_path, device=_ct2_device(device, "translator"), compute_type=compute_type,
            intra_threads=intra, inter_threads=self.inter,
        )
        self.max_input_tokens = max_input_tokens
        self.batch_tokens = batch_tokens
        self.ct2_path = ct2_path
        self.tokens_past_row_end = 0  # decoded beyond a row's own maximum (one bound per call), then cut

    @classmethod
    def from_config(cls, config: Any, glossary: Any = None) -> CTranslate2Translator:
        from ..models import folder_fingerprint, resolve_model

        tc = config.translator
        model = resolve_model(tc.model, tc.revision, root=config.root, role="translator")  # its tokenizer first
        ct2 = ct2_model_folder(config, "translator")
        translator = cls(
            str(ct2), model.path, model_name=model.name, revision=f"{model.revision}+{folder_fingerprint(ct2)}",
            compute_type=tc.ct2_compute_type, max_input_tokens=tc.max_input_tokens, batch_tokens=tc.batch_tokens,
            threads=tc.threads, parallel_batches=tc.parallel_batches, device=tc.device,
            src_lang=tc.src_lang, tgt_lang=tc.tgt_lang,
        )
        if tc.output_vocab == "target" and not translator.has_vmap:  # at load, not at the first batch
            raise _no_vmap(ct2, tc.model)
        return translator

    def signature(self) -> dict[str, Any]:
        sig = backend_signature(self)
        if self.languages is not None:
            sig["languages"] = [self.languages.src_lang, self.languages.tgt_lang]
        return sig

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=True)["input_ids"])

    def translate_batch(self, texts: Sequence[str], settings: GenerationSettings | None = None) -> list[Translation]:
        settings = settings or GenerationSettings()
        if not texts:
            return []
        use_vmap = settings.output_vocab == "target"
        if use_vmap and not self.has_vmap:
            raise _no_vmap(self.ct2_path, self.model_name)
        ids = self.tokenizer(list(texts), add_special_tokens=True, truncation=False)["input_ids"]
        tokens = [self.tokenizer.convert_ids_to_tokens(row) for row in ids]
        results: list[Translation | None] = [None] * len(texts)
        specials = set(self.tokenizer.all_special_tokens)
        prefix = [self.languages.forced_bos_token] if self.languages is not None else []
        never = None
        if self.languages is not None:
            codes = self.tokenizer.convert_ids_to_tokens(sorted(self.languages.code_ids))
            specials |= set(codes)
            # other language tokens and M2M100's padding entries (the converter names them madeupwordN) are
            # never generated, as with transformers
            never = [[t] for t in codes if t != self.languages.forced_bos_token]
            never += [[f"madeupword{i}"] for i in range(getattr(self.tokenizer, "num_madeup_words", 0))]
        # CTranslate2 takes one length bound per call: decode each batch (similar lengths) to its longest
        # bounds and cut every row to its own maximum. For greedy search that is exactly the row's own
        # output (its first tokens do not depend on a later end); batching rows by equal minimum instead
        # would cut a fixed-length run into batches of a few rows.
        bounds = [settings.length_bounds(len(row)) for row in ids]
        batches = plan_batches([len(row) for row in ids], self.batch_tokens, settings.num_beams)
        outs = decode_batches(self.translator, [dict(
            source=[tokens[i] for i in batch],
            beam_size=settings.num_beams,
            max_decoding_length=max(bounds[i][1] for i in batch) + len(prefix),
            min_decoding_length=max(bounds[i][0] for i in batch) + len(prefix),
            no_repeat_ngram_size=settings.no_repeat_ngram_size,
            repetition_penalty=settings.repetition_penalty,
            return_end_token=False,
            use_vmap=use_vmap,
            target_prefix=[prefix] * len(batch) if prefix else None,
            **({"suppress_sequences": never} if never else {}),
        ) for batch in batches], self.inter)
        for batch, out in zip(batches, outs):
            for i, res in zip(batch, out):
                lo, hi = bounds[i]
                decoded = [t for t in res.hypotheses[0][len(prefix):] if t not in specials]
                toks = decoded[:hi]
                self.tokens_past_row_end += len(decoded) - len(toks)
                out_ids = self.tokenizer.convert_tokens_to_ids(toks)
                text = self.tokenizer.convert_tokens_to_string(toks).strip()
                results[i] = Translation(text=text, token_ids=list(out_ids), hit_limit=len(toks) >= hi and lo < hi)
        return [r for r in results if r is not None]


class CTranslate2Generator:
    """A seq2seq generator (the summarizer's BART) on CTranslate2: same interface as the transformers one
    (:class:`pipeline.summarize.abstractive.TransformersGenerator`)."""

    backend = "ctranslate2"

    def __init__(self, ct2_path: str, tokenizer_path: str, *, compute_type: str = "int8", threads: int = 0,
                 parallel_batches: int = 1, device: str = "cpu", max_input_tokens: int = 1024):
        ctranslate2 = import_ctranslate2()
        from transformers import AutoConfig, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(tokenizer_path)
        self.inter, intra = thread_split(threads, parallel_batches)
        self.model = ctranslate2.Translator(
            ct2_path, device=_ct2_device(device, "summarizer"), compute_type=compute_type,
            intra_threads=intra, inter_threads=self.inter,
        )
        config = AutoConfig.from_pretrained(tokenizer_path)
        limit = getattr(config, "max_position_embeddings", 1024) or 1024
        self.max_input_tokens = min(max_input_tokens, limit)
        self.compute_type = compute_type
        # BART forces <s> as the first generated token (transformers: forced_bos_token_id); CTranslate2 gets
        # it as a target prefix, so that both decode the same sequence.
        forced = _forced_bos(tokenizer_path, config)
        self.prefix = [self.tokenizer.convert_ids_to_tokens(forced)] if forced is not None else []

    @classmethod
    def from_config(cls, config: Any) -> CTranslate2Generator:
        from ..summarize.abstractive import resolve_summarizer_model

        sc = config.summarizer
        model = resolve_summarizer_model(config)  # its tokenizer first
        ct2 = ct2_model_folder(config, "summarizer")
        return cls(str(ct2), model.path, compute_type=sc.ct2_compute_type, threads=sc.threads,
                   parallel_batches=sc.parallel_batches, device=sc.device, max_input_tokens=sc.max_input_tokens)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text)["input_ids"])

    def generate(self, texts: list[str], bounds: list[tuple[int, int]], *, num_beams: int,
                 no_repeat_ngram_size: int, batch_tokens: int) -> tuple[list[str], int]:
        enc = [self.tokenizer(t, truncation=False)["input_ids"] for t in texts]
        tokens = [self.tokenizer.convert_ids_to_tokens(e) for e in enc]
        out: list[str] = [""] * len(texts)
        calls = 0
        # CTranslate2 takes one length bound per call: rows are batched only with rows of the same bounds,
        # so a text's summary never depends on which other texts were decoded with it.
        groups: dict[tuple[int, int], list[int]] = {}
        for i, b in enumerate(bounds):
            groups.setdefault(b, []).append(i)
        batches = [
            [members[j] for j in batch]
            for members in groups.values()
            for batch in plan_batches([len(enc[i]) for i in members], batch_tokens, num_beams)
        ]
        skip = len(self.prefix)
        outs = decode_batches(self.model, [dict(
            source=[tokens[i] for i in batch], beam_size=num_beams, no_repeat_ngram_size=no_repeat_ngram_size,
            max_decoding_length=bounds[batch[0]][1] + skip, min_decoding_length=bounds[batch[0]][0] + skip,
            return_end_token=False, target_prefix=[self.prefix] * len(batch) if skip else None,
        ) for batch in batches], self.inter)  # bounds: the same for the whole batch
        for batch, res in zip(batches, outs):
            hi = bounds[batch[0]][1]
            calls += 1
            for i, r in zip(batch, res):
                ids = self.tokenizer.convert_tokens_to_ids(r.hypotheses[0][skip : skip + hi])
                out[i] = self.tokenizer.decode(ids, skip_special_tokens=True).strip()
        return out, calls


def _forced_bos(path: str, config: Any) -> int | None:
    try:
        from transformers import GenerationConfig

        forced = GenerationConfig.from_pretrained(path).forced_bos_token_id
    except OSError:  # no generation_config.json
        forced = None
    return forced if forced is not None else getattr(config, "forced_bos_token_id", None)
