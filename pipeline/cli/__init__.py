"""The command line: a thin layer over the library, one module per command. Only here do errors become
one line and an exit code.

Heavy libraries (torch, transformers) are imported inside the commands that need them, so that
``--help`` and ``segment`` start at once.

Exit codes: 0 all good; 1 some inputs failed (the others were written); 2 bad input; 3 bad config;
4 model (or the Ray engine) missing; 5 output not writable; 64 bad command line (usage); 130 interrupted (Ctrl-C);
143 terminated (SIGTERM).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

from .. import __version__
from ..errors import PipelineError
from .common import add_config_args

log = logging.getLogger("pipeline")

TERMINATED = 128 + signal.SIGTERM  # 143, as a shell reports a process SIGTERM ended
USAGE_ERROR = 64  # EX_USAGE: the command line itself is wrong (not the input, not the config)
INPUT_FORMATS = ".txt .md .html .htm .pdf .docx; JSONL/CSV/Parquet tables"


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Examples kept as written; a default shown once, and only where it says something (not None, False
    or an empty list, and not when the help already names it)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or action.default in (None, False, [], argparse.SUPPRESS) or not action.option_strings:
            return text
        return text + " (default: %(default)s)"


# Examples at the end of every command's --help (set in build_parser, so that each command's own module
# keeps only its options).
EXAMPLES = {
    "run": ["python -m pipeline run report.txt --config tiny --out outputs/      # offline trial (gibberish English)",
            "python -m pipeline run reports/ --config default --out outputs/      # a folder, real models",
            "python -m pipeline run report.pdf --limit 20 --out preview/            # a quick partial preview",
            "python -m pipeline run - --config tiny < report.txt                    # standard input",
            "python -m pipeline run rows.jsonl --text-column body --id-column doc_id",
            "python -m pipeline run report.docx --set output.xliff=true --set output.docx=true"],
    "segment": ["python -m pipeline segment report.txt --sentences",
                "python -m pipeline segment report.pdf --json > structure.json"],
    "models": ["python -m pipeline models --config fast                # what the config needs, and whether it is here",
               "python -m pipeline models download --config nllb       # fetch all of it (connected machine)",
               "python -m pipeline models build-tiny",
               "python -m pipeline models convert models/opus-mt-zh-en --out models/opus-mt-zh-en-ct2-int8"],
    "check": ["python -m pipeline check pairs.tsv > flags.jsonl",
              "python -m pipeline check outputs/report.json --report-year 2024",
              "python -m pipeline check official.csv --measure"],
    "eval": ["python -m pipeline eval official.csv --config default --out outputs/eval",
             "python -m pipeline eval official.csv --config tiny --limit 50"],
    "bench": ["python -m pipeline bench --stage translate --quick",
              "python -m pipeline bench --stage pipeline --device auto"],
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's usage errors: one line + exit 64, not 2 (bad input)
        self.exit(USAGE_ERROR, f"error: {message}; see `{self.prog} --help`\n")


def _common_output_args(p: argparse.ArgumentParser, nested: bool = True) -> None:
    # accepted after the sub-command too (`run -v ...`, `run --quiet ...`)
    p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                   help="log what happens (INFO level)")


def _add_run(sub) -> None:
    from .run import cmd_run

    r = sub.add_parser("run", help="translate and summarize reports into bilingual Markdown + JSON",
                       description=f"Inputs: files ({INPUT_FORMATS}), directories (searched recursively), "
                                   "glob patterns, @list.txt (one path per line).",
                       )
    r.add_argument("inputs", nargs="+", metavar="INPUT", help="report files, folders, globs, @lists or tables")
    add_config_args(r)
    _common_output_args(r)
    r.add_argument("--out", "-o", default="outputs", help="output folder")
    r.add_argument("--quiet", "-q", action="store_true", help="no progress bar or per-file lines")
    r.add_argument("--force", action="store_true", help="redo inputs the manifest says are done")
    r.add_argument("--no-cache", action="store_true", help="do not read or write the translation cache")
    r.add_argument("--cache", default=None, metavar="PATH",
                   help="translation cache file (default: cache.path in the config, else OUT/.cache/)")
    r.add_argument("--engine", choices=("local", "ray"), default="local", help="where translation runs")
    r.add_argument("--per-document", action="store_true", help="translate each document alone (no cross-document batches)")
    r.add_argument("--limit", type=int, default=0, metavar="N",
                   help="only the first N segments of each document (a quick preview of a config); 0 = all")
    r.add_argument("--encoding", default=None, metavar="CODEC",
                   help="force the encoding of text/Markdown/HTML inputs (e.g. gb18030, big5); default: BOM, then "
                        "strict UTF-8, then GB18030, then Big5, else refused")
    r.add_argument("--text-column", default="text", help="text column of a table input")
    r.add_argument("--id-column", default="id", help="id column of a table input")
    r.add_argument("--meta-columns", default="", metavar="COL,...",
                   help="more columns of a table input to keep in each report's metadata (title, publish_date/date "
                        "and source_url/url are kept by default; the title column names a report whose text has none)")
    r.set_defaults(func=cmd_run)


def _add_tools(sub) -> None:
    from .tools import cmd_models, cmd_segment

    s = sub.add_parser("segment", help="show a report's structure (no models): an outline, or JSON with --json")
    s.add_argument("files", metavar="FILE", nargs="+",
                   help=f"a report ({INPUT_FORMATS.split(';')[0]}); with --lint, any number of reports, folders and tables")
    s.add_argument("--lint", action="store_true",
                   help="check each report's structure without labels (title, issuer/date, site chrome, numbering "
                        "gaps, unmarked parts, preamble, long headings): one line per finding, exit 1 when any")
    s.add_argument("--text-column", default="text", help="with --lint: text column of a table input")
    s.add_argument("--id-column", default="id", help="with --lint: id column of a table input")
    s.add_argument("--json", action="store_true", help="print the run JSON schema with en = null")
    s.add_argument("--encoding", default=None, metavar="CODEC", help="force the encoding of a text file")
    s.add_argument("--sentences", action="store_true", help="list the sentences in the outline too")
    _common_output_args(s)
    s.set_defaults(func=cmd_segment)

    m = sub.add_parser("models", help="list, download, convert or build models")
    msub = m.add_subparsers(dest="models_cmd", metavar="ACTION")
    ml = msub.add_parser("list", help="the models a config needs and whether they are here (default action)")
    add_config_args(ml, nested=True)
    add_config_args(m)
    bt = msub.add_parser("build-tiny", help="build the tiny offline test models (random weights)")
    bt.add_argument("--dir", default="models/tiny", help="where to build them (default: models/tiny)")
    bt.add_argument("--seed", type=int, default=0, help="weight seed (default: 0)")
    bt.add_argument("--force", action="store_true", help="rebuild even if present and current")
    bt.add_argument("--tokenizer", default=None, metavar="DIR",
                    help="a real Marian tokenizer folder (source.spm, target.spm, vocab.json; e.g. opus-mt-zh-en's "
                         "without weights) for the tiny translator's vocabulary (default: trained on bundled text)")
    bt.add_argument("--only", action="append", default=None, metavar="NAME",
                    choices=("marian-zh-en", "bart-summarizer", "nllb-zh-en", "m2m100-zh-en"),
                    help="build only this model (repeatable); nllb-zh-en and m2m100-zh-en are built only when named")
    dl = msub.add_parser("download", help="download a hub model, or every model a config needs (needs network)",
                         epilog="examples:\n  python -m pipeline models download Helsinki-NLP/opus-mt-zh-en\n"
                                "  python -m pipeline models download --config fast   # download and convert all")
    dl.add_argument("name", nargs="?", default=None,
                    help="hub id, e.g. Helsinki-NLP/opus-mt-zh-en; without it: every model of --config")
    add_config_args(dl, nested=True)
    dl.add_argument("--revision", default=None, help="hub commit or tag (default: main)")
    dl.add_argument("--dir", default="models", help="where to save it (default: models/)")
    cv = msub.add_parser("convert", help="convert a local model to CTranslate2 (needs .[fast])")
    cv.add_argument("model", nargs="?", default="models/opus-mt-zh-en", help="local folder or cached hub id")
    cv.add_argument("--revision", default=None, help="hub revision of a cached model")
    cv.add_argument("--out", default="models/opus-mt-zh-en-ct2-int8", help="output folder")
    cv.add_argument("--quantization", default="int8", help="CTranslate2 compute type to store (default: int8)",
                    choices=("int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float32",
                             "float16", "bfloat16"))
    cv.add_argument("--force", action="store_true", help="overwrite an existing output folder")
    ca = msub.add_parser(
        "calibrate", help="time the paths backend: auto can take here and keep the fastest (once per machine and model)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  python -m pipeline models calibrate --config fast\n"
               "  python -m pipeline models calibrate --config fast --only translator --force")
    add_config_args(ca, nested=True)
    ca.add_argument("--only", choices=("translator", "summarizer"), default=None,
                    help="time one section (default: both; the summarizer only when abstractive)")
    ca.add_argument("--sentences", type=int, default=20, help="translator sentences timed (default: 20)")
    ca.add_argument("--force", action="store_true", help="time again even when this machine and model have a choice")
    ca.add_argument("--json", action="store_true", help="print the stored entries as JSON")
    m.set_defaults(func=cmd_models)


def _add_pairs(sub) -> None:
    from .pairs import cmd_check, cmd_eval

    pairs_help = "zh/en pairs: TSV/CSV/JSONL with zh/en (or source/target, 中文/英文) columns, or a run JSON"
    c = sub.add_parser("check", help="check numbers and terms of zh/en pairs (no models)")
    c.add_argument("pairs", metavar="PAIRS", help=pairs_help)
    c.add_argument("--glossary", action="append", default=None, metavar="TSV",
                   help="glossary TSV (repeatable) used instead of the shipped configs/glossary/gov-report.tsv")
    c.add_argument("--no-glossary", action="store_true", help="no glossary: term checks off")
    c.add_argument("--out", default=None, help="write the JSON lines here instead of stdout")
    c.add_argument("--report-year", type=int, default=None,
                   help="the report's year, so that 今年/过去一年 match 'this year'/2024 (default: years are matched loosely)")
    c.add_argument("--measure", action="store_true",
                   help="measure the checker on these (reference) pairs: false alarms, detection of injected errors, "
                        "and grounding (copied/joined sentences linked to their rows, sentences from elsewhere flagged)")
    c.add_argument("--seed", type=int, default=0, help="seed of the error injector for --measure (default: 0)")
    c.add_argument("--elsewhere", default=None, metavar="PAIRS",
                   help="--measure: pairs of another report, whose sentences must be flagged unsupported (default: "
                        "each paragraph held out of this report)")
    c.add_argument("--report", default=None, metavar="FILE.md",
                   help="also write a readable Markdown report: the counts, then every flagged pair and its flags")
    c.add_argument("--fail-on-flags", action="store_true", help="exit 1 when any pair is flagged (for CI)")
    _common_output_args(c)
    c.set_defaults(func=cmd_check)

    e = sub.add_parser("eval", help="translate the zh column of a pair file and score it (BLEU, chrF, fidelity)",
                       )
    e.add_argument("pairs_positional", nargs="?", metavar="PAIRS", help=pairs_help)
    e.add_argument("--pairs", default=None, help="the same as PAIRS (kept for older scripts)")
    add_config_args(e)
    _common_output_args(e)
    e.add_argument("--out", default="outputs/eval", help="where eval.md and eval.json go")
    e.add_argument("--limit", type=int, default=0, help="only the first N pairs (0 = all)")
    e.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    e.add_argument("--no-cache", action="store_true", help="do not read or write the translation cache")
    e.add_argument("--cache", default=None, help="translation cache file")
    e.set_defaults(func=cmd_eval)


def _add_verify(sub) -> None:
    from .verify import cmd_verify

    v = sub.add_parser("verify", help="check English text about a report (summary, briefing, article) against it",
                       description="Each English sentence of TEXT is linked to the report's sentences that back it "
                                   "(or flagged unsupported) and its figures and names are checked against them. "
                                   "Exit 0: nothing flagged; 1: something flagged; 2: bad input.")
    v.add_argument("source", metavar="SOURCE",
                   help="the report: a run JSON, or a zh/en pair file (TSV/CSV/JSONL; ids from its id column, "
                        "else row numbers)")
    v.add_argument("text", metavar="TEXT", help="UTF-8 English, plain or Markdown (- for standard input)")
    v.add_argument("--json", action="store_true",
                   help="one JSON object per sentence (sentence, sources, support, supported, flags)")
    v.add_argument("--out", default=None, metavar="FILE", help="write the report (or JSON lines) here, not stdout")
    v.add_argument("--html", default=None, metavar="FILE", help="also write the report as an HTML page")
    v.add_argument("--glossary", action="append", default=None, metavar="TSV",
                   help="glossary TSV (repeatable) instead of the shipped one: its renderings let the Chinese back words")
    v.add_argument("--no-glossary", action="store_true", help="no glossary")
    v.add_argument("--report-year", type=int, default=None,
                   help="the report's year, for 'this year'/'last year' (default: a run JSON's date; else loose)")
    _common_output_args(v)
    v.set_defaults(func=cmd_verify)


def _add_translate(sub) -> None:
    from .translate import cmd_translate

    t = sub.add_parser(
        "translate", help="translate some Chinese text with a config's translator (a quick look; no files)",
        description="Prints the English of each line of TEXT (sentence by sentence, through the translation "
                    "memory and the translator of --config); flags go to stderr.",
        epilog="examples:\n  python -m pipeline translate --config tiny \"全市生产总值增长5.5%。\"\n"
               "  python -m pipeline translate --config tiny - < report.txt\n"
               "  python -m pipeline translate --pairs \"就业保持稳定。\"   # zh<TAB>en<TAB>origin<TAB>flags")
    t.add_argument("text", nargs="+", metavar="TEXT", help='the Chinese text, or "-" to read it from stdin')
    t.add_argument("--pairs", action="store_true", help="one line per sentence: zh, en, origin, flags (tab-separated)")
    add_config_args(t)
    _common_output_args(t)
    t.set_defaults(func=cmd_translate)


def _add_edits(sub) -> None:
    from .edits import cmd_import_edits

    i = sub.add_parser(
        "import-edits", help="bring corrected sentences back from a translation tool (XLIFF or TMX)",
        description="Stores the corrected sentences of EDITED as human translations (a later run never "
                    "replaces them), then redoes that report's summaries, checks and files.",
        epilog="examples:\n  python -m pipeline run report.txt --config tiny --set output.xliff=true --out out/\n"
               "  (correct out/report.xliff in OmegaT, Trados or memoQ)\n"
               "  python -m pipeline import-edits out/report.xliff --out out/")
    i.add_argument("edited", metavar="EDITED", help="the XLIFF (1.2 or 2.x) or TMX file saved by the translation tool")
    i.add_argument("--out", "-o", required=True, help="the output folder of the run that made the report")
    i.add_argument("--report", default=None, metavar="STEM",
                   help="the report's name in OUT (its .json without .json); default: found from EDITED")
    i.add_argument("--cache", default=None, metavar="PATH", help="the run's translation cache, if it used --cache")
    add_config_args(i, default=None)
    _common_output_args(i)
    i.set_defaults(func=cmd_import_edits)


def _add_bench(sub) -> None:
    from .bench import STAGES, cmd_bench

    b = sub.add_parser("bench", help="measure speed and memory (needs the source checkout's benchmarks/)")
    b.add_argument("--stage", choices=STAGES, default="translate", help="which benchmark")
    b.add_argument("--out", default="outputs/bench", help="where the benchmark writes its JSON")
    b.add_argument("--beams", type=int, default=None, help="beams (translate: translator; summarize: summarizer)")
    b.add_argument("--device", choices=("cpu", "cuda", "auto"), default=None, help="pipeline stage: model device")
    b.add_argument("--threads", type=int, default=0, help="0 = all cores")
    b.add_argument("--quick", action="store_true", help="a small subset (smoke test)")
    b.set_defaults(func=cmd_bench)


def build_parser() -> argparse.ArgumentParser:
    prog = "zh-report" if os.path.basename(sys.argv[0]) == "zh-report" else "python -m pipeline"
    p = _Parser(prog=prog, formatter_class=_Formatter, description="Chinese government reports -> aligned bilingual (zh/en) Markdown, JSON "
                                       "and HTML, with English summaries. `COMMAND --help` for each command.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens (INFO level)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    _add_run(sub)
    _add_tools(sub)
    _add_pairs(sub)
    _add_verify(sub)
    _add_translate(sub)
    _add_edits(sub)
    _add_bench(sub)
    p.epilog = "examples:\n  " + "\n  ".join(EXAMPLES["run"][:2] + ["python -m pipeline translate --config tiny \"就业保持稳定。\""])
    for name, parser in sub.choices.items():
        _use_formatter(parser)
        if not parser.epilog and name in EXAMPLES:
            parser.epilog = "examples:\n  " + "\n  ".join(EXAMPLES[name])
    return p


def _use_formatter(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = _Formatter
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _use_formatter(child)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    if not (sys.argv[1:] if argv is None else argv):  # no arguments at all: the help, not an error
        parser.print_help()
        return 0
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help / --version exit 0; usage errors exit 64
        return int(exc.code or 0)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    # pdfminer (under pdfplumber, which only finds ruled tables' cells; the text is pdfium's) warns about
    # every oddity of a PDF it parses: its errors only, its warnings too with -v
    logging.getLogger("pdfminer").setLevel(logging.WARNING if args.verbose else logging.ERROR)
    if args.command == "models" and args.models_cmd is None:
        args.models_cmd = "list"
    if args.command == "eval":
        args.pairs = args.pairs or args.pairs_positional
        if not args.pairs:
            print("error: eval needs PAIRS (a zh/en pair file); see `eval --help`", file=sys.stderr)
            return USAGE_ERROR
    previous = _handle_sigterm()
    try:
        return args.func(args)
    except PipelineError as err:
        # One line: what went wrong and how to fix it.
        print(f"error: {err.line()}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted: finished documents and cached sentences are kept; run again to resume", file=sys.stderr)
        return 130
    except Terminated:
        print("terminated (SIGTERM): finished documents and cached sentences are kept; run again to resume",
              file=sys.stderr)
        return TERMINATED
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except MemoryError:
        print("error: out of memory; process fewer or smaller documents at once (batch_documents)", file=sys.stderr)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


class Terminated(BaseException):
    """SIGTERM (``kill``, a scheduler, ``docker stop``), raised where the program is, as Ctrl-C raises
    KeyboardInterrupt: the same unwinding (locks released, the cache closed), one line, exit 143."""


def _raise_terminated(signum, frame):
    raise Terminated()


def _handle_sigterm():
    """Install the SIGTERM handler for one command; returns the handler to restore (None off the main
    thread, where Python cannot install one)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _raise_terminated)
