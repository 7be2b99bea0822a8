"""The one padded, batched, per-row-length-bounded ``generate`` loop, shared by the translator and the
summarizer (transformers backends), and the torch helpers around it (threads, device, quiet logging)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from .base import plan_batches

# Builds extra logits processors for one batch: (indices of the batch's inputs, decoder start length).
RowProcessors = Callable[[list[int], int], list[Any]]


def set_torch_threads(threads: int) -> None:
    if threads > 0:
        import torch

        torch.set_num_threads(threads)


def pick_device(device: str, role: str = "translator") -> str:
    """``auto`` means CUDA when there is one; asking for CUDA without one is a clear error."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        from ..errors import ConfigError

        raise ConfigError(f"{role}.device: 'cuda' asked for, but this PyTorch sees no CUDA device",
                          hint=f"use --set {role}.device=cpu (or auto)")
    return device


def quiet_transformers() -> None:
    """Library noise (weight-loading bars, advisory warnings) is not for our users' consoles.

    Called by the CLI (and the benchmarks), not by library code: logging belongs to the application."""
    import warnings

    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    warnings.filterwarnings("ignore", message=".*sacremoses.*")


class PerRowLengthProcessor:
    """A logits processor that bounds each row's length on its own (min and max new tokens per row).

    ``generate`` only knows one length limit per batch; with this, a sentence decoded in a batch stops
    exactly where it would stop alone, so batched output equals unbatched output.
    """

    def __init__(self, bounds: list[tuple[int, int]], eos_token_id: int, num_beams: int, start_len: int):
        import torch

        self.lo = torch.tensor([lo for lo, _ in bounds]).repeat_interleave(num_beams)
        self.hi = torch.tensor([hi for _, hi in bounds]).repeat_interleave(num_beams)
        self.eos = eos_token_id
        self.start_len = start_len

    def __call__(self, input_ids, scores):
        step = input_ids.shape[1] - self.start_len  # new tokens generated so far
        too_short = self.lo > step
        if too_short.any():
            scores[too_short, self.eos] = -math.inf
        done = self.hi <= step
        if done.any():
            scores[done] = -math.inf
            scores[done, self.eos] = 0.0
        return scores


class SequenceBiasProcessor:
    """Adds ``weight`` to the token that continues the longest beginning of a wanted token sequence the row
    has just written (its first token when none): ``sequence_bias`` of transformers, but per row (each
    sentence has its own glossary terms) and for whole sequences. Sequences come in groups (the renderings
    of one term): once one of a group is in the row's output, the group is not pushed again.

    ``groups[row]`` is the list of groups of input ``row``; each group a list of token-id tuples."""

    def __init__(self, groups: list[list[list[tuple[int, ...]]]], weight: float, num_beams: int, start_len: int):
        self.rows = [g for g in groups for _ in range(num_beams)]
        self.weight = weight
        self.start_len = start_len

    def __call__(self, input_ids, scores):
        for i, groups in enumerate(self.rows):
            if not groups:
                continue
            made = input_ids[i, self.start_len :].tolist()
            for group in groups:
                if any(_contains(made, seq) for seq in group):
                    continue
                for seq in group:
                    # the longest beginning of ``seq`` the row has just written: push the token continuing it
                    k = next((k for k in range(len(seq) - 1, 0, -1) if tuple(made[-k:]) == seq[:k]), 0)
                    if k or seq[0] not in made:  # a row that began the sequence and left it gets no new start,
                        scores[i, seq[k]] += self.weight  # else beam search favours beams that keep restarting
        return scores


def _contains(made: list[int], seq: tuple[int, ...]) -> bool:
    n = len(seq)
    return any(tuple(made[j : j + n]) == seq for j in range(len(made) - n + 1))


def first_eos(generation_config: Any) -> int:
    eos = generation_config.eos_token_id
    return eos[0] if isinstance(eos, list) else eos


def generate(
    model: Any,
    pad_token_id: int,
    encoded: Sequence[list[int]],
    bounds: Sequence[tuple[int, int]],
    *,
    num_beams: int,
    batch_tokens: int,
    device: str = "cpu",
    no_repeat_ngram_size: int = 0,
    repetition_penalty: float = 1.0,
    row_processors: RowProcessors | None = None,
    suppress_ids: Sequence[int] | None = None,
    workers: int = 1,
) -> tuple[list[list[int]], int]:
    """Decode every input (token ids) in length-sorted, padded batches within ``batch_tokens``, each row
    bounded by its own (min, max) new tokens. Returns the output ids of each input (decoder start token
    removed, special tokens kept) and the number of ``model.generate`` calls. ``suppress_ids``: token ids
    never generated. ``workers`` > 1 (CPU only): that many batches decoded at once, in threads sharing the
    model, each on its share of torch's threads (see :func:`decode_in_parallel`); the output is the same."""
    import torch
    from transformers import LogitsProcessorList

    eos = first_eos(model.generation_config)
    start_len = 2 if model.generation_config.forced_bos_token_id is not None else 1
    out: list[list[int]] = [[] for _ in encoded]

    def decode(batch: list[int]) -> None:
        width = max(len(encoded[i]) for i in batch)
        input_ids = torch.full((len(batch), width), pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, i in enumerate(batch):
            input_ids[row, : len(encoded[i])] = torch.tensor(encoded[i])
            mask[row, : len(encoded[i])] = 1
        rows = [bounds[i] for i in batch]
        processors = list(row_processors(batch, start_len)) if row_processors else []
        processors.append(PerRowLengthProcessor(rows, eos, num_beams, start_len))  # last: it has the last word
        kwargs: dict[str, Any] = dict(
            num_beams=num_beams,
            do_sample=False,
            max_new_tokens=max(hi for _, hi in rows) + start_len,
            max_length=None,
            min_length=0,
            logits_processor=LogitsProcessorList(processors),
        )
        if no_repeat_ngram_size:
            kwargs["no_repeat_ngram_size"] = no_repeat_ngram_size
        if repetition_penalty != 1.0:
            kwargs["repetition_penalty"] = repetition_penalty
        if suppress_ids:
            kwargs["suppress_tokens"] = list(suppress_ids)
        with torch.inference_mode():
            gen = model.generate(input_ids=input_ids.to(device), attention_mask=mask.to(device), **kwargs)
        for row, i in enumerate(batch):
            out[i] = gen[row].tolist()[1:]

    plan = plan_batches([len(e) for e in encoded], batch_tokens, num_beams)
    decode_in_parallel(decode, plan, workers if device == "cpu" else 1)  # a GPU: one batch at a time
    return out, len(plan)


def decode_in_parallel(decode: Callable[[list[int]], None], plan: list[list[int]], workers: int) -> None:
    """``decode(batch)`` for every batch of ``plan``, ``workers`` at a time in threads (longest batches
    first, each taken by the next free worker), torch's threads divided among them: on a CPU, two small
    batches on one core each keep the cores busier than one batch on both (PyTorch's own threads split
    small matrix products poorly; see docs/benchmarks.md). Never more workers than threads or batches."""
    from concurrent.futures import ThreadPoolExecutor

    import torch

    total = torch.get_num_threads()
    workers = min(workers, total, len(plan))
    if workers <= 1:
        for batch in plan:
            decode(batch)
        return
    pool = ThreadPoolExecutor(workers, thread_name_prefix="decode", initializer=torch.set_num_threads,
                              initargs=(max(1, total // workers),))
    try:
        for future in [pool.submit(decode, batch) for batch in plan]:
            future.result()  # a worker's error is raised here, and the batches not yet begun are dropped
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        torch.set_num_threads(total)  # the workers' setting also became the default of new threads
