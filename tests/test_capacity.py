"""Capacity and budgets that bind (十七, 二十一) and offices that are overseen (四, 二十五).

Visits draw on inspectors' hours (part-timers have little time; travel by county size and
terrain) and on offices' budgets; every level recruits; what offices deploy and how hard they
recruit follow what they learned a shortfall costs. Seeded synthetic provinces, statistical
claims over paired seeds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dudao_sim as ds
from dudao_sim.data.geography import county_radius_km, great_circle_km, mountain_counties
from dudao_sim.model.mechanisms.common import inspector_capacity
from dudao_sim.model.state import LevelCode
from dudao_sim.policy.assumptions import ASSUMPTIONS

#: Hunan's area in km² (the radius proxy is calibrated to it).
HUNAN_AREA_KM2 = 211_800
SEEDS = (1, 2, 3, 4, 5, 6)


@pytest.fixture(scope="module")
def toy() -> ds.Province:
    return ds.synthetic_province(n_counties=4, seed=3)


def _model(province, months: int = 24, seed: int = 1, **levers) -> ds.SupervisionModel:
    return ds.SupervisionModel(
        province,
        scenario="reform_2021",
        months=months,
        warmup_months=12,
        rng=seed,
        create_agents=False,
        **levers,
    )


def _tail(model: ds.SupervisionModel, metric: str, months: int = 12) -> float:
    return float(model.metrics()[metric].tail(months).mean())


def _paired_t(a: list[float], b: list[float]) -> float:
    d = np.asarray(a) - np.asarray(b)
    return float(d.mean() / (d.std(ddof=1) / np.sqrt(len(d))))


# ---- geography (十七: 地理因素、交通条件) --------------------------------------------------------
def test_one_degree_of_latitude_is_about_111_km():
    assert great_circle_km(112.0, 27.0, 112.0, 28.0) == pytest.approx(111.2, abs=0.2)
    assert great_circle_km(112.0, 27.0, 112.0, 27.0) == 0.0


def test_a_lone_county_gets_the_largest_radius():
    one = ds.synthetic_province(n_counties=1, seed=2)
    radius = county_radius_km(one, neighbours=3, scale=1.35, low=2.0, high=40.0)
    assert radius.tolist() == [40.0]
    with pytest.raises(ValueError, match="neighbours"):
        county_radius_km(one, neighbours=0, scale=1.0, low=2.0, high=40.0)


@pytest.mark.hunan
def test_hunan_county_sizes_and_mountains_from_the_bundled_coordinates():
    hunan = ds.load_province("hunan")
    a = {k: ASSUMPTIONS[k].value for k in ASSUMPTIONS}
    radius = county_radius_km(
        hunan,
        neighbours=int(a["county_radius_neighbours"]),
        scale=a["county_radius_scale"],
        low=a["county_radius_min_km"],
        high=a["county_radius_max_km"],
    )
    area = float((np.pi * radius**2).sum())
    assert area == pytest.approx(HUNAN_AREA_KM2, rel=0.1)
    assert radius["430181"] > 3 * radius["430102"]  # 浏阳市 (5,007 km²) vs 芙蓉区 (42 km²)
    mountain = mountain_counties(hunan)
    kinds = hunan.divisions.set_index("code")["division_type"].reindex(mountain.index)
    assert mountain[kinds == "autonomous_county"].all()
    assert mountain.sum() == 15  # 7 autonomous counties + the 8 county-level units of 湘西州


@pytest.mark.hunan
def test_a_visit_takes_longer_in_large_and_mountain_counties():
    model = ds.SupervisionModel("hunan", months=0, warmup_months=0, create_agents=False)
    offices, govs = model.state.offices, model.state.governments
    county = offices.level == LevelCode.COUNTY
    codes = govs.codes[offices.gov[county]]
    hours = pd.Series(offices.visit_hours[county], index=codes)
    mountain = mountain_counties(model.province).reindex(codes)
    assert hours[mountain].mean() > hours[~mountain].mean()
    radius = county_radius_km(model.province, 3, 1.35, 2.0, 40.0).reindex(codes)
    assert np.corrcoef(radius, hours)[0, 1] > 0.8
    on_site = model.assumptions["visit_hours_on_site"]
    assert (hours > on_site).all() and hours.max() > on_site + 1.0


# ---- hours (十七) -------------------------------------------------------------------------------
def test_part_timers_have_far_less_time_than_full_timers(toy):
    model = _model(toy, months=0)
    ins, offices = model.state.inspectors, model.state.offices
    capacity = inspector_capacity(ins, offices, model.assumptions)
    same = ins.office == np.bincount(ins.office[ins.active]).argmax()
    ft, pt = (
        capacity[same & ins.active & ins.full_time],
        capacity[same & ins.active & ~ins.full_time],
    )
    assert len(ft) and len(pt)
    assert pt.max() * 2 < ft.min()
    assert (capacity[~ins.active] == 0).all()


@pytest.mark.slow
def test_one_to_eight_against_one_to_five_changes_visits_and_detection(toy):
    """Fewer inspectors, fewer hours: visits and flow detection fall (paired over seeds)."""
    out: dict[float, dict[str, list[float]]] = {}
    for ratio in (5.0, 8.0):
        runs = [_model(toy, months=36, seed=s, schools_per_inspector_target=ratio) for s in SEEDS]
        for m in runs:
            m.run()
        out[ratio] = {
            k: [_tail(m, k) for m in runs] for k in ("visits_per_school_year", "flow_detection")
        }
    for metric in ("visits_per_school_year", "flow_detection"):
        t = _paired_t(out[5.0][metric], out[8.0][metric])
        assert t > 2.0, (metric, t, out[5.0][metric], out[8.0][metric])


# ---- money (二十一) ------------------------------------------------------------------------------
def test_spending_never_exceeds_the_budget_even_when_it_binds(toy):
    model = _model(toy, months=12, budget_per_school_yuan=800.0)
    for _ in range(model.warmup_months + model.months):
        model.step()
        offices = model.state.offices
        assert (offices.spent <= offices.budget * (1 + 1e-9) + 1e-6).all(), model.t
    assert model.metrics()["n_visits_unfunded"].sum() > 0  # the budget did bind


@pytest.mark.slow
def test_a_zero_budget_cuts_visits_by_more_than_half(toy):
    for seed in (1, 2):
        funded, broke = _model(toy, seed=seed), _model(toy, seed=seed, budget_per_school_yuan=0.0)
        funded.run()
        broke.run()
        assert _tail(broke, "n_school_visits") < 0.5 * _tail(funded, "n_school_visits")
        assert broke.state.offices.spent.max() == 0.0


def test_budgets_and_new_posts_follow_fiscal_capacity(toy):
    model = _model(toy, months=0)
    model.run(1)  # January: budgets
    offices = model.state.offices
    county = offices.level == LevelCode.COUNTY
    per_school = offices.budget[county] / offices.n_schools[county]
    elasticity = model.assumptions["budget_fiscal_elasticity"]
    expected = float(model.levers["budget_per_school_yuan"]) * offices.fiscal[county] ** elasticity
    assert np.allclose(per_school, expected)
    assert len(np.unique(offices.fiscal[county])) > 1


# ---- every level recruits (十七) --------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["pre_reform", "reform_2021"])
def test_no_level_of_the_inspectorate_shrinks_to_zero(toy, scenario):
    model = ds.SupervisionModel(
        toy, scenario=scenario, months=96, warmup_months=12, rng=4, create_agents=False
    )
    start = np.bincount(
        model.state.offices.level[model.state.inspectors.office[model.state.inspectors.active]],
        minlength=3,
    )
    model.run()
    ins, offices = model.state.inspectors, model.state.offices
    level = offices.level[ins.office]
    end = np.bincount(level[ins.active], minlength=3)
    hired = np.bincount(level[ins.active & (ins.hired > 0)], minlength=3)
    assert (end > 0).all(), (start, end)
    assert (hired > 0).all(), hired  # cities and the province recruit too
    assert (end >= start // 2).all(), (start, end)


# ---- oversight of offices (四, 二十五) --------------------------------------------------------
@pytest.mark.slow
def test_reported_plans_and_implementation_checks_make_offices_deliver(toy):
    """Offices deploy more of their inspectors' time where delivery is compared with a reported
    plan (四), and recruit faster where the province checks implementation (二十五)."""
    diligence, visits, staff = {}, {}, {}
    for key, levers in {
        "reform": {},
        "no_plans": {"plan_reporting": False},
        "no_checks": {"implementation_supervision": 0.0},
    }.items():
        runs = [_model(toy, months=36, seed=s, **levers) for s in SEEDS]
        for m in runs:
            m.run()
        county = [m.state.offices.level == LevelCode.COUNTY for m in runs]
        diligence[key] = [
            m.state.offices.diligence[c].mean() for m, c in zip(runs, county, strict=True)
        ]
        visits[key] = [_tail(m, "visits_per_school_year") for m in runs]
        staff[key] = [_tail(m, "n_inspectors") for m in runs]
    # Without reported plans no office is pressed for delivery: diligence stays where it is
    # when nobody checks; with them it rises wherever offices fell short.
    assert all(a >= b for a, b in zip(diligence["reform"], diligence["no_plans"], strict=True))
    assert np.mean(diligence["reform"]) > np.mean(diligence["no_plans"])
    assert _paired_t(visits["reform"], visits["no_plans"]) > 2.0
    assert _paired_t(staff["reform"], staff["no_checks"]) > 2.0
