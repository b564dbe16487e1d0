"""What an infeasibility explanation holds (built by :mod:`optimizer.explain`).

Kept separate from the code that builds it so writers (JSON, Markdown, XLSX,
compare) can render an explanation without importing the solver machinery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Conflict:
    """One rule instance in a minimal conflicting set, in planner's words."""

    rule: str  # stable rule name from optimizer.rules, e.g. "helpdesk-capacity"
    key: tuple  # which instance: e.g. ("2027-09",) or ("Retail", "Finance")
    message: str  # e.g. "Retail must come after Finance, but ..."


@dataclass(frozen=True)
class Repair:
    """A change that makes the plan feasible, ranked by how little it changes."""

    description: str  # e.g. "+50 helpdesk tickets in 2027-09"
    kind: str  # e.g. "capacity", "window", "drop-rule"
    cost: float  # smaller = less change; used for ranking
    changes: tuple[tuple[str, Any], ...] = ()  # machine-readable (what, value) pairs


#: rules listed per conflict in the terminal, Markdown and workbook (JSON has them all)
MAX_RULES_SHOWN = 12


def _repair_dict(r: Repair) -> dict[str, Any]:
    return {"description": r.description, "kind": r.kind, "cost": r.cost,
            "changes": [list(ch) for ch in r.changes]}


def _rule_dict(c: Conflict) -> dict[str, Any]:
    return {"rule": c.rule, "key": list(c.key), "message": c.message}


@dataclass
class ConflictSet:
    """One conflict: rule instances that cannot all hold, whatever the other rules say.

    The conflicts of one explanation share no rule instance (each is found with the
    rules of the ones before set aside), so each needs a change of its own."""

    rules: list[Conflict] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # the groups its rules name (empty: all groups)
    summary: str = ""  # one sentence for the common shapes
    #: changes that each resolve this conflict: with the change, these rules and every rule
    #: not in another conflict admit a plan (verified by a solve), smallest change first
    repairs: list[Repair] = field(default_factory=list)
    minimal: bool = False  # True: without any one of its rules the rest admit a plan (verified)
    #: 1: a conflict of the input; 2, 3: one that shows once the changes of the round before are
    #: made (its numbers are those after the changes)
    round: int = 1
    #: rules of the same cause as one of ``rules`` (the windows of the other pilot-stage groups that
    #: start as late): each alone keeps this conflict, so they are set aside with it and changed with it
    same_cause: list[Conflict] = field(default_factory=list)

    def headline(self) -> str:
        if self.summary:
            return self.summary
        if not self.rules:
            return "no plan satisfies all rules"
        first, more = self.rules[0].message, len(self.rules) - 1
        return first if more == 0 else f"{first} (+{more} more rule{'s' if more > 1 else ''})"

    def to_dict(self) -> dict[str, Any]:
        return {"groups": list(self.groups), "summary": self.headline(), "minimal": self.minimal, "round": self.round,
                "rules": [_rule_dict(c) for c in self.rules], "same_cause": [_rule_dict(c) for c in self.same_cause],
                "repairs": [_repair_dict(r) for r in self.repairs]}


def _same_cause_text(rules: list[Conflict]) -> str:
    """'The same holds for the windows of 26 more pilot-stage groups (A, B, ... and 20 more): ...'."""
    names = [str(c.key[0]) for c in rules]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5:,} more" if len(names) > 5 else "")
    n = len(names)
    return (f"The same holds for the window{'s' if n > 1 else ''} of {n:,} more pilot-stage "
            f"group{'s' if n > 1 else ''} ({shown}): changing only one of these windows does not resolve it")


