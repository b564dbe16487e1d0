"""--lang sv|en: the catalogue is complete, the Swedish plan table speaks the guide's words,
the language comes from the flag or the environment, Swedish input words are read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner
from openpyxl import load_workbook

from optimizer import i18n
from optimizer.cli import load_inputs, main
from optimizer.errors import InputError
from optimizer.render.export import plan_markdown
from optimizer.inputs.loaders import load_instance
from optimizer.render.report import method_grid, plan_grid
from optimizer.solving.solver import SolveOptions, solve
from optimizer.checker import check_plan

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "optimizer" / "locale" / "sv" / "LC_MESSAGES" / "rollout.po"
POT = ROOT / "optimizer" / "locale" / "rollout.pot"
GUIDE = Path("/work/shared/seed/intune-rollout-plan.sv.md")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "E_": ((1, "c"), 2)}


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)


def catalogue():
    with open(PO, "rb") as fh:
        return read_po(fh)


def _key(context, msgid):
    return (context or None, msgid if isinstance(msgid, str) else msgid[0])


# ------------------------------------------------------------------ the catalogue
def test_every_message_has_a_swedish_entry():
    cat = catalogue()
    empty = [m.id for m in cat if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    fuzzy = [m.id for m in cat if m.id and m.fuzzy]
    assert not empty, f"messages without a Swedish text: {empty}"
    assert not fuzzy, f"fuzzy (unchecked) Swedish texts: {fuzzy}"


def test_the_catalogue_holds_every_message_the_code_marks():
    """A message marked in the code but missing in rollout.po would stay English in Swedish
    (run scripts/update_catalog.sh and translate)."""
    in_code = {_key(ctx, msg) for _f, _l, msg, _c, ctx in
               extract_from_dir(str(ROOT / "optimizer"), method_map=[("**.py", "python")], keywords=KEYWORDS)}
    in_po = {_key(m.context, m.id) for m in catalogue() if m.id}
    assert in_code - in_po == set(), "run scripts/update_catalog.sh and translate the new messages"
    with open(POT, "rb") as fh:
        assert {_key(m.context, m.id) for m in read_po(fh) if m.id} >= in_code


def test_placeholders_survive_translation():
    field = re.compile(r"\{\w*\}")
    for m in catalogue():
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strs = m.string if isinstance(m.string, tuple) else (m.string,)
        want = set(field.findall(ids[-1]))
        for s in strs:
            assert set(field.findall(s)) == want, (m.id, s)


# ------------------------------------------------------------------ the guide's wording
def _guide_tables() -> list[list[list[str]]]:
    """The guide's two Markdown tables as rows of stripped cells (bold marks removed)."""
    tables, cur = [], []
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("|"):
            cells = [c.strip().replace("**", "") for c in line.strip("|").split("|")]
            if not all(set(c) <= set(":-") for c in cells):
                cur.append(cells)
        elif cur:
            tables.append(cur)
            cur = []
    return tables


@pytest.fixture(scope="module")
def example_result():
    inst = load_inputs((), None)
    res = solve(inst, SolveOptions(time_limit=20, seed=0, workers=2))
    assert res.status == "optimal" and check_plan(res.plan) == []
    return inst, res


