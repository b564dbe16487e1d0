"""CLI contract: every exit code, every output format, the check command.

Exit codes: 0 plan found / plan valid, 1 infeasible / plan invalid, 2 bad input or usage.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from optimizer.checker import check_plan
from optimizer.cli import main
from optimizer.inputs.loaders import load_instance
from optimizer.inputs.planfile import read_plan

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "example"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def tiny(tmp_path: Path):
    """Two production groups, two months; helpdesk 20 per month.

    A (100 users) self-service = 15 tickets, B (100 users) = 15 tickets: they can't share a
    month (30 > 20), so the optimum finishes in month 2 with the eager group first.
    """
    g = write(tmp_path / "groups.csv", "group,size,readiness\nA,100,5\nB,100,1\n")
    c = write(tmp_path / "capacity.csv", "month,helpdesk\n2027-01,20\n2027-02,20\n")
    return g, c


def test_example_exit_0_and_guide_table():
    r = run("solve")
    assert r.exit_code == 0, r.output
    out = r.output
    assert " ".join(r.stdout.split()).startswith("All 3,380 users enrolled by 2027-10 (4 months); helpdesk peaks at 94 % in 2027-08. ")
    assert "Limited pilot" in out and "Expanded pilot" in out and "Production phase 1" in out
    assert "Sales and marketing (2000 users)" in out
    assert "Plan proven best." in out
    for kpi in ("Finish month", "Users waiting", "Assisted users"):
        assert kpi in out
    assert "Helpdesk tickets" in out  # per-month load against capacity
    # plain words: the solver's vocabulary only with -v
    for word in ("objective", "bound", "gap", "workers", "index"):
        assert word not in out.lower()
    verbose = run("-v", "solve").output
    assert "Status: optimal" in verbose and "Bound" in verbose and "workers" in verbose


def test_quiet_prints_only_the_answer():
    r = run("solve", "-q")
    assert r.exit_code == 0, r.output
    assert r.output == "All 3,380 users enrolled by 2027-10 (4 months); helpdesk peaks at 94 % in 2027-08.\n"


def test_all_formats(tmp_path: Path, tiny):
    g, c = tiny
    outs = [tmp_path / "p.csv", tmp_path / "p.md", tmp_path / "p.json"]
    r = run("solve", str(g), str(c), "-q", *sum((["--out", str(p)] for p in outs), []))
    assert r.exit_code == 0, r.output

    rows = list(csv.DictReader(outs[0].open(encoding="utf-8-sig")))
    assert list(rows[0]) == ["group", "month", "method", "size", "wave", "phase"]
    by = {row["group"]: row for row in rows}
    # A is eager (readiness 5) so it goes first; both self-service (no other capacity).
    assert by["A"]["month"] == "2027-01" and by["B"]["month"] == "2027-02"
    assert by["A"]["phase"] == "Production phase 1" and by["B"]["phase"] == "Production phase 2"
    assert {row["method"] for row in rows} == {"self-service"}

    md = outs[1].read_text(encoding="utf-8")
    assert "| Production phase 1 | A (100 users) |  |" in md
    assert "Self-service" in md
    assert "| Level | Status | Value | Bound | Gap | Seconds | Stopped by | Bound by |" in md
    assert "| finish | optimal | 1 | 1 | 0.00 % |" in md

    data = json.loads(outs[2].read_text(encoding="utf-8"))
    assert data["status"] == "optimal"
    assert [lv["level"] for lv in data["objective"]] == ["finish", "waiting", "assisted"]
    fin = data["objective"][0]
    assert fin["value"] == fin["bound"] == 1
    assert fin["stopped_by"] == "proof" and fin["bound_by"] in ("cp-sat", "lp relaxation")
    # waiting = 100*5*0 + 100*1*1 = 100
    assert data["objective"][1]["value"] == 100
    assert data["solver"]["ortools_version"]
    assert data["solver"]["seed"] == 0 and "num_workers" in data["solver"]["parameters"]
    assert data["loads"][0]["helpdesk"] == 15 and data["loads"][0]["helpdesk_capacity"] == 20
    assert len(data["assignments"]) == 2

    # Every written plan passes the independent checker.
    inst = load_instance(g, c)
    assert check_plan(read_plan(inst, outs[0])) == []


def test_infeasible_exit_1(tmp_path: Path):
    # 100 users need 15 tickets; the only month has 10.
    g = write(tmp_path / "g.csv", "group,size\nA,100\n")
    c = write(tmp_path / "c.csv", "month,helpdesk\n2027-01,10\n")
    out = tmp_path / "p.json"
    r = run("solve", str(g), str(c), "-q", "--out", str(out))
    assert r.exit_code == 1
    assert r.output == "No plan keeps all the rules.\n"  # -q: only the one-line answer (was "infeasible")
    assert json.loads(out.read_text())["status"] == "infeasible"


@pytest.mark.parametrize(
    "groups,capacity,needle",
    [
        ("group,size\nA,0\n", "month,helpdesk\nm1,10\n", "row 2, column 'size'"),
        ("group,size\nA,x\n", "month,helpdesk\nm1,10\n", "whole number"),
        ("group\nA\n", "month,helpdesk\nm1,10\n", "'size' is missing"),
        ("group,size,after\nA,1,B\nB,1,A\n", "month,helpdesk\nm1,10\n", "cycle"),
        ("group,size,wave,vip\nA,1,pilot,yes\n", "month,helpdesk\nm1,10\n", "VIP"),
        ("group,size,latest\nA,1,m9\n", "month,helpdesk\nm1,10\n", "'m9' is not a month"),
        ("group,size\nA,1\n", "month,helpdesk\nm1,-1\n", "column 'helpdesk'"),
    ],
)
def test_bad_input_exit_2(tmp_path: Path, groups, capacity, needle):
    g = write(tmp_path / "g.csv", groups)
    c = write(tmp_path / "c.csv", capacity)
    r = run("solve", str(g), str(c), "-q")
    assert r.exit_code == 2
    assert needle in r.output
    assert "Traceback" not in r.output


def test_bad_rules_exit_2(tmp_path: Path, tiny):
    g, c = tiny
    rules = write(tmp_path / "rules.toml", "stage_gap = 'one'\n")
    r = run("solve", str(g), str(c), "--rules", str(rules))
    assert r.exit_code == 2 and "stage_gap" in r.output
    rules.write_text("stage_gapp = 1\n")
    r = run("solve", str(g), str(c), "--rules", str(rules))
    assert r.exit_code == 2 and "stage_gapp" in r.output and "valid keys" in r.output


def test_usage_errors_exit_2(tmp_path: Path, tiny):
    g, c = tiny
    assert run("solve", str(g)).exit_code == 2  # one file only
    assert run("solve", str(g), str(c), "--out", str(tmp_path / "p.docx")).exit_code == 2
    assert run("solve", "--seed", "x").exit_code == 2
    assert run("nonsense").exit_code == 2


def test_check_valid_invalid_bad(tmp_path: Path, tiny):
    g, c = tiny
    good = write(tmp_path / "good.csv", "group,month,method\nA,2027-01,self-service\nB,2027-02,Self-service\n")
    r = run("check", str(g), str(c), str(good))
    assert r.exit_code == 0 and "valid" in r.output
    assert "waiting 100" in r.output

    # Hand-edited: both in January -> 30 tickets > 20. Extra columns are ignored.
    bad = write(tmp_path / "bad.csv", "note,group,method,month\nx,A,self-service,2027-01\ny,B,self-service,2027-01\n")
    r = run("check", str(g), str(c), str(bad))
    assert r.exit_code == 1
    assert "2027-01 needs 30 helpdesk tickets but the capacity is 20" in r.output

    missing = write(tmp_path / "missing.csv", "group,month,method\nA,2027-01,self-service\n")
    r = run("check", str(g), str(c), str(missing))
    assert r.exit_code == 1 and "B has no month" in r.output

    unknown = write(tmp_path / "unknown.csv", "group,month,method\nZ,2027-01,self-service\n")
    r = run("check", str(g), str(c), str(unknown))
    assert r.exit_code == 2 and "row 2, column 'group'" in r.output


def test_failed_export_leaves_old_file(tmp_path: Path, tiny, monkeypatch):
    g, c = tiny
    out = tmp_path / "p.json"
    out.write_text("previous good file")
    import optimizer.render.export as export

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(export, "plan_json", boom)
    monkeypatch.setitem(export.WRITERS, ".json", lambda inst, res, p: export.save_text(p, boom()))
    r = run("solve", str(g), str(c), "-q", "--out", str(out))
    assert r.exit_code == 2 and "disk full" in r.output
    assert out.read_text() == "previous good file"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".p.json")] == []


def test_same_seed_same_plan(tmp_path: Path):
    outs = [tmp_path / "a.csv", tmp_path / "b.csv"]
    for p in outs:
        assert run("solve", "-q", "--seed", "7", "--out", str(p)).exit_code == 0
    assert outs[0].read_text() == outs[1].read_text()


def _big_instance(tmp: Path, n: int = 300) -> tuple[Path, Path]:
    """A production-only instance large enough that the waiting level takes a while."""
    rows = ["group,size,readiness,platform"]
    for i in range(n):
        rows.append(f"G{i},{20 + (i * 37) % 400},{1 + i % 5},{['windows', 'ios', 'android'][i % 3]}")
    g = write(tmp / "g.csv", "\n".join(rows) + "\n")
    total = sum(20 + (i * 37) % 400 for i in range(n))
    months = ["month,helpdesk,assisted,tech_fair"] + [
        f"2027-{m:02d},{total * 15 // 100 // 5},{total // 20},{total // 10}" for m in range(1, 13)
    ]
    c = write(tmp / "c.csv", "\n".join(months) + "\n")
    return g, c


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_returns_best_plan(tmp_path: Path):
    g, c = _big_instance(tmp_path)
    out = tmp_path / "p.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "optimizer.cli", "solve", str(g), str(c), "--out", str(out),
         "--time-limit", "120"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        # Ctrl-C as a terminal gives it: a SIGINT disposition the test runner's process may have
        # been left with (ignored, e.g. by a library) would otherwise be inherited by the command
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    # Wait for the first solution line, then press Ctrl-C.
    deadline = time.time() + 60
    seen = ""
    while time.time() < deadline:
        line = proc.stderr.readline()
        seen += line
        if "better plan" in line or "objective" in line or not line:
            break
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, seen + stderr
    data = json.loads(out.read_text())
    assert data["interrupted"] is True
    assert data["status"] in ("feasible", "optimal")
    assert len(data["assignments"]) == 300
    assert "Traceback" not in stderr
