"""Morris and Sobol on toy functions with known answers; the evaluate contract; the plot."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from SALib.test_functions import Ishigami

from dudao_sim.experiments.design import Factor, factor, registry_entry
from dudao_sim.experiments.sensitivity import (
    LAPTOP_MORRIS,
    MORRIS_COLUMNS,
    SOBOL_COLUMNS,
    morris,
    salib_problem,
    sobol,
)
from dudao_sim.policy.levers import LEVERS
from dudao_sim.report import sensitivity
from dudao_sim.report.sensitivity import plot_indices

ISHIGAMI = [Factor(f"x{i}", -math.pi, math.pi, "float") for i in (1, 2, 3)]
EN_LABEL = LEVERS["unannounced_share"].label("en")
UNIT = [Factor(f"x{i}", 0.0, 1.0, "float") for i in (1, 2, 3)]


def _ishigami_exact(a: float = 7.0, b: float = 0.1) -> dict[str, tuple[float, ...]]:
    """Analytical Sobol indices of the Ishigami function (Ishigami & Homma 1990)."""
    pi4, pi8 = math.pi**4, math.pi**8
    var = a**2 / 8 + b * pi4 / 5 + b**2 * pi8 / 18 + 0.5
    v1, v2, v13 = 0.5 * (1 + b * pi4 / 5) ** 2, a**2 / 8, 8 * b**2 * pi8 / 225
    return {
        "S1": (v1 / var, v2 / var, 0.0),
        "ST": ((v1 + v13) / var, v2 / var, v13 / var),
        "S13": (v13 / var,),
    }


class Recorder:
    """An evaluate function that records its calls."""

    def __init__(self, fn):
        self.fn = fn
        self.designs: list[pd.DataFrame] = []

    def __call__(self, design: pd.DataFrame) -> pd.DataFrame:
        self.designs.append(design)
        return self.fn(design)


def _ishigami(design: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"y": Ishigami.evaluate(design[["x1", "x2", "x3"]].to_numpy())})


def _linear(design: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"y": 10 * design["x1"] + 1 * design["x2"] + 0 * design["x3"]})


# ---------------------------------------------------------------- salib_problem()


def test_salib_problem():
    problem = salib_problem([factor("unannounced_share"), factor("visit_cap_per_year", 0, 12)])
    assert problem == {
        "num_vars": 2,
        "names": ["unannounced_share", "visit_cap_per_year"],
        "bounds": [[0.0, 1.0], [0.0, 12.0]],
    }


def test_salib_problem_rejects_bool_and_choice():
    for f in (factor("problem_ledger"), factor("targeting")):
        with pytest.raises(ValueError, match=rf"{f.name}.*SALib needs numeric.*grid\(\)"):
            salib_problem([factor("p_rebound"), f])


# ---------------------------------------------------------------- sobol()


def test_sobol_ishigami_matches_analytical_indices():
    exact = _ishigami_exact()
    assert exact["S1"] == pytest.approx((0.314, 0.442, 0.0), abs=1e-3)
    assert exact["ST"] == pytest.approx((0.558, 0.442, 0.244), abs=1e-3)
    evaluate = Recorder(_ishigami)
    out = sobol(ISHIGAMI, evaluate, n_base=1024, seed=0)
    assert list(out.columns) == list(SOBOL_COLUMNS)
    assert out["method"].unique().tolist() == ["sobol"]
    assert out["factor"].tolist() == ["x1", "x2", "x3"]
    assert out["S1"].to_numpy() == pytest.approx(exact["S1"], abs=0.05)
    assert out["ST"].to_numpy() == pytest.approx(exact["ST"], abs=0.05)
    assert (out[["S1_conf", "ST_conf"]] > 0).all().all()
    assert len(evaluate.designs) == 1
    assert len(evaluate.designs[0]) == 1024 * (3 + 2)
    assert "S2" not in out.attrs


def test_sobol_second_order_finds_the_x1_x3_interaction():
    evaluate = Recorder(_ishigami)
    out = sobol(ISHIGAMI, evaluate, n_base=1024, seed=1, second_order=True)
    assert len(evaluate.designs) == 1 and len(evaluate.designs[0]) == 1024 * (2 * 3 + 2)
    s2 = out.attrs["S2"].set_index(["factor", "factor_2"])["S2"]
    assert s2.index.tolist() == [("x1", "x2"), ("x1", "x3"), ("x2", "x3")]
    assert s2["x1", "x3"] == pytest.approx(_ishigami_exact()["S13"][0], abs=0.05)
    assert abs(s2["x1", "x2"]) < 0.05 and abs(s2["x2", "x3"]) < 0.05


def test_sobol_analyses_each_outcome_separately():
    def two(design: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"only_x1": design["x1"] ** 2, "only_x3": np.exp(design["x3"])})

    out = sobol(UNIT, two, n_base=256, seed=0).set_index(["outcome", "factor"])
    assert out.loc[("only_x1", "x1"), "ST"] == pytest.approx(1.0, abs=0.05)
    assert out.loc[("only_x3", "x3"), "ST"] == pytest.approx(1.0, abs=0.05)
    assert out.loc[("only_x1", "x3"), "ST"] == pytest.approx(0.0, abs=1e-9)
    assert out.loc[("only_x3", "x1"), "ST"] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("n_base", [0, 1, 100, 1000, 2.0, True])
def test_sobol_n_base_must_be_power_of_two(n_base):
    evaluate = Recorder(_ishigami)
    with pytest.raises(ValueError, match="n_base"):
        sobol(ISHIGAMI, evaluate, n_base=n_base)
    assert not evaluate.designs


def test_sobol_n_base_message_suggests_powers():
    with pytest.raises(ValueError, match=r"power of 2 \(e\.g\. 64 or 128\)"):
        sobol(ISHIGAMI, _ishigami, n_base=100)


# ---------------------------------------------------------------- morris()


def test_morris_linear_function():
    evaluate = Recorder(_linear)
    out = morris(UNIT, evaluate, n_trajectories=10, num_levels=4, seed=0)
    assert list(out.columns) == list(MORRIS_COLUMNS)
    assert out["method"].unique().tolist() == ["morris"]
    mu_star = out.set_index("factor")["mu_star"]
    assert mu_star["x1"] > mu_star["x2"] > mu_star["x3"]
    assert mu_star["x1"] == pytest.approx(10.0, abs=1e-9)
    assert mu_star["x2"] == pytest.approx(1.0, abs=1e-9)
    assert mu_star["x3"] == pytest.approx(0.0, abs=1e-9)
    assert out.set_index("factor")["mu"].to_numpy() == pytest.approx([10.0, 1.0, 0.0])
    assert len(evaluate.designs) == 1
    assert len(evaluate.designs[0]) == 10 * (3 + 1)


def test_morris_mu_star_is_per_full_range():
    # y = 10 x1 over [0, 2]: the effect of x1 across its whole range is 20
    factors = [Factor("x1", 0.0, 2.0), Factor("x2", 0.0, 1.0)]
    out = morris(factors, lambda d: pd.DataFrame({"y": 10 * d["x1"]}), seed=0)
    assert out.set_index("factor")["mu_star"]["x1"] == pytest.approx(20.0)


def test_morris_analyses_each_outcome_separately():
    def two(design: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"a": 10 * design["x1"] + design["x2"], "b": 3 * design["x3"]})

    out = morris(UNIT, two, seed=0).set_index(["outcome", "factor"])["mu_star"]
    assert out["a"].to_numpy() == pytest.approx([10.0, 1.0, 0.0])
    assert out["b"].to_numpy() == pytest.approx([0.0, 0.0, 3.0])


def test_morris_on_registry_factors_rounds_ints_and_passes_checks():
    factors = [
        factor("unannounced_share"),
        factor("visit_cap_per_year", 0, 12),
        factor("p_rebound"),
    ]

    def model(design: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"m": design["visit_cap_per_year"] / 12 + design["p_rebound"]})

    evaluate = Recorder(model)
    out = morris(factors, evaluate, **LAPTOP_MORRIS, seed=3)
    (design,) = evaluate.designs
    assert len(design) == LAPTOP_MORRIS["n_trajectories"] * (len(factors) + 1)
    assert list(design.columns) == ["point", *(f.name for f in factors)]
    assert design["visit_cap_per_year"].dtype == np.int64
    for row in design.to_dict("records"):
        for f in factors:
            assert registry_entry(f.name).check(row[f.name]) == row[f.name]
    mu_star = out.set_index("factor")["mu_star"]
    assert mu_star["visit_cap_per_year"] == pytest.approx(1.0)  # 0, 4, 8, 12: exact levels
    assert mu_star["unannounced_share"] == pytest.approx(0.0)


def test_morris_deterministic_per_seed():
    a = morris(ISHIGAMI, _ishigami, n_trajectories=6, seed=4)
    b = morris(ISHIGAMI, _ishigami, n_trajectories=6, seed=4)
    c = morris(ISHIGAMI, _ishigami, n_trajectories=6, seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["mu_star"], c["mu_star"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_trajectories": 1}, "n_trajectories"),
        ({"num_levels": 3}, "num_levels.*even"),
        ({"num_levels": 0}, "num_levels"),
    ],
)
def test_morris_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        morris(UNIT, _linear, **kwargs)


@pytest.mark.parametrize(
    ("evaluate", "match"),
    [
        (lambda d: pd.DataFrame({"y": d["x1"]}).iloc[:-1], "rows"),
        (lambda d: d["x1"], "DataFrame"),
        (lambda d: pd.DataFrame({"y": d["x1"].where(d["x1"] > 0.5)}), "'y'.*missing"),
        (lambda d: pd.DataFrame({"y": ["a"] * len(d)}), "'y'.*numeric"),
        (lambda d: pd.DataFrame(index=d.index), "no outcome"),
        (lambda d: pd.DataFrame({"point": d["point"][::-1].to_numpy(), "y": d["x1"]}), "order"),
    ],
)
def test_bad_evaluate_results_are_named(evaluate, match):
    with pytest.raises(ValueError, match=f"evaluate.*{match}"):
        morris(UNIT, evaluate)


def test_point_column_returned_by_evaluate_is_dropped():
    out = morris(UNIT, lambda d: d[["point"]].assign(y=10 * d["x1"]), seed=0)
    assert out["outcome"].unique().tolist() == ["y"]


# ---------------------------------------------------------------- plot_indices()


def _bars(fig: Figure) -> int:
    (ax,) = fig.axes
    return sum(len(c) for c in ax.containers if isinstance(c, BarContainer))


def test_plot_morris_one_bar_per_factor():
    indices = morris(UNIT, _linear, seed=0)
    fig = plot_indices(indices, "y")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert len(ax.patches) == 3 == _bars(fig)
    assert "y" in ax.get_title() and "Morris" in ax.get_title()
    # largest first: horizontal bars are drawn top-down in the order of the labels
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x1", "x2", "x3"]


def test_plot_sobol_two_bars_per_factor():
    indices = sobol(ISHIGAMI, _ishigami, n_base=128, seed=0)
    fig = plot_indices(indices, "y")
    (ax,) = fig.axes
    assert len(ax.patches) == 6 == _bars(fig)
    assert "Sobol" in ax.get_title()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ST", "S1"]


def _lever_indices() -> pd.DataFrame:
    factors = [factor("unannounced_share"), factor("p_rebound")]
    return morris(
        factors,
        lambda d: pd.DataFrame({"m": d["unannounced_share"] + 10 * d["p_rebound"]}),
        n_trajectories=4,
        seed=0,
    )


def test_plot_labels_in_chinese_when_fonts_available(monkeypatch):
    monkeypatch.setattr(sensitivity, "use_cjk_fonts", lambda: True)
    fig = plot_indices(_lever_indices(), "m", lang="zh")
    labels = {t.get_text() for t in fig.axes[0].get_yticklabels()}
    assert labels == {"暗访比例", "p_rebound"}  # assumptions have no label: their name
    assert "Morris 筛选" in fig.axes[0].get_title()
    en = plot_indices(_lever_indices(), "m", lang="en")
    assert {t.get_text() for t in en.axes[0].get_yticklabels()} == {EN_LABEL, "p_rebound"}


def test_plot_falls_back_to_english_without_cjk_fonts(monkeypatch):
    monkeypatch.setattr(sensitivity, "use_cjk_fonts", lambda: False)
    fig = plot_indices(_lever_indices(), "m", lang="zh")
    labels = {t.get_text() for t in fig.axes[0].get_yticklabels()}
    assert labels == {EN_LABEL, "p_rebound"}
    assert "筛选" not in fig.axes[0].get_title()


def test_plot_bad_arguments():
    indices = morris(UNIT, _linear, seed=0)
    with pytest.raises(ValueError, match=r"outcome: 'z'.*\['y'\]"):
        plot_indices(indices, "z")
    with pytest.raises(ValueError, match="lang"):
        plot_indices(indices, "y", lang="fr")
    both = pd.concat([indices, sobol(UNIT, _linear, n_base=16)], ignore_index=True)
    with pytest.raises(ValueError, match="methods"):
        plot_indices(both, "y")


def test_laptop_setting_is_a_valid_morris_setting():
    assert set(LAPTOP_MORRIS) == {"n_trajectories", "num_levels"}
    assert LAPTOP_MORRIS["num_levels"] == 4
    assert 2 <= LAPTOP_MORRIS["n_trajectories"] <= 20
