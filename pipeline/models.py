"""Finding models (local folder or Hugging Face cache), downloading them, and building the tiny test models.

Nothing here downloads during a ``run``: a model is a local folder or already in the Hugging Face cache.
Otherwise :class:`ModelNotAvailableError` says, in one line, which model and how to get it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from .errors import InputError, ModelNotAvailableError, PipelineError, describe_exception

log = logging.getLogger(__name__)

HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")

# The tiny models that `models build-tiny` creates (name -> builder); configs/tiny.yaml points at them.
TINY_DIR = Path("models") / "tiny"
TINY_TRANSLATOR = "marian-zh-en"
TINY_SUMMARIZER = "bart-summarizer"


@dataclass(frozen=True)
class ResolvedModel:
    """A model that can be loaded with ``from_pretrained(path)``, and the facts that identify it."""

    name: str  # as written in the config
    path: str  # local folder
    revision: str  # hub commit, or a content hash for a local folder


def folder_fingerprint(folder: Path) -> str:
    """A content hash of a local model folder, so that changing the weights changes cache keys."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode())
            st = p.stat()
            if st.st_size <= 64 * 1024 * 1024:
                h.update(p.read_bytes())
            else:  # big weight files: size + head + tail is enough to notice a different file
                with p.open("rb") as f:
                    h.update(str(st.st_size).encode())
                    h.update(f.read(1 << 20))
                    f.seek(-(1 << 20), os.SEEK_END)
                    h.update(f.read())
    return "local-" + h.hexdigest()[:16]


# Local folder names of the models the shipped configs use, and where to download them from.
KNOWN_MODELS = {
    "opus-mt-zh-en": "Helsinki-NLP/opus-mt-zh-en",
    "distilbart-cnn-12-6": "sshleifer/distilbart-cnn-12-6",
    "nllb-200-distilled-600M": "facebook/nllb-200-distilled-600M",
    "m2m100_418M": "facebook/m2m100_418M",
}


def looks_like_path(name: str) -> bool:
    """Hub ids are ``owner/name``; anything starting with ``.``, ``/``, ``~`` or ``models/``, or with more
    than one ``/``, is a local folder."""
    return name.startswith((".", "/", "~")) or name.startswith("models/") or name.count("/") != 1


def missing_model_error(name: str, revision: str | None = None, role: str = "translator") -> ModelNotAvailableError:
    if looks_like_path(name) and Path(name).parent.name == "tiny":
        return ModelNotAvailableError(
            f"tiny model folder {name!r} ({role}) not found",
            hint="build the tiny offline models with `python -m pipeline models build-tiny` (or `make run`)",
        )
    if looks_like_path(name):
        hub = KNOWN_MODELS.get(Path(name).name)
        get = (
            f"on a connected machine run `python -m pipeline models download {hub}` (it saves to models/{Path(name).name})"
            if hub
            else "save the model there with save_pretrained()"
        )
        return ModelNotAvailableError(
            f"model folder {name!r} ({role}) not found", hint=f"{get}, or set --set {role}.model=<folder or hub id>"
        )
    rev = f" (revision {revision})" if revision else ""
    return ModelNotAvailableError(
        f"model {name!r}{rev} ({role}) not found locally (not a folder here, not in the Hugging Face cache; "
        "a run never asks the hub)",
        hint=(
            f"on a connected machine run `python -m pipeline models download {name}` and copy models/ here, "
            f"or set --set {role}.model=<local folder>; for an offline trial use --config tiny"
        ),
    )


def resolve_model(
    name: str, revision: str | None = None, *, root: Path | None = None, role: str = "translator"
) -> ResolvedModel:
    """Find ``name`` as a local folder or a cached hub model; never download (and never build).

    A relative folder is looked for in the current directory, then under ``root`` (the config's project
    folder).
    """
    local = Path(name).expanduser()
    candidates = [local] + ([root / local] if root is not None and not local.is_absolute() else [])
    for folder in candidates:
        if folder.is_dir():
            if not (folder / "config.json").exists():
                raise ModelNotAvailableError(f"model folder {name!r} ({role}) has no config.json: not a saved model")
            return ResolvedModel(name, str(folder), folder_fingerprint(folder))
    if looks_like_path(name) or not HUB_ID.match(name):
        raise missing_model_error(name, revision, role)
    from huggingface_hub import snapshot_download

    try:
        path = snapshot_download(name, revision=revision, local_files_only=True)
    except Exception:
        raise missing_model_error(name, revision, role) from None
    commit = Path(path).name  # snapshots/<commit>
    return ResolvedModel(name, path, commit)


