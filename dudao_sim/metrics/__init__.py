"""Metrics layer: outcome definitions (truth and observation) and the clause-二十四 indices.

:mod:`~dudao_sim.metrics.reporters` computes them from a model that has run;
:mod:`~dudao_sim.metrics.catalogue` declares every metric once (labels, definition, unit,
range, direction, clauses) from ``catalogue.toml``; :mod:`~dudao_sim.metrics.events` declares
every monthly event mechanisms record (``events.toml``) and the :class:`EventLog` that holds
them.
"""

from dudao_sim.metrics.catalogue import CATALOGUE, CatalogueError, Metric
from dudao_sim.metrics.events import EVENTS, EventLog, UndeclaredEventError
from dudao_sim.metrics.reporters import (
    DEFINITIONS,
    MODEL_REPORTERS,
    REGIONAL_RATIOS,
    REGIONAL_SUMS,
    metrics_frame,
    regional_frame,
    regional_sums,
)

__all__ = [
    "CATALOGUE",
    "DEFINITIONS",
    "EVENTS",
    "MODEL_REPORTERS",
    "REGIONAL_RATIOS",
    "REGIONAL_SUMS",
    "CatalogueError",
    "EventLog",
    "Metric",
    "UndeclaredEventError",
    "metrics_frame",
    "regional_frame",
    "regional_sums",
]
