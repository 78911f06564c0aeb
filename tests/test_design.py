"""Designs over levers and assumptions: sizes, registry checks, Latin hypercube properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dudao_sim.experiments.design import Factor, factor, grid, latin_hypercube, registry_entry
from dudao_sim.policy.assumptions import ASSUMPTIONS, check_assumptions
from dudao_sim.policy.levers import LEVERS, check_levers


def _registry_checked(design: pd.DataFrame) -> None:
    """Every value passes the registry check unchanged, and whole rows pass the model's check."""
    for row in design.to_dict("records"):
        row.pop("point")
        for name, value in row.items():
            assert registry_entry(name).check(value) == value
        check_levers({k: v for k, v in row.items() if k in LEVERS})
        check_assumptions({k: v for k, v in row.items() if k in ASSUMPTIONS})


# ---------------------------------------------------------------- factor()


def test_factor_defaults_to_registry_range():
    f = factor("unannounced_share")
    assert (f.low, f.high, f.kind) == (0.0, 1.0, "float")
    a = factor("p_rebound")
    assert (a.low, a.high, a.kind) == (0.01, 0.08, "float")
    cap = factor("visit_cap_per_year")
    assert (cap.low, cap.high, cap.kind) == (0, 52, "int")
    assert isinstance(cap.low, int) and isinstance(cap.high, int)


def test_factor_bool_and_choice_values():
    assert factor("problem_ledger").choices == (False, True)
    assert factor("targeting").choices == LEVERS["targeting"].choices
    narrowed = factor("targeting", values=["random", "risk_based"])
    assert narrowed.kind == "choice" and narrowed.choices == ("random", "risk_based")


def test_factor_narrower_range_allowed():
    f = factor("p_rebound", low=0.02, high=0.05)
    assert (f.low, f.high) == (0.02, 0.05)
    assert factor("visit_cap_per_year", high=12).high == 12


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "unannounced_share", "high": 1.5}, r"unannounced_share.*\[0, 1\]"),
        ({"name": "p_rebound", "low": 0.005}, r"p_rebound.*\[0\.01, 0\.08\]"),
        ({"name": "visit_cap_per_year", "low": 2.5}, r"visit_cap_per_year.*whole number"),
        ({"name": "targeting", "values": ["nearest"]}, r"targeting.*random, risk_based"),
    ],
)
def test_factor_outside_registry_range_names_key_and_range(kwargs, match):
    with pytest.raises(ValueError, match=match):
        factor(**kwargs)


def test_factor_unknown_name_suggests_close_matches():
    with pytest.raises(ValueError, match=r"unanounced_share.*did you mean.*unannounced_share"):
        factor("unanounced_share")
    with pytest.raises(ValueError, match=r"p_rebond.*did you mean.*p_rebound"):
        factor("p_rebond")


def test_factor_rejects_wrong_kind_of_range():
    with pytest.raises(ValueError, match="values"):
        factor("unannounced_share", values=[0.1, 0.2])
    with pytest.raises(ValueError, match="low/high"):
        factor("targeting", low=0)
    with pytest.raises(ValueError, match="low < high"):
        factor("unannounced_share", low=0.5, high=0.2)
    with pytest.raises(ValueError, match="at least two"):
        factor("targeting", values=["random"])


def test_factor_built_directly():
    assert Factor("x", -math.pi, math.pi, "float").high == math.pi
    assert Factor("flag", kind="bool").choices == (False, True)
    with pytest.raises(ValueError, match="kind"):
        Factor("x", 0, 1, "real")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="low < high"):
        Factor("x", 1.0, 1.0)
    with pytest.raises(ValueError, match="whole number"):
        Factor("n", 0, 2.5, "int")


# ---------------------------------------------------------------- grid()


def test_grid_is_full_factorial():
    levels = {
        "problem_ledger": [False, True],
        "unannounced_share": [0.0, 0.3, 0.6],
        "targeting": ["random", "risk_based"],
        "p_rebound": [0.02, 0.05],
    }
    design = grid(levels)
    assert len(design) == 2 * 3 * 2 * 2
    assert list(design.columns) == ["point", *levels]
    assert design["point"].tolist() == list(range(24))
    assert not design.drop(columns="point").duplicated().any()
    for name, values in levels.items():
        assert sorted(design[name].unique().tolist(), key=str) == sorted(values, key=str)
    # the last key varies fastest
    assert design["p_rebound"].tolist()[:4] == [0.02, 0.05, 0.02, 0.05]
    assert design["problem_ledger"].tolist()[:12] == [False] * 12
    _registry_checked(design)


