"""Compare what-if scenarios side by side.

Every scenario (a TOML file, see :mod:`optimizer.scenario`) is loaded and solved
with the same options — in parallel processes when ``jobs > 1`` — and the plans
are reduced to a KPI table (one column per scenario, deltas against the first,
the baseline) and the list of groups that moved month or method.

One scenario failing (a bad file, no plan, even a crashed solver process) never
loses the others' results: it gets a one-line reason instead of a plan.
"""

from __future__ import annotations

import concurrent.futures as cf
import csv
import dataclasses
import io
import json
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from . import i18n
from .atomic import save_text
from .domain import Instance
from .errors import InputError
from .export import _md_cell, input_separator, md_table, save_csv
from .outputs import Target, parse_targets, source_files, write_all
from .procpool import init_worker as _init_worker
from .procpool import mp_context as _mp_context
from .procpool import run_alone
from .scenario import load_scenario
from .solver import DEFAULT_WORKERS, Result, SolveOptions, solve
from .i18n import N_, _, ngettext, pgettext
from .tables import escape_cell

#: A month counts as "over 90 %" when any resource's load exceeds this share of its capacity.
HIGH_LOAD = 0.9


# ------------------------------------------------------------------ runs
@dataclass
class ScenarioRun:
    """One scenario: where it came from and what solving it gave."""

    path: str
    name: str
    inst: Instance | None = None
    result: Result | None = None
    #: Why there is no result: "input" (bad scenario or data), "crash" (solver process died),
    #: "skipped" (interrupted before it ran). None when solved.
    error_kind: str | None = None
    error: str | None = None

    @property
    def found(self) -> bool:
        return self.result is not None and self.result.found

    @property
    def status(self) -> str:
        if self.result is not None:
            return self.result.status + (" (interrupted)" if self.result.interrupted else "")
        return {"input": "input error", "crash": "error", "skipped": "not solved"}.get(self.error_kind or "", "error")

    @property
    def reason(self) -> str | None:
        """One line saying why this scenario has no plan (None when it has one)."""
        if self.found:
            return None
        if self.result is None:
            return self.error or self.status
        return no_plan_reason(self.inst, self.result)


def explain_reason(inst: Instance, result: Result) -> str | None:
    """One line in planner's words for an infeasible scenario (optimizer.explain);
    None for other statuses (callers then fall back to the status)."""
    if result.status != "infeasible":
        return None
    if result.explanation is None:
        from .explain import explain

        result.explanation = explain(inst, time_limit=min(15.0, max(5.0, result.options.time_limit)),
                                     seed=result.options.seed, workers=result.options.workers)
    return pgettext("status", "infeasible") + ": " + result.explanation.headline()


def no_plan_reason(inst: Instance, result: Result) -> str:
    """The one-line reason a scenario has no plan."""
    why = explain_reason(inst, result)
    if why:
        return why
    if result.status == "infeasible":
        return pgettext("status", "infeasible") + ": " + _("no plan satisfies all rules")
    return status_text(result.status) + ": " + _(
        "no plan found within the time limit ({seconds} s); try a longer --time-limit").format(
        seconds=f"{result.options.time_limit:g}")


