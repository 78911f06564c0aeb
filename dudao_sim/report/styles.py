"""How scenarios are drawn: a colour, a line style, a marker and a hatch each.

Eight scenarios stay apart in colour (the baseline grey, then Okabe & Ito's colour-blind-safe
set with Tol's wine for yellow) and, printed in grey, by line style, marker and bar hatch.

Example:
    >>> styles = scenario_styles(["pre_reform", "reform_2021"])
    >>> styles["pre_reform"].linestyle, styles["reform_2021"].marker
    ('-', 's')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib as mpl


@dataclass(frozen=True)
class ScenarioStyle:
    """How one scenario is drawn: colour, and what keeps it apart in greyscale.

    Attributes:
        colour: Line, marker and bar colour (RGB, 0–1).
        linestyle: Line style of trajectories.
        marker: Marker of points and trajectories.
        hatch: Bar hatch pattern.
    """

    colour: tuple[float, float, float]
    linestyle: str | tuple[int, tuple[int, ...]]
    marker: str
    hatch: str


#: Scenario colours in display order: grey for the baseline, then Okabe & Ito's
#: colour-blind-safe set (with Tol's wine in place of yellow, which is faint on white).
STYLE_COLOURS: tuple[str, ...] = (
    "#595959",
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#882255",
)
#: Line styles, markers and hatches: each of the first eight scenarios has its own, so the
#: figures stay readable printed in grey.
STYLE_LINES: tuple[str | tuple[int, tuple[int, ...]], ...] = (
    "-",
    "--",
    "-.",
    ":",
    (0, (6, 2)),
    (0, (3, 1, 1, 1, 1, 1)),
    (0, (1, 1)),
    (0, (8, 3, 2, 3)),
)
STYLE_MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
STYLE_HATCHES: tuple[str, ...] = ("", "///", "\\\\\\", "xxx", "...", "---", "+++", "ooo")


def scenario_styles(scenarios: Sequence[str]) -> dict[str, ScenarioStyle]:
    """A style per scenario, in order: distinct colours, line styles, markers and hatches.

    The first scenario (the baseline, in the report's order) is grey and solid; eight
    scenarios get eight different colours, line styles, markers and hatches (more repeat).

    Args:
        scenarios: Names in display order.

    Returns:
        ``{name: ScenarioStyle}``.
    """
    out = {}
    for i, name in enumerate(scenarios):
        rgb = mpl.colors.to_rgb(STYLE_COLOURS[i % len(STYLE_COLOURS)])
        out[name] = ScenarioStyle(
            rgb,
            STYLE_LINES[i % len(STYLE_LINES)],
            STYLE_MARKERS[i % len(STYLE_MARKERS)],
            STYLE_HATCHES[i % len(STYLE_HATCHES)],
        )
    return out


def scenario_palette(scenarios: Sequence[str]) -> dict[str, tuple[float, float, float]]:
    """A colour per scenario (:func:`scenario_styles`), stable for a given order."""
    return {name: style.colour for name, style in scenario_styles(scenarios).items()}


__all__ = [
    "STYLE_COLOURS",
    "STYLE_HATCHES",
    "STYLE_LINES",
    "STYLE_MARKERS",
    "ScenarioStyle",
    "scenario_palette",
    "scenario_styles",
]
