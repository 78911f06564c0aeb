"""The report's first page and its layout, against the data it was made from.

A toy province (synthetic, 4 counties in 2 市州), three scenarios with ``reform_2021`` listed
last, 3 seeds, 24 months after a 12-month warm-up. The page must open with key findings that
agree with ``paired.csv`` and the catalogue's directions, then caveats, then the contents;
numbers carry units; no table is wider than the page; the baseline comes first and
``reform_2021`` second everywhere; time axes are calendar years.
"""

from __future__ import annotations

import html as htmllib
import math
import re
import unicodedata
import warnings
from html.parser import HTMLParser

import pandas as pd
import pytest

import dudao_sim as ds
from dudao_sim.metrics.catalogue import metric
from dudao_sim.policy.assumptions import ASSUMPTIONS
from dudao_sim.report import write_report
from dudao_sim.report.caveats import VALIDATED_METRICS, is_cited, uncited_assumptions
from dudao_sim.report.cells import MAX_COLUMNS, chunks
from dudao_sim.report.figures import fig_indices, fig_trajectories
from dudao_sim.report.findings import FINDING_METRICS, key_findings
from dudao_sim.report.labels import report_order
from dudao_sim.report.levers import lever_changes, lever_value_text
from dudao_sim.report.styles import STYLE_HATCHES, scenario_styles
from dudao_sim.report.targets import TARGETS, sizes_outside_band

# reform_2021 last in the manifest: the report must still show it right after the baseline
SCENARIOS = ["pre_reform", "no_recheck", "reform_2021"]
SEEDS = [1, 2, 3]
MONTHS = 24
FIRST_YEAR = 2021
PAGE_PX = 1200
# CSS of the report: 0.88em of 16 px; a Latin character is at most ~0.55 em wide on average in
# the fonts used, a CJK character 1 em; cells have .55em padding each side and a border.
LATIN_PX = 0.55 * 16 * 0.88
CJK_PX = 16 * 0.88
CELL_PAD_PX = 2 * 0.55 * 16 * 0.88 + 1
GLYPH_MISSING = "Glyph .* missing"


@pytest.fixture(scope="module")
def toy():
    prov = ds.synthetic_province(n_counties=4, n_cities=2, seed=1)
    frames, cities, counties = [], [], []
    for sc in SCENARIOS:
        for seed in SEEDS:
            m = ds.SupervisionModel(
                prov, scenario=sc, months=MONTHS, warmup_months=12, rng=seed, create_agents=False
            )
            m.run()
            f = m.metrics().drop(columns="phase").melt(id_vars="month", var_name="metric")
            frames.append(f.assign(scenario=sc, seed=seed))
            cities.append(m.metrics_by("city").assign(scenario=sc, seed=seed))
            counties.append(m.metrics_by("county").assign(scenario=sc, seed=seed))
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
    return (
        prov,
        pd.concat(frames, ignore_index=True),
        pd.concat(cities, ignore_index=True),
        pd.concat(counties, ignore_index=True),
        manifest,
    )


@pytest.fixture(scope="module")
def toy_manifest() -> dict:
    """A manifest for hand-made runs (no model run)."""
    return {
        "province": "示例省",
        "scenarios": list(SCENARIOS),
        "seeds": [1, 2],
        "baseline": "pre_reform",
        "months": MONTHS,
        "synthesized": {},
        "version": ds.__version__,
        "created": "2025-06-01T12:00:00+08:00",
    }


@pytest.fixture(scope="module")
def tiny() -> pd.DataFrame:
    """A hand-made run frame (no model run): 3 scenarios, 2 seeds, 24 months, 4 metrics."""
    rows = []
    for k, sc in enumerate(SCENARIOS):
        for seed in (1, 2):
            for month in range(MONTHS):
                for j, m in enumerate(
                    ("index_coverage", "index_authority", "quality_mean", "cost_yuan_year")
                ):
                    value = 0.1 * (k + 1) + 0.01 * seed + 0.001 * month + j
                    rows.append((sc, seed, month, m, value * (1e6 if j == 3 else 1)))
    return pd.DataFrame(rows, columns=["scenario", "seed", "month", "metric", "value"])


