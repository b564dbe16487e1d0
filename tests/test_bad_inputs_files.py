"""Bad-input corpus, the input side of issue 23 and 17.1: what a path is, how a CSV file is cut
into rows, which characters a cell may hold, TOML without limits, workbooks with a phantom size,
files that are not ours. Each case: exit 2, one paragraph naming file (row, column), no traceback."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.inputs.loaders import load_instance, read_toml
from optimizer.inputs.tables import decode_bytes

CAP = "month,helpdesk,assisted,tech_fair\n2027-01,100,50,0\n2027-02,100,50,0\n2027-03,100,50,0\n"


def _run(*args: str):
    return CliRunner().invoke(main, [*args, "-q"], catch_exceptions=False)


def _clear(r, fragments: list[str]) -> str:
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    text = " ".join(r.output.split())
    assert text.startswith("Error:"), text
    for f in fragments:
        assert f in text, (f, text)
    return text


def _files(tmp: Path, groups: str | bytes, capacity: str = CAP) -> tuple[str, str]:
    g, c = tmp / "g.csv", tmp / "c.csv"
    g.write_bytes(groups if isinstance(groups, bytes) else groups.encode("utf-8"))
    c.write_text(capacity, encoding="utf-8")
    return str(g), str(c)


# ------------------------------------------------------------ control characters, length (23.5)
@pytest.mark.parametrize("groups, fragments", [
    ("group,size\nA\x01B,10\n", ["g.csv", "row 2", "column 'group'", "U+0001"]),
    ("group,size\nA\x1b[31mB,10\n", ["row 2", "column 'group'", "U+001B"]),
    ("group,size,department\nA,10,Sales\x7f\n", ["row 2", "column 'department'", "U+007F"]),
    ("group,size,location\nA,10,\"Up\nstairs\"\n", ["row 2", "column 'location'", "line break"]),
    ("group,size,location\nA,10,Kiru\x85na\n", ["row 2", "column 'location'", "U+0085"]),
    ("group,size,after\nA,10,\nB,10,A\u2028A\n", ["row 3", "column 'after'", "line separator"]),
    ("group,size\nB,10\nA\x00,10\n", ["g.csv"]),  # NUL: a binary file
], ids=["SOH in name", "ESC in name", "DEL in department", "newline in location", "NEL", "U+2028 in after",
        "NUL"])
def test_control_characters_are_refused_at_load(tmp_path, groups, fragments):
    _clear(_run("solve", *_files(tmp_path, groups)), fragments)


def test_control_character_in_capacity_month(tmp_path):
    g, c = _files(tmp_path, "group,size\nA,10\n", "month,helpdesk\n2027-01\x07,100\n")
    _clear(_run("solve", g, c), ["c.csv", "row 2", "column 'month'", "U+0007"])


def test_control_character_in_a_header(tmp_path):
    _clear(_run("solve", *_files(tmp_path, "group,si\x02ze\nA,10\n")), ["g.csv", "row 1", "U+0002"])


def test_tab_inside_a_cell_is_read_as_a_space(tmp_path):
    inst = load_instance(*_files(tmp_path, "group,size,after\nSales\tNorth,10,\nB,5,Sales\tNorth\n"))
    assert [g.name for g in inst.groups] == ["Sales North", "B"]
    assert inst.groups[1].after == ("Sales North",)


def test_name_longer_than_an_excel_cell(tmp_path):
    long = "N" * 32_768
    _clear(_run("solve", *_files(tmp_path, f"group,size\n{long},10\n")),
           ["g.csv", "row 2", "column 'group'", "32,768 characters", "32,767"])
    inst = load_instance(*_files(tmp_path, f"group,size\n{'N' * 32_767},10\n"))
    assert len(inst.groups[0].name) == 32_767


def test_control_character_in_a_workbook_cell(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Groups"
    ws.append(["group", "size", "department"])
    ws.append(["A", 10, "Ops"])
    ws.append(["B", 10, "Fin\nance"])  # Alt+Enter in Excel
    cap = wb.create_sheet("Capacity")
    cap.append(["month", "helpdesk"])
    cap.append(["2027-01", 100])
    wb.save(tmp_path / "in.xlsx")
    _clear(_run("solve", str(tmp_path / "in.xlsx")), ["in.xlsx, sheet Groups", "row 3", "column 'department'",
                                                      "line break"])


def test_control_character_in_a_scenario_override(tmp_path):
    _files(tmp_path, "group,size\nA,10\n")
    sc = tmp_path / "s.toml"
    sc.write_text('capacity = "c.csv"\n[groups]\nfile = "g.csv"\n[groups."A"]\ndepartment = "X\\u0007Y"\n')
    _clear(_run("solve", str(sc)), ["s.toml", "department", "U+0007"])


# ------------------------------------------------------------ rows and cells (17.1, 23 smaller)
def test_semicolon_list_spilling_into_extra_cells(tmp_path):
    groups = ("group;size;wave;earliest;blackout\nIT;10;pilot;;\n"
              "Skola;300;production;2027-02;2027-02;2027-03\n")
    text = _clear(_run("solve", *_files(tmp_path, groups)), ["g.csv", "row 3", "6 cells", "5 columns", "quotes"])
    assert "2027-03" not in text.replace("2027-02;2027-03", "")  # the hint names no cell of the file


def test_quoted_semicolon_list_still_loads(tmp_path):
    groups = "group;size;blackout\nSkola;300;\"2027-02;2027-03\"\n"
    inst = load_instance(*_files(tmp_path, groups))
    assert inst.groups[0].blackout == ("2027-02", "2027-03")


def test_trailing_empty_cells_are_not_extra(tmp_path):
    inst = load_instance(*_files(tmp_path, "group,size\nA,10,,\nB,5,\n"))
    assert [g.size for g in inst.groups] == [10, 5]


def test_comma_in_an_unquoted_name(tmp_path):
    _clear(_run("solve", *_files(tmp_path, "group,size,wave\nSales, North,10,production\n")),
           ["g.csv", "row 2", "4 cells", "3 columns"])


def test_short_row_missing_a_required_cell(tmp_path):
    _clear(_run("solve", *_files(tmp_path, "group,size,wave\nA,10,pilot\nB\n")),
           ["g.csv", "row 3", "'size' is missing"])


def test_short_row_missing_only_optional_trailing_cells(tmp_path):
    inst = load_instance(*_files(tmp_path, "group,size,wave,department\nA,10\nB,5,pilot\n"))
    assert [(g.wave, g.department) for g in inst.groups] == [("production", ""), ("pilot", "")]


def test_unterminated_quote_is_reported_where_it_opens(tmp_path):
    groups = "group,size\nA,10\n\"B,20\nC,30\nD,40\n"
    _clear(_run("solve", *_files(tmp_path, groups)), ["g.csv", "row 3", "quote", "never closed"])


def test_multi_line_quoted_cell_at_the_end_is_not_unterminated(tmp_path):
    # A properly closed quote that spans lines is still refused, but as a line break, not a quote.
    _clear(_run("solve", *_files(tmp_path, "group,size,department\nA,10,\"Up\nstairs\"\n")),
           ["row 2", "line break"])


# ------------------------------------------------------------ what a path is (23 smaller)
def test_directory_is_named_as_a_folder(tmp_path):
    (tmp_path / "d").mkdir()
    _files(tmp_path, "group,size\nA,10\n")
    with pytest.raises(InputError, match="folder"):
        load_instance(tmp_path / "d", tmp_path / "c.csv")
    sc = tmp_path / "s.toml"
    sc.write_text('groups = "d"\ncapacity = "c.csv"\n')
    _clear(_run("solve", str(sc)), ["folder"])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_does_not_hang(tmp_path):
    g, c = _files(tmp_path, "group,size\nA,10\n")
    os.mkfifo(tmp_path / "fifo.csv")
    os.mkfifo(tmp_path / "fifo.toml")
    os.mkfifo(tmp_path / "fifo.xlsx")
    t = time.monotonic()
    _clear(_run("solve", str(tmp_path / "fifo.csv"), c), ["fifo.csv", "named pipe"])
    _clear(_run("solve", g, c, "--rules", str(tmp_path / "fifo.toml")), ["fifo.toml", "named pipe"])
    _clear(_run("solve", str(tmp_path / "fifo.xlsx")), ["fifo.xlsx", "named pipe"])
    assert time.monotonic() - t < 20


def test_symlink_loop_is_named_as_one(tmp_path):
    _, c = _files(tmp_path, "group,size\nA,10\n")
    os.symlink(tmp_path / "loop.csv", tmp_path / "loop.csv")
    _clear(_run("solve", str(tmp_path / "loop.csv"), c), ["loop.csv", "loop of symbolic links"])


def test_dangling_symlink(tmp_path):
    _, c = _files(tmp_path, "group,size\nA,10\n")
    os.symlink(tmp_path / "gone.csv", tmp_path / "link.csv")
    _clear(_run("solve", str(tmp_path / "link.csv"), c), ["link.csv", "does not exist"])


# ------------------------------------------------------------ TOML without limits (23.8)
def test_deeply_nested_rules(tmp_path):
    g, c = _files(tmp_path, "group,size\nA,10\n")
    rules = tmp_path / "deep.toml"
    rules.write_text("stage_gap = " + "[" * 50_000 + "]" * 50_000 + "\n")
    _clear(_run("solve", g, c, "--rules", str(rules)), ["deep.toml", "too deeply"])
    inline = tmp_path / "deep2.toml"
    inline.write_text("a = " + "{b = " * 50_000 + "1" + "}" * 50_000 + "\n")
    _clear(_run("solve", g, c, "--rules", str(inline)), ["deep2.toml", "too deeply"])


def test_deeply_nested_scenario(tmp_path):
    _files(tmp_path, "group,size\nA,10\n")
    sc = tmp_path / "s.toml"
    sc.write_text('groups = "g.csv"\ncapacity = "c.csv"\nname = ' + "[" * 50_000 + "]" * 50_000 + "\n")
    _clear(_run("solve", str(sc)), ["s.toml", "too deeply"])


def test_rules_from_dev_zero_exit_quickly(tmp_path):
    g, c = _files(tmp_path, "group,size\nA,10\n")
    t = time.monotonic()
    _clear(_run("solve", g, c, "--rules", "/dev/zero"), ["/dev/zero", "device"])
    assert time.monotonic() - t < 10


def test_rules_file_over_the_size_cap(tmp_path):
    g, c = _files(tmp_path, "group,size\nA,10\n")
    big = tmp_path / "big.toml"
    with open(big, "wb") as fh:
        fh.truncate(21 * 1024 * 1024)
    _clear(_run("solve", g, c, "--rules", str(big)), ["big.toml", "MB"])
    with pytest.raises(InputError, match="MB"):
        read_toml(big)


# ------------------------------------------------------------ a phantom workbook size (23.10)
def _patch(src_path: Path, dst_path: Path, old: bytes, new: bytes) -> None:
    """Copy a workbook, replacing ``old`` by ``new`` in its XML parts."""
    import zipfile

    found = False
    with zipfile.ZipFile(src_path) as src, zipfile.ZipFile(dst_path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            found |= old in data
            dst.writestr(item, data.replace(old, new))
    assert found


def _phantom(tmp: Path, stray: str | None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Groups"
    ws.append(["group", "size"])
    ws.append(["A", 10])
    if stray:
        ws[stray] = "x"
    cap = wb.create_sheet("Capacity")
    cap.append(["month", "helpdesk"])
    cap.append(["2027-01", 100])
    p = tmp / "phantom.xlsx"
    wb.save(p)
    return p


def test_one_value_at_the_last_cell_answers_in_seconds(tmp_path):
    p = _phantom(tmp_path, "XFD1048576")
    assert p.stat().st_size < 10_000
    t = time.monotonic()
    _clear(_run("solve", str(p)), ["phantom.xlsx, sheet Groups", "row 1048576", "column XFD"])
    assert time.monotonic() - t < 15  # about 1 s on a quiet machine; it hung before


def test_phantom_dimension_alone_does_not_matter(tmp_path):
    p = _phantom(tmp_path, None)  # no stray value; then claim the sheet is A1:XFD1048576
    q = tmp_path / "claims.xlsx"
    _patch(p, q, b'<dimension ref="A1:B2"', b'<dimension ref="A1:XFD1048576"')
    t = time.monotonic()
    r = _run("solve", str(q), "--time-limit", "2")
    assert time.monotonic() - t < 15
    assert r.exit_code == 0, r.output


# ------------------------------------------------------------ files that are not ours (23.11)
def test_scenario_pointing_at_a_foreign_file_never_echoes_it(tmp_path):
    _files(tmp_path, "group,size\nA,10\n")
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$SECRETHASH:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n")
    for key in ("capacity", "groups"):
        sc = tmp_path / f"s_{key}.toml"
        other = "c.csv" if key == "groups" else "g.csv"
        sc.write_text(f'groups = "{"shadow" if key == "groups" else other}"\n'
                      f'capacity = "{"shadow" if key == "capacity" else other}"\n')
        text = _clear(_run("solve", str(sc)), ["shadow", "right file"])
        assert "SECRET" not in text and "root:" not in text and "daemon" not in text
    sc = tmp_path / "s_rules.toml"
    sc.write_text('groups = "g.csv"\ncapacity = "c.csv"\nrules = "shadow"\n')
    text = _clear(_run("solve", str(sc)), ["shadow"])
    assert "SECRET" not in text and "root:" not in text


def test_passwd_like_file_never_echoed(tmp_path):
    _, c = _files(tmp_path, "group,size\nA,10\n")
    p = tmp_path / "passwd"
    p.write_text("root:x:0:0:root,,,:/root:/bin/bash\nalice:x:1000:1000:Alice Secret,,,:/home/alice:/bin/sh\n")
    text = _clear(_run("solve", str(p), c), ["passwd"])
    assert "alice" not in text.lower() and "Secret" not in text


# ------------------------------------------------------------ mixed encodings (23.13)
def test_one_windows_1252_line_in_a_utf8_file(tmp_path, caplog):
    data = ("group,size,department\nÅsa,10,Försäljning\nÖrjan,5,Ekonomi\n".encode("utf-8")
            + "Märta,7,Lön\n".encode("cp1252"))
    g, c = _files(tmp_path, data)
    with caplog.at_level(logging.WARNING):
        inst = load_instance(g, c)
    assert [x.name for x in inst.groups] == ["Åsa", "Örjan", "Märta"]
    assert inst.groups[0].department == "Försäljning"
    msg = " ".join(r.getMessage() for r in caplog.records)
    assert "g.csv" in msg and "line(s) 4" in msg and "Windows-1252" in msg


def test_mixed_file_warns_on_the_command_line(tmp_path):
    data = "group,size\nÅsa,10\nÖrjan,5\n".encode("utf-8") + "Märta,7\n".encode("cp1252")
    r = CliRunner().invoke(main, ["solve", *_files(tmp_path, data), "--time-limit", "2"])
    assert r.exit_code == 0
    text = " ".join(r.output.split())
    assert "line(s) 4" in text and "Åsa" in text and "Ã" not in text


def test_a_windows_1252_file_stays_windows_1252():
    data = "group,size\nÅsa,10\nÖrjan,5\n".encode("cp1252")
    assert decode_bytes(data, "g.csv") == "group,size\nÅsa,10\nÖrjan,5\n"


def test_mostly_windows_1252_with_one_utf8_line(caplog):
    data = "group,size\nÅsa,10\nÖrjan,5\n".encode("cp1252") + "Märta,7\n".encode("utf-8")
    with caplog.at_level(logging.WARNING):
        assert decode_bytes(data, "g.csv") == "group,size\nÅsa,10\nÖrjan,5\nMärta,7\n"
    msg = " ".join(r.getMessage() for r in caplog.records)
    assert "Windows-1252 text except line(s) 4, which were read as UTF-8" in msg


def test_one_utf8_and_one_windows_1252_line(tmp_path):
    data = "group,size\nÅsa,10\n".encode("utf-8") + "Märta,5\n".encode("cp1252")
    assert decode_bytes(data, "g.csv") == "group,size\nÅsa,10\nMärta,5\n"


def test_group_name_with_a_semicolon_in_after_says_why(tmp_path):
    groups = 'group,size,after\n"R&D;Lab",10,\nB,5,R&D;Lab\n'
    _clear(_run("solve", *_files(tmp_path, groups)), ["row 3", "'after'", "R&D;Lab", "contains ';'", "rename"])


def test_control_character_in_a_scenario_name(tmp_path):
    _files(tmp_path, "group,size\nA,10\n")
    sc = tmp_path / "s.toml"
    sc.write_text('name = "Plan \\u001b]0;pwned\\u0007"\ngroups = "g.csv"\ncapacity = "c.csv"\n')
    text = _clear(_run("solve", str(sc)), ["s.toml", "column 'name'", "U+001B"])
    assert "\x1b" not in text


@pytest.mark.parametrize("value", ["[" * 400 + "]" * 400, '"' + "x" * 20_000 + '"'])
def test_huge_or_deep_values_are_not_echoed_whole(tmp_path, value):
    g, c = _files(tmp_path, "group,size\nA,10\n")
    rules = tmp_path / "r.toml"
    rules.write_text(f"stage_gap = {value}\n")
    text = _clear(_run("solve", g, c, "--rules", str(rules)), ["r.toml", "stage_gap"])
    assert len(text) < 600
    sc = tmp_path / "s.toml"
    sc.write_text(f'groups = "g.csv"\ncapacity = "c.csv"\nstart = {value}\n')
    text = _clear(_run("solve", str(sc)), ["s.toml", "start"])
    assert len(text) < 600


def test_a_long_name_in_an_error_is_cut(tmp_path):
    name = "N" * 30_000
    text = _clear(_run("solve", *_files(tmp_path, f"group,size\n{name},10\n{name},5\n")),
                  ["row 3", "appears twice", "NNN..."])
    assert len(text) < 600


def test_rules_saved_with_a_bom_are_read(tmp_path):
    from optimizer.inputs.loaders import load_rules

    p = tmp_path / "rules.toml"
    p.write_bytes("\ufeffstage_gap = 2\n".encode("utf-8"))
    assert load_rules(p).stage_gap == 2
