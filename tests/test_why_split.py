"""`rollout why` on a plan with split groups (issue 15): the parts, why the first part is not
earlier, and why the group is split (the re-solve with it in one month)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from optimizer.cli import main
from optimizer.domain import Group
from optimizer.render.export import write_outputs
from optimizer.explain.why import explain_month

from conftest import instance, months, solved

AS = ("assisted",)


def _sales(seats: int = 200):
    # IT (150, readier) takes 150 of January's 200 seats; Sales (310) must split over 2 months
    # and its parts need at least 60 users: February (200) and March (110).
    g = [Group("IT", 150, methods=AS, readiness=5), Group("Sales", 310, methods=AS, readiness=3, max_months=2)]
    return instance(g, months(500, 500, 500, assisted=seats), min_part_users=60)


def _text(w) -> str:
    return "\n".join(t for _, t in w.lines())


def test_why_names_the_parts_the_first_part_and_why_it_is_split():
    inst = _sales()
    res = solved(inst)
    assert res.plan.parts("Sales") == ((1, 200), (2, 110))
    w = explain_month(inst, res.plan, "Sales", time_limit=5, workers=2)
    text = _text(w)
    assert text.startswith("Sales enrolls over 2 months (assisted): 2027-02: 200 of 310 users, "
                           "2027-03: 110 of 310 users.")
    assert "Why in parts: no plan that keeps every rule has all of Sales in one month (the solver proved it)." \
        in text
    assert "What keeps its first part out of each earlier month in this plan:" in text
    # the check moves the first part, not the whole group: Sales 200 + 110 in January and February,
    # IT waits for March (waiting 150 x 5 x 2 + 110 x 3 x 1 = 1,830)
    assert "Checked: with the first part of Sales forced earlier it would enroll from 2027-01 (assisted): the " \
           "plan would still finish in 2027-03, waiting up by 570 (1,830 instead of 1,260, +45.2 %); later then: " \
           "IT 2027-01 -> 2027-03." in text
    assert w.forced.status == "optimal"
    assert w.earlier[0].months == ["2027-01"]
    assert w.earlier[0].reasons == [
        "assisted enrollment has 50 users left (150 / 200 used by IT, which comes first as it is readier: "
        "readiness 5 against 3), a part of Sales (at least 60 users, min_part_users) needs 60 users by assisted"]


def test_why_says_what_one_month_would_cost():
    # 310 seats a month: Sales fits whole, but then IT (readier) waits for February:
    # waiting 150 x 5 x 1 = 750 against Sales' 150 x 3 x 1 = 450 in parts.
    inst = _sales(310)
    res = solved(inst)
    assert res.plan.parts("Sales") == ((0, 160), (1, 150))
    w = explain_month(inst, res.plan, "Sales", time_limit=5, workers=2)
    assert w.earlier == []
    text = _text(w)
    assert "Why in parts: with all of Sales in one month it would enroll in 2027-01 (assisted): the plan would " \
           "still finish in 2027-02, waiting up by 300 (750 instead of 450, +66.7 %); later then: IT 2027-01 -> " \
           "2027-02." in text


def test_cli_why_on_a_v2_plan(tmp_path: Path):
    inst = _sales()
    g, c, p = tmp_path / "groups.csv", tmp_path / "capacity.csv", tmp_path / "plan.csv"
    g.write_text("group,size,methods,readiness,max_months\nIT,150,assisted,5,\nSales,310,assisted,3,2\n")
    c.write_text("month,helpdesk,assisted\n" + "".join(f"{m.label},500,200\n" for m in inst.months))
    r = tmp_path / "rules.toml"
    r.write_text("min_part_users = 60\n")
    write_outputs(inst, solved(inst), [str(p)])
    out = CliRunner().invoke(main, ["why", str(g), str(c), str(p), "Sales", "--rules", str(r), "--time-limit", "5",
                                    "--workers", "2"], env={"COLUMNS": "80"})
    assert out.exit_code == 0, out.output
    assert "Traceback" not in out.output
    assert out.output.startswith("Sales enrolls over 2 months (assisted): 2027-02: 200 of 310 users,")
    assert "Why in parts:" in out.output and "a part of Sales" in out.output
    assert all(len(line) <= 80 for line in out.output.splitlines())
