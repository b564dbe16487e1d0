"""Input workbooks as LibreOffice and Excel save them (issue 17.6, 17.9): booleans in the Rules
sheet, .ods files, and `rollout check` with the rules recorded in a plan workbook."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.inputs.xlsx_input import load_workbook_instance


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


# ------------------------------------------------------------ .ods input (17.9)
ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "example"
_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def _ods_cell(v) -> str:
    from xml.sax.saxutils import escape

    if v is None:
        return "<table:table-cell/>"
    if isinstance(v, bool):
        return (f'<table:table-cell office:value-type="boolean" office:boolean-value="{str(v).lower()}">'
                f"<text:p>{str(v).upper()}</text:p></table:table-cell>")
    if isinstance(v, (int, float)):
        return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
    if isinstance(v, tuple) and v[0] == "date":
        return f'<table:table-cell office:value-type="date" office:date-value="{v[1]}"><text:p>x</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'


def write_ods(path: Path, sheets: dict[str, list[list]], *, tail_rows: int = 1048570) -> Path:
    """A minimal .ods as LibreOffice writes it: rows padded with 16,384-wide repeated empty cells
    and a trailing block of ~1 million repeated empty rows."""
    import zipfile

    body = []
    for name, rows in sheets.items():
        xml = [f'<table:table table:name="{name}">']
        for row in rows:
            if row is None:
                xml.append('<table:table-row><table:table-cell table:number-columns-repeated="16384"/></table:table-row>')
                continue
            cells = "".join(_ods_cell(v) for v in row)
            xml.append(f'<table:table-row>{cells}<table:table-cell table:number-columns-repeated="{16384 - len(row)}"/>'
                       "</table:table-row>")
        xml.append(f'<table:table-row table:number-rows-repeated="{tail_rows}">'
                   '<table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table>')
        body.append("".join(xml))
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS}><office:body>'
               f'<office:spreadsheet>{"".join(body)}</office:spreadsheet></office:body></office:document-content>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    return path


def _example_sheets() -> dict[str, list[list]]:
    import csv

    def rows(p):
        out = list(csv.reader(open(p, encoding="utf-8-sig")))
        return [out[0]] + [[float(c) if c.isdigit() else c for c in r] for r in out[1:]]

    return {"Groups": rows(EXAMPLE / "groups.csv"), "Capacity": rows(EXAMPLE / "capacity.csv")}


def test_ods_solves_to_the_same_plan_as_csv(tmp_path):
    ods = write_ods(tmp_path / "in.ods", _example_sheets())
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    run = CliRunner().invoke
    assert run(main, ["solve", str(EXAMPLE / "groups.csv"), str(EXAMPLE / "capacity.csv"), "-q", "--time-limit", "10",
                      "--out", str(a)]).exit_code == 0
    r = run(main, ["solve", str(ods), "-q", "--time-limit", "10", "--out", str(b)])
    assert r.exit_code == 0, r.output
    assert a.read_text() == b.read_text()
    r = run(main, ["check", str(ods), str(b)])
    assert r.exit_code == 0 and "valid" in r.output


def test_ods_values_rules_and_errors(tmp_path):
    sheets = {
        "Groups": [["group", "size", "vip", "methods"], ["Board", 10.0, True, "assisted"], None,
                   ["Staff", 20.0, False, None], ["Bad", "lots", None, None]],
        "Capacity": [["month", "helpdesk", "assisted"], [("date", "2027-01-01"), 100.0, 50.0],
                     [("date", "2027-02-01T00:00:00"), 100.0, 50.0]],
        "Rules": [["key", "value"], ["vip_assisted", 1.0], ["stage_gap", "soon"]],
    }
    ods = write_ods(tmp_path / "in.ods", sheets)
    with pytest.raises(InputError) as e:
        load_workbook_instance(ods)
    assert (e.value.file, e.value.row, e.value.column) == ("in.ods, sheet Rules", 3, "stage_gap")
    sheets["Rules"].pop()
    write_ods(ods, sheets)
    with pytest.raises(InputError) as e:
        load_workbook_instance(ods)
    assert (e.value.file, e.value.row, e.value.column) == ("in.ods, sheet Groups", 5, "size")
    sheets["Groups"].pop()
    write_ods(ods, sheets)
    inst = load_workbook_instance(ods)
    assert inst.month_labels == ["2027-01", "2027-02"] and inst.rules.vip_assisted is True
    assert [(g.name, g.row, g.vip) for g in inst.groups] == [("Board", 2, True), ("Staff", 4, False)]


@pytest.mark.parametrize("data, fragment", [
    (b"not a zip", "not a readable .ods"),
    (b"PK\x03\x04broken", "not a readable .ods"),
])
def test_damaged_ods(tmp_path, data, fragment):
    (tmp_path / "x.ods").write_bytes(data)
    r = CliRunner().invoke(main, ["solve", str(tmp_path / "x.ods"), "-q"])
    assert r.exit_code == 2 and fragment in r.output and "Traceback" not in r.output


def test_ods_with_too_many_cells(tmp_path, monkeypatch):
    import optimizer.inputs.xlsx_input as X

    monkeypatch.setattr(X, "MAX_CELLS", 50)
    ods = write_ods(tmp_path / "in.ods", _example_sheets())
    with pytest.raises(InputError, match="more than 50 cells"):
        load_workbook_instance(ods)


def test_libreoffice_saved_ods(tmp_path):
    """A real LibreOffice round trip: an input workbook saved as .ods by soffice (TRUE becomes 1)."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    book = _book(tmp_path / "in.xlsx", [["key", "value"], ["vip_assisted", True]])
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "ods",
                    "--outdir", str(tmp_path), str(book)], capture_output=True, timeout=120)
    if not (tmp_path / "in.ods").exists():
        pytest.skip("LibreOffice could not convert the workbook here")
    inst = load_workbook_instance(tmp_path / "in.ods")
    assert inst.rules.vip_assisted is True and inst.group("Board").vip
    assert [g.name for g in inst.groups] == ["Board", "Staff"]
    # A plan workbook saved as .ods by LibreOffice checks like the .xlsx it came from.
    plan = tmp_path / "plan.xlsx"
    r = CliRunner().invoke(main, ["solve", str(tmp_path / "in.ods"), "-q", "--time-limit", "5", "--out", str(plan)])
    assert r.exit_code == 0, r.output
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "ods",
                    "--outdir", str(tmp_path), str(plan)], capture_output=True, timeout=120)
    r = CliRunner().invoke(main, ["check", str(tmp_path / "in.ods"), str(tmp_path / "plan.ods")])
    assert r.exit_code == 0 and "valid" in r.output, r.output


