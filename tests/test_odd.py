"""docs/odd.md matches the code: clause table, submodel order, named parameters."""

from __future__ import annotations

import re
from pathlib import Path

from dudao_sim.model.mechanisms import DEFAULT_MECHANISMS
from dudao_sim.model.model import SupervisionModel
from dudao_sim.policy.assumptions import ASSUMPTIONS
from dudao_sim.policy.clauses import clauses
from dudao_sim.policy.levers import LEVERS
from dudao_sim.structure.hierarchy import RELATIONS

ROOT = Path(__file__).resolve().parents[1]
ODD = (ROOT / "docs" / "odd.md").read_text(encoding="utf-8")


def _clause_table() -> dict[str, dict[str, list[str] | str]]:
    section = ODD.split("## Clause coverage", 1)[1]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in ("clause", "---"):
            continue
        rows[cells[0]] = {
            "title": cells[1],
            "status": cells[2],
            "where": cells[3],
            "modules": re.findall(r"`(dudao_sim/[\w/]+\.py)`", cells[3]),
            "levers": re.findall(r"`(\w+)`", cells[4]),
        }
    return rows


def test_every_clause_has_exactly_one_row_with_its_real_title():
    table = _clause_table()
    assert list(table) == list(clauses())
    for number, row in table.items():
        assert row["title"] == clauses()[number].title, number


def test_rows_name_existing_modules_or_say_why_out_of_scope():
    for number, row in _clause_table().items():
        if row["modules"]:
            for module in row["modules"]:
                assert (ROOT / module).is_file(), (number, module)
        else:
            assert row["where"].startswith("out of scope:"), number


def test_lever_columns_match_the_registry_both_ways():
    table = _clause_table()
    for number, row in table.items():
        for lever in row["levers"]:
            assert lever in LEVERS, (number, lever)
            assert number in LEVERS[lever].clauses, (number, lever)
    for name, lever in LEVERS.items():
        for clause in lever.clauses:
            assert name in table[clause]["levers"], (name, clause)


def test_mechanism_modules_cite_the_clauses_the_table_gives_them():
    table = _clause_table()
    for mechanism in DEFAULT_MECHANISMS:
        module = f"dudao_sim/model/mechanisms/{mechanism.__module__.rsplit('.', 1)[1]}.py"
        for clause in mechanism.clauses:
            assert module in table[clause]["modules"], (mechanism.name, clause)


def test_schedule_in_odd_matches_the_model_order_and_docstring():
    listed = re.findall(r"^\d\. \*\*(\w+)\*\*", ODD, flags=re.M)
    assert listed == [m.name for m in DEFAULT_MECHANISMS]
    docstring = SupervisionModel.step.__doc__ or ""
    in_docstring = re.findall(r"^\s+\d\. (\w+) —", docstring, flags=re.M)
    assert in_docstring == listed
    for mechanism in DEFAULT_MECHANISMS:
        assert f"### {mechanism.odd_section} " in ODD, mechanism.name


def test_parameters_named_in_submodels_exist():
    section = ODD.split("## 7. Submodels", 1)[1].split("## Clause coverage", 1)[0]
    named = set(re.findall(r"`([a-z_]+)`", section))
    known = set(LEVERS) | set(ASSUMPTIONS) | set(RELATIONS)  # parameters and edge relations
    assert named & known  # the section does name parameters
    unknown = {n for n in named - known if not n.startswith(("fixed", "random", "risk"))}
    assert not unknown, unknown


def test_each_clause_states_modelled_partly_or_out_of_scope():
    for number, row in _clause_table().items():
        status = row["status"]
        assert status == "modelled" or status.startswith(("partly: ", "out of scope")), number
        assert status.startswith("out of scope") == row["where"].startswith("out of scope:"), number


def test_clause_status_agrees_with_the_lever_audit():
    """A clause with a known dead lever or a lever declared bookkeeping-only is "partly" and
    names the lever; a "modelled" clause has none."""
    from dudao_sim.experiments.audit import KNOWN_DEAD_LEVERS, declared_bookkeeping

    weak = set(KNOWN_DEAD_LEVERS) | set(declared_bookkeeping())
    for number, row in _clause_table().items():
        named = set(re.findall(r"`(\w+)`", row["status"]))
        for lever in row["levers"]:
            if lever in weak:
                assert row["status"].startswith("partly: ") and lever in named, (number, lever)
        if row["status"] == "modelled":
            assert not set(row["levers"]) & weak, number
