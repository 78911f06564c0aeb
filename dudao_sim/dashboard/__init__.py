"""The policy dashboard: an ipywidgets app built from the lever metadata, in 中文 or English.

Policy staff start from a shipped scenario, change levers with sliders, switches and
dropdowns, press Run, and compare the edited policy with ``reform_2021`` and ``pre_reform``:
key findings in plain words, figures in calendar years, results by 市州 and county, and the
edited scenario and the results to download. ``make dashboard`` serves it with Voilà;
``notebooks/05_policy_dashboard.ipynb`` shows it inline.

Modules, one job each: :mod:`.texts` (the dashboard's words, from the text catalogue),
:mod:`.widgets` (lever controls from ``levers.toml``), :mod:`.session` (settings, the worker
pool and caches), :mod:`.findings` (plain-language findings), :mod:`.plots` (figures),
:mod:`.export` (scenario TOML and CSV), :mod:`.app` (the assembled :class:`Dashboard`),
:mod:`.serve` (the Voilà command and template).

Example:
    >>> from dudao_sim.dashboard import Dashboard   # doctest: +SKIP
    >>> Dashboard().view                             # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dudao_sim.dashboard.app import Dashboard, dashboard
    from dudao_sim.dashboard.session import DashboardSession, Results, dashboard_settings

__all__ = ["Dashboard", "DashboardSession", "Results", "dashboard", "dashboard_settings"]

_WHERE = {
    "Dashboard": "app",
    "dashboard": "app",
    "DashboardSession": "session",
    "Results": "session",
    "dashboard_settings": "session",
}


def __getattr__(name: str) -> Any:
    # Lazy, so worker processes (which import .session) do not load ipywidgets.
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"dudao_sim.dashboard.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'dudao_sim.dashboard' has no attribute {name!r}")
