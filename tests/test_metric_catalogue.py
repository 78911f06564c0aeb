"""The metric catalogue: every produced metric declared once, complete, and within range."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import dudao_sim as ds
from dudao_sim.metrics import DEFINITIONS, REGIONAL_RATIOS
from dudao_sim.metrics.catalogue import (
    CATALOGUE,
    DIRECTIONS,
    GROUPS,
    KINDS,
    UNITS,
    CatalogueError,
    by_group,
    definition,
    format_value,
    label,
    labels,
    metric,
    parse_catalogue,
    scale,
)
from dudao_sim.metrics.events import EVENTS, REPORTED_EVENTS
from dudao_sim.policy.clauses import clauses

SCENARIOS = ["pre_reform", "reform_2021", "no_recheck", "high_stakes", "low_burden"]


@pytest.fixture(scope="module")
def runs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Short seeded runs: monthly metrics (warm-up included) and results by county."""
    province = ds.synthetic_province(n_counties=4, seed=7)
    frames, regional = [], []
    for scenario in SCENARIOS:
        model = ds.SupervisionModel(
            province, scenario=scenario, months=18, warmup_months=12, rng=2, create_agents=False
        )
        model.run()
        frames.append(model.metrics(include_warmup=True))
        regional.append(model.metrics_by("county", include_warmup=True))
    return pd.concat(frames, ignore_index=True), pd.concat(regional, ignore_index=True)


@pytest.fixture(scope="module")
def one_month() -> ds.SupervisionModel:
    province = ds.synthetic_province(n_counties=3, seed=1)
    model = ds.SupervisionModel(province, months=1, warmup_months=0, rng=1, create_agents=False)
    model.run()
    return model


def test_every_produced_metric_is_catalogued_and_every_catalogued_one_produced(one_month):
    frame, regional = one_month.metrics(), one_month.metrics_by("county")
    produced = (set(frame.columns) - {"month", "phase"}) | set(REGIONAL_RATIOS)
    assert set(regional["metric"]) == set(REGIONAL_RATIOS)
    assert sorted(produced - set(CATALOGUE)) == [], "produced but not in catalogue.toml"
    assert sorted(set(CATALOGUE) - produced) == [], "in catalogue.toml but never produced"


@pytest.mark.slow  # five scenarios, 30 months each
def test_values_of_seeded_runs_lie_within_each_metrics_valid_range(runs):
    frame, regional = runs
    outside = {}
    for name in set(frame.columns) - {"month", "phase"}:
        low, high = CATALOGUE[name].range
        values = frame[name].dropna()
        bad = values[(values < low) | (values > high)]
        if len(bad):
            outside[name] = (float(bad.iloc[0]), (low, high))
    for name, values in regional.groupby("metric")["value"]:
        low, high = CATALOGUE[name].range
        bad = values.dropna()[(values.dropna() < low) | (values.dropna() > high)]
        if len(bad):
            outside[f"{name} (by county)"] = (float(bad.iloc[0]), (low, high))
    assert outside == {}


def test_labels_are_present_distinct_from_the_name_and_unique_per_language():
    for lang in ("zh", "en"):
        named = labels(lang)
        assert set(named) == set(CATALOGUE)
        for name, text in named.items():
            assert text.strip() and text != name, (lang, name)
        doubles = pd.Series(named).value_counts()
        assert doubles[doubles > 1].to_dict() == {}, lang
    for m in CATALOGUE.values():
        assert m.label_zh != m.label_en, m.name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in m.label_zh), m.name


def test_every_entry_is_complete_and_uses_the_documented_vocabularies():
    numerals = set(clauses())
    for m in CATALOGUE.values():
        assert m.direction in DIRECTIONS and m.kind in KINDS and m.group in GROUPS, m.name
        assert m.unit in UNITS, m.name
        assert m.clause and set(m.clause) <= numerals, m.name
        assert m.range[0] <= m.range[1], m.name
        assert m.definition.endswith((".", ")")) and "\n" not in m.definition, m.name
        assert m.definition_zh, m.name


def test_event_counts_take_their_text_from_the_event_registry():
    counted = {m.event for m in CATALOGUE.values() if m.event}
    assert counted == set(REPORTED_EVENTS)
    for name in REPORTED_EVENTS:
        m = CATALOGUE[f"n_{name}"]
        assert m.definition == EVENTS[name].description
        assert m.clause == EVENTS[name].clause


def test_definitions_are_read_from_the_catalogue():
    assert {n: CATALOGUE[n].definition for n in CATALOGUE} == DEFINITIONS
    assert definition("fake_share", "zh").startswith("近 12 个月")
    assert definition("fake_share") == DEFINITIONS["fake_share"]


