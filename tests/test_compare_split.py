"""rollout compare / scenarios / sweep with split groups (issue 15): KPIs and moved users by part,
the split overrides of a scenario, the split rules as sweep values."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from optimizer import compare as C
from optimizer.sweep import run as S
from optimizer.checker import check_plan
from optimizer.cli import main
from optimizer.solving.solver import SolveOptions
from optimizer.sweep.file import load_sweep

OPTS = SolveOptions(time_limit=10, workers=2, seed=0)


def _files(d: Path) -> dict[str, Path]:
    """IT (150) and Sales (310), assisted, 200 seats a month: Sales fits only in parts."""
    (d / "groups.csv").write_text("group,size,methods,readiness\nIT,150,assisted,5\nSales,310,assisted,3\n")
    (d / "cap.csv").write_text("month,helpdesk,assisted\n2027-01,500,200\n2027-02,500,200\n2027-03,500,200\n")
    out = {"whole": 'name = "whole"\ngroups = "groups.csv"\ncapacity = "cap.csv"\n',
           "split": 'extends = "whole.toml"\nname = "split"\n[groups."Sales"]\nmax_months = 2\n',
           "rules": 'extends = "whole.toml"\nname = "rules"\nmax_months = 2\nmin_part_users = 60\n',
           "more": 'extends = "split.toml"\nname = "more seats"\n[capacity_add."2027-01"]\nassisted = 110\n'}
    for name, text in out.items():
        (d / f"{name}.toml").write_text(text, encoding="utf-8")
    return {name: d / f"{name}.toml" for name in out}


def _comparison(paths):
    comp = C.compare(C.run_scenarios(paths, OPTS))
    for r in comp.runs:
        if r.found:
            assert check_plan(r.result.plan) == []
    return comp


def test_scenarios_let_a_group_split_by_override_and_by_rules(tmp_path: Path):
    f = _files(tmp_path)
    comp = _comparison([f["whole"], f["split"], f["rules"]])
    assert [r.status for r in comp.runs] == ["infeasible", "optimal", "optimal"]
    for r in comp.runs[1:]:
        assert r.result.plan.parts("Sales") == ((1, 200), (2, 110))
    assert comp.runs[2].inst.rules.min_part_users == 60 and comp.runs[1].inst.group("Sales").max_months == 2
    assert comp.value("enrolled_by:2027-02", "split") == 350  # IT 150 + Sales' first part 200
    md = C.comparison_markdown(comp)
    assert "the same plan as the baseline" not in md  # the baseline has no plan: nothing is "the same"
    assert "- **split**: a plan; the baseline has none" in md


def test_cli_compare_says_nothing_is_the_same_when_the_baseline_has_no_plan(tmp_path: Path):
    f = _files(tmp_path)
    r = CliRunner().invoke(main, ["compare", "-q", "--time-limit", "10", "--workers", "2", str(f["whole"]),
                                  str(f["split"])], env={"COLUMNS": "80"})
    assert r.exit_code == 1, r.output
    words = " ".join(r.output.split())  # wrapped at 80 columns
    assert "the same plan" not in words and "no plan: infeasible: Sales (310 users)" in words


def test_moved_users_are_counted_per_part_month(tmp_path: Path):
    f = _files(tmp_path)
    comp = _comparison([f["split"], f["more"]])
    # 110 more seats in January: Sales 200 + 110 in Feb/Mar becomes 160 in Jan + 150 in Feb;
    # Feb lost 50 and Mar 110: 160 users in another month.
    [m] = comp.moves_of("more seats")
    assert m.baseline_parts == (("2027-02", 200), ("2027-03", 110)) and m.parts == (("2027-01", 160), ("2027-02", 150))
    assert m.users_moved == 160
    assert C.describe_move(m) == "2027-02 (200), 2027-03 (110) -> 2027-01 (160), 2027-02 (150) " \
                                 "(160 users in another month)"
    assert json.loads(C.comparison_json(comp))["moved"][0]["users_moved"] == 160
    assert comp.value("enrolled_by:2027-01", "more seats") == 150 + 160
    assert comp.value("waiting", "more seats") == 150 * 3 * 1  # IT in January, Sales' 150 in February
    csv_text = C.comparison_csv(comp)
    assert "moved: Sales,2027-02 (200) 2027-03 (110) assisted,2027-01 (160) 2027-02 (150) assisted," in csv_text


def test_same_first_month_other_parts_is_a_move():
    from optimizer.compare.kpis import users_moved
    assert users_moved((("2027-01", 200), ("2027-02", 110)), (("2027-01", 150), ("2027-02", 160))) == 50
    assert users_moved((("2027-01", 310),), (("2027-01", 310),)) == 0
    assert users_moved((), (("2027-01", 310),)) == 0


def test_sweep_over_the_split_rules_solves_every_point(tmp_path: Path):
    f = _files(tmp_path)
    sw = tmp_path / "sweep.toml"
    sw.write_text(f'base = "{f["whole"].as_posix()}"\nworkers = 1\ntime_limit = 5\n[axes.rules]\n'
                  'max_months = [1, 2]\nmin_part_users = [60, 150]\n', encoding="utf-8")
    res = S.run_sweep(load_sweep(sw), jobs=1)
    assert [r["status"] for r in res.rows] == ["infeasible", "infeasible", "optimal", "optimal"]
    assert all(r["kpis"]["finish_month"] == "2027-03" for r in res.rows[2:])
    assert S.exit_code(res) == 1


def test_a_whole_group_of_another_size_in_the_same_month_is_no_move(tmp_path: Path):
    f = _files(tmp_path)
    bigger = tmp_path / "bigger.toml"
    bigger.write_text('extends = "split.toml"\nname = "bigger IT"\n[groups."IT"]\nsize = 160\n', encoding="utf-8")
    comp = _comparison([f["split"], bigger])
    assert comp.runs[1].result.plan.parts("IT") == ((0, 160),)
    assert comp.moves_of("bigger IT") == []  # IT stays in January, Sales keeps its parts
