"""Helpers the notebooks use: contrasts, display tables, trade-off plots and report flows."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import dudao_sim as ds
from dudao_sim.experiments.statistics import paired_contrasts, paired_differences
from dudao_sim.report.notebook import (
    FLOW_COLUMNS,
    LOSS_COLUMNS,
    collect_report_flows,
    display_frame,
    draw_reporting_graph,
    report_flows,
    report_losses,
    scenario_scatter,
)


def _runs() -> pd.DataFrame:
    """Three scenarios, three seeds, two metrics, two months; known differences."""
    rows = []
    for scenario, shift in (("base", 0.0), ("reform", 0.1), ("variant", 0.15)):
        for seed in (1, 2, 3):
            for month in (0, 1):
                noise = 0.01 * seed
                rows.append((scenario, seed, month, "fake_share", 0.3 - shift + noise))
                rows.append((scenario, seed, month, "quality_mean", shift + noise))
    return pd.DataFrame(rows, columns=["scenario", "seed", "month", "metric", "value"])


# ---------------------------------------------------------------- paired_contrasts


def test_paired_contrasts_are_with_minus_without_seed_by_seed():
    runs = _runs()
    out = paired_contrasts(
        runs, {"reform": ("reform", "base"), "variant vs reform": ("variant", "reform")}
    )
    assert list(out.columns) == [
        "contrast",
        "with",
        "without",
        "metric",
        "diff_mean",
        "ci_low",
        "ci_high",
        "n_seeds",
        "within_noise",
    ]
    assert list(out["contrast"]) == ["reform", "reform", "variant vs reform", "variant vs reform"]
    got = out.set_index(["contrast", "metric"])["diff_mean"]
    assert got[("reform", "quality_mean")] == pytest.approx(0.1)
    assert got[("variant vs reform", "fake_share")] == pytest.approx(-0.05)
    # identical noise in both scenarios: the paired interval collapses onto the difference
    assert not out["within_noise"].any()
    assert (out["n_seeds"] == 3).all()


def test_paired_contrasts_agree_with_paired_differences():
    runs = _runs()
    out = paired_contrasts(runs, {"x": ("variant", "base")})
    ref = paired_differences(runs, "base")
    ref = ref[ref["scenario"] == "variant"].reset_index(drop=True)
    pd.testing.assert_series_equal(out["diff_mean"], ref["diff_mean"])
    pd.testing.assert_series_equal(out["ci_low"], ref["ci_low"])


def test_paired_contrasts_name_a_missing_scenario():
    with pytest.raises(ValueError, match="nope"):
        paired_contrasts(_runs(), {"x": ("nope", "base")})
    with pytest.raises(ValueError, match="itself"):
        paired_contrasts(_runs(), {"x": ("base", "base")})


# ---------------------------------------------------------------- display_frame


def test_display_frame_scales_shares_and_labels_them():
    summary = pd.DataFrame(
        {
            "scenario": ["a", "a"],
            "metric": ["fake_share", "quality_mean"],
            "mean": [0.25, 0.1],
            "ci_low": [0.2, 0.05],
            "ci_high": [0.3, 0.15],
        }
    )
    out = display_frame(summary)
    assert list(out.columns[:4]) == ["scenario", "metric", "label", "unit"]
    assert out["mean"].tolist() == pytest.approx([25.0, 0.1])
    assert out["ci_high"].tolist() == pytest.approx([30.0, 0.15])
    assert out["unit"].tolist() == ["%", "SD"]
    assert out["label"].iloc[0] == "Fake rectification share"
    assert display_frame(summary, lang="zh")["label"].iloc[0] == "虚假整改比例"
    assert summary["mean"].iloc[0] == 0.25  # the input is not changed


def test_display_frame_gives_differences_in_percentage_points():
    paired = pd.DataFrame({"metric": ["fake_share"], "diff_mean": [-0.1], "ci_low": [-0.2]})
    out = display_frame(paired)
    assert out["unit"].iloc[0] == "pp"
    assert out["diff_mean"].iloc[0] == pytest.approx(-10.0)
    with pytest.raises(ValueError, match="metric"):
        display_frame(paired.rename(columns={"metric": "m"}))


# ---------------------------------------------------------------- scenario_scatter


def test_scenario_scatter_draws_one_point_per_scenario():
    from dudao_sim.experiments.statistics import summarize

    summary = summarize(_runs(), last_months=2)
    fig, ax = plt.subplots()
    out = scenario_scatter(summary, "quality_mean", "fake_share", ax=ax)
    assert out is ax
    assert [t.get_text() for t in ax.texts] == ["base", "reform", "variant"]
    assert ax.get_ylabel() == "Fake rectification share (%)"
    _, y = ax.lines[0].get_data()  # the first scenario's marker, on display scales
    assert float(np.asarray(y)[0]) == pytest.approx(100 * (0.3 + 0.02))
    fig2, ax2 = plt.subplots()
    scenario_scatter(summary, "quality_mean", "fake_share", ax=ax2, annotate=False)
    assert len(ax2.texts) == 0
    assert ax2.get_legend_handles_labels()[1] == ["base", "reform", "variant"]
    plt.close(fig2)
    with pytest.raises(ValueError, match="not_a_metric"):
        scenario_scatter(summary, "quality_mean", "not_a_metric", ax=ax)
    with pytest.raises(ValueError, match="nope"):
        scenario_scatter(summary, "quality_mean", "fake_share", scenarios=["nope"], ax=ax)
    plt.close(fig)


# ---------------------------------------------------------------- report flows


@pytest.fixture(scope="module")
def flows() -> pd.DataFrame:
    """Three months of report flows of a small two-city province under the reform."""
    province = ds.synthetic_province(n_counties=5, n_cities=2, seed=3)
    model = ds.SupervisionModel(province, scenario="reform_2021", months=6, warmup_months=12, rng=4)
    return collect_report_flows(model, last_months=3)


def test_report_flows_put_each_edge_in_a_row():
    province = ds.synthetic_province(n_counties=4, seed=2)
    model = ds.SupervisionModel(province, scenario="pre_reform", months=1, warmup_months=0, rng=1)
    with pytest.raises(ValueError, match="run the model"):
        report_flows(model.reporting_graph())
    model.run()
    graph = model.reporting_graph()
    out = report_flows(graph)
    counties = out[out["level"] == "county"]
    cities = out[out["level"] == "city"]
    assert len(counties) == 4 and len(cities) == 1
    assert list(out["level"]) == ["county"] * 4 + ["city"]
    for row in counties.itertuples():
        edge = graph.edges[row.source, row.target]
        assert row.truth == edge["truth"] and row.reported == edge["reported"]
        assert np.isnan(row.passed_on)
        assert row.truth >= row.known >= row.reported >= 0
    city = cities.iloc[0]
    assert city["truth"] == pytest.approx(counties["truth"].sum())
    assert city["arrived"] == pytest.approx(counties["arrived"].sum())
    assert city["passed_on"] <= city["arrived"]
    assert city["parent"] == graph.nodes["gov:" + graph.nodes[city["source"]]["code"]]["name"]
    assert (counties["city"] == city["name"]).all()


def test_collect_report_flows_keeps_the_last_months(flows):
    assert flows["month"].unique().tolist() == [3, 4, 5]
    assert flows.columns[0] == "month"
    assert (flows.groupby("month")["level"].value_counts().unstack()["county"] == 5).all()
    model = ds.SupervisionModel(
        ds.synthetic_province(n_counties=3, seed=1), months=2, warmup_months=0, rng=1
    )
    with pytest.raises(ValueError, match="left to run"):
        collect_report_flows(model, last_months=3)
    with pytest.raises(ValueError, match="last_months"):
        collect_report_flows(model, last_months=0)


@pytest.mark.parametrize("by", ["county", "city", "province"])
def test_report_losses_split_the_truth(flows, by):
    out = report_losses(flows, by=by)
    assert out[list(LOSS_COLUMNS)].sum(axis=1).to_numpy() == pytest.approx(1.0)
    assert set(FLOW_COLUMNS) <= set(out.columns)
    assert ((out["county_passes"] > 0) & (out["county_passes"] <= 1)).all()
    n = {"county": 5, "city": 2, "province": 1}[by]
    assert len(out) == n


def test_report_losses_are_monthly_means_that_add_up(flows):
    province = report_losses(flows, by="province").iloc[0]
    city = report_losses(flows, by="city")
    county = report_losses(flows, by="county")
    per_month = flows[flows["level"] == "county"].groupby("month")["truth"].sum().mean()
    assert province["truth"] == pytest.approx(per_month)
    for column in FLOW_COLUMNS:
        assert city[column].sum() == pytest.approx(province[column])
        assert county[column].sum() == pytest.approx(province[column])
    # a county's pass-on at the city stage is its city's
    merged = county.merge(city[["code", "city_passes"]], left_on="city_code", right_on="code")
    assert merged["city_passes_x"].to_numpy() == pytest.approx(merged["city_passes_y"].to_numpy())
    with pytest.raises(ValueError, match="by"):
        report_losses(flows, by="township")
    with pytest.raises(ValueError, match="missing"):
        report_losses(flows.drop(columns="arrived"))


def test_draw_reporting_graph_draws_every_edge(flows):
    fig, ax = plt.subplots()
    out = draw_reporting_graph(flows, ax=ax, vmin=0.5, vmax=1.0)
    assert out is ax
    edges = [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(edges) == 5 + 2  # county → city and city → province
    names = {t.get_text() for t in ax.texts}
    assert set(flows.loc[flows["level"] == "city", "name"]) <= names
    assert flows.loc[flows["level"] == "city", "parent"].iloc[0] in names
    plt.close(fig)
