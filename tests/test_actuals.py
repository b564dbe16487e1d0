"""Actuals of a re-plan (optimizer.replan.actuals) and the history built from them (optimizer.replan.history):
every input error of the spec names file, row and column; the facts are those of the spec."""

from __future__ import annotations

import dataclasses

import pytest
from openpyxl import Workbook

from optimizer.replan.actuals import as_of_index, load_actuals
from optimizer.domain import Group
from optimizer.errors import InputError
from optimizer.replan.history import build_history

from conftest import instance, months

HEADER = "group,month,users,method,tickets\n"


@pytest.fixture
def inst():
    # 2027-01 .. 2027-06
    return instance([Group("Pilot", 60, wave="pilot"), Group("Sales", 300), Group("HR", 40, methods=("assisted",))],
                    months(100, 100, 100, 100, 100, 100, assisted=50))


def _load(inst, tmp_path, text: str, as_of: str = "2027-04", name: str = "act.csv", encoding: str = "utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return load_actuals(inst, p, as_of)


def _error(inst, tmp_path, text: str, as_of: str = "2027-04") -> InputError:
    with pytest.raises(InputError) as err:
        _load(inst, tmp_path, text, as_of)
    return err.value


def test_reads_rows_as_month_indices(inst, tmp_path):
    a = _load(inst, tmp_path, HEADER + "Pilot,2027-01,60,self-service,12\nSales,2027-03,100,Självbetjäning,\n"
              "HR,2027-03,0,assisted,3\n")
    assert a.as_of == 3
    assert [(r.group, r.month, r.users, r.method, r.tickets, r.row) for r in a.rows] == [
        ("Pilot", 0, 60, "self-service", 12, 2), ("Sales", 2, 100, "self-service", None, 3),
        ("HR", 2, 0, "assisted", 3, 4)]
    assert a.users_by_group() == {"Pilot": 60, "Sales": 100, "HR": 0}


def test_swedish_excel_csv_semicolons_bom_cp1252(inst, tmp_path):
    a = _load(inst, tmp_path, "\ufeffgroup;month;users;method\nSales;mars 2027;200;Assisterad\n")
    assert [(r.month, r.users, r.method) for r in a.rows] == [(2, 200, "assisted")]
    a = _load(inst, tmp_path, "group;month;users;method\nSales;2027-02;120;Självbetjäning\n", encoding="cp1252")
    assert a.rows[0].method == "self-service"


def test_any_method_is_accepted_even_one_the_group_may_not_use(inst, tmp_path):
    # HR may only use assisted now; what happened is not judged
    a = _load(inst, tmp_path, HEADER + "HR,2027-01,10,tech-fair,\n")
    assert a.rows[0].method == "tech-fair"


@pytest.mark.parametrize("text, row, column, fragments", [
    ("Nobody,2027-01,5,assisted,\n", 2, "group", ["'Nobody' is not a group"]),
    (",2027-01,5,assisted,\n", 2, "group", ["group name is empty"]),
    ("Sales,2027-01,200,assisted,\nSales,2027-02,101,assisted,\n", 3, "users",
     ["add up to 301", "rows 2, 3", "size 300"]),
    ("Sales,2027-01,301,assisted,\n", 2, "users", ["301 actual users of 'Sales' are more than its size 300"]),
    ("Pilot,2027-04,5,assisted,\n", 2, "month", ["'2027-04' is not before --as-of 2027-04"]),
    ("Pilot,2027-06,5,assisted,\n", 2, "month", ["'2027-06' is not before --as-of 2027-04"]),
    ("Pilot,2030-01,5,assisted,\n", 2, "month", ["'2030-01' is not a month of the capacity file"]),
    ("Pilot,,5,assisted,\n", 2, "month", ["month label is empty"]),
    ("Pilot,2027-01,-5,assisted,\n", 2, "users", ["between 0 and", "-5"]),
    ("Pilot,2027-01,2.5,assisted,\n", 2, "users", ["whole number", "2.5"]),
    ("Pilot,2027-01,,assisted,\n", 2, "users", ["whole number"]),
    ("Pilot,2027-01,5,assisted,-1\n", 2, "tickets", ["between 0 and", "-1"]),
    ("Pilot,2027-01,5,assisted,many\n", 2, "tickets", ["whole number", "many"]),
    ("Pilot,2027-01,5,carrier pigeon,\n", 2, "method", ["'carrier pigeon' is not a method"]),
    ("Pilot,2027-01,5,,\n", 2, "method", ["is not a method"]),
    ("Pilot,2027-01,5,assisted,\nPilot,jan 2027,5,assisted,\n", 3, "month",
     ["'Pilot' in 2027-01 appears twice", "also on row 2"]),
])
def test_input_errors_name_file_row_and_column(inst, tmp_path, text, row, column, fragments):
    err = _error(inst, tmp_path, HEADER + text)
    assert (err.file, err.row, err.column) == (str(tmp_path / "act.csv"), row, column)
    message = str(err)
    assert message.startswith(f"{tmp_path / 'act.csv'}, row {row}, column '{column}': ")
    for f in fragments:
        assert f in message
    assert "\n" not in message


def test_zero_users_rows_count_for_the_size_check_and_duplicates(inst, tmp_path):
    err = _error(inst, tmp_path, HEADER + "HR,2027-01,0,assisted,1\nHR,2027-01,3,assisted,\n")
    assert err.row == 3 and "appears twice" in str(err)
    a = _load(inst, tmp_path, HEADER + "HR,2027-01,40,assisted,\nHR,2027-02,0,assisted,2\n")
    assert a.users_by_group() == {"HR": 40}


def test_missing_column_and_not_an_actuals_file(inst, tmp_path):
    err = _error(inst, tmp_path, "group,month,method\nPilot,2027-01,assisted\n")
    assert err.row == 1 and "'users' is missing" in str(err)
    err = _error(inst, tmp_path, "root:x:0:0\nbin:x:1:1\n")
    assert "none of the expected columns" in str(err)


@pytest.mark.parametrize("as_of", ["2030-01", "M7", ""])
def test_as_of_must_be_a_month_of_the_capacity_file(inst, tmp_path, as_of):
    err = _error(inst, tmp_path, HEADER + "Pilot,2027-01,5,assisted,\n", as_of=as_of)
    assert err.column == "--as-of" and err.file is None
    assert str(err).startswith("column '--as-of': ")
    assert "is not a month of the capacity file" in str(err) and "2027-01 .. 2027-06" in str(err)


def test_as_of_accepts_any_month_text(inst):
    assert as_of_index(inst, "april 2027") == 3 == as_of_index(inst, "2027-4")
    assert as_of_index(inst, "2027-01") == 0


def test_as_of_first_month_leaves_no_room_for_actuals(inst, tmp_path):
    err = _error(inst, tmp_path, HEADER + "Pilot,2027-01,5,assisted,\n", as_of="2027-01")
    assert "not before --as-of 2027-01" in str(err)


def test_swedish_messages(inst, tmp_path):
    from optimizer import i18n

    i18n.set_language("sv")
    for text, word in [("Pilot,2027-05,5,assisted,\n", "--as-of"), ("Pilot,2027-01,5,assisted,\nPilot,2027-01,5,assisted,\n",
                       "rad"), ("Sales,2027-01,301,assisted,\n", "storlek"),
                       ("Sales,2027-01,200,assisted,\nSales,2027-02,101,assisted,\n", "rader 2, 3")]:
        message = str(_error(inst, tmp_path, HEADER + text))
        assert word in message
        assert "is not" not in message and "appears twice" not in message and "more than" not in message, message
    assert "inte en månad" in str(_error(inst, tmp_path, HEADER + "Pilot,2027-01,5,assisted,\n", as_of="2030-01"))


def _book(path, sheets: dict[str, list[list]]):
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def test_actuals_sheet_of_a_workbook(inst, tmp_path):
    import datetime as dt

    book = _book(tmp_path / "in.xlsx", {"Groups": [["group", "size"]], "Actuals": [
        ["group", "month", "users", "method", "tickets"], ["Pilot", dt.date(2027, 2, 1), 60.0, "Self-service", 9],
        ["Sales", "2027-03", 150, "assisted", None]]})
    a = load_actuals(inst, book, "2027-04")
    assert [(r.group, r.month, r.users, r.method, r.tickets) for r in a.rows] == [
        ("Pilot", 1, 60, "self-service", 9), ("Sales", 2, 150, "assisted", None)]
    bad = _book(tmp_path / "bad.xlsx", {"Actuals": [["group", "month", "users", "method"],
                                                    ["Sales", "2027-03", 150, "assisted"], ["Sales", "2027-05", 1, "assisted"]]})
    with pytest.raises(InputError) as err:
        load_actuals(inst, bad, "2027-04")
    assert str(err.value).startswith("bad.xlsx, sheet Actuals, row 3, column 'month': ")


def test_workbook_without_actuals_sheet(inst, tmp_path):
    book = _book(tmp_path / "in.xlsx", {"Groups": [["group", "size"]], "Capacity": [["month"]]})
    with pytest.raises(InputError) as err:
        load_actuals(inst, book, "2027-04")
    assert "no sheet 'Actuals'" in str(err.value) and "Groups, Capacity" in str(err.value)


# ------------------------------------------------------------------------------ history
def test_history_facts(inst, tmp_path):
    a = _load(inst, tmp_path, HEADER + "Sales,2027-03,100,assisted,\nPilot,2027-01,60,self-service,12\n"
              "Sales,2027-01,180,self-service,\nHR,2027-02,0,assisted,1\n")
    h = build_history(inst, a)
    assert h.as_of == 3
    assert {g: [(p.month, p.users, p.method) for p in ps] for g, ps in h.parts.items()} == {
        "Pilot": [(0, 60, "self-service")], "Sales": [(0, 180, "self-service"), (2, 100, "assisted")]}
    assert dict(h.remaining) == {"Pilot": 0, "Sales": 20, "HR": 40}
    assert h.done == {"Pilot"}
    # min(min_part_users = 50, r_g): Sales has 20 left and may finish with one part of 20
    assert dict(h.least_part) == {"Sales": 20, "HR": 40}
    assert h.started("Sales") and not h.started("HR")
    assert (h.first_month("Sales"), h.last_month("Sales"), h.last_month("HR")) == (0, 2, None)
    assert h.actual_users("Sales") == 280
    with pytest.raises(dataclasses.FrozenInstanceError):
        h.as_of = 2
    with pytest.raises(TypeError):
        h.remaining["HR"] = 0


def test_history_least_part_follows_min_part_users(inst, tmp_path):
    a = _load(inst, tmp_path, HEADER + "Sales,2027-01,100,assisted,\n")
    assert dict(build_history(inst, a, min_part_users=30).least_part) == {"Pilot": 30, "Sales": 30, "HR": 30}
    assert dict(build_history(inst, a, min_part_users=0).least_part) == {"Pilot": 1, "Sales": 1, "HR": 1}
    assert dict(build_history(inst, a, min_part_users=500).least_part) == {"Pilot": 60, "Sales": 200, "HR": 40}


def test_workbook_without_actuals_sheet_in_swedish(inst, tmp_path):
    from optimizer import i18n

    book = _book(tmp_path / "in.xlsx", {"Groups": [["group", "size"]]})
    i18n.set_language("sv")
    with pytest.raises(InputError) as err:
        load_actuals(inst, book, "2027-04")
    assert "arbetsboken har inget blad 'Actuals'" in str(err.value)


# ------------------------------------------------------------------------------ order floor
def test_order_floor_from_the_history(tmp_path):
    from optimizer.replan.history import order_floor

    inst = instance([Group("P", 20, wave="pilot"), Group("E", 100, wave="expanded-pilot"),
                     Group("S", 300), Group("H", 50, risk="high"), Group("F", 40, after=("S",)),
                     Group("L", 40, after=("P",)), Group("D", 10)],
                    months(100, 100, 100, 100, 100, 100, 100, 100), stage_gap=1, risk_delay=2)
    # as of 2027-03 (index 2): the pilot is done in 2027-01 (index 0), the expanded pilot half done in
    # 2027-02, S started in 2027-02, D done ahead of plan in 2027-02 (production before the pilot stage
    # ended: history, not judged)
    a = _load(inst, tmp_path, HEADER + "P,2027-01,20,self-service,\nE,2027-02,50,self-service,\n"
              "S,2027-02,100,assisted,\nD,2027-02,10,assisted,\n", as_of="2027-03")
    floor = order_floor(inst, build_history(inst, a))
    # the expanded pilot still has users from 2027-03 on, so production opens at 2 + stage_gap 1 = 3
    assert floor == {"E": 2, "S": 3, "H": 5, "F": 3, "L": 3}
    # with the whole pilot stage done in the past, production opens right after it: 1 + 1
    a = _load(inst, tmp_path, HEADER + "P,2027-01,20,self-service,\nE,2027-02,100,self-service,\n"
              "S,2027-02,100,assisted,\n", as_of="2027-04")
    floor = order_floor(inst, build_history(inst, a))
    assert floor == {"S": 3, "H": 4, "F": 4, "L": 3, "D": 3}


def test_order_floor_without_a_pilot_stage(tmp_path):
    from optimizer.replan.history import order_floor

    inst = instance([Group("A", 10), Group("B", 10, risk="high", after=("A",))], months(100, 100, 100, 100))
    a = _load(inst, tmp_path, HEADER + "A,2027-01,10,assisted,\n", as_of="2027-02")
    assert order_floor(inst, build_history(inst, a)) == {"B": 1}
    a = _load(inst, tmp_path, HEADER + "A,2027-01,5,assisted,\n", as_of="2027-02")
    assert order_floor(inst, build_history(inst, a)) == {"A": 1, "B": 2}


def test_a_header_alone_means_nothing_enrolled_yet(inst, tmp_path):
    a = _load(inst, tmp_path, "\ufeffGroup;Month;Users;Method;Tickets\r\n\r\n", as_of="2027-01")
    assert a.rows == () and a.as_of == 0
    h = build_history(inst, a)
    assert dict(h.remaining) == {"Pilot": 60, "Sales": 300, "HR": 40} and not h.done and not h.parts
    book = _book(tmp_path / "in.xlsx", {"Actuals": [["group", "month", "users", "method"]]})
    assert load_actuals(inst, book, "2027-02").rows == ()
    # still the actuals' columns: a header of another file is refused
    for bad in ("group,size\n", ""):
        err = _error(inst, tmp_path, bad)
        assert str(err).startswith(str(tmp_path / "act.csv")), str(err)


# ------------------------------------------------------------------------------ fuzz
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_cells = {
    "group": st.sampled_from(["Pilot", "Sales", "HR", "Nobody", "", "sales", "'=Sales", "[bold]HR[/bold]"]),
    "month": st.sampled_from(["2027-01", "2027-02", "mars 2027", "2027-04", "2027-06", "2030-01", "", "M1", "2027-13"]),
    "users": st.sampled_from(["0", "1", "40", "59", "60", "150", "301", "-1", "2.5", "", "1\u00a0000", "+5", "x"]),
    "method": st.sampled_from(["assisted", "Self-service", "tech fair", "IT-teknikmässa", "", "pigeon"]),
    "tickets": st.sampled_from(["", "0", "7", "-2", "many", "100000001"]),
}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.fixed_dictionaries(_cells), max_size=6), st.sampled_from([",", ";"]),
       st.sampled_from(["2027-01", "2027-04", "2027-06", "2027-07"]))