def _write(toy, tmp_path_factory, lang):
    prov, runs, cities, counties, manifest = toy
    out = tmp_path_factory.mktemp(f"findings_{lang}")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=GLYPH_MISSING)
        path = write_report(runs, cities, manifest, out, lang=lang, county=counties, province=prov)
    return path, path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page_en(toy, tmp_path_factory):
    return _write(toy, tmp_path_factory, "en")


@pytest.fixture(scope="module")
def page_zh(toy, tmp_path_factory):
    return _write(toy, tmp_path_factory, "zh")


def _block(page: str, start: str, end: str) -> str:
    return page[page.index(start) : page.index(end, page.index(start))]


class _Tables(HTMLParser):
    """Every table: id, header texts, and rows of cells (text lines and data attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.cell: dict | None = None
        self.row: list | None = None
        self.in_head = False
        self.wrapping = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.tables.append({"id": a.get("id", ""), "header": [], "rows": []})
        elif not self.tables:
            return
        elif tag == "thead":
            self.in_head = True
        elif tag == "tr" and not self.in_head:
            self.row = []
            self.tables[-1]["rows"].append(self.row)
        elif tag in ("td", "th"):
            self.cell = {"lines": [""], "attrs": a, "spans": [], "wrap": ""}
        elif tag == "br" and self.cell is not None:
            self.cell["lines"].append("")
        elif tag == "span" and self.cell is not None:
            self.cell["spans"].append(a)
            self.wrapping = a.get("class") == "cpu"  # a note that wraps (CSS white-space)

    def handle_endtag(self, tag):
        if tag == "span":
            self.wrapping = False
        if tag == "thead":
            self.in_head = False
        elif tag in ("td", "th") and self.cell is not None:
            if self.in_head:
                self.tables[-1]["header"].append(" ".join(self.cell["lines"]))
            elif self.row is not None:
                self.row.append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None and self.wrapping:
            self.cell["wrap"] += data
        elif self.cell is not None:
            self.cell["lines"][-1] += data


def _tables(page: str) -> list[dict]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def _px(text: str) -> float:
    """Rendered width of one line of text at the report's table font, generously."""
    return sum(
        CJK_PX if unicodedata.east_asian_width(ch) in ("W", "F") else LATIN_PX for ch in text
    )


def _wrapped_px(text: str) -> float:
    """Narrowest width text can wrap to: its longest word; lines break between CJK characters."""
    pieces = re.split(r"[\s]+|(?<=[\u2e80-\uffef])|(?=[\u2e80-\uffef])", text)
    return max((_px(p) for p in pieces if p), default=0.0)


def _header_px(text: str) -> float:
    """A header wraps between words (and between CJK characters)."""
    return _wrapped_px(text)


# ---- the first page ---------------------------------------------------------------------------
@pytest.mark.slow
def test_page_opens_with_findings_then_caveats_then_contents(page_en):
    _, page = page_en
    first = page.index('<section id="section-findings"')
    assert first < page.index('id="section-caveats"') < page.index('id="toc"')
    assert page.index('id="toc"') < page.index('id="section-scenarios"')
    body = page[page.index("<body>") : first]
    assert "<section" not in body  # nothing before the findings
    toc = _block(page, 'id="toc"', "</nav>")
    targets = re.findall(r'href="#([^"]+)"', toc)
    assert targets[:2] == ["section-findings", "section-caveats"]
    for target in targets:
        assert f'<section id="{target}">' in page, target
    sections = re.findall(r'<section id="([^"]+)"', page)
    assert sections == targets  # every section listed, in page order


