"""`rollout why`: the reasons a group is in its month and not earlier name the rule or
capacity that binds in each earlier month, with its numbers, and the check (a solve with
the group forced earlier) says whether it could move and what that would cost."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from optimizer.cli import main
from optimizer.domain import Group
from optimizer.render.export import write_outputs
from optimizer.explain.why import explain_month, why

from conftest import instance, months, solved, where

SS = ("self-service",)


def _plan(inst):
    res = solved(inst)  # checked by the independent checker
    assert res.plan is not None
    return res.plan


def _text(w) -> str:
    return "\n".join(t for _, t in w.lines())


def _pair(a_latest: str | None):
    # 100 users by self-service = 15 tickets; 20 tickets a month: one group a month.
    g = [Group("Alfa", 100, methods=SS, readiness=5, latest=a_latest), Group("Beta", 100, methods=SS, readiness=3)]
    return instance(g, months(20, 20, 20))


def test_capacity_binds_and_the_group_could_move_earlier_at_a_cost():
    inst = _pair(None)
    plan = _plan(inst)
    assert where(solved(inst))["Beta"][0] == "2027-02"
    w = explain_month(inst, plan, "Beta", time_limit=5, workers=2)
    assert [m.months for m in w.earlier] == [["2027-01"]]
    assert w.earlier[0].reasons == [
        "helpdesk has 5 tickets left (15 / 20 used by Alfa, which comes first as it is readier: readiness 5 "
        "against 3), Beta needs 15 tickets by self-service"]
    # Forced earlier: Beta in January, Alfa in February; the plan still ends in February,
    # waiting 100 x 5 x 1 = 500 instead of 100 x 3 x 1 = 300.
    f = w.forced
    assert f.status == "optimal" and f.month == "2027-01" and f.later == [("Alfa", "2027-01", "2027-02")]
    assert f.values["waiting"] - w.values["waiting"] == 200
    text = _text(w)
    assert "Checked: with Beta forced earlier it would enroll in 2027-01 (self-service): the plan would still " \
           "finish in 2027-02, waiting up by 200 (500 instead of 300, +66.7 %); later then: Alfa 2027-01 -> 2027-02." \
           in text


def test_capacity_binds_and_the_group_cannot_move_earlier():
    # The twin: Alfa is due in January, so nothing can give Beta January.
    inst = _pair("2027-01")
    plan = _plan(inst)
    w = explain_month(inst, plan, "Beta", time_limit=5, workers=2)
    assert "helpdesk has 5 tickets left (15 / 20 used by Alfa, which must enroll by then (latest month 2027-01))" \
           in w.earlier[0].reasons[0]
    assert w.forced.status == "infeasible"
    assert "Checked: no plan that keeps every rule has Beta in 2027-01 or earlier" in _text(w)


def test_stage_rule_binds():
    g = [Group("Pilot", 10, wave="pilot", earliest="2027-02"), Group("Prod", 10, readiness=5)]
    inst = instance(g, months(100, 100, 100, 100), stage_gap=1)
    plan = _plan(inst)
    w = explain_month(inst, plan, "Prod", time_limit=5, workers=2)
    assert w.month == "2027-03"
    assert [m.label for m in w.earlier] == ["2027-01 to 2027-02"]
    assert w.earlier[0].reasons == [
        "production opens in 2027-03 (the pilot stage ends in 2027-02, +1 month, stage_gap)"]
    assert w.forced.status == "infeasible"


def test_high_risk_delay_binds():
    g = [Group("Pilot", 10, wave="pilot"), Group("Risky", 10, risk="high")]
    inst = instance(g, months(100, 100, 100, 100), stage_gap=1, risk_delay=1)
    w = why(inst, _plan(inst), "Risky")
    assert w.month == "2027-03"
    assert w.earlier[1].reasons == ["Risky is high-risk: it starts 1 month after production opens (2027-02), so not "
                                    "before 2027-03 (risk_delay)"]


def test_after_binds():
    g = [Group("Finance", 10, earliest="2027-02"), Group("Retail", 10, after=("Finance",), readiness=5)]
    inst = instance(g, months(100, 100, 100, 100))
    plan = _plan(inst)
    w = explain_month(inst, plan, "Retail", time_limit=5, workers=2)
    assert w.month == "2027-03"
    assert [(m.label, m.reasons) for m in w.earlier] == [
        ("2027-01 to 2027-02", ["Retail must come after Finance, which enrolls in 2027-02"])]
    assert w.forced.status == "infeasible"


def test_a_group_in_the_first_month_has_nothing_earlier():
    inst = _pair(None)
    w = explain_month(inst, _plan(inst), "Alfa", time_limit=5, workers=2)
    assert w.forced is None and "2027-01 is the first month of the plan" in _text(w)


def _files(tmp_path: Path, inst, name: str = "Beta"):
    g, c = tmp_path / "g.csv", tmp_path / "c.csv"
    rows = "\n".join(f"{x.name},{x.size},{x.readiness},{';'.join(x.methods)},{x.latest or ''}" for x in inst.groups)
    g.write_text("group,size,readiness,methods,latest\n" + rows + "\n")
    c.write_text("month,helpdesk\n" + "\n".join(f"{m.label},{m.helpdesk}" for m in inst.months) + "\n")
    p = tmp_path / "plan.csv"
    write_outputs(inst, solved(inst), [str(p)])
    return g, c, p


def test_cli_why_is_consistent_with_check(tmp_path: Path):
    inst = _pair(None)
    g, c, p = _files(tmp_path, inst)
    r = CliRunner().invoke(main, ["why", str(g), str(c), str(p), "Beta", "--time-limit", "5", "--workers", "2"])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("Beta enrolls in 2027-02 (self-service).")
    assert "  2027-01:\n   - helpdesk has 5 tickets left" in r.output
    assert "waiting up by 200" in r.output
    # unknown group: exit 2, a one-paragraph error naming the argument
    r = CliRunner().invoke(main, ["why", str(g), str(c), str(p), "Gamma"])
    assert r.exit_code == 2 and "the GROUP argument: 'Gamma' is not a group" in r.output
    assert "Traceback" not in r.output
    # too few files: usage, exit 2
    assert CliRunner().invoke(main, ["why", str(p), "Beta"]).exit_code == 2
    # a plan that breaks a rule: the violations, exit 1
    bad = tmp_path / "bad.csv"
    bad.write_text("group,month,method\nAlfa,2027-01,self-service\nBeta,2027-01,self-service\n")
    r = CliRunner().invoke(main, ["why", str(g), str(c), str(bad), "Beta"])
    assert r.exit_code == 1 and "The plan breaks" in r.output and "Fix the plan first" in r.output


def test_solve_why_prints_the_reasons_after_the_plan(tmp_path: Path):
    g, c, _ = _files(tmp_path, _pair(None))
    r = CliRunner().invoke(main, ["solve", str(g), str(c), "-q", "--time-limit", "5", "--workers", "2",
                                  "--why", "Beta"])
    assert r.exit_code == 0, r.output
    assert "Beta enrolls in 2027-02 (self-service)." in r.output and "waiting up by 200" in r.output
    r = CliRunner().invoke(main, ["solve", str(g), str(c), "-q", "--why", "Gamma"])
    assert r.exit_code == 2 and "--why: 'Gamma' is not a group" in r.output


def test_group_names_are_text(tmp_path: Path):
    name = "[bold]Beta[/bold] [/x]"
    g = [Group("Alfa", 100, methods=SS, readiness=5), Group(name, 100, methods=SS, readiness=3)]
    inst = instance(g, months(20, 20, 20))
    gf, c, p = _files(tmp_path, inst)
    r = CliRunner().invoke(main, ["why", str(gf), str(c), str(p), name, "--time-limit", "5", "--workers", "2"])
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"{name} enrolls in 2027-02")
    assert f"{name} needs 15 tickets by self-service" in " ".join(r.output.split())  # wrapped at 80 columns


def test_solve_why_without_a_plan_says_so(tmp_path: Path):
    g, c = tmp_path / "g.csv", tmp_path / "c.csv"
    g.write_text("group,size,vip\nBoard,10,yes\n")
    c.write_text("month,helpdesk,assisted\n2027-01,100,0\n")
    r = CliRunner().invoke(main, ["solve", str(g), str(c), "-q", "--time-limit", "5", "--why", "Board"])
    assert r.exit_code == 1 and "--why: there is no plan, so no month to explain." in r.output


def test_platform_limit_binds():
    g = [Group("Win", 10, platform="windows", readiness=5), Group("Phones", 10, platform="ios", readiness=3)]
    inst = instance(g, months(100, 100), max_platforms_per_month=1)
    w = explain_month(inst, _plan(inst), "Phones", time_limit=5, workers=2)
    assert w.month == "2027-02"
    assert w.earlier[0].reasons == ["it already has 1 platform (windows) and 1 a month are allowed "
                                    "(max_platforms_per_month); ios would be one more"]
    assert w.forced.month == "2027-01" and w.forced.values["waiting"] > w.values["waiting"]


def test_department_moves_together():
    g = [Group("Pilot", 10, wave="pilot"), Group("Sales A", 10, department="Sales", readiness=5),
         Group("Sales B", 10, department="Sales", earliest="2027-03")]
    inst = instance(g, months(100, 100, 100), keep_departments_together=True)
    w = why(inst, _plan(inst), "Sales A")
    assert w.month == "2027-03"
    first = w.earlier[0].reasons
    assert first[0] == ("Sales A enrolls together with the rest of Sales (Sales B; keep_departments_together), "
                        "so all 2 groups would move")
    assert "Sales B's earliest month is 2027-03" in first


def test_platform_limit_in_swedish():
    from optimizer import i18n

    g = [Group("Win", 10, platform="windows", readiness=5), Group("Phones", 10, platform="ios", readiness=3)]
    inst = instance(g, months(100, 100), max_platforms_per_month=1)
    plan = _plan(inst)
    i18n.set_language("sv")
    w = why(inst, plan, "Phones")
    assert w.earlier[0].reasons == ["den har redan 1 plattform (windows) och 1 per månad är tillåtna "
                                    "(max_platforms_per_month); ios skulle bli en till"]
    assert w.lines()[0] == ("head", "Phones registreras i februari 2027 (självbetjäning).")
