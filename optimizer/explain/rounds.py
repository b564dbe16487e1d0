"""The whole explanation: every conflict, each one's repairs, and one change per conflict that
together give a plan (rounds: a conflict can hide behind another)."""

from __future__ import annotations

import logging
import time

from optimizer.domain import Instance
from optimizer.explain.causes import shared_cause
from optimizer.explain.changes import apply_repair
from optimizer.explain.checks import DEFAULT_TIME_LIMIT, Verify, feasible
from optimizer.explain.conflicts import find_conflicts
from optimizer.explain.findings import Conflict, ConflictSet, Explanation, Repair
from optimizer.explain.repair_search import _left, repairs
from optimizer.explain.rulekeys import _CAP_RULES, conflict_groups
from optimizer.explain.words import describe, headline


log = logging.getLogger(__name__)


def combine(inst: Instance, per_conflict: list[list[Repair]], *, deadline: float, workers: int = 8,
            seed: int = 0) -> tuple[list[Repair], bool]:
    """One change per conflict that together give a plan for the whole input:
    (changes, verified?). The smallest change of each conflict first; when the whole
    input still has no plan with them, the next smallest of one conflict at a time
    (the conflicts are disjoint, but a change of one can touch another's months)."""
    if not per_conflict or any(not reps for reps in per_conflict):
        return [], False
    verify = Verify(workers=workers, seed=seed)
    choice = [reps[0] for reps in per_conflict]
    tries = [list(choice)] + [choice[:i] + [alt] + choice[i + 1:]
                              for i, reps in enumerate(per_conflict) for alt in reps[1:3]]
    for steps in tries:
        if time.perf_counter() >= deadline:
            break
        if verify(apply_repair(inst, Repair("", "combined", 0.0, _merged(steps))), _left(deadline)):
            return steps, True
    return choice, False


def _merged(steps: list[Repair]) -> tuple:
    """The changes of several repairs; horizon extensions are not added up (the longest counts)."""
    months = [int(v) for rep in steps for what, v in rep.changes if what == "add_months"]
    out = tuple(ch for rep in steps for ch in rep.changes if ch[0] != "add_months")
    return out + ((("add_months", max(months)),) if months else ())


def apply_combined(inst: Instance, steps: list[Repair]) -> Instance:
    """The instance with every change of a combined repair applied."""
    return apply_repair(inst, Repair("", "combined", 0.0, _merged(steps)))


def _conflict_repairs(inst: Instance, keysets: list[list[tuple[str, tuple]]], *, deadline: float,
                      workers: int, seed: int) -> tuple[list[list[Repair]], list[bool], bool]:
    """For each conflict its smallest changes verified with the other conflicts (and their
    causes' rules) set aside (strong); for one with none in its share of the time, changes that
    resolve the conflict itself (its rules alone admit a plan: weak, marked False). The last
    conflict searched (one without capacity rules, if any) is searched with the first change of
    every other one made instead, on the whole input: when that finds changes, the first changes of
    all together give a plan, verified by those very checks (the third value, True) - changes that
    interact (extra capacity in production's months and a pilot moved earlier) are found so."""
    per: list[list[Repair]] = [[] for _ in keysets]
    strong: list[bool] = [False] * len(keysets)
    chained = False
    aside = [ks + shared_cause(inst, ks) for ks in keysets]
    # the conflicts with capacity rules first (their extra capacity is searched with the others set
    # aside: a plain input, quick checks), the others last: changes of windows and months, checked
    # at once with the extra capacity made (a month more for the pilot is a quick check, extra
    # capacity on a tight input is not)
    todo = sorted(range(len(keysets)), key=lambda j: (not any(k[0] in _CAP_RULES for k in keysets[j]), len(keysets[j])))
    weight = [2.0 if any(k[0] in _CAP_RULES for k in ks) else 1.0 for ks in keysets]  # extra capacity: searches
    for n, i in enumerate(todo):
        keys = keysets[i]
        others = frozenset(k for j, ks in enumerate(aside) if j != i for k in ks)
        end = time.perf_counter() + (deadline - time.perf_counter()) * weight[i] / sum(weight[j] for j in todo[n:])
        t = time.perf_counter()
        # a lone conflict's changes need every second at scale; with several, keep some for the weak ones
        strong_end = end if len(keysets) == 1 else end - 0.2 * (end - time.perf_counter())
        reps: list[Repair] = []
        if 0 < n == len(todo) - 1 and all(strong[j] for j in todo[:n]):
            made = apply_combined(inst, [per[j][0] for j in todo[:n]])
            reps = repairs(made, keys, deadline=end, workers=workers, verify=Verify(workers=workers, seed=seed))
            chained = bool(reps)
        if not reps:
            reps = repairs(inst, keys, deadline=end if n and n == len(todo) - 1 else strong_end, workers=workers,
                           verify=Verify(others, workers=workers, seed=seed))
        strong[i] = bool(reps)
        if not reps and time.perf_counter() < end:
            reps = repairs(inst, keys, deadline=end, workers=workers,
                           verify=Verify(workers=workers, seed=seed, only=frozenset(keys)))
        per[i] = reps
        log.info("conflict %d: %d %s repairs in %.2f s", i + 1, len(reps), "chained" if chained and n else
                 "verified" if strong[i] else "own-rule", time.perf_counter() - t)
    return per, strong, chained