@pytest.mark.slow
def test_findings_agree_with_paired_differences_and_directions(page_en):
    path, page = page_en
    paired = pd.read_csv(path.parent / "paired.csv").set_index(["scenario", "metric"])
    block = _block(page, 'id="section-findings"', 'id="section-caveats"')
    scenarios = re.findall(r'<div class="finding" data-scenario="([^"]+)"', block)
    assert scenarios == ["reform_2021", "no_recheck"]
    seen_bins = set()
    for name in scenarios:
        part = block[block.index(f'data-scenario="{name}"') :]
        part = part[: part.index("</div>")]
        found = dict(re.findall(r'<span data-finding="([^"]+)" data-bin="([^"]+)"', part))
        expected = [
            m
            for m in FINDING_METRICS
            if (name, m) in paired.index
            and (metric(m).direction != "neutral" or metric(m).kind in ("burden", "cost"))
        ]
        assert sorted(found) == sorted(expected)
        for m, bin_ in found.items():
            row = paired.loc[(name, m)]
            seen_bins.add(bin_)
            if bool(row["within_noise"]):
                # the interval covers 0
                assert row["ci_low"] <= 0 <= row["ci_high"] or math.isnan(row["ci_low"])
                assert bin_ == "noise", (name, m)
                continue
            assert row["ci_low"] > 0 or row["ci_high"] < 0
            spec = metric(m)
            if spec.kind in ("burden", "cost"):
                assert bin_ == ("costs" if row["diff_mean"] > 0 else "improves"), (name, m)
            else:
                better = row["diff_mean"] * spec.better > 0
                assert bin_ == ("improves" if better else "worse"), (name, m)
        # the headline counts what is listed
        counts = {b: list(found.values()).count(b) for b in ("improves", "costs", "worse", "noise")}
        head = re.search(r'<p class="headline">([^<]+)</p>', part).group(1)
        assert head.startswith(f"{counts['improves']} outcome(s) improve, {counts['costs']} ")
        assert f"{counts['noise']} within noise" in head
    # the data give both clear changes and noise: the check above is not vacuous
    assert {"improves", "noise"} <= seen_bins


@pytest.mark.slow
def test_finding_sentences_carry_units_and_the_interval(page_en, page_zh):
    path, page = page_en
    paired = pd.read_csv(path.parent / "paired.csv").set_index(["scenario", "metric"])
    block = _block(page, 'id="section-findings"', 'id="section-caveats"')
    spans = dict(
        re.findall(
            r'<span data-finding="([^"]+)" data-bin="(?:improves|costs|worse)">([^<]+)</span>',
            block[: block.index('data-scenario="no_recheck"')],
        )
    )
    assert spans, "reform_2021 has findings outside noise"
    for m, sentence in spans.items():
        sentence = htmllib.unescape(sentence)
        assert sentence.startswith(metric(m).label("en"))
        assert "95 % interval" in sentence
        row = paired.loc[("reform_2021", m)]
        sign = "+" if row["diff_mean"] > 0 else "−"
        assert f" {sign}" in sentence
    units = {"fake_share": " pp", "quality_pupils": " SD", "cost_yuan_year": "10k yuan"}
    for m, unit in units.items():
        if m in spans:
            assert unit in htmllib.unescape(spans[m]), m
    _, zh = page_zh
    zblock = _block(zh, 'id="section-findings"', 'id="section-caveats"')
    assert "与改革前相比" in zblock and "区间" in zblock
    if "cost_yuan_year" in spans:
        assert "万元" in zblock


