"""The reform-comparison report: contents, numbers against the tidy data, fonts, languages."""

from __future__ import annotations

import base64
import math
import re
import warnings
from html.parser import HTMLParser
from pathlib import Path

import matplotlib as mpl
import pandas as pd
import pytest
from matplotlib import font_manager

import dudao_sim as ds
from dudao_sim.experiments import summarize
from dudao_sim.report import CJKFontWarning, fonts, use_cjk_fonts, write_report
from dudao_sim.report.figures import fig_indices, figure_png

SCENARIOS = ["pre_reform", "reform_2021", "no_recheck"]
SEEDS = [1, 2]
MONTHS = 24

# Written here, not read from the code: the report must keep these ids (a table split to fit
# the page continues as <id>-2, <id>-3, ...).
TABLE_IDS = [
    "table-scenarios",
    "table-levers",
    "table-indices",
    "table-outcomes",
    "table-paired",
    "table-targets",
    "table-costs",
    "table-by-city",
    "table-synthesized",
    "table-definitions",
]
FIGURE_IDS = ["fig-indices", "fig-paired", "fig-trajectories", "fig-by-city"]
INDICES = ["index_coverage", "index_efficiency", "index_authority", "index_accountability"]
GLYPH_MISSING = "Glyph .* missing"


@pytest.fixture(scope="module")
def inputs():
    prov = ds.synthetic_province(n_counties=4, n_cities=2, seed=1)
    frames, regional = [], []
    for sc in SCENARIOS:
        for seed in SEEDS:
            m = ds.SupervisionModel(
                prov, scenario=sc, months=MONTHS, warmup_months=12, rng=seed, create_agents=False
            )
            m.run()
            f = m.metrics().drop(columns="phase").melt(id_vars="month", var_name="metric")
            f["scenario"], f["seed"] = sc, seed
            frames.append(f)
            r = m.metrics_by("city")
            r["scenario"], r["seed"] = sc, seed
            regional.append(r)
    manifest = {
        "province": prov.name,
        "scenarios": list(SCENARIOS),
        "seeds": list(SEEDS),
        "baseline": "pre_reform",
        "months": MONTHS,
        "synthesized": prov.synthesized_columns(),
        "version": ds.__version__,
        "created": "2025-06-01T12:00:00+08:00",
    }
    return pd.concat(frames, ignore_index=True), pd.concat(regional, ignore_index=True), manifest


@pytest.fixture(scope="module")
def report_zh(inputs, tmp_path_factory):
    runs, regional, manifest = inputs
    out = tmp_path_factory.mktemp("report_zh")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=GLYPH_MISSING)
        path = write_report(runs, regional, manifest, out, lang="zh")
    return path, path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report_en(inputs, tmp_path_factory):
    runs, regional, manifest = inputs
    out = tmp_path_factory.mktemp("report_en")
    path = write_report(runs, regional, manifest, out, lang="en")
    return path, path.read_text(encoding="utf-8")


@pytest.fixture
def fresh_font_cache():
    """Forget font lookups made while the font list was patched."""
    yield
    clear = getattr(font_manager.fontManager._findfont_cached, "cache_clear", None)
    if clear is not None:
        clear()