def fair_workers(jobs: int, total: int = DEFAULT_WORKERS) -> int:
    """CP-SAT workers per scenario when ``jobs`` solves share ``total`` workers."""
    return max(1, total // max(1, jobs))


#: Scenarios this small solve in milliseconds (the example: 8 groups, 0.02 s), less than a worker
#: process takes to start (0.3-0.6 s measured here); from about 30 random groups a solve takes seconds.
SMALL_GROUPS = 20


def default_jobs(runs: list[ScenarioRun]) -> int:
    """Parallel solves by default: one per core, at most one per scenario; none (solve in this
    process, one after another) when every scenario is small."""
    insts = [r.inst for r in runs if r.inst is not None]
    if not insts or max(len(i.groups) for i in insts) <= SMALL_GROUPS:
        return 1
    return max(1, min(len(insts), os.cpu_count() or 1))


def _unique_names(names: list[str]) -> list[str]:
    out: list[str] = []
    for n in names:
        cand, i = n, 2
        while cand in out:
            cand, i = f"{n} ({i})", i + 1
        out.append(cand)
    return out


def load_runs(paths: Iterable[str | Path]) -> list[ScenarioRun]:
    """Load every scenario; a bad one becomes a run with an input error, never an exception."""
    runs = []
    for p in paths:
        run = ScenarioRun(path=str(p), name=Path(p).stem)
        try:
            run.inst = load_scenario(p)
            run.name = run.inst.name
        except InputError as err:
            run.error_kind, run.error = "input", str(err)
        except Exception as exc:  # a bug must not lose the other scenarios
            run.error_kind, run.error = "input", f"cannot load the scenario: {type(exc).__name__}: {exc}"
        runs.append(run)
    for run, name in zip(runs, _unique_names([r.name for r in runs])):
        run.name = name
        if run.inst is not None and run.inst.name != name:
            run.inst = dataclasses.replace(run.inst, name=name)
    return runs


def _solve_in_worker(inst: Instance, options: SolveOptions) -> Result:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return solve(inst, options)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _interrupt_workers(pool: cf.ProcessPoolExecutor) -> None:
    """Pass a Ctrl-C on to the solver processes: a terminal's Ctrl-C reaches them by itself,
    a SIGTERM sent to this process alone (a scheduler stopping the job) does not."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            os.kill(proc.pid, signal.SIGINT)
        except (OSError, AttributeError):
            pass


def solve_runs(
    runs: list[ScenarioRun],
    options: SolveOptions,
    *,
    jobs: int = 1,
    on_done: Callable[[ScenarioRun], None] | None = None,
) -> list[ScenarioRun]:
    """Solve every loaded run with the same ``options`` (seed, workers, time limit).

    ``jobs > 1`` solves in that many processes. Ctrl-C stops the solves under way (each
    keeps its best plan so far) and skips the ones not started.
    """
    todo = [r for r in runs if r.inst is not None and r.result is None and r.error_kind is None]
    jobs = max(1, min(jobs, len(todo)))
    done = on_done or (lambda run: None)
    if jobs == 1:
        for i, run in enumerate(todo):
            try:
                run.result = solve(run.inst, options)
            except Exception as exc:
                run.error_kind, run.error = "crash", f"the solver failed: {type(exc).__name__}: {exc}"
            done(run)
            if run.result is not None and run.result.interrupted:
                for rest in todo[i + 1:]:
                    rest.error_kind, rest.error = "skipped", "not solved: interrupted (Ctrl-C)"
                break
        return runs

    retry: list[ScenarioRun] = []
    interrupted = False
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=_mp_context(), initializer=_init_worker) as pool:
        futures = {pool.submit(_solve_in_worker, r.inst, options): r for r in todo}
        pending = set(futures)
        while pending:
            try:
                finished, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            except KeyboardInterrupt:
                if interrupted:
                    raise
                interrupted = True  # running solves return their best plan; drop the rest
                _interrupt_workers(pool)
                for f in pending:
                    if f.cancel():
                        futures[f].error_kind, futures[f].error = "skipped", "not solved: interrupted (Ctrl-C)"
                pending = {f for f in pending if not f.cancelled()}
                continue
            for f in finished:
                run = futures[f]
                try:
                    run.result = f.result()
                except cf.process.BrokenProcessPool:
                    retry.append(run)  # some process died: find out which scenario did it, below
                    continue
                except Exception as exc:
                    run.error_kind, run.error = "crash", f"the solver failed: {type(exc).__name__}: {exc}"
                done(run)
    # A process died and took the pool down: solve the affected scenarios again, each in a
    # process of its own (still `jobs` at a time), so a crash now is that scenario's own.
    def alone(run: ScenarioRun) -> None:
        if interrupted:
            run.error_kind, run.error = "skipped", "not solved: its solver process stopped after Ctrl-C"
            return
        try:
            run.result = run_alone(_solve_in_worker, run.inst, options)
        except cf.process.BrokenProcessPool:
            run.error_kind, run.error = "crash", "the solver process died (out of memory?)"
        except Exception as exc:
            run.error_kind, run.error = "crash", f"the solver failed: {type(exc).__name__}: {exc}"

    if retry:
        with cf.ThreadPoolExecutor(max_workers=jobs) as threads:
            pending = {threads.submit(alone, r): r for r in retry}
            while pending:
                try:
                    for f in cf.as_completed(list(pending)):
                        done(pending.pop(f))
                except KeyboardInterrupt:  # the solves under way stop and keep their best plans
                    interrupted = True
    return runs


def run_scenarios(
    paths: Iterable[str | Path],
    options: SolveOptions | None = None,
    *,
    jobs: int = 1,
    on_done: Callable[[ScenarioRun], None] | None = None,
) -> list[ScenarioRun]:
    """Load and solve scenarios; one result per path, in order, whatever fails."""
    runs = load_runs(paths)
    return solve_runs(runs, options or SolveOptions(), jobs=jobs, on_done=on_done)


# ------------------------------------------------------------------ KPIs
@dataclass
class Kpi:
    key: str
    label: str
    kind: str  # text | month | int | pct | count | seconds
    values: list[Any]
    #: Against the baseline (first scenario); None for the baseline itself and where not comparable.
    deltas: list[Any]


@dataclass
class Move:
    """A group whose month or method differs from the baseline's plan."""

    scenario: str
    group: str
    size: int
    baseline_month: str | None
    month: str | None
    months: int | None  # later (+) or earlier (-) than in the baseline
    baseline_method: str | None
    method: str | None


@dataclass
class Comparison:
    runs: list[ScenarioRun]
    calendar: list[str]
    kpis: list[Kpi]
    moves: list[Move]
    options: SolveOptions | None = None
    jobs: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.runs]

    @property
    def baseline(self) -> ScenarioRun:
        return self.runs[0]

    def kpi(self, key: str) -> Kpi:
        return next(k for k in self.kpis if k.key == key)

    def value(self, key: str, scenario: str) -> Any:
        return self.kpi(key).values[self.names.index(scenario)]

    def delta(self, key: str, scenario: str) -> Any:
        return self.kpi(key).deltas[self.names.index(scenario)]

    def moves_of(self, scenario: str) -> list[Move]:
        return [m for m in self.moves if m.scenario == scenario]