def test_grid_types():
    design = grid({"visit_cap_per_year": [0, 4.0], "problem_ledger": [True, False]})
    assert design["visit_cap_per_year"].dtype == np.int64
    assert design["problem_ledger"].dtype == bool
    assert design["point"].dtype == np.int64


@pytest.mark.parametrize(
    ("levels", "match"),
    [
        ({"unannounced_share": [0.2, 1.5]}, r"unannounced_share: 1\.5.*\[0, 1\]"),
        ({"visit_cap_per_year": [1.5]}, r"visit_cap_per_year.*whole number"),
        ({"p_rebound": [0.2]}, r"p_rebound.*\[0\.01, 0\.08\]"),
        ({"problem_ledger": [1]}, r"problem_ledger.*true or false"),
        ({"targetting": ["random"]}, r"targetting.*did you mean.*targeting"),
        ({"unannounced_share": []}, r"unannounced_share.*empty"),
        ({"unannounced_share": 0.5}, r"unannounced_share.*list of values"),
        ({"targeting": "random"}, r"targeting.*list of values"),
        ({"unannounced_share": [0.1, 0.1]}, r"unannounced_share.*only once"),
        ({}, r"levels"),
    ],
)
def test_grid_rejects_bad_values(levels, match):
    with pytest.raises(ValueError, match=match):
        grid(levels)


# ---------------------------------------------------------------- latin_hypercube()


def _factors() -> list[Factor]:
    return [
        factor("unannounced_share"),
        factor("p_rebound", 0.02, 0.06),
        factor("visit_cap_per_year", 0, 4),
        factor("targeting"),
        factor("problem_ledger"),
    ]


def test_lhs_each_stratum_of_each_float_factor_has_one_point():
    n = 30
    design = latin_hypercube(_factors(), n=n, seed=7)
    assert list(design.columns) == ["point", *(f.name for f in _factors())]
    assert design["point"].tolist() == list(range(n))
    for f in _factors():
        if f.kind != "float":
            continue
        x = design[f.name].to_numpy()
        strata = np.floor((x - f.low) / (f.high - f.low) * n).astype(int)
        assert sorted(strata) == list(range(n)), f.name


def test_lhs_discrete_factors_take_each_value_equally_often():
    # 30 strata, 5 whole numbers (0..4), 3 choices, 2 booleans: each bin holds whole strata
    design = latin_hypercube(_factors(), n=30, seed=3)
    assert design["visit_cap_per_year"].value_counts().to_dict() == {v: 6 for v in range(5)}
    assert design["targeting"].value_counts().to_dict() == {
        c: 10 for c in LEVERS["targeting"].choices
    }
    assert design["problem_ledger"].value_counts().to_dict() == {False: 15, True: 15}


def test_lhs_types_bounds_and_registry():
    design = latin_hypercube(_factors(), n=17, seed=1)
    assert design["visit_cap_per_year"].dtype == np.int64
    assert design["problem_ledger"].dtype == bool
    for f in _factors():
        if f.kind in ("float", "int"):
            assert design[f.name].between(f.low, f.high).all(), f.name
        else:
            assert set(design[f.name]) <= set(f.choices)
    _registry_checked(design)


def test_lhs_deterministic_per_seed():
    a = latin_hypercube(_factors(), n=12, seed=5)
    b = latin_hypercube(_factors(), n=12, seed=5)
    c = latin_hypercube(_factors(), n=12, seed=6)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["unannounced_share"], c["unannounced_share"])


def test_lhs_single_point_and_bad_arguments():
    assert len(latin_hypercube([factor("p_rebound")], n=1, seed=0)) == 1
    with pytest.raises(ValueError, match="n: 0"):
        latin_hypercube(_factors(), n=0, seed=0)
    with pytest.raises(ValueError, match="factors"):
        latin_hypercube([], n=5, seed=0)
    with pytest.raises(ValueError, match="more than once"):
        latin_hypercube([factor("p_rebound"), factor("p_rebound")], n=5, seed=0)
    with pytest.raises(ValueError, match="Factor"):
        latin_hypercube(["p_rebound"], n=5, seed=0)  # type: ignore[list-item]
