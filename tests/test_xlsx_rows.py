"""Large workbooks write the data rows of Assignments and Inputs as sheet XML directly
(optimizer.render.xlsx_rows): the workbook reads back cell for cell as the one openpyxl writes alone,
including hostile names, and is linear in the groups."""

from __future__ import annotations

import zipfile

from openpyxl import load_workbook

import optimizer.render.workbook as W
from optimizer.domain import Group, Instance, Month
from optimizer.plan import Plan
from optimizer.solving.solver import LevelResult, Result, SolveOptions
from optimizer.render.xlsx_rows import _cell


def _case(names):
    groups = [Group("pilot", 3, wave="pilot")] + [
        Group(n, 5 + i, department="Sales" if i % 2 else "", location=" padded " if i == 1 else "HQ",
              after=("pilot",) if i % 3 == 0 else ()) for i, n in enumerate(names)]
    months = tuple(Month(f"2027-{t + 1:02d}", helpdesk=500, assisted=100, tech_fair=100) for t in range(6))
    inst = Instance(tuple(groups), months, name="rows")
    plan = {0: (0, "self-service")} | {i: (2 + i % 4, "assisted" if i % 2 else "self-service")
                                       for i in range(1, len(groups))}
    p = Plan.from_indices(inst, plan)
    levels = [LevelResult(k, "feasible", v, None, 0.0, "deterministic time") for k, v in p.objective_values().items()]
    return inst, Result("feasible", levels, p, 0.0, SolveOptions())


def _values(path):
    wb = load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}, wb


def test_fast_rows_read_back_as_openpyxl_writes_them(tmp_path, monkeypatch):
    names = ["A & B <x>", "=1+1", "ctl\x01", "\ufffe", "'quoted", "Łódź  ", "  lead", "plain", "[bold]x[/bold]", "tab\tin"]
    inst, res = _case(names)
    slow, fast = tmp_path / "slow.xlsx", tmp_path / "fast.xlsx"
    W.write_plan_workbook(inst, res, slow)
    monkeypatch.setattr(W, "FAST_ROWS_FROM", 1)
    W.write_plan_workbook(inst, res, fast)
    a, _ = _values(slow)
    b, wb = _values(fast)
    summary = "Summary"  # holds the time of the run
    assert {k: v for k, v in a.items() if k != summary} == {k: v for k, v in b.items() if k != summary}
    assert wb["Assignments"].tables["Assignments"].ref == f"A1:R{len(inst.groups) + 1}"
    assert wb["Assignments"].freeze_panes == "B2"
    # the used range covers the rows (readers that trust it, like openpyxl's read-only mode)
    ro = load_workbook(fast, read_only=True)
    assert ro["Assignments"].max_row == len(inst.groups) + 1
    assert ro["Inputs"].max_row == load_workbook(slow, read_only=True)["Inputs"].max_row
    with zipfile.ZipFile(fast) as z:  # the data rows really went the fast way
        assert 't="inlineStr"' in z.read("xl/worksheets/sheet2.xml").decode()


def test_fast_rows_make_text_safe_as_put_does():
    # what XML cannot hold is shown as an escape, as workbook.put writes it (optimizer.render.safetext.cell_text)
    assert _cell("A1", "bad\x01name") == '<c r="A1" t="inlineStr"><is><t>bad\\x01name</t></is></c>'
    assert "…" in _cell("A1", "x" * 40000)
    assert _cell("A1", "") == "" and _cell("B2", None) == ""
    assert _cell("C3", 7) == '<c r="C3"><v>7</v></c>'
