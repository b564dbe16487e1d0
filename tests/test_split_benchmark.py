"""The split benchmark's pieces (scripts/generate_split.py, scripts/benchmark_split.py): generated
split instances (deterministic, the largest third may split, the same instance with splitting off),
written as files a planner's `rollout` reads; the benchmark's reading of `rollout -v solve` runs
(progress lines, JSON, checker, peak memory) and its Markdown. Short time limits only."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import benchmark_split as B  # noqa: E402
from generate_split import generate_split, split_sizes, write_split_csv  # noqa: E402

from optimizer.inputs.loaders import load_instance  # noqa: E402


def test_split_sizes_largest_third_first():
    sizes = [10, 600, 40, 300, 90, 35, 200, 20, 80]
    months, least = split_sizes(sizes)
    assert set(months) == {1, 3, 6}  # 600, 300, 200: the largest third
    assert months == {1: 3, 3: 3, 6: 2}  # the larger half over 3 months
    assert least == 100  # half of 200, rounded down to fives: every group that may split makes two parts
    assert all(sizes[i] >= 2 * least for i in months)


def test_generated_split_instance_and_its_twin():
    on, off = generate_split(60, 8, 3), generate_split(60, 8, 3, split=False)
    may = [g for g in on.groups if on.max_months(g) > 1]
    assert len(may) == 20 and {on.max_months(g) for g in may} == {2, 3}
    assert min(g.size for g in may) >= max(g.size for g in on.groups if on.max_months(g) == 1)
    assert all(g.size >= 2 * on.least_part(g) for g in may)
    assert on.may_split and not off.may_split
    assert "splits" in on.rules.objective and "splits" not in off.rules.objective
    # the same instance apart from max_months
    assert [(g.name, g.size, g.methods, g.blackout) for g in on.groups] == \
        [(g.name, g.size, g.methods, g.blackout) for g in off.groups]
    assert on.months == off.months and on.rules.min_part_users == off.rules.min_part_users
    assert generate_split(60, 8, 3) == on  # deterministic
    assert generate_split(60, 8, 4) != on


def test_written_files_read_back(tmp_path):
    for split in (True, False):
        inst = generate_split(40, 6, 1, split=split)
        g, c, r = write_split_csv(inst, tmp_path / str(split))
        back = load_instance(g, c, r)
        assert back.groups == tuple(dataclasses.replace(x, row=y.row) for x, y in zip(inst.groups, back.groups))
        assert [m.label for m in back.months] == [m.label for m in inst.months]
        assert back.rules.min_part_users == inst.rules.min_part_users
        assert ("max_months" in g.read_text(encoding="utf-8").splitlines()[0]) == split


def test_parse_progress_lines():
    lines = [(0.9, "Planning x: 3 groups, 4 months (Ctrl-C returns the best plan so far)"),
             (1.2, "  finish: objective 5, bound 3 (0.10 s)"), (1.5, "  finish: objective 4, bound – (0.20 s)"),
             (2.0, "  finish: objective 4, bound 4 (0.30 s)"), (2.5, "  waiting: objective 900, bound 850 (0.1 s)"),
             (3.0, "Wrote plan.csv")]
    start, trace = B.parse_progress(lines)
    assert start == 0.9
    assert [(lv, round(t, 2), v) for lv, t, v, _ in trace] == [("finish", 0.3, 5), ("finish", 0.6, 4),
                                                               ("finish", 1.1, 4), ("waiting", 1.6, 900)]
    assert trace[1][3] != trace[1][3]  # no bound: NaN
    levels = [{"level": "finish", "status": "optimal", "until": 9.0}]
    assert B.finish_proven(levels, trace) == pytest.approx(1.1)
    assert B.finish_proven([{"level": "finish", "status": "feasible", "until": 9.0}], trace) is None
    assert B.finish_proven(levels, trace[:2]) == 9.0  # proven by the level's end (e.g. the LP bound)
    rec = {"trace": trace}
    assert B.at_time(rec, "finish", 0.7) == (4, 3)
    assert B.first_plan(lines, start, trace) == (pytest.approx(0.3), "solver")
    greedy_only = [lines[0], (1.4, "INFO optimizer.solving.solver: no time to build and search the model"), lines[-1]]
    assert B.first_plan(greedy_only, 0.9, []) == (pytest.approx(0.5), "greedy")


def test_split_off_run_through_the_cli(tmp_path):
    """One real `rollout solve` run (splitting off: planned on every branch), read as the
    benchmark reads it: a first plan, the finish, the waiting gap, peak memory, a valid plan."""
    folders = B.prepare("40x6", 1, tmp_path)
    rec = B.run_cli(folders["off"], 6.0)
    assert rec["exit_code"] == 0, rec.get("error")
    assert rec["violations"] == 0 and rec["split_groups"] == 0
    assert rec["first_plan"] is not None and rec["startup"] is not None and rec["peak_mb"] > 20
    lv = {x["level"]: x for x in rec["levels"]}
    assert set(lv) == {"finish", "waiting", "assisted"}
    assert lv["finish"]["value"] == rec["finish"]
    if lv["finish"]["status"] == "optimal":
        assert rec["finish_proven"] is not None and rec["finish_proven"] <= rec["wall"]
    rec.update({"instance": "40x6-s1", "mode": "off", "solver": "rollout", "limit": 6.0})
    on = dict(rec, mode="on", finish=rec["finish"] - 1, user_months=rec["user_months"] - 100, split_groups=2,
              finish_month="2027-0x")
    md = B.render_markdown([rec, on], "test machine", "1.0")
    assert md.startswith(B.MARK_START) and md.rstrip().endswith(B.MARK_END)
    assert "| 40x6-s1 | 6 | " in md and "| 1 | " in md  # the side-by-side row: one month saved
    out = tmp_path / "b.csv"
    B.write_csv([rec], out)
    assert out.read_text(encoding="utf-8").count("\n") == 2


def test_refused_or_failing_run_is_recorded_not_raised(tmp_path):
    """A run that writes no plan (e.g. split inputs before the solver plans parts, exit 2) is a row
    with its exit code and words, in the CSV and Markdown."""
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "groups.csv").write_text("group,size\nA,notanumber\n", encoding="utf-8")
    (folder / "capacity.csv").write_text("month,helpdesk,assisted,tech_fair\n2027-01,10,0,0\n", encoding="utf-8")
    (folder / "rules.toml").write_text("", encoding="utf-8")
    rec = B.run_cli(folder, 2.0)
    assert rec["exit_code"] == 2 and "size" in rec["error"]
    rec.update({"instance": "bad", "mode": "on", "solver": "rollout", "limit": 2.0})
    assert "exit 2" in B.render_markdown([rec], "m", "l")
    B.write_csv([rec], tmp_path / "x.csv")


def test_update_doc_replaces_only_its_section(tmp_path, monkeypatch):
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Benchmarks\n\nbefore\n\n{B.MARK_START}\nold\n{B.MARK_END}\n\nafter\n", encoding="utf-8")
    B.update_doc(f"{B.MARK_START}\nnew\n{B.MARK_END}\n", doc)
    text = doc.read_text(encoding="utf-8")
    assert "old" not in text and "new" in text and "before" in text and "after" in text
    assert text.count(B.MARK_START) == 1


def test_highs_child_record(tmp_path):
    pytest.importorskip("highspy")
    folders = B.prepare("40x6", 2, tmp_path)
    rec = B.run_highs_child(folders["on"], 5.0)
    assert "error" not in rec, rec.get("error")
    assert rec["violations"] == 0 and rec["peak_mb"] > 20
    assert [x["name"] for x in rec["levels"]] == ["finish", "waiting", "assisted", "splits"]
    json.dumps(rec)


def test_judge_plan_reads_a_v2_plan_with_parts(tmp_path):
    """The benchmark judges plans with parts (one CSV row per part) as the checker does, and counts
    user-months per part: here Sales 60 + 40 in January and February (parts of at least 15)."""
    (tmp_path / "groups.csv").write_text(
        "group,size,wave,methods,max_months\nIT,10,pilot,self-service,\nSales,100,production,self-service,2\n",
        encoding="utf-8")
    (tmp_path / "capacity.csv").write_text("month,helpdesk,assisted,tech_fair\n2027-01,20,0,0\n2027-02,20,0,0\n"
                                           "2027-03,20,0,0\n", encoding="utf-8")
    (tmp_path / "rules.toml").write_text("min_part_users = 15\nstage_gap = 1\n", encoding="utf-8")
    plan = tmp_path / "plan.csv"
    rows = ["group,month,method,users,size,wave,phase", "IT,2027-01,self-service,10,10,pilot,Limited pilot",
            "Sales,2027-02,self-service,60,100,production,Production phase 1",
            "Sales,2027-03,self-service,40,100,production,Production phase 2"]
    plan.write_text("\n".join(rows) + "\n", encoding="utf-8")
    got = B.judge_plan(tmp_path, plan)
    assert got["violations"] == 0 and got["split_groups"] == 1 and got["splits"] == 1
    assert got["finish_month"] == "2027-03" and got["user_months"] == 60 * 1 + 40 * 2
    plan.write_text("\n".join(rows[:2] + ["Sales,2027-02,self-service,90,100,production,Production phase 1",
                                          "Sales,2027-03,self-service,10,100,production,Production phase 2"]) + "\n",
                    encoding="utf-8")
    bad = B.judge_plan(tmp_path, plan)
    assert bad["violations"] >= 1 and any("least part" in v for v in bad["first_violations"])


def test_targets_marks_what_is_met():
    """The targets table marks each target met or not, from the run at the right time limit, or
    from the trace of a --trace run (waiting read at 30 s of a 60 s run)."""
    levels = [{"level": "finish", "status": "optimal", "value": 8, "bound": 8},
              {"level": "waiting", "status": "feasible", "value": 1000, "bound": 990}]
    base = {"instance": "200x12-s1", "mode": "on", "solver": "rollout", "levels": levels, "peak_mb": 300.0}
    at30 = dict(base, limit=30.0, first_plan=0.5, finish_proven=6.0)
    lines = "\n".join(B._targets([at30]))
    assert "0.50 (< 1) ✓" in lines and "6.0 (< 5) ✗" in lines and "1.00 % at 30 s (<= 0.1 %) ✗" in lines
    traced = dict(base, limit=60.0, traced=True, first_plan=0.5, finish_proven=2.0,
                  trace=[("waiting", 10.0, 1000.0, 990.0), ("waiting", 25.0, 1000.0, 999.5),
                         ("waiting", 50.0, 999.0, 999.0)])
    lines = "\n".join(B._targets([traced]))
    assert "0.05 % at 30 s (<= 0.1 %) ✓" in lines and "2.0 (< 5) ✓" in lines
    assert B._targets([dict(base, limit=5.0, first_plan=0.5)]) == []  # 5 s runs judge no target
