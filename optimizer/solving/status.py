"""The words a solve reports, as string enums: each compares equal to, and is written to every
output as, exactly the string it replaced ("optimal", "wall clock", "lp relaxation", ...)."""

from __future__ import annotations

from enum import StrEnum

from ortools.sat.python import cp_model


class Status(StrEnum):
    """A level's or a run's status."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    MODEL_INVALID = "model-invalid"
    UNKNOWN = "unknown"

    @classmethod
    def of_cp_sat(cls, status: int) -> "Status":
        """CP-SAT's status code as a status (unknown for any other code)."""
        return _CP_SAT.get(status, cls.UNKNOWN)


_CP_SAT = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
    cp_model.MODEL_INVALID: Status.MODEL_INVALID,
    cp_model.UNKNOWN: Status.UNKNOWN,
}


class StoppedBy(StrEnum):
    """What ended a level."""

    PROOF = "proof"  # optimal or infeasible
    WORK = "deterministic time"  # its work budget: the same on every run
    WALL_CLOCK = "wall clock"  # the result depends on the machine's speed
    INTERRUPTED = "interrupted"  # Ctrl-C
    NOT_RUN = "not run"
    NOTHING = ""


class BoundBy(StrEnum):
    """Where a level's bound comes from."""

    CP_SAT = "cp-sat"
    LP = "lp relaxation"  # GLOP (optimizer.solving.lp.relaxation): no plan finishes earlier, or the LP optimum
    CAPACITY = "capacity"  # the capacity rows' floor (model.finish_floor)
    NONE = ""