@pytest.mark.slow
def test_caveats_name_synthesized_inputs_noise_and_unconfirmed_results(toy, page_en):
    _, _, _, _, manifest = toy
    _, page = page_en
    block = _block(page, 'id="section-caveats"', "</section>")
    items = dict(re.findall(r'<li data-caveat="([^"]+)">([^<]+)</li>', block))
    for table, columns in manifest["synthesized"].items():
        assert f"{table}: {', '.join(columns)}" in items["synthesized"]
    assert f"({len(SEEDS)} seeds, 95 %)" in items["noise"]
    assert "seed-to-seed noise only" in items["noise"]
    assert f"{len(uncited_assumptions())} of the model's {len(ASSUMPTIONS)}" in htmllib.unescape(
        items["assumptions"]
    )
    for m in VALIDATED_METRICS:
        assert metric(m).label("en") in items["assumptions"]
    # every result outside noise in the findings is named as resting on unconfirmed assumptions
    findings = _block(page, 'id="section-findings"', 'id="section-caveats"')
    moved = {
        m
        for m, b in re.findall(r'data-finding="([^"]+)" data-bin="([^"]+)"', findings)
        if b != "noise"
    }
    assert moved
    unconfirmed = htmllib.unescape(items["unconfirmed"])
    assert f"So {len(moved)} of the results" in unconfirmed
    for m in moved:
        assert metric(m).label("en") in unconfirmed


def test_an_assumption_citing_a_work_is_not_counted_as_uncited():
    assert is_cited("assumption; gains build over 2-3 years (Allen & Burgess 2012)")
    assert is_cited("assumption", refs=["allen_2012"])
    assert not is_cited("assumption (clause 十三)")
    assert not is_cited("assumption: a rebound is rarely trivial")
    cited = [n for n, a in ASSUMPTIONS.items() if n not in uncited_assumptions()]
    assert cited and all(is_cited(ASSUMPTIONS[n].source, ASSUMPTIONS[n].refs) for n in cited)


# ---- units, ordering, width -------------------------------------------------------------------
@pytest.mark.slow
def test_every_table_fits_a_1200_pixel_page(page_en, page_zh):
    for _, page in (page_en, page_zh):
        tables = _tables(page)
        assert len(tables) > 15
        for t in tables:
            columns = max([len(t["header"])] + [len(r) for r in t["rows"]])
            assert columns <= MAX_COLUMNS, (t["id"], columns)
            widths = [_header_px(h) for h in t["header"]]
            for row in t["rows"]:
                # a cell under a rowspan shifts the row: align from the right
                offset = len(widths) - len(row)
                for i, cell in enumerate(row):
                    line = max(_px(x.strip()) for x in cell["lines"])
                    line = max(line, _wrapped_px(cell["wrap"]))
                    if cell["attrs"].get("class", "").startswith("n"):
                        widths[offset + i] = max(widths[offset + i], line)
                    else:  # text cells wrap between words
                        wrapped = _wrapped_px(" ".join(cell["lines"]))
                        widths[offset + i] = max(widths[offset + i], wrapped)
            total = sum(w + CELL_PAD_PX for w in widths)
            assert total <= PAGE_PX, (t["id"], round(total))


@pytest.mark.slow
def test_numbers_carry_their_units(page_en, page_zh):
    for lang, (_, page), pp, yuan, sd in (
        ("en", page_en, " pp", "10k yuan", " SD"),
        ("zh", page_zh, " 个百分点", "万元", " 标准差"),
    ):
        spans = re.findall(
            r'<span class="num" data-value="[^"]+" data-field="(mean|diff_mean)" '
            r'data-metric="([^"]+)"[^>]*>([^<]+)</span>',
            page,
        )
        assert spans
        for field, m, shown in spans:
            shown = htmllib.unescape(shown)
            if shown == "—":
                continue
            if metric(m).unit == "share":
                assert shown.endswith(pp if field == "diff_mean" else "%"), (lang, m, shown)
            if metric(m).unit == "yuan/year":
                assert shown.endswith(yuan), (lang, m, shown)
            if m in ("quality_mean", "quality_pupils"):
                assert shown.endswith(sd), (lang, m, shown)
        # at most 3 significant digits in the readable form
        cost = [s for f, m, s in spans if m == "cost_yuan_year" and f == "mean"]
        digits = [re.sub(r"\D", "", c.split(" ")[0]).lstrip("0") for c in cost]
        assert cost and all(len(d) <= 3 for d in digits), cost
        # a metric without a suffix names its unit in the column header
        outcomes = [t for t in _tables(page) if t["id"].startswith("table-outcomes")]
        headers = " | ".join(h for t in outcomes for h in t["header"])
        assert ("visits" if lang == "en" else "（次）") in headers