@dataclass
class Explanation:
    conflicts: list[Conflict] = field(default_factory=list)  # the rules of every conflict set, in order
    #: changes that each give a plan for the whole input on their own (only when there is one conflict)
    repairs: list[Repair] = field(default_factory=list)
    minimal: bool = False  # True when every conflict set was shrunk to a minimal one
    seconds: float = 0.0
    note: str = ""  # e.g. "time limit reached; the set may not be minimal"
    summary: str = ""  # one sentence for the common shapes (a group too big for its months, ...)
    #: every conflict found, disjoint (see ConflictSet); empty when none was found in time
    sets: list[ConflictSet] = field(default_factory=list)
    #: one change per conflict that together give a plan for the whole input
    combined: list[Repair] = field(default_factory=list)
    #: True when a solve of the whole input with every change of ``combined`` found a plan
    combined_verified: bool = False
    #: True when the search ended with a plan for the rules left: no further conflict exists
    complete: bool = False

    @property
    def intro(self) -> str:
        """The sentence before the list of conflicting rules."""
        return "These rules cannot all hold" + (
            " (a minimal set: without any one of them this conflict goes away):" if self.minimal else ":")

    @property
    def progress(self) -> str:
        """How far the shrinking got, in words ('' when every conflict is minimal)."""
        done = sum(s.minimal for s in self.sets)
        if not self.sets or done == len(self.sets):
            return ""
        if len(self.sets) == 1:
            return "The time ran out before this conflict was made minimal: it may contain rules that are not needed."
        return (f"{done} of {len(self.sets)} conflicts made minimal; the "
                f"{'other' if len(self.sets) - done == 1 else 'others'} may contain rules that are not needed.")

    def lines(self) -> list[tuple[str, str, str]]:
        """The explanation in reading order, for every renderer: (kind, text, rule name).

        kind: "count" (how many conflicts, when several), "summary", "heading" (one conflict of several), "intro", "rule", "repairs"
        (the sentence before the changes), "repair", "combined" (the sentence before the
        combined repair), "step" (one of its changes, numbered), "note"."""
        out: list[tuple[str, str, str]] = []
        multi = len(self.sets) > 1
        if multi:
            out.append(("count", f"{len(self.sets)} separate conflicts; each needs a change of its own.", ""))
        elif self.summary:
            out.append(("summary", self.summary, ""))
        sets = self.sets or ([ConflictSet(rules=self.conflicts, repairs=self.repairs, minimal=self.minimal)]
                             if self.conflicts else [])
        for i, st in enumerate(sets, 1):
            if multi:
                who = ", ".join(st.groups) if st.groups else "all groups"
                out.append(("heading", f"Conflict {i} of {len(sets)} ({who})" + (
                    ", which shows once the changes for the conflicts before it are made" if st.round > 1 else ""),
                    ""))
                if st.summary:
                    out.append(("summary", st.summary, ""))
            out.append(("intro", "These rules cannot all hold" + (
                " (a minimal set: without any one of them this conflict goes away):" if st.minimal else ":"), ""))
            out += [("rule", c.message, c.rule) for c in st.rules[:MAX_RULES_SHOWN]]
            rest = st.rules[MAX_RULES_SHOWN:]
            if rest:
                counts: dict[str, int] = {}
                for c in rest:
                    counts[c.rule] = counts.get(c.rule, 0) + 1
                out.append(("more", f"... and {len(rest):,} more rules of the same kinds ("
                            + ", ".join(f"{n:,} {rule}" for rule, n in counts.items()) + "); all in the JSON output", ""))
            if st.same_cause:
                out.append(("more", _same_cause_text(st.same_cause), ""))
            if st.repairs:
                out.append(("repairs", "Each of these changes resolves this conflict (smallest first):" if multi
                            else "Each of these changes gives a plan (smallest first):", ""))
                out += [("repair", r.description, r.kind) for r in st.repairs]
            else:
                out.append(("repairs", "No single change of one input was found that resolves it; change several.", ""))
        if multi and self.combined:
            n = len(self.combined)
            out.append(("combined", f"Do these {n} things to get a plan (checked: the whole input then has one):"
                        if self.combined_verified else
                        f"These {n} changes together were not confirmed to give a plan (no time left, or "
                        f"they interact); try them, then run again:", ""))
            out += [("step", f"{i}. {r.description}", r.kind) for i, r in enumerate(self.combined, 1)]
        elif multi:
            out.append(("combined", "No set of changes was found that fixes every conflict.", ""))
        for text in (self.progress, self.note):
            if text:
                out.append(("note", text, ""))
        return out

    def headline(self) -> str:
        """One line (compare's reason column)."""
        if len(self.sets) > 1:
            return f"{len(self.sets)} separate conflicts: " + "; ".join(s.headline() for s in self.sets)
        if self.summary:
            return self.summary
        if not self.conflicts:
            return self.note or "infeasible: no plan satisfies all rules"
        first = self.conflicts[0].message
        more = len(self.conflicts) - 1
        return first if more == 0 else f"{first} (+{more} more rule{'s' if more > 1 else ''})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "conflicts": [_rule_dict(c) for c in self.conflicts],
            "repairs": [_repair_dict(r) for r in self.repairs],
            "minimal": self.minimal,
            "seconds": round(self.seconds, 3),
            "note": self.note,
            "summary": self.headline(),
            "conflict_sets": [s.to_dict() for s in self.sets],
            "all_conflicts_found": self.complete,
            "combined_repair": {"changes": [_repair_dict(r) for r in self.combined],
                                "verified": self.combined_verified} if self.combined else None,
        }
