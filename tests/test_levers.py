"""Lever metadata and value checking (code-health checks on dudao_sim/policy/levers.toml)."""

from __future__ import annotations

import tomllib

import pytest

from dudao_sim.policy.clauses import OPINIONS_FILE, clauses
from dudao_sim.policy.levers import (
    LEVERS,
    LEVERS_FILE,
    LeverError,
    check_levers,
    defaults,
    lever_table,
)


def test_every_clause_of_the_document_is_found():
    found = clauses()
    assert len(found) == 25
    assert found["十七"].title == "充实教育督导力量"
    assert "1:5" in found["十七"].text
    assert "二十四" in found and "2022" in found["二十四"].text


def test_each_cited_clause_exists_in_the_seed_text():
    text = OPINIONS_FILE.read_text(encoding="utf-8")
    for lever in LEVERS.values():
        for clause in lever.clauses:
            assert f"（{clause}）" in text, (lever.name, clause)


def test_every_lever_has_complete_metadata():
    raw = tomllib.loads(LEVERS_FILE.read_text(encoding="utf-8"))
    assert set(raw) == set(LEVERS)
    for name, lever in LEVERS.items():
        assert lever.label_zh and lever.label_en and lever.help_zh and lever.help_en, name
        assert lever.unit, name
        assert set(raw[name]) >= {"label_zh", "label_en", "clauses", "kind", "unit", "default"}


def test_defaults_are_within_their_own_ranges():
    for name, value in defaults().items():
        assert LEVERS[name].check(value) == value


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "unannounced_share",
            1.5,
            r"unannounced_share: 1.5 is not allowed; must be a number in \[0, 1\]",
        ),
        ("unannounced_share", "high", "must be a number"),
        ("visit_cap_per_year", 2.5, r"must be a whole number in \[0, 52\]"),
        ("problem_ledger", 1, "must be true or false"),
        ("targeting", "smart", "must be one of random, risk_based, rotation"),
        ("unannouncd_share", 0.3, "unknown lever; did you mean unannounced_share"),
        ("budget_per_school_yuan", float("nan"), "is not allowed"),
    ],
)
def test_bad_values_name_the_key_and_the_allowed_range(key, value, message):
    with pytest.raises(LeverError, match=message):
        check_levers({key: value})


def test_check_levers_converts_and_fills():
    values = check_levers({"visit_cap_per_year": 12.0, "schools_per_inspector_target": 5})
    assert values["visit_cap_per_year"] == 12 and isinstance(values["visit_cap_per_year"], int)
    assert isinstance(values["schools_per_inspector_target"], float)
    assert set(values) == set(LEVERS)


def test_lever_table_in_both_languages():
    zh, en = lever_table("zh"), lever_table("en")
    assert list(zh["name"]) == list(LEVERS)
    assert zh.loc[zh["name"] == "unannounced_share", "label"].item() == "暗访比例"
    assert en.loc[en["name"] == "unannounced_share", "clauses"].item() == "八"
