"""``verify SOURCE TEXT``: is every English sentence of TEXT backed by the report (a run JSON or a pair file)?

Exit codes: 0 nothing flagged, 1 something flagged, 2 bad input (one line, no traceback)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import InputError
from .pairs import _glossary_for_check


def read_english(path: str) -> str:
    """TEXT as UTF-8 (``-``: standard input); a missing, binary or non-UTF-8 file is one line, exit 2."""
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        p = Path(path)
        if p.exists() and not p.is_file():
            raise InputError(f"not a regular file: {path}", hint="give a UTF-8 text or Markdown file, or - for stdin")
        if not p.is_file():
            raise InputError(f"text file not found: {path}")
        data = p.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text: {path} (byte {err.start})", hint="save the text as UTF-8") from None
    if "\x00" in text:
        raise InputError(f"not a text file: {path}", hint="give UTF-8 English, plain or Markdown")
    return text


def cmd_verify(args) -> int:
    from ..batch import write_atomic
    from ..fidelity.pairs import load_pairs, report_year_of_file
    from ..fidelity.verify import (
        markdown_sentences,
        segments_of,
        verdicts_markdown,
        verify_sentences,
        verify_summary,
    )

    pairs = load_pairs(Path(args.source))
    if not pairs:
        raise InputError(f"no zh/en pairs in {args.source}", hint="a run JSON with translated segments, or a pair file")
    sentences = markdown_sentences(read_english(args.text))
    if not sentences:
        raise InputError(f"no English sentence in {args.text}")
    year = args.report_year if args.report_year is not None else report_year_of_file(args.source)
    segments = segments_of(pairs)
    verdicts = verify_sentences(sentences, segments, _glossary_for_check(args), year)
    summary = verify_summary(verdicts)
    kinds = ", ".join(f"{k} {n}" for k, n in summary["flags_by_kind"].items())
    line = (f"{summary['sentences']} sentences: {summary['supported']} backed by the report, "
            f"{summary['flagged']} flagged" + (f" ({kinds})" if kinds else ""))
    name_text = "standard input" if args.text == "-" else Path(args.text).name
    if args.json:
        out = "".join(json.dumps(v.to_dict(), ensure_ascii=False) + "\n" for v in verdicts)
    else:
        out = verdicts_markdown(verdicts, segments, source=Path(args.source).name, text=name_text)
    if args.out:
        write_atomic(Path(args.out), out)
    else:
        sys.stdout.write(out)
    if args.html:
        from ..render.verify import render_verify_html

        write_atomic(Path(args.html), render_verify_html(verdicts, segments, source=Path(args.source).name,
                                                         text=name_text, summary_line=line + "."))
    print(f"verify: {line}", file=sys.stderr)
    return 1 if summary["flagged"] else 0


__all__ = ["cmd_verify", "read_english"]