def test_any_actuals_file_is_read_or_refused_with_a_located_error(inst, tmp_path, rows, sep, as_of):
    text = sep.join(_cells) + "\n" + "".join(sep.join(r.values()) + "\n" for r in rows)
    try:
        a = _load(inst, tmp_path, text, as_of)
    except InputError as err:
        message = str(err)
        assert "\n" not in message and (err.file or err.column == "--as-of")
        if err.row is not None and err.row > 1:
            assert err.column in _cells
        return
    sizes = {g.name: g.size for g in inst.groups}
    assert all(0 <= r.month < a.as_of and r.users >= 0 for r in a.rows)
    assert all(u <= sizes[g] for g, u in a.users_by_group().items())
    assert len({(r.group, r.month) for r in a.rows}) == len(a.rows)
    h = build_history(inst, a)
    assert all(h.remaining[g] + h.actual_users(g) == sizes[g] for g in sizes)


def test_history_rows_of_a_replan_are_absent_or_exactly_the_actuals(inst, tmp_path):
    from optimizer.replan.history import HistoryMismatch, Part, history_mismatches

    h = build_history(inst, _load(inst, tmp_path, HEADER + "Sales,2027-01,100,assisted,\nSales,2027-02,50,self-service,\n"
                                  "Pilot,2027-02,60,self-service,\nHR,2027-03,0,assisted,4\n"))
    future = {("Sales", 3): (150, "assisted"), ("HR", 4): (40, "assisted")}
    assert history_mismatches(h, future) == []  # absent
    exact = future | {("Sales", 0): (100, "assisted"), ("Sales", 1): (50, "self-service"),
                      ("Pilot", 1): (60, "self-service"), ("HR", 2): (0, "assisted")}
    assert history_mismatches(h, exact) == []
    wrong = dict(exact)
    wrong["Sales", 1] = (50, "assisted")     # another method
    del wrong["Pilot", 1]                    # an actual part left out
    wrong["HR", 0] = (5, "assisted")         # a part that did not happen
    assert history_mismatches(h, wrong) == [
        HistoryMismatch("HR", 0, None, Part(0, 5, "assisted")),
        HistoryMismatch("Pilot", 1, Part(1, 60, "self-service"), None),
        HistoryMismatch("Sales", 1, Part(1, 50, "self-service"), Part(1, 50, "assisted"))]


def test_actuals_sheet_of_an_ods_workbook(inst, tmp_path):
    from test_input_workbooks import write_ods

    ods = write_ods(tmp_path / "in.ods", {"Groups": [["group", "size"]], "Actuals": [
        ["Group", "Month", "Users", "Method", "Tickets"], ["HR", "2027-02", 40, "Assisterad", 1],
        ["Sales", "feb 2027", 301, "assisted", None]]}, tail_rows=10)
    with pytest.raises(InputError) as err:
        load_actuals(inst, ods, "2027-04")
    assert str(err.value).startswith("in.ods, sheet Actuals, row 3, column 'users': 301 actual users of 'Sales'")