def calendar(insts: Iterable[Instance]) -> list[str]:
    """All month labels of all scenarios in time order (a scenario with ``start`` has a suffix)."""
    cal: list[str] = []
    for inst in insts:
        prev = -1
        for lab in inst.month_labels:
            if lab in cal:
                prev = cal.index(lab)
            else:
                cal.insert(prev + 1, lab)
                prev += 1
    if all(len(x) == 7 and x[4] == "-" and (x[:4] + x[5:]).isdigit() for x in cal):
        cal.sort()  # YYYY-MM labels: calendar order even when files disagree
    return cal


def _high_load_months(run: ScenarioRun) -> list[str]:
    out = []
    for m, util in zip(run.inst.months, run.result.plan.utilisation()):
        if any(u is not None and u > HIGH_LOAD for u in util.values()):
            out.append(m.label)
    return out


def _peak_helpdesk(run: ScenarioRun) -> float | None:
    vals = [u["helpdesk"] for u in run.result.plan.utilisation() if u["helpdesk"] is not None]
    return max(vals) if vals else None


def compare(runs: list[ScenarioRun], *, options: SolveOptions | None = None, jobs: int = 1) -> Comparison:
    """KPI table and moved groups; the first run is the baseline."""
    cal = calendar(r.inst for r in runs if r.inst is not None)
    pos = {lab: i for i, lab in enumerate(cal)}
    ok = [r.found for r in runs]

    def per_plan(fn: Callable[[ScenarioRun], Any]) -> list[Any]:
        return [fn(r) if r.found else None for r in runs]

    kpis: list[Kpi] = [Kpi("status", N_("Status"), "text", [r.status for r in runs], [None] * len(runs))]
    kpis.append(Kpi("finish_month", N_("Finish month"), "month",
                    per_plan(lambda r: r.inst.months[r.result.plan.finish()].label), []))
    for lab in cal:
        def by(r: ScenarioRun, lab: str = lab) -> int:
            p = r.result.plan  # by part: a split group's users count in each part's month (issue 15)
            return sum(u for _g, _k, t, u in p.all_parts() if pos[r.inst.months[t].label] <= pos[lab])
        kpis.append(Kpi(f"enrolled_by:{lab}", f"Users enrolled by {lab}", "int", per_plan(by), []))
    kpis.append(Kpi("waiting", N_("Users waiting (user-months, weighted by readiness)"), "int", per_plan(
        lambda r: sum(u * g.readiness * pos[r.inst.months[t].label]
                      for g, _k, t, u in r.result.plan.all_parts())), []))
    kpis.append(Kpi("assisted_users", N_("Assisted users"), "int", per_plan(lambda r: r.result.plan.assisted_users()), []))
    kpis.append(Kpi("peak_helpdesk", N_("Peak helpdesk utilisation"), "pct", per_plan(_peak_helpdesk), []))
    kpis.append(Kpi("months_over_90", f"Months over {HIGH_LOAD:.0%} of any capacity".replace("%", " %"), "count",
                    per_plan(lambda r: len(_high_load_months(r))), []))
    kpis.append(Kpi("solve_seconds", N_("Solve time (s)"), "seconds",
                    [r.result.seconds if r.result is not None else None for r in runs], []))

    for k in kpis[1:]:
        base = k.values[0] if runs else None
        deltas: list[Any] = [None]
        for i in range(1, len(runs)):
            v = k.values[i]
            if v is None or base is None or (k.key != "solve_seconds" and not (ok[0] and ok[i])):
                deltas.append(None)
            elif k.kind == "month":
                deltas.append(pos[v] - pos[base])
            else:
                deltas.append(v - base)
        k.deltas = deltas

    moves: list[Move] = []
    if runs and runs[0].found:
        bp = runs[0].result.plan
        for r in runs[1:]:
            if not r.found:
                continue
            p = r.result.plan
            sizes = {g.name: g.size for g in r.inst.groups} | {g.name: g.size for g in runs[0].inst.groups}
            names = [g.name for g in runs[0].inst.groups] + [g.name for g in r.inst.groups
                                                              if g.name not in bp.assignments]
            for name in names:
                a, b = bp.assignments.get(name), p.assignments.get(name)
                bm = bp.month_label(name) if a else None
                m = p.month_label(name) if b else None
                if a and b and bm == m and a.method == b.method:
                    continue
                moves.append(Move(
                    scenario=r.name, group=name, size=sizes[name], baseline_month=bm, month=m,
                    months=pos[m] - pos[bm] if a and b else None,
                    baseline_method=a.method if a else None, method=b.method if b else None,
                ))
    return Comparison(runs, cal, kpis, moves, options=options, jobs=jobs)


