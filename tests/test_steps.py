"""The solve strategy's table (optimizer.solving.steps): which steps a level takes, by size, and
docs/architecture.md printing it as it is."""

import dataclasses
from pathlib import Path

from optimizer.samples import generate
from optimizer.solving.steps import (STEPS, KeepWhenNoTime, LpAndMovesAnswer, LpLevelBound, LpShorten,
                                     LpShortenMoves, LpShortenSearch, LpStart, MovesAfterSearch, NoTimeAfterLp,
                                     Record, Search, WindowMoves, steps_for, strategy_table)
from optimizer.solving.tuning import Tuning

DOC = Path(__file__).resolve().parent.parent / "docs" / "architecture.md"


def _names(inst, level, **tuning):
    t = dataclasses.replace(Tuning.for_size(len(inst.groups), inst.horizon), **tuning)
    return [type(s) for s in steps_for(inst, level, t)]


def test_small_instances_only_search():
    inst = generate(40, 8, 1)
    assert _names(inst, 0) == [KeepWhenNoTime, Search, LpShortenSearch, Record]
    assert _names(inst, 1) == [KeepWhenNoTime, Search, Record]


def test_mid_sized_later_levels_get_moves_after_the_search():
    inst = generate(160, 12, 3)
    assert _names(inst, 1, small_moves_from=100) == [KeepWhenNoTime, Search, MovesAfterSearch, Record]
    assert MovesAfterSearch not in _names(inst, 0, small_moves_from=100)


def test_large_instances_take_the_lp_steps_and_window_moves():
    inst = generate(120, 12, 1)
    assert _names(inst, 0, large_groups=100) == [LpShorten, WindowMoves, LpShortenMoves, NoTimeAfterLp,
                                                 KeepWhenNoTime, Search, LpShortenSearch, Record]
    assert _names(inst, 1, large_groups=100) == [LpLevelBound, LpStart, WindowMoves, KeepWhenNoTime, Search, Record]
    assert _names(inst, 1, large_groups=100, lp_only_groups=100) == [
        LpLevelBound, LpStart, WindowMoves, LpAndMovesAnswer, KeepWhenNoTime, Search, Record]
    assert _names(inst, 2, large_groups=100) == [WindowMoves, KeepWhenNoTime, Search, Record]


def test_switched_off_lp_steps_are_not_in_the_list():
    inst = generate(120, 12, 1)
    off = dict(large_groups=100, lp_finish_proof=False, lp_level_bound=False, lp_starts=False)
    assert _names(inst, 0, **off) == [WindowMoves, NoTimeAfterLp, KeepWhenNoTime, Search, Record]
    assert _names(inst, 1, **off) == [WindowMoves, KeepWhenNoTime, Search, Record]


def test_every_step_is_in_the_order_and_the_docs_print_it():
    assert len(set(STEPS)) == len(STEPS) == 12
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- steps:begin -->\n```\n", 1)[1].split("\n```\n<!-- steps:end -->", 1)[0]
    assert block == strategy_table(), "docs/architecture.md: regenerate the steps block from strategy_table()"
