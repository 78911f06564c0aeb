"""The dashboard's widget logic without a browser: controls, callbacks, runs, export, language.

In plain pytest, setting ``widget.value`` fires observers and ``Button.click()`` fires
handlers, so the callbacks run as in a page; what an ``Output`` widget would show is tested
through the functions behind it. Runs use a small synthetic province in this process.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib

import ipywidgets as w
import pandas as pd
import pytest

from dudao_sim.dashboard.app import HEADLINE_METRICS, Dashboard
from dudao_sim.dashboard.export import regional_table, results_table, scenario_toml
from dudao_sim.dashboard.findings import BINS, FINDING_METRICS, classify, key_findings
from dudao_sim.dashboard.serve import SHARE_DIR, TEMPLATE, voila_command, voila_env
from dudao_sim.dashboard.session import DashboardSession, DashboardSettings, dashboard_settings
from dudao_sim.dashboard.texts import LANG_OPTIONS, all_text, text
from dudao_sim.dashboard.widgets import LeverControls
from dudao_sim.data.synthetic import synthetic_province
from dudao_sim.experiments.runner import RunSpec, run_one
from dudao_sim.metrics.catalogue import metric
from dudao_sim.policy.levers import GROUPS, LEVERS
from dudao_sim.policy.scenarios import load_scenario

#: A tiny world: 3 counties, one seed, 12 months after a 12-month warm-up.
TINY = DashboardSettings(False, "tiny", (5,), 12, 12, 1)


@pytest.fixture(scope="module")
def province():
    return synthetic_province(n_counties=3, seed=5)


@pytest.fixture
def app(province):
    return Dashboard(DashboardSession(TINY, province), web_font=False)


@pytest.fixture(scope="module")
def ran(province):
    app = Dashboard(DashboardSession(TINY, province), web_font=False, start="announced_only")
    app.controls.widgets["unannounced_share"].value = 1.0
    app.run_button.click()
    return app


def test_a_control_per_lever_in_all_six_groups():
    controls = LeverControls()
    assert set(controls.widgets) == set(LEVERS)
    assert len(controls.view.children) == len(GROUPS) == 6
    kinds = {"float": w.FloatSlider, "int": w.IntSlider, "bool": w.ToggleButtons}
    for name, lever in LEVERS.items():
        widget = controls.widgets[name]
        assert isinstance(widget, kinds.get(lever.kind, w.Dropdown)), name
        if lever.kind in ("float", "int"):
            assert (widget.min, widget.max) == (lever.low, lever.high)
        assert f"dd-lever-{name}" in widget._dom_classes
        assert widget.description == lever.label_en


def test_adding_a_lever_adds_its_widget():
    extra = LEVERS["unannounced_share"].model_copy(update={"name": "new_lever", "label_en": "New"})
    controls = LeverControls(levers={**LEVERS, "new_lever": extra})
    assert controls.widgets["new_lever"].description == "New"


def test_starting_scenario_sets_the_levers_and_changes_are_tracked(app):
    reform = load_scenario("reform_2021")
    assert app.controls.values() == reform.levers
    assert app.changes() == {}
    app.scenario.value = "announced_only"
    assert app.controls.widgets["unannounced_share"].value == 0.0
    app.controls.widgets["unannounced_share"].value = 0.7
    app.controls.widgets["plan_reporting"].value = False
    assert app.changes() == {"plan_reporting": False, "unannounced_share": 0.7}
    app.reset_button.click()
    assert app.changes() == {}


def test_language_switch_relabels_everything(app):
    app.set_lang("zh")
    assert app.run_button.description == text("run", "zh") == "运行"
    assert app.controls.widgets["unannounced_share"].description == "暗访比例"
    assert app.controls.view.titles[0] == GROUPS["I"]["zh"]
    assert "中文" not in app.title.value and "督导" in app.title.value
    assert dict(app.scenario.options)[load_scenario("reform_2021").label_zh] == "reform_2021"
    assert app.changes() == {}  # relabelling does not move levers
    app.set_lang("en")
    assert (
        app.controls.widgets["unannounced_share"].description
        == LEVERS["unannounced_share"].label_en
    )


def test_the_dashboard_reads_its_words_from_the_text_catalogue():
    from dudao_sim.i18n import MissingTextError, section

    assert LANG_OPTIONS == (("中文", "zh"), ("English", "en"))
    assert (
        text("done", "en", n=3, cached=1, seconds=2.0)
        == "Done: 3 runs (1 from the cache) in 2.0 s."
    )
    zh, en = section("dashboard", "zh"), section("dashboard", "en")
    assert set(zh) == set(en) and zh["run"] == "运行" and en["run"] == "Run"
    assert all(v in all_text("zh") for v in zh.values())
    # the key findings speak in the report's words (report.findings); the dashboard's own are gone
    for gone in ("improves", "costs", "worse", "noise", "nothing", "versus"):
        with pytest.raises(MissingTextError, match=f"dashboard.{gone}"):
            text(gone, "en")


def test_run_shows_results_and_unannounced_visits_shrink_window_dressing(ran):
    assert ran.last_error == ""
    assert not ran.run_button.disabled
    assert ran.progress.value == ran.progress.max == 3
    values = ran.headline_values()
    assert values.loc["dressing_mean", "edited"] < values.loc["dressing_mean", "reform_2021"]
    assert 'data-metric="dressing_mean" data-scenario="edited"' in ran.headline.value
    for name in HEADLINE_METRICS:
        assert f'data-metric="{name}"' in ran.headline.value
    assert "What improves" in ran.findings.value
    assert ran.years_image.value[:4] == b"\x89PNG" and ran.map_image.value[:4] == b"\x89PNG"
    assert 'data-lever="unannounced_share"' in ran.lever_table.value
    assert "clause (八)" in ran.lever_table.value
    assert "download=" in ran.export_links.value
    ran.set_lang("zh")
    assert "主要发现" in ran.findings.value and "改善" in ran.findings.value
    assert "完成" in ran.status.value
    ran.set_lang("en")


def test_baselines_are_cached_and_identical_again(ran):
    first = ran.headline_values()
    session = ran.session
    assert session.cache_size == 3
    ran.run_button.click()
    assert ran.results.cached == 3
    ran.clear_button.click()
    assert session.cache_size == 0
    ran.run_button.click()
    assert ran.results.cached == 0
    pd.testing.assert_frame_equal(ran.headline_values(), first)
    ran.controls.widgets["unannounced_share"].value = 0.5
    ran.run_button.click()
    assert ran.results.cached == 2  # the baselines
    changed = ran.headline_values()
    assert changed.loc["dressing_mean", "edited"] != first.loc["dressing_mean", "edited"]
    assert changed.loc["dressing_mean", "reform_2021"] == first.loc["dressing_mean", "reform_2021"]


def test_errors_show_in_one_line_and_re_enable_the_button(app, tmp_path):
    app.province_folder.value = str(tmp_path / "nowhere")
    app.load_button.click()
    assert app.last_error and "\n" not in app.last_error
    assert 'data-error="1"' in app.status.value and "Traceback" not in app.status.value

    def broken(*args, **kwargs):
        raise RuntimeError("disk full\nsecond line")

    app.session.compare = broken
    app.run_button.click()
    assert app.last_error == "disk full second line"
    assert not app.run_button.disabled and app.run_button.description == "Run"


def test_own_province_folder_loads_with_the_cli_loader(app, tmp_path, province):
    folder = tmp_path / "prov"
    folder.mkdir()
    province.divisions.to_csv(folder / "divisions.csv", index=False)
    province.counties.to_csv(folder / "counties.csv", index=False)
    province.schools.to_csv(folder / "schools.csv", index=False)
    app.province_folder.value = str(folder)
    app.load_button.click()
    assert app.last_error == ""
    assert app.session.province.source is not None
    assert "3 counties" in app.province_info.value


def test_findings_bins_follow_catalogue_directions():
    up = next(
        m for m in FINDING_METRICS if metric(m).direction == "up" and metric(m).kind == "truth"
    )
    down = next(m for m in FINDING_METRICS if metric(m).direction == "down")
    assert classify(up, 0.1, False) == "improves"
    assert classify(up, -0.1, False) == "worse"
    assert classify(down, -0.1, False) == "improves"
    assert classify("teacher_hours_per_school_year", 5.0, False) == "costs"
    assert classify("cost_yuan_year", 5.0, False) == "costs"
    assert classify("cost_yuan_year", -5.0, False) == "improves"
    assert classify(down, 0.1, True) == "noise"
    paired = pd.DataFrame(
        {
            "metric": [up, "n_school_visits"],
            "diff_mean": [0.02, 1.0],
            "ci_low": [0.01, 0.5],
            "ci_high": [0.03, 1.5],
            "within_noise": [False, False],
        }
    )
    found = key_findings(paired)
    assert [f.metric for f in found] == [up]
    assert found[0].bin in BINS
    assert "95 % interval" in found[0].sentence("en")
    assert "区间" in found[0].sentence("zh")


def test_export_round_trip_gives_the_same_numbers(ran, tmp_path, province):
    toml = scenario_toml(ran.results.changes, start=ran.results.start)
    path = tmp_path / "edited.toml"
    path.write_text(toml, encoding="utf-8")
    loaded = load_scenario(path)
    assert loaded.levers == ran.results.levers
    assert loaded.changes == {"unannounced_share": 0.5}
    assert tomllib.loads(toml)["levers"]["unannounced_share"]["clause"] == "八"
    # run the file as dudao-sim does (scenario file), same seed and months
    s = TINY
    spec = RunSpec.make("file", s.seeds[0], parts=(str(path),), months=s.months,
                        warmup_months=s.warmup_months)  # fmt: skip
    again = run_one(spec, province)["metrics"]
    mine = ran.results.runs[ran.results.runs["scenario"] == "edited"]
    merged = mine.merge(again, on=["month", "metric"], suffixes=("", "_file"))
    assert len(merged) == len(mine) > 0
    assert (merged["value"].fillna(-1) == merged["value_file"].fillna(-1)).all()


@pytest.mark.slow
def test_exported_scenario_runs_with_the_command_line(ran, tmp_path):
    path = tmp_path / "edited.toml"
    path.write_text(scenario_toml(ran.results.changes, start=ran.results.start), encoding="utf-8")
    csv = tmp_path / "out.csv"
    done = subprocess.run(
        [sys.executable, "-m", "dudao_sim", "run", "--synthetic", "3", "--seed", "5",
         "--months", "12", "--warmup-months", "12", "--scenario", str(path), "--csv", str(csv)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(csv)
    mine = ran.results.runs[ran.results.runs["scenario"] == "edited"]
    wide = mine.pivot(index="month", columns="metric", values="value")
    for name in ("dressing_mean", "flow_detection", "fake_share"):
        assert frame[name].to_numpy() == pytest.approx(wide[name].to_numpy(), rel=1e-9)


def test_results_csv_tables(ran):
    table = results_table(ran.results, "zh")
    assert {"summary", "paired_vs_reform_2021", "paired_vs_pre_reform"} <= set(table["table"])
    assert "学校迎检粉饰倾向均值" in set(table["label"])
    regional = regional_table(ran.results)
    assert set(regional["level"]) == {"city", "county"}
    assert regional["code"].nunique() == 4  # 1 city + 3 counties


def test_settings_full_and_quick(monkeypatch):
    full = dashboard_settings(quick=False)
    assert (full.province_name, len(full.seeds), full.months, full.warmup_months) == (
        "hunan",
        4,
        60,
        24,
    )
    monkeypatch.setenv("DUDAO_SIM_QUICK", "1")
    assert dashboard_settings().quick


def test_voila_command_serves_localhost_with_the_offline_template():
    cmd = voila_command(port=9999)
    assert "--Voila.ip=127.0.0.1" in cmd and "--no-browser" in cmd and "--port=9999" in cmd
    assert f"--template={TEMPLATE}" in cmd
    env = voila_env({}, quick=True)
    assert env["JUPYTER_PATH"].split(":")[0] == str(SHARE_DIR)
    assert env["DUDAO_SIM_QUICK"] == "1"
    template = (SHARE_DIR / "voila" / "templates" / TEMPLATE / "index.html.j2").read_text()
    assert "fontawesome" in template  # names what it strips