@pytest.mark.slow
def test_baseline_then_reform_2021_first_in_every_table(page_en):
    _, page = page_en
    for t in _tables(page):
        order = []
        for row in t["rows"]:
            for cell in row:
                for span in cell["spans"]:
                    sc = span.get("data-scenario")
                    if sc and sc not in order:
                        order.append(sc)
        if len(order) < 2:
            continue
        expected = [s for s in report_order(SCENARIOS, "pre_reform") if s in order]
        assert order == expected, (t["id"], order)
        assert order[0] in ("pre_reform", "reform_2021"), t["id"]
        if order[0] == "pre_reform":
            assert order[1] == "reform_2021", t["id"]
    scenarios = _block(page, 'id="table-scenarios"', "</table>")
    assert re.findall(r"<code>([^<]+)</code>", scenarios) == [
        "pre_reform",
        "reform_2021",
        "no_recheck",
    ]


def test_report_order_puts_the_baseline_then_reform_2021_first():
    names = ["smart_supervision", "pre_reform", "my_policy", "reform_2021", "no_recheck"]
    assert report_order(names, "pre_reform")[:3] == ["pre_reform", "reform_2021", "no_recheck"]
    assert report_order(names, "reform_2021")[:2] == ["reform_2021", "pre_reform"]
    assert report_order(names, "pre_reform")[-1] == "my_policy"


# ---- figures ----------------------------------------------------------------------------------
def test_trajectories_run_on_calendar_years(tiny):
    runs = tiny
    metrics = ("index_coverage", "quality_mean", "cost_yuan_year")
    order = report_order(SCENARIOS, "pre_reform")
    fig = fig_trajectories(runs, "en", metrics=metrics, scenarios=order)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert axes
    for ax in axes:
        assert ax.get_xlabel() == "Year"
        lines = [line for line in ax.get_lines() if len(line.get_xdata()) > 1]
        assert len(lines) == len(SCENARIOS)
        for line in lines:
            x = line.get_xdata()
            assert x[0] == pytest.approx(FIRST_YEAR)  # month 0 is January 2021
            assert x[-1] == pytest.approx(FIRST_YEAR + (MONTHS - 1) / 12)
        ticks = [t for t in ax.get_xticks() if FIRST_YEAR <= t <= FIRST_YEAR + MONTHS / 12]
        assert ticks and all(float(t).is_integer() for t in ticks)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Before the reform", "The 2021 reform as written", "Reform without re-checks"]
    shifted = fig_trajectories(runs, "en", metrics=("quality_mean",), first_year=2030)
    line = next(line for line in shifted.axes[0].get_lines() if len(line.get_xdata()) > 1)
    assert line.get_xdata()[0] == pytest.approx(2030)


def test_eight_scenarios_stay_apart_in_colour_and_in_grey():
    names = [f"s{i}" for i in range(8)]
    styles = scenario_styles(names)
    assert len({s.colour for s in styles.values()}) == 8
    assert len({s.marker for s in styles.values()}) == 8
    assert len({str(s.linestyle) for s in styles.values()}) == 8
    assert len({s.hatch for s in styles.values()}) == 8 == len(STYLE_HATCHES)

    def grey(rgb):
        r, g, b = rgb
        return 0.299 * r + 0.587 * g + 0.114 * b

    # the baseline is the only grey one; in greyscale, markers and lines tell the rest apart
    assert styles["s0"].colour[0] == styles["s0"].colour[1] == styles["s0"].colour[2]
    assert len({round(grey(s.colour), 2) for s in styles.values()}) >= 6


def test_bars_carry_hatches_and_the_legend_follows_the_order(tiny):
    runs = tiny
    from dudao_sim.experiments import summarize

    names = report_order(SCENARIOS, "pre_reform")
    fig = fig_indices(summarize(runs), "en", names)
    hatches = [p.get_hatch() or "" for p in fig.axes[0].patches]
    assert len(set(hatches)) == len(names)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:2] == ["Before the reform", "The 2021 reform as written"]


