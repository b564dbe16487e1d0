"""The scenarios of a comparison: loading them, how many to solve at once, and why one has no plan."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from optimizer.domain import Instance
from optimizer.errors import InputError
from optimizer.i18n import _, pgettext
from optimizer.render.outputs import source_files
from optimizer.inputs.scenario import load_scenario
from optimizer.solving.solver import DEFAULT_WORKERS, Result
from optimizer.compare.words import status_text


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
    #: Why this infeasible scenario has no plan, naming the rules in conflict: set by the
    #: explicit step :func:`explain_runs` (a CP-SAT search), never by reading ``reason``.
    explained: str | None = None

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
        """One line saying why this scenario has no plan (None when it has one); it never
        solves: the rules in conflict are named once :func:`explain_runs` has run."""
        if self.found:
            return None
        if self.result is None:
            return self.error or self.status
        return self.explained or no_plan_reason(self.result)


def explain_reason(inst: Instance, result: Result) -> str | None:
    """One line in planner's words for an infeasible scenario (optimizer.explain);
    None for other statuses (callers then fall back to the status)."""
    if result.status != "infeasible":
        return None
    if result.explanation is None:
        from optimizer.explain import explain

        result.explanation = explain(inst, time_limit=min(15.0, max(5.0, result.options.time_limit)),
                                     seed=result.options.seed, workers=result.options.workers)
    return pgettext("status", "infeasible") + ": " + result.explanation.headline()


def explain_runs(runs: Iterable[ScenarioRun]) -> None:
    """Name the rules in conflict for every scenario without a plan (the step after solving:
    up to 15 s of CP-SAT per infeasible scenario, see :func:`explain_reason`)."""
    for run in runs:
        if run.result is not None and not run.found:
            run.explained = explain_reason(run.inst, run.result)


def no_plan_reason(result: Result) -> str:
    """The one-line reason a scenario has no plan, from its result alone (the explanation's
    headline when the result carries one)."""
    if result.status == "infeasible":
        why = result.explanation.headline() if result.explanation is not None else _("no plan satisfies all rules")
        return pgettext("status", "infeasible") + ": " + why
    return status_text(result.status) + ": " + _(
        "no plan found within the time limit ({seconds} s); try a longer --time-limit").format(
        seconds=f"{result.options.time_limit:g}")


def fair_workers(jobs: int, total: int = DEFAULT_WORKERS) -> int:
    """CP-SAT workers per scenario when ``jobs`` solves share ``total`` workers."""
    return max(1, total // max(1, jobs))


#: Up to this many groups a solve takes less than starting a worker process (docs/benchmarks.md, "Compare").
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


def input_files(runs: Iterable[ScenarioRun]) -> list[str]:
    """Every file the scenarios read: the scenario files and the files they reference."""
    out: list[str] = []
    for r in runs:
        out.append(r.path)
        if r.inst is not None:
            out += source_files(r.inst.sources)
    return out
