"""Metrics layer: outcome definitions (truth and observation) and the clause-二十四 indices.

:mod:`~dudao_sim.metrics.reporters` computes them from a model that has run.
"""

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
    "DEFINITIONS",
    "MODEL_REPORTERS",
    "REGIONAL_RATIOS",
    "REGIONAL_SUMS",
    "metrics_frame",
    "regional_frame",
    "regional_sums",
]
