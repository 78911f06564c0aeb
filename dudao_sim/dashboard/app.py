"""The dashboard assembled: controls, Run, results, export — in Chinese or English.

:class:`Dashboard` puts together the lever controls (:mod:`.widgets`), the session's runs and
caches (:mod:`.session`), plain-language findings (:mod:`.findings`), figures (:mod:`.plots`)
and exports (:mod:`.export`). Display ``Dashboard().view`` in a notebook, or serve
``notebooks/05_policy_dashboard.ipynb`` with Voilà (``make dashboard``).

Every callback shows its error in the page as one line (never a traceback). The results carry
``data-metric`` / ``data-scenario`` / ``data-value`` attributes so a browser test can read the
numbers from the page.

Example:
    >>> app = Dashboard(web_font=False)
    >>> app.set_lang("zh")
    >>> app.run_button.description
    '运行'
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any

import ipywidgets as w
import pandas as pd

from dudao_sim.dashboard import export, plots
from dudao_sim.dashboard.session import (
    BASELINES,
    EDITED,
    DashboardSession,
    DashboardSettings,
    Results,
    describe_settings,
)
from dudao_sim.dashboard.texts import LANG_OPTIONS, all_text, text
from dudao_sim.dashboard.widgets import LeverControls
from dudao_sim.metrics.catalogue import CATALOGUE, metric
from dudao_sim.policy.levers import GROUPS, LEVERS, LeverValue
from dudao_sim.policy.scenarios import Scenario, load_scenario, scenario_names
from dudao_sim.report.findings import findings_html, key_findings
from dudao_sim.report.fonts import PACKAGED_FONT_NAME, web_font_css

#: Key metrics shown in a table (each cell carries ``data-metric`` and ``data-value``).
HEADLINE_METRICS: tuple[str, ...] = (
    "flow_detection",
    "dressing_mean",
    "fake_share",
    "rectified_in_time",
    "report_distortion",
    "quality_pupils",
    "visits_per_school_year",
    "teacher_hours_per_school_year",
    "cost_yuan_year",
)

#: Regional metrics offered for the 市州 table and the county map.
REGIONAL_METRICS: tuple[str, ...] = (
    "known_stock_share",
    "problems_per_school",
    "quality_pupils",
    "effort_mean",
    "coverage_visited",
    "visited_12m",
    "visits_per_school_month",
)

_CSS = """
.dd-app { font-family: system-ui, "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
  "Microsoft YaHei", "%(font)s", sans-serif; }
.dd-app h2 { margin: 0.2em 0; }
.dd-app table.dd-table { border-collapse: collapse; margin: 0.4em 0; }
.dd-app table.dd-table th, .dd-app table.dd-table td { border-bottom: 1px solid #ddd;
  padding: 2px 10px; text-align: right; }
