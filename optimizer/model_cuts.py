"""Implied (redundant) rows of the CP-SAT model and the capacity bounds they rest on.

None of these rows cuts off a plan; they give CP-SAT a good finish bound at once and prove
capacity shortfalls without search (docs/model.md, "Implied rows"). :class:`ImpliedCuts` is mixed
into :class:`optimizer.model.RolloutModel`.
"""

from __future__ import annotations

from collections import defaultdict

from optimizer import rules as R
from optimizer.domain import METHODS, SEAT_RESOURCE, Instance

#: "No bound" for a linear row (CP-SAT domains are 64-bit; 2^50 leaves room for sums).
#: ``fix_level(level, -UNBOUNDED, value)`` keeps a level at most ``value``.
UNBOUNDED = 1 << 50


def month_user_capacity(inst: Instance, t: int) -> int:
    """Most users month t can enroll by any method mix (a fractional knapsack:
    methods with the fewest tickets per user first). An upper bound, used by the
    implied capacity rows and by explanations."""
    m, rates = inst.months[t], inst.rules.tickets_per_100_users
    budget = 100 * m.helpdesk  # tickets x 100
    users = 0.0
    seats = [(k, m.capacity(res)) for k, res in SEAT_RESOURCE.items()] + [("self-service", None)]
    for k, cap in sorted(seats, key=lambda kc: rates[kc[0]]):
        r = rates[k]
        # no early stop when the tickets run out: a later method may need none (rate 0)
        n = (cap if cap is not None else UNBOUNDED) if r == 0 else min(cap if cap is not None else UNBOUNDED,
                                                                 max(budget, 0) / r)
        users += n
        budget -= n * r
    return int(min(users, UNBOUNDED))


def _first_prefix(values: list[int], need: int) -> int | None:
    """Smallest i with values[0] + ... + values[i] >= need (None: never)."""
    total = 0
    for i, v in enumerate(values):
        total += v
        if total >= need:
            return i
    return None if need > 0 else 0


def stage_floor(inst: Instance, months: int) -> int | None:
    """The earliest month the pilot stage can end, from capacity alone: the pilot-stage
    groups' users (and their fewest possible tickets) must fit in the months up to it
    (prefix sums of :func:`month_user_capacity` and of the helpdesk). 0 without a pilot
    stage; None when the first ``months`` months cannot hold the stage at all.

    A valid plan never ends its stage earlier, so production may start no earlier
    than this + ``stage_gap``. The model uses it to leave out production months
    before that (an LP relaxation of ``last >= month`` cannot see it: it spreads a
    pilot over months 0 and 2 and opens production in month 1 of 2 at half weight;
    at 5,000 groups it lifted CP-SAT's waiting bound by about 9 %, docs/benchmarks.md)."""
    stage = [g for g in inst.groups if g.pilot_stage]
    if not stage:
        return 0
    months = min(months, inst.horizon)
    users = [month_user_capacity(inst, t) for t in range(months)]
    helpdesk = [m.helpdesk for m in inst.months[:months]]
    fewest = sum(min(inst.rules.tickets(g.size, k) for k in inst.allowed_methods(g)) for g in stage)
    firsts = [_first_prefix(users, sum(g.size for g in stage)), _first_prefix(helpdesk, fewest)]
    return None if None in firsts else max(firsts)


