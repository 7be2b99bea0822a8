"""Step 4 of segmentation: sentences, and clause pieces of sentences too long to translate."""

from __future__ import annotations

import re
from collections.abc import Callable

from .cleanup import (
    _HALF_WIDTH_FULL_STOP,
    _OPENER_FOR_CLOSER,
    _OPENERS,
    CLOSING_MARKS,
    SENTENCE_TERMINATORS,
)

# --- sentences -----------------------------------------------------------------------------------

_SENTENCE_EVENT = re.compile(
    rf"[{re.escape(SENTENCE_TERMINATORS)}{re.escape(CLOSING_MARKS)}{re.escape(''.join(_OPENERS))}\"]"
    rf"|{_HALF_WIDTH_FULL_STOP}"
)


def split_sentences(text: str) -> list[str]:
    """Sentences of a text, split after 。！？；… and their half-width forms.

    Closing quotes and brackets stay with their sentence, and nothing splits inside a matched pair of
    quotes or brackets (“…” （…） 《…》 ...); unmatched ones are ignored rather than swallowing the rest.
    """
    events = list(_SENTENCE_EVENT.finditer(text))
    quoted_spans = _matched_pair_spans(events)
    cuts: list[int] = []
    span_index = 0
    for event in events:
        position, char = event.start(), event.group()
        while span_index < len(quoted_spans) and quoted_spans[span_index][1] < position:
            span_index += 1
        span = quoted_spans[span_index] if span_index < len(quoted_spans) else None
        inside = span is not None and span[0] < position <= span[1]
        if char in SENTENCE_TERMINATORS or char == ".":
            if not inside:
                cuts.append(_after_closing_marks(text, position + 1))
        elif span is not None and position == span[1] and text[position - 1] in SENTENCE_TERMINATORS:
            cuts.append(_after_closing_marks(text, position + 1))  # “……。” ends the sentence
    sentences = []
    start = 0
    for cut in cuts + [len(text)]:
        if cut > start:
            sentence = text[start:cut].strip()
            if sentence:
                sentences.append(sentence)
            start = cut
    return sentences


def _after_closing_marks(text: str, position: int) -> int:
    while position < len(text) and (text[position] in CLOSING_MARKS or text[position] in SENTENCE_TERMINATORS):
        position += 1
    return position


def _matched_pair_spans(events: list[re.Match[str]]) -> list[tuple[int, int]]:
    """Outermost (open, close) positions of matched quote/bracket pairs, sorted and non-overlapping."""
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    for event in events:
        char, position = event.group(), event.start()
        if char == '"':
            if stack and stack[-1][0] == '"':
                pairs.append((stack.pop()[1], position))
            else:
                stack.append((char, position))
        elif char in _OPENERS:
            stack.append((char, position))
        elif char in _OPENER_FOR_CLOSER:
            opener = _OPENER_FOR_CLOSER[char]
            # Tolerate one or two unmatched openers above the match; further down is a different pair.
            for depth in range(len(stack) - 1, max(len(stack) - 4, -1), -1):
                if stack[depth][0] == opener:
                    pairs.append((stack[depth][1], position))
                    del stack[depth:]
                    break
    pairs.sort()
    outermost: list[tuple[int, int]] = []
    for start, end in pairs:
        if outermost and start < outermost[-1][1]:
            continue
        outermost.append((start, end))
    return outermost


# --- long sentences ------------------------------------------------------------------------------

# Boundaries tried in order when a sentence is too long: clauses first, then list items and closing
# brackets, then (split_long_sentence's last resort) anywhere.
_CLAUSE_BOUNDARIES = (
    re.compile(r"(?<=[，,：:；;])"),
    re.compile(rf"(?<=[、{CLOSING_MARKS}])|(?<=\s)(?=\S)"),
)


def split_long_sentence(sentence: str, max_tokens: int, count_tokens: Callable[[str], int]) -> list[str]:
    """Pieces of a sentence, each within ``max_tokens`` where possible, that concatenate to the sentence.

    Clauses are packed greedily; a clause still too long is split at finer boundaries and, as a last
    resort, at the longest prefix that fits. Nothing is ever truncated.
    """
    return _split_to_fit(sentence, 0, max_tokens, count_tokens) if sentence else []


def _split_to_fit(text: str, level: int, max_tokens: int, count_tokens: Callable[[str], int]) -> list[str]:
    if count_tokens(text) <= max_tokens:
        return [text]
    if level == len(_CLAUSE_BOUNDARIES):
        return _split_at_longest_prefixes(text, max_tokens, count_tokens)
    pieces: list[str] = []
    current = ""
    for clause in _CLAUSE_BOUNDARIES[level].split(text):
        if not clause:
            continue
        if count_tokens(clause) > max_tokens:
            if current:
                pieces.append(current)
                current = ""
            pieces.extend(_split_to_fit(clause, level + 1, max_tokens, count_tokens))
        elif current and count_tokens(current + clause) > max_tokens:
            pieces.append(current)
            current = clause
        else:
            current += clause
    if current:
        pieces.append(current)
    return pieces


def _split_at_longest_prefixes(text: str, max_tokens: int, count_tokens: Callable[[str], int]) -> list[str]:
    pieces = []
    while text:
        low, high = 1, len(text)  # the longest prefix that fits, but always at least one character
        while low < high:
            middle = (low + high + 1) // 2
            if count_tokens(text[:middle]) <= max_tokens:
                low = middle
            else:
                high = middle - 1
        pieces.append(text[:low])
        text = text[low:]
    return pieces