class _Numbers(HTMLParser):
    """Elements with ``data-value`` in one table (and its parts), with their cell's attributes."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.inside = False
        self.cell: dict[str, str] = {}
        self.items: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        table_id = a.get("id", "")
        if tag == "table" and re.fullmatch(rf"{self.table_id}(-\d+)?", table_id):
            self.inside = True
        if not self.inside:
            return
        if tag == "td":
            self.cell = a
        if "data-value" in a:
            self.items.append({**a, "cell": self.cell})

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif tag == "td":
            self.cell = {}


def _numbers(page: str, table_id: str) -> list[dict]:
    parser = _Numbers(table_id)
    parser.feed(page)
    return parser.items


def _same(shown: str, expected: float) -> bool:
    value = float(shown)
    if math.isnan(expected):
        return math.isnan(value)
    return math.isclose(value, expected, rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.slow
def test_report_has_every_table_and_figure(report_en):
    path, page = report_en
    assert path.name == "report_en.html"
    for table_id in TABLE_IDS:
        assert len(re.findall(rf'<table id="{table_id}"', page)) == 1, table_id
    for fig_id in FIGURE_IDS:
        match = re.search(
            rf'<figure id="{fig_id}"><img [^>]*src="data:image/png;base64,([^"]+)"', page
        )
        assert match, fig_id
        assert base64.b64decode(match.group(1)).startswith(b"\x89PNG"), fig_id


@pytest.mark.slow
def test_report_is_self_contained(report_en):
    _, page = report_en
    assert "<script" not in page and "<link" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert not re.search(r"url\((?!data:)", page)  # only data: URLs (the embedded web font)


@pytest.mark.slow
def test_tidy_data_written_beside_the_report(inputs, report_en):
    runs, _, _ = inputs
    folder = report_en[0].parent
    for name in ("summary.csv", "paired.csv", "by_city.csv", "targets.csv"):
        assert (folder / name).is_file(), name
    # the run frame stays in the results' Parquet parts (the CLI's --csv writes it)
    assert not (folder / "runs.csv").exists()
    summary = pd.read_csv(folder / "summary.csv")
    assert set(summary["scenario"]) == set(runs["scenario"])


@pytest.mark.slow
def test_indices_table_numbers_equal_summary_csv(report_en):
    path, page = report_en
    summary = pd.read_csv(path.parent / "summary.csv").set_index(["scenario", "metric"])
    items = _numbers(page, "table-indices")
    assert len(items) == len(SCENARIOS) * len(INDICES) * 3  # mean, ci_low, ci_high
    for item in items:
        expected = summary.loc[(item["data-scenario"], item["data-metric"]), item["data-field"]]
        assert _same(item["data-value"], expected), item
    assert {i["data-metric"] for i in items} == set(INDICES)


@pytest.mark.slow
def test_outcomes_table_numbers_equal_summary_csv(report_en):
    path, page = report_en
    summary = pd.read_csv(path.parent / "summary.csv").set_index(["scenario", "metric"])
    items = _numbers(page, "table-outcomes")
    assert {"coverage_assigned", "coverage_visited", "cost_yuan_year"} <= {
        i["data-metric"] for i in items
    }
    for item in items:
        expected = summary.loc[(item["data-scenario"], item["data-metric"]), item["data-field"]]
        assert _same(item["data-value"], expected), item


@pytest.mark.slow
def test_paired_table_numbers_and_noise_flags_equal_paired_csv(report_en):
    path, page = report_en
    paired = pd.read_csv(path.parent / "paired.csv").set_index(["scenario", "metric"])
    # numbers of the table; the cost-per-unit notes (class "cpu") are checked in
    # test_report_findings.py
    items = [i for i in _numbers(page, "table-paired") if i.get("class") == "num"]
    assert {i["data-scenario"] for i in items} == set(SCENARIOS) - {"pre_reform"}
    assert {i["data-field"] for i in items} == {"diff_mean", "ci_low", "ci_high"}
    for item in items:
        row = paired.loc[(item["data-scenario"], item["data-metric"])]
        assert _same(item["data-value"], row[item["data-field"]]), item
        assert item["cell"]["data-within-noise"] == str(bool(row["within_noise"])).lower()
    noisy = [i for i in items if i["cell"]["data-within-noise"] == "true"]
    tables = re.findall(r'<table id="table-paired(?:-\d+)?".*?</table>', page, re.S)
    assert len(tables) > 1  # split by metric group to fit the page
    flags = sum(t.count('<span class="flag">within noise</span>') for t in tables)
    assert flags == len(noisy) // 3


@pytest.mark.slow
def test_by_city_and_cost_numbers_equal_csv(report_en):
    path, page = report_en
    by_city = pd.read_csv(path.parent / "by_city.csv", dtype={"code": str})
    by_city = by_city.set_index(["scenario", "code", "metric"])
    items = _numbers(page, "table-by-city")
    assert len({i["data-code"] for i in items}) == 2  # two 市州
    for item in items:
        expected = by_city.loc[(item["data-scenario"], item["data-code"], item["data-metric"])]
        assert _same(item["data-value"], expected["mean"]), item
    summary = pd.read_csv(path.parent / "summary.csv").set_index(["scenario", "metric"])
    costs = [i for i in _numbers(page, "table-costs") if i["data-field"] == "mean"]
    assert {i["data-metric"] for i in costs} == {"cost_yuan_year", "inspector_days_year"}
    for item in costs:
        expected = summary.loc[(item["data-scenario"], item["data-metric"]), "mean"]
        assert _same(item["data-value"], expected), item


@pytest.mark.slow
def test_target_checks_follow_the_rules(report_en):
    path, page = report_en
    summary = pd.read_csv(path.parent / "summary.csv").set_index(["scenario", "metric"])
    statuses = {
        (i["data-scenario"], i["data-metric"]): i["cell"]["data-status"]
        for i in _numbers(page, "table-targets")
        if i["data-field"] == "mean"
    }
    for sc in SCENARIOS:
        ratio = summary.loc[(sc, "inspectorate_schools_per_inspector"), "mean"]
        assert statuses[(sc, "inspectorate_schools_per_inspector")] == (
            "met" if ratio <= 5 else "not_met"
        )
        share = summary.loc[(sc, "inspectorate_full_time_share"), "mean"]
        assert statuses[(sc, "inspectorate_full_time_share")] == (
            "met" if 0.3 - 1e-9 <= share <= 1 / 3 + 1e-9 else "not_met"
        )
        for name in ("coverage_assigned", "coverage_visited"):
            coverage = summary.loc[(sc, name), "mean"]
            assert statuses[(sc, name)] == ("met" if coverage >= 1 - 1e-9 else "not_met")
    assert statuses[("pre_reform", "visits_per_school_year")] == "baseline"
    assert statuses[("reform_2021", "end_of_term_review_share")] in {"met", "not_met"}


@pytest.mark.slow
def test_synthesized_inputs_and_manifest_are_reported(inputs, report_en):
    _, _, manifest = inputs
    _, page = report_en
    section = page[page.index('id="section-synthesized"') : page.index('id="footer"')]
    assert manifest["province"] in section
    for table, columns in manifest["synthesized"].items():
        assert f"<code>{table}</code>" in section
        assert all(c in section for c in columns)
    footer = page[page.index('id="footer"') :]
    for text in (manifest["version"], manifest["created"], "1, 2", "no_recheck"):
        assert text in footer


@pytest.mark.slow
def test_chinese_report_has_chinese_titles(report_zh):
    path, page = report_zh
    assert path.name == "report_zh.html"
    assert '<html lang="zh-CN">' in page
    for title in (
        "情景说明",
        "条款（二十四）四项指数",
        "与基准情景的配对差异",
        "目标核查",
        "成本",
        "分市州结果",
        "合成数据说明",
    ):
        assert f"<h2>{title}" in page, title
    assert "按实施意见改革" in page and "不显著" in page
    assert "Paired differences" not in page
    for fig_id in FIGURE_IDS:
        assert f'<figure id="{fig_id}">' in page


@pytest.mark.slow
def test_english_report_has_english_titles(report_en):
    _, page = report_en
    assert '<html lang="en">' in page
    for title in (
        "Scenarios",
        "Clause 24 indices",
        "Paired differences from the baseline",
        "Target checks",
        "Costs",
        "Results by 市州",
        "Synthesized input figures",
    ):
        assert f"<h2>{title}" in page, title
    assert "The 2021 reform as written" in page
    assert "目标核查" not in page


def test_chinese_figure_renders_without_missing_glyphs(inputs):
    runs, _, _ = inputs
    assert use_cjk_fonts() is True
    summary = summarize(runs)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=GLYPH_MISSING)
        fig = fig_indices(summary, lang="zh")
        labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
        assert labels == ["全面覆盖", "运转高效", "结果权威", "问责有力"]
        png = figure_png(fig)
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_bad_lang_is_rejected(inputs, tmp_path):
    runs, regional, manifest = inputs
    with pytest.raises(ValueError, match=r"lang: 'fr'"):
        write_report(runs, regional, manifest, tmp_path, lang="fr")
    with pytest.raises(ValueError, match="lang"):
        fig_indices(summarize(runs), lang="de")
    assert not list(tmp_path.iterdir())


def test_manifest_missing_keys_are_named(inputs, tmp_path):
    runs, regional, manifest = inputs
    broken = {k: v for k, v in manifest.items() if k not in ("seeds", "created")}
    with pytest.raises(ValueError, match=r"manifest: missing key\(s\) \['seeds', 'created'\]"):
        write_report(runs, regional, broken, tmp_path)
    with pytest.raises(ValueError, match="synthesized"):
        write_report(runs, regional, {**manifest, "synthesized": ["schools"]}, tmp_path)


def test_manifest_must_agree_with_the_runs(inputs, tmp_path):
    runs, regional, manifest = inputs
    with pytest.raises(ValueError, match="baseline"):
        write_report(runs, regional, {**manifest, "baseline": "reform_2021"}, tmp_path)
    with pytest.raises(ValueError, match="scenarios"):
        write_report(runs, regional, {**manifest, "scenarios": SCENARIOS[:2]}, tmp_path)


def test_text_is_escaped(inputs, tmp_path):
    runs, _, manifest = inputs
    odd = "<script>x</script>&"
    rename = {"no_recheck": odd}
    few = runs[runs["metric"].isin(INDICES)]  # fewer panels: faster
    page = write_report(
        few.replace({"scenario": rename}),
        None,
        {**manifest, "scenarios": [rename.get(s, s) for s in SCENARIOS], "province": "A&B"},
        tmp_path,
    ).read_text(encoding="utf-8")
    assert "<script" not in page
    assert "&lt;script&gt;x&lt;/script&gt;&amp;" in page and "A&amp;B" in page
    assert 'id="table-by-city"' not in page  # no regional results given
    assert not (tmp_path / "by_city.csv").exists()


def test_no_cjk_font_warns_once_and_returns_false(inputs, monkeypatch, tmp_path, fresh_font_cache):
    runs, _, _ = inputs
    no_cjk = [f for f in font_manager.fontManager.ttflist if f.name == "DejaVu Sans"]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", no_cjk)
    monkeypatch.setattr(fonts, "SYSTEM_FONT_DIRS", (tmp_path,))  # nothing to add from here
    monkeypatch.setattr(fonts, "packaged_font_path", lambda: None)  # nor a packaged font
    monkeypatch.delenv(fonts.FONT_ENV, raising=False)
    monkeypatch.setattr(fonts, "_warned", False)
    with mpl.rc_context(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert use_cjk_fonts() is False
        assert use_cjk_fonts() is False
        assert mpl.rcParams["font.sans-serif"] == ["DejaVu Sans"]
        assert mpl.rcParams["axes.unicode_minus"] is False
        fig = fig_indices(summarize(runs), lang="zh")  # falls back to English labels
        labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels[0] == "Full coverage"
    cjk = [w for w in caught if issubclass(w.category, CJKFontWarning)]
    assert len(cjk) == 1
    assert "pip install noto-cjk-sans-otc" in str(cjk[0].message)


def test_fonts_installed_after_the_cache_are_found(monkeypatch, fresh_font_cache):
    monkeypatch.delenv(fonts.FONT_ENV, raising=False)
    files = [p for p in Path("/usr/share/fonts").rglob("*") if fonts._is_cjk_file(p)]
    if not files:
        pytest.skip("no Noto CJK / WenQuanYi font files under /usr/share/fonts")
    no_cjk = [f for f in font_manager.fontManager.ttflist if f.name == "DejaVu Sans"]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", no_cjk)
    assert fonts.available_cjk_fonts("system")  # registered from /usr/share/fonts
    assert fonts.available_cjk_fonts() == fonts.available_cjk_fonts("system")  # used first
