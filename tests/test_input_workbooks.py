"""Input workbooks as LibreOffice and Excel save them (issue 17.6, 17.9): booleans in the Rules
sheet, .ods files, and `rollout check` with the rules recorded in a plan workbook."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.xlsx_input import load_workbook_instance


def _book(path: Path, rules: list[list] | None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Groups"
    ws.append(["group", "size", "vip", "methods"])
    ws.append(["Board", 10, True, "assisted;self-service"])
    ws.append(["Staff", 20, 0, None])
    cap = wb.create_sheet("Capacity")
    cap.append(["month", "helpdesk", "assisted"])
    cap.append(["2027-01", 100, 50])
    if rules is not None:
        r = wb.create_sheet("Rules")
        for row in rules:
            r.append(row)
    wb.save(path)
    return path


@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), (1, True), (0, False), (1.0, True), ("TRUE", True), ("FALSE", False),
    ("ja", True), ("nej", False), ("yes", True), ("no", False), ("1", True), ("0", False), ("y", True),
])
def test_vip_assisted_accepts_what_vip_accepts(tmp_path, value, expected):
    book = _book(tmp_path / "in.xlsx", [["key", "value"], ["stage_gap", 1], ["vip_assisted", value]])
    inst = load_workbook_instance(book)
    assert inst.rules.vip_assisted is expected
    assert inst.group("Board").vip and inst.group("Staff").vip is False


def test_keep_departments_together_as_one(tmp_path):
    book = _book(tmp_path / "in.xlsx", [["keep_departments_together", 1]])
    assert load_workbook_instance(book).rules.keep_departments_together is True


@pytest.mark.parametrize("rules, row, column", [
    ([["key", "value"], ["stage_gap", 1], ["vip_assisted", "maybe"]], 3, "vip_assisted"),
    ([["key", "value"], ["vip_assisted", 2]], 2, "vip_assisted"),
    ([["key", "value"], ["stage_gap", "soon"], ["vip_assisted", True]], 2, "stage_gap"),
    ([["stage_gap", 1], ["colour", "red"]], 2, "colour"),
    ([["key", "value"], ["tickets_per_100_users.fax", 3]], 2, "tickets_per_100_users.fax"),
])
def test_rules_sheet_errors_name_the_row(tmp_path, rules, row, column):
    book = _book(tmp_path / "in.xlsx", rules)
    with pytest.raises(InputError) as e:
        load_workbook_instance(book)
    assert e.value.row == row and e.value.column == column and "sheet Rules" in e.value.file
    r = CliRunner().invoke(main, ["solve", str(book), "-q"])
    assert r.exit_code == 2 and f"sheet Rules, row {row}" in " ".join(r.output.split())
