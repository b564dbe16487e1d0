"""`rollout replan` through the CLI: the round trip solve -> actuals -> replan -> replan (every
plan judged by the checker, history rows == actuals), outputs, output safety and every input
error of the issue (exit 2 naming file, row and column)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from optimizer.cli import main
from optimizer.inputs.loaders import load_instance
from optimizer.inputs.planfile import read_plan
from optimizer.replan.verify import check_replan
from optimizer.replan.inputs import load_replan_inputs

from replan_helpers import capacity, write

GROUPS = ("P,50,pilot,IT,low,3,self-service,,\n"
          "E,200,expanded-pilot,IT,low,3,self-service,2,\n"
          "A,300,production,Sales,low,4,self-service,2,\n"
          "B,200,production,Retail,high,2,,,\n"
          "C,100,production,HR,low,1,self-service,,A\n")
RULES = "min_part_users = 20\n"


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _actuals_from(plan_csv: Path, before: str, slip: str | None = None) -> str:
    """Actuals that follow the plan for its months before ``before`` (``slip``: a group that did nothing)."""
    out = ""
    for r in _rows(plan_csv):
        if r["month"] < before and r["group"] != slip:
            out += f"{r['group']},{r['month']},{r['users']},{r['method']},{int(r['users']) // 10}\n"
    return out


def _judge(f: dict, plan: Path, actuals: Path, as_of: str) -> None:
    inst = load_instance(f["groups"], f["capacity"], f["rules"])
    rin = load_replan_inputs(inst, f["previous"], actuals, as_of)
    assert check_replan(read_plan(inst, plan), rin) == []


def test_round_trip_solve_actuals_replan_replan(tmp_path):
    f = write(tmp_path, GROUPS, "", "", cap=capacity(helpdesk=45, assisted=100), rules=RULES)
    first = tmp_path / "first.csv"
    r = run("solve", f["groups"], f["capacity"], "--rules", f["rules"], "--out", first, "--time-limit", "10")
    assert r.exit_code == 0, r.output
    (tmp_path / "act1.csv").write_text("group,month,users,method,tickets\n" + _actuals_from(first, "2027-03"))
    second = tmp_path / "second.csv"
    r = run("replan", f["groups"], f["capacity"], first, tmp_path / "act1.csv", "--as-of", "2027-03",
            "--rules", f["rules"], "--out", second, "--out", tmp_path / "second.json", "--time-limit", "10")
    assert r.exit_code == 0, r.output
    f["previous"] = first
    _judge(f, second, tmp_path / "act1.csv", "2027-03")
    data = json.loads((tmp_path / "second.json").read_text())
    assert data["replan"]["changes"] == 0  # the actuals followed the plan: nothing moves
    assert [lv["level"] for lv in data["objective"]] == ["finish", "changes", "waiting", "assisted", "splits"]
    # the next month: actuals follow the re-plan, one group slipped
    rows = [r for r in _rows(second) if r["month"] == "2027-03"]
    slip = rows[0]["group"] if rows else None
    (tmp_path / "act2.csv").write_text("group,month,users,method,tickets\n" + _actuals_from(second, "2027-04", slip))
    third = tmp_path / "third.csv"
    r = run("replan", f["groups"], f["capacity"], second, tmp_path / "act2.csv", "--as-of", "2027-04",
            "--rules", f["rules"], "--out", third, "--out", tmp_path / "third.md", "--out", tmp_path / "third.xlsx",
            "--time-limit", "10")
    assert r.exit_code == 0, r.output
    f["previous"] = second
    _judge(f, third, tmp_path / "act2.csv", "2027-04")
    md = (tmp_path / "third.md").read_text()
    assert "## What changed" in md and "## Ticket rates" in md and "(done)" in md
    wb = load_workbook(tmp_path / "third.xlsx")
    assert "Changes" in wb.sheetnames
    if slip:
        assert any(slip == (c.value or "") for row in wb["Changes"].iter_rows() for c in row)


def test_terminal_marks_history_done_and_lists_changes(tmp_path):
    """A and B swapped months: both listed under What changed; a name with markup is text."""
    f = write(tmp_path, "[red]A[/red],100,production,,low,3,self-service,,\nB,100,production,,low,3,self-service,,\n",
              "group,month,method\n[red]A[/red],2027-01,self-service\nB,2027-02,self-service\n",
              "B,2027-01,100,self-service,30\n", cap=capacity(helpdesk=15))
    r = run("replan", f["groups"], f["capacity"], f["previous"], f["actuals"], "--as-of", "2027-02",
            "--time-limit", "10")
    assert r.exit_code == 0, r.output
    assert "(done)" in r.output and "Ticket rates" in r.output
    changed = r.output.split("What changed")[1].split("Ticket rates")[0]
    assert "[red]A[/red]" in changed and "slipped)" in changed and "enrolled" in changed  # A slipped, B ahead


def _bad(tmp_path, actuals: str, as_of: str = "2027-03", groups: str = GROUPS):
    f = write(tmp_path, groups, "group,month,method\nP,2027-01,self-service\n", actuals, rules=RULES)
    return run("replan", f["groups"], f["capacity"], f["previous"], f["actuals"], "--as-of", as_of,
               "--rules", f["rules"], "--time-limit", "5")


@pytest.mark.parametrize("actuals,as_of,words", [
    ("Nobody,2027-01,10,self-service,\n", "2027-03", ["actuals.csv", "row 2", "group"]),
    ("P,2027-01,40,self-service,\nP,2027-02,40,self-service,\n", "2027-03", ["actuals.csv", "row 3", "users"]),
    ("P,2027-03,10,self-service,\n", "2027-03", ["actuals.csv", "row 2", "month"]),
    ("P,2031-01,10,self-service,\n", "2027-03", ["actuals.csv", "row 2", "month"]),
    ("P,2027-01,10,walk-in,\n", "2027-03", ["actuals.csv", "row 2", "method"]),
    ("P,2027-01,10,self-service,\nP,2027-01,5,self-service,\n", "2027-03", ["actuals.csv", "row 3"]),
    ("P,2027-01,1.5,self-service,\n", "2027-03", ["actuals.csv", "row 2", "users"]),
    ("P,2027-01,10,self-service,\n", "2031-01", ["--as-of"]),
])
def test_input_errors_exit_2_naming_file_row_column(tmp_path, actuals, as_of, words):
    r = _bad(tmp_path, actuals, as_of)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    for w in words:
        assert w in r.output, (w, r.output)


@pytest.mark.parametrize("which", ["previous", "actuals"])
def test_no_output_overwrites_the_previous_plan_or_the_actuals(tmp_path, which):
    f = write(tmp_path, GROUPS, "group,month,method\nP,2027-01,self-service\n", "P,2027-01,50,self-service,\n",
              rules=RULES)
    before = f[which].read_bytes()
    r = run("replan", f["groups"], f["capacity"], f["previous"], f["actuals"], "--as-of", "2027-02",
            "--rules", f["rules"], "--out", tmp_path / "new.csv", "--out", f[which].with_suffix(".csv"))
    assert r.exit_code == 2
    assert f[which].read_bytes() == before and not (tmp_path / "new.csv").exists()


def test_infeasible_replan_is_explained(tmp_path):
    """The pilot is not finished and the horizon ends: exit 1 with the conflict among the coming
    months' rules, not a crash."""
    groups = "P,100,pilot,,low,3,self-service,,\nX,100,production,,low,3,self-service,,\n"
    cap = capacity(helpdesk=15, months=["2027-01", "2027-02", "2027-03"])
    f = write(tmp_path, groups, "group,month,method\nP,2027-01,self-service\nX,2027-02,self-service\n",
              "P,2027-01,0,self-service,\n", cap=cap)
    r = run("replan", f["groups"], f["capacity"], f["previous"], f["actuals"], "--as-of", "2027-03",
            "--out", tmp_path / "out.md", "--time-limit", "10")
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output
    assert "Why there is no plan" in (tmp_path / "out.md").read_text()