def _assert_guide_wording(header: list[str], rows: list[list[str]], mheader: list[str], mrows: list[list[str]]):
    pytest.importorskip("pathlib")
    if not GUIDE.is_file():
        pytest.skip(f"the guide {GUIDE} is not here")
    first, second = _guide_tables()
    # The header: the guide's "Distributionsfas" and its capitalised month names (with the year).
    assert header[0] == first[0][0] == mheader[0] == second[0][0]
    assert [h.split()[0] for h in header[1:]] == first[0][1:] == second[0][1:]  # Juli Augusti September Oktober
    assert all(re.fullmatch(r"[A-ZÅÄÖ][a-zåäö]+ 2027", h) for h in header[1:])
    # The phases: the guide's names, in the guide's order.
    assert [r[0] for r in rows] == [r[0] for r in first[1:]]
    # The method rows: the guide's method names.
    guide_methods = {r[0] for r in second[1:]} - {r[0] for r in first[1:]}
    ours = {r[0].strip() for r in mrows if r[0].startswith("  ")}
    assert ours and ours <= guide_methods | {"IT-teknikmässa"}, (ours, guide_methods)
    # The user counts: "IT (50 användare)", the guide's form; the example's IT pilot is the guide's cell.
    form = re.compile(r"^[^()]+(?: \([^()]+\))? \(\d+ användare\)$")
    guide_cells = [p.strip() for r in first[1:] for c in r[1:] for p in c.split("), ") if c]
    assert guide_cells and all(form.match(p if p.endswith(")") else p + ")") for p in guide_cells)
    our_cells = [p for r in rows for c in r[1:] if c for p in re.split(r"(?<=\)), |\n", c)]
    assert our_cells and all(form.match(p) for p in our_cells), our_cells
    assert rows[0][1] == first[1][1] == "IT (50 användare)"


def test_swedish_plan_table_speaks_the_guide(example_result):
    inst, res = example_result
    i18n.set_language("sv")
    _assert_guide_wording(*plan_grid(res.plan), *method_grid(res.plan))


def test_swedish_markdown_speaks_the_guide(example_result):
    inst, res = example_result
    i18n.set_language("sv")
    md = plan_markdown(inst, res)
    tables, cur = [], []
    for line in md.splitlines():
        if line.startswith("|:"):
            continue
        if line.startswith("| "):
            cur.append([c.strip() for c in line.strip().strip("|").split(" | ")])
        elif cur:
            tables.append(cur)
            cur = []
    _assert_guide_wording(tables[0][0], tables[0][1:], tables[1][0], [[("  " + r[0]) if r[0] in
                          ("Självbetjäning", "Assisterad", "IT-teknikmässa") else r[0]] + r[1:] for r in tables[1][1:]])
    assert "Alla 3\u00a0380 användare registrerade senast oktober 2027 (4 månader)" in md
    assert "## Plan med registreringsmetoder" in md