# ---- levers, costs, targets, counties ----------------------------------------------------------
@pytest.mark.slow
def test_lever_values_behind_the_scenarios(page_en):
    _, page = page_en
    main = _block(page, 'id="table-levers"', "</table>")
    expected = lever_changes(["reform_2021"], "pre_reform")
    shown = re.findall(r'data-lever="([^"]+)" data-scenario="reform_2021" data-field="value"', main)
    assert shown == list(expected["lever"])
    row = expected[expected["lever"] == "zone_visits_per_year"].iloc[0]
    assert f">{lever_value_text('zone_visits_per_year', row['value'], 'en')}<" in main
    assert ">4 visits per school a year<" in main and ">8 visits per school a year<" in main
    assert ">no cap<" in main  # visit_cap_per_year = 0 before the reform
    others = _block(page, 'id="table-levers-2"', "</table>")
    assert re.findall(r'data-lever="([^"]+)" data-scenario="no_recheck" data-field="value"', others)
    assert ">none<" in others  # no_recheck: re-check timing


@pytest.mark.slow
def test_cost_per_unit_of_improvement_follows_the_paired_differences(page_en):
    path, page = page_en
    paired = pd.read_csv(path.parent / "paired.csv").set_index(["scenario", "metric"])
    notes = re.findall(
        r'<span class="cpu" data-metric="([^"]+)" data-scenario="([^"]+)" data-kind="([^"]+)"'
        r'(?: data-value="([^"]+)" data-step="([^"]+)")?',
        page,
    )
    assert notes
    for m, sc, kind, value, step in notes:
        row, cost = paired.loc[(sc, m)], paired.loc[(sc, "cost_yuan_year")]
        assert not row["within_noise"] and row["diff_mean"] * metric(m).better > 0
        if kind == "no_extra_cost":
            assert cost["within_noise"]
        elif kind == "saves":
            assert not cost["within_noise"] and cost["diff_mean"] < 0
        else:
            gain = abs(row["diff_mean"]) * metric(m).display("en").human().scale
            expected = cost["diff_mean"] / (gain / float(step))
            assert float(value) == pytest.approx(expected)


@pytest.mark.slow
def test_targets_no_scenario_meets_are_explained(page_en, page_zh):
    path, page = page_en
    checks = pd.read_csv(path.parent / "targets.csv")
    unmet = [
        t.metric
        for t in TARGETS
        if not set(checks.loc[checks["metric"] == t.metric, "status"]) & {"met", "lower"}
    ]
    assert unmet, "the toy province leaves some target unmet"
    block = _block(page, 'id="unmet-targets"', "</ul>")
    reasons = dict(re.findall(r'<li data-target="([^"]+)"><b>[^<]+</b>: ([^<]+)</li>', block))
    assert sorted(reasons) == sorted(unmet)
    for m, reason in reasons.items():
        assert len(reason) > 80 and "{" not in reason, m
    if "inspectorate_counties_full_time_in_band" in reasons:
        sizes = ", ".join(map(str, sizes_outside_band()))
        assert sizes in reasons["inspectorate_counties_full_time_in_band"]
    _, zh = page_zh
    assert "所有情景均未达到的目标及原因" in zh
    assert len(re.findall(r'<li data-target="', _block(zh, 'id="unmet-targets"', "</ul>"))) == len(
        unmet
    )


def test_sizes_outside_the_full_time_band():
    assert sizes_outside_band((0.3, 1 / 3), 10) == [1, 2, 4, 5, 7, 8]


