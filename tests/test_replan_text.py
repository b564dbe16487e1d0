"""The re-plan's "what changed" list and ticket-rate report as the planner reads them
(optimizer.replan.text), in English and Swedish, and as JSON data."""

from __future__ import annotations

import json

from optimizer import i18n
from optimizer.replan.actuals import ActualRow, Actuals
from optimizer.replan.changes import changes_level, what_changed
from optimizer.domain import Group, Rules
from optimizer.replan.history import build_history
from optimizer.replan.observed_rates import observed_rates
from optimizer.replan.previous_plan import previous_from_parts
from optimizer.replan.text import change_rows, rate_rows, replan_dict

from conftest import instance, months

AS_OF = 2


def _case():
    inst = instance([Group("[bold]Sales[/bold]", 100), Group("HR", 40), Group("IT", 10)], months(100, 100, 100, 100, 100, assisted=50))
    prev = previous_from_parts([("[bold]Sales[/bold]", 1, 100, "self-service"), ("HR", 3, 40, "assisted"),
                                ("IT", 0, 10, "assisted")])
    acts = Actuals("act.csv", AS_OF, (
        ActualRow("[bold]Sales[/bold]", 1, 40, "self-service", 9, 2),
        ActualRow("IT", 0, 10, "assisted", 1, 3),
        ActualRow("HR", 1, 0, "assisted", 2, 4)))
    history = build_history(inst, acts)
    new = {("[bold]Sales[/bold]", 2): 30, ("[bold]Sales[/bold]", 3): 30, ("HR", 4): 40}
    methods = {"[bold]Sales[/bold]": "assisted", "HR": "assisted"}
    changes = what_changed(inst, prev, new, methods, history)
    level = changes_level(prev.users, new, acts.users_by_group(), AS_OF)
    return inst, changes, level, observed_rates(acts, Rules(), apply=True)


def test_what_changed_in_english():
    inst, changes, level, _ = _case()
    header, rows = change_rows(inst, changes, AS_OF)
    assert header == ["Group", "Previous months", "New months", "Previous method", "New method", "Users moved"]
    assert rows == [
        ["[bold]Sales[/bold]", "2027-02", "2027-02: 40 users enrolled, 2027-03: 30 users, 2027-04: 30 users",
         "self-service", "self-service, assisted", "60 users moved (60 of them slipped)"],
        ["HR", "2027-04", "2027-05", "assisted", "assisted", "40 users moved"]]
    assert level == 100


def test_what_changed_in_swedish():
    inst, changes, _, _ = _case()
    i18n.set_language("sv")
    header, rows = change_rows(inst, changes, AS_OF)
    assert header[1:3] == ["Tidigare månader", "Nya månader"]
    assert rows[0][2] == ("februari 2027: 40 användare registrerade, mars 2027: 30 användare, "
                          "april 2027: 30 användare")
    assert rows[0][4] == "självbetjäning, assisterad"
    assert rows[0][5] == "60 användare flyttade (varav 60 försenade)"
    assert rows[1][5] == "40 användare flyttade"


def test_rate_report():
    *_, rates = _case()
    header, rows = rate_rows(rates)
    assert header[0] == "Method"
    # self-service: 9 tickets / 40 users = 22.5 per 100, too few users; assisted: 3 / 10
    assert rows[0] == ["Self-service", "15", "22.5", "40", "no (fewer than 100 users)"]
    assert rows[1] == ["Assisted", "2", "30.0", "10", "no (fewer than 100 users)"]
    assert rows[2] == ["IT tech fair", "5", "-", "0", "no (fewer than 100 users)"]
    i18n.set_language("sv")
    assert rate_rows(rates)[1][0] == ["Självbetjäning", "15", "22,5", "40", "nej (färre än 100 användare)"]


def test_json_data_is_language_neutral():
    inst, changes, level, rates = _case()
    i18n.set_language("sv")
    d = json.loads(json.dumps(replan_dict(inst, changes, level, rates, AS_OF)))
    assert d["as_of"] == "2027-03" and d["changes"] == 100
    assert d["what_changed"][0]["after"][0] == {"month": "2027-02", "users": 40, "method": "self-service", "done": True}
    assert d["what_changed"][1] == {"group": "HR", "before": [{"month": "2027-04", "users": 40, "method": "assisted",
                                                               "done": False}],
                                    "after": [{"month": "2027-05", "users": 40, "method": "assisted", "done": False}],
                                    "users_moved": 40, "slipped": 0}
    assert d["ticket_rates"][0] == {"method": "self-service", "planned_per_100": 15, "users": 40, "tickets": 9,
                                    "observed_per_100": 22.5, "enough_users": False, "used": False}