def test_input_workbook_with_an_actuals_sheet(tmp_path):
    """INPUTS.xlsx PREVIOUS_PLAN: the actuals are the workbook's Actuals sheet."""
    from openpyxl import Workbook

    f = write(tmp_path, "A,100,production,,low,3,self-service,,\nB,100,production,,low,3,self-service,,\n",
              "group,month,method\nA,2027-01,self-service\nB,2027-02,self-service\n", "", cap=capacity(helpdesk=15))
    wb = Workbook()
    wb.remove(wb.active)
    sheets = {"Groups": f["groups"].read_text(), "Capacity": f["capacity"].read_text(),
              "Actuals": "group,month,users,method\nA,2027-01,100,self-service\n"}
    for name, src in sheets.items():
        ws = wb.create_sheet(name)
        for line in src.strip().splitlines():
            ws.append([int(c) if c.isdigit() else c for c in line.split(",")])
    book = tmp_path / "inputs.xlsx"
    wb.save(book)
    out = tmp_path / "new.csv"
    r = run("replan", book, f["previous"], "--as-of", "2027-02", "--out", out, "--time-limit", "10")
    assert r.exit_code == 0, r.output
    rows = _rows(out)
    assert [(r["group"], r["month"], r["users"]) for r in rows] == [("A", "2027-01", "100"), ("B", "2027-02", "100")]
    r = run("replan", book, f["previous"], "--as-of", "2027-02", "--out", book)
    assert r.exit_code == 2  # never over an input