@dataclass(frozen=True)
class NeededModel:
    """A model a config needs: ``name`` (hub id or folder) for ``role``, and the CTranslate2 folder made from
    it when the role's backend is ctranslate2."""

    role: str
    name: str
    revision: str | None
    ct2_model: str | None = None
    ct2_compute_type: str = "int8"


def needed_models(config) -> list[NeededModel]:
    """Every model ``config`` loads (none for the identity translator or a non-abstractive summarizer)."""
    out = []
    tc, sc = config.translator, config.summarizer
    if tc.backend != "identity":
        out.append(NeededModel("translator", tc.model, tc.revision,
                               tc.ct2_model if tc.backend == "ctranslate2" else None, tc.ct2_compute_type))
    if sc.kind == "abstractive":
        out.append(NeededModel("summarizer", sc.model, sc.revision,
                               sc.ct2_model if sc.backend == "ctranslate2" else None, sc.ct2_compute_type))
    return out


def config_reference(config) -> str:
    """How a command line names ``config``: a shipped config by its name, any other by its path."""
    if config.source_path is None:
        return "default"
    path = Path(config.source_path)
    shipped = Path(__file__).resolve().parent / "configs"
    return path.stem if path.resolve().parent == shipped.resolve() or path.parent == Path("configs") else str(path)


def missing_models(config) -> list[ModelNotAvailableError]:
    """One error per model of ``config`` that is not here (nothing is downloaded or loaded)."""
    errors = []
    for need in needed_models(config):
        try:
            resolve_model(need.name, need.revision, root=config.root, role=need.role)
        except ModelNotAvailableError as err:
            errors.append(err)
        folder = config.resolve_path(need.ct2_model) if need.ct2_model else None
        if folder is not None and not (folder / "model.bin").exists():
            what = "is not a CTranslate2 model folder (no model.bin)" if folder.exists() else "not found"
            errors.append(ModelNotAvailableError(
                f"{need.role} CTranslate2 model folder {need.ct2_model!r} {what}",
                hint=f"`python -m pipeline models convert {need.name} --out {need.ct2_model}`"))
    return errors


def check_models_present(config) -> None:
    """Stop before loading anything when models are missing, naming all of them at once (exit 4) and the
    one command that fetches them."""
    errors = missing_models(config)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        tiny = all("build-tiny" in (e.hint or "") for e in errors)
        hubs = []
        for need in needed_models(config):
            hub = need.name if not looks_like_path(need.name) else KNOWN_MODELS.get(Path(need.name).name)
            if hub and any(repr(need.name) in e.args[0] for e in errors):
                hubs.append(f"`python -m pipeline models download {hub}`")
        fetch = ("build them with `python -m pipeline models build-tiny`" if tiny else
                 f"on a connected machine run `python -m pipeline models download --config {config_reference(config)}` "
                 "(it downloads and converts all of them" + (f"; one by one: {', '.join(hubs)}" if hubs else "")
                 + ") and copy models/ here")
        raise ModelNotAvailableError(f"{len(errors)} models not found locally: " + "; ".join(e.args[0] for e in errors),
                                     hint=fetch)


def download_config_models(config, dest_root: Path, log_line: Callable[[str], None] = lambda line: None) -> list[Path]:
    """Everything ``config`` needs, fetched: hub models into ``dest_root`` (or into the folder the config
    names, for a known model such as ``models/opus-mt-zh-en``), tiny models built, CTranslate2 folders
    converted. Models already here are left alone."""
    done = []
    for need in needed_models(config):
        try:
            path = Path(resolve_model(need.name, need.revision, root=config.root, role=need.role).path)
        except ModelNotAvailableError:
            folder = config.resolve_path(need.name)
            if looks_like_path(need.name) and folder.parent.name == "tiny":
                log_line(f"building the tiny {need.role} model under {folder.parent}")
                build_tiny_models(folder.parent, only=(folder.name,))
                path = folder
            elif looks_like_path(need.name):
                hub = KNOWN_MODELS.get(folder.name)
                if hub is None:
                    raise missing_model_error(need.name, need.revision, need.role) from None
                log_line(f"downloading {hub} -> {folder}")
                path = download_model(hub, need.revision, folder.parent)
            else:
                log_line(f"downloading {need.name} -> {dest_root}")
                path = download_model(need.name, need.revision, dest_root)
        done.append(path)
        if need.ct2_model and not (config.resolve_path(need.ct2_model) / "model.bin").exists():
            from .translate.ct2 import convert_to_ctranslate2

            quantization = need.ct2_compute_type if need.ct2_compute_type != "auto" else "int8"
            log_line(f"converting {path} -> {need.ct2_model} ({quantization})")
            done.append(convert_to_ctranslate2(str(path), config.resolve_path(need.ct2_model), quantization=quantization))
    return done


