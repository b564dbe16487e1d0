"""scripts/benchmark_replan.py: says clearly when `rollout replan` is missing; its independent
judge reads the generated re-plan files (the previous plan is no valid re-plan of slipped actuals)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import benchmark_replan as B  # noqa: E402


def test_missing_replan_command_is_reported(capsys):
    if B.replan_missing() is None:
        pytest.skip("rollout replan is there: the benchmark measures it")
    assert B.main(["--size", "20x6", "--limit", "1"]) == B.EXIT_MISSING
    assert "no `rollout replan` command" in capsys.readouterr().err


def test_judge_reads_the_generated_files(tmp_path):
    as_of = B.generate("30x6", 2, 0.5, 0, tmp_path)
    assert as_of == "2027-03"
    rec = B.judge(tmp_path, as_of, tmp_path / "plan.csv")
    # slipped groups' users still sit before --as-of in the previous plan: history rules break
    assert rec["violations"] > 0 and rec["first_violations"][0].startswith(("[no-past-parts]", "[history-kept]"))
    assert set(rec["checker_levels"]) == {"finish", "waiting", "assisted", "splits", "changes"}