class ImpliedCuts:
    """The implied rows of :class:`optimizer.model.RolloutModel` (uses its proto, open literals,
    sizes and guards)."""

    def add_redundant_capacity(self) -> None:
        """Implied (redundant) rows on the open literals that give CP-SAT a good
        finish bound at once (and prove capacity shortfalls without search): the
        open months must be able to absorb every user (and every production user
        after the pilot stage), and every group's fewest possible tickets.

        In guard mode they hold only while every rule they are derived from holds:
        their enforcement literals are all capacity guards (and, for the production
        row, every production-opens guard), so dropping any of those rules releases them.
        """
        if not self.redundant:
            return
        inst, T, o = self.inst, self.max_month + 1, self.open0
        cap_rules = set(R.CAPACITY_RULE.values())
        cap_lits = [lit for (rule, _), lit in self.guards.items() if rule in cap_rules]
        opens_lits = [lit for (rule, _), lit in self.guards.items() if rule == R.PRODUCTION_OPENS]

        def implied(vars_: list[int], coeffs: list[int], lo: int, lits: list[int]) -> None:
            ct = self.proto.constraints.add()
            ct.enforcement_literal.extend(lits)
            ct.linear.vars.extend(vars_)
            ct.linear.coeffs.extend(coeffs)
            ct.linear.domain.extend((lo, UNBOUNDED))

        # a month never needs to hold more than everyone (a 0-ticket method makes the
        # fractional knapsack unbounded: 2^50 coefficients would overflow these rows)
        users = [min(month_user_capacity(inst, t), int(self.sizes.sum())) for t in range(T)]
        implied(list(range(o, o + T)), users, int(self.sizes.sum()), cap_lits)
        gap = self.production_floor  # production's first month
        prod = sum(g.size for g in inst.groups if g.wave == "production")
        if prod and gap < T and (not self.guards_on or len(opens_lits) == sum(
                g.wave == "production" for g in inst.groups) or gap == 0):
            implied(list(range(o + gap, o + T)), users[gap:], prod, cap_lits + opens_lits)
        if self.guards_on:
            self._deadline_cuts(users, cap_lits)
        methods = (lambda g: METHODS) if self.guards_on else inst.allowed_methods
        min_tickets = sum(min(inst.rules.tickets(g.size, k) for k in methods(g)) for g in inst.groups)
        helpdesk_lits = [lit for (rule, _), lit in self.guards.items() if rule == R.HELPDESK]
        helpdesk = [m.helpdesk for m in inst.months[:T]]
        implied(list(range(o, o + T)), helpdesk, min_tickets, helpdesk_lits)
        if not self.guards_on:
            # The same rows as numbers: the first month by which the months so far can
            # hold them, a bound on finish that CP-SAT then has without solving an LP.
            firsts = [_first_prefix(users, int(self.sizes.sum())), _first_prefix(helpdesk, min_tickets)]
            if prod and gap < T:
                first = _first_prefix(users[gap:], prod)
                firsts.append(None if first is None else gap + first)
            if all(f is not None for f in firsts):
                self.finish_floor = max(firsts)
                self._linear([self.finish], [1], self.finish_floor, UNBOUNDED)
            self._deadline_rows(users)

    def _deadline_rows(self, users: list[int]) -> None:
        """Plain mode: the groups whose latest month is t or earlier must fit in the months up
        to t. Only a violated one is added (as its row on the open literals, which then has
        no solution): the model of such an input is infeasible at once, in presolve, where
        proving it by search takes seconds at 1,000 groups; other inputs get no row."""
        labels = self.inst.month_labels
        due = [0] * len(labels)
        for g in self.inst.groups:
            if g.latest:
                due[labels.index(g.latest)] += g.size
        total = 0
        for t in range(min(len(users), len(labels))):
            total += due[t]
            if total > sum(users[: t + 1]):
                o = self.open0
                self._linear(list(range(o, o + t + 1)), users[: t + 1], total, UNBOUNDED)
                return

    def _stage_cut(self) -> None:
        """Guard mode: each pilot-stage group that can't start before month e keeps production
        closed until e + stage_gap; if the production groups can't fit in the months from
        then on, the clause 'not all of: the capacity rules, every production-opens rule and
        that group's window' (infeasibility without search, as the deadline cuts). Added
        after the production-opens rows, whose guards it needs."""
        inst = self.inst
        cap_rules = set(R.CAPACITY_RULE.values())
        cap_lits = [lit for (rule, _), lit in self.guards.items() if rule in cap_rules]
        opens_lits = [lit for (rule, _), lit in self.guards.items() if rule == R.PRODUCTION_OPENS]
        total = int(self.sizes.sum())
        users = [min(month_user_capacity(inst, t), total) for t in range(self.max_month + 1)]
        labels = inst.month_labels
        stage = [g for g in inst.groups if g.pilot_stage and g.earliest]
        prod = sum(g.size for g in inst.groups if g.wave == "production")
        n_prod = sum(g.wave == "production" for g in inst.groups)
        if not stage or not prod or len(opens_lits) != n_prod:
            return
        for late in stage:  # one clause per group that starts too late on its own
            lit = self.guards.get((R.WINDOW, (late.name,)))
            start = labels.index(late.earliest) + inst.rules.stage_gap
            if lit is not None and prod > sum(users[start:]):
                ct = self.proto.constraints.add()
                ct.bool_or.literals.extend(-x - 1 for x in cap_lits + opens_lits + [lit])
                self.cuts.append(cap_lits + opens_lits + [lit])

    def _deadline_cuts(self, users: list[int], cap_lits: list[int]) -> None:
        """Guard mode: groups whose latest month is t must fit in the months up to t.
        Only the violated cuts are added, as clauses 'not all of these rules' over the
        capacity guards and those groups' window guards (infeasibility without search)."""
        inst = self.inst
        labels = inst.month_labels
        by_latest: dict[int, list[int]] = defaultdict(list)
        for gi, g in enumerate(inst.groups):
            if g.latest:
                by_latest[labels.index(g.latest)].append(gi)
        due, lits = 0, []
        for t in range(min(self.max_month + 1, len(labels))):
            for gi in by_latest.get(t, []):
                due += int(self.sizes[gi])
                lit = self.guards.get((R.WINDOW, (inst.groups[gi].name,)))
                if lit is not None:  # no guard: the window excludes nothing
                    lits.append(lit)
            if lits and due > sum(users[: t + 1]):
                ct = self.proto.constraints.add()
                ct.bool_or.literals.extend(-x - 1 for x in cap_lits + lits)
                self.cuts.append(cap_lits + lits)
