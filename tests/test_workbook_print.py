"""The check that sees what the planner sees: workbooks printed by LibreOffice.

The example's plan workbook and a 40-group x 12-month one are converted to PDF with
headless LibreOffice (scripts/lo_render.py), and the PDF's text must show every group
"Name (N users)" on the Plan sheet's pages (a row too short hides the lines below its
first), every month on every Plan page (one page wide), and no error value; the whole
40-group workbook prints on at most 12 pages.

Marked slow (about 25-35 s on a loaded 2-core machine: one LibreOffice start for three
workbooks, a 5 s 40-group solve and the scenario solves); runs in the
normal test command when LibreOffice and poppler-utils are installed and is skipped with
the reason otherwise.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from optimizer.checker import check_plan
from optimizer.render.export import write_outputs
from optimizer.inputs.loaders import load_instance
from optimizer.solving.solver import SolveOptions, solve

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import lo_render  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(lo_render.missing_tools()),
                       reason="needs " + ", ".join(lo_render.missing_tools())
                       + " (apt-get install libreoffice-calc-nogui poppler-utils)"),
]

#: What a cell shows when a formula or a format fails: LibreOffice's and Excel's error values,
#: and '###' (a number wider than its column).
ERRORS = re.compile(r"#VALUE!|#REF!|#NAME\?|#DIV/0!|#N/A|#NUM!|#NULL!|Err:\d+|###")
MAX_PAGES_40 = 12


def _solved(inst):
    # Any checked plan will do: what is tested is how it prints, not how good it is.
    res = solve(inst, SolveOptions(time_limit=5, workers=2))
    assert res.plan is not None and check_plan(res.plan) == []
    return res


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """{name: (inst, result, [page texts])} for the example and a 40 x 12 instance."""
    from optimizer.samples import generate

    tmp = tmp_path_factory.mktemp("print")
    ex = ROOT / "data" / "example"
    cases = {
        "example": load_instance(ex / "groups.csv", ex / "capacity.csv", ex / "rules.toml", name="example"),
        "g40x12": generate(40, 12, seed=1),
    }
    solved = {}
    for name, inst in cases.items():
        res = _solved(inst)
        write_outputs(inst, res, [str(tmp / f"{name}.xlsx")])
        solved[name] = (inst, res)
    # The comparison workbook of the README's scenarios (one without a plan: its "Why").
    from optimizer.compare import compare, run_scenarios, write_comparison

    sc = ROOT / "data" / "scenarios"
    runs = run_scenarios([sc / "baseline.toml", sc / "more-helpdesk.toml", sc / "tight-deadline.toml"],
                         SolveOptions(time_limit=10, workers=2))
    assert all(check_plan(r.result.plan) == [] for r in runs if r.found)
    comp = compare(runs)
    write_comparison(comp, [str(tmp / "comparison.xlsx")])
    solved["comparison"] = (comp, None)
    names = [*cases, "comparison"]
    pdfs = lo_render.to_pdf([tmp / f"{n}.xlsx" for n in names], tmp / "pdf")
    return {n: (*solved[n], lo_render.page_texts(pdf)) for n, pdf in zip(names, pdfs)}


def _flat(text: str) -> str:
    return " ".join(text.split())


def _pages_of(pages: list[str], sheet: str) -> list[str]:
    """The pages of ``sheet`` (named by the print header); all pages when no page has a
    print header (so a workbook without one still fails for what it hides)."""
    if not any(re.search(r"Page \d+ of \d+", p) for p in pages):
        return pages
    return [p for p in pages if lo_render.shows_sheet(p, sheet)]


@pytest.mark.parametrize("case", ["example", "g40x12"])
def test_every_group_shows_on_the_printed_plan_sheet(printed, case):
    inst, res, pages = printed[case]
    plan_pages = _pages_of(pages, "Plan")
    assert plan_pages, "no page of the Plan sheet"
    text = _flat(" ".join(plan_pages))
    missing = [g.name for g in inst.groups if f"{g.name} ({g.size} users)" not in text]
    assert not missing, f"{len(missing)} of {len(inst.groups)} groups hidden on the Plan sheet: {missing}"
    # ... and in the table with methods, each group twice (its phase row and its method row).
    for g in inst.groups:
        assert len(re.findall(rf"(?<![\w']){re.escape(g.name)}(?![\w'])", text)) >= 3, g.name


@pytest.mark.parametrize("case", ["example", "g40x12"])
def test_plan_sheet_prints_one_page_wide(printed, case):
    """Each Plan page repeats the month header: one page wide, every page has every month."""
    inst, _, pages = printed[case]
    plan_pages = _pages_of(pages, "Plan")
    for i, page in enumerate(plan_pages):
        months = [m for m in inst.month_labels if m not in page]
        assert not months, f"Plan page {i + 1} of {len(plan_pages)} lacks {months}: the sheet is wider than a page"


@pytest.mark.parametrize("case", ["example", "g40x12"])
def test_no_cell_shows_an_error_and_headers_show_whole(printed, case):
    _, _, pages = printed[case]
    for i, page in enumerate(pages):
        bad = ERRORS.findall(page)
        assert not bad, f"page {i + 1} shows {bad}"
    capacity = _flat(" ".join(_pages_of(pages, "Capacity")))
    for res in ("Helpdesk tickets", "Assisted users", "Tech-fair users"):
        assert f"{res} utilisation" in capacity
    assert all(re.search(r"Page \d+ of \d+", p) for p in pages), "a page without 'Page x of y'"
    for sheet in ("Plan", "Assignments", "Capacity", "Summary", "Inputs"):
        assert any(lo_render.shows_sheet(p, sheet) for p in pages), f"no page of the {sheet} sheet"


def test_comparison_prints_whole(printed):
    """The comparison workbook: the 'Why' of the scenario without a plan shows in full on the
    Comparison sheet, and the KPIs show as formatted numbers."""
    comp, _, pages = printed["comparison"]
    for i, page in enumerate(pages):
        assert not ERRORS.findall(page), f"page {i + 1} shows {ERRORS.findall(page)}"
    text = _flat(" ".join(_pages_of(pages, "Comparison")))
    (failed,) = [r for r in comp.runs if not r.found]
    assert _flat(failed.reason) in text
    waiting = comp.kpi("waiting")
    assert f"{waiting.values[0]:,}" in text and f"{waiting.deltas[1]:+,}" in text
    assert any(lo_render.shows_sheet(p, f"Why {failed.name}") for p in pages)


def test_forty_groups_print_on_at_most_twelve_pages(printed):
    _, _, pages = printed["g40x12"]
    assert len(pages) <= MAX_PAGES_40, f"{len(pages)} pages"
