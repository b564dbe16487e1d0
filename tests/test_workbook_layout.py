"""How the workbooks look on screen and on paper: row heights that show every line, the
print layout of every sheet, a capacity chart without smoothed lines.

These read the written file back (openpyxl and the raw XML); the LibreOffice rendering
check is in test_workbook_print.py.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from optimizer.checker import check_plan
from optimizer.domain import Group
from optimizer.render.export import write_outputs
from optimizer.inputs.loaders import load_instance
from optimizer.render.sheet_layout import header_text, wrapped_lines
from optimizer.solving.solver import SolveOptions, solve

from conftest import instance, months, solved

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "example"
#: Points a line of 11-point text needs at least (Excel: 15 points a line, LibreOffice about 13).
MIN_LINE_POINTS = 13


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    inst = load_instance(EXAMPLE / "groups.csv", EXAMPLE / "capacity.csv", EXAMPLE / "rules.toml", name="example")
    res = solve(inst, SolveOptions(time_limit=10, workers=2))
    assert res.status == "optimal" and check_plan(res.plan) == []
    path = tmp_path_factory.mktemp("xlsx") / "plan.xlsx"
    write_outputs(inst, res, [str(path)])
    return inst, res, path


def _height(ws, row: int) -> float:
    h = ws.row_dimensions[row].height
    return 15.0 if h is None else h


def test_wrapped_lines_counts_newlines_and_wrapping():
    assert wrapped_lines("IT (50 users)", 20) == 1
    assert wrapped_lines("Retail (1000 users)\nHR (50 users)\nFinance (40 users)", 26) == 3
    # Wrapped at spaces when a line is wider than the column; a long word is broken.
    assert wrapped_lines("Customer service Göteborg windows (223 users)", 20) >= 3
    assert wrapped_lines("a" * 64, 34) == 2
    assert wrapped_lines("Helpdesk tickets utilisation", 14, bold=True) == 3


def test_every_line_of_every_plan_cell_has_room(example):
    """17.2: the 2027-09 cell holds Retail, HR and Finance on three lines; its row must be
    three lines tall (it kept the default height: LibreOffice showed two)."""
    inst, res, path = example
    ws = load_workbook(path)["Plan"]
    seen = False
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and "\n" in cell.value:
                lines = cell.value.count("\n") + 1
                assert _height(ws, cell.row) >= lines * MIN_LINE_POINTS, (cell.coordinate, cell.value)
                seen |= "Finance (40 users)" in cell.value
    assert seen


def test_wrapped_headers_and_long_values_have_room(example):
    _, _, path = example
    wb = load_workbook(path)
    cap = wb["Capacity"]
    # "Helpdesk tickets utilisation" wraps to three lines in its column.
    assert _height(cap, 1) >= 3 * MIN_LINE_POINTS
    summary = wb["Summary"]
    sha_rows = [c.row for r in summary.iter_rows() for c in r if isinstance(c.value, str) and len(c.value) == 64]
    assert sha_rows
    width = summary.column_dimensions["C"].width
    assert width <= 40, "the SHA-256 no longer sets the column's width"
    for r in sha_rows:
        assert summary.cell(row=r, column=3).alignment.wrap_text
        assert _height(summary, r) >= 2 * MIN_LINE_POINTS


def test_every_sheet_prints_one_page_wide_in_landscape_with_titles(example):
    """17.3: landscape, fit to one page wide (as many tall as needed), header rows and the
    first column repeated, a header naming the scenario and status, 'Page x of y'."""
    inst, res, path = example
    wb = load_workbook(path)
    for ws in wb.worksheets:
        ps = ws.page_setup
        assert ps.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (ps.fitToWidth, ps.fitToHeight) == (1, 0), ws.title
        assert "example" in ws.oddHeader.left.text and "best possible plan" in ws.oddHeader.left.text
        assert ws.oddHeader.right.text == "&A"  # the sheet's name
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
        assert ws.print_title_cols.replace("$", "") == "A:A", ws.title
    assert wb["Plan"].print_title_rows.replace("$", "") == "4:4"  # the months
    assert wb["Capacity"].print_title_rows.replace("$", "") == "1:1"
    assert wb["Assignments"].print_title_rows.replace("$", "") == "1:1"


def test_the_page_footer_speaks_the_workbooks_language(example, tmp_path):
    """A Swedish workbook prints "Sida 1 av 6", not "Page 1 of 6"."""
    from optimizer import i18n
    inst, res, _path = example
    i18n.set_language("sv")
    try:
        path = tmp_path / "plan.xlsx"
        write_outputs(inst, res, [str(path)])
    finally:
        i18n.set_language("en")
    assert {ws.oddFooter.center.text for ws in load_workbook(path).worksheets} == {"Sida &P av &N"}


def test_print_header_keeps_user_text_as_text(tmp_path: Path):
    assert header_text("R&D &P") == "R&&D &&P"  # '&' starts a field code: doubled it is a '&'
    # control characters and what XML cannot hold are shown as escapes, as in cells
    assert header_text("a\x07b\nc\ufffe") == "a\\x07b\\x0ac\\ufffe"
    assert len(header_text("x" * 500)) <= 70
    inst = instance([Group("R&D", 10)], months(100))
    inst = type(inst)(inst.groups, inst.months, inst.rules, name="R&D [bold]x[/bold] &P")
    res = solved(inst)
    path = tmp_path / "p.xlsx"
    write_outputs(inst, res, [str(path)])
    head = load_workbook(path)["Plan"].oddHeader.left.text
    assert "R&&D [bold]x[/bold] &&P" in head


def _chart_xml(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/charts/chart")]


def test_capacity_is_drawn_as_a_step_per_month_not_a_smoothed_line(example):
    """17.4: LibreOffice smooths a line series without <c:smooth val="0"/> into a curve that
    overshoots; capacity holds for a whole month, so it is an outlined bar per month."""
    _, _, path = example
    (xml,) = _chart_xml(path)
    for kind in ("lineChart", "scatterChart"):
        for block in re.findall(rf"<{kind}>.*?</{kind}>", xml, flags=re.S):
            for ser in re.findall(r"<ser>.*?</ser>", block, flags=re.S):
                assert '<smooth val="0"' in ser, "a line series that LibreOffice draws smoothed"
    bar = re.search(r"<barChart>.*?</barChart>", xml, flags=re.S).group(0)
    assert '<overlap val="100"' in bar
    series = re.findall(r"<ser>.*?</ser>", bar, flags=re.S)
    assert [re.search(r"<f>'Capacity'!(\w+)</f>", s).group(1) for s in series] == ["D1", "E1"]
    assert "<a:noFill" in series[1] and "<a:noFill" not in series[0]  # capacity: outline only


def test_month_without_capacity_gets_no_utilisation_colour(example):
    _, _, path = example
    ws = load_workbook(path)["Capacity"]
    rules = [r for rng in ws.conditional_formatting for r in rng.rules]
    assert rules and all("ISNUMBER(" in r.formula[0] for r in rules)


# ------------------------------------------------------------------ comparison workbook
@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    from optimizer.compare import compare, run_scenarios, write_comparison

    sc = ROOT / "data" / "scenarios"
    runs = run_scenarios([sc / "baseline.toml", sc / "more-helpdesk.toml", sc / "tight-deadline.toml"],
                         SolveOptions(time_limit=10, workers=2))
    for r in runs:
        if r.found:
            assert check_plan(r.result.plan) == []
    comp = compare(runs)
    path = tmp_path_factory.mktemp("cmp") / "c.xlsx"
    write_comparison(comp, [str(path)])
    return comp, path


def test_comparison_kpis_are_numbers_with_number_formats(comparison):
    """17.5: KPI values and differences were text ('11480 (-60)'): they could not be sorted
    or charted."""
    comp, path = comparison
    ws = load_workbook(path)["Comparison"]
    rows = {r[0].value: r[1:] for r in ws.iter_rows(min_row=4) if r[0].value}
    base, more, vs = (c for c in rows["Users waiting (user-months, weighted by readiness)"][:3])
    assert (base.value, more.value, vs.value) == (comp.value("waiting", "Baseline"),
                                                  comp.value("waiting", "More helpdesk"),
                                                  comp.delta("waiting", "More helpdesk"))
    assert all(isinstance(c.value, int) for c in (base, more, vs))
    assert base.number_format == "#,##0" and "±0" in vs.number_format
    peak = rows["Peak helpdesk utilisation"]
    assert isinstance(peak[0].value, float) and peak[0].number_format == "0%"
    assert peak[2].value == pytest.approx(100 * comp.delta("peak_helpdesk", "More helpdesk"))
    assert "pp" in peak[2].number_format
    assert rows["Finish month"][2].value == -1 and isinstance(rows["Solve time (s)"][0].value, float)
    # No plan: empty cells, never text in a number column.
    assert all(c.value is None for c in rows["Users waiting (user-months, weighted by readiness)"][3:])


def _fits(ws, cell) -> bool:
    from optimizer.render.sheet_layout import _display, column_width, text_width

    w = column_width(ws, cell.column)
    if text_width(_display(cell), bold=bool(cell.font and cell.font.b)) <= w + 0.01:
        return True
    lines = wrapped_lines(_display(cell), w, bold=bool(cell.font and cell.font.b))
    return bool(cell.alignment and cell.alignment.wrap_text) and _height(ws, cell.row) >= lines * MIN_LINE_POINTS


def test_comparison_columns_fit_their_content(comparison):
    """17.5: every cell's text is either as narrow as its column or wraps in a row tall
    enough; the "Why" (merged over the scenario columns) wraps and has room."""
    _, path = comparison
    ws = load_workbook(path)["Comparison"]
    merged = {(m.min_row, m.min_col) for m in ws.merged_cells.ranges}
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            if cell.value is not None and (cell.row, cell.column) not in merged:
                assert _fits(ws, cell), (cell.coordinate, cell.value)
    why = next(c for r in ws.iter_rows() for c in r if isinstance(c.value, str) and c.value.startswith("infeasible:"))
    assert (why.row, why.column) in merged and why.alignment.wrap_text
    span = next(m for m in ws.merged_cells.ranges if (m.min_row, m.min_col) == (why.row, why.column))
    from optimizer.render.sheet_layout import column_width

    width = sum(column_width(ws, c) for c in range(span.min_col, span.max_col + 1))
    assert _height(ws, why.row) >= wrapped_lines(why.value, width) * MIN_LINE_POINTS > MIN_LINE_POINTS


def test_plan_workbook_columns_fit_their_content(example):
    """'Sales and marke', 'Production phas': cut in the Assignments sheet's columns."""
    _, _, path = example
    ws = load_workbook(path)["Assignments"]
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                assert _fits(ws, cell), (cell.coordinate, cell.value)