@pytest.mark.slow
def test_county_view_table_and_map(toy, page_en):
    prov, _, _, _, _ = toy
    path, page = page_en
    by_county = pd.read_csv(path.parent / "by_county.csv", dtype={"code": str})
    assert set(by_county["code"]) == set(prov.county_table.index.astype(str))
    table = next(t for t in _tables(page) if t["id"] == "table-by-county")
    assert len(table["rows"]) == len(prov.county_table)
    rows = by_county.set_index(["code", "metric"])
    for row in table["rows"]:
        for cell in row:
            for span in cell["spans"]:
                if span.get("data-field") == "diff_mean":
                    expected = rows.loc[(span["data-code"], span["data-metric"]), "diff_mean"]
                    assert float(span["data-value"]) == pytest.approx(expected)
                    assert span["data-scenario"] == "reform_2021"
    city_names = set(prov.cities["name"])
    assert {row[0]["lines"][0] for row in table["rows"]} == city_names  # names, not codes
    assert '<figure id="fig-county-map">' in page


def test_chunks_are_even_and_never_exceed_the_limit():
    assert chunks(list("abcde"), 4) == [["a", "b", "c"], ["d", "e"]]
    assert chunks(list("abcd"), 4) == [["a", "b", "c", "d"]]
    assert chunks([], 4) == []
    assert all(len(c) <= 4 for c in chunks(list("abcdefghijk"), 4))


def test_findings_work_on_a_single_scenario_frame():
    paired = pd.DataFrame(
        {
            "metric": ["fake_share", "quality_pupils", "cost_yuan_year"],
            "diff_mean": [-0.05, 0.001, 2.0e6],
            "ci_low": [-0.07, -0.01, 1.0e6],
            "ci_high": [-0.03, 0.012, 3.0e6],
            "within_noise": [False, True, False],
        }
    )
    found = {f.metric: f for f in key_findings(paired)}
    assert {m: f.bin for m, f in found.items()} == {
        "fake_share": "improves",
        "quality_pupils": "noise",
        "cost_yuan_year": "costs",
    }
    zh = "年督导成本 +200 万元（95% 区间 +100 至 +300 万元）"
    assert found["cost_yuan_year"].sentence("zh") == zh


# ---- optional manifest keys ---------------------------------------------------------------------
def _small(toy):
    """The toy runs cut to two scenarios and the indices (a fast report)."""
    _, runs, _, _, manifest = toy
    keep = runs["scenario"].isin(["pre_reform", "reform_2021"]) & runs["metric"].isin(
        ["index_coverage", "index_authority", "cost_yuan_year", "quality_mean"]
    )
    return runs[keep], {**manifest, "scenarios": ["pre_reform", "reform_2021"]}


@pytest.mark.slow
def test_levers_set_on_every_run_and_the_first_year_reach_the_page(toy, tmp_path):
    runs, manifest = _small(toy)
    manifest = {**manifest, "levers": {"zone_visits_per_year": 6}, "first_year": 2030}
    page = write_report(runs, None, manifest, tmp_path).read_text(encoding="utf-8")
    levers = _block(page, 'id="table-levers"', "</table>")
    # both scenarios run with 6 routine visits: the lever no longer differs
    assert 'data-lever="zone_visits_per_year"' not in levers
    caveats = _block(page, 'id="section-caveats"', "</section>")
    assert 'data-caveat="overrides"' in caveats and "zone_visits_per_year = 6" in caveats
    assert "(January 2030)" in page
    assert "<dt>First year after the switch</dt><dd>2030</dd>" in page


def test_bad_optional_manifest_keys_are_named(toy_manifest, tiny, tmp_path):
    runs = tiny[tiny["scenario"].isin(["pre_reform", "reform_2021"])]
    manifest = {**toy_manifest, "scenarios": ["pre_reform", "reform_2021"]}
    with pytest.raises(ValueError, match=r"manifest\['levers'\]"):
        write_report(runs, None, {**manifest, "levers": ["x"]}, tmp_path)
    with pytest.raises(ValueError, match=r"manifest\['first_year'\]"):
        write_report(runs, None, {**manifest, "first_year": "2021"}, tmp_path)
    with pytest.raises(ValueError, match="no_such_lever"):
        write_report(runs, None, {**manifest, "levers": {"no_such_lever": 1}}, tmp_path)
    assert not list(tmp_path.iterdir())
