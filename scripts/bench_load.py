#!/usr/bin/env python3
"""Time to load inputs (read, decode, check every cell, parse, validate), CSV and workbooks.

    python scripts/bench_load.py --groups 20000 --months 24 --repeat 3
    python scripts/bench_load.py --groups 100000 --months 36 --formats csv,xlsx,ods

Writes a generated instance (scripts/generate.py) as groups.csv/capacity.csv, as an input
workbook (.xlsx) and as an .ods (written directly, LibreOffice-style, with the trailing block of
repeated empty rows), then loads each ``--repeat`` times and prints the best wall time. Also
times the phantom-dimension workbook (one value at Groups!XFD1048576). Run it on a quiet
machine: the loaders are single-threaded and the figures are wall clock.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

from optimizer.samples import generate, write_csv  # noqa: E402
from optimizer.errors import InputError  # noqa: E402
from optimizer.inputs.loaders import load_instance  # noqa: E402
from optimizer.inputs.xlsx_input import load_workbook_instance  # noqa: E402


def _rows(path: Path) -> list[list]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return [rows[0]] + [[float(c) if c.isdigit() else c for c in r] for r in rows[1:]]


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--groups", type=int, default=20000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--formats", default="csv,xlsx,ods,phantom")
    args = ap.parse_args()
    formats = args.formats.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        inst = generate(args.groups, args.months, args.seed)
        write_csv(inst, d)
        print(f"{len(inst.groups)} groups x {inst.horizon} months")
        if "csv" in formats:
            s = _best(lambda: load_instance(d / "groups.csv", d / "capacity.csv"), args.repeat)
            print(f"csv      {s:8.2f} s  ({(d / 'groups.csv').stat().st_size / 1e6:.1f} MB)")
        sheets = {"Groups": _rows(d / "groups.csv"), "Capacity": _rows(d / "capacity.csv")}
        if "xlsx" in formats:
            from openpyxl import Workbook

            wb = Workbook()
            wb.remove(wb.active)
            for name, rows in sheets.items():
                ws = wb.create_sheet(name)
                for r in rows:
                    ws.append(r)
            wb.save(d / "in.xlsx")
            s = _best(lambda: load_workbook_instance(d / "in.xlsx"), args.repeat)
            print(f"xlsx     {s:8.2f} s  ({(d / 'in.xlsx').stat().st_size / 1e6:.1f} MB)")
        if "ods" in formats:
            from test_input_workbooks import write_ods

            write_ods(d / "in.ods", sheets)
            s = _best(lambda: load_workbook_instance(d / "in.ods"), args.repeat)
            print(f"ods      {s:8.2f} s  ({(d / 'in.ods').stat().st_size / 1e6:.1f} MB)")
        if "phantom" in formats:
            from openpyxl import Workbook

            wb = Workbook()
            ws = wb.active
            ws.title = "Groups"
            ws.append(["group", "size"])
            ws.append(["A", 10])
            ws["XFD1048576"] = "x"
            wb.create_sheet("Capacity").append(["month", "helpdesk"])
            wb["Capacity"].append(["2027-01", 100])
            wb.save(d / "phantom.xlsx")

            def phantom() -> None:
                try:
                    load_workbook_instance(d / "phantom.xlsx")
                except InputError:
                    pass

            s = _best(phantom, args.repeat)
            print(f"phantom  {s:8.2f} s  (one value at XFD1048576, {(d / 'phantom.xlsx').stat().st_size} bytes)")


if __name__ == "__main__":
    main()