.dd-app table.dd-table th:first-child, .dd-app table.dd-table td:first-child { text-align: left; }
.dd-app .dd-unit { color: #666; font-size: 0.85em; margin-left: 8px; }
.dd-app .dd-error { color: #b00020; font-weight: bold; }
.dd-app .dd-ok { color: #1b5e20; }
.dd-app li.dd-improves b { color: #1b5e20; }
.dd-app li.dd-costs b { color: #8a6d00; }
.dd-app li.dd-worse b { color: #b00020; }
.dd-app li.dd-noise b { color: #555; }
.dd-app .dd-download { margin-right: 1.5em; }
.dd-app .widget-label { font-family: inherit; }
"""


@lru_cache(maxsize=1)
def _font_css() -> str:
    chars = set(all_text("zh"))
    for lever in LEVERS.values():
        chars.update(lever.label_zh + lever.unit)
    for m in CATALOGUE.values():
        chars.update(m.label_zh + m.display("zh").suffix + m.display("zh").diff_suffix)
    for group in GROUPS.values():
        chars.update(group["zh"])
    for name in scenario_names():
        chars.update(load_scenario(name).label_zh)
    return web_font_css("".join(sorted(chars)))


def style_html(web_font: bool = True, extra_chars: str = "") -> str:
    """The dashboard's ``<style>``: layout, and a web font subset for Chinese if asked.

    Args:
        web_font: Embed a WOFF2 subset of the packaged Noto Sans CJK face (for browsers on
            machines without a Chinese font; it adds about 100 KB once).
        extra_chars: Characters to add to the subset (e.g. place names).
    """
    css = _CSS % {"font": PACKAGED_FONT_NAME}
    if web_font:
        css = _font_css() + css
        if extra_chars:
            css = web_font_css(extra_chars) + css
    return f"<style>{css}</style>"


class DashboardView(w.VBox):
    """The dashboard's top widget: a ``VBox`` whose text form is one short line.

    (A notebook stores a widget's text form beside its view; the full form would repeat every
    child's value, the embedded font included.)
    """

    summary = ""

    def __repr__(self) -> str:
        return f"<dudao_sim policy dashboard: {self.summary}>"


def needs_web_font() -> bool:
    """True when the page should carry its own Chinese font (no system CJK font here)."""
    from dudao_sim.report.fonts import available_cjk_fonts, font_source

    return font_source() == "packaged" or not available_cjk_fonts("system")


def one_line(error: BaseException) -> str:
    """An error as one line of text (its non-blank lines joined), never a traceback."""
    message = " ".join(part.strip() for part in str(error).splitlines() if part.strip())
    return message or type(error).__name__


def _guarded(method: Callable[..., None]) -> Callable[..., None]:
    """Show any error of a callback in the status line instead of raising it."""

    @wraps(method)
    def wrapper(self: Dashboard, *args: Any, **kwargs: Any) -> None:
        try:
            method(self, *args, **kwargs)
        except Exception as error:
            self.show_error(error)

    return wrapper


def _fmt(value: LeverValue, lang: str) -> str:
    if isinstance(value, bool):
        return text("on" if value else "off", lang)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class Dashboard:
    """The policy dashboard.

    Args:
        session: Runs, caches and the province (default: a new :class:`DashboardSession`).
        settings: Settings for a new session (default: from ``DUDAO_SIM_QUICK``).
        lang: Initial language, ``"zh"`` or ``"en"``.
        start: The scenario to start from.
        web_font: Embed a web font for Chinese text (see :func:`style_html`); default: only
            when this machine has no system CJK font (the dashboard is served on localhost,
            so the browser sees the same fonts) or ``DUDAO_SIM_FONT=packaged``.

    Attributes:
        view: The widget to display.
        results: The last results, or ``None``.
        last_error: The last error shown, or ``""``.
    """

    def __init__(
        self,
        session: DashboardSession | None = None,
        settings: DashboardSettings | None = None,
        lang: str = "en",
        start: str = "reform_2021",
        web_font: bool | None = None,
    ) -> None:
        self.session = session or DashboardSession(settings)
        self.lang = lang
        self.results: Results | None = None
        self.last_error = ""
        self._quiet = False
        self._running = False
        self._status: tuple[str, dict[str, Any]] | None = None
        self.start: Scenario = load_scenario(start)

        if web_font is None:
            web_font = needs_web_font()
        self.style = w.HTML(style_html(web_font))
        self.title = w.HTML()
        self.lang_toggle = w.ToggleButtons(options=list(LANG_OPTIONS), value=lang)
        self.lang_toggle.add_class("dd-lang")
        self.intro = w.HTML()
        self.province_info = w.HTML()
        self.province_folder = w.Text(layout=w.Layout(width="420px"))
        self.province_folder.add_class("dd-province-folder")
        self.load_button = w.Button(icon="")
        self.load_button.add_class("dd-load")
        self.scenario = w.Dropdown(layout=w.Layout(width="460px"))
        self.scenario.add_class("dd-scenario")
        self.reset_button = w.Button()
        self.controls = LeverControls(lang)
        self.levers_title = w.HTML()
        self.run_button = w.Button(button_style="primary")
        self.run_button.add_class("dd-run")
        self.clear_button = w.Button()
        self.clear_button.add_class("dd-clear")
        self.progress = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(width="300px"))
        self.progress.add_class("dd-progress")
        self.status = w.HTML()
        self.status.add_class("dd-status")
        self.settings_line = w.HTML()

        self.findings = w.HTML()
        self.findings.add_class("dd-findings")
        self.headline = w.HTML()
        self.headline.add_class("dd-headline")
        self.plots_title = w.HTML()
        self.years_image = w.Image(format="png", layout=w.Layout(max_width="1100px"))
        self.regional_title = w.HTML()
        self.regional_metric = w.Dropdown(layout=w.Layout(width="460px"))
        self.city_table = w.HTML()
        self.map_image = w.Image(format="png", layout=w.Layout(max_width="700px"))
        self.lever_table = w.HTML()
        self.lever_table.add_class("dd-lever-table")
        self.export_links = w.HTML()
        self.export_links.add_class("dd-export")
        self.results_box = w.VBox(
            [
                self.findings,
                self.headline,
                self.plots_title,
                self.years_image,
                self.regional_title,
                self.regional_metric,
                w.HBox([self.city_table, self.map_image]),
                self.lever_table,
                self.export_links,
            ]
        )
        self.view = DashboardView(
            [
                self.style,
                w.HBox([self.title, self.lang_toggle], layout=w.Layout(align_items="center")),
                self.intro,
                w.HBox([self.province_info]),
                w.HBox([self.province_folder, self.load_button]),
                w.HBox([self.scenario, self.reset_button]),
                self.levers_title,
                self.controls.view,
                self.settings_line,
                w.HBox([self.run_button, self.clear_button, self.progress]),
                self.status,
                self.results_box,
            ]
        )
        self.view.add_class("dd-app")
        self.view.summary = (
            f"{len(self.controls.widgets)} levers in {len(self.controls.groups)} groups, "
            f"{self.session.settings.province_name}"
        )

        self.lang_toggle.observe(self._on_lang, names="value")
        self.scenario.observe(self._on_scenario, names="value")
        self.regional_metric.observe(self._on_regional_metric, names="value")
        self.run_button.on_click(self._on_run)
        self.clear_button.on_click(self._on_clear)
        self.reset_button.on_click(self._on_reset)
        self.load_button.on_click(self._on_load)
        self._relabel()
        self.controls.set_values(self.start.levers)
        self._show_province()

    # ---- language ---------------------------------------------------------------------------

    def set_lang(self, lang: str) -> None:
        """Switch every label, table and figure to ``lang`` (``"zh"`` or ``"en"``)."""
        self.lang_toggle.value = lang  # fires _on_lang

    @_guarded
    def _on_lang(self, change: dict) -> None:
        self.lang = change["new"]
        self._relabel()
        self.controls.relabel(self.lang)
        self._show_province()
        self.render()
        if self._status is not None:
            self.show_status(text(self._status[0], self.lang, **self._status[1]), self._status)

    def _relabel(self) -> None:
        lang = self.lang
        self.title.value = f"<h2>{html.escape(text('title', lang))}</h2>"
        self.intro.value = f"<p>{html.escape(text('intro', lang))}</p>"
        self.province_folder.description = text("province_folder", lang)
        self.province_folder.placeholder = text("province_placeholder", lang)
        self.province_folder.style.description_width = "180px"
        self.load_button.description = text("load_province", lang)
        self._quiet = True
        try:
            current = self.scenario.value or self.start.name
            self.scenario.options = [(load_scenario(n).label(lang), n) for n in scenario_names()]
            self.scenario.value = current
            current_metric = self.regional_metric.value or REGIONAL_METRICS[0]
            self.regional_metric.options = [(metric(m).label(lang), m) for m in REGIONAL_METRICS]
            self.regional_metric.value = current_metric
        finally:
            self._quiet = False
        self.scenario.description = text("start_from", lang)
        self.regional_metric.description = text("regional_metric", lang)
        for widget in (self.scenario, self.regional_metric):
            widget.style.description_width = "180px"
        self.reset_button.description = text("reset", lang)
        self.levers_title.value = f"<h3>{html.escape(text('levers', lang))}</h3>"
        self.run_button.description = text("running" if self._running else "run", lang)
        self.clear_button.description = text("clear_cache", lang)
        self.settings_line.value = (
            f"<p>{html.escape(text('settings', lang, **describe_settings(self.session.settings)))}"
            "</p>"
        )

    def _show_province(self) -> None:
        p = self.session.province
        self.province_info.value = (
            f"<b>{html.escape(text('province', self.lang))}</b>: "
            + html.escape(
                text(
                    "province_loaded",
                    self.lang,
                    name=p.name,
                    counties=len(p.county_table),
                    schools=len(p.schools),
                )
            )
        )

    # ---- status -----------------------------------------------------------------------------

    def show_error(self, error: BaseException | str) -> None:
        """Show an error in the page as one line (no traceback)."""
        message = error if isinstance(error, str) else one_line(error)
        self.last_error = message
        self._status = None
        self.status.value = (
            f'<span class="dd-error" data-error="1">{html.escape(text("error", self.lang))}'
            f"{html.escape(message)}</span>"
        )

    def show_status(self, message: str, key: tuple[str, dict[str, Any]] | None = None) -> None:
        """Show a plain status line (and forget the last error).

        Args:
            message: The text.
            key: The text's key and values, to show it again in another language.
        """
        self.last_error = ""
        self._status = key
        self.status.value = f'<span class="dd-ok">{html.escape(message)}</span>'

    # ---- controls ---------------------------------------------------------------------------

    @_guarded
    def _on_scenario(self, change: dict) -> None:
        if self._quiet or not change["new"]:
            return
        self.start = load_scenario(change["new"])
        self.controls.set_values(self.start.levers)

    @_guarded
    def _on_reset(self, _button: w.Button | None = None) -> None:
        self.controls.set_values(self.start.levers)

    @_guarded
    def _on_clear(self, _button: w.Button | None = None) -> None:
        self.session.clear_cache()
        self.show_status(text("cache_cleared", self.lang), ("cache_cleared", {}))

    @_guarded
    def _on_load(self, _button: w.Button | None = None) -> None:
        folder = self.province_folder.value.strip()
        if not folder:
            raise ValueError(text("province_placeholder", self.lang))
        self.session.load_province(folder)
        self.results = None
        self._relabel()
        self._show_province()
        self.render()
        self.show_status(text("no_results", self.lang))

    def changes(self) -> dict[str, LeverValue]:
        """Levers changed from the starting scenario."""
        return self.controls.changes_from(self.start.levers)

    # ---- run --------------------------------------------------------------------------------

    def _progress(self, done: int, total: int) -> None:
        self.progress.max = max(total, 1)
        self.progress.value = done
        self.progress.description = f"{done}/{total}"

    @_guarded
    def _on_run(self, _button: w.Button | None = None) -> None:
        self.run()

    def run(self) -> Results | None:
        """Run the edited policy against the baselines and show the results.

        Returns:
            The results, or ``None`` when an error was shown instead (or a Run is going on).
        """
        if self._running:
            return None
        self._running = True
        self.run_button.disabled = True
        self.run_button.description = text("running", self.lang)
        self.status.value = ""
        self.last_error = ""
        self._status = None
        try:
            self.results = self.session.compare(
                self.controls.values(),
                start=self.start.name,
                changes=self.changes(),
                progress=self._progress,
            )
            self.render()
            r = self.results
            done = {"n": len(r.settings.seeds) * 3, "cached": r.cached, "seconds": r.seconds}
            self.show_status(text("done", self.lang, **done), ("done", done))
            return self.results
        except Exception as error:
            self.show_error(error)
            return None
        finally:
            self._running = False
            self.run_button.disabled = False
            self.run_button.description = text("run", self.lang)

    # ---- results ----------------------------------------------------------------------------

    def render(self) -> None:
        """Draw the results (or an empty state) in the current language."""
        r = self.results
        lang = self.lang
        if r is None:
            self.findings.value = f"<p>{html.escape(text('no_results', lang))}</p>"
            for widget in (self.headline, self.plots_title, self.regional_title):
                widget.value = ""
            self.city_table.value = self.lever_table.value = self.export_links.value = ""
            self.years_image.value = self.map_image.value = b""
            for widget in (self.regional_metric, self.years_image, self.map_image):
                widget.layout.display = "none"
            return
        for widget in (self.regional_metric, self.years_image, self.map_image):
            widget.layout.display = None
        self.findings.value = self.findings_html(r)
        self.headline.value = self.headline_html(r)
        self.plots_title.value = f"<h3>{html.escape(text('plots', lang))}</h3>"
        self.years_image.value = plots.png(plots.fig_years(r, lang), lang)
        self.regional_title.value = f"<h3>{html.escape(text('regional', lang))}</h3>"
        self._render_regional()
        self.lever_table.value = self.lever_table_html(r)
        self.export_links.value = self.export_html(r)

    @_guarded
    def _on_regional_metric(self, change: dict) -> None:
        if not self._quiet and self.results is not None:
            self._render_regional()

    def _render_regional(self) -> None:
        r = self.results
        if r is None:
            return
        name = self.regional_metric.value
        self.city_table.value = self.city_table_html(r, name)
        self.map_image.value = plots.png(
            plots.fig_county_map(r, self.session.province, name, self.lang), self.lang
        )

    def _scenario_label(self, scenario: str) -> str:
        return plots.series_label(scenario, self.lang)

    def findings_html(self, r: Results) -> str:
        """Key findings against each baseline, in plain words."""
        lang = self.lang
        parts = [f"<h3>{html.escape(text('key_findings', lang))}</h3>"]
        for base in BASELINES:
            found = key_findings(r.paired(base))
            parts.append(findings_html(found, self._scenario_label(base), lang))
        parts.append(f"<p><small>{html.escape(text('noise_note', lang))}</small></p>")
        return "".join(parts)

    def headline_html(self, r: Results) -> str:
        """Key metrics per scenario; each cell carries data-metric/data-scenario/data-value."""
        lang = self.lang
        scenarios = (EDITED, *BASELINES)
        head = "".join(f"<th>{html.escape(self._scenario_label(s))}</th>" for s in scenarios)
        rows = []
        for name in HEADLINE_METRICS:
            m = metric(name)
            better = {"up": "better", "down": "lower_better"}.get(m.direction)
            hint = f" <small>({html.escape(text(better, lang))})</small>" if better else ""
            cells = []
            for s in scenarios:
                value = r.value(name, s)
                cells.append(
                    f'<td data-metric="{name}" data-scenario="{s}" data-value="{value!r}">'
                    f"{html.escape(m.display(lang).format(value))}</td>"
                )
            rows.append(f"<tr><td>{html.escape(m.label(lang))}{hint}</td>{''.join(cells)}</tr>")
        return (
            f"<h3>{html.escape(text('headline', lang))}</h3>"
            f'<table class="dd-table"><tr><th>{html.escape(text("metric", lang))}</th>{head}</tr>'
            + "".join(rows)
            + "</table>"
        )

    def city_table_html(self, r: Results, name: str) -> str:
        """One regional metric by 市州 under each scenario."""
        lang = self.lang
        summary = r.regional_summary("city")
        part = summary[summary["metric"] == name]
        wide = part.pivot_table(index=["code", "name"], columns="scenario", values="mean")
        d = metric(name).display(lang)
        scenarios = [s for s in (EDITED, *BASELINES) if s in wide.columns]
        head = "".join(f"<th>{html.escape(self._scenario_label(s))}</th>" for s in scenarios)
        rows = []
        for (code, city), row in wide.iterrows():
            cells = "".join(
                f'<td data-region="{code}" data-scenario="{s}" data-value="{row[s]!r}">'
                f"{html.escape(d.format(row[s]))}</td>"
                for s in scenarios
            )
            rows.append(f"<tr><td>{html.escape(str(city))}</td>{cells}</tr>")
        return (
            f"<p><b>{html.escape(metric(name).label(lang))}</b></p>"
            f'<table class="dd-table"><tr><th>{html.escape(text("city", lang))}</th>{head}</tr>'
            + "".join(rows)
            + "</table>"
        )

    def lever_table_html(self, r: Results) -> str:
        """The levers changed from the starting scenario: values, units and clauses."""
        lang = self.lang
        start = load_scenario(r.start)
        out = [
            f"<h3>{html.escape(text('lever_values', lang))}</h3>",
            f"<p>{html.escape(text('changed', lang))}: {html.escape(start.label(lang))}</p>",
        ]
        if not r.changes:
            out.append(f"<p>{html.escape(text('no_changes', lang))}</p>")
            return "".join(out)
        header = "".join(
            f"<th>{html.escape(x)}</th>"
            for x in (
                text("lever", lang),
                start.label(lang),
                text("edited", lang),
                text("unit", lang),
                text("clause", lang),
            )
        )
        rows = []
        for key, value in r.changes.items():
            lever = LEVERS[key]
            rows.append(
                f'<tr data-lever="{key}"><td>{html.escape(lever.label(lang))}</td>'
                f"<td>{html.escape(_fmt(start.levers[key], lang))}</td>"
                f"<td>{html.escape(_fmt(value, lang))}</td><td>{html.escape(lever.unit)}</td>"
                f"<td>{html.escape(text('clause_of', lang, clause='、'.join(lever.clauses)))}</td>"
                "</tr>"
            )
        out.append(f'<table class="dd-table"><tr>{header}</tr>{"".join(rows)}</table>')
        return "".join(out)

    def export_html(self, r: Results) -> str:
        """Download links: the edited scenario (TOML) and the results (CSV)."""
        lang = self.lang
        toml = export.scenario_toml(r.changes, start=r.start)
        table = export.results_table(r, lang).to_csv(index=False)
        regional = export.regional_table(r, lang).to_csv(index=False)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        return (
            f"<h3>{html.escape(text('export', lang))}</h3><p>"
            + export.download_link(toml, "dashboard_policy.toml", text("export_toml", lang))
            + export.download_link(
                "\ufeff" + table, f"dudao_results_{stamp}.csv", text("export_csv", lang), "text/csv"
            )
            + export.download_link(
                "\ufeff" + regional,
                f"dudao_results_by_region_{stamp}.csv",
                text("export_regional_csv", lang),
                "text/csv",
            )
            + "</p>"
        )

    def headline_values(self) -> pd.DataFrame:
        """The headline metrics of the last results (scenario × metric means)."""
        if self.results is None:
            return pd.DataFrame()
        rows = [
            {"metric": m, "scenario": s, "mean": self.results.value(m, s)}
            for m in HEADLINE_METRICS
            for s in (EDITED, *BASELINES)
        ]
        return pd.DataFrame(rows).pivot(index="metric", columns="scenario", values="mean")


def dashboard(**kwargs: Any) -> Dashboard:
    """Build a :class:`Dashboard` (arguments as its constructor) and start its worker pool."""
    app = Dashboard(**kwargs)
    app.session.start_pool()
    app.render()
    return app
