"""Write a result to files; the suffix picks the format (.csv, .md, .json, .xlsx).

All writes are atomic (see :mod:`optimizer.atomic`). User text in CSV cells
is escaped against formula injection.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Callable

from .atomic import write_text
from .domain import Instance, RESOURCE_LABELS, RESOURCES
from .errors import InputError
from .report import CSV_COLUMNS, level_rows, load_rows, method_grid, plan_grid, summary
from .solver import Result
from .tables import escape_cell


def plan_csv(result: Result) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for row in result.plan.rows() if result.plan else []:
        w.writerow([escape_cell(str(row[c])) for c in CSV_COLUMNS])
    return buf.getvalue()


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def md_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |",
             "|" + "|".join(":---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_md_cell("" if c is None else c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def plan_markdown(inst: Instance, result: Result) -> str:
    out = [f"# Rollout plan: {inst.name}", "", f"Status: **{result.status}**"]
    if result.plan:
        out += ["", "## Plan", "", md_table(*plan_grid(result.plan))]
        out += ["", "## Plan with enrollment methods", "", md_table(*method_grid(result.plan))]
    out += ["", "## Objective", "", md_table(
        ["Level", "Status", "Value", "Bound", "Gap", "Seconds", "Stopped by", "Bound by"],
        [[r["level"], r["status"], r["value"], r["bound"],
          "" if r["gap"] is None else f"{100 * r['gap']:.2f} %", r["seconds"], r["stopped_by"], r["bound_by"]]
         for r in level_rows(result)],
    )]
    if result.plan:
        rows = []
        for r in load_rows(result.plan):
            rows.append([r["month"], r["users"], r["cumulative_users"]]
                        + [f"{r[res]} / {r[res + '_capacity']}" for res in RESOURCES])
        out += ["", "## Load per month", "", md_table(
            ["Month", "Users", "Cumulative users"] + [RESOURCE_LABELS[r].capitalize() for r in RESOURCES], rows)]
    exp = result.explanation
    if exp is not None:
        out += ["", "## Why there is no plan", ""] + _explanation_md(exp)
    s = summary(inst, result, include_time=False)["solver"]
    out += ["", f"Solved with {s['name']} {s['ortools_version']}, seed {s['seed']}, "
                f"{s['workers']} workers, time limit {s['time_limit']} s, "
                f"deterministic={s['deterministic']}, in {result.seconds:.2f} s.", ""]
    return "\n".join(out)


def _explanation_md(exp) -> list[str]:
    """Markdown lines of an explanation (``Explanation.lines``): every conflict, its rules
    and repairs as lists, the combined repair numbered."""
    out: list[str] = []
    prev = ""
    for kind, text, rule in exp.lines():
        listed = kind in ("rule", "more", "repair", "step")
        if not listed and prev in ("rule", "more", "repair", "step"):
            out.append("")
        if kind == "heading":
            out += [f"### {_md_cell(text)}", ""]
        elif kind == "rule":
            out.append(f"- {_md_cell(text)} (`{rule}`)")
        elif kind in ("repair", "more"):
            out.append(f"- {_md_cell(text)}")
        elif kind == "step":
            out.append(_md_cell(text))
        elif kind == "note":
            out += [f"_{_md_cell(text)}_", ""]
        else:
            out += [_md_cell(text), ""]
        prev = kind
    return out


def plan_json(inst: Instance, result: Result) -> str:
    return json.dumps(summary(inst, result), indent=2, ensure_ascii=False) + "\n"


WRITERS: dict[str, Callable[[Instance, Result, Path], None]] = {
    ".csv": lambda inst, res, p: write_text(p, plan_csv(res)),
    ".md": lambda inst, res, p: write_text(p, plan_markdown(inst, res)),
    ".json": lambda inst, res, p: write_text(p, plan_json(inst, res)),
    ".xlsx": lambda inst, res, p: _write_xlsx(inst, res, p),
}


def _write_xlsx(inst: Instance, result: Result, path: Path) -> None:
    from .workbook import write_plan_workbook  # openpyxl is imported only when needed

    write_plan_workbook(inst, result, path)


def check_out_paths(paths: list[str]) -> None:
    """Fail early (before solving) on an output suffix we cannot write."""
    for p in paths:
        suffix = Path(p).suffix.lower()
        if suffix not in WRITERS:
            raise InputError(
                f"cannot write '{p}': the suffix must be one of {', '.join(sorted(WRITERS))}",
                column="--out",
            )
        parent = Path(p).parent
        if str(parent) and not parent.is_dir():
            raise InputError(f"cannot write '{p}': the folder '{parent}' does not exist", column="--out")


def write_outputs(inst: Instance, result: Result, paths: list[str]) -> None:
    for p in paths:
        WRITERS[Path(p).suffix.lower()](inst, result, Path(p))