def test_wrong_number_of_files_is_a_usage_error(tmp_path):
    f = write(tmp_path, GROUPS, "group,month,method\nP,2027-01,self-service\n", "", rules=RULES)
    r = run("replan", f["groups"], f["capacity"], f["previous"], "--as-of", "2027-02")
    assert r.exit_code == 2 and "PREVIOUS_PLAN ACTUALS" in r.output


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_ticket_rates_fit_80_columns(tmp_path, lang):
    """Each method's ticket rates on one line of an 80-column terminal (the reasons a rate is not
    used are notes below the table: in a column they wrapped over three lines)."""
    import subprocess
    import sys
    f = write(tmp_path, "A,100,production,,low,3,self-service,,\nB,100,production,,low,3,self-service,,\n",
              "group,month,method\nA,2027-01,self-service\nB,2027-02,self-service\n",
              "A,2027-01,100,self-service,30\n", cap=capacity(helpdesk=15))
    out = subprocess.run([sys.executable, "-m", "optimizer", "--lang", lang, "replan", str(f["groups"]),
                          str(f["capacity"]), str(f["previous"]), str(f["actuals"]), "--as-of", "2027-02",
                          "--time-limit", "5"], capture_output=True, text=True, env={**__import__("os").environ,
                                                                                    "COLUMNS": "80"})
    assert out.returncode == 0, out.stderr
    text = out.stdout + out.stderr
    rates = text.split("Ticket rates" if lang == "en" else "Ärenden per 100 användare")[1]
    rows = [ln for ln in rates.splitlines() if ln.strip().startswith(("Self-service ", "Självbetjäning "))]
    assert len(rows) == 1 and max(len(ln) for ln in text.splitlines()) <= 80
    assert rows[0].split()[1:] == (["15", "30.0", "100", "no"] if lang == "en" else ["15", "30,0", "100", "nej"])
    assert "--observed-rates" in rates.split(rows[0])[1]  # the reason, below the table


def test_a_change_several_conflicts_share_is_made_once(tmp_path):
    """The embedded example after a slip: the expanded pilot is 120 of 200 users done in 2027-07,
    Sales 1,500 of 2,000 in 2027-08; re-planned from 2027-09. Production opens in 2027-10, so the
    three high-risk groups (HR, Finance, Executives: one month more) have no month left: three
    conflicts, each fixed by "shorten risk_delay from 1 to 0". The combined repair makes that
    change once (it listed it three times) and is verified on the whole input."""
    from optimizer.inputs.loaders import load_instance
    from optimizer.replan.explain import explain_replan
    from optimizer.replan.inputs import load_replan_inputs

    ex = Path(__file__).resolve().parents[1] / "data" / "example"
    prev, acts = tmp_path / "plan.csv", tmp_path / "actuals.csv"
    prev.write_text("group,month,method\nIT,2027-07,self-service\nIT (expanded),2027-07,self-service\n"
                    "IT managers,2027-07,assisted\nSales and marketing,2027-08,self-service\n"
                    "Retail,2027-09,self-service\nHR,2027-09,self-service\nFinance,2027-09,self-service\n"
                    "Executives,2027-10,assisted\n")
    acts.write_text("group,month,users,method,tickets\nIT,2027-07,50,self-service,9\n"
                    "IT (expanded),2027-07,120,self-service,30\nIT managers,2027-07,10,assisted,2\n"
                    "Sales and marketing,2027-08,1500,self-service,260\n")
    inst = load_instance(ex / "groups.csv", ex / "capacity.csv", ex / "rules.toml")
    rin = load_replan_inputs(inst, prev, acts, "2027-09")
    exp = explain_replan(inst, rin, time_limit=20, workers=2)
    risk = [s for s in exp.sets if any(c.rule == "risk-delay" for c in s.rules)]
    assert len(risk) >= 2
    steps = [r.description for r in exp.combined]
    assert len(steps) == len(set(steps)) and steps.count("shorten risk_delay from 1 to 0") == 1
    assert exp.combined_verified


@pytest.mark.parametrize("observed,moved", [(False, 600), (True, 640)])
def test_the_shipped_replan_example_does_what_its_readme_says(tmp_path, observed, moved):
    """data/replan: 600 of Sales' users slipped to October, the rest keep their months, finish
    2027-10; with the observed self-service rate (18.3 per 100) Finance moves too."""
    root = Path(__file__).resolve().parents[1] / "data"
    out = tmp_path / "new.json"
    r = run("replan", root / "example" / "groups.csv", root / "replan" / "capacity.csv",
            root / "replan" / "plan.csv", root / "replan" / "actuals.csv", "--rules", root / "example" / "rules.toml",
            "--as-of", "2027-09", "--out", out, "--time-limit", "20", *(["--observed-rates"] if observed else []))
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text())
    assert data["replan"]["changes"] == moved
    assert {c["group"] for c in data["replan"]["what_changed"]} == \
        ({"Sales and marketing", "Finance"} if observed else {"Sales and marketing"})
    assert data["finish_month"] == "2027-10" and data["status"] == "optimal"