def test_lookup_labels_and_display():
    assert label("index_coverage", "zh") == "全面覆盖"
    assert label("index_coverage") == "Full coverage"
    assert metric("fake_share").better == -1 and metric("cost_yuan_year").better == 0
    assert scale("fake_share", "zh") == (100.0, "%")
    assert scale("cost_yuan_year") == (1.0, "")
    assert format_value("fake_share", 0.1234) == "12.3%"
    assert format_value("fake_share", 0.1234, unit=False) == "12.3"
    assert format_value("fake_share", -0.02, "en", diff=True) == "-2.0 pp"
    assert format_value("fake_share", 0.02, "zh", diff=True) == "+2.0 个百分点"
    assert format_value("cost_yuan_year", 1234567.8) == "1,234,568"
    assert format_value("index_authority", 0.5) == "0.500"
    assert format_value("quality_mean", -0.05) == "-0.0500"
    assert format_value("months_to_resolve", math.nan) == "—"
    with pytest.raises(KeyError, match=r"fake_shar.*fake_share"):
        metric("fake_shar")
    with pytest.raises(ValueError, match="lang"):
        label("fake_share", "fr")


def test_groups_cover_every_metric_once_in_catalogue_order():
    grouped = by_group()
    assert list(grouped) == [g for g in GROUPS if g in grouped]
    assert sum(len(v) for v in grouped.values()) == len(CATALOGUE)
    assert [m.name for m in grouped["index"]] == [
        "index_coverage",
        "index_efficiency",
        "index_authority",
        "index_accountability",
    ]


# ---- validation ------------------------------------------------------------------------------

_UNITS = {"share": {"description": "a proportion", "scale": 100, "decimals": 1, "suffix": "%"}}
_ENTRY = {
    "label_zh": "示例比例",
    "label_en": "Example share",
    "definition": "Things that went well ÷ all things.",
    "unit": "share",
    "range": [0, 1],
    "direction": "up",
    "group": "coverage",
    "clause": ["六"],
    "kind": "observation",
}


def _parse(**change):
    entry = {k: v for k, v in {**_ENTRY, **change}.items() if v is not None}
    return parse_catalogue({"units": _UNITS, "metrics": {"example_share": entry}}, events={})


def test_a_complete_entry_parses():
    _, metrics = _parse()
    m = metrics["example_share"]
    assert m.range == (0.0, 1.0) and m.better == 1 and m.display("zh").suffix == "%"


@pytest.mark.parametrize(
    "field",
    ["label_zh", "label_en", "definition", "unit", "range", "direction", "group", "clause", "kind"],
)
def test_a_missing_field_is_rejected_naming_metric_and_field(field):
    pattern = rf"metric 'example_share', field '{field}': is missing"
    with pytest.raises(CatalogueError, match=pattern):
        _parse(**{field: None})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"kind": "opinion"}, "kind"),
        ({"group": "misc"}, "group"),
        ({"range": [1, 0]}, "range"),
        ({"range": [0]}, "range"),
        ({"range": ["0", 1]}, "range"),
        ({"clause": ["二十六"]}, "clause"),
        ({"clause": ["17"]}, "clause"),
        ({"clause": []}, "clause"),
        ({"clause": "六"}, "clause"),
        ({"unit": "furlongs"}, "unit"),
        ({"label_en": "example_share"}, "label_en"),
        ({"label_zh": ""}, "label_zh"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_an_invalid_field_is_rejected_naming_metric_and_field(change, field):
    with pytest.raises(CatalogueError, match=rf"metric 'example_share', field '{field}'"):
        _parse(**change)


def test_range_min_above_max_says_so():
    with pytest.raises(CatalogueError, match="min 1 is above max 0"):
        _parse(range=[1, 0])


def test_an_event_count_must_not_repeat_the_events_text():
    entry = {k: v for k, v in _ENTRY.items() if k not in ("definition", "clause")}
    data = {"units": _UNITS, "metrics": {"n_orders_school": entry}}
    m = parse_catalogue(data)[1]["n_orders_school"]
    assert m.definition == EVENTS["orders_school"].description and m.event == "orders_school"
    data["metrics"]["n_orders_school"] = {**entry, "definition": "Orders."}
    with pytest.raises(CatalogueError, match=r"'n_orders_school', field 'definition'"):
        parse_catalogue(data)


def test_a_bad_unit_is_rejected_naming_unit_and_field():
    units = {"share": {**_UNITS["share"], "axis": "log"}}
    with pytest.raises(CatalogueError, match=r"unit 'share', field 'axis'"):
        parse_catalogue({"units": units, "metrics": {}}, events={})
    units = {"share": {**_UNITS["share"], "decimals": {"zh": 1}}}
    with pytest.raises(CatalogueError, match=r"unit 'share', field 'decimals'"):
        parse_catalogue({"units": units, "metrics": {}}, events={})


def test_the_report_reads_labels_formats_and_directions_from_the_catalogue():
    from dudao_sim.report import figures

    for name in (*figures.INDICES, *figures.KEY_OUTCOMES, *REGIONAL_RATIOS):
        for lang in ("zh", "en"):
            assert figures.metric_label(name, lang) == label(name, lang)
            assert figures.metric_definition(name, lang) == definition(name, lang)
            for diff in (False, True):
                expected = format_value(name, 0.2345, lang, diff=diff)
                assert figures.format_value(0.2345, name, lang, diff=diff) == expected
        assert figures.metric_better(name) == metric(name).better
    assert not hasattr(figures, "METRIC_LABELS")
    assert figures.metric_label("my_own_metric", "zh") == "my_own_metric"  # not catalogued
    assert figures.format_value(1.234, "my_own_metric") == "1.23"