def _conflict_set(inst: Instance, keys: list[tuple[str, tuple]], minimal: bool, reps: list[Repair], rnd: int,
                  found: list) -> ConflictSet:
    """One conflict in words, with the rules of its cause that no other conflict holds."""
    taken = {k for ks, _ in found for k in ks}
    alike = [k for k in shared_cause(inst, keys) if k not in taken]
    return ConflictSet(rules=[Conflict(rule, key, describe(inst, (rule, key), keys)) for rule, key in keys],
                       groups=conflict_groups(inst, keys + alike), summary=headline(inst, keys, alike) or "",
                       repairs=reps, minimal=minimal, round=rnd,
                       same_cause=[Conflict(rule, key, describe(inst, (rule, key), keys)) for rule, key in alike])


#: rounds of conflicts: the next round searches the input with the round's combined repair
#: applied (a conflict can hide behind another that shares its months: at first the rules set
#: aside leave a plan, but the repairs do not)
_ROUNDS = 3


def explain(inst: Instance, *, time_limit: float = DEFAULT_TIME_LIMIT, seed: int = 0, workers: int = 8) -> Explanation:
    """Every conflict (disjoint, each shrunk to minimal), for each the smallest verified
    changes that resolve it, and one change per conflict that together give a plan,
    verified by a solve of the whole input; within ``time_limit`` seconds."""
    t0 = time.perf_counter()
    end = t0 + 0.97 * time_limit  # the last feasibility check may start just before the deadline
    cur, sets, steps = inst, [], []
    verified = complete = False
    note = ""
    only_strong = True
    for rnd in range(_ROUNDS):
        left = end - time.perf_counter()
        if rnd and left < 0.15 * time_limit:
            break
        found, complete, note = find_conflicts(cur, deadline=time.perf_counter() + 0.6 * left, seed=seed,
                                               workers=workers)
        log.info("round %d: %d conflicts (%s) in %.2f s", rnd + 1, len(found), "all" if complete else "maybe more",
                 time.perf_counter() - t0)
        if not found:
            break
        keysets = [keys for keys, _ in found]
        per, strong, chained = _conflict_repairs(cur, keysets, deadline=end - (0.15 if len(found) > 1 else 0.0) *
                                        (end - time.perf_counter()), workers=workers, seed=seed)
        only_strong = only_strong and all(strong)
        sets += [_conflict_set(cur, keys, minimal, reps, rnd + 1, found) for (keys, minimal), reps in zip(found, per)]
        if (len(found) == 1 and strong[0]) or chained:
            comb, ok = [reps[0] for reps in per], True  # verified on the whole input already
        else:
            comb, ok = combine(cur, per, deadline=end, workers=workers, seed=seed)
        steps += comb
        if ok or not comb or len(comb) < len(found) or not complete:
            verified = ok
            break
        cur = apply_combined(cur, comb)
    if verified and rnd > 0:  # each round's changes were checked on the input changed before it
        verified = bool(feasible(apply_combined(inst, steps), max(0.5, t0 + time_limit - time.perf_counter()),
                                 workers=workers, seed=seed))
    minimal = bool(sets) and all(s.minimal for s in sets)
    if not sets:
        note = note or "no conflict was found"
    elif not complete and not note:
        note = "the time ran out before every conflict was found"
    elif not verified:
        # The rules left admit a plan with these conflicts' rules set aside, but not with their
        # repairs: a conflict can hide behind another whose months or groups it shares.
        complete = False
        note = ("no set of changes was found that gives a plan for the whole input in the time: other "
                "conflicts that share months or groups with these may show once they are fixed; run again "
                "after the changes")
    single = len(sets) == 1 and only_strong
    return Explanation(conflicts=[c for st in sets for c in st.rules], repairs=sets[0].repairs if single else [],
                       minimal=minimal, seconds=time.perf_counter() - t0, note=note,
                       summary=sets[0].summary if len(sets) == 1 else "", sets=sets, combined=_distinct(steps),
                       combined_verified=verified, complete=complete and verified)


def _distinct(steps: list[Repair]) -> list[Repair]:
    """The combined repair's changes, each once: conflicts with the same cause (three high-risk
    groups past the horizon) propose the same change ("shorten risk_delay from 1 to 0"), made once."""
    seen: set = set()
    out = []
    for r in steps:
        if r.changes not in seen:
            seen.add(r.changes)
            out.append(r)
    return out