# ------------------------------------------------------------ check takes a plan workbook's rules (17.9)
def test_check_uses_the_rules_recorded_in_a_plan_workbook(tmp_path):
    from openpyxl import load_workbook

    rules = tmp_path / "one-platform.toml"
    rules.write_text("max_platforms_per_month = 1\n")
    (tmp_path / "g.csv").write_text("group,size,platform\nA,10,windows\nB,10,ios\nC,10,windows\n")
    (tmp_path / "c.csv").write_text("month,helpdesk\n2027-01,100\n2027-02,100\n2027-03,100\n")
    g, c, plan = str(tmp_path / "g.csv"), str(tmp_path / "c.csv"), tmp_path / "plan.xlsx"
    r = CliRunner().invoke(main, ["solve", g, c, "--rules", str(rules), "-q", "--time-limit", "10", "--out", str(plan)])
    assert r.exit_code == 0, r.output
    # Hand-edit the plan: move one group into a month where another platform enrolls.
    wb = load_workbook(plan)
    ws = wb["Assignments"]
    head = [c.value for c in ws[1]]
    gi, mi, pi = head.index("group"), head.index("month"), head.index("platform")
    rows = list(ws.iter_rows(min_row=2))
    a, b = next((x, y) for x in rows for y in rows
                if x[pi].value != y[pi].value and x[mi].value != y[mi].value)
    a[mi].value = b[mi].value
    wb.save(plan)
    r = CliRunner().invoke(main, ["check", g, c, str(plan)])
    text = " ".join(r.output.split())
    assert r.exit_code == 1 and "platform" in text.lower(), text
    assert "as recorded in plan.xlsx" in text
    default = tmp_path / "default.toml"
    default.write_text("")
    r2 = CliRunner().invoke(main, ["check", g, c, str(plan), "--rules", str(default)])
    assert r2.exit_code == 0 and "recorded" not in r2.output, r2.output


def test_ods_text_forms():
    import io
    import zipfile

    from optimizer.inputs.ods_input import OdsBook

    content = (f'<office:document-content {_NS}><office:body><office:spreadsheet><table:table table:name="G">'
               '<table:table-row table:number-rows-repeated="3"><table:table-cell/></table:table-row>'
               '<table:table-row><table:table-cell office:value-type="string" office:string-value="hej"/>'
               '<table:table-cell table:number-columns-repeated="2"/>'
               '<table:table-cell office:value-type="string"><text:p>a<text:s text:c="3"/>b<text:span>c</text:span>'
               '</text:p><text:p>d</text:p></table:table-cell>'
               '<table:table-cell office:value-type="percentage" office:value="0.5"/>'
               '<table:table-cell office:value-type="boolean" office:boolean-value="false"/></table:table-row>'
               '<table:table-row table:number-rows-repeated="2"><table:table-cell office:value-type="float" '
               'office:value="7"/></table:table-row></table:table></office:spreadsheet></office:body>'
               '</office:document-content>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("content.xml", content)
    book = OdsBook(buf.getvalue(), "x.ods", max_cells=100)
    assert list(book.rows("G")) == [(4, ["hej", None, None, "a   bc\nd", 0.5, False]), (5, [7.0]), (6, [7.0])]