def test_plan_sheet_of_a_scenario_without_plan_links_the_sheet_that_explains(comparison):
    """17.5: the comparison's plan sheet pointed to an Explanation sheet it lacked."""
    _, path = comparison
    wb = load_workbook(path)
    ws = wb["Plan Tight deadline"]
    texts = [c for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    (link,) = [c for c in texts if "the sheet '" in c.value]
    target = link.value.split("the sheet '")[1].rstrip("'")
    assert target == "Why Tight deadline" and target in wb.sheetnames
    from openpyxl.utils import quote_sheetname

    assert f"{quote_sheetname(target)}!A1" in (link.hyperlink.location, (link.hyperlink.target or "").lstrip("#"))
    why = wb[target]
    assert any(isinstance(c.value, str) and "Sales and marketing" in c.value for r in why.iter_rows() for c in r)


def test_a_crowded_month_continues_on_more_rows(tmp_path: Path):
    """60 groups in one phase and month: Excel cannot make a row taller than 409 points
    (27 lines), so the cell continues on rows '<phase> (continued)' and every group shows."""
    groups = [Group(f"Department {i:02d} site Stockholm windows", 10 + i, wave="production") for i in range(60)]
    inst = instance(groups, months(10_000, 10_000))
    res = solved(inst)
    path = tmp_path / "p.xlsx"
    write_outputs(inst, res, [str(path)])
    ws = load_workbook(path)["Plan"]
    shown = []
    for row in ws.iter_rows():
        for cell in row[1:]:
            if isinstance(cell.value, str) and "users)" in cell.value:
                lines = wrapped_lines(cell.value, ws.column_dimensions[cell.column_letter].width)
                assert lines * 15 <= _height(ws, cell.row) <= 409, (cell.coordinate, lines)
                shown += cell.value.split("\n")
    assert sorted(shown) == sorted(f"{g.name} ({g.size} users)" for g in groups)
    labels = [r[0].value for r in ws.iter_rows() if r[0].value]
    assert "Production phase 1 (continued)" in labels
    assert any(str(x).strip() == "Self-service (continued)" for x in labels)


def test_large_plans_count_groups_on_the_plan_sheet(tmp_path: Path, monkeypatch):
    # From SHEET_NAMES_MAX groups the Plan sheet shows 'N groups (M users)' per phase and month
    # (here lowered to 3): 4 groups of 10..13 users, every one counted once; the names are on
    # the Assignments sheet.
    import optimizer.render.workbook as W

    inst = instance([Group(f"G{i}", 10 + i) for i in range(4)], months(100, 100))
    res = solved(inst)
    monkeypatch.setattr(W, "SHEET_NAMES_MAX", 3)
    out = tmp_path / "big.xlsx"
    W.write_plan_workbook(inst, res, out)
    ws = load_workbook(out)["Plan"]
    cells = [str(c.value) for row in ws.iter_rows(min_row=5) for c in row[1:] if c.value]
    assert cells and all("group" in c and "user" in c for c in cells)
    assert not any(f"G{i}" in c for c in cells for i in range(4))
    counted = sum(int(c.split()[0]) for c in cells)
    users = sum(int(c.split("(")[1].split()[0]) for c in cells)
    assert counted == 4 and users == 10 + 11 + 12 + 13
    assert "Assignments" in str(ws.cell(row=3, column=1).value)
