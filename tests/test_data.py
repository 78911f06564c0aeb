"""The bundled Hunan tables and the loader's validation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import dudao_sim as ds
from dudao_sim.data import hunan
from dudao_sim.data.province import DataError, datasets_dir

CITY_COUNTS = {
    "长沙市": 9,
    "株洲市": 9,
    "湘潭市": 5,
    "衡阳市": 12,
    "邵阳市": 12,
    "岳阳市": 9,
    "常德市": 9,
    "张家界市": 4,
    "益阳市": 6,
    "郴州市": 11,
    "永州市": 11,
    "怀化市": 12,
    "娄底市": 5,
    "湘西土家族苗族自治州": 8,
}


@pytest.fixture(scope="module")
def province() -> ds.Province:
    return ds.load_province("hunan")


@pytest.mark.hunan
def test_levels_count_one_province_14_cities_122_counties(province):
    counts = province.divisions["level"].value_counts()
    assert counts.to_dict() == {"county": 122, "city": 14, "province": 1}
    assert province.code == "430000" and province.name == "湖南省"


@pytest.mark.hunan
def test_counties_per_city_match_published_counts(province):
    counties = province.divisions[province.divisions["level"] == "county"]
    names = province.cities["name"]
    per_city = counties.groupby("parent_code").size().rename(index=names).to_dict()
    assert per_city == CITY_COUNTS


@pytest.mark.hunan
def test_each_county_has_exactly_one_city_parent(province):
    counties = province.divisions[province.divisions["level"] == "county"]
    assert counties["parent_code"].isin(province.cities.index).all()
    assert counties["code"].is_unique


@pytest.mark.hunan
def test_county_type_mix_matches_nbs(province):
    mix = province.county_table["division_type"].value_counts().to_dict()
    assert mix == {"county": 60, "district": 36, "county_city": 19, "autonomous_county": 7}


@pytest.mark.hunan
def test_codes_are_gbt2260_and_in_hunan(province):
    assert province.divisions["code"].str.fullmatch(r"43\d{4}").all()


@pytest.mark.hunan
def test_no_functional_zones(province):
    assert not province.divisions["name"].str.contains("管理区|开发区").any()


@pytest.mark.hunan
def test_township_totals(province):
    sums = province.counties[["n_subdistricts", "n_towns", "n_xiang"]].sum().to_dict()
    assert sums == {"n_subdistricts": 425, "n_towns": 1134, "n_xiang": 388}
    assert (province.county_table["n_townships"] >= 1).all()


@pytest.mark.hunan
def test_school_totals_match_public_statistics(province):
    schools = province.schools
    by_type = schools["school_type"].value_counts()
    assert len(schools) == 25_000
    assert by_type["kindergarten"] == 16_285
    assert by_type["higher_education"] == 128
    assert (schools["ownership"] == "private").sum() == 8_948
    enrol = schools.groupby("school_type")["enrolment"].sum()
    assert enrol["primary"] == 4_968_000 and enrol["kindergarten"] == 1_581_000
    assert (schools["enrolment"] > 0).all()


@pytest.mark.hunan
def test_every_county_has_schools_of_every_k12_type(province):
    counts = province.school_counts.drop(columns="higher_education")
    assert (counts > 0).all().all()


@pytest.mark.hunan
def test_fiscal_capacity_index_has_mean_one_and_ranks_changsha_first(province):
    table = province.county_table
    assert table["fiscal_capacity"].mean() == pytest.approx(1.0, abs=1e-3)
    by_city = table.groupby("city_code")["fiscal_capacity"].mean()
    assert by_city.idxmax() == "430100"


@pytest.mark.hunan
def test_shipped_tables_equal_the_documented_rule(province):
    rebuilt = hunan.synthesize_hunan()
    pd.testing.assert_frame_equal(rebuilt.counties, province.counties, check_dtype=False)
    pd.testing.assert_frame_equal(rebuilt.schools, province.schools, check_dtype=False)
    assert rebuilt.provenance == province.provenance


@pytest.mark.hunan
def test_provenance_covers_every_column_with_year_and_synthesized_flag(province):
    tables = province.provenance["tables"]
    for name, frame in (
        ("divisions", province.divisions),
        ("counties", province.counties),
        ("schools", province.schools),
    ):
        columns = tables[name]["columns"]
        assert set(columns) == set(frame.columns), name
        for column, meta in columns.items():
            assert isinstance(meta["synthesized"], bool), (name, column)
    assert set(province.synthesized_columns()) == {"counties", "schools"}
    assert "county_code" in province.synthesized_columns()["schools"]


@pytest.mark.hunan
def test_write_and_reload_round_trip(province, tmp_path):
    province.write(tmp_path)
    again = ds.load_province(tmp_path)
    for name in ("divisions", "counties", "schools"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(province, name))
    assert again.provenance == province.provenance


# ---- the loader's errors on broken files --------------------------------------------------


@pytest.fixture()
def folder(tmp_path) -> Path:
    """A writable copy of a small synthetic province."""
    return ds.write_synthetic_province(tmp_path / "prov", n_counties=4, seed=3)


def _edit(folder: Path, file: str, edit) -> None:
    frame = pd.read_csv(folder / file, dtype=str, keep_default_na=False)
    frame = edit(frame)
    frame.to_csv(folder / file, index=False)


def _error(folder: Path) -> str:
    with pytest.raises(DataError) as info:
        ds.load_province(folder)
    return str(info.value)


def test_missing_column_is_named(folder):
    _edit(folder, "schools.csv", lambda f: f.drop(columns="enrolment"))
    message = _error(folder)
    assert "schools.csv" in message and "missing column 'enrolment'" in message


def test_unknown_column_is_named_with_allowed_ones(folder):
    _edit(folder, "schools.csv", lambda f: f.rename(columns={"enrolment": "enrollment"}))
    message = _error(folder)
    assert "unknown column 'enrollment'" in message and "allowed:" in message


def test_unknown_parent_code_names_row_and_value(folder):
    def edit(f):
        f.loc[3, "parent_code"] = "990990000"
        return f

    _edit(folder, "divisions.csv", edit)
    message = _error(folder)
    assert "divisions.csv, row 4 (line 5), column 'parent_code'" in message
    assert "'990990000'" in message and "unknown parent code" in message


def test_negative_count_is_rejected(folder):
    def edit(f):
        f.loc[1, "n_towns"] = "-3"
        return f

    _edit(folder, "counties.csv", edit)
    message = _error(folder)
    assert "counties.csv, row 2 (line 3), column 'n_towns'" in message
    assert "must be a whole number >= 0" in message


def test_duplicate_code_is_rejected(folder):
    def edit(f):
        f.loc[4, "code"] = f.loc[3, "code"]
        return f

    _edit(folder, "divisions.csv", edit)
    message = _error(folder)
    assert "divisions.csv" in message and "duplicate value; must be unique" in message
    assert "row 4" in message and "row 5" in message


def test_non_numeric_enrolment_is_rejected(folder):
    def edit(f):
        f.loc[10, "enrolment"] = "many"
        return f

    _edit(folder, "schools.csv", edit)
    message = _error(folder)
    assert "schools.csv, row 11 (line 12), column 'enrolment': value 'many'" in message
    assert "cannot be read as a whole number" in message


def test_unknown_school_type_lists_allowed_values(folder):
    def edit(f):
        f.loc[0, "school_type"] = "university"
        return f

    _edit(folder, "schools.csv", edit)
    message = _error(folder)
    assert "'university'" in message and "must be one of kindergarten" in message


def test_school_in_unknown_county(folder):
    def edit(f):
        f.loc[5, "county_code"] = "990990001"
        return f

    _edit(folder, "schools.csv", edit)
    assert "row 6 (line 7), column 'county_code'" in _error(folder)


def test_county_parent_must_be_a_city(folder):
    divisions = pd.read_csv(folder / "divisions.csv", dtype=str, keep_default_na=False)
    counties = divisions.index[divisions["level"] == "county"]
    first, second = counties[0], counties[1]

    def edit(f):
        f.loc[second, "parent_code"] = f.loc[first, "code"]
        return f

    _edit(folder, "divisions.csv", edit)
    assert "the parent of a county must be a city or province" in _error(folder)


def test_two_provinces_rejected(folder):
    def edit(f):
        extra = f.iloc[[0]].copy()
        extra["code"] = "980000000"
        return pd.concat([f, extra])

    _edit(folder, "divisions.csv", edit)
    assert "exactly one row of level 'province', found 2" in _error(folder)


def test_county_without_attribute_row(folder):
    _edit(folder, "counties.csv", lambda f: f.iloc[1:])
    assert "has no row" in _error(folder)


def test_missing_file_and_unknown_province(folder, tmp_path):
    (folder / "counties.csv").unlink()
    assert "counties.csv: file is missing" in _error(folder)
    with pytest.raises(DataError, match="no such folder or bundled province"):
        ds.load_province(tmp_path / "nowhere")


def test_several_problems_reported_together(folder):
    def edit(f):
        f.loc[0, "enrolment"] = "-1"
        f.loc[1, "ownership"] = "state"
        return f

    _edit(folder, "schools.csv", edit)
    with pytest.raises(DataError) as info:
        ds.load_province(folder)
    assert len(info.value.problems) == 2
    assert [p.row for p in info.value.problems] == [1, 2]


def test_bundled_folder_is_found_and_listed():
    assert (datasets_dir() / "hunan" / "divisions.csv").is_file()
    assert "hunan" in ds.bundled_provinces()


@pytest.mark.hunan
def test_user_copy_of_bundled_data_loads_through_same_path(tmp_path):
    shutil.copytree(datasets_dir() / "hunan", tmp_path / "mine")
    assert len(ds.load_province(tmp_path / "mine").schools) == 25_000
