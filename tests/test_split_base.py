"""Split groups (model v2), the foundation: inputs (max_months, min_part_users, splits), plans
with parts, the v2 plan CSV, the checker's new rules and the outputs of a parts plan.
The semantics are /work/shared/spec/model-v2.md "Split groups" (docs/model.md)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from optimizer import rules as R
from optimizer.checker import check_plan
from optimizer.cli import main
from optimizer.domain import Group, Instance, Month, Rules
from optimizer.errors import InputError
from optimizer.render.export import plan_csv, plan_json, plan_markdown
from optimizer.inputs.loaders import load_instance, parse_rules
from optimizer.plan import Assignment, Plan
from optimizer.inputs.planfile import read_plan
from optimizer.solving.solver import LevelResult, Result, SolveOptions

CAPACITY = "month,helpdesk,assisted,tech_fair\n2027-01,1000,500,0\n2027-02,1000,500,0\n2027-03,1000,500,0\n"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def months(n: int = 3, helpdesk: int = 1000, assisted: int = 500) -> tuple[Month, ...]:
    return tuple(Month(f"2027-{t + 1:02d}", helpdesk=helpdesk, assisted=assisted) for t in range(n))


def result(plan: Plan) -> Result:
    levels = [LevelResult(k, "feasible", v, None, 0.0, "time") for k, v in plan.objective_values().items()]
    return Result("feasible", levels, plan, 0.0, SolveOptions())


def parts_plan(inst: Instance, parts: dict[str, tuple[str, list[tuple[int, int]]]]) -> Plan:
    return Plan(inst, {n: Assignment.from_parts(n, k, ps) for n, (k, ps) in parts.items()})


# ------------------------------------------------------------------ inputs
def test_max_months_column_and_rule_keys(tmp_path: Path):
    g = write(tmp_path / "g.csv", "group,size,max_months\nSales,2000,3\nIT,40,\n")
    c = write(tmp_path / "c.csv", CAPACITY)
    r = write(tmp_path / "r.toml", "max_months = 2\nmin_part_users = 100\n")
    inst = load_instance(g, c, r)
    sales, it = inst.groups
    assert (sales.max_months, it.max_months) == (3, None)
    assert (inst.max_months(sales), inst.max_months(it)) == (3, 2)  # empty = the rules' default
    assert (inst.least_part(sales), inst.least_part(it)) == (100, 40)  # min(min_part_users, size)
    assert inst.may_split and inst.rules.objective == ("finish", "waiting", "assisted", "splits")


def test_default_objective_has_splits_only_where_a_group_may_split():
    assert Rules().objective == ("finish", "waiting", "assisted", "splits")
    v1 = Instance((Group("A", 10),), months())
    assert v1.rules.objective == ("finish", "waiting", "assisted")  # splits is 0: v1 outputs unchanged
    v2 = Instance((Group("A", 10, max_months=2),), months())
    assert v2.rules.objective == ("finish", "waiting", "assisted", "splits")
    ordered = Instance((Group("A", 10, max_months=2),), months(), Rules(objective=("splits", "finish")))
    assert ordered.rules.objective == ("splits", "finish")
    assert parse_rules({"objective": ["finish", "splits"]}).objective == ("finish", "splits")


@pytest.mark.parametrize("groups, rules, fragments", [
    ("group,size,max_months\nA,10,0\n", "", ["g.csv", "row 2", "'max_months'", "got 0"]),
    ("group,size,max_months\nA,10,two\n", "", ["g.csv", "row 2", "'max_months'", "two"]),
    ("group,size,max_months\nA,10,1.5\n", "", ["g.csv", "row 2", "'max_months'", "1.5"]),
    ("group,size\nA,10\n", "max_months = 0\n", ["r.toml", "'max_months'", "between 1 and"]),
    ("group,size\nA,10\n", "min_part_users = -1\n", ["r.toml", "'min_part_users'", "-1"]),
    ("group,size\nA,10\n", "min_part_users = 'many'\n", ["r.toml", "'min_part_users'", "integer"]),
    ("group,size\nA,10\n", "objective = ['finish', 'splitz']\n", ["r.toml", "'objective'", "splitz"]),
])
def test_bad_split_inputs_exit_2_naming_file_row_column(tmp_path: Path, groups, rules, fragments):
    g = write(tmp_path / "g.csv", groups)
    c = write(tmp_path / "c.csv", CAPACITY)
    r = write(tmp_path / "r.toml", rules)
    res = run("solve", str(g), str(c), "--rules", str(r), "-q")
    assert res.exit_code == 2, res.output
    flat = " ".join(res.output.split())
    for f in fragments:
        assert f in flat, (f, res.output)
    assert "Traceback" not in res.output


def test_scenario_sets_max_months_per_group(tmp_path: Path):
    from optimizer.inputs.scenario import load_scenario

    write(tmp_path / "g.csv", "group,size\nSales,2000\nIT,40\n")
    write(tmp_path / "c.csv", CAPACITY)
    s = write(tmp_path / "s.toml", 'capacity = "c.csv"\nmin_part_users = 200\n[groups]\nfile = "g.csv"\n'
                                   '[groups."Sales"]\nmax_months = 2\n')
    inst = load_scenario(s)
    assert [g.max_months for g in inst.groups] == [2, None]
    assert inst.rules.min_part_users == 200 and "splits" in inst.rules.objective
    bad = write(tmp_path / "bad.toml", 'capacity = "c.csv"\n[groups]\nfile = "g.csv"\n[groups."Sales"]\nmax_months = 0\n')
    with pytest.raises(InputError) as err:
        load_scenario(bad)
    assert "max_months" in str(err.value) and "bad.toml" in str(err.value)


def test_input_workbook_carries_max_months(tmp_path: Path):
    from openpyxl import Workbook

    from optimizer.inputs.xlsx_input import load_workbook_instance

    wb = Workbook()
    ws = wb.active
    ws.title = "Groups"
    for row in (["group", "size", "max_months"], ["Sales", 2000, 3], ["IT", 40, None]):
        ws.append(row)
    cap = wb.create_sheet("Capacity")
    for row in (["month", "helpdesk"], ["2027-01", 100], ["2027-02", 100]):
        cap.append(row)
    rules = wb.create_sheet("Rules")
    for row in (["key", "value"], ["min_part_users", 300]):
        rules.append(row)
    wb.save(tmp_path / "in.xlsx")
    inst = load_workbook_instance(tmp_path / "in.xlsx")
    assert [g.max_months for g in inst.groups] == [3, None] and inst.rules.min_part_users == 300


# ------------------------------------------------------------------ plans with parts
def split_instance(**rules) -> Instance:
    groups = (Group("Pilot", 10, wave="pilot", readiness=1),
              Group("Sales and marketing", 2000, max_months=2, readiness=2),
              Group("IT", 40, readiness=3))
    return Instance(groups, months(3, assisted=1500), Rules(**rules))


def test_kpis_of_a_parts_plan_without_the_solver():
    inst = split_instance(stage_gap=1)
    p = parts_plan(inst, {"Pilot": ("self-service", [(0, 10)]),
                          "Sales and marketing": ("assisted", [(1, 1200), (2, 800)]),
                          "IT": ("self-service", [(1, 40)])})
    assert check_plan(p) == []
    # finish = last month with a part; waiting = sum u * readiness * t; assisted = users enrolled assisted
    assert p.objective_values() == {"finish": 2, "waiting": 1200 * 2 * 1 + 800 * 2 * 2 + 40 * 3 * 1,
                                    "assisted": 2000, "splits": 1}
    # tickets rounded up per part: ceil(1200 * 2 / 100) + ceil(40 * 15 / 100) in month 1
    assert [row["helpdesk"] for row in p.loads()] == [2, 24 + 6, 16]
    assert p.assignments["Sales and marketing"].month == 1  # month = first month (v1 API)


def test_v1_plans_keep_their_figures_and_files():
    inst = Instance((Group("A", 10), Group("B", 20)), months(2))
    p = Plan.from_indices(inst, {0: (0, "self-service"), 1: (1, "assisted")})
    assert p.objective_values() == {"finish": 1, "waiting": 3 * 20, "assisted": 20}
    assert plan_csv(result(p)).splitlines()[0] == "group,month,method,size,wave,phase"
    assert "parts" not in json.loads(plan_json(inst, result(p)))["assignments"][0]
    assert "Extra months" not in plan_markdown(inst, result(p))


def test_split_group_in_every_output(tmp_path: Path):
    inst = split_instance()
    p = parts_plan(inst, {"Pilot": ("self-service", [(0, 10)]),
                          "Sales and marketing": ("assisted", [(1, 1200), (2, 800)]),
                          "IT": ("self-service", [(2, 40)])})
    res = result(p)
    rows = list(csv.DictReader(io.StringIO(plan_csv(res))))
    assert list(rows[0]) == ["group", "month", "method", "users", "size", "wave", "phase"]
    assert [(r["group"], r["month"], r["users"], r["phase"]) for r in rows] == [
        ("Pilot", "2027-01", "10", "Limited pilot"),
        ("Sales and marketing", "2027-02", "1200", "Production phase 1"),
        ("Sales and marketing", "2027-03", "800", "Production phase 2"),
        ("IT", "2027-03", "40", "Production phase 2")]
    md = plan_markdown(inst, res)
    assert "Sales and marketing (1200 of 2000 users)" in md and "Sales and marketing (800 of 2000 users)" in md
    assert "IT (40 users)" in md
    assert "| Extra months for split groups | 1 |" in md  # the splits level, where a group may split
    data = json.loads(plan_json(inst, res))
    sales = next(a for a in data["assignments"] if a["group"] == "Sales and marketing")
    assert sales["month"] == "2027-02" and sales["parts"] == [
        {"month": "2027-02", "users": 1200, "phase": "Production phase 1"},
        {"month": "2027-03", "users": 800, "phase": "Production phase 2"}]
    assert data["rules"]["max_months"] == 1 and data["rules"]["min_part_users"] == 50

    from optimizer.render.workbook import write_plan_workbook

    write_plan_workbook(inst, res, tmp_path / "p.xlsx")
    ws = load_workbook(tmp_path / "p.xlsx")["Assignments"]
    head = [c.value for c in ws[1]]
    body = [dict(zip(head, [c.value for c in row])) for row in ws.iter_rows(min_row=2)]
    assert [(b["group"], b["month"], b["users"], b["tickets"]) for b in body] == [
        ("Pilot", "2027-01", 10, 2), ("Sales and marketing", "2027-02", 1200, 24),
        ("Sales and marketing", "2027-03", 800, 16), ("IT", "2027-03", 40, 6)]
    # the workbook reads back as the same plan (rollout check on a plan workbook)
    back = read_plan(inst, tmp_path / "p.xlsx")
    assert back.rows() == p.rows() and check_plan(back) == []


def test_plan_csv_round_trip_and_v1_files(tmp_path: Path):
    inst = split_instance()
    p = parts_plan(inst, {"Pilot": ("self-service", [(0, 10)]),
                          "Sales and marketing": ("assisted", [(1, 1999), (2, 1)]),
                          "IT": ("self-service", [(2, 40)])})
    f = tmp_path / "p.csv"
    f.write_text(plan_csv(result(p)), encoding="utf-8")
    assert read_plan(inst, f).rows() == p.rows()
    v1 = write(tmp_path / "v1.csv", "group,month,method\nPilot,2027-01,self-service\n"
                                   "Sales and marketing,2027-02,self-service\nIT,2027-03,self-service\n")
    q = read_plan(inst, v1)
    assert q.parts("Sales and marketing") == ((1, 2000),) and check_plan(q) == []
    zero = write(tmp_path / "zero.csv", "group,month,method,users\nPilot,2027-01,self-service,10\n"
                                       "Sales and marketing,2027-02,assisted,2000\n"
                                       "Sales and marketing,2027-03,assisted,0\nIT,2027-03,self-service,40\n")
    assert read_plan(inst, zero).parts("Sales and marketing") == ((1, 2000),)  # users 0: no part


@pytest.mark.parametrize("body, fragments", [
    ("Nobody,2027-01,assisted,5\n", ["row 2", "'group'", "Nobody"]),
    ("IT,2027-01,assisted,1.5\n", ["row 2", "'users'", "1.5"]),
    ("IT,2027-01,assisted,-3\n", ["row 2", "'users'", "-3"]),
    ("IT,2027-01,assisted,\n", ["row 2", "'users'"]),
    ("IT,2027-01,assisted,20\nIT,2027-01,assisted,20\n", ["row 3", "'month'", "two rows", "row 2"]),
    ("IT,2027-09,assisted,20\n", ["row 2", "'month'", "2027-09"]),
])
def test_bad_v2_plan_is_exit_2_naming_row_and_column(tmp_path: Path, body, fragments):
    g = write(tmp_path / "g.csv", "group,size,max_months\nIT,40,2\n")
    c = write(tmp_path / "c.csv", CAPACITY)
    plan = write(tmp_path / "plan.csv", "group,month,method,users\n" + body)
    res = run("check", str(g), str(c), str(plan))
    assert res.exit_code == 2, res.output
    flat = " ".join(res.output.split())
    assert "plan.csv" in flat
    for f in fragments:
        assert f in flat, (f, res.output)


def test_check_names_every_broken_split_rule(tmp_path: Path):
    g = write(tmp_path / "g.csv", "group,size,max_months\nSales,2000,2\nIT,40,\n")
    c = write(tmp_path / "c.csv", CAPACITY)
    plan = write(tmp_path / "plan.csv", "group,month,method,users\n"
                 "Sales,2027-01,assisted,1900\nSales,2027-03,self-service,20\nIT,2027-01,self-service,40\n")
    res = run("check", str(g), str(c), str(plan))
    assert res.exit_code == 1
    flat = " ".join(res.output.split())
    for rule in (R.PARTS_SUM, R.MONTHS_PER_GROUP, R.LEAST_PART, R.ONE_METHOD):
        assert rule in flat, (rule, res.output)
    assert "add up to 1920 users, but the group has 2000" in flat
    assert "Sales uses assisted and self-service" in flat


# ------------------------------------------------------------------ the checker, rule by rule
def _rules_broken(inst: Instance, parts) -> set[str]:
    return {v.rule for v in check_plan(parts_plan(inst, parts))}


def test_checker_parts_sum_and_whole_users():
    inst = Instance((Group("A", 100, max_months=2),), months(2), Rules(min_part_users=10))
    assert _rules_broken(inst, {"A": ("self-service", [(0, 60), (1, 40)])}) == set()
    assert _rules_broken(inst, {"A": ("self-service", [(0, 60), (1, 39)])}) == {R.PARTS_SUM}
    assert _rules_broken(inst, {"A": ("self-service", [(0, 60.5), (1, 39.5)])}) == {R.WHOLE_USERS}


def test_checker_span_with_a_hole():
    inst = Instance((Group("A", 100, max_months=3, blackout=("2027-02",)),), months(4), Rules(min_part_users=10))
    assert _rules_broken(inst, {"A": ("self-service", [(0, 60), (2, 40)])}) == set()  # hole: a blackout
    assert _rules_broken(inst, {"A": ("self-service", [(0, 60), (3, 40)])}) == {R.MONTHS_PER_GROUP}
    assert _rules_broken(inst, {"A": ("self-service", [(0, 60), (1, 40)])}) == {R.BLACKOUT}


def test_checker_least_part_is_min_of_rule_and_size():
    inst = Instance((Group("A", 100, max_months=2), Group("B", 30, max_months=2)), months(2),
                    Rules(min_part_users=50))
    assert _rules_broken(inst, {"A": ("self-service", [(0, 50), (1, 50)]), "B": ("self-service", [(0, 30)])}) == set()
    assert _rules_broken(inst, {"A": ("self-service", [(0, 51), (1, 49)]), "B": ("self-service", [(0, 30)])}) \
        == {R.LEAST_PART}


def test_checker_ticket_rounding_per_part():
    # 20 self-service users (15 per 100): whole 3 tickets; in parts of 10 each part rounds up: 2 + 2
    def inst(h0, h1):
        return Instance((Group("A", 20, max_months=2),), (Month("2027-01", helpdesk=h0), Month("2027-02", helpdesk=h1)),
                        Rules(min_part_users=1))
    split = {"A": ("self-service", [(0, 10), (1, 10)])}
    assert [m["helpdesk"] for m in parts_plan(inst(2, 2), split).loads()] == [2, 2]
    assert _rules_broken(inst(2, 2), split) == set()
    assert _rules_broken(inst(2, 1), split) == {R.HELPDESK}  # ceil(1.5) = 2 > 1 in February
    assert _rules_broken(inst(3, 0), {"A": ("self-service", [(0, 20)])}) == set()  # whole: ceil(3.0) = 3


def test_checker_one_method_from_a_plan_file():
    inst = Instance((Group("A", 100, max_months=2),), months(2), Rules(min_part_users=10))
    a = Assignment.from_parts("A", "self-service", [(0, 60), (1, 40)])
    import dataclasses

    two = dataclasses.replace(a, part_methods=("self-service", "assisted"))
    assert {v.rule for v in check_plan(Plan(inst, {"A": two}))} == {R.ONE_METHOD}


def test_checker_stage_order_by_first_and_last_month():
    groups = (Group("P", 100, wave="pilot", max_months=3), Group("E", 10, wave="expanded-pilot"),
              Group("Prod", 10))
    inst = Instance(groups, months(4), Rules(min_part_users=10, stage_gap=1))
    ok = {"P": ("self-service", [(0, 50), (1, 50)]), "E": ("self-service", [(1, 10)]),
          "Prod": ("self-service", [(2, 10)])}
    assert _rules_broken(inst, ok) == set()  # last pilot (1) <= first expanded (1); O = 1 + 1
    late = dict(ok, P=("self-service", [(0, 50), (2, 50)]))
    assert _rules_broken(inst, late) == {R.PILOT_FIRST, R.PRODUCTION_OPENS}  # O = 2 + 1 = 3 > 2


def test_checker_after_by_last_and_first_month():
    groups = (Group("H", 100, max_months=3), Group("G", 100, max_months=2, after=("H",)))
    inst = Instance(groups, months(4), Rules(min_part_users=10))
    assert _rules_broken(inst, {"H": ("self-service", [(0, 50), (1, 50)]),
                                "G": ("self-service", [(2, 50), (3, 50)])}) == set()
    assert _rules_broken(inst, {"H": ("self-service", [(0, 50), (2, 50)]),
                                "G": ("self-service", [(2, 50), (3, 50)])}) == {R.AFTER}


def test_checker_platforms_count_every_month_with_a_part():
    groups = (Group("W", 100, platform="windows", max_months=2), Group("I", 10, platform="ios"))
    inst = Instance(groups, months(2), Rules(min_part_users=10, max_platforms_per_month=1))
    assert _rules_broken(inst, {"W": ("self-service", [(0, 100)]), "I": ("self-service", [(1, 10)])}) == set()
    assert _rules_broken(inst, {"W": ("self-service", [(0, 50), (1, 50)]),
                                "I": ("self-service", [(1, 10)])}) == {R.MAX_PLATFORMS}


def test_checker_departments_together_by_first_month_only():
    groups = (Group("A", 100, department="D", max_months=2), Group("B", 10, department="D"))
    inst = Instance(groups, months(2), Rules(min_part_users=10, keep_departments_together=True))
    assert _rules_broken(inst, {"A": ("self-service", [(0, 50), (1, 50)]), "B": ("self-service", [(0, 10)])}) == set()
    assert _rules_broken(inst, {"A": ("self-service", [(0, 50), (1, 50)]), "B": ("self-service", [(1, 10)])}) \
        == {R.DEPARTMENTS_TOGETHER}


def test_every_rule_name_is_described():
    names = [v for k, v in vars(R).items() if k.isupper() and isinstance(v, str)]
    assert set(names) <= set(R.DESCRIPTIONS)



def test_v2_plan_csv_escapes_names_and_reads_them_back(tmp_path: Path):
    inst = Instance((Group("=SUM(A1)", 100, max_months=2), Group("-x", 10)),
                    tuple(Month(f"2027-0{t}", helpdesk=100) for t in (1, 2)), Rules(min_part_users=10))
    p = Plan(inst, {"=SUM(A1)": Assignment.from_parts("=SUM(A1)", "self-service", [(0, 60), (1, 40)]),
                    "-x": Assignment("-x", 0, "self-service")})
    text = plan_csv(result(p))
    assert text.splitlines()[1].startswith("'=SUM(A1),2027-01,self-service,60,100,")
    (tmp_path / "p.csv").write_text(text, encoding="utf-8-sig")
    back = read_plan(inst, tmp_path / "p.csv")
    assert back.rows() == p.rows() and check_plan(back) == []


def test_the_checker_and_plans_do_not_import_the_solver():
    """The checker stays independent of the solver: no module it imports at load time, directly
    or through other optimizer modules, is solver code (the package's __init__ and the lazy
    imports of conveniences such as Plan.to_frame aside)."""
    from import_graph import is_solver_code, load_time_imports

    seen = load_time_imports("optimizer.checker", "optimizer.plan", "optimizer.inputs.planfile")
    assert "optimizer.domain" in seen and "optimizer.rules" in seen  # the walk does follow imports
    assert not {m for m in seen if is_solver_code(m)}, seen
