"""One document's own work after translation: summaries, fidelity checks, and its output files."""

from __future__ import annotations

from collections.abc import Iterator

from ..config import Config
from ..document import Document
from .components import Components


def summarize_group(docs: list[Document], components: Components) -> None:
    """Summaries of a group of translated documents: all their chunks share length-sorted batches."""
    if components.summarizer is not None and docs:
        from ..summarize import SummaryPolicy, summarize_documents

        summarize_documents(docs, components.summarizer, SummaryPolicy.from_config(components.config.summarizer))


def check_document(doc: Document, components: Components) -> Document:
    """Fidelity checks of a translated, summarized document (in place; returned)."""
    cfg = components.config
    if cfg.fidelity.enabled:
        from ..fidelity import check_document

        # The structure's confidence and lint findings (from segmentation) stay beside the checks' counts.
        doc.qa = {**{k: v for k, v in doc.qa.items() if k in ("outline", "lint")}, **check_document(doc, components.glossary)}
        summaries = [sec.summary for sec in doc.walk_sections() if sec.summary] + ([doc.summary] if doc.summary else [])
        sentences = [s for summ in summaries for s in summ.sentences]
        doc.qa["summary_sentences"] = len(sentences)
        doc.qa["summary_sentences_flagged"] = sum(1 for s in sentences if s.flags)
    return doc


def output_names(stem: str, config: Config) -> list[str]:
    """The document's output files, relative to the output folder."""
    names = []
    if config.output.markdown:
        names.append(f"{stem}.md")
    if config.output.json:
        names.append(f"{stem}.json")
    if config.output.html:
        names.append(f"{stem}.html")
    names.extend(f"{stem}.{kind}" for kind in EXCHANGE_FORMATS if getattr(config.output, kind))
    return names


EXCHANGE_FORMATS = ("docx", "tmx", "xliff")  # for translation work (bytes: pipeline/render/<format>.py)


def render_output(doc: Document, name: str, config: Config) -> str | bytes:
    from ..render import render_html, render_json, render_markdown

    if name.endswith(".md"):
        return render_markdown(doc, alignment=config.output.alignment)
    if name.endswith(".html"):
        return render_html(doc, alignment=config.output.alignment)
    kind = name.rsplit(".", 1)[-1]
    if kind in EXCHANGE_FORMATS:
        from importlib import import_module

        return getattr(import_module(f"..render.{kind}", __package__), f"render_{kind}")(doc)
    return render_json(doc)


def iter_outputs(doc: Document, config: Config) -> Iterator[str | bytes | Iterator[str]]:
    """The document's output files, in :func:`output_names` order, each rendered when asked: Markdown and
    HTML as text, JSON as the encoder's pieces, Word/TMX/XLIFF as bytes (:func:`~pipeline.batch.outputs.write_atomic`
    takes all three),
    so that a large document's outputs are never all in memory at once."""
    from ..render import iter_json

    for name in output_names("document", config):
        yield iter_json(doc) if name.endswith(".json") else render_output(doc, name, config)


def render_outputs(doc: Document, config: Config) -> list[str | bytes]:
    """The text of the document's output files, in :func:`output_names` order."""
    return [render_output(doc, name, config) for name in output_names("document", config)]
