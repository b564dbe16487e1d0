"""Spreadsheets in and out.

Every written workbook is read back independently (openpyxl in read-only mode, and the raw
sheet XML for formulas) and compared with the plan and the model's loads.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from optimizer.checker import check_plan
from optimizer.cli import main
from optimizer.domain import Group
from optimizer.render.export import write_outputs
from optimizer.inputs.loaders import load_instance
from optimizer.solving.solver import SolveOptions, solve
from optimizer.inputs.xlsx_input import load_workbook_instance

from conftest import instance, months, solved

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "example"
INJECTIONS = ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "\tTabbed", "=HYPERLINK(\"http://x\")"]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def rows_of(path: Path, sheet: str) -> list[tuple]:
    wb = load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def formulas_in(path: Path) -> list[str]:
    """Every <f> (formula) element in any worksheet of the file, read from the raw XML."""
    with zipfile.ZipFile(path) as z:
        return [m for name in z.namelist() if name.startswith("xl/worksheets/sheet")
                for m in re.findall(r"<f[ >].*?</f>", z.read(name).decode("utf-8"))]


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    inst = load_instance(EXAMPLE / "groups.csv", EXAMPLE / "capacity.csv", EXAMPLE / "rules.toml", name="example")
    res = solve(inst, SolveOptions(time_limit=10, workers=2))
    assert res.status == "optimal" and check_plan(res.plan) == []
    path = tmp_path_factory.mktemp("xlsx") / "plan.xlsx"
    write_outputs(inst, res, [str(path)])
    return inst, res, path


def test_workbook_has_the_five_sheets(example):
    _, _, path = example
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames == ["Plan", "Assignments", "Capacity", "Summary", "Inputs"]


def test_plan_sheet_cells_match_the_plan(example):
    inst, res, path = example
    rows = rows_of(path, "Plan")
    assert "example" in rows[0][0] and "best possible plan" in rows[0][0]
    header_at = next(i for i, r in enumerate(rows) if r[0] == "Phase")
    header = rows[header_at]
    assert list(header[1:]) == inst.month_labels
    table = {}
    for r in rows[header_at + 1:]:
        if not r[0]:
            break
        table[r[0]] = r[1:]
    assert list(table) == res.plan.phases()
    for g in inst.groups:
        a = res.plan.assignments[g.name]
        cell = table[res.plan.phase(g.name)][a.month]
        assert f"{g.name} ({g.size} users)" in cell.split("\n")
    # The guide's first row: the limited pilot is IT (50 users) in July.
    assert table["Limited pilot"][0] == "IT (50 users)"
    # The method table follows, with sub-rows named as in the guide.
    labels = [r[0] for r in rows if r[0]]
    assert "Plan with enrollment methods" in labels
    assert any(lbl.strip() == "Assisted" for lbl in labels) and any(lbl.strip() == "Self-service" for lbl in labels)


def test_capacity_sheet_matches_the_model_loads(example):
    inst, res, path = example
    rows = rows_of(path, "Capacity")
    header, body = rows[0], [r for r in rows[1:] if r[0] in inst.month_labels]
    loads = res.plan.loads()
    assert len(body) == inst.horizon
    col = {h: i for i, h in enumerate(header)}
    for t, r in enumerate(body):
        assert r[col["Users"]] == loads[t]["users"]
        assert r[col["Helpdesk tickets load"]] == loads[t]["helpdesk"]
        assert r[col["Helpdesk tickets capacity"]] == inst.months[t].helpdesk
        assert r[col["Assisted users load"]] == loads[t]["assisted"]
        assert r[col["Tech-fair users load"]] == loads[t]["tech_fair"]
        if inst.months[t].helpdesk:
            assert r[col["Helpdesk tickets utilisation"]] == pytest.approx(loads[t]["helpdesk"] / inst.months[t].helpdesk)
    wb = load_workbook(path)
    assert wb["Capacity"]._charts, "the Capacity sheet has a chart"
    assert len(wb["Capacity"].conditional_formatting) >= 3


def test_assignments_is_a_filterable_table_with_tickets(example):
    inst, res, path = example
    wb = load_workbook(path)
    ws = wb["Assignments"]
    assert "Assignments" in ws.tables
    rows = rows_of(path, "Assignments")
    header = rows[0]
    got = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    for g in inst.groups:
        a = res.plan.assignments[g.name]
        assert got[g.name]["month"] == inst.months[a.month].label
        assert got[g.name]["method"] == a.method
        assert got[g.name]["tickets"] == inst.rules.tickets(g.size, a.method)
        assert got[g.name]["size"] == g.size


def test_summary_records_solver_and_input_hashes(example):
    import hashlib

    _, res, path = example
    flat = [c for r in rows_of(path, "Summary") for c in r if c is not None]
    assert "optimal" in flat and res.ortools_version in flat
    sha = hashlib.sha256((EXAMPLE / "groups.csv").read_bytes()).hexdigest()
    assert sha in flat


def test_injection_strings_stay_text(tmp_path: Path):
    groups = [Group(name, 10, department=name, location=name) for name in INJECTIONS]
    inst = instance(groups, months(100, 100))
    res = solved(inst)
    path = tmp_path / "p.xlsx"
    write_outputs(inst, res, [str(path), str(tmp_path / "p.csv")])
    assert formulas_in(path) == []
    names = {r[0] for r in rows_of(path, "Assignments")[1:]}
    assert names == set(INJECTIONS)
    flat = {c for r in rows_of(path, "Plan") for c in r if isinstance(c, str)}
    assert all(any(f"{n} (10 users)" in c for c in flat) for n in INJECTIONS)
    # The CSV escapes them with an apostrophe, and `rollout check` reads the original names back.
    text = (tmp_path / "p.csv").read_text(encoding="utf-8-sig")
    assert "'=1+1" in text and "\n=1+1" not in text
    from optimizer.inputs.planfile import read_plan

    assert check_plan(read_plan(inst, tmp_path / "p.csv")) == []
    # The Assignments sheet reads back too (cells are trimmed, as the input contract says,
    # so a name can't start with a tab there).
    trimmed = instance([g for g in groups if not g.name[0].isspace()], months(100, 100))
    res2 = solved(trimmed)
    write_outputs(trimmed, res2, [str(path)])
    assert formulas_in(path) == []
    assert check_plan(read_plan(trimmed, path)) == []


def _example_workbook(path: Path, quirks: bool) -> Path:
    """The example as an input workbook; with quirks: header case, numbers as floats,
    sheet names in other case, Swedish names."""
    import csv

    wb = Workbook()
    ws = wb.active
    ws.title = "GROUPS" if quirks else "Groups"
    for i, r in enumerate(csv.reader(open(EXAMPLE / "groups.csv", encoding="utf-8-sig"))):
        if i == 0 and quirks:
            r = [c.upper() for c in r]
        ws.append([float(c) if quirks and c.isdigit() else c for c in r])
    ws2 = wb.create_sheet("capacity" if quirks else "Capacity")
    for r in csv.reader(open(EXAMPLE / "capacity.csv", encoding="utf-8-sig")):
        ws2.append([float(c) if quirks and c.isdigit() else c for c in r])
    wb.save(path)
    return path


def test_xlsx_input_solves_to_the_same_plan_as_csv(tmp_path: Path):
    csv_out, xlsx_out = tmp_path / "a.csv", tmp_path / "b.csv"
    rules = str(EXAMPLE / "rules.toml")
    assert run("solve", str(EXAMPLE / "groups.csv"), str(EXAMPLE / "capacity.csv"), "--rules", rules,
               "-q", "--out", str(csv_out)).exit_code == 0
    book = _example_workbook(tmp_path / "in.xlsx", quirks=True)
    assert run("solve", str(book), "--rules", rules, "-q", "--out", str(xlsx_out)).exit_code == 0
    assert csv_out.read_text() == xlsx_out.read_text()


def test_rules_sheet_is_read(tmp_path: Path):
    book = _example_workbook(tmp_path / "in.xlsx", quirks=False)
    wb = load_workbook(book)
    ws = wb.create_sheet("Rules")
    for row in (["key", "value"], ["stage_gap", 2], ["vip_assisted", "false"],
                ["objective", "waiting;finish;assisted"], ["tickets_per_100_users.self-service", 10.0]):
        ws.append(row)
    wb.save(book)
    inst = load_workbook_instance(book)
    r = inst.rules
    assert (r.stage_gap, r.vip_assisted, r.objective) == (2, False, ("waiting", "finish", "assisted"))
    assert r.tickets_per_100_users["self-service"] == 10


@pytest.mark.parametrize("encoding, sep, bom", [("utf-8", ",", True), ("cp1252", ";", False), ("utf-8", ";", False)])
def test_csv_as_excel_writes_it_solves_the_same(tmp_path: Path, encoding, sep, bom):
    # Swedish names (cp1252 'ä', 'ö'), header case, ';' separator, BOM.
    groups = "Group,Size,Wave,Readiness\nFörsäljning,100,production,5\nEkonomi & HR,100,production,1\n"
    capacity = "Month,Helpdesk\n2027-01,15\n2027-02,15\n"
    clean_dir, odd_dir = tmp_path / "clean", tmp_path / "odd"
    for d in (clean_dir, odd_dir):
        d.mkdir()
    (clean_dir / "g.csv").write_text(groups, encoding="utf-8")
    (clean_dir / "c.csv").write_text(capacity, encoding="utf-8")
    prefix = "\ufeff" if bom else ""
    (odd_dir / "g.csv").write_bytes((prefix + groups.replace(",", sep).upper().replace("FÖRSÄLJNING", "Försäljning")
                                     .replace("EKONOMI & HR", "Ekonomi & HR").replace("PRODUCTION", "production"))
                                    .encode(encoding))
    (odd_dir / "c.csv").write_bytes((prefix + capacity.replace(",", sep)).encode(encoding))
    a = solved(load_instance(clean_dir / "g.csv", clean_dir / "c.csv"))
    b = solved(load_instance(odd_dir / "g.csv", odd_dir / "c.csv"))
    assert a.plan.rows() == b.plan.rows()
    assert a.plan.assignments["Försäljning"].month == 0  # eager group first


def test_xlsx_input_errors_name_sheet_row_and_column(tmp_path: Path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Groups"
    ws.append(["group", "size"])
    ws.append(["A", 10])
    ws.append(["B", "lots"])
    c = wb.create_sheet("Capacity")
    c.append(["month", "helpdesk"])
    c.append(["2027-01", 100])
    wb.save(tmp_path / "bad.xlsx")
    r = run("solve", str(tmp_path / "bad.xlsx"), "-q")
    assert r.exit_code == 2
    assert "bad.xlsx, sheet Groups, row 3, column 'size'" in r.output and "Traceback" not in r.output
    wb2 = Workbook()
    wb2.active.title = "Other"
    wb2.save(tmp_path / "nosheets.xlsx")
    r = run("solve", str(tmp_path / "nosheets.xlsx"), "-q")
    assert r.exit_code == 2 and "no sheet 'Groups'" in r.output and "Other" in r.output
    (tmp_path / "fake.xlsx").write_text("not a zip")
    r = run("solve", str(tmp_path / "fake.xlsx"), "-q")
    assert r.exit_code == 2 and "not a readable .xlsx" in r.output


def test_check_accepts_an_input_workbook_and_a_plan_workbook(example, tmp_path: Path):
    _, _, plan_xlsx = example
    book = _example_workbook(tmp_path / "in.xlsx", quirks=False)
    r = run("check", str(book), str(plan_xlsx), "--rules", str(EXAMPLE / "rules.toml"))
    assert r.exit_code == 0, r.output
    assert "valid" in r.output


def test_failed_xlsx_export_keeps_the_old_file(tmp_path: Path, monkeypatch):
    out = tmp_path / "p.xlsx"
    out.write_bytes(b"previous good workbook")

    def boom(self, filename):
        Path(filename).write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(Workbook, "save", boom)
    r = run("solve", "-q", "--out", str(out))
    assert r.exit_code == 2 and "disk full" in r.output
    assert out.read_bytes() == b"previous good workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["p.xlsx"]


def test_infeasible_result_still_writes_a_workbook(tmp_path: Path):
    inst = instance([Group("A", 100, methods=("self-service",))], months(10))
    res = solved(inst)
    assert res.status == "infeasible"
    path = tmp_path / "none.xlsx"
    write_outputs(inst, res, [str(path)])
    rows = rows_of(path, "Plan")
    assert "no plan possible" in rows[0][0] and "No plan keeps all the rules" in rows[2][0]


def test_compare_xlsx_has_comparison_and_plan_sheets(tmp_path: Path):
    sc = ROOT / "data" / "scenarios"
    out = tmp_path / "c.xlsx"
    r = run("compare", str(sc / "baseline.toml"), str(sc / "more-helpdesk.toml"), str(sc / "tight-deadline.toml"),
            "-q", "--time-limit", "10", "--out", str(out))
    assert r.exit_code == 1  # one scenario is infeasible
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == ["Comparison", "Plan Baseline", "Plan More helpdesk", "Plan Tight deadline",
                             "Why Tight deadline"]
    rows = rows_of(out, "Comparison")
    kpi = {r[0]: r[1:] for r in rows if r[0]}
    # Columns: baseline, then per scenario its value and its difference from the baseline.
    assert kpi["KPI"] == ("Baseline", "More helpdesk", "vs Baseline", "Tight deadline", "vs Baseline")
    assert kpi["Status"] == ("optimal", "optimal", None, "infeasible", None)
    assert kpi["Finish month"][:3] == ("2027-10", "2027-09", -1)
    assert ("More helpdesk", "Executives", 30, "2027-10 -> 2027-09 (-1 month)", None, None) in rows
    assert any(r[0] == "Tight deadline" and r[1] for r in rows if r[0] == "Tight deadline")
