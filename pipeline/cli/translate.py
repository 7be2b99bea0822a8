"""``translate``: a quick look at what a config's translator makes of some text (no files, no summaries)."""

from __future__ import annotations

import dataclasses
import sys

from ..errors import InputError
from .common import load_config_from_args, quiet_libraries


def _read_text(args) -> str:
    if args.text == ["-"]:
        text = sys.stdin.read()
    else:
        text = " ".join(args.text)
    if not text.strip():
        raise InputError("nothing to translate", hint='give the Chinese text, or "-" to read it from stdin')
    return text


def cmd_translate(args) -> int:
    from ..batch.components import generation_settings, load_glossary_files, load_tm, load_translator
    from ..document import Document, Segment
    from ..fidelity import check_document
    from ..models import check_models_present
    from ..render.flags import flag_lines
    from ..segment.sentences import split_sentences
    from ..translate import TranslationService, apply_translations, texts_to_translate
    from ..translate.memory import recall

    text = _read_text(args)
    config = load_config_from_args(args)
    paragraphs = [[s for s in split_sentences(line.strip()) if s.strip()] for line in text.splitlines() if line.strip()]
    segments = [Segment(f"s{n}", zh) for n, zh in enumerate((s for p in paragraphs for s in p), 1)]
    doc = Document(source="<text>", preamble=segments)
    glossary, _, _ = load_glossary_files(config)
    memory = load_tm(config)
    check_models_present(dataclasses.replace(config, summarizer=dataclasses.replace(config.summarizer, kind="none")))
    quiet_libraries()
    translator = load_translator(config, glossary)
    recall(doc, memory, None, use_fuzzy=config.tm.use_fuzzy)
    service = TranslationService(translator, generation_settings(config), guard=config.translator.repetition_guard)
    apply_translations(doc, translator, service.translate(texts_to_translate(doc, translator)))
    if config.fidelity.enabled:
        check_document(doc, glossary)
    if args.pairs:
        for seg in segments:
            flags = " | ".join(line.text for line in flag_lines(seg.flags))
            print("\t".join(" ".join((x or "").split()) for x in (seg.zh, seg.en, seg.origin, flags)))
        return 0
    done = iter(segments)
    for para in paragraphs:
        print(" ".join(next(done).en or "" for _ in para))
    flagged = [s for s in segments if s.flags]
    for seg in flagged:
        for line in flag_lines(seg.flags):
            print(f"⚠ {seg.zh[:30]}: {line.text}", file=sys.stderr)
    return 0