def test_swedish_workbook_speaks_the_guide(example_result, tmp_path: Path):
    from optimizer.render.workbook import write_plan_workbook

    inst, res = example_result
    i18n.set_language("sv")
    path = tmp_path / "plan.xlsx"
    write_plan_workbook(inst, res, path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Plan", "Assignments", "Kapacitet", "Sammanfattning", "Inputs"]
    ws = wb["Plan"]
    cells = [[("" if v is None else str(v)) for v in row] for row in ws.iter_rows(values_only=True)]
    top = next(i for i, r in enumerate(cells) if r[0] == "Distributionsfas")
    rows = []
    for r in cells[top + 1:]:
        if not r[0]:
            break
        rows.append(r)
    mtop = next(i for i, r in enumerate(cells) if i > top and r[0] == "Distributionsfas")
    mrows = []
    for r in cells[mtop + 1:]:
        if not r[0]:
            break
        mrows.append(["  " + r[0].strip() if r[0].startswith(" ") else r[0]] + r[1:])
    # The workbook splits a phase row taller than a page into parts; the example has none.
    _assert_guide_wording(cells[top], rows, cells[mtop], mrows)
    assert wb["Kapacitet"]["A2"].value == "juli 2027"
    # The machine-read sheets stay language-neutral: rollout check reads them back.
    r = run("--lang", "sv", "check", str(ROOT / "data/example/groups.csv"), str(ROOT / "data/example/capacity.csv"),
            str(path), "--rules", str(ROOT / "data/example/rules.toml"))
    assert r.exit_code == 0, r.output
    assert "Planen är giltig" in r.stdout and "Slutmånad oktober 2027" in r.stdout


# ------------------------------------------------------------------ which language
@pytest.mark.parametrize("env,lang", [
    ({"LANG": "sv_SE.UTF-8"}, "sv"), ({"LANG": "en_GB.UTF-8"}, "en"), ({"LANG": "C.UTF-8"}, "en"),
    ({"LC_ALL": "sv_FI", "LANG": "en_US.UTF-8"}, "sv"), ({"LC_ALL": "C", "LANG": "sv_SE.UTF-8"}, "en"),
    ({"LC_MESSAGES": "sv_SE.UTF-8", "LANG": "en_US"}, "sv"), ({}, "en"), ({"LANG": "de_DE.UTF-8"}, "en"),
])
def test_language_from_the_environment(env, lang):
    assert i18n.language_from_env(env) == lang


def test_flag_before_or_after_the_command_and_over_the_environment():
    sv = {"LANG": "sv_SE.UTF-8"}
    answer_sv = "Alla 3\u00a0380 användare registrerade senast oktober 2027"
    assert run("--lang", "sv", "solve", "-q").stdout.startswith(answer_sv)
    assert run("solve", "--lang", "sv", "-q").stdout.startswith(answer_sv)
    assert run("solve", "-q", env=sv).stdout.startswith(answer_sv)
    assert run("solve", "-q", "--lang", "en", env=sv).stdout.startswith("All 3,380 users enrolled by 2027-10")
    assert run("--lang", "en", "solve", "-q", env=sv).stdout.startswith("All 3,380 users")
    assert run("solve", "-q").stdout.startswith("All 3,380 users")


def test_every_command_takes_lang():
    stack = [main]
    while stack:
        cmd = stack.pop()
        assert any(p.name == "lang" for p in cmd.params), cmd.name
        stack.extend(getattr(cmd, "commands", {}).values())
    assert run("groups", "--lang", "xx").exit_code == 2


# ------------------------------------------------------------------ errors and input words
def test_errors_in_swedish_name_file_row_and_column(tmp_path: Path):
    g = tmp_path / "g.csv"
    g.write_text("group,size\nIT,femtio\n", encoding="utf-8")
    c = tmp_path / "c.csv"
    c.write_text("month,helpdesk\n2027-01,10\n", encoding="utf-8")
    r = run("--lang", "sv", "solve", str(g), str(c))
    assert r.exit_code == 2
    text = " ".join(r.stderr.split())
    assert text == f"Fel: {g}, rad 2, kolumn 'size': storleken (antal användare) måste vara ett heltal, men är 'femtio'"
    r = run("solve", str(g), str(c))
    assert "row 2, column 'size': size (users) must be a whole number, got 'femtio'" in " ".join(r.stderr.split())


def test_error_templates_keep_the_file_text_as_it_is():
    i18n.set_language("sv")
    err = InputError("'[bold]x{y}' is not one of: low, medium, high", file="g.csv", row=3, column="risk")
    assert str(err) == "g.csv, rad 3, kolumn 'risk': '[bold]x{y}' är inte något av: low, medium, high"
    assert str(InputError("a message without a template")) == "a message without a template"


def test_swedish_input_words(tmp_path: Path):
    g = tmp_path / "g.csv"
    g.write_text("group,size,wave,risk,vip,methods,platform\n"
                 "IT,50,Begränsat pilottest,låg,nej,Självbetjäning,blandad\n"
                 "IT-chefer,10,utökat pilottest,Låg,nej,assisterad;självbetjäning,Windows\n"
                 "Försäljning,200,Produktion,medel,nej,självbetjäning;teknikmässa,blandad\n"
                 "Chefer,30,produktion,hög,ja,Assisterad,blandad\n", encoding="utf-8")
    c = tmp_path / "c.csv"
    c.write_text("month,helpdesk,assisted,tech_fair\njuli 2027,100,50,100\naugusti 2027,100,50,100\n"
                 "september 2027,100,50,100\n", encoding="utf-8")
    inst = load_instance(g, c)
    by = {x.name: x for x in inst.groups}
    assert (by["IT"].wave, by["IT"].risk, by["IT"].methods, by["IT"].platform) == ("pilot", "low", ("self-service",),
                                                                                  "mixed")
    assert by["IT-chefer"].wave == "expanded-pilot" and by["IT-chefer"].methods == ("self-service", "assisted")
    assert by["Försäljning"].methods == ("self-service", "tech-fair") and by["Försäljning"].risk == "medium"
    assert by["Chefer"].vip and by["Chefer"].risk == "high"


def test_month_names():
    assert i18n.month("2027-07") == "2027-07"
    i18n.set_language("sv")
    assert i18n.month("2027-07") == "juli 2027" and i18n.month("2027-07", title=True) == "Juli 2027"
    assert i18n.month("M1") == "M1" and i18n.month("2027-13") == "2027-13"
    assert i18n.number(3363) == "3\u00a0363" and i18n.percent(0.005, 1) == "0,5 %"


def test_swedish_explanation_frame_and_capacity_rules(tmp_path: Path):
    g = tmp_path / "g.csv"
    g.write_text("group,size,vip\nStyrelsen,10,ja\n", encoding="utf-8")
    c = tmp_path / "c.csv"
    c.write_text("month,helpdesk,assisted\n2027-01,100,0\n", encoding="utf-8")
    r = run("solve", "--lang", "sv", str(g), str(c), "--time-limit", "5", env={"COLUMNS": "200"})
    assert r.exit_code == 1
    assert r.stdout.startswith("Ingen plan håller alla regler.\n")
    assert "Varför det inte finns någon plan" in r.stdout and "Dessa regler kan inte alla gälla" in r.stdout
    assert "2027-01 har plats för högst 0 assisterade användare" in r.stdout


def test_swedish_check_names_the_broken_rules(tmp_path: Path):
    plan = tmp_path / "plan.csv"
    plan.write_text("group,month,method\nIT,2027-07,self-service\nExecutives,2027-07,självbetjäning\n", encoding="utf-8")
    ex = ROOT / "data" / "example"
    r = run("check", "--lang", "sv", str(ex / "groups.csv"), str(ex / "capacity.csv"), str(plan),
            "--rules", str(ex / "rules.toml"), env={"COLUMNS": "200"})
    assert r.exit_code == 1
    out = r.stdout
    assert out.startswith("Planen bryter mot ") and "regler:" in out.splitlines()[0]
    assert "IT (expanded) har ingen månad och registreringsmetod i planen" in out
    assert "Executives är en VIP-grupp och måste registreras assisterat, inte med self-service" in out


# ------------------------------------------------------------------ rollout compare
def test_compare_speaks_swedish(tmp_path):
    sc = ROOT / "data" / "scenarios"
    md, xlsx, csv_out = tmp_path / "cmp.md", tmp_path / "cmp.xlsx", tmp_path / "cmp.csv"
    r = run("--lang", "sv", "compare", "-q", "--time-limit", "10", "--jobs", "1", str(sc / "baseline.toml"),
            str(sc / "no-tech-fair.toml"), "--out", str(md), "--out", str(xlsx), "--out", str(csv_out),
            env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    for out in (r.output, md.read_text(encoding="utf-8")):
        assert "Jämförelse av scenarier" in out and "Väntande användare (användarmånader" in out
        assert "oktober 2027" in out and "bästa möjliga" in out
        assert "Retail (1000 användare): augusti 2027 -> september 2027 (+1 månad)" in out
        assert "IT-teknikmässa -> självbetjäning" in out
        for english in ("Scenario comparison", "Waiting", "Users enrolled", "optimal", "users)", "month)"):
            assert english not in out, english
    assert "Varje scenario beräknat med seed" in md.read_text(encoding="utf-8")
    ws = load_workbook(xlsx)["Comparison"]
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "Jämförelse av scenarier" in cells and "Nyckeltal" in cells and "Ändring mot Baseline" in cells
    assert not any("Users enrolled" in c or "Finish month" in c for c in cells)
    formats = {c.number_format for row in ws.iter_rows() for c in row}
    assert any('" p.e."' in f for f in formats) and not any('" pp"' in f or '" mo"' in f for f in formats)
    # The CSV stays language-neutral: English KPI names and method keys, as rollout solve's CSV.
    text = csv_out.read_text(encoding="utf-8-sig")
    assert "Finish month" in text and "2027-08 -> 2027-09 (+1 month)" in text


# ------------------------------------------------------------------ rollout why
def test_why_speaks_swedish(tmp_path):
    ex = ROOT / "data" / "example"
    files = [str(ex / "groups.csv"), str(ex / "capacity.csv")]
    plan = tmp_path / "plan.csv"
    assert run("solve", "-q", *files, "--rules", str(ex / "rules.toml"), "--out", str(plan),
               "--time-limit", "5").exit_code == 0
    r = run("--lang", "sv", "why", *files, str(plan), "Retail", "--rules", str(ex / "rules.toml"),
            "--time-limit", "5", "--workers", "2", env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    out = r.output
    assert out.startswith("Retail registreras i ") and "(självbetjäning)." in out
    assert "Vad som håller den borta från varje tidigare månad" in out and "  juli 2027:" in out
    assert "supporten har" in out and "ärenden kvar" in out and "Kontrollerat:" in out
    for english in ("enrolls", "What keeps", "tickets", "helpdesk", "Checked", "2027-07"):
        assert english not in out, english


# ------------------------------------------------------------------ rollout groups / pilot
def test_groups_and_pilot_speak_swedish(tmp_path):
    from optimizer.directory.sample import write_sample

    users, devices = write_sample(tmp_path / "in", 300, seed=2)
    groups = tmp_path / "groups.csv"
    r = run("--lang", "sv", "groups", str(users), str(devices), "--by", "department,city,platform",
            "--out", str(groups), env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "Läste 300 användarrader från" in r.output and "Utelämnade" in r.output
    assert "Delade in" in r.output and "Största grupperna" in r.output and "Beredskap" in r.output
    for english in ("Read ", "Left out", "Grouped", "Largest groups", "user rows", "Readiness"):
        assert english not in r.output, english
    r = run("--lang", "sv", "pilot", str(groups), "--out", str(tmp_path / "waves.csv"), env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "Begränsat pilottest:" in r.output and "Jämfört med Windows Autopatchs fasta ringar" in r.output
    assert "pilottestet täcker varje kombination" in r.output and "Otestade" in r.output
    for english in ("Limited pilot", "Compared with", "Untested", "combinations of", "Proven best"):
        assert english not in r.output, english


# ------------------------------------------------------------------ rollout sweep
def test_sweep_speaks_swedish(tmp_path):
    base = (ROOT / "data" / "scenarios" / "baseline.toml").as_posix()
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(f'name = "Liten"\nbase = "{base}"\ntime_limit = 10\nworkers = 1\n'
                     "[axes.capacity_scale]\nhelpdesk = [1.0, 1.25]\n", encoding="utf-8")
    csv_out = tmp_path / "front.csv"
    r = run("--lang", "sv", "sweep", str(sweep), "--jobs", "1", "-q", "--out", str(csv_out), env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "Svep: Liten (2 scenarier)" in r.output and "Bästa" in r.output and "avvägning" in r.output
    assert "oktober 2027" in r.output and "scenarier är bästa avvägningar" in r.output
    for english in ("Sweep:", "Finish", "trade-off", "2027-10", "scenarios"):
        assert english not in r.output, english
    # the CSV stays language-neutral
    assert csv_out.read_text(encoding="utf-8").startswith("scenario,")
