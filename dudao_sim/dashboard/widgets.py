"""Lever widgets built from the lever metadata: one control per lever, grouped as the document.

Every lever of ``levers.toml`` gets a control by its kind — a slider for ``float`` and ``int``
(its range from the metadata), a switch for ``bool``, a dropdown for ``choice`` — labelled in
Chinese or English with its unit and clause, and placed in the accordion section of its group
(the six parts of the document, :data:`dudao_sim.policy.levers.GROUPS`). Adding a lever to
``levers.toml`` adds its widget. Each control carries the CSS class ``dd-lever-<name>`` so a
browser test can find it.

Example:
    >>> controls = LeverControls()
    >>> controls.set_values({"unannounced_share": 0.4})
    >>> controls.values()["unannounced_share"]
    0.4
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

import ipywidgets as w
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import HTMLStyle

from dudao_sim.dashboard.texts import text
from dudao_sim.policy.levers import GROUPS, LEVERS, Lever, LeverValue, defaults

#: Steps of float sliders: a hundredth of the range (rounded to a readable step).
_STEPS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 50.0, 100.0, 500.0, 1000.0)

_DESCRIPTION_WIDTH = "300px"


def _float_step(lever: Lever) -> float:
    span = float(lever.high or 0) - float(lever.low or 0)
    return next((s for s in _STEPS if s >= span / 100), _STEPS[-1])


class _Shared:
    """Layout and style objects shared by all controls of a kind.

    One shared object instead of one per widget keeps the widget state small (a notebook
    stores every widget model it displayed).
    """

    def __init__(self) -> None:
        self.slider = w.Layout(width="640px")
        self.toggle = w.Layout(width="640px")
        self.dropdown = w.Layout(width="460px")
        self.row = w.Layout()
        self.slider_style = w.SliderStyle(description_width=_DESCRIPTION_WIDTH)
        self.toggle_style = w.ToggleButtonsStyle(
            description_width=_DESCRIPTION_WIDTH, button_width="64px"
        )
        self.style = DescriptionStyle(description_width=_DESCRIPTION_WIDTH)
        self.html_style = HTMLStyle()


def lever_widget(lever: Lever, lang: str = "en", shared: _Shared | None = None) -> w.ValueWidget:
    """A control for one lever, at its default value.

    Args:
        lever: The lever's metadata.
        lang: Language of the label.
        shared: Layout and style objects to share (default: new ones).

    Returns:
        A ``FloatSlider``, ``IntSlider``, ``ToggleButtons`` (on/off) or ``Dropdown``.
    """
    shared = shared or _Shared()
    common = {
        "description": lever.label(lang),
        "description_allow_html": False,
        "style": shared.slider_style,
        "layout": shared.slider,
        "tooltip": lever.help_zh if lang == "zh" else lever.help_en,
    }
    if lever.kind == "float":
        widget: w.ValueWidget = w.FloatSlider(
            value=float(lever.default),
            min=float(lever.low or 0),
            max=float(lever.high or 0),
            step=_float_step(lever),
            readout_format=".3g",
            continuous_update=False,
            **common,
        )
    elif lever.kind == "int":
        widget = w.IntSlider(
            value=int(lever.default),
            min=int(lever.low or 0),
            max=int(lever.high or 0),
            continuous_update=False,
            **common,
        )
    elif lever.kind == "bool":
        widget = w.ToggleButtons(
            options=[(text("off", lang), False), (text("on", lang), True)],
            value=bool(lever.default),
            **{**common, "layout": shared.toggle, "style": shared.toggle_style},
        )
    else:
        widget = w.Dropdown(
            options=list(lever.choices or ()),
            value=str(lever.default),
            **{**common, "layout": shared.dropdown, "style": shared.style},
        )
    widget.add_class("dd-lever")
    widget.add_class(f"dd-lever-{lever.name}")
    return widget


def unit_clause_html(lever: Lever, lang: str = "en") -> str:
    """The small text beside a control: unit and clause(s)."""
    clause = "、".join(lever.clauses)
    help_text = html.escape(lever.help_zh if lang == "zh" else lever.help_en)
    return (
        f'<span class="dd-unit" title="{help_text}">'
        f"{html.escape(lever.unit)} · {html.escape(text('clause_of', lang, clause=clause))}</span>"
    )


class LeverControls:
    """Every lever's control, grouped in an accordion by the document's parts.

    Args:
        lang: Initial language.
        levers: Levers to show (default: all, from ``levers.toml``).

    Attributes:
        widgets: ``{lever name: control}``.
        notes: ``{lever name: HTML with unit and clause}``.
        view: The accordion to display.
    """

    def __init__(self, lang: str = "en", levers: Mapping[str, Lever] | None = None) -> None:
        self.lang = lang
        self.levers = dict(levers if levers is not None else LEVERS)
        self.widgets: dict[str, w.ValueWidget] = {}
        self.notes: dict[str, w.HTML] = {}
        sections = []
        shared = _Shared()
        self.groups = [g for g in GROUPS if any(v.group == g for v in self.levers.values())]
        for group in self.groups:
            rows = []
            for name, lever in self.levers.items():
                if lever.group != group:
                    continue
                self.widgets[name] = lever_widget(lever, lang, shared)
                self.notes[name] = w.HTML(
                    unit_clause_html(lever, lang), layout=shared.row, style=shared.html_style
                )
                rows.append(w.HBox([self.widgets[name], self.notes[name]], layout=shared.row))
            sections.append(w.VBox(rows, layout=shared.row))
        self.view = w.Accordion(children=sections)
        self.view.add_class("dd-levers")
        self._set_titles()

    def _set_titles(self) -> None:
        self.view.titles = tuple(GROUPS[g][self.lang] for g in self.groups)

    def values(self) -> dict[str, LeverValue]:
        """Every lever's current value (levers without a control keep their default)."""
        out = defaults()
        for name, widget in self.widgets.items():
            value = widget.value
            out[name] = float(value) if self.levers[name].kind == "float" else value
        return out

    def set_values(self, values: Mapping[str, LeverValue]) -> None:
        """Set controls to ``values`` (levers not named are left as they are)."""
        for name, value in values.items():
            if name in self.widgets:
                self.widgets[name].value = value

    def changes_from(self, base: Mapping[str, LeverValue]) -> dict[str, LeverValue]:
        """Levers whose value differs from ``base``, in the order of ``levers.toml``."""
        current = self.values()
        return {k: v for k, v in current.items() if k in base and not _same(v, base[k])}

    def observe(self, callback: Callable[[dict], None]) -> None:
        """Call ``callback`` whenever a control's value changes."""
        for widget in self.widgets.values():
            widget.observe(callback, names="value")

    def relabel(self, lang: str) -> None:
        """Switch every label, unit note, tooltip and group title to ``lang``."""
        self.lang = lang
        for name, widget in self.widgets.items():
            lever = self.levers[name]
            widget.description = lever.label(lang)
            widget.tooltip = lever.help_zh if lang == "zh" else lever.help_en
            if isinstance(widget, w.ToggleButtons):
                value = widget.value
                widget.options = [(text("off", lang), False), (text("on", lang), True)]
                widget.value = value
            self.notes[name].value = unit_clause_html(lever, lang)
        self._set_titles()


def _same(a: LeverValue, b: LeverValue) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) < 1e-9
    return a == b
