"""Key findings in plain words: the dashboard uses the report's findings (one shared copy).

The logic lives in :mod:`dudao_sim.report.findings` (bins from the catalogue's directions and
the paired intervals, sentences from the text catalogue); this module re-exports it under the
dashboard's old import path.
"""

from __future__ import annotations

from dudao_sim.report.findings import (
    BINS,
    COST_KINDS,
    FINDING_METRICS,
    Finding,
    classify,
    findings_html,
    key_findings,
)

__all__ = [
    "BINS",
    "COST_KINDS",
    "FINDING_METRICS",
    "Finding",
    "classify",
    "findings_html",
    "key_findings",
]
