"""Scenario files: every override kind changes the solved model as expected (twin pairs),
inheritance chains, and every mistake is an InputError naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from optimizer.checker import check_plan
from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.inputs.scenario import OVERRIDE_COLUMNS, SCENARIO_KEYS, load_scenario
from optimizer.solving.solver import SolveOptions, solve

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "data" / "scenarios"
OPTS = SolveOptions(time_limit=10, workers=2)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """Two production groups of 100 users (15 self-service tickets each), three months of
    20 helpdesk tickets: they cannot share a month, so the eager A goes first, B second."""
    d = tmp_path / "data"
    d.mkdir()
    write(d / "groups.csv", "group,size,readiness,platform\nA,100,5,ios\nB,100,1,android\nC,10,3,ios\n")
    write(d / "capacity.csv", "month,helpdesk,assisted,tech_fair\n2027-01,20,0,0\n2027-02,20,0,0\n2027-03,20,0,0\n")
    return tmp_path


def scenario(root: Path, name: str, body: str, *, paths: bool = True) -> Path:
    head = 'groups = "data/groups.csv"\ncapacity = "data/capacity.csv"\n' if paths else ""
    return write(root / f"{name}.toml", head + body)


def over(root: Path, name: str, tables: str, top: str = "") -> Path:
    """A scenario with per-group overrides: the groups path goes in [groups] file."""
    return write(root / f"{name}.toml",
                 top + 'capacity = "data/capacity.csv"\n[groups]\nfile = "data/groups.csv"\n' + tables)


def plan_of(path: Path, **kw) -> dict[str, tuple[str, str]]:
    inst = load_scenario(path, **kw)
    res = solve(inst, OPTS)
    assert res.found, res.status
    assert check_plan(res.plan) == []
    return {g: (res.plan.month_label(g), a.method) for g, a in res.plan.assignments.items()}


def months(plan: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {g: m for g, (m, _) in plan.items()}


def test_plain_scenario_is_the_csv_instance(data: Path):
    p = scenario(data, "base", 'name = "Base"\n')
    inst = load_scenario(p)
    assert inst.name == "Base"
    assert [g.name for g in inst.groups] == ["A", "B", "C"]
    assert inst.sources["scenario"] == str(p)
    assert months(plan_of(p)) == {"A": "2027-01", "B": "2027-02", "C": "2027-01"}


def test_name_defaults_to_file_stem(data: Path):
    assert load_scenario(scenario(data, "my-what-if", "")).name == "my-what-if"


# ------------------------------------------------------------ twin pairs
def test_capacity_scale_rounds_down(data: Path):
    # 20 x 1.5 = 30 = 15 + 15: A and B share the first month; 20 x 1.49 = 29.8 -> 29 does not fit.
    lo = scenario(data, "lo", "[capacity_scale]\nhelpdesk = 1.49\n")
    hi = scenario(data, "hi", "[capacity_scale]\nhelpdesk = 1.5\n")
    assert [m.helpdesk for m in load_scenario(lo).months] == [29, 29, 29]
    assert [m.helpdesk for m in load_scenario(hi).months] == [30, 30, 30]
    assert months(plan_of(lo))["B"] == "2027-02"
    assert months(plan_of(hi))["B"] == "2027-01"


def test_capacity_scale_zero_removes_a_resource(data: Path):
    p = scenario(data, "z", "[capacity_scale]\nhelpdesk = 0\n")
    assert [m.helpdesk for m in load_scenario(p).months] == [0, 0, 0]
    assert solve(load_scenario(p), OPTS).status == "infeasible"


def test_capacity_add_per_month(data: Path):
    short = scenario(data, "short", '[capacity_add."2027-01"]\nhelpdesk = 9\n')   # 29 < 30
    enough = scenario(data, "enough", '[capacity_add."2027-01"]\nhelpdesk = 10\n')  # 30
    assert [m.helpdesk for m in load_scenario(enough).months] == [30, 20, 20]
    assert months(plan_of(short))["B"] == "2027-02"
    assert months(plan_of(enough))["B"] == "2027-01"


def test_capacity_add_tech_fair_opens_a_method(data: Path):
    # A tech fair of 100 seats in January: B (5 tickets by tech fair) fits next to A (15).
    without = scenario(data, "without", "")
    with_fair = scenario(data, "with", '[capacity_add."2027-01"]\ntech_fair = 100\n')
    assert months(plan_of(without))["B"] == "2027-02"
    p = plan_of(with_fair)
    assert p["B"] == ("2027-01", "tech-fair") or p["A"] == ("2027-01", "tech-fair")
    assert months(p)["A"] == months(p)["B"] == "2027-01"


def test_scale_then_add(data: Path):
    p = scenario(data, "both", '[capacity_scale]\nhelpdesk = 0.5\n[capacity_add."2027-02"]\nhelpdesk = 5\n')
    assert [m.helpdesk for m in load_scenario(p).months] == [10, 15, 10]


def test_rule_key_override(data: Path):
    # With twice the helpdesk all three fit January, unless only one platform may enroll a month:
    # then B (android) leaves A and C (ios).
    free = scenario(data, "free", "[capacity_scale]\nhelpdesk = 2\n")
    one = scenario(data, "one", "max_platforms_per_month = 1\n[capacity_scale]\nhelpdesk = 2\n")
    assert load_scenario(one).rules.max_platforms_per_month == 1
    assert months(plan_of(free)) == {"A": "2027-01", "B": "2027-01", "C": "2027-01"}
    assert months(plan_of(one)) == {"A": "2027-01", "B": "2027-02", "C": "2027-01"}


def test_tickets_per_100_users_override_merges_per_method(data: Path):
    # 10 tickets per 100 self-service users: A (10) + B (10) = 20 fits one month.
    p = scenario(data, "cheap", "[tickets_per_100_users]\nself-service = 10\n")
    inst = load_scenario(p)
    assert dict(inst.rules.tickets_per_100_users) == {"self-service": 10, "assisted": 2, "tech-fair": 5}
    assert months(plan_of(p))["B"] == "2027-01"


def test_rules_file_then_inline_keys(data: Path):
    write(data / "rules.toml", "stage_gap = 3\nrisk_delay = 2\n")
    p = scenario(data, "r", 'rules = "rules.toml"\nrisk_delay = 0\n')
    r = load_scenario(p).rules
    assert (r.stage_gap, r.risk_delay) == (3, 0)


def test_cli_rules_applies_on_top(data: Path):
    write(data / "extra.toml", "max_platforms_per_month = 1\n")
    p = scenario(data, "r", "max_platforms_per_month = 2\n")
    assert load_scenario(p, rules=data / "extra.toml").rules.max_platforms_per_month == 1


@pytest.mark.parametrize("tables, expect", [
    ('[groups."A"]\nearliest = "2027-03"\n', {"A": "2027-03", "B": "2027-01"}),
    ('[groups."B"]\nlatest = "2027-01"\n', {"A": "2027-02", "B": "2027-01"}),
    ('[groups."A"]\nblackout = ["2027-01"]\n', {"A": "2027-02", "B": "2027-01"}),
    ('[groups."A"]\nblackout = "2027-01;2027-02"\n', {"A": "2027-03", "B": "2027-01"}),
    ('[groups."A"]\nafter = ["B"]\n', {"A": "2027-02", "B": "2027-01"}),
    ('[groups."A"]\nreadiness = 1\n[groups."B"]\nreadiness = 5\n', {"A": "2027-02", "B": "2027-01"}),
    ('[groups."A"]\nsize = 10\n', {"A": "2027-01", "B": "2027-01"}),
    ('[groups."A"]\nwave = "pilot"\n', {"A": "2027-01", "B": "2027-02", "C": "2027-02"}),
])
def test_group_overrides_change_the_plan(data: Path, tables: str, expect: dict[str, str]):
    base = months(plan_of(scenario(data, "base", "")))
    assert base == {"A": "2027-01", "B": "2027-02", "C": "2027-01"}
    got = months(plan_of(over(data, "over", tables)))
    assert {g: got[g] for g in expect} == expect


def test_methods_and_vip_overrides(data: Path):
    # A may only use assisted, but no month has assisted capacity: infeasible; add some and it solves.
    only = over(data, "only", '[groups."A"]\nmethods = "assisted"\n')
    assert load_scenario(only).group("A").methods == ("assisted",)
    assert solve(load_scenario(only), OPTS).status == "infeasible"
    fixed = over(data, "fixed", '[groups."A"]\nmethods = ["assisted"]\n[capacity_add."2027-02"]\nassisted = 100\n')
    assert plan_of(fixed)["A"] == ("2027-02", "assisted")
    vip = over(data, "vip", '[groups."C"]\nvip = true\n[capacity_add."2027-03"]\nassisted = 10\n')
    assert load_scenario(vip).group("C").vip is True
    assert plan_of(vip)["C"] == ("2027-03", "assisted")


def test_empty_override_restores_the_default(data: Path):
    write(data / "data" / "groups.csv", "group,size,readiness,earliest\nA,100,5,2027-03\nB,100,1,\n")
    p = over(data, "e", '[groups."A"]\nearliest = ""\n')
    assert load_scenario(p).group("A").earliest is None
    assert months(plan_of(p))["A"] == "2027-01"


def test_platform_override_with_one_platform_rule(data: Path):
    top = "max_platforms_per_month = 1\n"
    base = over(data, "b", "[capacity_scale]\nhelpdesk = 2\n", top)
    same = over(data, "same", '[capacity_scale]\nhelpdesk = 2\n[groups."B"]\nplatform = "ios"\n', top)
    assert months(plan_of(base))["B"] == "2027-02"
    assert months(plan_of(same))["B"] == "2027-01"


def test_start_drops_months(data: Path):
    p = scenario(data, "late", 'start = "2027-02"\n')
    inst = load_scenario(p)
    assert inst.month_labels == ["2027-02", "2027-03"]
    assert months(plan_of(p)) == {"A": "2027-02", "B": "2027-03", "C": "2027-02"}
    # Two months from March: no room for both A and B -> infeasible (a plan, not an input error).
    assert solve(load_scenario(scenario(data, "later", 'start = "2027-03"\n')), OPTS).status == "infeasible"


def test_start_clamps_earliest_and_blackout_but_not_latest(data: Path):
    write(data / "data" / "groups.csv",
          "group,size,earliest,blackout,latest\nA,100,2027-01,2027-01;2027-03,\nB,100,,,2027-01\n")
    ok = over(data, "ok", '[groups."B"]\nlatest = ""\n', 'start = "2027-02"\n')
    a = load_scenario(ok).group("A")
    assert a.earliest is None and a.blackout == ("2027-03",)
    bad = scenario(data, "bad", 'start = "2027-02"\n')
    with pytest.raises(InputError) as e:
        load_scenario(bad)
    assert e.value.file == str(bad) and e.value.column == "start" and "'B'" in str(e.value)


# ------------------------------------------------------------ inheritance
def test_extends_inherits_and_child_wins(data: Path):
    sub = data / "sub"
    sub.mkdir()
    parent = scenario(data, "parent", 'name = "Parent"\nmax_platforms_per_month = 1\n'
                                      '[capacity_scale]\nhelpdesk = 2\n[capacity_add."2027-01"]\nhelpdesk = 1\n')
    # The child lives in another folder: its extends path is relative to itself, the
    # parent's data paths stay relative to the parent.
    child = write(sub / "child.toml", 'extends = "../parent.toml"\n[capacity_add."2027-01"]\ntech_fair = 5\n')
    inst = load_scenario(child)
    assert inst.name == "child"  # names are not inherited
    assert inst.rules.max_platforms_per_month == 1
    assert [(m.helpdesk, m.tech_fair) for m in inst.months] == [(41, 5), (40, 0), (40, 0)]
    assert plan_of(child) == plan_of(parent)
    override = write(sub / "override.toml", 'extends = "../parent.toml"\nmax_platforms_per_month = 0\n')
    assert months(plan_of(parent))["B"] == "2027-02"
    assert months(plan_of(override))["B"] == "2027-01"  # the child's value wins
    assert inst.sources["extends"] == str(parent)


def test_extends_chains_three_deep_and_merges_group_overrides(data: Path):
    over(data, "a", '[groups."A"]\nearliest = "2027-02"\nreadiness = 2\n')
    write(data / "b.toml", 'extends = "a.toml"\n[groups."A"]\nearliest = "2027-03"\n')
    c = write(data / "c.toml", 'extends = "b.toml"\n[groups."B"]\nsize = 1\n')
    inst = load_scenario(c)
    a, b = inst.group("A"), inst.group("B")
    assert (a.earliest, a.readiness, b.size) == ("2027-03", 2, 1)
    assert months(plan_of(c))["A"] == "2027-03"


def test_extends_cycle_is_an_error_naming_it(data: Path):
    write(data / "x.toml", 'extends = "y.toml"\ngroups = "data/groups.csv"\ncapacity = "data/capacity.csv"\n')
    write(data / "y.toml", 'extends = "x.toml"\n')
    with pytest.raises(InputError) as e:
        load_scenario(data / "x.toml")
    assert "cycle" in str(e.value) and "x.toml" in str(e.value) and "y.toml" in str(e.value)
    assert e.value.column == "extends"
    write(data / "self.toml", 'extends = "self.toml"\n')
    with pytest.raises(InputError, match="cycle"):
        load_scenario(data / "self.toml")


def test_extends_missing_file_names_the_child(data: Path):
    p = write(data / "orphan.toml", 'extends = "nope.toml"\n')
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert e.value.file == str(p) and e.value.column == "extends" and "nope.toml" in str(e.value)


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("body, key, words", [
    ("colour = 1\n", "colour", ["unknown key", "capacity_scale", "max_platforms_per_month"]),
    ('[groups."A"]\nshoe_size = 3\n', 'groups.A.shoe_size', ["unknown group column", "earliest", "blackout"]),
    ('[groups."Zed"]\nsize = 3\n', "groups.Zed", ["not a group"]),
    ('[groups."A"]\nsize = 0\n', "groups.A.size", ["between 1"]),
    ('[groups."A"]\nsize = "many"\n', "groups.A.size", ["whole number"]),
    ('[groups."A"]\nwave = "beta"\n', "groups.A.wave", ["pilot"]),
    ('[groups."A"]\nmethods = ["teleport"]\n', "groups.A.methods", ["not a method"]),
    ('[groups."A"]\nearliest = "2031-01"\n', "groups.A.earliest", ["not a month"]),
    ('[groups."A"]\nblackout = ["2031-01"]\n', "groups.A.blackout", ["not a month"]),
    ('[groups."A"]\nafter = ["Zed"]\n', "groups.A.after", ["unknown group"]),
    ('[groups."A"]\nafter = ["A"]\n', "groups.A.after", ["itself"]),
    ('[groups."A"]\nsize = [1, 2]\n', "groups.A.size", ["not a list"]),
    ('[groups."A"]\nearliest = "2027-03"\nlatest = "2027-02"\n', "groups.A.earliest", ["after latest"]),
    ('[groups."A"]\nvip = true\nwave = "pilot"\n', "groups.A.vip", ["VIP"]),
    ('[groups]\nA = 3\n', "groups.A", ["table of column overrides"]),
    ("[capacity_scale]\nhelpdesk = -1\n", "capacity_scale.helpdesk", ["from 0"]),
    ("[capacity_scale]\nhelpdesk = true\n", "capacity_scale.helpdesk", ["number"]),
    ("[capacity_scale]\nphones = 2\n", "capacity_scale.phones", ["unknown resource", "tech_fair"]),
    ("[capacity_add]\nhelpdesk = 5\n", "capacity_add.helpdesk", ["table of resources"]),
    ('[capacity_add."2031-01"]\nhelpdesk = 5\n', "capacity_add.2031-01", ["not a month"]),
    ('[capacity_add."2027-01"]\nhelpdesk = 1.5\n', "capacity_add.2027-01.helpdesk", ["whole number"]),
    ('[capacity_add."2027-01"]\nhelpdesk = -21\n', "capacity_add.2027-01.helpdesk", ["becomes -1"]),
    ('start = "2031-01"\n', "start", ["not a month"]),
    ("start = 3\n", "start", ["text"]),
    ("stage_gap = -1\n", "stage_gap", ["between 0"]),
    ('objective = ["speed"]\n', "objective", ["distinct levels"]),
    ("[tickets_per_100_users]\nfax = 3\n", "tickets_per_100_users.fax", ["unknown method"]),
    ('name = ""\n', "name", ["non-empty"]),
])
def test_errors_name_the_file_and_key(data: Path, body: str, key: str, words: list[str]):
    if body.startswith("[groups]"):
        p = write(data / "bad.toml", 'capacity = "data/capacity.csv"\n' + body)
    elif body.startswith("[groups."):
        p = over(data, "bad", body)
    else:
        p = scenario(data, "bad", body)
    with pytest.raises(InputError) as e:
        load_scenario(p)
    err = e.value
    assert err.file == str(p), str(err)
    assert err.column == key, str(err)
    for w in words:
        assert w in str(err), str(err)


def test_unknown_key_lists_every_valid_key(data: Path):
    with pytest.raises(InputError) as e:
        load_scenario(scenario(data, "bad", "colour = 1\n"))
    for k in SCENARIO_KEYS:
        assert k in str(e.value)
    with pytest.raises(InputError) as e:
        load_scenario(over(data, "bad2", '[groups."A"]\ncolour = 1\n'))
    for c in OVERRIDE_COLUMNS:
        assert c in str(e.value)


def test_override_that_makes_a_cycle_is_located_in_the_scenario(data: Path):
    write(data / "data" / "groups.csv", "group,size,after\nA,10,B\nB,10,\n")
    p = over(data, "cyc", '[groups."B"]\nafter = "A"\n')
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert "cycle" in str(e.value) and str(p) in str(e.value)


def test_missing_paths_and_bad_files(data: Path):
    with pytest.raises(InputError, match="groups file"):
        load_scenario(write(data / "nog.toml", 'capacity = "data/capacity.csv"\n'))
    with pytest.raises(InputError, match="no such file"):
        load_scenario(data / "absent.toml")
    with pytest.raises(InputError, match="not valid TOML"):
        load_scenario(write(data / "broken.toml", "name = \n"))
    both = write(data / "both.toml", 'groups = "data/groups.csv"\n[groups."A"]\nsize = 3\n')
    with pytest.raises(InputError, match=r"\[groups\] file"):
        load_scenario(both)
    with pytest.raises(InputError) as e:  # an error in the CSV itself still names the CSV row
        write(data / "data" / "groups.csv", "group,size\nA,zero\n")
        load_scenario(scenario(data, "csv", ""))
    assert e.value.file.endswith("groups.csv") and e.value.row == 2


# --------------------------------------------------------------- shipped
def test_shipped_scenarios_solve_as_their_comments_say():
    got = {}
    for p in sorted(SCENARIOS.glob("*.toml")):
        inst = load_scenario(p)
        res = solve(inst, OPTS)
        got[p.stem] = res
        if res.found:
            assert check_plan(res.plan) == [], p
    assert got["tight-deadline"].status == "infeasible"
    finish = {k: v.plan.inst.months[v.plan.finish()].label for k, v in got.items() if v.found}
    assert finish == {"baseline": "2027-10", "more-helpdesk": "2027-09",
                      "one-platform-per-month": "2027-10", "no-tech-fair": "2027-10"}
    base = got["baseline"].plan
    assert base.month_label("Retail") == "2027-08"
    assert base.assignments["Sales and marketing"].method == "tech-fair"
    assert got["no-tech-fair"].plan.month_label("Retail") == "2027-09"


def test_cli_solve_scenario_exit_codes(tmp_path: Path, data: Path):
    r = CliRunner().invoke(main, ["solve", "-q", str(SCENARIOS / "baseline.toml"), "--out", str(tmp_path / "p.csv")])
    assert r.exit_code == 0, r.output
    assert "enrolled by 2027-10" in r.output  # -q: the one-line answer (was "Finish month: 2027-10")
    assert "Sales and marketing,2027-08,tech-fair" in (tmp_path / "p.csv").read_text(encoding="utf-8-sig")
    r = CliRunner().invoke(main, ["solve", "-q", str(SCENARIOS / "tight-deadline.toml")])
    assert r.exit_code == 1
    r = CliRunner().invoke(main, ["solve", "-q", str(scenario(data, "bad", "colour = 1\n"))])
    assert r.exit_code == 2 and "colour" in r.output
