"""Write a result to files; the suffix picks the format (.csv, .md, .json, .xlsx).

All outputs of one call are written together or not at all (see :mod:`optimizer.render.outputs`
and :mod:`optimizer.render.atomic`). CSV is UTF-8 with a BOM (so Excel reads å, ä and ö right)
and ``,`` or ``;`` between cells; user text in CSV cells is escaped against formula
injection, and in Markdown against breaking the table.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Callable, Iterable

from optimizer import i18n
from optimizer.render.answer import key_figures, one_line, quality
from optimizer.render.atomic import save_text
from optimizer.domain import Instance, RESOURCES
from optimizer.i18n import _
from optimizer.render.outputs import Target, parse_targets, write_all
from optimizer.render.safetext import visible
from optimizer.render.report import (
    CSV_COLUMNS,
    level_rows,
    load_rows,
    method_grid,
    plan_grid,
    summary,
)
from optimizer.solving.solver import Result
from optimizer.inputs.tables import escape_cell, sniff_delimiter


#: Output CSV encoding: UTF-8 with a BOM, which Excel (also Swedish Excel) needs to read UTF-8.
CSV_ENCODING = "utf-8-sig"
CSV_SEPARATORS = (",", ";")


def plan_csv(result: Result, sep: str = ",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    columns = result.plan.columns() if result.plan else CSV_COLUMNS  # v2 plans: a users column
    w.writerow(columns)
    for row in result.plan.rows() if result.plan else []:
        w.writerow([escape_cell(str(row[c])) for c in columns])
    return buf.getvalue()


def _md_cell(text) -> str:
    """Text for one Markdown table cell or list item: backslashes and ``|`` escaped, line
    breaks as ``<br>``, other control characters visible (``\\x1b``)."""
    t = str(text).replace("\\", "\\\\").replace("|", "\\|")
    t = t.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")
    return visible(t)


def md_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |",
             "|" + "|".join(":---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_md_cell("" if c is None else c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def plan_markdown(inst: Instance, result: Result) -> str:
    """The plan as a Markdown document in the current language (the guide's two tables first);
    the solver's figures (bounds, gaps, settings) last, under 'Solver details'."""
    out = ["# " + _("Rollout plan: {name}").format(name=_md_cell(inst.name)), "", _md_cell(one_line(inst, result))]
    if result.plan:
        out += ["", quality(result)]
        out += ["", "## " + _("Plan"), "", md_table(*plan_grid(result.plan))]
        out += ["", "## " + _("Plan with enrollment methods"), "", md_table(*method_grid(result.plan))]
        out += ["", "## " + _("Key figures"), "", md_table([_("Key figure"), _("Value")],
                                                          [list(r) for r in key_figures(inst, result)])]
        rows = []
        for r in load_rows(result.plan):
            rows.append([i18n.month(r["month"]), r["users"], r["cumulative_users"]]
                        + [f"{r[res]} / {r[res + '_capacity']}" for res in RESOURCES])
        out += ["", "## " + _("Load per month"), "", md_table(
            [_("Month"), _("Users"), _("Cumulative users")] + [i18n.resource(r) for r in RESOURCES], rows)]
    exp = result.explanation
    if exp is not None:
        out += ["", "## " + _("Why there is no plan"), ""] + _explanation_md(exp)
    out += ["", "## " + _("Solver details"), "", f"Status: **{result.status}**", "", md_table(
        ["Level", "Status", "Value", "Bound", "Gap", "Seconds", "Stopped by", "Bound by"],
        [[r["level"], r["status"], r["value"], r["bound"],
          "" if r["gap"] is None else f"{100 * r['gap']:.2f} %", r["seconds"], r["stopped_by"], r["bound_by"]]
         for r in level_rows(result)],
    )]
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
        text = i18n.translate_error(text)
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


def save_csv(path: Path, text: str) -> None:
    save_text(path, text, encoding=CSV_ENCODING)


#: suffix -> writer(inst, result, path): writes one format to ``path`` (a staged temp file).
WRITERS: dict[str, Callable[..., None]] = {
    ".csv": lambda inst, res, p, sep=",": save_csv(p, plan_csv(res, sep)),
    ".md": lambda inst, res, p: save_text(p, plan_markdown(inst, res)),
    ".json": lambda inst, res, p: save_text(p, plan_json(inst, res)),
    ".xlsx": lambda inst, res, p: _write_xlsx(inst, res, p),
}


def _write_xlsx(inst: Instance, result: Result, path: Path) -> None:
    from optimizer.render.workbook import save_plan_workbook  # openpyxl is imported only when needed

    save_plan_workbook(inst, result, path)


def check_out_paths(paths: list[str], inputs: Iterable[str | Path] = ()) -> list[Target]:
    """Fail early (before solving) on an output we cannot or must not write (see
    :func:`optimizer.render.outputs.parse_targets`: suffix, folder, never an input)."""
    return parse_targets(paths, WRITERS, inputs)


def input_separator(inst: Instance) -> str:
    """The separator of the instance's groups file (``;`` or ``,``); ``,`` for a workbook."""
    path = inst.sources.get("groups")
    if not path or not str(path).lower().endswith(".csv"):
        return ","
    try:
        with open(path, "rb") as fh:
            head = fh.read(64 * 1024)
    except OSError:
        return ","
    return sniff_delimiter(head.decode("utf-8", errors="replace").lstrip("\ufeff"))


def write_outputs(inst: Instance, result: Result, paths: Iterable[str | Target], *,
                  csv_sep: str | None = None, inputs: Iterable[str | Path] = ()) -> list[Target]:
    """Write every output (all or none). ``csv_sep`` None follows the groups file's separator."""
    targets = [p for p in paths if isinstance(p, Target)]
    targets += check_out_paths([str(p) for p in paths if not isinstance(p, Target)], inputs)
    sep = csv_sep or input_separator(inst)

    def render(t: Target, tmp: Path) -> None:
        if t.suffix == ".csv":
            WRITERS[".csv"](inst, result, tmp, sep=sep)
        else:
            WRITERS[t.suffix](inst, result, tmp)

    return write_all(targets, render)
