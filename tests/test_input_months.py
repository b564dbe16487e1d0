"""Month labels as planners and spreadsheets write them (issue 17.8): read as that month
(YYYY-MM), in time order or an error naming the month; blackouts outside the horizon ignored
with a note; free labels (m1, m2, ...) keep working as before."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from optimizer.checker import check_plan
from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.inputs.loaders import load_instance
from optimizer.months import month_key
from optimizer.inputs.scenario import load_scenario
from optimizer.inputs.xlsx_input import load_workbook_instance

from conftest import solved


@pytest.mark.parametrize("text, key", [
    ("2026-05", "2026-05"), ("2026-5", "2026-05"), ("2026/05", "2026-05"), ("05/2026", "2026-05"),
    ("2026-05-01", "2026-05"), ("2026-05-01 00:00:00", "2026-05"), ("maj 2026", "2026-05"),
    ("May 2026", "2026-05"), ("MAJ 2026", "2026-05"), ("september 2027", "2027-09"), ("Sep-27", "2027-09"),
    ("sep. 2027", "2027-09"), ("okt-26", "2026-10"), ("Mars 2027", "2027-03"), ("2026 maj", "2026-05"),
    ("m1", None), ("M1 2027", None), ("Jan", None), ("2027-13", None), ("Q3", None), ("12", None),
    ("Jully 2027", None), ("", None),
])
def test_month_key(text, key):
    assert month_key(text) == key


def _load(tmp: Path, groups: str, capacity: str):
    (tmp / "g.csv").write_text(groups, encoding="utf-8")
    (tmp / "c.csv").write_text(capacity, encoding="utf-8")
    return load_instance(tmp / "g.csv", tmp / "c.csv")


def test_month_like_labels_are_read_as_months_everywhere(tmp_path):
    inst = _load(tmp_path,
                 "group,size,earliest,latest,blackout\nA,10,maj 2026,Jul-26,2026/06\nB,10,,,\n",
                 "month,helpdesk\nMay 2026,100\n2026-6,100\njuli 2026,100\n")
    assert inst.month_labels == ["2026-05", "2026-06", "2026-07"]
    a = inst.group("A")
    assert (a.earliest, a.latest, a.blackout) == ("2026-05", "2026-07", ("2026-06",))
    res = solved(inst)
    assert check_plan(res.plan) == []
    assert res.plan.assignments["A"].month != 1


def test_free_labels_still_work(tmp_path):
    inst = _load(tmp_path, "group,size,earliest\nA,10,m2\n", "month,helpdesk\nm1,100\nm2,100\n")
    assert inst.month_labels == ["m1", "m2"] and inst.group("A").earliest == "m2"


def test_months_out_of_order_name_the_month(tmp_path):
    with pytest.raises(InputError) as e:
        _load(tmp_path, "group,size\nA,10\n", "month,helpdesk\n2026-05,100\n2026-07,100\n2026-06,100\n")
    assert e.value.row == 4 and e.value.column == "month"
    assert "2026-06" in str(e.value) and "2026-07" in str(e.value) and "time order" in str(e.value)


def test_same_month_written_twice_differently(tmp_path):
    with pytest.raises(InputError, match="appears twice"):
        _load(tmp_path, "group,size\nA,10\n", "month,helpdesk\n2026-05,100\nmaj 2026,100\n")


def test_impossible_year_month_is_an_error(tmp_path):
    with pytest.raises(InputError) as e:
        _load(tmp_path, "group,size\nA,10\n", "month,helpdesk\n2026-12,100\n2026-13,100\n")
    assert e.value.row == 3 and "not a month" in str(e.value)


def test_blackout_outside_the_horizon_is_ignored_with_a_note(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        inst = _load(tmp_path, "group,size,blackout\nA,10,2026-05;2030-01\n",
                     "month,helpdesk\n2026-05,100\n2026-06,100\n")
    assert inst.group("A").blackout == ("2026-05",)
    msg = " ".join(r.getMessage() for r in caplog.records)
    assert "2030-01" in msg and "row 2" in msg and "ignored" in msg and "g.csv" in msg
    r = CliRunner().invoke(main, ["solve", str(tmp_path / "g.csv"), str(tmp_path / "c.csv"), "-q",
                                  "--time-limit", "2"])
    assert r.exit_code == 0 and "ignored" in r.output


def test_earliest_outside_the_horizon_stays_an_error(tmp_path):
    with pytest.raises(InputError, match="'2030-01' is not a month"):
        _load(tmp_path, "group,size,earliest\nA,10,2030-01\n", "month,helpdesk\n2026-05,100\n")


def test_date_cells_and_libreoffice_labels_in_a_workbook(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Groups"
    ws.append(["group", "size", "blackout"])
    ws.append(["A", 10, "Jun-26"])
    cap = wb.create_sheet("Capacity")
    cap.append(["month", "helpdesk"])
    cap.append([dt.datetime(2026, 5, 1), 100])
    cap.append(["Jun-26", 100])
    cap.append(["juli 2026", 100])
    wb.save(tmp_path / "in.xlsx")
    inst = load_workbook_instance(tmp_path / "in.xlsx")
    assert inst.month_labels == ["2026-05", "2026-06", "2026-07"]
    assert inst.group("A").blackout == ("2026-06",)


def test_plan_file_months_and_scenario_months_are_read_the_same_way(tmp_path):
    inst = _load(tmp_path, "group,size\nA,10\nB,10\n", "month,helpdesk\n2026-05,100\n2026-06,100\n")
    (tmp_path / "p.csv").write_text("group,month,method\nA,maj 2026,self-service\nB,June 2026,assisted\n")
    r = CliRunner().invoke(main, ["check", str(tmp_path / "g.csv"), str(tmp_path / "c.csv"), str(tmp_path / "p.csv")])
    assert "not a month" not in r.output and "Traceback" not in r.output
    sc = tmp_path / "s.toml"
    sc.write_text('groups = "g.csv"\ncapacity = "c.csv"\nstart = "juni 2026"\n'
                  '[capacity_add."Jun 2026"]\nhelpdesk = 5\n')
    s = load_scenario(sc)
    assert s.month_labels == ["2026-06"] and s.months[0].helpdesk == 105
    assert inst.month_labels == ["2026-05", "2026-06"]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=30),
                 st.builds(lambda y, m, sep, name: f"{name} {y}" if sep == "named" else f"{y}{sep}{m}",
                           st.integers(1900, 2300), st.integers(0, 14), st.sampled_from(["-", "/", ".", "named"]),
                           st.sampled_from(["maj", "Sep", "december", "okt.", "xyz"]))))
def test_month_key_is_a_month_or_nothing_and_stable(text):
    key = month_key(text)
    if key is not None:
        assert len(key) == 7 and key[4] == "-" and 1 <= int(key[5:]) <= 12
        assert month_key(key) == key
