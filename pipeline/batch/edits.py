"""``import-edits``: corrected sentences from a translation tool into a finished report of an output folder.

The corrections are stored as human translations in the run's translation cache (a later run uses them
before the memory and the model, so they are never overwritten), written into the report's JSON
(``origin: human``), and the report is finished again as a run finishes it: summaries and checks redone
(flags of the old English cleared, the new English checked), every output file re-rendered atomically,
and the collection files (index, digests, segment tables) rebuilt. All under the folder's lock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..document import Document
from ..errors import ConfigError, InputError, OutputError
from .components import Components


@dataclass
class ImportReport:
    report: str  # the report's JSON, relative to the output folder
    changed: list[str] = field(default_factory=list)  # segment ids now carrying a person's English
    unchanged: int = 0
    unmatched: int = 0
    outputs: list[str] = field(default_factory=list)


def find_report(out_dir: Path, edited_report: str | None, edited_path: Path, stem: str | None = None) -> Path:
    """The JSON of the report an edited file belongs to: ``stem`` when given, else the edited file's own
    name (``report.xliff`` → ``report.json``), else the report the file names (its input's name, looked
    up in the manifest)."""
    from .manifest import Manifest

    if stem:
        path = out_dir / f"{stem}.json"
        if not path.is_file():
            raise InputError(f"{path}: no such report in {out_dir}", hint="give the stem of a report's .json there")
        return path
    own = out_dir / f"{edited_path.stem}.json"
    if own.is_file():
        return own
    if edited_report:
        found = []
        for rec in Manifest.load(out_dir).last_ok.values():
            if edited_report in (rec.get("input"), Path(str(rec.get("input"))).name):
                found += [o for o in rec.get("outputs", []) if o.endswith(".json")]
        if len(set(found)) == 1:
            return out_dir / found[0]
        if len(set(found)) > 1:
            raise InputError(f"{edited_path}: {len(set(found))} reports in {out_dir} come from {edited_report!r}",
                             hint="name the one meant with --report STEM")
    raise InputError(f"{edited_path}: no report in {out_dir} matches it (by its name or the report it names)",
                     hint="give --report STEM (the name of the report's .json without .json)")


def import_edits(edited_path: Path, out_dir: Path, components: Components, *, stem: str | None = None) -> ImportReport:
    from ..render.tables import TABLE_FORMATS
    from ..translate.edits import apply_edits, read_edited_file
    from .collection import write_collection
    from .documents import check_document, iter_outputs, output_names, summarize_group
    from .manifest import Manifest
    from .outputs import FolderLock, StagedFiles, write_atomic

    if components.cache is None:
        raise OutputError("import-edits keeps the corrections in the translation cache, which is off here",
                          hint="set cache.enabled: true (and the run's cache.path or --cache)")
    edited = read_edited_file(edited_path)
    if not edited.units:
        raise InputError(f"{edited_path}: no translation units in this {edited.format} file")
    with FolderLock(out_dir):
        json_path = find_report(out_dir, edited.report, Path(edited_path), stem)
        try:
            doc = Document.from_dict(json.loads(json_path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{json_path}: not a report JSON written by the pipeline ({exc})") from None
        made_with = (doc.provenance.get("config") or {}).get("hash")
        if made_with and made_with != components.config.hash():
            raise ConfigError(f"{json_path}: this is not the config that made the report (config hash "
                              f"{components.config.hash()}, the report's {made_with})",
                              hint="give the run's --config and --set options")
        outcome = apply_edits(doc, edited.units)
        rel = json_path.relative_to(out_dir).as_posix()
        result = ImportReport(rel, [uid for uid, _ in outcome.changed], outcome.unchanged, len(outcome.unmatched))
        if not outcome.changed and not outcome.unchanged:
            raise InputError(f"{edited_path}: none of its {len(edited.units)} units matches a sentence of {rel}",
                             hint="is it the file exported from this report? name the report with --report STEM")
        if not outcome.changed:
            return result
        components.cache.human_put_many((item.zh, item.en, doc.source, uid) for uid, item in outcome.changed)
        doc.summary = None
        for sec in doc.walk_sections():
            sec.summary = None
        summarize_group([doc], components)
        check_document(doc, components)
        stem_of = rel[: -len(".json")]
        result.outputs = output_names(stem_of, components.config)
        manifest = Manifest.load(out_dir)
        record = next((rec for rec in manifest.last_ok.values() if rec.get("stem") == stem_of), None)
        if record is None:  # a report no manifest line claims: written as before, nothing to record
            for name, text in zip(result.outputs, iter_outputs(doc, components.config), strict=True):
                write_atomic(out_dir / name, text)
        else:
            # As a run writes: the files staged, a manifest line with their new hashes, then the files in
            # place, so that the next run finds them done (not "damaged") and a kill leaves the old ones.
            with StagedFiles() as staged:
                hashes = {name: staged.write(out_dir / name, text)
                          for name, text in zip(result.outputs, iter_outputs(doc, components.config), strict=True)}
                manifest.append({**record, "outputs": result.outputs, "sha256": {**record.get("sha256", {}), **hashes}})
                staged.commit()
            manifest = Manifest.load(out_dir)
        config = components.config
        write_collection(out_dir, manifest, digest_html=config.output.html,
                         tables=tuple(k for k in TABLE_FORMATS if getattr(config.output, k)))
    return result
