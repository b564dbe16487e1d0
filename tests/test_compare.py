"""`rollout compare`: KPI values and moved groups the shipped scenarios imply, failures that
never lose the other scenarios, every output format, CLI exit codes."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from optimizer import compare as C
from optimizer.checker import check_plan
from optimizer.cli import main
from optimizer.solving.solver import SolveOptions

ROOT = Path(__file__).resolve().parent.parent
SC = ROOT / "data" / "scenarios"
ALL = [SC / f"{n}.toml" for n in
       ("baseline", "more-helpdesk", "one-platform-per-month", "no-tech-fair", "tight-deadline")]
OPTS = SolveOptions(time_limit=10, workers=2, seed=0)


@pytest.fixture(scope="module")
def comp() -> C.Comparison:
    runs = C.run_scenarios(ALL, OPTS, jobs=2)
    return C.compare(runs, options=OPTS, jobs=2)


def month_moves(comp: C.Comparison, scenario: str) -> dict[str, int]:
    return {m.group: m.months for m in comp.moves_of(scenario) if m.months}


def test_every_plan_passes_the_checker(comp: C.Comparison):
    for r in comp.runs:
        if r.found:
            assert check_plan(r.result.plan) == [], r.name


def test_kpi_table_on_the_example(comp: C.Comparison):
    assert comp.names == ["Baseline", "More helpdesk", "One platform per month", "No tech fair", "Tight deadline"]
    v, d = comp.value, comp.delta
    assert [v("status", n) for n in comp.names] == ["optimal"] * 4 + ["infeasible"]
    # Finish: only more helpdesk (Executives fit September's 30 assisted slots) gains a month.
    assert [v("finish_month", n) for n in comp.names] == ["2027-10", "2027-09", "2027-10", "2027-10", None]
    assert d("finish_month", "More helpdesk") == -1 and d("finish_month", "No tech fair") == 0
    assert d("finish_month", "Tight deadline") is None
    # Users enrolled by each month (pilots 260, Sales 2000, Retail 1000, HR 50, Finance 40, Executives 30).
    assert comp.calendar == ["2027-07", "2027-08", "2027-09", "2027-10"]
    by = {n: [v(f"enrolled_by:{m}", n) for m in comp.calendar] for n in comp.names[:4]}
    assert by == {
        "Baseline": [260, 3260, 3350, 3380],
        "More helpdesk": [260, 3260, 3380, 3380],
        "One platform per month": [260, 2260, 3260, 3380],
        "No tech fair": [260, 2260, 3350, 3380],
    }
    assert d("enrolled_by:2027-08", "No tech fair") == -1000
    # Waiting = sum size x readiness x month index: the solver's objective (same calendar).
    assert [v("waiting", n) for n in comp.names[:4]] == [11540, 11480, 14720, 14540]
    for r in comp.runs[:4]:
        assert r.result.objective["waiting"] == v("waiting", r.name)
    assert d("waiting", "No tech fair") == 3000 and d("waiting", "One platform per month") == 3180
    assert [v("assisted_users", n) for n in comp.names[:4]] == [40, 40, 40, 40]
    # Peak helpdesk: baseline August 250/320; more helpdesk 250/400; no tech fair August 300/320.
    assert v("peak_helpdesk", "Baseline") == pytest.approx(250 / 320)
    # More helpdesk has several optimal plans (same finish, waiting and assisted) that
    # differ in how August and September share the load; whichever the solver returns,
    # the KPI must be its plan's true peak, recomputed here from the loads.
    more = next(r for r in comp.runs if r.name == "More helpdesk")
    peak = max(ld["helpdesk"] / m.helpdesk for ld, m in zip(more.result.plan.loads(), more.inst.months))
    assert v("peak_helpdesk", "More helpdesk") == pytest.approx(peak) and 250 / 400 <= peak <= 1
    assert v("peak_helpdesk", "No tech fair") == pytest.approx(300 / 320)
    assert d("peak_helpdesk", "No tech fair") == pytest.approx(300 / 320 - 250 / 320)
    # Months over 90 %: the fully booked tech fair (baseline); + September's 30/30 assisted (more helpdesk);
    # no tech fair: August's helpdesk at 94 %.
    assert v("months_over_90", "Baseline") == 1
    over = sum(any(ld[res] > 0.9 * m.capacity(res) for res in ("helpdesk", "assisted", "tech_fair")
                   if m.capacity(res) > 0) for ld, m in zip(more.result.plan.loads(), more.inst.months))
    assert v("months_over_90", "More helpdesk") == over >= 1
    assert v("months_over_90", "No tech fair") == 1
    assert all(v("solve_seconds", n) >= 0 for n in comp.names)


def test_moved_groups_are_what_the_scenarios_imply(comp: C.Comparison):
    assert month_moves(comp, "More helpdesk") == {"Executives": -1}
    assert month_moves(comp, "One platform per month") == {"Retail": 1, "HR": 1, "Finance": 1}
    assert month_moves(comp, "No tech fair") == {"Retail": 1}
    nf = {m.group: m for m in comp.moves_of("No tech fair")}
    sales = nf["Sales and marketing"]  # forced off the cancelled tech fair
    assert (sales.baseline_method, sales.method, sales.months) == ("tech-fair", "self-service", 0)
    retail = nf["Retail"]
    assert (retail.baseline_month, retail.month, retail.size) == ("2027-08", "2027-09", 1000)
    assert C.describe_move(retail) == "2027-08 -> 2027-09 (+1 month)"
    assert comp.moves_of("Tight deadline") == []


def test_infeasible_scenario_has_a_one_line_reason(comp: C.Comparison):
    tight = comp.runs[-1]
    assert not tight.found and tight.reason.startswith("infeasible: 2 separate conflicts: Sales and marketing (2000 users) fits in no month")
    assert "\n" not in tight.reason


def test_explain_reason_hook_is_used(monkeypatch):
    monkeypatch.setattr(C.runs, "explain_reason", lambda inst, result: f"{inst.name}: Sales needs 300 tickets")
    runs = C.run_scenarios([ALL[0], ALL[-1]], OPTS, jobs=1)
    assert runs[1].reason == "Tight deadline: Sales needs 300 tickets"
    assert runs[0].reason is None


def test_failures_never_lose_the_others(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "%s"\ncolour = "blue"\n' % (SC / "baseline.toml").as_posix(), encoding="utf-8")
    missing = tmp_path / "missing.toml"
    paths = [ALL[0], bad, ALL[-1], missing, ALL[3]]
    for jobs in (1, 2):
        runs = C.run_scenarios(paths, OPTS, jobs=jobs)
        comp = C.compare(runs, options=OPTS, jobs=jobs)
        assert [r.found for r in runs] == [True, False, False, False, True]
        assert runs[1].error_kind == "input" and "colour" in runs[1].reason and str(bad) in runs[1].reason
        assert runs[2].result.status == "infeasible"
        assert runs[3].error_kind == "input" and "no such file" in runs[3].reason
        assert comp.value("waiting", "No tech fair") == 14540
        assert month_moves(comp, "No tech fair") == {"Retail": 1}
        assert comp.value("status", "bad") == "input error"
        assert C.exit_code(comp) == 2


def test_baseline_without_a_plan_gives_values_but_no_deltas():
    runs = C.run_scenarios([ALL[-1], ALL[0]], OPTS, jobs=1)
    comp = C.compare(runs)
    assert comp.value("waiting", "Baseline") == 11540
    assert comp.delta("waiting", "Baseline") is None and comp.moves == []
    assert "the baseline has no plan" in C.comparison_markdown(comp)


def test_parallel_and_sequential_give_the_same_plans():
    seq = C.run_scenarios(ALL[:4], OPTS, jobs=1)
    par = C.run_scenarios(ALL[:4], OPTS, jobs=3)
    for a, b in zip(seq, par):
        assert a.result.plan.rows() == b.result.plan.rows()
        assert a.result.objective == b.result.objective


def test_start_scenarios_share_one_calendar(tmp_path: Path):
    late = tmp_path / "late.toml"
    # Kick-off in August (IT managers need August assisted slots), more helpdesk in September.
    late.write_text('extends = "%s"\nstart = "2027-08"\n[capacity_add."2027-08"]\nassisted = 10\n'
                    '[capacity_add."2027-09"]\nhelpdesk = 200\n' % (SC / "more-helpdesk.toml").as_posix(),
                    encoding="utf-8")
    comp = C.compare(C.run_scenarios([ALL[0], late], OPTS, jobs=1))
    assert comp.calendar == ["2027-07", "2027-08", "2027-09", "2027-10"]
    assert comp.value("enrolled_by:2027-07", "late") == 0
    # August pilots, September production (helpdesk 450 fits Sales + Retail), October high risk.
    assert comp.value("finish_month", "late") == "2027-10" and comp.delta("finish_month", "late") == 0
    # Waiting is measured from July for both, so the month lost to the late start counts.
    plan = comp.runs[1].result.plan
    assert plan.month_label("IT") == "2027-08"
    assert comp.value("waiting", "late") > comp.value("waiting", "Baseline")
    assert month_moves(comp, "late")["IT"] == 1


def test_duplicate_names_are_told_apart():
    runs = C.load_runs([ALL[0], ALL[0]])
    assert [r.name for r in runs] == ["Baseline", "Baseline (2)"]


# ----------------------------------------------------------------- outputs
def test_outputs_md_csv_json(comp: C.Comparison, tmp_path: Path):
    outs = [str(tmp_path / f"c.{s}") for s in ("md", "csv", "json")]
    C.check_out_paths(outs)
    C.write_comparison(comp, outs)
    md = (tmp_path / "c.md").read_text(encoding="utf-8")
    assert "| Finish month | 2027-10 | 2027-09 (-1 month) | 2027-10 (±0) | 2027-10 (±0) | - |" in md
    assert "| Users waiting (user-months, weighted by readiness) | 11540 | 11480 (-60) | 14720 (+3180) | 14540 (+3000) | - |" in md
    assert "  - Retail (1000 users): 2027-08 -> 2027-09 (+1 month)" in md
    assert "**Tight deadline** (" in md and "infeasible: 2 separate conflicts: Sales and marketing (2000 users)" in md

    rows = list(csv.reader(io.StringIO((tmp_path / "c.csv").read_text(encoding="utf-8-sig"))))
    header, body = rows[0], {r[0]: r[1:] for r in rows[1:]}
    assert header[:4] == ["kpi", "Baseline", "More helpdesk", "More helpdesk vs Baseline"]
    assert body["Users waiting (user-months, weighted by readiness)"][:4] == ["11540", "11480", "-60", "14720"]
    assert body["Finish month"][:3] == ["2027-10", "2027-09", "-1"]
    retail = body["moved: Retail"]
    assert retail[0] == "2027-08 self-service"
    assert retail[5:7] == ["2027-09 self-service", "2027-08 -> 2027-09 (+1 month)"]

    data = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert data["baseline"] == "Baseline"
    kp = {k["key"]: k for k in data["kpis"]}
    assert kp["waiting"]["values"]["No tech fair"] == 14540 and kp["waiting"]["deltas"]["No tech fair"] == 3000
    sc = {s["name"]: s for s in data["scenarios"]}
    assert sc["Tight deadline"]["status"] == "infeasible" and sc["Tight deadline"]["reason"]
    # September's assisted slots are full in every optimal plan; August depends on which one.
    assert "2027-09" in sc["More helpdesk"]["months_over_90"]
    assert sc["No tech fair"]["months_over_90"] == ["2027-08"]
    assert {(m["scenario"], m["group"], m["months"]) for m in data["moved"]} >= {("No tech fair", "Retail", 1)}
    assert data["solver"]["seed"] == 0 and data["solver"]["workers_per_scenario"] == 2


def test_csv_cells_are_safe(tmp_path: Path):
    g = tmp_path / "groups.csv"
    g.write_text("group,size,readiness\n=HYPERLINK(1),100,5\nB,100,1\n", encoding="utf-8")
    (tmp_path / "capacity.csv").write_text("month,helpdesk\nM1,20\nM2,20\n", encoding="utf-8")
    (tmp_path / "a.toml").write_text('name = "@a"\ngroups = "groups.csv"\ncapacity = "capacity.csv"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\nname = "b"\n[groups."=HYPERLINK(1)"]\nreadiness = 1\n')
    comp = C.compare(C.run_scenarios([tmp_path / "a.toml", tmp_path / "b.toml"], OPTS))
    text = C.comparison_csv(comp)
    assert "'@a" in text and "moved: =HYPERLINK(1)" in text
    for row in csv.reader(io.StringIO(text)):
        for cell in row:  # only numbers (deltas like -1) may start with a formula trigger
            if cell[:1] in ("=", "+", "-", "@"):
                float(cell)


# --------------------------------------------------------------------- CLI
def run(*args: str):
    return CliRunner().invoke(main, ["compare", "-q", "--time-limit", "10", *args], catch_exceptions=False)


def test_cli_exit_0_when_every_scenario_has_a_plan(tmp_path: Path):
    out = tmp_path / "cmp.md"
    r = run(str(ALL[0]), str(ALL[3]), "--out", str(out), "--jobs", "2", "--workers", "2")
    assert r.exit_code == 0, r.output
    assert "No tech fair" in r.output and "Retail (1000 users): 2027-08 -> 2027-09 (+1 month)" in r.output
    assert out.is_file()


def test_cli_exit_1_when_a_scenario_has_no_plan():
    r = run(*map(str, ALL), "--jobs", "1")
    assert r.exit_code == 1
    assert "Tight deadline" in r.output and "infeasible" in r.output
    assert "Executives (30 users): 2027-10 -> 2027-09 (-1 month)" in r.output


def test_cli_exit_2_for_bad_input_but_still_shows_the_others(tmp_path: Path):
    r = run(str(ALL[0]), str(tmp_path / "nope.toml"), str(ALL[3]))
    assert r.exit_code == 2
    assert "nope.toml" in r.output and "no such file" in r.output
    assert "14540 (+3000)" in r.output


@pytest.mark.parametrize("args", [[], ["--out", "x.pdf", str(ALL[0])], ["--jobs", "0", str(ALL[0])],
                                  ["--out", "/no/such/folder/x.md", str(ALL[0])]])
def test_cli_usage_errors_exit_2(args):
    r = CliRunner().invoke(main, ["compare", *args])
    assert r.exit_code == 2


def _crash_on_no_tech_fair(inst, options):
    """Stands in for the solver in a worker process: dies hard on one scenario."""
    import os

    if inst.name == "No tech fair":
        os._exit(3)
    return C.pool.solve(inst, options)


@pytest.mark.skipif(sys.platform == "win32", reason="needs the fork start method")
def test_a_dying_solver_process_loses_only_its_own_scenario(monkeypatch):
    import multiprocessing

    # fork, so the worker processes see the monkeypatched solve function
    monkeypatch.setattr(C.pool, "_mp_context", lambda: multiprocessing.get_context("fork"))
    monkeypatch.setattr(C.pool, "_solve_in_worker", _crash_on_no_tech_fair)
    runs = C.run_scenarios(ALL[:4], OPTS, jobs=2)
    by = {r.name: r for r in runs}
    assert by["No tech fair"].error_kind == "crash" and "died" in by["No tech fair"].reason
    for name in ("Baseline", "More helpdesk", "One platform per month"):
        assert by[name].found, name
    comp = C.compare(runs)
    assert comp.value("waiting", "More helpdesk") == 11480 and comp.delta("waiting", "More helpdesk") == -60
    assert comp.value("status", "No tech fair") == "error" and C.exit_code(comp) == 1


def test_default_jobs_solves_small_scenarios_in_process(monkeypatch, tmp_path: Path):
    runs = C.load_runs(ALL)
    assert C.default_jobs(runs) == 1  # 8 groups: solving takes less than starting a process
    rows = "\n".join(f"G{i},10" for i in range(C.SMALL_GROUPS + 1))
    (tmp_path / "g.csv").write_text("group,size\n" + rows + "\n", encoding="utf-8")
    (tmp_path / "c.csv").write_text("month,helpdesk\nM1,100\n", encoding="utf-8")
    (tmp_path / "big.toml").write_text('groups = "g.csv"\ncapacity = "c.csv"\n', encoding="utf-8")
    monkeypatch.setattr(C.runs.os, "cpu_count", lambda: 2)
    assert C.default_jobs(C.load_runs([tmp_path / "big.toml"] * 3)) == 2
    assert C.default_jobs(C.load_runs([tmp_path / "big.toml", tmp_path / "nope.toml"])) == 1
    assert C.fair_workers(2) == 4 and C.fair_workers(1) == 8 and C.fair_workers(16) == 1


def test_reading_a_reason_never_solves(monkeypatch):
    # Naming the rules in conflict runs CP-SAT (up to 15 s): an explicit step, never a property read.
    runs = C.load_runs([ALL[-1]])
    C.solve_runs(runs, OPTS)
    monkeypatch.setattr(C.runs, "explain_reason", lambda inst, result: pytest.fail("reason started a solve"))
    assert runs[0].reason == "infeasible: no plan satisfies all rules"
    monkeypatch.undo()
    C.explain_runs(runs)
    assert runs[0].reason.startswith("infeasible: 2 separate conflicts: Sales and marketing")