# ------------------------------------------------------------ formatting
def status_text(status: str) -> str:
    """A scenario's status (``optimal``, ``infeasible (interrupted)``, ``input error``) in the
    current language; English keeps the status words of the CSV/JSON."""
    base, sep, rest = status.partition(" (")
    words = {"optimal": pgettext("status", "optimal"), "feasible": pgettext("status", "feasible"),
             "infeasible": pgettext("status", "infeasible"), "unknown": pgettext("status", "unknown"),
             "input error": pgettext("status", "input error"), "error": pgettext("status", "error"),
             "not solved": pgettext("status", "not solved")}
    if base not in words:
        return status
    return words[base] + (" " + _("(interrupted)") if rest.startswith("interrupted") else "")


def kpi_label(k: Kpi) -> str:
    """A KPI's name in the current language (``k.label`` is the language-neutral English)."""
    if k.key.startswith("enrolled_by:"):
        return _("Users enrolled by {month}").format(month=i18n.month(k.key.split(":", 1)[1]))
    if k.key == "months_over_90":
        return _("Months over {percent} of any capacity").format(percent=i18n.percent(HIGH_LOAD))
    return _(k.label)


def _months(d: int) -> str:
    """'+1 month', '-2 months'."""
    return ngettext("{n} month", "{n} months", abs(d)).format(n=f"{d:+d}")


