"""Plans in and out of the CP-SAT model: hints, fixed choices, reading a solution.
:class:`Solutions` is mixed into :class:`optimizer.model.RolloutModel`."""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from optimizer.domain import METHODS, Choices

_K = {k: i for i, k in enumerate(METHODS)}


class Solutions:
    """Hints and solutions of :class:`optimizer.model.RolloutModel` (uses its x arrays)."""

    def hint(self, assignment: Choices) -> None:
        """Complete hint (every x, open, finish and helper variable we can derive)."""
        p = self.proto
        p.clear_solution_hint()
        G = len(self.inst.groups)
        want_t = np.full(G, -1, dtype=np.int64)
        want_k = np.full(G, -1, dtype=np.int64)
        for gi, (t, k) in assignment.items():
            want_t[gi], want_k[gi] = t, _K[k]
        xv = ((self.tx == want_t[self.gx]) & (self.kx == want_k[self.gx])).astype(np.int64)
        fin = int(min(max((t for t, _ in assignment.values()), default=0), self.max_month))
        T = self.max_month + 1
        h = p.solution_hint
        h.vars.extend(range(self.n_x))
        h.values.extend(xv.tolist())
        h.vars.extend(range(self.open0, self.open0 + T))
        h.values.extend([1 if t <= fin else 0 for t in range(T)])
        h.vars.append(self.finish)
        h.values.append(fin)
        if len(assignment) == G and not self.guards_on:
            for var, fn in self._aux:
                h.vars.append(var)
                h.values.append(fn(want_t, want_k))

    def fix_choices(self, choices: Choices) -> None:
        """Hold the given groups to their (month, method): a plan checked by the model. A
        choice the model has no variable for (not eligible in plain mode) makes it infeasible."""
        for gi, (t, k) in choices.items():
            a, b = self.starts[gi], self.starts[gi + 1]
            hit = np.nonzero((self.tx[a:b] == t) & (self.kx[a:b] == _K[k]))[0]
            if len(hit):
                self._linear([a + int(hit[0])], [1], 1, 1)
            else:
                self._linear([], [], 1, 1)  # 0 = 1: no such option

    def hint_value(self, var: int, value: int) -> None:
        """Add one variable's value to the hint (after :meth:`hint`, e.g. for a slack)."""
        self.proto.solution_hint.vars.append(var)
        self.proto.solution_hint.values.append(value)

    def read_assignment(self, solver: cp_model.CpSolver) -> Choices:
        sol = np.fromiter(solver.response_proto.solution, dtype=np.int64)[: self.n_x]
        on = np.nonzero(sol)[0]
        return {int(self.gx[i]): (int(self.tx[i]), METHODS[int(self.kx[i])]) for i in on}