def download_model(name: str, revision: str | None, dest_root: Path) -> Path:
    """Download a hub model into ``dest_root/<name without owner>`` (run on a connected machine)."""
    if not HUB_ID.match(name):
        raise PipelineError(f"{name!r} is not a Hugging Face hub id (owner/name)")
    from huggingface_hub import snapshot_download

    dest = dest_root / name.split("/", 1)[1]
    try:
        snapshot_download(
            name,
            revision=revision,
            local_dir=str(dest),
            allow_patterns=["*.json", "*.spm", "*.model", "*.txt", "*.safetensors", "*.bin"],
        )
    except Exception as exc:
        raise ModelNotAvailableError(
            f"could not download {name!r}: {describe_exception(exc)}",
            hint="this needs network access to the Hugging Face hub; run it on a connected machine",
        ) from None
    return dest


# --------------------------------------------------------------------------------------------------------
# Tiny models: real transformers classes, tiny sizes, random (seeded) weights, tokenizers trained here.
# Their output is gibberish by design; they exist to exercise the mechanics offline.


def _corpus_lines(lang: str) -> list[str]:
    text = resources.files("pipeline").joinpath(f"data/tiny-corpus-{lang}.txt").read_text(encoding="utf-8")
    if lang == "zh":
        return [s for s in re.split(r"(?<=[。；！？:：])|\n|\|", text) if s.strip()]
    return [s for s in text.splitlines() if s.strip()]


def _train_spm(lines: list[str], prefix: Path, vocab_size: int, coverage: float) -> None:
    """Train a SentencePiece model from memory (no input path or prefix is recorded in the model, so the
    same text always gives the same bytes, and so the same folder fingerprint)."""
    import io

    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        vocab_size=vocab_size,
        character_coverage=coverage,
        model_type="unigram",
        hard_vocab_limit=False,
        seed_sentencepiece_size=100_000,
        shuffle_input_sentence=False,
        num_threads=1,  # deterministic
        bos_id=-1,
        eos_id=-1,
        unk_id=0,
        minloglevel=2,
    )
    prefix.with_suffix(".model").write_bytes(model.getvalue())


def _pad_spm(path: Path, pieces: int, name: str) -> None:
    """Append UNUSED pieces (``<{name}{k}>``) to the SentencePiece model at ``path`` until it has ``pieces``:
    the production models' piece counts, while encoding stays exactly the same (UNUSED pieces are never
    produced). Appended in protobuf's wire format (ModelProto field 1, a repeated SentencePiece message),
    which needs no protobuf library."""
    import struct

    import sentencepiece as spm

    data = path.read_bytes()
    have = spm.SentencePieceProcessor(model_proto=data).get_piece_size()

    def varint(n: int) -> bytes:
        out = bytearray()
        while True:
            out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
            n >>= 7
            if not n:
                return bytes(out)

    extra = bytearray()
    for k in range(pieces - have):
        text = f"<{name}{k}>".encode()
        # piece (1, bytes), score (2, float32) and type (3, varint; 5 = UNUSED)
        body = b"\x0a" + varint(len(text)) + text + b"\x15" + struct.pack("<f", 0.0) + b"\x18\x05"
        extra += b"\x0a" + varint(len(body)) + body
    path.write_bytes(data + bytes(extra))


@dataclass(frozen=True)
class Seq2SeqShape:
    """The sizes of a model to build (random weights) and the defaults of its generation_config."""

    d_model: int
    encoder_layers: int
    decoder_layers: int
    heads: int
    ffn: int
    vocab_size: int | None = None  # None: the trained tokenizer's size; larger: padded with unused entries
    # Marian: pieces of the source / target SentencePiece models (None: as trained; larger: padded with
    # UNUSED pieces), so that the joint vocabulary splits between the languages as the real model's does.
    source_pieces: int | None = None
    target_pieces: int | None = None
    num_beams: int = 4
    max_length: int = 512
    min_length: int = 0

    def layers(self) -> dict[str, int]:
        """The config keys every seq2seq family (Marian, BART, M2M100/NLLB) names alike."""
        return {"d_model": self.d_model, "encoder_layers": self.encoder_layers, "decoder_layers": self.decoder_layers,
                "encoder_attention_heads": self.heads, "decoder_attention_heads": self.heads,
                "encoder_ffn_dim": self.ffn, "decoder_ffn_dim": self.ffn}