def fmt_value(kind: str, v: Any) -> str:
    if v is None:
        return "-"
    if kind == "pct":
        return i18n.percent(v)
    if kind == "seconds":
        return i18n.decimal(v)
    if kind == "month":
        return i18n.month(v)
    if kind == "text":
        return status_text(str(v))
    if isinstance(v, int) and i18n.language() != "en":
        return i18n.number(v)
    return str(v)


def fmt_delta(kind: str, d: Any) -> str:
    if d is None:
        return ""
    if kind == "month":
        return "±0" if d == 0 else _months(d)
    if kind == "pct":
        return "±0" if round(100 * d) == 0 else _("{n} pp").format(n=f"{100 * d:+.0f}")
    if kind == "seconds":
        return f"{d:+.2f}" if i18n.language() == "en" else f"{d:+.2f}".replace(".", ",")
    return "±0" if d == 0 else f"{d:+d}"


def fmt_cell(kpi: Kpi, i: int) -> str:
    v, d = fmt_value(kpi.kind, kpi.values[i]), fmt_delta(kpi.kind, kpi.deltas[i])
    return f"{v} ({d})" if d else v


def describe_move(m: Move, *, translate: bool = True) -> str:
    """'2027-08 -> 2027-09 (+1 month), tech-fair -> self-service' (in the current language;
    ``translate=False``: always English with method keys, as the CSV holds it)."""
    if not translate:
        lang = i18n.language()
        i18n.set_language("en")
        try:
            return describe_move(m)
        finally:
            i18n.set_language(lang)
    mon, meth = i18n.month, i18n.method_in_text
    if m.baseline_month is None:
        return _("only in this scenario: {month}, {method}").format(month=mon(m.month), method=meth(m.method))
    if m.month is None:
        return _("not in this scenario (baseline: {month}, {method})").format(
            month=mon(m.baseline_month), method=meth(m.baseline_method))
    parts = []
    if m.month != m.baseline_month:
        parts.append(f"{mon(m.baseline_month)} -> {mon(m.month)} ({_months(m.months)})")
    if m.method != m.baseline_method:
        parts.append(f"{meth(m.baseline_method)} -> {meth(m.method)}")
    return ", ".join(parts)


def kpi_rows(comp: Comparison) -> tuple[list[str], list[list[str]]]:
    """The KPI table as text cells: 'value (delta)'."""
    header = [_("KPI")] + comp.names
    rows = [[kpi_label(k)] + [fmt_cell(k, i) for i in range(len(comp.runs))] for k in comp.kpis]
    return header, rows


def comparison_dict(comp: Comparison) -> dict[str, Any]:
    """Everything, JSON-ready (the ``.json`` output)."""
    import datetime as _dt

    import ortools

    o = comp.options
    return {
        "baseline": comp.baseline.name if comp.runs else None,
        "calendar": comp.calendar,
        "solver": None if o is None else {
            "name": "OR-Tools CP-SAT", "ortools_version": ortools.__version__, "seed": o.seed,
            "workers_per_scenario": o.workers, "jobs": comp.jobs, "time_limit": o.time_limit,
            "deterministic": o.deterministic, "parameters": o.parameters(), "window_moves": o.lns,
        },
        "scenarios": [
            {
                "name": r.name,
                "file": r.path,
                "status": r.result.status if r.result is not None else r.error_kind,
                "found": r.found,
                "reason": r.reason,
                "explanation": (r.result.explanation.to_dict()
                                if r.result is not None and r.result.explanation is not None else None),
                "objective": r.result.objective if r.result is not None else None,
                "finish_month": comp.value("finish_month", r.name),
                "months_over_90": _high_load_months(r) if r.found else None,
                "inputs": dict(r.inst.sources) if r.inst is not None else None,
                "assignments": r.result.plan.rows() if r.found else [],
            }
            for r in comp.runs
        ],
        "kpis": [
            {"key": k.key, "label": k.label,
             "values": dict(zip(comp.names, k.values)), "deltas": dict(zip(comp.names[1:], k.deltas[1:]))}
            for k in comp.kpis
        ],
        "moved": [dataclasses.asdict(m) for m in comp.moves],
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }


