"""One group's variables in the model of parts (:mod:`optimizer.model_parts`), and the linear
expressions of its objective levels, both as proto variable indices.

The model is written straight into the CpModelProto (no cp_model objects per variable or row);
rules written with the cp_model API (the re-plan model, :mod:`optimizer.model_replan`, and the
explanation) get cp_model views of the same variables from :class:`_G`, made on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ortools.sat.python import cp_model

from optimizer.domain import Group

_sum = cp_model.LinearExpr.sum


@dataclass(eq=False)
class Lin:
    """sum coeffs * vars + offset over proto variable indices (an objective level)."""

    vars: list[int]
    coeffs: list[int]
    offset: int = 0

    def __add__(self, other):
        if isinstance(other, int):
            return Lin(self.vars, self.coeffs, self.offset + other)
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other):
        if isinstance(other, int):
            return Lin(self.vars, self.coeffs, self.offset - other)
        return NotImplemented


@dataclass(eq=False)
class _G:
    """One group's variables (either encoding) as proto indices.

    Unsplit: ``xi[t, k]`` one literal per eligible (month, method). Split: ``zi[k]`` method
    literals, ``yi[t]`` part literals, ``ui[t, k]`` users by method in month t, ``ti[t, k]``
    their tickets, ``bfi[t]``/``bli[t]`` "first/last month is t", ``first_i``/``last_i``."""

    g: Group
    months: list[int]
    methods: tuple[str, ...]
    split: bool
    model: cp_model.CpModel | None = None
    xi: dict = field(default_factory=dict)
    zi: dict = field(default_factory=dict)
    yi: dict = field(default_factory=dict)
    ui: dict = field(default_factory=dict)
    ti: dict = field(default_factory=dict)
    bfi: dict = field(default_factory=dict)
    bli: dict = field(default_factory=dict)
    first_i: int = -1
    last_i: int = -1

    # ----------------------------------------------------- index terms (the fast build)
    def month_terms(self, which: str = "first") -> tuple[list[int], list[int]]:
        """The group's first (or last) month as (indices, coefficients)."""
        if self.split:
            return [self.first_i if which == "first" else self.last_i], [1]
        return list(self.xi.values()), [t for t, _k in self.xi]

    def part_terms(self, t: int) -> tuple[list[int], list[int]]:
        """1 when the group has a part in month t, as (indices, coefficients)."""
        if self.split:
            return ([self.yi[t]], [1]) if t in self.yi else ([], [])
        ids = [self.xi[t, k] for k in self.methods if (t, k) in self.xi]
        return ids, [1] * len(ids)

    # ------------------------------------------- cp_model views (rules written with the API)
    def _bools(self, idx: dict) -> dict:
        return {key: self.model.get_bool_var_from_proto_index(i) for key, i in idx.items()}

    def _ints(self, idx: dict) -> dict:
        return {key: self.model.get_int_var_from_proto_index(i) for key, i in idx.items()}

    @cached_property
    def x(self) -> dict:
        return self._bools(self.xi)

    @cached_property
    def z(self) -> dict:
        return self._bools(self.zi)

    @cached_property
    def y(self) -> dict:
        return self._bools(self.yi)

    @cached_property
    def bf(self) -> dict:
        return self._bools(self.bfi)

    @cached_property
    def bl(self) -> dict:
        return self._bools(self.bli)

    @cached_property
    def by_method(self) -> dict:
        return self._ints(self.ui)

    @cached_property
    def tix_k(self) -> dict:
        return self._ints(self.ti)

    @cached_property
    def u(self) -> dict:
        """t -> users in month t (split; an expression: sum over methods)."""
        if not self.split:
            return {}
        return {t: _sum([self.by_method[t, k] for k in self.methods]) for t in self.months}

    @cached_property
    def tix(self) -> dict:
        """t -> tickets of the part in month t (split; an expression)."""
        if not self.split:
            return {}
        return {t: _sum([v for (s, _k), v in self.tix_k.items() if s == t]) for t in self.months}

    @cached_property
    def first(self):
        if self.split:
            return self.model.get_int_var_from_proto_index(self.first_i)
        return _sum([t * v for (t, _k), v in self.x.items()])

    @cached_property
    def last(self):
        if self.split:
            return self.model.get_int_var_from_proto_index(self.last_i)
        return self.first

    def part(self, t: int):
        """1 when the group has a part in month t."""
        if self.split:
            return self.y.get(t, 0)
        return _sum([self.x[t, k] for k in self.methods if (t, k) in self.x])

    def users(self, t: int, k: str | None = None):
        """Users enrolled in month t (with method k)."""
        if self.split:
            if k is None:
                return self.u.get(t, 0)
            return self.by_method.get((t, k), 0)
        ks = self.methods if k is None else [k]
        return _sum([self.g.size * self.x[t, m] for m in ks if (t, m) in self.x])