TINY_MARIAN = Seq2SeqShape(d_model=32, encoder_layers=2, decoder_layers=2, heads=2, ffn=64)
TINY_BART = Seq2SeqShape(d_model=32, encoder_layers=2, decoder_layers=2, heads=2, ffn=64, num_beams=2,
                         max_length=142, min_length=8)


def unused_word(k: int) -> str:
    """0 -> "a", 25 -> "z", 26 -> "ba", ...: distinct lowercase words for padding a vocabulary."""
    out = ""
    while True:
        k, r = divmod(k, 26)
        out = chr(97 + r) + out
        if k == 0:
            return out


def build_marian(dest: Path, seed: int, shape: Seq2SeqShape = TINY_MARIAN, tokenizer_dir: Path | None = None) -> None:
    """A MarianMTModel + MarianTokenizer (SentencePiece models trained on the bundled text) in ``dest``.

    ``tokenizer_dir``: a real Marian tokenizer folder instead (e.g. opus-mt-zh-en's, without weights): the
    model then has its vocabulary, special ids and source/target split, so token counts, ``<unk>`` and the
    target-vocabulary map are the production ones; only the layers are ``shape``'s."""
    import sentencepiece as spm
    from transformers import MarianTokenizer

    if tokenizer_dir is not None:
        tok = MarianTokenizer.from_pretrained(str(tokenizer_dir))
        vocab = tok.get_vocab()
        _save_marian(dest, seed, shape, tok, len(vocab), vocab["<pad>"], vocab["</s>"])
        return
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        _train_spm(_corpus_lines("zh"), t / "source", 1200, 0.9995)
        _train_spm(_corpus_lines("en"), t / "target", 600, 1.0)
        if shape.source_pieces:
            _pad_spm(t / "source.model", shape.source_pieces, "zh-unused")
        if shape.target_pieces:
            _pad_spm(t / "target.model", shape.target_pieces, "en-unused")
        vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
        for name in ("source", "target"):
            sp = spm.SentencePieceProcessor(model_file=str(t / f"{name}.model"))
            for i in range(sp.get_piece_size()):
                vocab.setdefault(sp.id_to_piece(i), len(vocab))
        k = 0
        while shape.vocab_size is not None and len(vocab) < shape.vocab_size - 1:
            vocab.setdefault(f"<unused{k}>", len(vocab))  # the real size, so that embeddings cost what they cost
            k += 1
        vocab["<pad>"] = len(vocab)  # last, as in OPUS-MT
        (t / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        tok = MarianTokenizer(
            source_spm=str(t / "source.model"), target_spm=str(t / "target.model"), vocab=str(t / "vocab.json")
        )
        _save_marian(dest, seed, shape, tok, len(vocab), vocab["<pad>"], 0)


def _save_marian(dest: Path, seed: int, shape: Seq2SeqShape, tok: Any, vocab_size: int, pad: int, eos: int) -> None:
    """A MarianMTModel of ``shape`` (seeded random weights) for ``tok``, saved with it in ``dest``."""
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel

    config = MarianConfig(
        vocab_size=vocab_size,
        **shape.layers(),
        max_position_embeddings=512,
        pad_token_id=pad,
        eos_token_id=eos,
        decoder_start_token_id=pad,
        activation_function="swish",  # positions: Marian's are always sinusoidal (static)
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    model.generation_config = GenerationConfig(  # as OPUS-MT's generation_config.json
        decoder_start_token_id=pad,
        eos_token_id=eos,
        pad_token_id=pad,
        bad_words_ids=[[pad]],
        num_beams=shape.num_beams,
        max_length=shape.max_length,
    )
    model.save_pretrained(dest)
    tok.save_pretrained(dest)


def build_bart(dest: Path, seed: int, shape: Seq2SeqShape = TINY_BART) -> None:
    """A BartForConditionalGeneration + byte-level BPE tokenizer trained on the bundled English text."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BartConfig, BartForConditionalGeneration, BartTokenizer, GenerationConfig

    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(_corpus_lines("en"), vocab_size=700, min_frequency=1, special_tokens=specials)
    with tempfile.TemporaryDirectory() as tmp:
        bpe.save_model(tmp)
        vocab_file = Path(tmp) / "vocab.json"
        if shape.vocab_size is not None:
            # Padded with decodable words, so that what a random model writes is text (an empty summary
            # would skip the executive-summary pass and under-measure a benchmark).
            vocab = json.loads(vocab_file.read_text(encoding="utf-8"))
            k = 0
            while len(vocab) < shape.vocab_size:
                vocab.setdefault("\u0120" + unused_word(k), len(vocab))
                k += 1
            vocab_file.write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        tok = BartTokenizer(vocab=str(vocab_file), merges=str(Path(tmp) / "merges.txt"))
    tok.model_max_length = 1024
    config = BartConfig(
        vocab_size=shape.vocab_size or len(tok),
        **shape.layers(),
        max_position_embeddings=1024,
        activation_function="gelu",
        pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        decoder_start_token_id=tok.eos_token_id,
        forced_bos_token_id=tok.bos_token_id,
    )
    torch.manual_seed(seed)
    model = BartForConditionalGeneration(config)
    model.generation_config = GenerationConfig(
        decoder_start_token_id=tok.eos_token_id,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
        forced_bos_token_id=tok.bos_token_id,
        num_beams=shape.num_beams,
        max_length=shape.max_length,
        min_length=shape.min_length,
    )
    model.save_pretrained(dest)
    tok.save_pretrained(dest)


def _m2m100_model(dest: Path, seed: int, tok, vocab_size: int, shape: Seq2SeqShape) -> None:
    """An M2M100ForConditionalGeneration (the architecture of M2M100 and NLLB-200) for ``tok``, in ``dest``."""
    import torch
    from transformers import GenerationConfig, M2M100Config, M2M100ForConditionalGeneration

    config = M2M100Config(
        vocab_size=vocab_size, **shape.layers(), max_position_embeddings=1024,
        pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
        decoder_start_token_id=tok.eos_token_id, scale_embedding=True,
    )
    torch.manual_seed(seed)
    model = M2M100ForConditionalGeneration(config)
    model.generation_config = GenerationConfig(  # as the hub models': decoding starts at </s>, then the language
        decoder_start_token_id=tok.eos_token_id, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id, num_beams=shape.num_beams, max_length=200,
    )
    model.save_pretrained(dest)
    tok.save_pretrained(dest)


def build_nllb(dest: Path, seed: int, shape: Seq2SeqShape = TINY_MARIAN) -> None:
    """An NLLB-200-shaped model: ``NllbTokenizer`` (a SentencePiece-style BPE trained on the bundled zh and en
    text, plus the 202 NLLB language codes) and an M2M100 architecture, random weights."""
    from tokenizers import SentencePieceBPETokenizer
    from transformers import NllbTokenizer

    bpe = SentencePieceBPETokenizer()
    bpe.train_from_iterator(_corpus_lines("zh") + _corpus_lines("en"), vocab_size=1500, min_frequency=1,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>"], show_progress=False)
    with tempfile.TemporaryDirectory() as tmp:
        bpe.save_model(tmp)
        vocab = json.loads((Path(tmp) / "vocab.json").read_text(encoding="utf-8"))
        lines = (Path(tmp) / "merges.txt").read_text(encoding="utf-8").splitlines()
    merges = [tuple(line.split(" ")) for line in lines if line and not line.startswith("#")]
    tok = NllbTokenizer(vocab=vocab, merges=merges, src_lang="zho_Hans", tgt_lang="eng_Latn")
    tok.model_max_length = 1024
    _m2m100_model(dest, seed, tok, len(tok), shape)


def build_m2m100(dest: Path, seed: int, shape: Seq2SeqShape = TINY_MARIAN) -> None:
    """An M2M100-shaped model: ``M2M100Tokenizer`` (one SentencePiece model trained on the bundled zh and en
    text, the fairseq vocabulary, the 100 M2M100 language codes) and random weights."""
    import sentencepiece as spm
    from transformers import M2M100Tokenizer

    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        _train_spm(_corpus_lines("zh") + _corpus_lines("en"), t / "spm", 1500, 0.9995)
        sp = spm.SentencePieceProcessor(model_file=str(t / "spm.model"))
        vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
        for i in range(sp.get_piece_size()):
            vocab.setdefault(sp.id_to_piece(i), len(vocab))
        (t / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        tok = M2M100Tokenizer(vocab_file=str(t / "vocab.json"), spm_file=str(t / "spm.model"), src_lang="zh",
                              tgt_lang="en")
        tok.model_max_length = 1024
        # the language codes follow the vocabulary, then the made-up words (as in the hub models' embeddings)
        size = max([*tok.get_vocab().values(), *tok.lang_token_to_id.values()]) + 1 + tok.num_madeup_words
        _m2m100_model(dest, seed, tok, size, shape)


def build_once(dest: Path, build: Callable[[Path], None]) -> Path:
    """Build into a temporary folder beside ``dest`` and rename it (a half-built model is never left)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        build(tmp)
        tmp.chmod(0o755)  # mkdtemp makes it private; a model folder is ordinary data
        if dest.exists():
            shutil.rmtree(dest)
        try:
            os.replace(tmp, dest)
        except OSError:  # another process built it meanwhile
            if not dest.exists():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return dest


_BUILDERS = {TINY_TRANSLATOR: build_marian, TINY_SUMMARIZER: build_bart}
# Built on request only (`models build-tiny --only nllb-zh-en`; the tests): the multilingual families.
TINY_NLLB = "nllb-zh-en"
TINY_M2M100 = "m2m100-zh-en"
_EXTRA_BUILDERS = {TINY_NLLB: build_nllb, TINY_M2M100: build_m2m100}


def build_tiny_models(
    dest_root: Path = TINY_DIR, *, seed: int = 0, only: tuple[str, ...] | None = None, force: bool = False,
    tokenizer: Path | None = None,
) -> list[Path]:
    """Build the tiny models under ``dest_root`` (atomically: a half-built model is never left behind).

    ``tokenizer``: a real Marian tokenizer folder for the tiny translator's vocabulary (:func:`build_marian`);
    None: SentencePiece models trained on the bundled text."""
    dest_root = Path(dest_root)
    dest_root.mkdir(parents=True, exist_ok=True)
    _check_tokenizer(tokenizer)
    built = []
    for name, builder in {**_BUILDERS, **_EXTRA_BUILDERS}.items():
        if (name not in only) if only is not None else (name in _EXTRA_BUILDERS):
            continue
        dest = dest_root / name
        stamp = builder_stamp(name, seed, tokenizer)
        if dest.exists() and not force and _read_stamp(dest) == stamp:
            built.append(dest)
            continue

        def build(tmp: Path, builder=builder, stamp=stamp, name=name) -> None:
            if name == TINY_TRANSLATOR and tokenizer is not None:
                build_marian(tmp, seed, tokenizer_dir=tokenizer)
            else:
                builder(tmp, seed)
            (tmp / BUILDER_STAMP).write_text(stamp + "\n")

        build_once(dest, build)
        built.append(dest)
    return built


BUILDER_STAMP = "built-by.txt"


def builder_stamp(name: str, seed: int, tokenizer: Path | None = None) -> str:
    """What a tiny model was built from (this module's source, the corpus, the seed, the real tokenizer the
    translator takes): a model built otherwise is rebuilt instead of reused."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    for lang in ("zh", "en"):
        h.update("\n".join(_corpus_lines(lang)).encode("utf-8"))
    stamp = f"{name} seed={seed} builder={h.hexdigest()[:16]}"
    if tokenizer is not None and name == TINY_TRANSLATOR:
        stamp += f" tokenizer={folder_fingerprint(Path(tokenizer))}"
    return stamp


def _check_tokenizer(tokenizer: Path | None) -> None:
    if tokenizer is None:
        return
    missing = [f for f in ("source.spm", "target.spm", "vocab.json") if not (Path(tokenizer) / f).is_file()]
    if missing:
        raise InputError(f"--tokenizer {tokenizer}: not a Marian tokenizer folder (no {', '.join(missing)})",
                         hint="a folder with source.spm, target.spm and vocab.json, e.g. opus-mt-zh-en's")


def tiny_models_current(dest_root: Path = TINY_DIR, *, seed: int = 0, tokenizer: Path | None = None) -> bool:
    """Whether every tiny model under ``dest_root`` exists and was built by this builder."""
    return all(_read_stamp(Path(dest_root) / name) == builder_stamp(name, seed, tokenizer) for name in _BUILDERS)


def _read_stamp(folder: Path) -> str | None:
    try:
        return (folder / BUILDER_STAMP).read_text().strip()
    except OSError:
        return None