def comparison_json(comp: Comparison) -> str:
    return json.dumps(comparison_dict(comp), indent=2, ensure_ascii=False) + "\n"


def _groups_changed(n: int) -> str:
    return ngettext("{n} group changed", "{n} groups changed", n).format(n=n)


def comparison_markdown(comp: Comparison) -> str:
    base = _md_cell(comp.baseline.name) if comp.runs else ""
    out = ["# " + _("Scenario comparison"), "",
           _("Baseline: **{name}**; every other column shows its difference from it in brackets.").format(name=base),
           "", md_table(*kpi_rows(comp))]
    out += ["", "## " + _("Changes against {name}").format(name=base), ""]
    if not comp.baseline.found:
        out.append(_("None: the baseline has no plan ({reason}).").format(reason=_md_cell(comp.baseline.reason)))
    for r in comp.runs[1:]:
        ms = comp.moves_of(r.name)
        name = _md_cell(r.name)
        if not r.found:
            out.append(f"- **{name}**: " + _("no plan ({reason})").format(reason=_md_cell(r.reason)))
        elif not ms:
            out.append(f"- **{name}**: " + _("the same plan as the baseline"))
        else:
            out.append(f"- **{name}**: {_groups_changed(len(ms))}")
            out += [f"  - {_md_cell(m.group)} ({i18n.users(m.size)}): {_md_cell(describe_move(m))}" for m in ms]
    failed = [r for r in comp.runs if not r.found]
    if failed:
        out += ["", "## " + _("Scenarios without a plan"), ""]
        out += [f"- **{_md_cell(r.name)}** ({_md_cell(r.path)}): {_md_cell(r.reason)}" for r in failed]
    o = comp.options
    if o is not None:
        out += ["", _("Each scenario solved with seed {seed}, {workers} CP-SAT workers, time limit "
                      "{seconds} s, deterministic={deterministic}; {jobs} in parallel.").format(
            seed=o.seed, workers=o.workers, seconds=f"{o.time_limit:g}", deterministic=o.deterministic,
            jobs=comp.jobs)]
    return "\n".join(out) + "\n"


def _csv_cell(v: Any, sep: str = ",") -> str:
    """Numbers as numbers (a delta of -60 stays -60; with ``;`` between cells a decimal
    comma, as Swedish Excel reads it); text escaped against formula injection."""
    if v is None:
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        text = str(round(v, 4) if isinstance(v, float) else v)
        return text.replace(".", ",") if sep == ";" else text
    return escape_cell(str(v))


