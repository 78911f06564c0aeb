"""Synthetic provinces and the apportioning rule they share with the bundled data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dudao_sim as ds
from dudao_sim.data import hunan
from dudao_sim.data.county_rules import apportion


@given(
    total=st.integers(0, 100_000),
    weights=st.lists(st.floats(0.01, 100.0), min_size=1, max_size=60),
)
def test_apportion_meets_total_and_stays_within_one_of_quota(total, weights):
    shares = apportion(total, np.array(weights))
    quota = np.array(weights) / sum(weights) * total
    assert shares.sum() == total
    assert (shares >= np.floor(quota) - 1e-9).all() and (shares <= np.ceil(quota) + 1e-9).all()


def test_apportion_rejects_bad_input():
    with pytest.raises(ValueError, match="total: -1"):
        apportion(-1, np.ones(3))
    with pytest.raises(ValueError, match="all zero"):
        apportion(5, np.zeros(3))


def test_same_seed_identical_tables_and_other_seed_differs():
    a = ds.synthetic_province(n_counties=7, seed=11)
    b = ds.synthetic_province(n_counties=7, seed=11)
    c = ds.synthetic_province(n_counties=7, seed=12)
    for name in ("divisions", "counties", "schools"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert not a.schools["enrolment"].equals(c.schools["enrolment"])


def test_three_county_toy():
    toy = ds.synthetic_province(n_counties=3, seed=1)
    assert len(toy.county_table) == 3 and len(toy.cities) == 1
    assert 500 < len(toy.schools) < 800
    assert set(toy.schools["county_code"]) == set(toy.county_table.index)


def test_scale_one_is_hunan_sized():
    province = ds.synthetic_province(scale=1.0, seed=5)
    assert len(province.county_table) == 122 and len(province.cities) == 14
    assert len(province.schools) == 25_000
    assert province.counties[["n_subdistricts", "n_towns", "n_xiang"]].sum().sum() == 1947
    assert (province.schools["ownership"] == "private").sum() == hunan.PRIVATE_TOTAL_2024


def test_schools_per_county_sets_size():
    province = ds.synthetic_province(n_counties=10, schools_per_county=50, seed=2)
    assert len(province.schools) == pytest.approx(500, abs=6)


@settings(max_examples=25, deadline=None)
@given(n_counties=st.integers(1, 60), seed=st.integers(0, 2**32 - 1))
def test_any_size_and_seed_gives_a_valid_province(n_counties, seed):
    province = ds.synthetic_province(n_counties=n_counties, seed=seed)
    counties = province.divisions[province.divisions["level"] == "county"]
    assert len(counties) == n_counties
    assert counties.groupby("parent_code").size().min() >= 1  # no empty city
    assert (province.county_table["n_townships"] >= 1).all()
    assert (province.schools["enrolment"] >= 0).all()


def test_written_synthetic_province_loads_back_identical(tmp_path):
    made = ds.synthetic_province(n_counties=5, seed=9)
    loaded = ds.load_province(ds.write_synthetic_province(tmp_path, n_counties=5, seed=9))
    for name in ("divisions", "counties", "schools"):
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(made, name))
    assert loaded.provenance["seed"] == 9
    assert set(loaded.synthesized_columns()) == {"divisions", "counties", "schools"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_counties": 0}, "n_counties: 0 is not allowed"),
        ({"n_counties": 2.5}, "n_counties: 2.5 is not allowed"),
        ({"n_counties": 3, "n_cities": 4}, "n_cities: 4 is not allowed"),
        ({"scale": -1}, "scale: -1 is not allowed"),
        ({"scale": 1, "n_counties": 3}, "give one of them"),
        ({"schools_per_county": 0}, "schools_per_county: 0 is not allowed"),
    ],
)
def test_bad_sizes_are_rejected_with_the_argument_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ds.synthetic_province(**kwargs)
