"""The re-plan's inputs read in one step (optimizer.replan.inputs), from CSV files and from one
input workbook that holds Groups, Capacity and Actuals."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from openpyxl import Workbook

from optimizer.replan.changes import changes_level
from optimizer.errors import InputError
from optimizer.inputs.loaders import load_instance
from optimizer.replan.inputs import load_replan_inputs
from optimizer.inputs.xlsx_input import load_workbook_instance

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example"
PLAN = ("group,month,method\nIT,2027-07,self-service\nIT (expanded),2027-08,self-service\n"
        "IT managers,2027-08,assisted\nSales and marketing,2027-10,self-service\nRetail,2027-09,self-service\n"
        "HR,2027-10,self-service\nFinance,2027-10,assisted\nExecutives,2027-10,assisted\n")
ACTUALS = ("group,month,users,method,tickets\nIT,2027-07,50,self-service,9\n"
           "IT (expanded),2027-08,120,self-service,20\nIT managers,2027-08,10,tech-fair,\n")


def _check(r):
    h = r.history
    assert r.as_of == 2 == h.as_of
    assert dict(h.remaining)["IT (expanded)"] == 80 and h.done == {"IT", "IT managers"}
    assert h.least_part["IT (expanded)"] == 50 and h.least_part["Retail"] == 50
    ss = r.rates.rate("self-service")
    assert (ss.users, ss.tickets, ss.observed, ss.used) == (170, 29, Fraction(290, 17), True)
    assert r.rates.tickets(170, "self-service") == 29 and r.rates.tickets(100, "assisted") == 2
    assert r.previous.users["IT (expanded)", 1] == 200 and r.previous.methods["Finance"] == "assisted"
    # keeping the rest of the previous plan: the 80 users of IT (expanded) that slipped are the only change
    new = {k: u for k, u in r.previous.users.items() if k[1] >= r.as_of} | {("IT (expanded)", 2): 80}
    assert changes_level(r.previous.users, new, r.actuals.users_by_group(), r.as_of) == 80


def test_from_csv_files(tmp_path):
    inst = load_instance(EXAMPLE / "groups.csv", EXAMPLE / "capacity.csv", EXAMPLE / "rules.toml")
    (tmp_path / "plan.csv").write_text(PLAN)
    (tmp_path / "actuals.csv").write_text(ACTUALS)
    _check(load_replan_inputs(inst, tmp_path / "plan.csv", tmp_path / "actuals.csv", "september 2027",
                              use_observed_rates=True))


def test_from_one_input_workbook(tmp_path):
    wb = Workbook()
    wb.remove(wb.active)
    for name, src in [("Groups", (EXAMPLE / "groups.csv").read_text()), ("Capacity", (EXAMPLE / "capacity.csv").read_text()),
                      ("Actuals", ACTUALS)]:
        ws = wb.create_sheet(name)
        for line in src.strip().splitlines():
            ws.append([int(c) if c.isdigit() else c for c in line.split(",")])
    book = tmp_path / "inputs.xlsx"
    wb.save(book)
    inst = load_workbook_instance(book)
    (tmp_path / "plan.csv").write_text(PLAN)
    _check(load_replan_inputs(inst, tmp_path / "plan.csv", book, "2027-09", use_observed_rates=True))


def test_errors_in_the_previous_plan_name_its_file(tmp_path):
    inst = load_instance(EXAMPLE / "groups.csv", EXAMPLE / "capacity.csv")
    (tmp_path / "plan.csv").write_text(PLAN + "Nobody,2027-10,assisted\n")
    (tmp_path / "actuals.csv").write_text(ACTUALS)
    with pytest.raises(InputError) as err:
        load_replan_inputs(inst, tmp_path / "plan.csv", tmp_path / "actuals.csv", "2027-09")
    assert str(err.value).startswith(f"{tmp_path / 'plan.csv'}, row 10, column 'group': 'Nobody'")


def test_previous_plan_written_by_rollout_csv_and_workbook(tmp_path, solve_checked):
    from optimizer.render.export import write_outputs
    from optimizer.replan.previous_plan import read_previous_plan

    inst = load_instance(EXAMPLE / "groups.csv", EXAMPLE / "capacity.csv", EXAMPLE / "rules.toml")
    res = solve_checked(inst, time_limit=10)
    write_outputs(inst, res, [tmp_path / "plan.csv", tmp_path / "plan.xlsx"], csv_sep=";")
    expected = {(a.group, a.month): inst.group(a.group).size for a in res.plan.assignments.values()}
    for name in ("plan.csv", "plan.xlsx"):
        prev = read_previous_plan(inst, tmp_path / name)
        assert dict(prev.users) == expected
        assert dict(prev.methods) == {a.group: a.method for a in res.plan.assignments.values()}
    # actuals exactly as planned before 2027-09: keeping the plan from then on changes nothing
    labels = inst.month_labels
    done = [(a.group, labels[a.month], inst.group(a.group).size, a.method) for a in res.plan.assignments.values()
            if a.month < 2]
    (tmp_path / "actuals.csv").write_text("group;month;users;method\n" + "".join(
        f"{g};{m};{u};{k}\n" for g, m, u, k in done))
    r = load_replan_inputs(inst, tmp_path / "plan.xlsx", tmp_path / "actuals.csv", "2027-09")
    assert r.history.done == {g for g, *_ in done}
    keep = {k: u for k, u in r.previous.users.items() if k[1] >= 2}
    assert changes_level(r.previous.users, keep, r.actuals.users_by_group(), r.as_of) == 0
    from optimizer.replan.changes import what_changed

    assert what_changed(inst, r.previous, keep, dict(r.previous.methods), r.history) == []