def comparison_csv(comp: Comparison, sep: str = ",") -> str:
    """One row per KPI (then per moved group); per scenario a value column and, after the
    baseline, a 'vs <baseline>' delta column."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    base = comp.baseline.name if comp.runs else ""
    header = ["kpi"]
    for i, n in enumerate(comp.names):
        header += [n] if i == 0 else [n, f"{n} vs {base}"]
    w.writerow([_csv_cell(h, sep) for h in header])
    for k in comp.kpis:
        row: list[Any] = [k.label]
        for i in range(len(comp.runs)):
            row.append(k.values[i])
            if i:
                row.append(k.deltas[i])
        w.writerow([_csv_cell(c, sep) for c in row])
    moved = {}
    for m in comp.moves:
        moved.setdefault(m.group, {})[m.scenario] = m
    for group, by in moved.items():
        row = [f"moved: {group}"]
        for i, r in enumerate(comp.runs):
            a = r.result.plan.assignments.get(group) if r.found else None
            cell = f"{r.result.plan.month_label(group)} {a.method}" if a else ""
            row.append(cell)
            if i:
                row.append(describe_move(by[r.name], translate=False) if r.name in by else "unchanged" if cell else "")
        w.writerow([_csv_cell(c, sep) for c in row])
    return buf.getvalue()


def _xlsx_writer() -> Callable[[Comparison, Path], None] | None:
    """The .xlsx writer: a Comparison sheet plus one plan sheet per scenario."""
    return write_comparison_xlsx


def write_comparison_xlsx(comp: Comparison, path: Path) -> None:
    """Comparison sheet (KPIs as numbers with differences, moved groups, reasons) and, per
    scenario, its plan sheet as in ``rollout solve --out plan.xlsx``, and the sheet that
    explains a missing plan (optimizer.compare_workbook). Atomic."""
    from .compare_workbook import write_comparison_xlsx as write

    write(comp, path)


def writers() -> dict[str, Callable[..., None]]:
    """suffix -> writer(comparison, path): writes one format to ``path`` (a staged temp file)."""
    w: dict[str, Callable[..., None]] = {
        ".md": lambda c, p: save_text(p, comparison_markdown(c)),
        ".csv": lambda c, p, sep=",": save_csv(p, comparison_csv(c, sep)),
        ".json": lambda c, p: save_text(p, comparison_json(c)),
    }
    x = _xlsx_writer()
    if x is not None:
        w[".xlsx"] = x
    return w


def input_files(runs: Iterable[ScenarioRun]) -> list[str]:
    """Every file the scenarios read: the scenario files and the files they reference."""
    out: list[str] = []
    for r in runs:
        out.append(r.path)
        if r.inst is not None:
            out += source_files(r.inst.sources)
    return out


def check_out_paths(paths: list[str], inputs: Iterable[str | Path] = ()) -> list[Target]:
    """Fail before solving on an output we cannot or must not write (never an input)."""
    return parse_targets(paths, writers(), inputs)


def write_comparison(comp: Comparison, paths: Iterable[str | Target], *, csv_sep: str | None = None) -> list[Target]:
    """Write every output (all or none). ``csv_sep`` None follows the baseline's groups file."""
    known = writers()
    targets = [p for p in paths if isinstance(p, Target)]
    targets += check_out_paths([str(p) for p in paths if not isinstance(p, Target)], input_files(comp.runs))
    base = next((r.inst for r in comp.runs if r.inst is not None), None)
    sep = csv_sep or (input_separator(base) if base is not None else ",")

    def render(t: Target, tmp: Path) -> None:
        if t.suffix == ".csv":
            known[".csv"](comp, tmp, sep=sep)
        else:
            known[t.suffix](comp, tmp)

    return write_all(targets, render)


def exit_code(comp: Comparison) -> int:
    """0 every scenario has a plan; 2 a scenario had bad input; else 1 (some scenario has no plan)."""
    if any(r.error_kind == "input" for r in comp.runs):
        return 2
    return 0 if all(r.found for r in comp.runs) else 1


def print_comparison(console: Any, comp: Comparison) -> None:
    """The KPI table, the moved groups and the reasons, on a rich console (user text is
    only ever text: see :func:`optimizer.console.text`)."""
    from rich import box
    from rich.table import Table as RichTable

    from .console import text

    header, rows = kpi_rows(comp)
    t = RichTable(title=text(_("Scenario comparison (baseline: {name})").format(name=comp.baseline.name)),
                  box=box.SIMPLE, title_justify="left")
    for i, h in enumerate(header):
        t.add_column(text(h), justify="left" if i == 0 else "right", overflow="fold")
    for row in rows:
        t.add_row(*(text(c) for c in row))
    console.print(t)
    for r in comp.runs[1:]:
        ms = comp.moves_of(r.name)
        if not r.found:
            continue
        if not ms:
            console.print(text(_("{name}: the same plan as {baseline}").format(name=r.name, baseline=comp.baseline.name)))
            continue
        console.print(text((r.name, "bold"), ": " + _("{changed} against {baseline}").format(
            changed=_groups_changed(len(ms)), baseline=comp.baseline.name)))
        for m in ms:
            console.print(text(f"  {m.group} ({i18n.users(m.size)}): {describe_move(m)}"))
    for r in comp.runs:
        if not r.found:
            console.print(text((r.name, "red"), f" ({r.path}): " + _("no plan: {reason}").format(reason=r.reason or "")))
