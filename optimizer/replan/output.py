"""A re-plan's outputs: every format of ``rollout solve`` (plan tables with the history marked
done) plus the re-plan's own sections: "What changed" (each group whose months or method moved,
from -> to, users moved) and the ticket rates (observed beside planned). Terminal, Markdown, JSON
and a ``Changes`` sheet in the workbook; the plan CSV is the v2 plan (its rows before as-of are
exactly the actuals)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from optimizer.render.atomic import save_text
from optimizer.replan.changes import GroupChange, what_changed
from optimizer.domain import Instance
from optimizer.render.export import WRITERS, input_separator, md_table, plan_markdown
from optimizer.i18n import _
from optimizer.render.outputs import Target, write_all
from optimizer.replan.inputs import ReplanInputs
from optimizer.replan.text import change_rows, rate_rows, replan_dict
from optimizer.render.report import summary


@dataclass(frozen=True)
class ReplanReport:
    """What a re-plan adds to a solve's result: the inputs, the changed groups and the level."""

    inputs: ReplanInputs
    changes: list[GroupChange]
    changes_level: int | None


def replan_report(inst: Instance, rin: ReplanInputs, plan) -> ReplanReport:
    """The "what changed" list of ``plan`` (a ReplanPlan, or None: no plan, only the rates)."""
    if plan is None:
        return ReplanReport(rin, [], None)
    return ReplanReport(rin, what_changed(inst, rin.previous, plan.new_parts(), plan.new_methods(), rin.history),
                        plan.changes())


def replan_markdown(inst: Instance, rep: ReplanReport) -> str:
    """The Markdown sections "What changed" and "Ticket rates"."""
    out = ["## " + _("What changed"), ""]
    if rep.changes_level is None:
        out += [_("There is no new plan."), ""]
    elif not rep.changes:
        out += [_("Nothing changed: every group keeps the month and method of the previous plan."), ""]
    else:
        out += [md_table(*change_rows(inst, rep.changes, rep.inputs.as_of)), ""]
    out += ["## " + _("Ticket rates"), "", md_table(*rate_rows(rep.inputs.rates)), ""]
    return "\n".join(out)


def replan_json(inst: Instance, result, rep: ReplanReport) -> str:
    data = summary(inst, result)
    data["replan"] = replan_dict(inst, rep.changes, rep.changes_level, rep.inputs.rates, rep.inputs.as_of)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def add_changes_sheet(path: Path, inst: Instance, result, rep: ReplanReport) -> None:
    """A ``Changes`` sheet (what changed, then the ticket rates) in the plan workbook at ``path``;
    every cell is text (group names are never formulas)."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    from optimizer.render.workbook_cells import WRAP, finish_sheet, put, put_row

    with open(path, "rb") as fh:  # a staged temp file: openpyxl goes by the suffix of a path
        wb = load_workbook(io.BytesIO(fh.read()))
    ws = wb.create_sheet(_("Changes"))
    bold, row = Font(bold=True), 1
    header, rows = change_rows(inst, rep.changes, rep.inputs.as_of)
    r_header, r_rows = rate_rows(rep.inputs.rates)
    if not rep.changes:
        header, rows = [], [[_("Nothing changed: every group keeps the month and method of the previous plan.")]]
    for title, head, body in ((_("What changed"), header, rows), (_("Ticket rates"), r_header, r_rows)):
        put(ws, row, 1, title, font=bold)
        row += 1
        if head:
            put_row(ws, row, head, font=bold, alignment=WRAP)
            row += 1
        for r in body:
            put_row(ws, row, r, alignment=WRAP)
            row += 1
        row += 1
    for col, width in zip("ABCDEF", (24, 30, 30, 20, 20, 24)):
        ws.column_dimensions[col].width = width
    finish_sheet(ws, inst, result)
    buf = io.BytesIO()
    wb.save(buf)
    Path(path).write_bytes(buf.getvalue())


def write_replan_outputs(inst: Instance, result, rep: ReplanReport, targets: Iterable[Target], *,
                         csv_sep: str | None = None) -> None:
    """Every output (all or none): the solve's formats, with the re-plan's sections."""
    sep = csv_sep or input_separator(inst)

    def render(t: Target, tmp: Path) -> None:
        if t.suffix == ".csv":
            WRITERS[".csv"](inst, result, tmp, sep=sep)
        elif t.suffix == ".md":
            save_text(tmp, plan_markdown(inst, result).rstrip("\n") + "\n\n" + replan_markdown(inst, rep))
        elif t.suffix == ".json":
            save_text(tmp, replan_json(inst, result, rep))
        else:
            WRITERS[t.suffix](inst, result, tmp)
            add_changes_sheet(tmp, inst, result, rep)

    write_all(list(targets), render)
