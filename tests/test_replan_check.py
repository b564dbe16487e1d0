"""The re-plan checker (optimizer/replan_check.py) in words, and `rollout check --actuals --as-of
[--previous]` (optimizer/replan_check_cli.py): exit 0 valid, 1 broken rules, 2 bad input."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from optimizer import rules as R
from optimizer.replan.actuals import ActualRow, Actuals
from optimizer.cli import main
from optimizer.domain import Group
from optimizer.replan.history import build_history
from optimizer.replan.observed_rates import observed_rates
from optimizer.plan import Assignment, Plan
from optimizer.replan.check import check_replan, previous_of, replan_levels

from conftest import instance, months

SELF = ("self-service",)


def _history(inst, as_of, rows, tickets=None):
    return build_history(inst, _actuals(as_of, rows, tickets))


def _actuals(as_of, rows, tickets=None):
    return Actuals("act.csv", as_of, tuple(ActualRow(g, t, u, k, tickets, n + 2) for n, (g, t, u, k) in enumerate(rows)))


def _plan(inst, rows):
    parts: dict = {}
    for g, t, u, k in rows:
        parts.setdefault(g, []).append((t, u, k))
    return Plan(inst, {g: Assignment(g, ps[0][0], ps[-1][2], tuple((t, u) for t, u, _ in ps),
                                     tuple(k for *_, k in ps)) for g, ps in parts.items()})


def test_order_rules_count_actual_and_planned_parts_in_words():
    inst = instance([Group("P", 10, wave="pilot", methods=SELF), Group("E", 10, wave="expanded-pilot", methods=SELF),
                     Group("A", 10, methods=SELF, risk="high"), Group("B", 10, methods=SELF, after=("A",))],
                    months(100, 100, 100, 100, 100), min_part_users=1, max_months=2)
    h = _history(inst, 2, [("P", 1, 5, "self-service")])
    # P's last 5 users in March: E may take March (not before), production opens in April
    # (stage_gap 1), high-risk A in May, B after A: no month left for B in this plan.
    bad = _plan(inst, [("P", 2, 5, "self-service"), ("E", 2, 10, "self-service"), ("A", 3, 10, "self-service"),
                       ("B", 4, 10, "self-service")])
    vs = check_replan(bad, h)
    assert [v.rule for v in vs] == [R.RISK_DELAY]
    assert "high-risk group A enrolls in 2027-04" in vs[0].message
    assert "the last pilot-stage month, actual or planned, is 2027-03" in vs[0].message
    bad = _plan(inst, [("P", 3, 5, "self-service"), ("E", 2, 10, "self-service"), ("A", 4, 10, "self-service"),
                       ("B", 4, 10, "self-service")])
    assert sorted(v.rule for v in check_replan(bad, h)) == [R.AFTER, R.PILOT_FIRST, R.RISK_DELAY]


def test_span_is_counted_over_future_months_and_the_least_part_names_the_users_left():
    inst = instance([Group("A", 100, methods=SELF, max_months=2)], months(100, 100, 100, 100),
                    min_part_users=50)
    h = _history(inst, 2, [("A", 0, 60, "self-service")])  # 40 left: least part 40
    assert check_replan(_plan(inst, [("A", 2, 40, "self-service")]), h) == []
    vs = check_replan(_plan(inst, [("A", 2, 30, "self-service"), ("A", 3, 10, "self-service")]), h)
    assert sorted(v.rule for v in vs) == [R.LEAST_PART, R.LEAST_PART]
    assert "fewer than the least part of 40 users (min_part_users = 50, 40 users left)" in vs[0].message
    h = _history(inst, 1, [("A", 0, 10, "self-service")])  # 90 left: 50 + 40 breaks the least part
    assert [v.rule for v in check_replan(_plan(inst, [("A", 2, 50, "self-service"), ("A", 3, 40, "self-service")]),
                                         h)] == [R.LEAST_PART]
    wide = instance([Group("A", 110, methods=SELF, max_months=2)], months(100, 100, 100, 100), min_part_users=50)
    h = _history(wide, 1, [("A", 0, 10, "self-service")])
    assert check_replan(_plan(wide, [("A", 2, 50, "self-service"), ("A", 3, 50, "self-service")]), h) == []
    vs = check_replan(_plan(wide, [("A", 1, 50, "self-service"), ("A", 3, 50, "self-service")]), h)
    assert [v.rule for v in vs] == [R.MONTHS_PER_GROUP]


def test_capacity_of_future_months_with_observed_rates():
    # Helpdesk 7 tickets a month (January's 100 users are history: not checked). 100 self-service
    # users logged 20 tickets: observed 20 per 100 instead of the planned 15.
    inst = instance([Group("A", 120, methods=SELF), Group("B", 20, methods=SELF)], months(7, 7, 7))
    acts = _actuals(1, [("A", 0, 100, "self-service")], tickets=20)
    h = build_history(inst, acts)
    plan = _plan(inst, [("A", 1, 20, "self-service"), ("B", 1, 20, "self-service")])
    assert check_replan(plan, h) == []  # planned rate 15: 3 + 3 tickets
    used = observed_rates(acts, inst.rules, True)
    vs = check_replan(plan, h, tickets=used.tickets)
    assert [v.rule for v in vs] == [R.HELPDESK]
    assert "2027-02 needs 8 helpdesk tickets but the capacity is 7 (A, B)" in vs[0].message


def test_levels_are_those_of_the_whole_plan_with_changes():
    inst = instance([Group("A", 10, methods=("self-service", "assisted"), max_months=2)],
                    months(100, 100, 100, assisted=100), min_part_users=1)
    h = _history(inst, 1, [("A", 0, 4, "assisted")])
    prev = previous_of(_plan(inst, [("A", 0, 10, "self-service")]))
    vals = replan_levels(_plan(inst, [("A", 2, 6, "self-service")]), h, prev)
    # 6 slipped; waiting 3 x (4 x 0 + 6 x 2); assisted: the 4 actual users; splits: January and March
    assert vals == {"finish": 2, "waiting": 36, "assisted": 4, "splits": 1, "changes": 6}


# --------------------------------------------------------------------------- CLI
def _files(tmp_path: Path):
    def w(name, text):
        (tmp_path / name).write_text(text, encoding="utf-8")
        return tmp_path / name

    g = w("groups.csv", "group,size,wave,methods,max_months\nP,20,pilot,self-service,\n"
                        "A,100,production,self-service,2\n")
    c = w("capacity.csv", "month,helpdesk,assisted,tech_fair\n2027-01,40,0,0\n2027-02,40,0,0\n2027-03,40,0,0\n"
                          "2027-04,40,0,0\n")
    r = w("rules.toml", "min_part_users = 10\n")
    prev = w("prev.csv", "group,month,method,users\nP,2027-01,self-service,20\nA,2027-02,self-service,100\n")
    act = w("act.csv", "group,month,users,method\nP,2027-01,10,self-service\n")
    return g, c, r, prev, act, w


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_cli_check_replan_valid_broken_and_bad_input(tmp_path):
    g, c, r, prev, act, w = _files(tmp_path)
    # P slipped 10 users: they enroll in February, production opens in March.
    good = w("new.csv", "group,month,method,users\nP,2027-01,self-service,10\nP,2027-02,self-service,10\n"
                        "A,2027-03,self-service,100\n")
    res = _run("check", g, c, good, "--rules", r, "--actuals", act, "--as-of", "2027-02", "--previous", prev)
    assert res.exit_code == 0, res.output
    assert "keeps every rule" in res.output and "Users moved from the previous plan: 110." in res.output
    res = _run("check", g, c, good, "--rules", r)  # as a plain plan the pilot's two parts break max_months
    assert res.exit_code == 1
    bad = w("bad.csv", "group,month,method,users\nP,2027-01,self-service,20\nA,2027-02,self-service,100\n")
    res = _run("check", g, c, bad, "--rules", r, "--actuals", act, "--as-of", "2027-02")
    assert res.exit_code == 1
    out = " ".join(res.output.split())
    assert "P enrolls 20 users by self-service in 2027-01, but the actuals say 10 users by self-service " \
           "(history-kept)" in out
    assert "P has 10 users left but no month from 2027-02 on in the plan (one-assignment)" in out
    unknown = w("act2.csv", "group,month,users,method\nNobody,2027-01,10,self-service\n")
    res = _run("check", g, c, good, "--rules", r, "--actuals", unknown, "--as-of", "2027-02")
    assert res.exit_code == 2 and "act2.csv" in res.output and "Traceback" not in res.output
    res = _run("check", g, c, good, "--rules", r, "--actuals", act)
    assert res.exit_code == 2 and "--as-of" in res.output
    res = _run("check", g, c, good, "--rules", r, "--actuals", act, "--as-of", "2030-01")
    assert res.exit_code == 2 and "not a month of the capacity file" in res.output


def test_the_replan_checker_imports_no_solver_or_model_code():
    """Independent on purpose: optimizer.replan.check and every optimizer module it imports at
    module level, in turn, never import the model or the solver (the package's __init__ aside;
    imports inside functions run only when called)."""
    from import_graph import is_solver_code, load_time_imports

    seen = load_time_imports("optimizer.replan.check")
    assert "optimizer.checker" in seen and "optimizer.replan.changes" in seen
    assert not {m for m in seen if is_solver_code(m)}, seen
