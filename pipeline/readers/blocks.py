"""Tables found inside documents (HTML ``<table>``, Word tables, PDF rows of cells) -> the one line of
text segmentation keeps as a table block (:func:`pipeline.document.encode_table`)."""

from __future__ import annotations

import re

from pipeline.document import TableCell, encode_table

_FIGURE_CELL = re.compile(r"[-+]?[0-9０-９][0-9０-９.,，．%％‰]*\s*[%％‰]?")


def table_line(rows: list[list[TableCell]]) -> str:
    """The table block of ``rows``; when the source marks no header row, a first row of labels above
    rows holding figures ("指标 | 2023年 | 2024年目标") is taken as the header, with the rows its cells
    span down into when they hold labels too (a merged "指标" over "2022年 | 2023年")."""
    rows = [row for row in rows if row]
    if rows and not any(cell.header for row in rows for cell in row) and len(rows) > 1:
        depth = min(max(cell.rowspan for cell in rows[0]), len(rows) - 1)
        while depth > 1 and any(_FIGURE_CELL.fullmatch(cell.zh.strip()) for row in rows[1:depth] for cell in row):
            depth -= 1
        head_has_figures = any(_FIGURE_CELL.fullmatch(cell.zh.strip()) for row in rows[:depth] for cell in row)
        later_have_figures = any(_FIGURE_CELL.fullmatch(cell.zh.strip()) for row in rows[depth:] for cell in row)
        if later_have_figures and not head_has_figures:
            for row in rows[:depth]:
                for cell in row:
                    cell.header = True
    return encode_table(rows)


# An innermost <table> (one holding no other table); outer layout tables are left to the text cleanup.
_INNER_TABLE = re.compile(r"<table\b[^>]*>(?:(?!<table\b).)*?</table\s*>", re.I | re.S)
MAX_DATA_CELL_CHARS = 300  # a cell longer than this holds running text: a layout table, not data


def html_tables(html: str) -> str:
    """``html`` with each data table (two rows and two columns at least, no metadata labels such as
    索引号 or 发布日期, no cell of running text) replaced by its table block in a ``<p>``; other tables stay
    as they are (the text cleanup turns their rows into ``a | b`` lines, the front matter reads them)."""

    def replace(match: re.Match[str]) -> str:
        rows = _html_rows(match.group(0))
        if rows is None:
            return match.group(0)
        from html import escape

        return "<p>" + escape(table_line(rows), quote=False) + "</p>"

    return _INNER_TABLE.sub(replace, html)


def _html_rows(table_html: str) -> list[list[TableCell]] | None:
    import lxml.html

    from pipeline.segment.frontmatter import _META_KEY_ALONE, _META_KEY_WITH_COLON

    try:
        table = lxml.html.fragment_fromstring(table_html)
    except Exception:  # lxml raises several kinds for broken markup: left to the text cleanup
        return None
    rows: list[list[TableCell]] = []
    for tr in table.iter("tr"):
        in_head = any(parent.tag == "thead" for parent in tr.iterancestors())
        row = []
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            text = " ".join(td.text_content().split())
            if len(text) > MAX_DATA_CELL_CHARS or _META_KEY_WITH_COLON.match(text) or _META_KEY_ALONE.fullmatch(text):
                return None
            row.append(TableCell(text, header=td.tag == "th" or in_head, colspan=_span(td.get("colspan")),
                                 rowspan=_span(td.get("rowspan"))))
        if row:
            rows.append(row)
    if len(rows) < 2 or max(sum(c.colspan for c in row) for row in rows) < 2:
        return None
    if not any(cell.zh for row in rows for cell in row):
        return None
    return rows


def _span(value: str | None) -> int:
    try:
        return min(max(int(str(value).strip()), 1), 100)
    except (TypeError, ValueError):
        return 1
