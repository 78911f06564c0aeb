"""Tests of dudao_sim.structure.inspectorate: staffing (十七) and badged zones (六)."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

import dudao_sim as ds
from dudao_sim.data.vocab import BADGED_TYPES
from dudao_sim.structure.inspectorate import (
    INSPECTOR_COLUMNS,
    InspectorateSpec,
    as_spec,
    assign_badged_zones,
    round_half_up,
    staff_inspectorate,
)

BADGED = sorted(t.value for t in BADGED_TYPES)


@pytest.fixture(scope="module")
def prov() -> ds.Province:
    return ds.synthetic_province(n_counties=12, n_cities=3, seed=4)


def half_up(x: float) -> int:
    return math.floor(x + 0.5 + 1e-9)


def badged_per_county(province: ds.Province) -> pd.Series:
    """Badged-type schools per county, counted straight from the schools table."""
    s = province.schools
    counts = s[s["school_type"].isin(BADGED)].groupby("county_code").size()
    return counts.reindex(province.county_table.index, fill_value=0)


# ---- spec ----------------------------------------------------------------------------------
def test_spec_defaults_follow_the_clauses() -> None:
    spec = InspectorateSpec()
    assert spec.schools_per_inspector == 5.0
    assert spec.full_time_share == 0.30
    assert spec.badged_coverage == 1.0
    assert spec.max_zone_schools == 20
    for name, field in InspectorateSpec.model_fields.items():
        assert field.description, name
        assert re.search(r"[一二三四五六七八九十]|assumption|Assumption|教督", field.description)


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("schools_per_inspector", 0, "(0, 1000]"),
        ("schools_per_inspector", 1001, "(0, 1000]"),
        ("schools_per_inspector", float("nan"), "(0, 1000]"),
        ("full_time_share", 2, "[0, 1]"),
        ("full_time_share", -0.1, "[0, 1]"),
        ("badged_coverage", 1.5, "[0, 1]"),
        ("max_zone_schools", 0, ">= 1"),
        ("max_zone_schools", 2.5, ">= 1"),
        ("max_zone_schools", True, ">= 1"),
        ("city_inspectors_per_county", -1, "[0, 1000]"),
    ],
)
def test_spec_rejects_bad_values_naming_field_value_and_range(
    field: str, value: object, allowed: str
) -> None:
    with pytest.raises(ValueError) as info:
        InspectorateSpec(**{field: value})
    message = str(info.value)
    assert message.startswith(f"{field}: {value!r}")
    assert allowed in message
    with pytest.raises(ValueError, match=field):
        InspectorateSpec.from_kwargs(**{field: value})


def test_spec_rejects_unknown_fields_and_is_frozen() -> None:
    with pytest.raises(ValueError, match="ratio: unknown setting; allowed settings: schools_per"):
        InspectorateSpec(ratio=5)
    spec = InspectorateSpec()
    with pytest.raises(ValueError):
        spec.full_time_share = 0.5  # type: ignore[misc]


def test_from_kwargs_ignores_none_and_as_spec_accepts_mappings() -> None:
    spec = InspectorateSpec.from_kwargs(schools_per_inspector=None, badged_coverage=0.5)
    assert spec == InspectorateSpec(badged_coverage=0.5)
    assert as_spec({"badged_coverage": 0.5}) == spec
    assert as_spec(None) == InspectorateSpec()
    with pytest.raises(ValueError, match="spec: 5 is not allowed"):
        as_spec(5)  # type: ignore[arg-type]


def test_round_half_up_rounds_halves_upward() -> None:
    assert round_half_up([0.5, 1.5, 2.5, 4.5, 0.3 * 15, 1.49]).tolist() == [1, 2, 3, 5, 5, 1]


# ---- staffing ------------------------------------------------------------------------------
@pytest.mark.parametrize("ratio", [1, 3, 5, 7.5, 50])
def test_inspector_counts_follow_the_ratio(prov: ds.Province, ratio: float) -> None:
    staff = staff_inspectorate(prov, InspectorateSpec(schools_per_inspector=ratio))
    per_office = staff.groupby("office_code").size()
    for code, n in badged_per_county(prov).items():
        assert per_office.get(code, 0) == math.ceil(n / ratio), code
    n_higher = int((prov.schools["school_type"] == "higher_education").sum())
    assert per_office.get(prov.code, 0) == math.ceil(n_higher / ratio)
    parents = prov.county_table["parent_code"]
    for city in prov.cities.index:
        assert per_office.get(city, 0) == (parents == city).sum()
    assert set(staff.loc[staff["office_code"] == prov.code, "level"]) <= {"province"}
    assert set(staff.loc[staff["office_code"].isin(prov.cities.index), "level"]) == {"city"}


@pytest.mark.parametrize("share", [0.0, 0.3, 1 / 3, 0.5, 1.0])
def test_full_time_counts_per_office(prov: ds.Province, share: float) -> None:
    staff = staff_inspectorate(prov, InspectorateSpec(full_time_share=share))
    for code, group in staff.groupby("office_code"):
        expected = math.ceil(share * len(group) - 1e-9)
        assert group["is_full_time"].sum() == expected, code
        # the full-time inspectors come first within the office
        assert group["is_full_time"].tolist() == [True] * expected + [False] * (
            len(group) - expected
        )


def test_inspector_table_shape_and_ids(prov: ds.Province) -> None:
    staff = staff_inspectorate(prov)
    assert tuple(staff.columns) == INSPECTOR_COLUMNS
    assert staff["inspector_id"].is_unique
    assert staff["is_full_time"].dtype == bool
    pattern = re.compile(r"^I(\d+)-(\d{4})$")
    for inspector_id, office in zip(staff["inspector_id"], staff["office_code"], strict=True):
        match = pattern.match(inspector_id)
        assert match and match.group(1) == office
    assert staff.iloc[0]["office_code"] == prov.code
    # deterministic, seed plays no role
    pd.testing.assert_frame_equal(staff, staff_inspectorate(prov, seed=99))


def test_city_staff_rounds_half_up_and_province_managed_counties_move(prov: ds.Province) -> None:
    spec = InspectorateSpec(city_inspectors_per_county=0.5)
    per_city = prov.county_table.groupby("parent_code").size()
    staff = staff_inspectorate(prov, spec).groupby("office_code").size()
    for city, n in per_city.items():
        assert staff.get(city, 0) == half_up(0.5 * n)

    managed = list(prov.county_table.index[:2])  # both in the first city
    first_city = prov.county_table.loc[managed[0], "parent_code"]
    base = staff_inspectorate(prov).groupby("office_code").size()
    moved = staff_inspectorate(prov, province_managed_counties=managed).groupby("office_code")
    moved = moved.size()
    assert moved[first_city] == base[first_city] - 2
    assert moved[prov.code] == base[prov.code] + 2
    with pytest.raises(ValueError, match="province_managed_counties: 123456"):
        staff_inspectorate(prov, province_managed_counties=["123456"])


# ---- badged zones --------------------------------------------------------------------------
def _zone_checks(prov: ds.Province, staff: pd.DataFrame, zones: pd.DataFrame, max_zone: int):
    schools = prov.schools.set_index("school_id")
    covered = zones.dropna(subset=["inspector_id"])
    office = staff.set_index("inspector_id")["office_code"]
    # the inspector of a school belongs to the school's own county office
    assert (
        covered["inspector_id"].map(office).to_numpy()
        == schools.loc[covered["school_id"], "county_code"].to_numpy()
    ).all()
    sizes = covered.groupby("inspector_id").size()
    assert sizes.max() <= max_zone
    return covered, sizes


def test_full_coverage_puts_every_badged_school_in_one_balanced_zone(prov: ds.Province) -> None:
    staff = staff_inspectorate(prov)
    zones = assign_badged_zones(prov, staff)
    badged = prov.schools[prov.schools["school_type"].isin(BADGED)]
    assert zones["school_id"].tolist() == badged["school_id"].tolist()
    assert zones["school_id"].is_unique
    assert zones["inspector_id"].notna().all()
    _, sizes = _zone_checks(prov, staff, zones, 20)
    county_staff = staff[staff["level"] == "county"]
    for code, group in county_staff.groupby("office_code"):
        zone = sizes.reindex(group["inspector_id"], fill_value=0)
        assert zone.max() - zone.min() <= 1, code
        assert zone.sum() == badged_per_county(prov)[code]


@pytest.mark.parametrize("coverage", [0.0, 0.25, 0.5, 0.9])
def test_partial_coverage_covers_the_expected_number(prov: ds.Province, coverage: float) -> None:
    spec = InspectorateSpec(badged_coverage=coverage)
    staff = staff_inspectorate(prov, spec)
    zones = assign_badged_zones(prov, staff, spec, seed=7)
    county = prov.schools.set_index("school_id")["county_code"]
    got = zones.dropna().assign(c=lambda z: z["school_id"].map(county)).groupby("c").size()
    for code, n in badged_per_county(prov).items():
        # at least the share: the goal rounds up, as in the staffing mechanism
        assert got.get(code, 0) == math.ceil(coverage * n - 1e-9), code


def test_thin_inspectorate_caps_coverage(prov: ds.Province) -> None:
    spec = InspectorateSpec(schools_per_inspector=50, max_zone_schools=20)
    staff = staff_inspectorate(prov, spec)
    zones = assign_badged_zones(prov, staff, spec)
    county = prov.schools.set_index("school_id")["county_code"]
    got = zones.dropna().assign(c=lambda z: z["school_id"].map(county)).groupby("c").size()
    capped = 0
    for code, n in badged_per_county(prov).items():
        n_staff = math.ceil(n / 50)
        assert got.get(code, 0) == min(n, n_staff * 20)
        capped += n > n_staff * 20
    assert capped > 0  # the cap binds somewhere, so coverage < 1 is an outcome
    assert zones["inspector_id"].notna().mean() < 1
    _zone_checks(prov, staff, zones, 20)


def test_county_without_inspectors_is_not_covered(prov: ds.Province) -> None:
    staff = staff_inspectorate(prov)
    first = prov.county_table.index[0]
    zones = assign_badged_zones(prov, staff[staff["office_code"] != first])
    county = prov.schools.set_index("school_id")["county_code"]
    in_first = zones["school_id"].map(county) == first
    assert in_first.any()
    assert zones.loc[in_first, "inspector_id"].isna().all()
    assert zones.loc[~in_first, "inspector_id"].notna().all()


def test_zones_are_seeded(prov: ds.Province) -> None:
    spec = InspectorateSpec(badged_coverage=0.6)
    staff = staff_inspectorate(prov, spec)
    a = assign_badged_zones(prov, staff, spec, seed=1)
    b = assign_badged_zones(prov, staff, spec, seed=1)
    c = assign_badged_zones(prov, staff, spec, seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert not a["inspector_id"].isna().equals(c["inspector_id"].isna())
    assert a["inspector_id"].isna().sum() == c["inspector_id"].isna().sum()


def test_assign_rejects_a_bad_inspector_table(prov: ds.Province) -> None:
    staff = staff_inspectorate(prov)
    with pytest.raises(ValueError, match="inspectors: missing column"):
        assign_badged_zones(prov, staff.drop(columns="level"))
    with pytest.raises(ValueError, match="must be unique"):
        assign_badged_zones(prov, pd.concat([staff, staff.iloc[:1]]))
    with pytest.raises(ValueError, match="inspectors: list is not allowed"):
        assign_badged_zones(prov, [])  # type: ignore[arg-type]


@pytest.mark.hunan
def test_scales_to_hunan_without_python_loops() -> None:
    hunan = ds.load_province("hunan")
    staff = staff_inspectorate(hunan)
    zones = assign_badged_zones(hunan, staff)
    assert len(zones) == hunan.n_badged_schools == 25_000 - 128
    assert (staff["level"] == "province").sum() == math.ceil(128 / 5)
    assert np.isclose(zones["inspector_id"].notna().mean(), 1.0)
