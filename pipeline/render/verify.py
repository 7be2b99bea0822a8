"""``verify --html``: a :mod:`pipeline.fidelity.verify` report in the reader's style (its CSS and flag lines)."""

from __future__ import annotations

from ..document import Segment
from .flags import flag_lines
from .html import asset, environment


def render_verify_html(verdicts, segments: list[Segment], *, source: str, text: str, summary_line: str) -> str:
    """One self-contained page: each sentence, its support and flags, its sources' Chinese and English."""
    by_id = {s.id: s for s in segments}
    views = []
    for v in verdicts:
        shown = [(sid, False) for sid in v.sources] or [(sid, True) for sid in v.candidates[:1]]
        views.append({
            "sentence": v.sentence, "support": f"{v.support:.0%}", "cited": ", ".join(v.sources) or "none",
            "flags": flag_lines(v.flags),
            "pairs": [{"id": sid, "zh": by_id[sid].zh, "en": by_id[sid].en or "(not translated)", "candidate": cand}
                      for sid, cand in shown if sid in by_id],
        })
    return environment().get_template("verify.html.j2").render(
        verdicts=views, text_name=text, source_name=source, summary_line=summary_line,
        flagged=any(v.flags for v in verdicts), css=asset("base.css") + asset("reader.css"))
