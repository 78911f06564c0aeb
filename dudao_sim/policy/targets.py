"""The document's numeric targets, declared once in ``targets.toml``.

Every place that applies or checks a target reads it from here: the default staffing of
:class:`~dudao_sim.structure.inspectorate.InspectorateSpec`, the hierarchy analysis, the
staffing mechanism, the inspectorate metrics and the report's target table.

Example:
    >>> from dudao_sim.policy.targets import TARGETS, FULL_TIME_BAND
    >>> TARGETS["schools_per_inspector"].value, FULL_TIME_BAND
    (5.0, (0.3, 0.3333333333333333))
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from dudao_sim.citations import check_refs
from dudao_sim.policy.clauses import clauses

TARGETS_FILE = Path(__file__).with_name("targets.toml")


@dataclass(frozen=True)
class PolicyTarget:
    """One numeric target of the opinions.

    Attributes:
        name: Key in ``targets.toml``.
        clause: Clause of the opinions, (一)…(二十五).
        quote: The document's words.
        unit: What the number counts.
        label_zh: Chinese label.
        label_en: English label.
        value: The target value (``None`` for a band).
        low: Lower end of a band (``None`` for a single value).
        high: Upper end of a band.
        source: A national rule the value comes from, where not the opinions themselves.
        refs: Keys of the works ``source`` names (``docs/references.toml``).
    """

    name: str
    clause: str
    quote: str
    unit: str
    label_zh: str
    label_en: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    source: str = ""
    refs: tuple[str, ...] = ()

    @property
    def band(self) -> tuple[float, float]:
        """``(low, high)`` of a band target."""
        if self.low is None or self.high is None:
            raise ValueError(f"target {self.name!r} is a single value, not a band")
        return (self.low, self.high)


def _number(name: str, key: str, raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValueError(f"targets file: [{name}] {key} = {raw!r} is not a number")
    try:
        return float(Fraction(raw)) if isinstance(raw, str) else float(raw)
    except ValueError:
        raise ValueError(
            f"targets file: [{name}] {key} = {raw!r} is not a number or fraction like '1/3'"
        ) from None


def load_targets(path: Path = TARGETS_FILE) -> dict[str, PolicyTarget]:
    """Read and validate the targets file.

    Raises:
        ValueError: For a missing field, an unknown clause, a quote not in the clause,
            neither a value nor a band, or ``refs`` that are not a list of reference keys.
    """
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    targets: dict[str, PolicyTarget] = {}
    required = ("clause", "quote", "unit", "label_zh", "label_en")
    for name, entry in raw.items():
        missing = [k for k in required if not entry.get(k)]
        if missing:
            raise ValueError(f"{path.name}: [{name}] lacks {', '.join(missing)}")
        if entry["clause"] not in clauses():
            raise ValueError(
                f"{path.name}: [{name}] clause {entry['clause']!r} is not one of (一)…(二十五)"
            )
        if entry["quote"] not in clauses()[entry["clause"]].text:
            raise ValueError(f"{path.name}: [{name}] quote is not in clause {entry['clause']}")
        numbers = {k: _number(name, k, entry[k]) for k in ("value", "low", "high") if k in entry}
        if ("value" in numbers) == ("low" in numbers or "high" in numbers):
            raise ValueError(f"{path.name}: [{name}] needs either value or low and high")
        if "value" not in numbers and not ("low" in numbers and "high" in numbers):
            raise ValueError(f"{path.name}: [{name}] a band needs both low and high")
        extra = set(entry) - {*required, "value", "low", "high", "source", "refs"}
        if extra:
            raise ValueError(f"{path.name}: [{name}] unknown keys {sorted(extra)}")
        targets[name] = PolicyTarget(
            name=name,
            **{k: entry[k] for k in required},
            **numbers,
            source=entry.get("source", ""),
            refs=check_refs(entry.get("refs", []), f"{path.name}: [{name}]"),
        )
    return targets


#: Every target of the opinions, by name.
TARGETS: dict[str, PolicyTarget] = load_targets()

#: At most this many schools per inspector (十七: 1:5).
SCHOOLS_PER_INSPECTOR: float = TARGETS["schools_per_inspector"].value  # type: ignore[assignment]
#: County full-time share band (十七: ≥ 30 %, in principle ≤ 1/3).
FULL_TIME_BAND: tuple[float, float] = TARGETS["full_time_share"].band
#: Share of badged-type schools with a badged inspector (六: full coverage).
BADGED_COVERAGE: float = TARGETS["badged_coverage"].value  # type: ignore[assignment]
#: Share of principals' terms ending with a comprehensive review (六).
END_OF_TERM_REVIEW: float = TARGETS["end_of_term_review"].value  # type: ignore[assignment]
#: Largest number of schools in one responsibility zone (教督〔2012〕7号
#: [@moe_2012_zone_inspectors]).
MAX_ZONE_SCHOOLS: int = int(TARGETS["max_zone_schools"].value)  # type: ignore[arg-type]
#: Recorded visits by the badged inspector in 12 months that count a school as visited (六).
ZONE_VISITS_REQUIRED: int = int(TARGETS["zone_visits_required"].value)  # type: ignore[arg-type]
