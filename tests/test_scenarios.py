"""Scenario files: diffs from a baseline that cite their clauses, and reforms that stack."""

from __future__ import annotations

import pytest

from dudao_sim.policy.levers import LEVERS, defaults
from dudao_sim.policy.scenarios import (
    ScenarioError,
    compose,
    load_scenario,
    scenario_names,
)

VARIANTS = [
    "no_recheck",
    "announced_only",
    "high_stakes",
    "low_burden",
    "smart_supervision",
    "risk_based",
]


def test_shipped_scenarios_load_and_cite_their_levers_clauses():
    names = scenario_names()
    assert names[:2] == ["pre_reform", "reform_2021"]
    assert set(VARIANTS) <= set(names)
    for name in names:
        scenario = load_scenario(name)
        assert set(scenario.levers) == set(LEVERS)
        assert scenario.label_zh and scenario.label_en


def test_pre_reform_is_the_defaults_and_reform_2021_is_the_document():
    assert load_scenario("pre_reform").levers == defaults()
    reform = load_scenario("reform_2021").levers
    assert reform["schools_per_inspector_target"] == 5.0  # 十七: 1:5
    assert reform["full_time_share_target"] == 0.3  # 十七: >= 30 %
    assert reform["badged_coverage_target"] == 1.0  # 六: full coverage
    assert reform["problem_ledger"] and reform["supervision_orders"]  # 十一
    assert reform["recheck_timing"] != "none"  # 十二
    assert reform["visit_cap_per_year"] > 0  # 八


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_variant_differs_from_reform_2021_only_in_its_own_changes(variant):
    reform = load_scenario("reform_2021").levers
    scenario = load_scenario(variant)
    assert scenario.base == "reform_2021"
    differing = {k for k in LEVERS if scenario.levers[k] != reform[k]}
    assert differing and differing <= set(scenario.changes)


def test_reforms_stack_in_order_and_dicts_are_reforms():
    stacked = compose("reform_2021", "high_stakes", "no_recheck", {"recheck_share": 0.2})
    assert stacked.levers["accountability_strength"] == 1.0
    assert stacked.levers["recheck_timing"] == "none"
    assert stacked.levers["recheck_share"] == 0.2  # the last part wins
    assert stacked.chain[-3:] == ("high_stakes", "no_recheck", "custom")
    assert load_scenario("reform_2021").levers["recheck_share"] == 0.3  # unchanged


def _write(tmp_path, body: str, name: str = "mine"):
    path = tmp_path / f"{name}.toml"
    path.write_text(body, encoding="utf-8")
    return path


HEAD = 'name = "mine"\nlabel_zh = "我的"\nlabel_en = "Mine"\nbase = "reform_2021"\n[levers]\n'


def test_a_user_file_loads_on_a_shipped_base(tmp_path):
    path = _write(tmp_path, HEAD + 'recheck_share = { value = 0.9, clause = "十二" }\n')
    scenario = load_scenario(path)
    assert scenario.levers["recheck_share"] == 0.9
    assert scenario.levers["unannounced_share"] == 0.4  # from reform_2021


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('recheck_shar = { value = 0.9, clause = "十二" }\n', "unknown lever; did you mean"),
        (
            'recheck_share = { value = 1.9, clause = "十二" }\n',
            r"1.9 is not allowed; must be a number in \[0, 1\]",
        ),
        (
            'recheck_share = { value = 0.9, clause = "八" }\n',
            "clause '八' is not the lever's clause",
        ),
        ("recheck_share = 0.9\n", r"write it as \{ value = \.\.\., clause"),
        ('recheck_share = { value = 0.9, clause = "十二", why = "x" }\n', "unknown field"),
    ],
)
def test_bad_scenario_files_name_file_and_key(tmp_path, body, message):
    path = _write(tmp_path, HEAD + body)
    with pytest.raises(ScenarioError, match=message) as info:
        load_scenario(path)
    assert "mine.toml" in str(info.value)


def test_missing_and_circular_bases(tmp_path):
    with pytest.raises(ScenarioError, match="no such file or shipped scenario"):
        load_scenario("reform_2099")
    _write(tmp_path, 'name = "a"\nlabel_zh = "a"\nlabel_en = "a"\nbase = "b"\n', "a")
    _write(tmp_path, 'name = "b"\nlabel_zh = "b"\nlabel_en = "b"\nbase = "a"\n', "b")
    with pytest.raises(ScenarioError, match="circular base chain"):
        load_scenario(tmp_path / "a.toml")
    bad = _write(tmp_path, 'name = "x"\nlabel_zh = "x"\nlabel_en = "x"\ncolour = "red"\n', "x")
    with pytest.raises(ScenarioError, match=r"x\.toml, line 4, colour: unknown key; allowed"):
        load_scenario(bad)
