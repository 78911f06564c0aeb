"""Behavioural assumptions: each has a plausible range, a unit and a source; all are used."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dudao_sim.policy.assumptions import ASSUMPTIONS, assumption_table, check_assumptions
from dudao_sim.policy.levers import LEVERS, LeverError

PACKAGE = Path(__file__).resolve().parents[1] / "dudao_sim"


def test_every_assumption_has_range_unit_and_source():
    for name, a in ASSUMPTIONS.items():
        assert a.low <= a.value <= a.high, name
        assert a.unit.strip(), name
        assert a.source.strip(), name


def test_assumptions_and_levers_do_not_share_names():
    assert not set(ASSUMPTIONS) & set(LEVERS)


def test_every_assumption_is_read_by_the_code():
    code = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    used = set(re.findall(r"""["'](\w+)["']""", code))  # named as a string somewhere
    unused = sorted(set(ASSUMPTIONS) - used)
    assert not unused, f"assumptions nothing reads: {unused}"


def test_out_of_range_and_unknown_assumptions_are_rejected():
    with pytest.raises(LeverError, match=r"p_rebound: 0.5 is not allowed; must be a number in"):
        check_assumptions({"p_rebound": 0.5})
    with pytest.raises(LeverError, match="p_rebund: unknown assumption; did you mean p_rebound"):
        check_assumptions({"p_rebund": 0.05})
    assert check_assumptions({"p_rebound": 0.05})["p_rebound"] == 0.05


def test_assumption_table_lists_every_assumption_with_its_submodel():
    table = assumption_table()
    assert set(table["name"]) == set(ASSUMPTIONS)
    assert {
        "conditions",
        "supervision",
        "results",
        "behaviour",
        "staffing",
        "reporting",
        "setup",
    } == set(table["submodel"])
